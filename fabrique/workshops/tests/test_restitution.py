"""The restitution: saved, published once with its messages, updated, shown on the public page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from fabrique.accounts.models import Notification, Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation.models import Contribution, Visibility
from fabrique.processes.services import process_follow
from fabrique.workshops.models import Registration, Workshop
from fabrique.workshops.selectors import day as selectors
from fabrique.workshops.services import day as services
from fabrique.workshops.tests.factories import (
    RegistrationFactory,
    TableFactory,
    WorkshopFactory,
    held_workshop,
    image_upload,
)
from fabrique.workshops.views.day import detail_context

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _staff(workshop: Workshop):
    user = UserFactory()
    RoleFactory(user=user, territory=workshop.process.territory, role=Role.FACILITATOR)
    return user


def _capture(workshop, table, by, title="Une idée", kind=Contribution.Kind.IDEA):
    return services.capture_submit(
        workshop=workshop,
        table=table,
        captured_by=by,
        kind=kind,
        title=title,
        body="Ce qui a été dit.",
        consent=True,
    )


class TestSaveAndPublish:
    def test_a_draft_is_sanitised_and_not_published(self):
        workshop = held_workshop()
        services.restitution_save(
            workshop=workshop, text='<p>Merci à tous</p><script>alert("x")</script>'
        )
        workshop.refresh_from_db()
        assert workshop.restitution == "<p>Merci à tous</p>"
        assert not workshop.has_restitution

    def test_publishing_needs_a_text_and_a_workshop_that_took_place(self):
        workshop = held_workshop()
        with pytest.raises(ValidationError) as error:
            services.restitution_publish(workshop=workshop, text="  ")
        assert "restitution" in error.value.message_dict
        upcoming = WorkshopFactory()
        with pytest.raises(ValidationError) as error:
            services.restitution_publish(workshop=upcoming, text="Bilan")
        assert "n’a pas encore eu lieu" in error.value.messages[0]
        draft = held_workshop(status=Workshop.Status.DRAFT)
        with pytest.raises(ValidationError):
            services.restitution_publish(workshop=draft, text="Bilan")
        cancelled = held_workshop(status=Workshop.Status.CANCELLED)
        with pytest.raises(ValidationError):
            services.restitution_publish(workshop=cancelled, text="Bilan")
        assert not Workshop.objects.filter(restitution_published_at__isnull=False).exists()

    def test_first_publication_tells_participants_and_followers_once(
        self, django_capture_on_commit_callbacks
    ):
        workshop = held_workshop(title="Atelier mobilités")
        now = timezone.now()
        account = UserFactory(email="compte@exemple.fr")
        RegistrationFactory(workshop=workshop, name="Ana", email="ana@exemple.fr")
        RegistrationFactory(
            workshop=workshop, name="Bruno", email="bruno@exemple.fr", checked_in_at=now
        )
        RegistrationFactory(
            workshop=workshop, name="Compte", email="compte@exemple.fr", user=account
        )
        RegistrationFactory(
            workshop=workshop, name="Walk", email="", walk_in=True, checked_in_at=now
        )
        RegistrationFactory(
            workshop=workshop, email="parti@exemple.fr", status=Registration.Status.CANCELLED
        )
        RegistrationFactory(
            workshop=workshop, email="attente@exemple.fr", status=Registration.Status.WAITLISTED
        )
        follower = UserFactory(email="suit@exemple.fr")
        process_follow(process=workshop.process, user=follower)
        process_follow(process=workshop.process, user=account)

        with django_capture_on_commit_callbacks(execute=True):
            first = services.restitution_publish(
                workshop=workshop, text="<p>Nous avons parlé de vélo.</p>"
            )

        assert first is True
        restitutions = [m for m in mail.outbox if m.subject.startswith("Restitution")]
        assert sorted(m.to[0] for m in restitutions) == [
            "ana@exemple.fr",
            "bruno@exemple.fr",
            "compte@exemple.fr",
        ]
        assert all(len(m.to) == 1 for m in mail.outbox)
        # The follower who registered nowhere hears of it as they chose (at once, here).
        others = [m for m in mail.outbox if m not in restitutions]
        assert [m.to for m in others] == [["suit@exemple.fr"]]
        message = restitutions[0]
        assert "Atelier mobilités" in message.subject
        assert "Nous avons parlé de vélo." in message.body
        assert workshop.get_absolute_url() in message.body
        assert "<p>" not in message.body
        # On the site: the account holder once, the follower too (e-mailed as they chose).
        assert Notification.objects.filter(user=account).count() == 1
        assert Notification.objects.filter(user=follower).count() == 1
        assert Notification.objects.get(user=follower).url == workshop.get_absolute_url()

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            again = services.restitution_publish(workshop=workshop, text="<p>Corrigé.</p>")
        assert again is False
        assert mail.outbox == []
        assert Notification.objects.count() == 2
        workshop.refresh_from_db()
        assert workshop.restitution == "<p>Corrigé.</p>"

    def test_a_published_restitution_cannot_be_emptied(self):
        workshop = held_workshop()
        services.restitution_publish(workshop=workshop, text="Bilan")
        with pytest.raises(ValidationError):
            services.restitution_save(workshop=workshop, text=" ")

    def test_an_update_some_time_later_is_said(self):
        workshop = held_workshop()
        services.restitution_publish(workshop=workshop, text="Bilan")
        workshop.refresh_from_db()
        assert selectors.restitution_updated_at(workshop) is None
        Workshop.objects.filter(pk=workshop.pk).update(
            restitution_published_at=timezone.now() - timedelta(days=2)
        )
        workshop.refresh_from_db()
        services.restitution_save(workshop=workshop, text="Bilan complété")
        assert selectors.restitution_updated_at(workshop) is not None

    def test_the_e_mail_function_sends_nothing_before_publication(self):
        workshop = held_workshop()
        RegistrationFactory(workshop=workshop)
        assert services.restitution_email(workshop=workshop) == 0
        assert mail.outbox == []


class TestFigures:
    def test_figures_count_who_came_and_what_was_said(self):
        workshop = held_workshop()
        now = timezone.now()
        RegistrationFactory(workshop=workshop)
        RegistrationFactory(workshop=workshop, checked_in_at=now)
        RegistrationFactory(workshop=workshop, checked_in_at=now, walk_in=True)
        RegistrationFactory(workshop=workshop, status=Registration.Status.CANCELLED)
        a = TableFactory(workshop=workshop, name="A", position=0)
        b = TableFactory(workshop=workshop, name="B", position=1)
        staff = _staff(workshop)
        _capture(workshop, a, staff)
        _capture(workshop, a, staff, kind=Contribution.Kind.QUESTION)
        hidden = _capture(workshop, b, staff)
        Contribution.objects.filter(pk=hidden.contribution_id).update(visibility=Visibility.HIDDEN)

        figures = selectors.restitution_figures(workshop=workshop)
        assert (figures.registered, figures.present, figures.walk_ins) == (2, 2, 1)
        assert (figures.captured, figures.tables) == (3, 2)
        assert figures.by_table == [("A", 2), ("B", 1)]
        assert dict(figures.by_kind) == {"Idée ou proposition": 2, "Question": 1}

        public = selectors.restitution_figures(workshop=workshop, public_only=True)
        assert public.captured == 2
        assert public.by_table == [("A", 2), ("B", 0)]


class TestPublicBlock:
    def _context(self, workshop, user=None):
        from django.contrib.auth.models import AnonymousUser

        request = RequestFactory().get("/")
        request.user = user or AnonymousUser()
        return detail_context(request, workshop)["restitution_block"]

    def test_nothing_before_the_workshop_and_a_promise_after_it(self):
        assert not self._context(WorkshopFactory()).published
        assert not self._context(WorkshopFactory()).pending
        block = self._context(held_workshop())
        assert block.pending
        assert not block.published

    def test_once_published_the_text_figures_public_documents_and_visible_captures(self):
        workshop = held_workshop()
        table = TableFactory(workshop=workshop)
        staff = _staff(workshop)
        shown = _capture(workshop, table, staff, title="Plus de bus le dimanche")
        pending = _capture(workshop, table, staff, title="En attente")
        Contribution.objects.filter(pk=pending.contribution_id).update(
            visibility=Visibility.PENDING
        )
        photo = services.document_upload(
            workshop=workshop, file=image_upload(), title="Tableau", description="Post-it"
        )
        services.document_upload(
            workshop=workshop,
            file=image_upload(),
            title="Visages",
            description="Photo de groupe",
            is_public=False,
        )
        services.restitution_publish(workshop=workshop, text="<p>Bilan</p>")
        workshop.refresh_from_db()

        block = self._context(workshop)
        assert block.published
        assert block.text == "<p>Bilan</p>"
        assert block.documents == [photo]
        assert [[c.pk for c in g.captures] for g in block.groups] == [[shown.pk]]
        assert block.figures.captured == 1
        assert block.edit_url == ""
        assert self._context(workshop, staff).edit_url.endswith("/restitution/")


def test_workshops_with_restitution_lists_published_ones_latest_first():
    first = held_workshop()
    process = first.process
    start = timezone.now() - timedelta(days=2)
    earlier = WorkshopFactory(process=process, starts_at=start, ends_at=start + timedelta(hours=1))
    held_workshop(process=process)  # no restitution
    for w in (first, earlier):
        services.restitution_publish(workshop=w, text="Bilan")
    assert list(selectors.workshops_with_restitution(process=process)) == [first, earlier]


def test_the_restitutions_headings_sit_under_the_pages_own():
    from fabrique.workshops.views.day import demote_headings

    assert demote_headings("<h2>Bilan</h2><H3 lang='fr'>Suite</H3><p>h2</p>") == (
        "<h3>Bilan</h3><h4 lang='fr'>Suite</h4><p>h2</p>"
    )


def test_a_captured_contribution_says_at_which_workshop_and_table():
    from django.template.loader import render_to_string

    workshop = held_workshop(title="Atelier vélo")
    table = TableFactory(workshop=workshop, name="Table 3")
    staff = _staff(workshop)
    at_table = _capture(workshop, table, staff).contribution
    html = render_to_string("workshops/day/_captured_at.html", {"contribution": at_table})
    assert "Recueillie pendant l’atelier « " in html
    assert f'<a href="{workshop.get_absolute_url()}">Atelier vélo</a>' in html
    assert "table « Table 3 »" in html
    whole = _capture(workshop, None, staff).contribution
    html = render_to_string("workshops/day/_captured_at.html", {"contribution": whole})
    assert "Atelier vélo" in html
    assert "table" not in html
    typed_online = Contribution.objects.create(
        process=workshop.process, phase=workshop.phase, title="Ailleurs", body="x"
    )
    assert not render_to_string(
        "workshops/day/_captured_at.html", {"contribution": typed_online}
    ).strip()
    Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.DRAFT)
    at_table.refresh_from_db()
    html = render_to_string("workshops/day/_captured_at.html", {"contribution": at_table})
    assert not html.strip()
