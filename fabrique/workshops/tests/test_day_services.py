"""The day itself, through its services: tables, seating, captured contributions, documents."""

from __future__ import annotations

import io
import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from fabrique.accounts.models import Notification, Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation.models import (
    Comment,
    Contribution,
    ContributionRevision,
    ParticipationSettings,
    Visibility,
)
from fabrique.processes.tests.factories import ThemeFactory
from fabrique.territories.tests.factories import TerritoryFactory
from fabrique.workshops.models import CapturedContribution, Registration, Table, Workshop
from fabrique.workshops.selectors import day as selectors
from fabrique.workshops.services import day as services
from fabrique.workshops.tests.factories import (
    RegistrationFactory,
    TableFactory,
    WorkshopFactory,
    held_workshop,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _staff(workshop: Workshop, role: str = Role.FACILITATOR):
    user = UserFactory()
    RoleFactory(user=user, territory=workshop.process.territory, role=role)
    return user


def _capture(workshop: Workshop, table: Table | None, by, **overrides) -> CapturedContribution:
    fields = {
        "kind": Contribution.Kind.IDEA,
        "title": "  Des arceaux à vélo près de la gare ",
        "body": "Il manque des arceaux pour garer son vélo en sécurité.",
        "consent": True,
    }
    fields.update(overrides)
    return services.capture_submit(workshop=workshop, table=table, captured_by=by, **fields)


class TestTables:
    def test_a_table_is_added_at_the_end_with_its_facilitator_told(self):
        workshop = WorkshopFactory()
        TableFactory(workshop=workshop, name="Mobilités", position=4)
        staff = _staff(workshop, Role.MODERATOR)
        table = services.table_create(
            workshop=workshop, name=" Habitat ", topic="Logement", facilitator=staff
        )
        assert (table.name, table.position, table.facilitator) == ("Habitat", 5, staff)
        notification = Notification.objects.get(user=staff)
        assert "Habitat" in notification.text
        assert notification.url.endswith(f"/tables/{table.pk}/contributions/")

    def test_the_facilitator_is_staff_of_the_territory_or_of_the_workshop(self):
        workshop = WorkshopFactory()
        inhabitant = UserFactory()
        with pytest.raises(ValidationError) as error:
            services.table_create(workshop=workshop, name="Table A", facilitator=inhabitant)
        assert "facilitator" in error.value.message_dict
        elsewhere = UserFactory()
        RoleFactory(user=elsewhere, role=Role.FACILITATOR, territory=TerritoryFactory())
        with pytest.raises(ValidationError):
            services.table_create(workshop=workshop, name="Table A", facilitator=elsewhere)
        workshop.facilitators.add(inhabitant)
        assert services.table_create(workshop=workshop, name="Table A", facilitator=inhabitant)

    def test_two_tables_cannot_share_a_name(self):
        workshop = WorkshopFactory()
        services.table_create(workshop=workshop, name="Mobilités")
        with pytest.raises(ValidationError) as error:
            services.table_create(workshop=workshop, name="mobilités")
        assert error.value.message_dict["name"] == ["Une table s’appelle déjà « mobilités »."]
        other = services.table_create(workshop=workshop, name="Habitat")
        with pytest.raises(ValidationError):
            services.table_update(table=other, name="Mobilités", topic="", facilitator=None)
        with pytest.raises(ValidationError):
            services.table_create(workshop=workshop, name="   ")

    def test_several_tables_at_once_are_numbered_after_those_taken(self):
        workshop = WorkshopFactory()
        services.table_create(workshop=workshop, name="Table 2")
        created = services.tables_create_many(workshop=workshop, count=3)
        assert [t.name for t in created] == ["Table 1", "Table 3", "Table 4"]
        assert [t.name for t in selectors.table_list(workshop=workshop)] == [
            "Table 2",
            "Table 1",
            "Table 3",
            "Table 4",
        ]
        with pytest.raises(ValidationError):
            services.tables_create_many(workshop=workshop, count=0)
        with pytest.raises(ValidationError):
            services.tables_create_many(workshop=workshop, count=51)

    def test_rename_and_change_facilitator_tells_only_the_newcomer(self):
        workshop = WorkshopFactory()
        first, second = _staff(workshop), _staff(workshop)
        table = services.table_create(workshop=workshop, name="A", facilitator=first)
        services.table_update(table=table, name="B", topic="Eau", facilitator=first)
        assert Notification.objects.filter(user=first).count() == 1
        services.table_update(table=table, name="B", topic="Eau", facilitator=second)
        table.refresh_from_db()
        assert (table.name, table.topic, table.facilitator) == ("B", "Eau", second)
        assert Notification.objects.filter(user=second).count() == 1

    def test_tables_move_up_and_down_and_positions_stay_dense(self):
        workshop = WorkshopFactory()
        a, _b, c = services.tables_create_many(workshop=workshop, count=3)
        services.table_move(table=c, up=True)
        assert [t.name for t in selectors.table_list(workshop=workshop)] == [
            "Table 1",
            "Table 3",
            "Table 2",
        ]
        services.table_move(table=a, up=True)  # already first: nothing moves
        services.table_move(table=a, up=False)
        names = [t.name for t in selectors.table_list(workshop=workshop)]
        assert names == ["Table 3", "Table 1", "Table 2"]
        assert sorted(Table.objects.values_list("position", flat=True)) == [0, 1, 2]

    def test_removing_a_table_keeps_its_contributions_with_the_workshop(self):
        workshop = held_workshop()
        table = TableFactory(workshop=workshop)
        staff = _staff(workshop)
        capture = _capture(workshop, table, staff)
        seated = RegistrationFactory(workshop=workshop, checked_in_at=timezone.now(), table=table)
        assert services.table_delete(table=table) == 1
        capture.refresh_from_db()
        seated.refresh_from_db()
        assert capture.table is None
        assert capture.workshop == workshop
        assert seated.table is None


class TestSeating:
    def test_present_people_are_seated_evenly_at_random_keeping_those_seated(self):
        workshop = WorkshopFactory()
        t1, t2, t3 = services.tables_create_many(workshop=workshop, count=3)
        now = timezone.now()
        kept = RegistrationFactory(workshop=workshop, checked_in_at=now, table=t1)
        present = [RegistrationFactory(workshop=workshop, checked_in_at=now) for _ in range(7)]
        absent = RegistrationFactory(workshop=workshop)
        gone = RegistrationFactory(
            workshop=workshop, checked_in_at=now, status=Registration.Status.CANCELLED
        )
        assert services.tables_seat_at_random(workshop=workshop, rng=random.Random(4)) == 7
        kept.refresh_from_db()
        absent.refresh_from_db()
        gone.refresh_from_db()
        assert kept.table == t1
        assert absent.table is None
        assert gone.table is None
        sizes = sorted(Registration.objects.filter(table=t).count() for t in (t1, t2, t3))
        assert sizes == [2, 3, 3]
        assert all(r.table_id for r in Registration.objects.filter(pk__in=[p.pk for p in present]))
        # Everybody is seated: a second click seats nobody.
        assert services.tables_seat_at_random(workshop=workshop) == 0

    def test_random_seating_needs_tables(self):
        workshop = WorkshopFactory()
        RegistrationFactory(workshop=workshop, checked_in_at=timezone.now())
        with pytest.raises(ValidationError):
            services.tables_seat_at_random(workshop=workshop)

    def test_seating_by_hand_accepts_only_the_workshops_tables(self):
        workshop = WorkshopFactory()
        table = TableFactory(workshop=workshop)
        foreign = TableFactory()
        person = RegistrationFactory(workshop=workshop, checked_in_at=timezone.now())
        assert services.registrations_seat(workshop=workshop, seating={person.pk: table.pk}) == 1
        assert services.registrations_seat(workshop=workshop, seating={person.pk: table.pk}) == 0
        with pytest.raises(ValidationError):
            services.registrations_seat(workshop=workshop, seating={person.pk: foreign.pk})
        services.registrations_seat(workshop=workshop, seating={person.pk: None})
        person.refresh_from_db()
        assert person.table is None


class TestCapture:
    def test_a_capture_is_a_contribution_collected_in_person_at_the_workshop(self):
        workshop = held_workshop(place_name="Maison des associations")
        table = TableFactory(workshop=workshop)
        staff = _staff(workshop)
        theme = ThemeFactory(process=workshop.process)
        commune = workshop.process.territory.communes.last()
        capture = _capture(
            workshop, table, staff, themes=[theme], commune=commune, collected_for=" Inès "
        )
        contribution = capture.contribution
        assert capture.workshop == workshop
        assert capture.table == table
        assert contribution.title == "Des arceaux à vélo près de la gare"
        assert contribution.phase == workshop.phase
        assert contribution.is_collected_in_person
        assert contribution.collected_by == staff
        assert contribution.author == staff
        assert contribution.collected_for == "Inès"
        assert contribution.collected_on == timezone.localtime(workshop.starts_at).date()
        assert contribution.collected_place == f"Maison des associations, {workshop.commune}"
        assert contribution.visibility == Visibility.PUBLISHED
        assert list(contribution.themes.all()) == [theme]
        assert contribution.commune == commune

    def test_a_capture_is_published_even_when_the_process_premoderates(self):
        workshop = held_workshop()
        ParticipationSettings.objects.create(process=workshop.process, premoderation=True)
        capture = _capture(workshop, None, _staff(workshop))
        assert capture.contribution.visibility == Visibility.PUBLISHED

    def test_an_online_workshop_says_so_as_the_place(self):
        workshop = held_workshop(
            format=Workshop.Format.ONLINE, online_url="https://visio.exemple.fr/a"
        )
        capture = _capture(workshop, None, _staff(workshop))
        assert capture.contribution.collected_place == "Atelier en ligne"

    def test_many_captures_in_an_hour_are_not_limited_like_the_public(self):
        workshop = held_workshop()
        staff = _staff(workshop)
        for n in range(25):
            _capture(workshop, None, staff, title=f"Idée {n}")
        assert workshop.captures.count() == 25

    def test_consent_is_required(self):
        workshop = held_workshop()
        with pytest.raises(ValidationError) as error:
            _capture(workshop, None, _staff(workshop), consent=False)
        assert "consent" in error.value.message_dict
        assert not Contribution.objects.exists()

    def test_refusals_say_which_field_is_wrong(self):
        workshop = held_workshop()
        staff = _staff(workshop)
        foreign_theme = ThemeFactory()
        with pytest.raises(ValidationError) as error:
            _capture(workshop, None, staff, title=" ", body="", themes=[foreign_theme])
        assert set(error.value.message_dict) == {"title", "body", "themes"}
        foreign_table = TableFactory()
        with pytest.raises(ValidationError):
            _capture(workshop, foreign_table, staff)
        assert not Contribution.objects.exists()

    def test_nothing_is_captured_before_the_workshop_nor_for_a_cancelled_one(self):
        upcoming = WorkshopFactory()
        with pytest.raises(ValidationError) as error:
            _capture(upcoming, None, _staff(upcoming))
        assert "n’a pas encore eu lieu" in error.value.messages[0]
        cancelled = held_workshop(status=Workshop.Status.CANCELLED)
        with pytest.raises(ValidationError):
            _capture(cancelled, None, _staff(cancelled))

    def test_a_capture_can_be_typed_in_after_the_phase_closed(self):
        workshop = held_workshop()
        phase = workshop.phase
        phase.end_date = timezone.localdate() - timedelta(days=1)
        phase.start_date = phase.end_date - timedelta(days=20)
        phase.save()
        workshop.starts_at = workshop.starts_at - timedelta(days=3)
        workshop.ends_at = workshop.ends_at - timedelta(days=3)
        workshop.save()
        assert _capture(workshop, None, _staff(workshop)).contribution.phase == phase

    def test_a_correction_keeps_the_earlier_wording(self):
        workshop = held_workshop()
        capture = _capture(workshop, None, _staff(workshop))
        services.capture_edit(
            capture=capture,
            kind=Contribution.Kind.QUESTION,
            title="Où garer son vélo ?",
            body=capture.contribution.body,
            collected_for="Léa",
        )
        contribution = Contribution.objects.get()
        assert (contribution.kind, contribution.title, contribution.collected_for) == (
            "question",
            "Où garer son vélo ?",
            "Léa",
        )
        assert contribution.edited_at is not None
        assert ContributionRevision.objects.get().title == "Des arceaux à vélo près de la gare"

    def test_a_capture_typed_by_mistake_is_removed_unless_people_reacted(self):
        workshop = held_workshop()
        staff = _staff(workshop)
        capture = _capture(workshop, None, staff)
        services.capture_remove(capture=capture)
        assert not Contribution.objects.exists()
        assert not CapturedContribution.objects.exists()
        discussed = _capture(workshop, None, staff)
        Comment.objects.create(contribution=discussed.contribution, author=UserFactory(), body="+1")
        with pytest.raises(ValidationError):
            services.capture_remove(capture=discussed)
        assert Contribution.objects.count() == 1

    def test_who_typed_it_in_may_change_it(self):
        workshop = held_workshop()
        staff, other = _staff(workshop), _staff(workshop)
        capture = _capture(workshop, None, staff)
        assert services.capture_can_change(staff, capture)
        assert not services.capture_can_change(other, capture)


class TestCaptureLists:
    def test_public_lists_follow_participations_visibility(self):
        workshop = held_workshop()
        table = TableFactory(workshop=workshop)
        staff = _staff(workshop)
        shown = _capture(workshop, table, staff, title="Visible")
        hidden = _capture(workshop, table, staff, title="Masquée")
        Contribution.objects.filter(pk=hidden.contribution_id).update(visibility=Visibility.HIDDEN)
        withdrawn = _capture(workshop, None, staff, title="Retirée")
        Contribution.objects.filter(pk=withdrawn.contribution_id).update(removed_by_author=True)
        empty_table = TableFactory(workshop=workshop)
        public = selectors.captures_by_table(workshop=workshop, public_only=True)
        assert [(g.table, [c.pk for c in g.captures]) for g in public] == [(table, [shown.pk])]
        everything = selectors.captures_by_table(workshop=workshop)
        assert [(g.table, g.count) for g in everything] == [
            (table, 2),
            (empty_table, 0),
            (None, 1),
        ]


class TestDocuments:
    def test_an_image_is_stored_under_a_name_nobody_can_guess(self):
        workshop = WorkshopFactory()
        document = services.document_upload(
            workshop=workshop,
            file=image_upload("tableau.png"),
            title="Le tableau",
            description="Trois colonnes de post-it",
        )
        assert document.is_image
        assert document.is_public
        assert "tableau" not in document.file.name
        assert document.file.name.endswith(".png")

    def test_an_image_needs_a_description(self):
        workshop = WorkshopFactory()
        with pytest.raises(ValidationError) as error:
            services.document_upload(
                workshop=workshop, file=image_upload(), title="Photo", description=" "
            )
        assert "description" in error.value.message_dict

    def test_a_file_must_be_what_its_name_says(self):
        workshop = WorkshopFactory()
        fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
        with pytest.raises(ValidationError) as error:
            services.document_upload(workshop=workshop, file=fake, title="x", description="y")
        assert error.value.message_dict["file"] == ["Ce fichier n’est pas une image lisible."]
        png_named_jpg = image_upload("photo.jpg", fmt="PNG")
        with pytest.raises(ValidationError):
            services.document_upload(
                workshop=workshop, file=png_named_jpg, title="x", description="y"
            )
        not_pdf = SimpleUploadedFile("notes.pdf", b"<html>", content_type="application/pdf")
        with pytest.raises(ValidationError):
            services.document_upload(workshop=workshop, file=not_pdf, title="x")
        script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
        with pytest.raises(ValidationError):
            services.document_upload(workshop=workshop, file=script, title="x")

    def test_a_pdf_on_a_table_and_the_size_limit(self):
        workshop = WorkshopFactory()
        table = TableFactory(workshop=workshop)
        pdf = SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n...", content_type="application/pdf")
        document = services.document_upload(
            workshop=workshop, file=pdf, title="Notes", table=table, is_public=False
        )
        assert (document.table, document.is_public, document.is_image) == (table, False, False)
        big = SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
        with pytest.raises(ValidationError) as error:
            services.document_upload(workshop=workshop, file=big, title="Gros")
        assert "10 Mo" in error.value.message_dict["file"][0]
        with pytest.raises(ValidationError):
            services.document_upload(
                workshop=workshop, file=pdf, title="Notes", table=TableFactory()
            )

    def test_choosing_the_public_documents_and_deleting_one(
        self, django_capture_on_commit_callbacks
    ):
        workshop = WorkshopFactory()
        a = services.document_upload(
            workshop=workshop, file=image_upload(), title="A", description="a"
        )
        b = services.document_upload(
            workshop=workshop, file=image_upload(), title="B", description="b"
        )
        services.documents_set_public(workshop=workshop, public_ids=[b.pk])
        assert list(selectors.document_list(workshop=workshop, public_only=True)) == [b]
        storage, name = a.file.storage, a.file.name
        with django_capture_on_commit_callbacks(execute=True):
            services.document_delete(document=a)
        assert not storage.exists(name)
        assert [d.title for d in selectors.document_list(workshop=workshop)] == ["B"]


def test_image_upload_helper_makes_a_real_image():
    upload = image_upload()
    assert Image.open(io.BytesIO(upload.read())).format == "PNG"
