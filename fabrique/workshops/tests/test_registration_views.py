"""Registrations through the pages: the block on the workshop's page, registering as a
visitor or signed in, the personal page, calendar files, and the back-office pages with
their permissions for each role."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.workshops.models import Invitation, Registration, Workshop
from fabrique.workshops.tests.factories import (
    InvitationFactory,
    RegistrationFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Requests in tests run inside a transaction that never commits: after each one, run
    what waits for the commit (e-mails, tasks), as the real site does."""
    send = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(**kwargs)

    client.request = request
    return client


def _page(workshop):
    return workshop.get_absolute_url()


def _register_url(workshop):
    return reverse("workshops:register", args=[workshop.process.slug, workshop.pk])


def _bo(name, workshop):
    process = workshop.process
    return reverse(f"workshops:{name}", args=[process.territory.slug, process.slug, workshop.pk])


# --- Roles ------------------------------------------------------------------------------------


def _user_as(role: str, workshop: Workshop):
    """A person for each role the permissions tell apart."""
    if role == "anonymous":
        return None
    user = UserFactory()
    territory = workshop.process.territory
    if role == "facilitator_elsewhere":
        WorkshopFactory(process=workshop.process, facilitators=[user])
    elif role == "workshop_facilitator":
        workshop.facilitators.add(user)
    elif role == "territory_facilitator":
        RoleFactory(user=user, role=Role.FACILITATOR, territory=territory)
    elif role == "territory_admin":
        RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=territory)
    elif role == "other_territory_admin":
        from fabrique.territories.tests.factories import TerritoryFactory

        RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=TerritoryFactory())
    return user


ROLES_EXPECTED = [
    ("anonymous", 302),
    ("participant", 403),
    ("facilitator_elsewhere", 403),
    ("other_territory_admin", 403),
    ("workshop_facilitator", 200),
    ("territory_facilitator", 200),
    ("territory_admin", 200),
]

BO_PAGES = [
    "bo_registrations",
    "bo_registrations_csv",
    "bo_registrations_xlsx",
    "bo_invitations",
    "bo_checkin",
]


@pytest.mark.parametrize("page", BO_PAGES)
@pytest.mark.parametrize(("role", "status"), ROLES_EXPECTED)
def test_back_office_pages_are_for_those_who_run_the_workshop(client, page, role, status):
    workshop = WorkshopFactory()
    RegistrationFactory(workshop=workshop, name="Lucie Secret", needs="Fauteuil")
    user = _user_as(role, workshop)
    if user:
        client.force_login(user)
    response = client.get(_bo(page, workshop))
    assert response.status_code == status
    if status == 302:
        assert reverse("account_login") in response["Location"]
    if status != 200:
        assert b"Lucie Secret" not in response.content


@pytest.mark.parametrize(("role", "status"), ROLES_EXPECTED)
def test_back_office_actions_are_refused_to_others(client, role, status):
    workshop = WorkshopFactory()
    registration = RegistrationFactory(workshop=workshop)
    user = _user_as(role, workshop)
    if user:
        client.force_login(user)
    client.post(
        _bo("bo_checkin", workshop),
        {"form": "present", "registration": registration.pk, "present": "1"},
    )
    client.post(
        _bo("bo_registrations", workshop), {"form": "cancel", "registration": registration.pk}
    )
    client.post(
        _bo("bo_invitations", workshop), {"form": "add", "invite-addresses": "x@exemple.fr"}
    )
    registration.refresh_from_db()
    allowed = status == 200
    assert (registration.status == Status.CANCELLED) is allowed
    assert registration.is_present is allowed
    assert Invitation.objects.exists() is allowed


# --- The block on the workshop's page ------------------------------------------------------


