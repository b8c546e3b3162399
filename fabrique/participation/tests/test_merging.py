"""Near-duplicates in participation: merging with lineage, undoing it, and close contributions
found while typing (the service, the selector and the public pages)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from fabrique.accounts.models import Notification, Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation import merging, services
from fabrique.participation.models import (
    Contribution,
    ContributionFollow,
    ContributionMerge,
    ModerationLog,
    Support,
)
from fabrique.participation.selectors import ContributionFilters, MapBox, contribution_list
from fabrique.participation.selectors import contribution_map as map_of
from fabrique.participation.tests.factories import open_process

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><b>gras</b>'


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def process():
    return open_process()


def _submit(process, title="Des pistes cyclables", body="Relier les communes.", **kwargs):
    return services.contribution_submit(
        process=process,
        author=kwargs.pop("author", None) or UserFactory(),
        kind=Contribution.Kind.IDEA,
        title=title,
        body=body,
        **kwargs,
    )


def _support(contribution, *users):
    for user in users:
        services.support_toggle(contribution=contribution, user=user, support=True)


def _fresh(contribution):
    return Contribution.objects.get(pk=contribution.pk)


# --- Merging -------------------------------------------------------------------------


def test_supports_move_to_the_target_without_counting_anyone_twice(process) -> None:
    target, source = _submit(process), _submit(process, title="Pistes cyclables partout")
    both, only_source, only_target = UserFactory(), UserFactory(), UserFactory()
    _support(target, both, only_target)
    _support(source, both, only_source)
    staff = UserFactory()

    [merge] = merging.contribution_merge(target=target, sources=[source], by=staff)

    target, source = _fresh(target), _fresh(source)
    assert target.support_count == 3
    assert set(Support.objects.filter(contribution=target).values_list("user", flat=True)) == {
        both.pk,
        only_source.pk,
        only_target.pk,
    }
    assert source.support_count == 0
    assert not Support.objects.filter(contribution=source).exists()
    assert merge.supports_moved == [only_source.pk]
    assert [row[0] for row in merge.supports_shared] == [both.pk]
    assert merge.support_total == 2
    assert source.merged_into == target
    assert source.merged_at is not None


def test_several_sources_sharing_supporters_count_each_person_once(process) -> None:
    target = _submit(process)
    sources = [_submit(process, title=f"Pistes {i}") for i in range(3)]
    people = [UserFactory() for _ in range(4)]
    for source in sources:
        _support(source, *people)

    merging.contribution_merge(target=target, sources=sources, by=UserFactory())

    assert _fresh(target).support_count == 4
    assert Support.objects.count() == 4


def test_merged_sources_leave_the_lists_the_map_and_the_search(process) -> None:
    target = _submit(process, latitude=None)
    source = _submit(process, title="Pistes cyclables au bord de la Saône")

    merging.contribution_merge(target=target, sources=[source], by=UserFactory())

    listed = contribution_list(process, ContributionFilters())
    assert list(listed) == [target]
    assert not contribution_list(process, ContributionFilters(q="Saône")).exists()
    box = MapBox(*(float(x) for x in process.territory.map_bounds))
    assert map_of(contribution_list(process, ContributionFilters()), box)["features"] == []
    assert list(merging.listed(process)) == [target]


def test_followers_of_sources_follow_the_target_and_authors_are_told(process) -> None:
    author, follower, staff = UserFactory(), UserFactory(), UserFactory()
    target = _submit(process)
    source = _submit(process, author=author, title="Autre titre")
    services.follow_toggle(contribution=source, user=follower, follow=True)

    merging.contribution_merge(target=target, sources=[source], by=staff)

    followers = set(
        ContributionFollow.objects.filter(contribution=target).values_list("user", flat=True)
    )
    assert {author.pk, follower.pk} <= followers
    note = Notification.objects.get(user=author)
    assert "Autre titre" in note.text
    assert note.url == target.get_absolute_url()
    assert not Notification.objects.filter(user=staff).exists()


def test_a_merge_is_in_the_moderation_log(process) -> None:
    target, source = _submit(process), _submit(process, title="Deux")
    staff = UserFactory()

    merging.contribution_merge(target=target, sources=[source], by=staff)

    entry = ModerationLog.objects.get()
    assert (entry.action, entry.contribution, entry.actor) == ("merge", source, staff)
    assert target.title in entry.reason


def test_refusals_say_why_and_change_nothing(process) -> None:
    staff = UserFactory()
    target, source, other = (
        _submit(process),
        _submit(process, title="B"),
        _submit(process, title="C"),
    )
    elsewhere = _submit(open_process(), title="Ailleurs")

    cases = [
        ([], target, "at least one"),
        ([target], target, "cannot also be merged into itself"),
        ([elsewhere], target, "another process"),
    ]
    for sources, into, message in cases:
        with pytest.raises(ValidationError, match=message):
            merging.contribution_merge(target=into, sources=sources, by=staff)

    merging.contribution_merge(target=target, sources=[source], by=staff)
    with pytest.raises(ValidationError, match="already been merged"):
        merging.contribution_merge(target=other, sources=[source], by=staff)
    with pytest.raises(ValidationError, match="has itself been merged"):
        merging.contribution_merge(target=_fresh(source), sources=[other], by=staff)

    services.moderate_contribution(
        contribution=other, moderator=staff, action="hide", reason="Hors sujet"
    )
    with pytest.raises(ValidationError, match="hidden"):
        merging.contribution_merge(target=other, sources=[target], by=staff)
    with pytest.raises(ValidationError, match="only published"):
        merging.contribution_merge(target=target, sources=[other], by=staff)
    removed = _submit(process, title="Retirée")
    services.contribution_remove_by_author(contribution=removed, user=removed.author)
    with pytest.raises(ValidationError, match="removed"):
        merging.contribution_merge(target=removed, sources=[target], by=staff)
    assert ContributionMerge.objects.count() == 1
    assert _fresh(other).merged_into is None


def test_a_source_that_had_gathered_others_passes_them_on(process) -> None:
    staff = UserFactory()
    first, middle, last = (
        _submit(process, title="A"),
        _submit(process, title="B"),
        _submit(process, title="C"),
    )
    merging.contribution_merge(target=middle, sources=[first], by=staff)

    merging.contribution_merge(target=last, sources=[middle], by=staff)

    assert _fresh(first).merged_into == last
    assert set(_fresh(last).merged_sources.all()) == {first, middle}


def test_undoing_a_merge_gives_back_supports_followers_and_the_place_in_lists(process) -> None:
    staff = UserFactory()
    target, source = _submit(process), _submit(process, title="Deux")
    both, only_source, follower = UserFactory(), UserFactory(), UserFactory()
    _support(target, both)
    _support(source, both, only_source)
    services.follow_toggle(contribution=source, user=follower, follow=True)
    merging.contribution_merge(target=target, sources=[source], by=staff)

    merging.contribution_unmerge(source=source, by=staff)

    target, source = _fresh(target), _fresh(source)
    assert source.merged_into is None
    assert (source.support_count, target.support_count) == (2, 1)
    assert set(source.supports.values_list("user", flat=True)) == {both.pk, only_source.pk}
    assert not ContributionFollow.objects.filter(contribution=target, user=follower).exists()
    assert set(contribution_list(process, ContributionFilters())) == {target, source}
    assert ContributionMerge.objects.get().undone_by == staff
    assert ModerationLog.objects.filter(action="unmerge", contribution=source).exists()
    with pytest.raises(ValidationError, match="not merged"):
        merging.contribution_unmerge(source=source, by=staff)
    # Merged again later: a new record, the old one stays as history.
    merging.contribution_merge(target=target, sources=[source], by=staff)
    assert ContributionMerge.objects.count() == 2


def test_undoing_waits_for_the_later_merge_of_the_target(process) -> None:
    staff = UserFactory()
    first, middle, last = (
        _submit(process, title="A"),
        _submit(process, title="B"),
        _submit(process, title="C"),
    )
    merging.contribution_merge(target=middle, sources=[first], by=staff)
    merging.contribution_merge(target=last, sources=[middle], by=staff)

    merging.contribution_unmerge(source=middle, by=staff)

    assert _fresh(first).merged_into == middle  # given back with it
    assert _fresh(middle).merged_into is None


# --- Pages ---------------------------------------------------------------------------


def test_lineage_shows_on_the_source_and_on_the_target(client, process) -> None:
    with translation.override("fr"):
        author = UserFactory(display_name="Aline Source")
        target = _submit(process, title="Le titre gardé")
        source = _submit(process, author=author, title="Une autre formulation")
        _support(source, UserFactory(), UserFactory())
        merging.contribution_merge(target=target, sources=[source], by=UserFactory())

    source_page = client.get(source.get_absolute_url()).content.decode()
    assert "a été fusionnée dans" in source_page
    assert f'href="{target.get_absolute_url()}"' in source_page
    assert "Ses 2 soutiens y comptent désormais" in source_page
    assert "Une autre formulation" in source_page  # its text stays
    assert "Annuler cette fusion" not in source_page
    target_page = client.get(target.get_absolute_url()).content.decode()
    assert "Rassemble aussi les contributions de" in target_page
    assert f'href="{source.get_absolute_url()}">Aline Source</a>' in target_page


def test_staff_undo_a_merge_from_the_source_page(client, process) -> None:
    target, source = _submit(process), _submit(process, title="Deux")
    merging.contribution_merge(target=target, sources=[source], by=UserFactory())
    url = reverse("participation:unmerge", args=[process.slug, source.pk])

    participant = UserFactory()
    client.force_login(participant)
    assert client.post(url).status_code == 403
    moderator = UserFactory()
    RoleFactory(user=moderator, role=Role.MODERATOR, territory=process.territory)
    client.force_login(moderator)
    assert "Annuler cette fusion" in client.get(source.get_absolute_url()).content.decode()

    response = client.post(url)

    assert response.status_code == 302
    assert _fresh(source).merged_into is None
    assert client.get(url)["Location"] == source.get_absolute_url()  # a second sending


# --- Close contributions while typing ---------------------------------------------------


def _corpus(process):
    return {
        "bikes": _submit(
            process,
            title="Des pistes cyclables jusqu'aux écoles",
            body="Les enfants pourraient aller à l'école à vélo en sécurité.",
        ),
        "pool": _submit(process, title="Ouvrir la piscine le dimanche", body="Horaires élargis."),
        "benches": _submit(process, title="Des bancs au parc", body="Pour les personnes âgées."),
    }


def test_the_close_contribution_is_found_and_unrelated_ones_are_not(process) -> None:
    found = _corpus(process)

    similar = merging.similar_contributions(
        process=process, text="Piste cyclable vers l'ecole\nPour que les enfants aillent à velo"
    )

    assert [s.contribution for s in similar] == [found["bikes"]]
    assert merging.similar_contributions(process=process, text="Des vélos") == []
    assert (
        merging.similar_contributions(
            process=process, text="Piste cyclable vers l'école", exclude_pk=found["bikes"].pk
        )
        == []
    )


def test_merged_and_hidden_contributions_are_not_proposed(process) -> None:
    found = _corpus(process)
    copy = _submit(process, title="Pistes cyclables pour les écoles", body="À vélo")
    merging.contribution_merge(target=found["bikes"], sources=[copy], by=UserFactory())
    services.moderate_contribution(
        contribution=found["bikes"], moderator=UserFactory(), action="hide", reason="Doublon"
    )

    assert merging.similar_contributions(process=process, text="Pistes cyclables écoles vélo") == []


def test_the_hint_endpoint_lists_close_ones_with_escaped_titles(client, process) -> None:
    _corpus(process)
    evil = _submit(process, title=f"Pistes cyclables {XSS}", body="Vers l'école à vélo")
    client.force_login(UserFactory())

    response = client.post(
        reverse("participation:similar", args=[process.slug]),
        {"title": "Pistes cyclables", "body": "pour aller à l'école à vélo"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Des contributions proches existent déjà" in html
    assert evil.get_absolute_url() in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "piscine" not in html
    assert reverse("participation:similar_support", args=[process.slug, evil.pk]) in html


def test_the_hint_is_empty_for_short_or_unrelated_text(client, process) -> None:
    _corpus(process)
    url = reverse("participation:similar", args=[process.slug])

    assert client.post(url, {"title": "Vélo", "body": ""}).content.strip() == b""
    assert (
        client.post(url, {"title": "Concerts gratuits en été", "body": "Musique"}).content.strip()
        == b""
    )
    assert client.get(url).status_code == 405


def test_an_anonymous_visitor_is_offered_to_log_in(client, process) -> None:
    _corpus(process)

    html = client.post(
        reverse("participation:similar", args=[process.slug]),
        {"title": "Des pistes cyclables vers l'école", "body": ""},
    ).content.decode()

    assert reverse("account_login") in html
    assert "hx-post" not in html


def test_supporting_from_the_hint_counts_once(client, process) -> None:
    found = _corpus(process)
    user = UserFactory()
    url = reverse("participation:similar_support", args=[process.slug, found["bikes"].pk])
    assert client.post(url).status_code == 302  # log in first
    client.force_login(user)

    client.post(url, HTTP_HX_REQUEST="true")
    response = client.post(url, HTTP_HX_REQUEST="true")

    assert _fresh(found["bikes"]).support_count == 1
    assert "Vous la soutenez" in response.content.decode()


def test_the_contribution_form_carries_the_hint_region(client, process) -> None:
    client.force_login(UserFactory())

    html = client.get(reverse("participation:create", args=[process.slug])).content.decode()

    assert 'id="similar-hint"' in html
    assert 'aria-live="polite"' in html
    assert "delay:600ms" in html


def test_a_merged_contribution_takes_no_new_support_nor_comment():
    from django.core.exceptions import ValidationError

    from fabrique.accounts.tests.factories import UserFactory
    from fabrique.participation import services
    from fabrique.participation.merging import contribution_merge
    from fabrique.participation.models import Contribution
    from fabrique.participation.tests.factories import open_process

    process = open_process()
    author, other = UserFactory(), UserFactory()
    phase = process.phases.first()
    target, source = (
        Contribution.objects.create(process=process, phase=phase, author=author, title=t, body=t)
        for t in ("Des arbres en ville", "Plus d'arbres en ville")
    )
    contribution_merge(target=target, sources=[source], by=author)
    source.refresh_from_db()
    with pytest.raises(ValidationError):
        services.support_toggle(contribution=source, user=other, support=True)
    with pytest.raises(ValidationError):
        services.comment_post(contribution=source, author=other, body="Bravo")
