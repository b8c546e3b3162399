"""Rules of participation: who posts when, supports once, answers, moderation, offline voices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation

from fabrique.accounts.models import Notification
from fabrique.accounts.tests.factories import UserFactory
from fabrique.participation import services
from fabrique.participation.models import (
    Contribution,
    ModerationLog,
    Report,
    Support,
    Visibility,
)
from fabrique.participation.selectors import ContributionFilters, contribution_list
from fabrique.participation.tests.factories import closed_process, open_process
from fabrique.processes.tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    with translation.override("en"):
        yield


def _submit(process, author=None, **kwargs):
    return services.contribution_submit(
        process=process,
        author=author or UserFactory(),
        kind=kwargs.pop("kind", Contribution.Kind.IDEA),
        title=kwargs.pop("title", "Des pistes cyclables"),
        body=kwargs.pop("body", "Relier les communes par des pistes sûres."),
        **kwargs,
    )


def test_a_contribution_lands_in_the_open_phase_published_and_followed_by_its_author() -> None:
    process = open_process()
    author = UserFactory()

    contribution = _submit(process, author, themes=[ThemeFactory(process=process)])

    assert contribution.phase == process.phases.get()
    assert contribution.visibility == Visibility.PUBLISHED
    assert contribution.follows.filter(user=author).exists()
    assert contribution.themes.count() == 1


def test_no_contribution_when_no_phase_takes_them() -> None:
    with pytest.raises(ValidationError, match="right now"):
        _submit(closed_process())
    assert not Contribution.objects.exists()


def test_premoderation_holds_contributions_until_accepted() -> None:
    process = open_process()
    settings = services.settings_for(process)
    settings.premoderation = True
    settings.save()
    moderator = UserFactory()

    contribution = _submit(process)
    assert contribution.visibility == Visibility.PENDING
    assert not contribution_list(process, ContributionFilters()).exists()

    services.moderate_contribution(contribution=contribution, moderator=moderator, action="accept")
    assert contribution_list(process, ContributionFilters()).get() == contribution
    assert ModerationLog.objects.get().action == ModerationLog.Action.ACCEPT


@pytest.mark.parametrize(
    ("lat", "lon"), [(Decimal("48.85"), None), (Decimal("40.0"), Decimal("2.35"))]
)
def test_a_point_must_be_complete_and_inside_the_territory(lat, lon) -> None:
    process = open_process()

    with pytest.raises(ValidationError) as error:
        _submit(process, latitude=lat, longitude=lon)

    assert "latitude" in error.value.error_dict


def test_a_point_inside_the_territory_frame_is_kept() -> None:
    process = open_process()
    territory = process.territory
    territory.map_south, territory.map_west = Decimal("46.6"), Decimal("4.6")
    territory.map_north, territory.map_east = Decimal("47.0"), Decimal("5.1")
    territory.save()

    ok = _submit(process, latitude=Decimal("46.78"), longitude=Decimal("4.85"))
    with pytest.raises(ValidationError):
        _submit(process, latitude=Decimal("48.85"), longitude=Decimal("2.35"))

    assert ok.has_point


def test_a_commune_outside_the_territory_is_refused() -> None:
    from fabrique.territories.tests.factories import CommuneFactory

    with pytest.raises(ValidationError) as error:
        _submit(open_process(), commune=CommuneFactory())
    assert "commune" in error.value.error_dict


def test_one_support_per_person_and_withdrawable() -> None:
    contribution = _submit(open_process())
    user = UserFactory()

    services.support_toggle(contribution=contribution, user=user, support=True)
    services.support_toggle(contribution=contribution, user=user, support=True)
    contribution.refresh_from_db()
    assert (contribution.support_count, Support.objects.count()) == (1, 1)

    services.support_toggle(contribution=contribution, user=user, support=False)
    services.support_toggle(contribution=contribution, user=user, support=False)
    contribution.refresh_from_db()
    assert (contribution.support_count, Support.objects.count()) == (0, 0)


def test_supports_freeze_when_the_phase_closes() -> None:
    process = closed_process()
    contribution = Contribution.objects.create(
        process=process, phase=process.phases.get(), title="T", body="B"
    )

    with pytest.raises(ValidationError, match="closed"):
        services.support_toggle(contribution=contribution, user=UserFactory(), support=True)


def test_comments_are_one_level_deep_and_notify_followers(
    django_capture_on_commit_callbacks,
) -> None:
    author = UserFactory(email_notifications="immediate")
    contribution = _submit(open_process(), author)
    first = services.comment_post(contribution=contribution, author=UserFactory(), body="D'accord")

    reply = services.comment_post(
        contribution=contribution, author=UserFactory(), body="Moi aussi", parent=first
    )
    deeper = services.comment_post(
        contribution=contribution, author=UserFactory(), body="Et moi", parent=reply
    )

    assert reply.parent == first
    assert deeper.parent == first
    contribution.refresh_from_db()
    assert contribution.comment_count == 3
    assert Notification.objects.filter(user=author).count() == 3


def test_the_author_edits_within_the_window_and_the_old_version_stays() -> None:
    author = UserFactory()
    contribution = _submit(open_process(), author, title="Avant")

    services.contribution_edit(
        contribution=contribution, user=author, title="Après", body="Nouveau"
    )

    assert contribution.revisions.get().title == "Avant"
    assert contribution.edited_at is not None
    with pytest.raises(ValidationError):
        services.contribution_edit(
            contribution=contribution, user=UserFactory(), title="X", body="Y"
        )


def test_editing_after_the_window_is_refused() -> None:
    author = UserFactory()
    process = open_process()
    settings = services.settings_for(process)
    settings.edit_window_minutes = 0
    settings.save()
    contribution = _submit(process, author)
    Contribution.objects.filter(pk=contribution.pk).update(
        created_at=contribution.created_at.replace(year=2020)
    )
    contribution.refresh_from_db()

    assert not services.contribution_can_edit(contribution, author)


def test_removal_by_the_author_keeps_the_discussion() -> None:
    author = UserFactory()
    contribution = _submit(open_process(), author, body="Mes mots")
    services.comment_post(contribution=contribution, author=UserFactory(), body="Une réponse")

    services.contribution_remove_by_author(contribution=contribution, user=author)

    contribution.refresh_from_db()
    assert contribution.removed_by_author
    assert (contribution.title, contribution.body, contribution.author) == ("", "", None)
    assert contribution.comments.count() == 1


def test_an_official_answer_says_why_and_tells_the_followers() -> None:
    author = UserFactory()
    contribution = _submit(open_process(), author)
    staff = UserFactory()

    with pytest.raises(ValidationError):
        services.contribution_answer(
            contribution=contribution, by=staff, status="not_retained", answer=""
        )
    services.contribution_answer(
        contribution=contribution, by=staff, status="not_retained", answer="",
        reason="Hors compétence de la métropole",
    )  # fmt: skip

    assert contribution.status == Contribution.Status.NOT_RETAINED
    assert Notification.objects.filter(user=author, url=contribution.get_absolute_url()).exists()


def test_hiding_needs_a_reason_and_resolves_reports() -> None:
    contribution = _submit(open_process())
    Report.objects.create(contribution=contribution, reporter=UserFactory(), reason="Insulte")
    moderator = UserFactory()

    with pytest.raises(ValidationError):
        services.moderate_contribution(
            contribution=contribution, moderator=moderator, action="hide"
        )
    services.moderate_contribution(
        contribution=contribution, moderator=moderator, action="hide", reason="Propos injurieux"
    )

    assert contribution.visibility == Visibility.HIDDEN
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert ModerationLog.objects.get().reason == "Propos injurieux"


def test_hiding_a_comment_updates_the_count() -> None:
    contribution = _submit(open_process())
    comment = services.comment_post(
        contribution=contribution, author=UserFactory(), body="Hors sujet"
    )

    services.moderate_comment(
        comment=comment, moderator=UserFactory(), action="hide", reason="Spam"
    )

    contribution.refresh_from_db()
    assert contribution.comment_count == 0


def test_blocking_an_account_is_logged_and_stops_it() -> None:
    process = open_process()
    troll = UserFactory()

    services.account_block(
        user=troll, moderator=UserFactory(), process=process, reason="Spam", block=True
    )

    troll.refresh_from_db()
    assert not troll.is_active
    assert ModerationLog.objects.get().target_user == troll


def test_a_report_twice_by_the_same_person_is_one() -> None:
    contribution = _submit(open_process())
    reporter = UserFactory()

    services.report_submit(reporter=reporter, reason="Pub", contribution=contribution)
    services.report_submit(reporter=reporter, reason="Pub", contribution=contribution)

    assert Report.objects.count() == 1


def test_offline_voice_needs_consent_place_and_date_and_skips_premoderation() -> None:
    process = open_process()
    settings = services.settings_for(process)
    settings.premoderation = True
    settings.save()
    facilitator = UserFactory()

    with pytest.raises(ValidationError) as error:
        _submit(
            process,
            facilitator,
            collected_by=facilitator,
            collected_place="Marché",
            collected_on=date(2026, 5, 2),
        )
    assert "consent" in error.value.error_dict

    collected = _submit(
        process, facilitator, collected_by=facilitator, collected_place="Marché de Saint-Marcel",
        collected_on=date(2026, 5, 2), collected_for="Josette", consent=True,
    )  # fmt: skip
    assert collected.is_collected_in_person
    assert collected.visibility == Visibility.PUBLISHED


def test_posting_too_fast_is_slowed_down(settings) -> None:
    process = open_process()
    author = UserFactory()
    for _i in range(services.POSTS_PER_HOUR):
        _submit(process, author)

    with pytest.raises(ValidationError, match="wait"):
        _submit(process, author)


def test_list_filters_sorts_and_searches() -> None:
    process = open_process()
    theme = ThemeFactory(process=process)
    bike = _submit(process, title="Vélo partout", body="Des pistes", themes=[theme])
    bus = _submit(process, title="Bus le dimanche", body="Plus de lignes", kind="question")
    services.support_toggle(contribution=bus, user=UserFactory(), support=True)

    def titles(**kw):
        return [c.title for c in contribution_list(process, ContributionFilters(**kw), seed="x")]

    assert titles(theme=theme.pk) == ["Vélo partout"]
    assert titles(kind="question") == ["Bus le dimanche"]
    assert titles(sort="supported")[0] == "Bus le dimanche"
    assert titles(q="pistes") == ["Vélo partout"]
    assert sorted(titles(sort="random")) == sorted([bike.title, bus.title])
    assert titles(sort="random") == titles(sort="random")


def test_french_search_finds_words_by_their_stem() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("French stemming is PostgreSQL's; SQLite matches substrings.")
    process = open_process()
    _submit(process, title="Des pistes cyclables", body="Stationnements sécurisés en ville")
    _submit(process, title="Des bus", body="Plus de lignes le dimanche")

    found = contribution_list(process, ContributionFilters(q="piste cyclable stationnement"))

    assert [c.title for c in found] == ["Des pistes cyclables"]


def test_search_ignores_accents_and_case_on_every_database() -> None:
    process = open_process()
    _submit(process, title="Une école à vélo", body="Sécuriser les abords")
    _submit(process, title="Des bus", body="Plus de lignes le dimanche")

    def found(q: str) -> list[str]:
        return [c.title for c in contribution_list(process, ContributionFilters(q=q))]

    assert found("ecole velo") == ["Une école à vélo"]
    assert found("SECURISER") == ["Une école à vélo"]
    assert found("écolé") == ["Une école à vélo"]
    assert found("tramway") == []


def test_notification_e_mails_follow_each_persons_choice(
    django_capture_on_commit_callbacks, mailoutbox
) -> None:
    from django.core.management import call_command

    at_once = UserFactory(email_notifications="immediate")
    daily = UserFactory(email_notifications="daily")
    never = UserFactory(email_notifications="never")
    contribution = _submit(open_process(), at_once)
    for user in (daily, never):
        services.follow_toggle(contribution=contribution, user=user, follow=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(contribution=contribution, author=UserFactory(), body="Bravo")
    assert [m.to for m in mailoutbox] == [[at_once.email]]

    call_command("send_notification_digests")
    call_command("send_notification_digests")
    assert [m.to for m in mailoutbox] == [[at_once.email], [daily.email]]
    assert contribution.get_absolute_url() in mailoutbox[1].body
    assert Notification.objects.filter(user=never, emailed_at__isnull=True).count() == 1