class TestBlock:
    def test_a_visitor_sees_the_form_and_the_seats(self, client):
        workshop = WorkshopFactory(capacity=10)
        RegistrationFactory.create_batch(3, workshop=workshop)
        RegistrationFactory(workshop=workshop, status=Status.PENDING, confirmed_at=None)
        html = client.get(_page(workshop)).content.decode()
        assert 'id="inscription"' in html
        assert 'name="email"' in html
        assert 'name="name"' in html
        assert 'name="needs"' in html
        assert "7" in html  # seats left: pending holds none
        assert "form_token" in html
        assert reverse("workshops:ics", args=[workshop.process.slug, workshop.pk]) in html

    def test_a_full_workshop_offers_the_waiting_list(self, client):
        workshop = WorkshopFactory(capacity=1)
        RegistrationFactory(workshop=workshop)
        html = client.get(_page(workshop)).content.decode()
        assert "liste d’attente" in html or "waiting list" in html

    def test_a_signed_in_person_registers_in_one_click(self, client):
        workshop = WorkshopFactory()
        client.force_login(UserFactory(display_name="Hugo"))
        html = client.get(_page(workshop)).content.decode()
        assert 'name="email"' not in html
        assert 'name="needs"' in html
        assert "Hugo" in html

    def test_a_registered_person_sees_their_registration_instead(self, client):
        workshop = WorkshopFactory()
        user = UserFactory()
        registration = RegistrationFactory(workshop=workshop, user=user, email=user.email)
        client.force_login(user)
        html = client.get(_page(workshop)).content.decode()
        assert reverse("workshops:registration", args=[registration.token]) in html
        assert 'name="needs"' not in html

    @pytest.mark.parametrize(
        "change",
        [
            {"status": Workshop.Status.CANCELLED},
            {"registration_open": False},
        ],
    )
    def test_closed_registrations_say_why(self, client, change):
        workshop = WorkshopFactory(**change)
        html = client.get(_page(workshop)).content.decode()
        assert 'name="email"' not in html

    def test_by_invitation_the_link_prefills_the_address(self, client):
        workshop = WorkshopFactory(audience=Workshop.Audience.INVITATION)
        invitation = InvitationFactory(workshop=workshop, email="invitee@exemple.fr", name="Inès")
        assert 'name="email"' not in client.get(_page(workshop)).content.decode()
        html = client.get(f"{_page(workshop)}?invitation={invitation.token}").content.decode()
        assert 'value="invitee@exemple.fr"' in html
        assert f'value="{invitation.token}"' in html
        html = client.get(f"{_page(workshop)}?invitation=faux").content.decode()
        assert 'name="email"' not in html

    def test_a_draft_is_not_public(self, client):
        workshop = WorkshopFactory(status=Workshop.Status.DRAFT)
        assert client.get(_register_url(workshop)).status_code == 404
        assert (
            client.get(
                reverse("workshops:ics", args=[workshop.process.slug, workshop.pk])
            ).status_code
            == 404
        )


# --- Registering ---------------------------------------------------------------------------


