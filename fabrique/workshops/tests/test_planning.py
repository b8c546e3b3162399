"""Planning workshops: the rules of the service, the pages, and who may use them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.processes.models import ParticipationMode
from fabrique.processes.tests.factories import PhaseFactory, ThemeFactory
from fabrique.workshops.models import Registration, Workshop
from fabrique.workshops.services import planning
from fabrique.workshops.tests.factories import (
    RegistrationFactory,
    WorkshopFactory,
    workshop_process,
)

pytestmark = pytest.mark.django_db


def _when(days: int = 5, hour: int = 18) -> tuple:
    start = (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return start, start + timedelta(hours=2)


def _create(process, **overrides):
    start, end = _when()
    fields = {
        "process": process,
        "phase": process.phases.first(),
        "title": "  Atelier vélo  ",
        "starts_at": start,
        "ends_at": end,
        "format": Workshop.Format.IN_PERSON,
        "commune": process.territory.communes.first(),
        "place_name": "Salle des fêtes",
        "description": '<p>Venez</p><script>alert("x")</script>',
    }
    fields.update(overrides)
    return planning.workshop_create(**fields)


def _bo(name: str, workshop: Workshop | None = None, process=None) -> str:
    process = process or workshop.process
    args = [process.territory.slug, process.slug]
    if workshop is not None:
        args.append(workshop.pk)
    return reverse(f"workshops:{name}", args=args)


class TestWorkshopCreate:
    def test_creates_a_draft_with_clean_title_and_sanitised_description(self):
        process = workshop_process()
        theme = ThemeFactory(process=process)
        workshop = _create(process, themes=[theme])
        assert workshop.status == Workshop.Status.DRAFT
        assert workshop.title == "Atelier vélo"
        assert "<script>" not in workshop.description
        assert "Venez" in workshop.description
        assert list(workshop.themes.all()) == [theme]

    def test_refuses_a_phase_that_does_not_open_workshops(self):
        process = workshop_process()
        other = PhaseFactory(
            process=process,
            start_date=process.end_date + timedelta(days=1),
            end_date=process.end_date + timedelta(days=2),
        )
        with pytest.raises(ValidationError) as error:
            _create(process, phase=other)
        assert "phase" in error.value.message_dict

    def test_refuses_an_end_before_the_start(self):
        process = workshop_process()
        start, _end = _when()
        with pytest.raises(ValidationError) as error:
            _create(process, starts_at=start, ends_at=start - timedelta(hours=1))
        assert "ends_at" in error.value.message_dict
        assert not Workshop.objects.exists()

    def test_refuses_a_date_outside_the_phase(self):
        process = workshop_process()
        start, end = _when(days=90)
        with pytest.raises(ValidationError) as error:
            _create(process, starts_at=start, ends_at=end)
        assert "starts_at" in error.value.message_dict

    def test_in_person_needs_a_place_and_online_needs_a_link(self):
        process = workshop_process()
        with pytest.raises(ValidationError) as error:
            _create(process, commune=None, place_name="", address="")
        assert "address" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            _create(process, format=Workshop.Format.ONLINE, online_url="")
        assert "online_url" in error.value.message_dict

    def test_refuses_a_point_outside_the_territory(self):
        process = workshop_process()
        process.territory.map_south, process.territory.map_north = Decimal(45), Decimal(46)
        process.territory.map_west, process.territory.map_east = Decimal(5), Decimal(6)
        process.territory.save()
        with pytest.raises(ValidationError) as error:
            _create(process, latitude=Decimal("48.85"), longitude=Decimal("2.35"))
        assert "latitude" in error.value.message_dict
        workshop = _create(process, latitude=Decimal("45.5"), longitude=Decimal("5.5"))
        assert workshop.has_point

    def test_in_person_workshop_keeps_no_online_link(self):
        process = workshop_process()
        workshop = _create(process, online_url="https://visio.exemple.fr/salle")
        assert workshop.online_url == ""


class TestWorkshopLifecycle:
    def test_unpublish_refused_once_people_registered(self):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop)
        with pytest.raises(ValidationError):
            planning.workshop_unpublish(workshop=workshop)

    def test_cancel_needs_a_reason_and_tells_registered_people(
        self, django_capture_on_commit_callbacks
    ):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop, email="alice@exemple.fr")
        with pytest.raises(ValidationError):
            planning.workshop_cancel(workshop=workshop, reason="  ")
        with django_capture_on_commit_callbacks(execute=True):
            planning.workshop_cancel(workshop=workshop, reason="Salle inondée")
        workshop.refresh_from_db()
        assert workshop.status == Workshop.Status.CANCELLED
        assert not workshop.registration_open
        sent = [m for m in mail.outbox if "alice@exemple.fr" in m.to]
        assert sent
        assert "Salle inondée" in sent[0].body
        with pytest.raises(ValidationError):
            planning.workshop_publish(workshop=workshop)

    def test_a_change_of_time_is_sent_to_registered_people(
        self, django_capture_on_commit_callbacks
    ):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop, email="bob@exemple.fr")
        with django_capture_on_commit_callbacks(execute=True):
            changes = planning.workshop_update(
                workshop=workshop,
                starts_at=workshop.starts_at + timedelta(hours=1),
                ends_at=workshop.ends_at + timedelta(hours=1),
            )
        assert changes
        assert any("bob@exemple.fr" in m.to for m in mail.outbox)

    def test_a_new_summary_is_not_sent(self, django_capture_on_commit_callbacks):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop)
        with django_capture_on_commit_callbacks(execute=True):
            changes = planning.workshop_update(workshop=workshop, summary="Nouveau résumé")
        assert changes == []
        assert mail.outbox == []


class TestPublicPages:
    def test_list_shows_published_and_cancelled_not_drafts(self, client):
        process = workshop_process()
        WorkshopFactory(process=process, title="Publié")
        WorkshopFactory(process=process, title="Brouillon", status=Workshop.Status.DRAFT)
        WorkshopFactory(
            process=process,
            title="Annulé",
            status=Workshop.Status.CANCELLED,
            cancellation_reason="x",
        )
        page = client.get(reverse("workshops:list", args=[process.slug])).content.decode()
        assert "Publié" in page
        assert "Annulé" in page
        assert "Brouillon" not in page

    def test_filters_by_format_and_past(self, client):
        process = workshop_process()
        WorkshopFactory(process=process, title="Atelier dans la salle")
        WorkshopFactory(
            process=process,
            title="Atelier par visioconférence",
            format=Workshop.Format.ONLINE,
            online_url="https://visio.exemple.fr/a",
        )
        url = reverse("workshops:list", args=[process.slug])
        page = client.get(url, {"format": "online"}).content.decode()
        assert "Atelier par visioconférence" in page
        assert "Atelier dans la salle" not in page
        page = client.get(url, {"quand": "past"}).content.decode()
        assert "Atelier par visioconférence" not in page
        assert "Atelier dans la salle" not in page

    def test_draft_page_is_hidden_from_the_public_but_not_from_staff(self, client):
        workshop = WorkshopFactory(status=Workshop.Status.DRAFT)
        url = workshop.get_absolute_url()
        assert client.get(url).status_code == 404
        admin = UserFactory()
        RoleFactory(user=admin, territory=workshop.process.territory, role=Role.TERRITORY_ADMIN)
        client.force_login(admin)
        assert client.get(url).status_code == 200

    def test_detail_hides_the_online_link_and_shows_seats_left(self, client):
        workshop = WorkshopFactory(
            format=Workshop.Format.HYBRID, online_url="https://visio.exemple.fr/secret", capacity=3
        )
        RegistrationFactory(workshop=workshop)
        page = client.get(workshop.get_absolute_url()).content.decode()
        assert "visio.exemple.fr/secret" not in page
        assert workshop.seats_left == 2

    def test_process_page_lists_next_workshops(self, client):
        workshop = WorkshopFactory(title="Atelier à venir")
        page = client.get(workshop.process.get_absolute_url()).content.decode()
        assert "Atelier à venir" in page


ROLES = ["anonymous", "participant", "moderator", "facilitator", "named", "admin"]


def _login(client, role: str, workshop: Workshop) -> None:
    if role == "anonymous":
        return
    user = UserFactory()
    territory = workshop.process.territory
    if role == "moderator":
        RoleFactory(user=user, territory=territory, role=Role.MODERATOR)
    elif role == "facilitator":
        RoleFactory(user=user, territory=territory, role=Role.FACILITATOR)
    elif role == "admin":
        RoleFactory(user=user, territory=territory, role=Role.TERRITORY_ADMIN)
    elif role == "named":
        workshop.facilitators.add(user)
    client.force_login(user)


class TestBackofficePermissions:
    @pytest.mark.parametrize(
        ("role", "allowed"),
        [("anonymous", 302), ("participant", 403), ("moderator", 403), ("named", 403),
         ("facilitator", 200), ("admin", 200)],
    )  # fmt: skip
    def test_list_and_create(self, client, role, allowed):
        workshop = WorkshopFactory()
        _login(client, role, workshop)
        assert client.get(_bo("bo_list", process=workshop.process)).status_code == allowed
        assert client.get(_bo("bo_create", process=workshop.process)).status_code == allowed

    @pytest.mark.parametrize(
        ("role", "overview", "edit"),
        [("anonymous", 302, 302), ("participant", 403, 403), ("moderator", 403, 403),
         ("named", 200, 403), ("facilitator", 200, 200), ("admin", 200, 200)],
    )  # fmt: skip
    def test_overview_and_edit(self, client, role, overview, edit):
        workshop = WorkshopFactory()
        _login(client, role, workshop)
        assert client.get(_bo("bo_workshop", workshop)).status_code == overview
        assert client.get(_bo("bo_edit", workshop)).status_code == edit

    @pytest.mark.parametrize("role", ["participant", "moderator", "named"])
    def test_status_change_refused_to_those_who_do_not_plan(self, client, role):
        workshop = WorkshopFactory(status=Workshop.Status.DRAFT)
        _login(client, role, workshop)
        response = client.post(_bo("bo_status", workshop), {"action": "publish"})
        assert response.status_code == 403
        workshop.refresh_from_db()
        assert workshop.status == Workshop.Status.DRAFT

    def test_a_facilitator_of_another_territory_is_refused(self, client):
        workshop = WorkshopFactory()
        other = WorkshopFactory()
        user = UserFactory()
        RoleFactory(user=user, territory=other.process.territory, role=Role.FACILITATOR)
        client.force_login(user)
        assert client.get(_bo("bo_workshop", workshop)).status_code == 403


class TestBackofficeForms:
    def _admin(self, client, process):
        user = UserFactory()
        RoleFactory(user=user, territory=process.territory, role=Role.TERRITORY_ADMIN)
        client.force_login(user)
        return user

    def test_create_keeps_what_was_typed_on_error(self, client):
        process = workshop_process()
        self._admin(client, process)
        start, _end = _when()
        response = client.post(
            _bo("bo_create", process=process),
            {
                "title": "Atelier mobilité",
                "summary": "Un résumé soigné",
                "phase": process.phases.first().pk,
                "format": "online",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "audience": "open",
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Un résumé soigné" in page
        assert not Workshop.objects.exists()

    def test_create_then_publish(self, client):
        process = workshop_process()
        facilitator = UserFactory(display_name="Camille")
        RoleFactory(user=facilitator, territory=process.territory, role=Role.FACILITATOR)
        self._admin(client, process)
        start, end = _when()
        response = client.post(
            _bo("bo_create", process=process),
            {
                "title": "Atelier mobilité",
                "phase": process.phases.first().pk,
                "format": "in_person",
                "place_name": "Médiathèque",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
                "audience": "open",
                "capacity": "30",
                "registration_open": "on",
                "facilitators": [facilitator.pk],
            },
        )
        workshop = Workshop.objects.get()
        assert response.status_code == 302
        assert list(workshop.facilitators.all()) == [facilitator]
        client.post(_bo("bo_status", workshop), {"action": "publish"})
        workshop.refresh_from_db()
        assert workshop.status == Workshop.Status.PUBLISHED
        assert client.get(workshop.get_absolute_url()).status_code == 200

    def test_phase_choices_are_only_those_opening_workshops(self, client):
        process = workshop_process()
        self._admin(client, process)
        closed = PhaseFactory(
            process=process,
            title="Phase sans ateliers",
            start_date=process.end_date + timedelta(days=1),
            end_date=process.end_date + timedelta(days=2),
        )
        assert not closed.modes.filter(mode=ParticipationMode.WORKSHOPS).exists()
        page = client.get(_bo("bo_create", process=process)).content.decode()
        assert "Phase sans ateliers" not in page

    def test_cancel_from_the_overview(self, client):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop)
        self._admin(client, workshop.process)
        client.post(_bo("bo_status", workshop), {"action": "cancel", "reason": "Tempête"})
        workshop.refresh_from_db()
        assert workshop.status == Workshop.Status.CANCELLED
        assert workshop.registrations.filter(status=Registration.Status.CONFIRMED).exists()


def test_more_seats_go_to_the_waiting_list_in_order(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(capacity=1)
    RegistrationFactory(workshop=workshop)
    first = RegistrationFactory(workshop=workshop, status=Registration.Status.WAITLISTED)
    second = RegistrationFactory(workshop=workshop, status=Registration.Status.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        planning.workshop_update(workshop=workshop, capacity=2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Registration.Status.CONFIRMED
    assert second.status == Registration.Status.WAITLISTED


def test_public_workshops_come_in_date_order_next_first_past_latest_first():
    from fabrique.workshops.selectors.planning import (
        WorkshopFilters,
        public_workshops,
        upcoming_workshops,
    )

    first = WorkshopFactory()
    process = first.process
    now = timezone.now()

    def on(days: int, title: str) -> Workshop:
        start = now + timedelta(days=days)
        return WorkshopFactory(
            process=process, title=title, starts_at=start, ends_at=start + timedelta(hours=2)
        )

    # Created out of order: the order of creation must not show through.
    in_twenty, in_two, ten_ago, in_three, two_ago = (
        on(20, "Dans vingt jours"), on(2, "Après-demain"), on(-10, "Il y a dix jours"),
        on(3, "Dans trois jours"), on(-2, "Avant-hier"),
    )  # fmt: skip

    assert upcoming_workshops(process=process) == [in_two, in_three, first]
    assert list(public_workshops(process=process, filters=WorkshopFilters(when="past"))) == [
        two_ago,
        ten_ago,
    ]
    every = list(public_workshops(process=process, filters=WorkshopFilters(when="all")))
    assert every == [ten_ago, two_ago, in_two, in_three, first, in_twenty]
