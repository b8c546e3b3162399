"""Registrations through the services: seats and the waiting list, who may register,
confirmation, cancellation with promotion, the door, reminders, e-mails, invitations,
personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from fabrique.accounts.services import user_delete, user_personal_data
from fabrique.accounts.tests.factories import UserFactory
from fabrique.processes.audiences import panel_membership_asked
from fabrique.workshops.models import Invitation, Registration, Workshop
from fabrique.workshops.selectors.registration import (
    registration_counts,
    registrations_due_for_reminder,
    reminder_is_due,
    waitlist_position,
)
from fabrique.workshops.services import registration as services
from fabrique.workshops.services.registration_mail import (
    checkin_token,
    registration_pk_from_checkin_token,
    reminders_send_due,
)
from fabrique.workshops.tests.factories import (
    InvitationFactory,
    RegistrationFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the transaction's end (e-mails, tasks) as a real request would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def _visitor(workshop, n=0, **kwargs):
    return services.registration_create(
        workshop=workshop, name=f"Visiteur {n}", email=f"visiteur{n}@exemple.fr", **kwargs
    )


def _confirmed_visitor(workshop, n=0):
    return services.registration_confirm(registration=_visitor(workshop, n))


def _to(address):
    return [m for m in mail.outbox if address in m.to]


class TestSeatsAndWaitingList:
    def test_a_visitor_is_pending_until_they_confirm_and_pending_holds_no_seat(self):
        workshop = WorkshopFactory(capacity=1)
        first = _visitor(workshop, 1)
        second = _visitor(workshop, 2)
        assert first.status == second.status == Status.PENDING
        assert registration_counts(workshop=workshop)["seats_left"] == 1

        second = services.registration_confirm(registration=second)
        first = services.registration_confirm(registration=first)

        assert second.status == Status.CONFIRMED  # confirmed first, seated first
        assert first.status == Status.WAITLISTED
        assert first.waitlisted_at is not None

    def test_a_signed_in_person_is_registered_at_once_with_their_account(self):
        workshop = WorkshopFactory()
        user = UserFactory(email="Marie@Exemple.fr")
        registration = services.registration_create(
            workshop=workshop, name="Marie", user=user, email="ignored@exemple.fr"
        )
        assert registration.status == Status.CONFIRMED
        assert registration.user == user
        assert registration.email == "marie@exemple.fr"

    def test_never_more_confirmed_than_the_capacity(self):
        workshop = WorkshopFactory(capacity=3)
        for n in range(6):
            _confirmed_visitor(workshop, n)
        counts = registration_counts(workshop=workshop)
        assert counts["confirmed"] == 3
        assert counts["waitlisted"] == 3
        assert counts["seats_left"] == 0

    def test_without_capacity_everyone_gets_a_seat(self):
        workshop = WorkshopFactory(capacity=None)
        for n in range(4):
            _confirmed_visitor(workshop, n)
        counts = registration_counts(workshop=workshop)
        assert counts["confirmed"] == 4
        assert counts["seats_left"] is None

    def test_confirming_twice_changes_nothing(self):
        workshop = WorkshopFactory(capacity=1)
        registration = _confirmed_visitor(workshop)
        again = services.registration_confirm(registration=registration)
        assert again.status == Status.CONFIRMED
        assert registration_counts(workshop=workshop)["confirmed"] == 1

    def test_the_waiting_list_keeps_its_order(self):
        workshop = WorkshopFactory(capacity=1)
        _confirmed_visitor(workshop, 0)
        waiting = [_confirmed_visitor(workshop, n) for n in (1, 2, 3)]
        assert [waitlist_position(registration=r) for r in waiting] == [1, 2, 3]

    def test_cancelling_gives_the_seat_to_the_first_waiting_who_is_told(self, on_commit):
        workshop = WorkshopFactory(capacity=1)
        seated = _confirmed_visitor(workshop, 0)
        later = _confirmed_visitor(workshop, 1)
        earlier = _confirmed_visitor(workshop, 2)
        # The queue goes by time of joining the waiting list, not by creation.
        Registration.objects.filter(pk=earlier.pk).update(
            waitlisted_at=later.waitlisted_at - timedelta(minutes=5)
        )
        mail.outbox.clear()

        on_commit(services.registration_cancel, registration=seated)

        earlier.refresh_from_db()
        later.refresh_from_db()
        assert earlier.status == Status.CONFIRMED
        assert earlier.promoted_at is not None
        assert later.status == Status.WAITLISTED
        assert waitlist_position(registration=later) == 1
        promoted_mail = _to("visiteur2@exemple.fr")
        assert len(promoted_mail) == 1
        assert "place" in promoted_mail[0].subject.lower()
        assert any(name == "atelier.ics" for name, *_ in promoted_mail[0].attachments)
        assert _to("visiteur0@exemple.fr")  # the word that the cancellation is done

    def test_cancelling_a_waiting_or_pending_registration_promotes_nobody(self):
        workshop = WorkshopFactory(capacity=1)
        _confirmed_visitor(workshop, 0)
        waiting = _confirmed_visitor(workshop, 1)
        behind = _confirmed_visitor(workshop, 2)
        services.registration_cancel(registration=waiting)
        behind.refresh_from_db()
        assert behind.status == Status.WAITLISTED
        assert registration_counts(workshop=workshop)["confirmed"] == 1

    def test_a_raised_capacity_seats_the_waiting_list(self):
        workshop = WorkshopFactory(capacity=1)
        for n in range(4):
            _confirmed_visitor(workshop, n)
        Workshop.objects.filter(pk=workshop.pk).update(capacity=3)
        promoted = services.registrations_fill_free_seats(workshop=workshop)
        assert len(promoted) == 2
        counts = registration_counts(workshop=workshop)
        assert (counts["confirmed"], counts["waitlisted"]) == (3, 1)

    def test_nobody_jumps_the_queue_when_a_seat_was_left_free(self):
        workshop = WorkshopFactory(capacity=1)
        _confirmed_visitor(workshop, 0)
        waiting = _confirmed_visitor(workshop, 1)
        Workshop.objects.filter(pk=workshop.pk).update(capacity=2)
        newcomer = _confirmed_visitor(workshop, 2)
        waiting.refresh_from_db()
        assert waiting.status == Status.CONFIRMED
        assert newcomer.status == Status.WAITLISTED

    def test_staff_give_a_seat_out_of_turn_beyond_capacity_only_when_they_say_so(self):
        workshop = WorkshopFactory(capacity=1)
        staff = UserFactory()
        _confirmed_visitor(workshop, 0)
        waiting = _confirmed_visitor(workshop, 1)
        with pytest.raises(ValidationError) as refused:
            services.registration_promote(registration=waiting, by=staff)
        assert "full" in str(refused.value) or "complet" in str(refused.value)
        promoted = services.registration_promote(registration=waiting, by=staff, over_capacity=True)
        assert promoted.status == Status.CONFIRMED
        assert registration_counts(workshop=workshop)["confirmed"] == 2
        with pytest.raises(ValidationError):
            services.registration_promote(registration=promoted, by=staff)


class TestWhoMayRegister:
    @pytest.mark.parametrize(
        "change",
        [
            {"status": Workshop.Status.DRAFT},
            {"status": Workshop.Status.CANCELLED},
            {"registration_open": False},
        ],
    )
    def test_refused_when_not_open(self, change):
        workshop = WorkshopFactory(**change)
        with pytest.raises(ValidationError) as refused:
            _visitor(workshop)
        assert refused.value.code == "closed"
        assert not workshop.registrations.exists()

    def test_refused_once_started_or_past(self):
        now = timezone.now()
        started = WorkshopFactory(
            starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1)
        )
        past = WorkshopFactory(
            starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-2)
        )
        for workshop in (started, past):
            with pytest.raises(ValidationError):
                _visitor(workshop)

    def test_the_same_address_registers_once_whatever_its_case(self):
        workshop = WorkshopFactory()
        first = _visitor(workshop)
        with pytest.raises(services.AlreadyRegistered) as again:
            services.registration_create(
                workshop=workshop, name="Autre", email="  VISITEUR0@exemple.fr "
            )
        assert again.value.registration == first
        assert workshop.registrations.count() == 1

    def test_the_same_account_registers_once(self):
        workshop = WorkshopFactory()
        user = UserFactory()
        services.registration_create(workshop=workshop, name="Moi", user=user)
        with pytest.raises(services.AlreadyRegistered):
            services.registration_create(workshop=workshop, name="Moi", user=user)

    def test_after_cancelling_one_can_register_again(self):
        workshop = WorkshopFactory()
        services.registration_cancel(registration=_visitor(workshop))
        again = _visitor(workshop)
        assert again.status == Status.PENDING

    def test_the_database_refuses_a_second_live_registration(self):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop, email="double@exemple.fr")
        with pytest.raises(IntegrityError), transaction.atomic():
            Registration.objects.create(workshop=workshop, name="Double", email="double@exemple.fr")

    def test_by_invitation_only_invited_addresses(self):
        workshop = WorkshopFactory(audience=Workshop.Audience.INVITATION)
        InvitationFactory(workshop=workshop, email="invitee@exemple.fr")
        with pytest.raises(ValidationError) as refused:
            _visitor(workshop)
        assert refused.value.code == "audience"
        registration = services.registration_create(
            workshop=workshop, name="Invitée", email="Invitee@exemple.fr"
        )
        assert registration.status == Status.PENDING
        invited_user = UserFactory(email="invitee2@exemple.fr")
        InvitationFactory(workshop=workshop, email="invitee2@exemple.fr")
        assert (
            services.registration_create(workshop=workshop, name="Compte", user=invited_user).status
            == Status.CONFIRMED
        )

    def test_panel_only_asks_the_panels(self):
        workshop = WorkshopFactory(audience=Workshop.Audience.PANEL)

        def member(sender, process, email, user, **kwargs):
            return email == "membre@exemple.fr"

        panel_membership_asked.connect(member, dispatch_uid="test-member")
        try:
            with pytest.raises(ValidationError) as refused:
                _visitor(workshop)
            assert refused.value.code == "audience"
            registration = services.registration_create(
                workshop=workshop, name="Membre", email="membre@exemple.fr"
            )
            assert registration.status == Status.PENDING
        finally:
            panel_membership_asked.disconnect(dispatch_uid="test-member")

    def test_a_name_and_a_valid_address_are_needed(self):
        workshop = WorkshopFactory()
        with pytest.raises(ValidationError) as refused:
            services.registration_create(workshop=workshop, name=" ", email="pas-une-adresse")
        assert set(refused.value.message_dict) == {"name", "email"}

    def test_staff_register_someone_who_called_even_once_closed(self, on_commit):
        workshop = WorkshopFactory(registration_open=False, audience=Workshop.Audience.INVITATION)
        staff = UserFactory()
        registration = on_commit(
            services.registration_create,
            workshop=workshop,
            name="Jeanne (téléphone)",
            needs="Fauteuil roulant",
            by=staff,
        )
        assert registration.status == Status.CONFIRMED
        assert registration.email == ""
        assert mail.outbox == []

    def test_staff_cannot_register_for_a_cancelled_workshop(self):
        workshop = WorkshopFactory(status=Workshop.Status.CANCELLED)
        with pytest.raises(ValidationError):
            services.registration_create(workshop=workshop, name="X", by=UserFactory())


@pytest.mark.django_db(transaction=True)
def test_two_people_at_the_same_moment_never_overbook_the_last_seat():
    """On PostgreSQL the workshop's row is locked: the second confirmation waits for the
    first and joins the waiting list. (SQLite runs one write at a time anyway.)"""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL.")
    workshop = WorkshopFactory(capacity=1)
    pending = [_visitor(workshop, n) for n in range(4)]
    barrier = threading.Barrier(len(pending))
    errors: list[BaseException] = []

    def confirm(registration):
        try:
            barrier.wait()
            services.registration_confirm(registration=registration)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(r,)) for r in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = registration_counts(workshop=workshop)
    assert counts["confirmed"] == 1
    assert counts["waitlisted"] == 3


class TestEmails:
    def test_the_visitor_receives_the_link_then_the_calendar_and_qr_code(self, on_commit):
        workshop = WorkshopFactory(
            format=Workshop.Format.HYBRID, online_url="https://visio.exemple.fr/a"
        )
        registration = on_commit(_visitor, workshop)
        [link] = _to("visiteur0@exemple.fr")
        assert f"/ateliers/inscription/{registration.token}/" in link.body
        assert link.attachments == []
        assert "visio.exemple.fr" not in link.body
        mail.outbox.clear()

        on_commit(services.registration_confirm, registration=registration)

        [confirmed] = _to("visiteur0@exemple.fr")
        names = {name for name, *_ in confirmed.attachments}
        assert names == {"atelier.ics", "qr-code-presence.png"}
        ics = {name: content for name, content, _type in confirmed.attachments}["atelier.ics"]
        assert "visio.exemple.fr" in ics.replace("\r\n ", "")
        assert "https://visio.exemple.fr/a" in confirmed.body
        assert f"/ateliers/inscription/{registration.token}/" in confirmed.body

    def test_the_waiting_list_mail_gives_the_place_in_the_queue(self, on_commit):
        workshop = WorkshopFactory(capacity=1)
        _confirmed_visitor(workshop, 0)
        waiting = _visitor(workshop, 1)
        mail.outbox.clear()
        on_commit(services.registration_confirm, registration=waiting)
        [message] = _to("visiteur1@exemple.fr")
        assert message.attachments == []
        assert "1" in message.body

    def test_registering_an_address_again_resends_its_link_once_in_a_while(self, on_commit):
        cache.clear()
        workshop = WorkshopFactory()
        registration = _confirmed_visitor(workshop)
        mail.outbox.clear()
        on_commit(services.registration_link_resend, registration=registration)
        on_commit(services.registration_link_resend, registration=registration)
        [message] = _to("visiteur0@exemple.fr")
        assert registration.token in message.body

    def test_cancellation_of_the_workshop_reaches_everyone_still_registered(self, on_commit):
        workshop = WorkshopFactory(capacity=1)
        _confirmed_visitor(workshop, 0)
        _confirmed_visitor(workshop, 1)  # waiting
        _visitor(workshop, 2)  # pending
        services.registration_cancel(registration=_confirmed_visitor(workshop, 3))
        RegistrationFactory(workshop=workshop, email="", name="Sans adresse")
        mail.outbox.clear()
        Workshop.objects.filter(pk=workshop.pk).update(
            status=Workshop.Status.CANCELLED, cancellation_reason="Salle inondée"
        )
        workshop.refresh_from_db()

        on_commit(services.registrations_notify_cancellation, workshop=workshop)

        assert sorted(a for m in mail.outbox for a in m.to) == [
            "visiteur0@exemple.fr",
            "visiteur1@exemple.fr",
            "visiteur2@exemple.fr",
        ]
        assert all("Salle inondée" in m.body for m in mail.outbox)
        confirmed_ics = {n: c for n, c, _t in _to("visiteur0@exemple.fr")[0].attachments}
        assert "STATUS:CANCELLED" in confirmed_ics["atelier.ics"]

    def test_a_change_reaches_everyone_still_registered_with_what_changed(self, on_commit):
        workshop = WorkshopFactory(capacity=1)
        _confirmed_visitor(workshop, 0)
        _confirmed_visitor(workshop, 1)
        mail.outbox.clear()
        on_commit(
            services.registrations_notify_change,
            workshop=workshop,
            changes=["Nouveau lieu : Médiathèque"],
        )
        assert len(mail.outbox) == 2
        assert all("Nouveau lieu : Médiathèque" in m.body for m in mail.outbox)
        assert next(n for n, *_ in _to("visiteur0@exemple.fr")[0].attachments) == "atelier.ics"
        assert _to("visiteur1@exemple.fr")[0].attachments == []


class TestTheDoor:
    def test_check_in_is_recorded_once(self):
        registration = RegistrationFactory()
        staff = UserFactory()
        assert services.registration_check_in(registration=registration, by=staff) is True
        first = registration.checked_in_at
        assert services.registration_check_in(registration=registration, by=UserFactory()) is False
        registration.refresh_from_db()
        assert registration.checked_in_at == first
        assert registration.checked_in_by == staff
        services.registration_check_in_undo(registration=registration)
        assert registration.checked_in_at is None
        assert registration_counts(workshop=registration.workshop)["present"] == 0

    def test_a_cancelled_registration_is_not_checked_in(self):
        registration = RegistrationFactory(status=Status.CANCELLED)
        with pytest.raises(ValidationError):
            services.registration_check_in(registration=registration, by=None)

    def test_a_walk_in_is_present_at_once_without_mail(self, on_commit):
        workshop = WorkshopFactory()
        staff = UserFactory()
        person = on_commit(
            services.registration_walk_in,
            workshop=workshop,
            name="Paul",
            email="paul@exemple.fr",
            by=staff,
        )
        assert person.walk_in
        assert person.is_present
        assert person.checked_in_by == staff
        assert mail.outbox == []
        counts = registration_counts(workshop=workshop)
        assert (counts["walk_ins"], counts["present"]) == (1, 1)

    def test_a_walk_in_with_a_registered_address_is_refused(self):
        registration = RegistrationFactory(email="deja@exemple.fr")
        with pytest.raises(ValidationError) as refused:
            services.registration_walk_in(
                workshop=registration.workshop, name="X", email="DEJA@exemple.fr", by=UserFactory()
            )
        assert "email" in refused.value.message_dict

    def test_the_check_in_code_cannot_be_forged(self):
        registration = RegistrationFactory()
        token = checkin_token(registration)
        assert registration.token not in token
        assert registration_pk_from_checkin_token(token) == registration.pk
        assert (
            registration_pk_from_checkin_token(f"{registration.pk + 1}.{token.split('.')[1]}")
            is None
        )
        assert registration_pk_from_checkin_token("rubbish") is None


class TestReminders:
    def _soon(self, hours=20):
        start = timezone.now() + timedelta(hours=hours)
        return WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=2))

    def test_due_in_the_day_before_for_people_registered_earlier(self):
        workshop = self._soon()
        old = RegistrationFactory(
            workshop=workshop, confirmed_at=timezone.now() - timedelta(days=3)
        )
        fresh = RegistrationFactory(workshop=workshop, confirmed_at=timezone.now())
        walk_in = RegistrationFactory(
            workshop=workshop, walk_in=True, confirmed_at=timezone.now() - timedelta(days=3)
        )
        assert reminder_is_due(registration=old)
        assert not reminder_is_due(registration=fresh)
        assert not reminder_is_due(registration=walk_in)
        far = RegistrationFactory(
            workshop=self._soon(hours=60), confirmed_at=timezone.now() - timedelta(days=3)
        )
        assert not reminder_is_due(registration=far)
        assert registrations_due_for_reminder() == [old]

    def test_the_task_queued_at_registration_sends_nothing_before_time(self, on_commit):
        workshop = WorkshopFactory()  # in a week
        registration = on_commit(_visitor, workshop)
        mail.outbox.clear()
        on_commit(services.registration_confirm, registration=registration)
        # The immediate backend ran the reminder task at once: not due, nothing sent.
        assert len(mail.outbox) == 1
        registration.refresh_from_db()
        assert registration.reminder_sent_at is None

    def test_the_command_sends_each_reminder_once(self):
        workshop = self._soon()
        registration = RegistrationFactory(
            workshop=workshop, confirmed_at=timezone.now() - timedelta(days=3)
        )
        call_command("send_workshop_reminders", verbosity=0)
        call_command("send_workshop_reminders", verbosity=0)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [registration.email]
        assert {n for n, *_ in mail.outbox[0].attachments} == {
            "atelier.ics",
            "qr-code-presence.png",
        }
        registration.refresh_from_db()
        assert registration.reminder_sent_at is not None
        assert reminders_send_due() == 0

    def test_no_reminder_for_a_cancelled_workshop(self):
        workshop = self._soon()
        RegistrationFactory(workshop=workshop, confirmed_at=timezone.now() - timedelta(days=3))
        Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.CANCELLED)
        assert reminders_send_due() == 0


class TestInvitations:
    def test_each_faulty_line_is_reported_and_nothing_is_written(self):
        workshop = WorkshopFactory(audience=Workshop.Audience.INVITATION)
        text = "Alice Martin <alice@exemple.fr>\n\nbob@\nchloe@exemple.fr\nDenis <denis@>\n"
        with pytest.raises(ValidationError) as refused:
            services.invitations_add(workshop=workshop, text=text)
        messages = refused.value.message_dict["addresses"]
        assert len(messages) == 2
        assert messages[0].startswith(("Line 3", "Ligne 3"))
        assert messages[1].startswith(("Line 5", "Ligne 5"))
        assert not Invitation.objects.exists()

    def test_addresses_are_invited_once_and_receive_their_link(self, on_commit):
        workshop = WorkshopFactory(audience=Workshop.Audience.INVITATION)
        InvitationFactory(workshop=workshop, email="deja@exemple.fr")
        text = (
            '"Martin, Alice" <Alice@Exemple.fr>\nbob@exemple.fr;\nalice@exemple.fr\ndeja@exemple.fr'
        )
        added = on_commit(services.invitations_add, workshop=workshop, text=text)
        assert [(i.name, i.email) for i in added.created] == [
            ("Martin, Alice", "alice@exemple.fr"),
            ("", "bob@exemple.fr"),
        ]
        assert added.already == ["deja@exemple.fr"]
        [alice] = _to("alice@exemple.fr")
        invitation = Invitation.objects.get(email="alice@exemple.fr")
        assert f"?invitation={invitation.token}" in alice.body
        assert invitation.sent_at is not None

    def test_a_draft_keeps_its_invitations_until_published(self, on_commit):
        workshop = WorkshopFactory(status=Workshop.Status.DRAFT)
        on_commit(services.invitations_add, workshop=workshop, text="x@exemple.fr")
        assert mail.outbox == []
        assert Invitation.objects.get().sent_at is None


class TestPersonalData:
    def test_the_export_holds_registrations_made_with_the_account_or_its_address(self):
        user = UserFactory(email="moi@exemple.fr")
        RegistrationFactory(user=user, email=user.email, needs="Boucle magnétique")
        RegistrationFactory(email="MOI@exemple.fr")
        RegistrationFactory(email="autre@exemple.fr")
        InvitationFactory(email="moi@exemple.fr")
        data = user_personal_data(user=user)["workshops"]
        assert len(data["registrations"]) == 2
        assert {r["needs"] for r in data["registrations"]} == {"Boucle magnétique", ""}
        assert len(data["invitations"]) == 1

    def test_erasing_the_account_erases_the_person_and_frees_their_seat(self, on_commit):
        user = UserFactory(email="moi@exemple.fr")
        workshop = WorkshopFactory(capacity=1)
        mine = services.registration_create(
            workshop=workshop, name="Moi", user=user, needs="Garde d'enfant"
        )
        waiting = _confirmed_visitor(workshop, 1)
        past = RegistrationFactory(
            workshop=WorkshopFactory(
                starts_at=timezone.now() - timedelta(days=10),
                ends_at=timezone.now() - timedelta(days=10, hours=-2),
            ),
            email="moi@exemple.fr",
            checked_in_at=timezone.now() - timedelta(days=10),
        )
        InvitationFactory(email="moi@exemple.fr")
        mail.outbox.clear()

        on_commit(user_delete, user=user)

        mine.refresh_from_db()
        past.refresh_from_db()
        waiting.refresh_from_db()
        assert (mine.name, mine.email, mine.needs, mine.user) == ("—", "", "", None)
        assert mine.status == Status.CANCELLED
        assert waiting.status == Status.CONFIRMED
        assert (past.name, past.email, past.status) == ("—", "", Status.CONFIRMED)
        assert past.is_present  # the attendance figures stay right
        assert not Invitation.objects.filter(email__iexact="moi@exemple.fr").exists()
        assert not _to("moi@exemple.fr")