class TestRegistering:
    def test_a_visitor_registers_then_confirms_by_the_link(self, client):
        workshop = WorkshopFactory()
        response = client.post(
            _register_url(workshop),
            {"name": "Awa Diallo", "email": "awa@exemple.fr", "needs": "Interprète LSF"},
        )
        assert response.status_code == 302
        assert response["Location"].endswith("/inscription/envoyee/")
        registration = Registration.objects.get()
        assert registration.status == Status.PENDING
        assert registration.needs == "Interprète LSF"
        sent = client.get(response["Location"]).content.decode()
        assert "awa@exemple.fr" in sent
        [message] = mail.outbox
        page = reverse("workshops:registration", args=[registration.token])
        assert page in message.body

        # Opening the link (a mail scanner would) confirms nobody.
        html = client.get(page).content.decode()
        registration.refresh_from_db()
        assert registration.status == Status.PENDING
        assert 'value="confirm"' in html

        client.post(page, {"action": "confirm"})
        registration.refresh_from_db()
        assert registration.status == Status.CONFIRMED
        assert len(mail.outbox) == 2

    def test_a_faulty_form_keeps_what_was_typed(self, client):
        workshop = WorkshopFactory()
        response = client.post(
            _register_url(workshop),
            {"name": "Awa Diallo", "email": "awa@", "needs": "Interprète LSF"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="Awa Diallo"' in html
        assert "Interprète LSF" in html
        assert "aria-invalid" in html
        assert not Registration.objects.exists()

    def test_an_address_already_registered_gets_its_link_again_and_nothing_leaks(self, client):
        cache.clear()
        workshop = WorkshopFactory()
        existing = RegistrationFactory(workshop=workshop, email="awa@exemple.fr")
        response = client.post(
            _register_url(workshop), {"name": "Quelqu'un", "email": "AWA@exemple.fr", "needs": ""}
        )
        assert response["Location"].endswith("/inscription/envoyee/")
        assert workshop.registrations.count() == 1
        [message] = mail.outbox
        assert message.to == ["awa@exemple.fr"]
        assert existing.token in message.body

    def test_the_same_form_sent_twice_registers_once(self, client):
        workshop = WorkshopFactory()
        data = {"name": "Awa", "email": "awa@exemple.fr", "form_token": "abc123"}
        client.post(_register_url(workshop), data)
        client.post(_register_url(workshop), data)
        assert workshop.registrations.count() == 1

    def test_a_signed_in_person_is_registered_and_sent_to_their_page(self, client):
        workshop = WorkshopFactory()
        user = UserFactory(display_name="Hugo")
        client.force_login(user)
        response = client.post(_register_url(workshop), {"needs": "Garde d'enfant"})
        registration = Registration.objects.get()
        assert response["Location"] == reverse("workshops:registration", args=[registration.token])
        assert registration.status == Status.CONFIRMED
        assert (registration.name, registration.user, registration.needs) == (
            "Hugo",
            user,
            "Garde d'enfant",
        )
        response = client.post(_register_url(workshop), {"needs": ""})
        assert workshop.registrations.count() == 1

    def test_refusals_are_shown_on_the_form(self, client):
        workshop = WorkshopFactory(audience=Workshop.Audience.INVITATION)
        InvitationFactory(workshop=workshop, email="invitee@exemple.fr")
        response = client.post(
            _register_url(workshop), {"name": "X", "email": "pas-invite@exemple.fr"}
        )
        assert response.status_code == 200
        assert not Registration.objects.exists()


# --- The personal page ---------------------------------------------------------------------


class TestPersonalPage:
    def test_shows_the_link_to_join_only_once_registered(self, client):
        workshop = WorkshopFactory(
            format=Workshop.Format.HYBRID, online_url="https://visio.exemple.fr/salle"
        )
        registration = RegistrationFactory(workshop=workshop)
        waiting = RegistrationFactory(workshop=workshop, status=Status.WAITLISTED)
        page = client.get(reverse("workshops:registration", args=[registration.token]))
        assert b"https://visio.exemple.fr/salle" in page.content
        assert b"<svg" in page.content  # the check-in QR code
        assert page["X-Robots-Tag"].startswith("noindex")
        assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
        other = client.get(reverse("workshops:registration", args=[waiting.token]))
        assert b"https://visio.exemple.fr/salle" not in other.content

    def test_an_unknown_token_is_not_found(self, client):
        assert client.get(reverse("workshops:registration", args=["nope"])).status_code == 404

    def test_cancelling_asks_first_then_promotes_the_first_waiting(self, client):
        workshop = WorkshopFactory(capacity=1)
        seated = RegistrationFactory(workshop=workshop)
        waiting = RegistrationFactory(workshop=workshop, status=Status.WAITLISTED)
        url = reverse("workshops:registration_cancel", args=[seated.token])
        assert client.get(url).status_code == 200
        seated.refresh_from_db()
        assert seated.status == Status.CONFIRMED
        response = client.post(url)
        assert response["Location"] == reverse("workshops:registration", args=[seated.token])
        seated.refresh_from_db()
        waiting.refresh_from_db()
        assert seated.status == Status.CANCELLED
        assert waiting.status == Status.CONFIRMED
        assert any(waiting.email in m.to for m in mail.outbox)
        html = client.get(reverse("workshops:registration", args=[waiting.token])).content.decode()
        assert "liste d’attente" in html or "waiting list" in html  # « a place opened… »

    def test_the_calendar_files(self, client):
        workshop = WorkshopFactory(
            format=Workshop.Format.ONLINE, online_url="https://visio.exemple.fr/salle"
        )
        registration = RegistrationFactory(workshop=workshop)
        public = client.get(reverse("workshops:ics", args=[workshop.process.slug, workshop.pk]))
        assert public["Content-Type"].startswith("text/calendar")
        assert b"visio.exemple.fr" not in public.content.replace(b"\r\n ", b"")
        mine = client.get(reverse("workshops:registration_ics", args=[registration.token]))
        assert b"visio.exemple.fr" in mine.content.replace(b"\r\n ", b"")

    def test_my_registrations_need_an_account(self, client):
        url = reverse("workshops:my_registrations")
        assert client.get(url).status_code == 302
        user = UserFactory(email="moi@exemple.fr")
        RegistrationFactory(
            user=user, email=user.email, workshop=WorkshopFactory(title="Mon atelier")
        )
        RegistrationFactory(email="moi@exemple.fr", workshop=WorkshopFactory(title="Sans compte"))
        RegistrationFactory(workshop=WorkshopFactory(title="Pas le mien"))
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "Mon atelier" in html
        assert "Sans compte" in html
        assert "Pas le mien" not in html


# --- Back-office: registrations -------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    def log_in(workshop):
        user = _user_as("workshop_facilitator", workshop)
        client.force_login(user)
        return user

    return log_in


class TestBackOffice:
    def test_the_list_shows_counts_and_needs(self, client, staff_client):
        workshop = WorkshopFactory(capacity=2)
        RegistrationFactory(workshop=workshop, name="Anne", needs="Fauteuil roulant")
        RegistrationFactory(workshop=workshop, name="Bruno", status=Status.WAITLISTED)
        RegistrationFactory(
            workshop=workshop, name="Chloé", status=Status.PENDING, confirmed_at=None
        )
        staff_client(workshop)
        html = client.get(_bo("bo_registrations", workshop)).content.decode()
        for text in ("Anne", "Fauteuil roulant", "Bruno", "Chloé", "1 / 2"):
            assert text in html

    def test_staff_add_someone_who_called(self, client, staff_client):
        workshop = WorkshopFactory(registration_open=False)
        staff_client(workshop)
        response = client.post(
            _bo("bo_registrations", workshop),
            {"form": "add", "add-name": "Jeanne", "add-email": "", "add-needs": "Malentendante"},
        )
        assert response.status_code == 302
        registration = workshop.registrations.get()
        assert (registration.status, registration.needs) == (Status.CONFIRMED, "Malentendante")

    def test_staff_adding_an_address_registered_is_told(self, client, staff_client):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop, email="deja@exemple.fr")
        staff_client(workshop)
        response = client.post(
            _bo("bo_registrations", workshop),
            {"form": "add", "add-name": "Jeanne", "add-email": "deja@exemple.fr"},
        )
        assert response.status_code == 200
        assert 'value="Jeanne"' in response.content.decode()
        assert workshop.registrations.count() == 1

    def test_cancel_promote_and_confirm_from_the_list(self, client, staff_client):
        workshop = WorkshopFactory(capacity=1)
        seated = RegistrationFactory(workshop=workshop, name="Anne")
        first = RegistrationFactory(workshop=workshop, name="Bruno", status=Status.WAITLISTED)
        second = RegistrationFactory(workshop=workshop, name="Chloé", status=Status.WAITLISTED)
        pending = RegistrationFactory(workshop=workshop, status=Status.PENDING, confirmed_at=None)
        staff_client(workshop)
        url = _bo("bo_registrations", workshop)

        response = client.post(url, {"form": "cancel", "registration": seated.pk}, follow=True)
        first.refresh_from_db()
        assert first.status == Status.CONFIRMED
        assert "Bruno" in response.content.decode()

        client.post(url, {"form": "promote", "registration": second.pk})
        second.refresh_from_db()
        assert second.status == Status.WAITLISTED  # full: not without saying so
        client.post(url, {"form": "promote", "registration": second.pk, "over": "1"})
        second.refresh_from_db()
        assert second.status == Status.CONFIRMED

        client.post(url, {"form": "confirm", "registration": pending.pk})
        pending.refresh_from_db()
        assert pending.status == Status.WAITLISTED

    def test_a_registration_of_another_workshop_cannot_be_touched(self, client, staff_client):
        workshop = WorkshopFactory()
        elsewhere = RegistrationFactory()
        staff_client(workshop)
        response = client.post(
            _bo("bo_registrations", workshop), {"form": "cancel", "registration": elsewhere.pk}
        )
        assert response.status_code == 404
        elsewhere.refresh_from_db()
        assert elsewhere.status == Status.CONFIRMED

    def test_exports(self, client, staff_client):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop, name="=HYPERLINK(1)", needs="Fauteuil")
        RegistrationFactory(workshop=workshop, name="Bruno", status=Status.WAITLISTED)
        staff_client(workshop)
        csv = client.get(_bo("bo_registrations_csv", workshop))
        text = csv.content.decode("utf-8-sig")
        assert csv["Content-Disposition"].endswith('.csv"')
        assert "'=HYPERLINK(1)" in text
        assert "Fauteuil" in text
        assert ";" in text
        xlsx = client.get(_bo("bo_registrations_xlsx", workshop))
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 3
        assert rows[2][0] == "Bruno"
        assert rows[2][4] == 1


