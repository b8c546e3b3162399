"""Near-duplicates in the back-office: the search, its clusters, merging and dismissing them,
and the page for each role."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation import merging
from fabrique.participation import services as participation
from fabrique.participation.models import Contribution, Support
from fabrique.participation.tests.factories import open_process
from fabrique.synthesis.models import DuplicateCluster, DuplicateScan
from fabrique.synthesis.services import duplicates as services
from fabrique.territories.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def process():
    return open_process()


def _submit(process, title, body="", author=None):
    return participation.contribution_submit(
        process=process, author=author or UserFactory(), kind=Contribution.Kind.IDEA,
        title=title, body=body or title,
    )  # fmt: skip


@pytest.fixture
def corpus(process):
    bikes = [
        _submit(process, "Des pistes cyclables jusqu'aux écoles",
                "Les enfants pourraient aller à l'école à vélo en sécurité."),
        _submit(process, "Pistes cyclables vers les écoles",
                "Pour que les enfants aillent à l'école à vélo en sécurité."),
        _submit(process, "Une piste cyclable jusqu'à l'école",
                "Les enfants iraient à l'école à vélo, en sécurité."),
    ]  # fmt: skip
    others = [
        _submit(process, "Ouvrir la piscine le dimanche", "Des horaires élargis l'été."),
        _submit(process, "Des bancs dans le parc", "Pour que les personnes âgées se reposent."),
        _submit(process, "Un marché de producteurs locaux", "Le samedi matin sur la place."),
    ]
    return {"bikes": bikes, "others": others}


def _run(process, by=None, threshold=services.THRESHOLDS["usual"]) -> DuplicateScan:
    scan = services.duplicate_scan_launch(process=process, by=by, threshold=threshold)
    return services.duplicate_scan_run(scan=DuplicateScan.objects.get(pk=scan.pk))


# --- The search -------------------------------------------------------------------------


def test_a_search_finds_the_cluster_of_close_contributions_only(process, corpus) -> None:
    scan = _run(process)

    assert scan.status == DuplicateScan.Status.DONE, scan.error
    assert scan.contribution_count == 6
    [cluster] = DuplicateCluster.objects.filter(process=process)
    assert set(cluster.contributions.all()) == set(corpus["bikes"])
    assert 0.3 < cluster.similarity <= 1
    assert cluster.outcome == DuplicateCluster.Outcome.OPEN


def test_one_search_at_a_time_and_something_to_compare(process, corpus) -> None:
    services.duplicate_scan_launch(process=process, by=None)

    with pytest.raises(ValidationError, match="already running"):
        services.duplicate_scan_launch(process=process, by=None)
    with pytest.raises(ValidationError, match="nothing to compare"):
        services.duplicate_scan_launch(process=open_process(), by=None)


def test_an_interrupted_search_can_be_launched_again(process, corpus) -> None:
    scan = services.duplicate_scan_launch(process=process, by=None)
    DuplicateScan.objects.filter(pk=scan.pk).update(
        created_at=scan.created_at - services.STALE_AFTER * 2
    )

    again = services.duplicate_scan_launch(process=process, by=None)

    scan.refresh_from_db()
    assert scan.status == DuplicateScan.Status.FAILED
    assert "interrupted" in scan.error
    assert again.status == DuplicateScan.Status.QUEUED


def test_a_failed_search_says_so(process, corpus, monkeypatch) -> None:
    from fabrique.synthesis import topics

    def broken(texts, *, threshold):
        raise MemoryError

    monkeypatch.setattr(topics, "duplicate_groups", broken, raising=False)

    scan = _run(process)

    assert scan.status == DuplicateScan.Status.FAILED
    assert "MemoryError" in scan.error


def test_a_dismissed_cluster_is_not_proposed_again(process, corpus) -> None:
    _run(process)
    cluster = DuplicateCluster.objects.get()
    services.duplicate_cluster_dismiss(cluster=cluster, by=UserFactory())

    _run(process)

    assert DuplicateCluster.objects.filter(outcome="open").count() == 0
    # A new close contribution brings the cluster back, with it.
    _submit(process, "Pistes cyclables pour les écoles", "Les enfants à vélo vers l'école.")
    _run(process)
    assert DuplicateCluster.objects.get(outcome="open").contributions.count() == 4


def test_merged_contributions_are_left_out_of_the_next_search(process, corpus) -> None:
    first, second, third = corpus["bikes"]
    merging.contribution_merge(target=first, sources=[second, third], by=UserFactory())

    scan = _run(process)

    assert scan.contribution_count == 4
    assert not DuplicateCluster.objects.exists()


# --- Staff decide -----------------------------------------------------------------------


def test_merging_a_cluster_moves_supports_once_and_closes_it(process, corpus) -> None:
    _run(process)
    cluster = DuplicateCluster.objects.get()
    first, second, third = corpus["bikes"]
    fan = UserFactory()
    for c in (first, second):
        participation.support_toggle(contribution=c, user=fan, support=True)
    staff = UserFactory()

    services.duplicate_cluster_merge(
        cluster=cluster, target=first, sources=[second, third], by=staff
    )

    cluster.refresh_from_db()
    assert (cluster.outcome, cluster.target, cluster.resolved_by) == ("merged", first, staff)
    assert Contribution.objects.get(pk=first.pk).support_count == 1
    assert Support.objects.filter(user=fan).count() == 1
    assert {
        c.merged_into_id for c in Contribution.objects.filter(pk__in=[second.pk, third.pk])
    } == {first.pk}
    with pytest.raises(ValidationError, match="already been handled"):
        services.duplicate_cluster_merge(cluster=cluster, target=first, sources=[second], by=staff)
    with pytest.raises(ValidationError, match="already been handled"):
        services.duplicate_cluster_dismiss(cluster=cluster, by=staff)


def test_only_members_of_the_cluster_are_merged(process, corpus) -> None:
    _run(process)
    cluster = DuplicateCluster.objects.get()

    with pytest.raises(ValidationError, match="this cluster only"):
        services.duplicate_cluster_merge(
            cluster=cluster, target=corpus["bikes"][0], sources=[corpus["others"][0]],
            by=UserFactory(),
        )  # fmt: skip
    assert DuplicateCluster.objects.get().outcome == "open"


# --- The page, for each role -------------------------------------------------------------


def _url(process, name="bo_duplicates", *args):
    return reverse(f"synthesis:{name}", args=[process.territory.slug, process.slug, *args])


def _as(client, process, role=None, territory=None):
    user = UserFactory()
    if role:
        RoleFactory(user=user, role=role, territory=territory or process.territory)
    client.force_login(user)
    return user


def test_anonymous_visitors_are_sent_to_log_in(client, process) -> None:
    response = client.get(_url(process))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.FACILITATOR])
def test_participants_moderators_and_facilitators_are_refused(client, process, role) -> None:
    _as(client, process, role)

    assert client.get(_url(process)).status_code == 403
    assert client.post(_url(process), {"sensitivity": "usual"}).status_code == 403


def test_an_admin_of_another_territory_is_refused(client, process, corpus) -> None:
    _run(process)
    cluster = DuplicateCluster.objects.get()
    _as(client, process, Role.TERRITORY_ADMIN, territory=TerritoryFactory())

    assert client.get(_url(process)).status_code == 403
    assert client.post(_url(process, "bo_duplicate_dismiss", cluster.pk)).status_code == 403
    assert DuplicateCluster.objects.get().outcome == "open"


def test_the_territory_admin_searches_and_reads_the_clusters(client, process, corpus) -> None:
    _as(client, process, Role.TERRITORY_ADMIN)

    response = client.post(_url(process), {"sensitivity": "broad"})

    assert response.status_code == 302
    scan = DuplicateScan.objects.get()
    assert scan.threshold == services.THRESHOLDS["broad"]
    services.duplicate_scan_run(scan=scan)
    html = client.get(_url(process)).content.decode()
    for contribution in corpus["bikes"]:
        assert contribution.get_absolute_url() in html
        assert contribution.author.display_name in html
    assert "Ouvrir la piscine" not in html
    progress = client.get(_url(process, "bo_duplicates_progress", scan.pk), HTTP_HX_REQUEST="1")
    assert progress["HX-Refresh"] == "true"


def test_a_search_while_one_runs_is_refused_in_words(client, process, corpus) -> None:
    _as(client, process, Role.TERRITORY_ADMIN)
    services.duplicate_scan_launch(process=process, by=None)

    response = client.post(_url(process), {"sensitivity": "usual"})

    assert response.status_code == 200
    assert "déjà en cours" in response.content.decode()


def test_the_territory_admin_merges_with_the_most_supported_kept_by_default(
    client, process, corpus
) -> None:
    third = corpus["bikes"][2]
    participation.support_toggle(contribution=third, user=UserFactory(), support=True)
    _run(process)
    cluster = DuplicateCluster.objects.get()
    _as(client, process, Role.TERRITORY_ADMIN)
    html = client.get(_url(process)).content.decode()
    assert f'value="{third.pk}" id="c{cluster.pk}-target-{third.pk}" checked' in html

    prefix = f"c{cluster.pk}"
    response = client.post(
        _url(process, "bo_duplicate_merge", cluster.pk),
        {f"{prefix}-target": third.pk},
    )

    assert response.status_code == 302
    assert Contribution.objects.filter(merged_into=third).count() == 2
    # Sent twice (a double click): refused in words, nothing more happens.
    again = client.post(
        _url(process, "bo_duplicate_merge", cluster.pk),
        {f"{prefix}-target": third.pk},
        follow=True,
    )
    assert "a déjà été traité" in again.content.decode()


def test_contributions_left_apart_are_not_merged_nor_proposed_again(
    client, process, corpus
) -> None:
    _run(process)
    cluster = DuplicateCluster.objects.get()
    _as(client, process, Role.TERRITORY_ADMIN)
    first, second, third = corpus["bikes"]
    url = _url(process, "bo_duplicate_merge", cluster.pk)

    response = client.post(
        url, {f"c{cluster.pk}-target": first.pk, f"c{cluster.pk}-apart": [second.pk, third.pk]},
        follow=True,
    )  # fmt: skip
    assert "il n’y a rien à fusionner" in response.content.decode()
    assert not Contribution.objects.filter(merged_into__isnull=False).exists()

    client.post(url, {f"c{cluster.pk}-target": first.pk, f"c{cluster.pk}-apart": [second.pk]})

    assert list(Contribution.objects.filter(merged_into=first)) == [third]
    assert Contribution.objects.get(pk=second.pk).merged_into is None
    _run(process)
    assert not DuplicateCluster.objects.filter(outcome="open").exists()


def test_a_stale_cluster_says_what_changed(client, process, corpus) -> None:
    _run(process)
    cluster = DuplicateCluster.objects.get()
    first, second, third = corpus["bikes"]
    participation.moderate_contribution(
        contribution=second, moderator=UserFactory(), action="hide", reason="Hors sujet"
    )
    merging.contribution_merge(target=first, sources=[third], by=UserFactory())
    _as(client, process, Role.TERRITORY_ADMIN)

    html = client.get(_url(process)).content.decode()

    assert "Ce groupe a changé depuis la recherche" in html
    assert "masquée par la modération depuis" in html
    assert "fusionnée depuis dans" in html
    response = client.post(
        _url(process, "bo_duplicate_merge", cluster.pk),
        {f"c{cluster.pk}-target": first.pk},
        follow=True,
    )
    assert "moins de deux de ses contributions" in response.content.decode()
    client.post(_url(process, "bo_duplicate_dismiss", cluster.pk))
    assert DuplicateCluster.objects.get().outcome == "dismissed"


def test_the_territory_admin_dismisses_a_cluster(client, process, corpus) -> None:
    _run(process)
    cluster = DuplicateCluster.objects.get()
    _as(client, process, Role.TERRITORY_ADMIN)

    response = client.post(_url(process, "bo_duplicate_dismiss", cluster.pk), follow=True)

    assert DuplicateCluster.objects.get().outcome == "dismissed"
    assert "ne seront plus proposées ensemble" in response.content.decode()
    assert client.get(_url(process, "bo_duplicate_dismiss", cluster.pk)).status_code == 302


def test_a_very_large_cluster_is_shown_in_part_and_not_merged_from_the_page(
    client, process, corpus, monkeypatch
) -> None:
    from fabrique.synthesis.selectors import duplicates as selectors

    monkeypatch.setattr(selectors, "MERGE_AT_ONCE", 2)
    monkeypatch.setattr(selectors, "SHOWN_OF_LARGE", 2)
    _run(process)
    cluster = DuplicateCluster.objects.get()
    assert cluster.size == 3
    _as(client, process, Role.TERRITORY_ADMIN)

    html = client.get(_url(process)).content.decode()
    response = client.post(
        _url(process, "bo_duplicate_merge", cluster.pk),
        {f"c{cluster.pk}-target": corpus["bikes"][0].pk},
        follow=True,
    )

    assert "Trop nombreuses pour être fusionnées depuis cette page" in html
    assert html.count('<li class="duplicate-member"') == 2
    assert "trop grand pour être fusionné" in response.content.decode()
    assert not Contribution.objects.filter(merged_into__isnull=False).exists()
