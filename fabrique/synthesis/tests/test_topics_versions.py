"""Versions of topics: computed in the background, edited on the latest version only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation.models import Contribution, Visibility
from fabrique.participation.tests.factories import open_process
from fabrique.synthesis.models import Synthesis, TopicEdit, TopicMembership
from fabrique.synthesis.services import topics as services

pytestmark = pytest.mark.django_db

THEMES = {
    "vélo": [
        "Des pistes cyclables sécurisées entre les villages",
        "Plus d'arceaux pour garer les vélos à la gare",
        "Une piste cyclable continue le long du canal",
        "Des vélos électriques en location pour les jeunes",
        "Sécuriser les carrefours pour les cyclistes",
        "Un garage à vélos fermé près du collège",
        "Relier les pistes cyclables des communes voisines",
        "Apprendre le vélo aux enfants à l'école",
    ],
    "arbres": [
        "Planter des arbres dans les cours d'école pour l'ombre",
        "Des arbres le long des rues contre les îlots de chaleur",
        "Créer un petit bois urbain près du centre",
        "Protéger les haies et les arbres des chemins",
        "Végétaliser les places avec des arbres d'ombre",
        "Planter des arbres fruitiers dans les parcs",
        "Remplacer le bitume des parkings par des arbres",
        "Un plan de plantation d'arbres dans chaque commune",
    ],
    "bus": [
        "Plus de bus le soir pour rentrer du travail",
        "Un bus le dimanche entre les villages",
        "Des horaires de bus adaptés aux lycéens",
        "Un transport à la demande pour les personnes âgées",
        "Des abris de bus avec des bancs",
        "Le bus gratuit pour les jeunes",
        "Une ligne de bus directe vers l'hôpital",
        "Des bus plus fréquents aux heures de pointe",
    ],
}


@pytest.fixture
def process():
    process = open_process()
    author = UserFactory()
    phase = process.phases.first()
    for theme, titles in THEMES.items():
        for title in titles:
            Contribution.objects.create(
                process=process, phase=phase, author=author, title=title,
                body=f"{title}. C'est important pour notre quotidien ({theme}).",
            )  # fmt: skip
    return process


def _done(process, **kwargs) -> Synthesis:
    synthesis = services.synthesis_launch(process=process, by=None, **kwargs)
    return services.synthesis_run(synthesis=synthesis)


class TestLaunch:
    def test_refuses_an_empty_process(self):
        with pytest.raises(ValidationError, match=r"nothing to group|rien à regrouper"):
            services.synthesis_launch(process=open_process(), by=None)

    def test_refuses_a_second_launch_while_one_is_computing(self, process):
        services.synthesis_launch(process=process, by=None)
        with pytest.raises(ValidationError):
            services.synthesis_launch(process=process, by=None)
        assert Synthesis.objects.filter(process=process).count() == 1

    def test_hidden_contributions_are_left_out(self, process):
        Contribution.objects.filter(process=process).filter(body__contains="(bus)").update(
            visibility=Visibility.HIDDEN
        )
        synthesis = _done(process)
        assert synthesis.contribution_count == 24 - 8

    def test_groups_the_three_themes(self, process):
        synthesis = _done(process, requested_topics=3)
        assert synthesis.status == Synthesis.Status.DONE, synthesis.error
        assert synthesis.topics.count() == 3
        by_title = {
            m.contribution.title: m.topic_id
            for m in TopicMembership.objects.filter(synthesis=synthesis).select_related(
                "contribution"
            )
        }
        for titles in THEMES.values():
            topics = {by_title[t] for t in titles}
            # Most of a theme lands in one topic.
            majority = max(sum(1 for t in titles if by_title[t] == topic) for topic in topics)
            assert majority >= 6
        assert all(t.keywords for t in synthesis.topics.all())
        assert synthesis.method

    def test_a_failure_is_recorded_with_its_reason_and_can_be_retried(self, process, monkeypatch):
        from fabrique.synthesis import topics as engine

        def broken(*args, **kwargs):
            raise MemoryError

        monkeypatch.setattr(engine, "topics_compute", broken)
        synthesis = _done(process)
        assert synthesis.status == Synthesis.Status.FAILED
        assert "MemoryError" in synthesis.error
        monkeypatch.undo()
        services.synthesis_retry(synthesis=synthesis)
        synthesis = services.synthesis_run(synthesis=synthesis)
        assert synthesis.status == Synthesis.Status.DONE


class TestEdits:
    def test_rename_merge_split_and_move_keep_every_contribution(self, process):
        synthesis = _done(process, requested_topics=3)
        first, second, third = list(synthesis.topics.all())
        services.topic_rename(topic=first, label="Vélo", revision=0, by=None)
        merged = services.topics_merge(
            synthesis=synthesis, topics=[second, third], revision=1, by=None
        )
        assert synthesis.topics.count() == 2
        assert merged.size == second.size + third.size or merged.size >= 8
        parts = services.topic_split(topic=merged, parts=2, revision=2, by=None)
        assert len(parts) == 2
        target = parts[0]
        moved_ids = list(
            TopicMembership.objects.filter(topic=first).values_list("contribution_id", flat=True)[
                :2
            ]
        )
        services.contributions_move(
            synthesis=synthesis, contribution_ids=moved_ids, target=target, revision=3, by=None
        )
        assert TopicMembership.objects.filter(synthesis=synthesis).count() == 24
        assert TopicMembership.objects.filter(synthesis=synthesis, topic__isnull=True).count() == 0
        assert sum(t.size for t in synthesis.topics.all()) == 24
        assert list(
            TopicEdit.objects.filter(synthesis=synthesis).values_list("revision", flat=True)
        ) == [4, 3, 2, 1]
        first.refresh_from_db()
        assert first.label == "Vélo"

    def test_an_edit_prepared_on_an_outdated_page_is_refused(self, process):
        synthesis = _done(process, requested_topics=3)
        first, second, _third = list(synthesis.topics.all())
        services.topic_rename(topic=first, label="Vélo", revision=0, by=None)
        with pytest.raises(ValidationError, match=r"reload|rechargez"):
            services.topics_merge(synthesis=synthesis, topics=[first, second], revision=0, by=None)
        assert synthesis.topics.count() == 3

    def test_an_older_version_cannot_be_edited(self, process):
        old = _done(process, requested_topics=3)
        _done(process, requested_topics=3)
        with pytest.raises(ValidationError, match="version 2"):
            services.topic_rename(topic=old.topics.first(), label="x", revision=0, by=None)


class TestPages:
    def _login(self, client, process, role):
        user = UserFactory()
        if role:
            RoleFactory(user=user, territory=process.territory, role=role)
        client.force_login(user)

    @pytest.mark.parametrize(
        ("role", "status"),
        [(None, 403), (Role.MODERATOR, 403), (Role.FACILITATOR, 403), (Role.TERRITORY_ADMIN, 200)],
    )
    def test_only_territory_admins_see_the_synthesis(self, client, process, role, status):
        self._login(client, process, role)
        url = reverse("synthesis:bo_list", args=[process.territory.slug, process.slug])
        assert client.get(url).status_code == status

    def test_anonymous_visitors_go_to_log_in(self, client, process):
        url = reverse("synthesis:bo_list", args=[process.territory.slug, process.slug])
        assert client.get(url).status_code == 302

    def test_launch_then_read_then_rename(
        self, client, process, django_capture_on_commit_callbacks
    ):
        self._login(client, process, Role.TERRITORY_ADMIN)
        url = reverse("synthesis:bo_list", args=[process.territory.slug, process.slug])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"requested_topics": "3"})
        synthesis = Synthesis.objects.get(process=process)
        assert response.status_code == 302
        assert synthesis.status == Synthesis.Status.DONE  # the test task backend runs at once
        page = client.get(synthesis.get_absolute_url()).content.decode()
        topic = synthesis.topics.first()
        assert topic.label in page
        edit = reverse(
            "synthesis:bo_edit", args=[process.territory.slug, process.slug, synthesis.number]
        )
        client.post(
            edit, {"action": "rename", "topic": topic.pk, "label": "Mobilités", "revision": 0}
        )
        topic.refresh_from_db()
        assert topic.label == "Mobilités"
        # The same form sent again is out of date: refused, nothing changes.
        response = client.post(
            edit,
            {"action": "rename", "topic": topic.pk, "label": "Autre", "revision": 0},
            follow=True,
        )
        topic.refresh_from_db()
        assert topic.label == "Mobilités"
        assert "reload" in response.content.decode() or "rechargez" in response.content.decode()

    def test_another_territory_admin_is_refused(self, client, process):
        other = open_process()
        self._login(client, other, Role.TERRITORY_ADMIN)
        url = reverse("synthesis:bo_list", args=[process.territory.slug, process.slug])
        assert client.get(url).status_code == 403