# --- Back-office: invitations --------------------------------------------------------------


class TestInvitationsPage:
    def test_a_faulty_line_saves_nothing_and_is_shown_with_its_number(self, client, staff_client):
        workshop = WorkshopFactory(audience=Workshop.Audience.INVITATION)
        staff_client(workshop)
        text = "alice@exemple.fr\nbob@\n"
        response = client.post(
            _bo("bo_invitations", workshop), {"form": "add", "invite-addresses": text}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "bob@" in html
        assert "Ligne 2" in html or "Line 2" in html
        assert "alice@exemple.fr" in html  # kept in the box
        assert not Invitation.objects.exists()

    def test_invitations_are_sent_again_and_withdrawn(self, client, staff_client):
        workshop = WorkshopFactory(audience=Workshop.Audience.INVITATION)
        staff_client(workshop)
        client.post(
            _bo("bo_invitations", workshop),
            {"form": "add", "invite-addresses": "Alice <alice@exemple.fr>"},
        )
        invitation = Invitation.objects.get()
        assert len(mail.outbox) == 1
        assert invitation.token in mail.outbox[0].body
        client.post(_bo("bo_invitations", workshop), {"form": "again", "invitation": invitation.pk})
        assert len(mail.outbox) == 2
        client.post(
            _bo("bo_invitations", workshop), {"form": "delete", "invitation": invitation.pk}
        )
        assert not Invitation.objects.exists()

    def test_panel_only_is_explained(self, client, staff_client):
        workshop = WorkshopFactory(audience=Workshop.Audience.PANEL)
        staff_client(workshop)
        html = client.get(_bo("bo_invitations", workshop)).content.decode()
        assert "panel" in html


def test_a_past_workshop_cannot_be_cancelled_by_the_person(client):
    now = timezone.now()
    workshop = WorkshopFactory(
        starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-2)
    )
    registration = RegistrationFactory(workshop=workshop)
    client.post(reverse("workshops:registration_cancel", args=[registration.token]))
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


PUBLIC_ROLES = [
    ("anonymous", 404),
    ("participant", 404),
    ("facilitator_elsewhere", 404),
    ("workshop_facilitator", 200),
    ("territory_facilitator", 200),
    ("territory_admin", 200),
]


@pytest.mark.parametrize(("role", "draft_status"), PUBLIC_ROLES)
def test_public_registration_pages_follow_the_workshops_visibility(client, role, draft_status):
    published = WorkshopFactory()
    draft = WorkshopFactory(process=published.process, status=Workshop.Status.DRAFT)
    user = _user_as(role, draft)
    if user:
        client.force_login(user)
    for workshop, status in ((published, 200), (draft, draft_status)):
        args = [workshop.process.slug, workshop.pk]
        assert client.get(_register_url(workshop)).status_code == status
        assert client.get(reverse("workshops:ics", args=args)).status_code == status
    # Those who may see a draft still cannot register for it.
    response = client.post(_register_url(draft), {"name": "X", "email": "x@exemple.fr"})
    assert response.status_code == draft_status
    assert not draft.registrations.exists()
