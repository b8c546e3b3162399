"""Rules of processes: dates, phases, publication, triads, news."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from fabrique.accounts.tests.factories import UserFactory
from fabrique.processes import services
from fabrique.processes.models import BodyMember, GovernanceBody, ParticipationMode, Phase, Process
from fabrique.processes.selectors import key_figures, process_timeline
from fabrique.processes.tests.factories import (
    BodyFactory,
    PhaseFactory,
    ProcessFactory,
    ThemeFactory,
)
from fabrique.territories.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the language they are written in."""
    with translation.override("en"):
        yield


def _phase(process, start, end, **kwargs):
    return services.phase_save(
        process=process,
        kind=kwargs.pop("kind", Phase.Kind.DIAGNOSTIC),
        title=kwargs.pop("title", "Diagnostic"),
        start_date=start,
        end_date=end,
        **kwargs,
    )


def test_a_new_process_is_a_draft_with_a_unique_slug() -> None:
    territory = TerritoryFactory()
    first = services.process_save(
        territory=territory, title="Assises de la transition", summary="…",
        start_date=date(2026, 1, 1), end_date=date(2026, 6, 30),
    )  # fmt: skip
    second = services.process_save(
        territory=territory, title="Assises de la transition", summary="…",
        start_date=date(2026, 1, 1), end_date=date(2026, 6, 30),
    )  # fmt: skip

    assert first.status == Process.Status.DRAFT
    assert (first.slug, second.slug) == ("assises-de-la-transition", "assises-de-la-transition-2")


def test_process_presentation_is_sanitised() -> None:
    process = services.process_save(
        territory=TerritoryFactory(), title="T", summary="S",
        presentation='<p onclick="x()">Bonjour</p><script>1</script><img src="javascript:x">',
        start_date=date(2026, 1, 1), end_date=date(2026, 6, 30),
    )  # fmt: skip

    assert "<script" not in process.presentation
    assert "onclick" not in process.presentation
    assert "javascript" not in process.presentation
    assert "Bonjour" in process.presentation


def test_inverted_process_dates_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        services.process_save(
            territory=TerritoryFactory(), title="T", summary="S",
            start_date=date(2026, 6, 1), end_date=date(2026, 1, 1),
        )  # fmt: skip

    assert "end_date" in error.value.error_dict
    assert not Process.objects.exists()


def test_phases_with_modes_and_the_timeline_says_what_is_open() -> None:
    process = ProcessFactory()
    _phase(process, date(2026, 1, 1), date(2026, 3, 31), modes=[ParticipationMode.SURVEYS])
    open_phase = _phase(
        process, date(2026, 4, 1), date(2026, 6, 30), title="Réflexion",
        kind=Phase.Kind.REFLECTION,
        modes=[ParticipationMode.CONTRIBUTIONS, ParticipationMode.WORKSHOPS],
    )  # fmt: skip
    _phase(process, date(2026, 7, 1), date(2026, 12, 31), title="Restitution")
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)

    timeline = process_timeline(process, today=date(2026, 5, 10))

    assert [p.state(date(2026, 5, 10)) for p in timeline.phases] == ["done", "open", "upcoming"]
    assert timeline.current == [open_phase]
    assert timeline.next.title == "Restitution"
    assert [value for value, _label in timeline.open_modes] == ["contributions", "workshops"]
    assert open_phase.opens(ParticipationMode.WORKSHOPS, today=date(2026, 5, 10))
    assert not open_phase.opens(ParticipationMode.VOTES, today=date(2026, 5, 10))
    assert not open_phase.opens(ParticipationMode.WORKSHOPS, today=date(2026, 7, 10))
    services.process_set_status(process=process, status=Process.Status.CLOSED)
    assert not open_phase.opens(ParticipationMode.WORKSHOPS, today=date(2026, 5, 10))


def test_a_draft_opens_nothing_even_during_a_phase() -> None:
    process = ProcessFactory()
    _phase(process, date(2026, 1, 1), date(2026, 3, 31), modes=[ParticipationMode.CONTRIBUTIONS])

    assert process_timeline(process, today=date(2026, 2, 1)).open_modes == []


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (date(2026, 3, 1), date(2026, 2, 1), "end_date", "before"),
        (date(2026, 2, 15), date(2026, 4, 15), "start_date", "overlap"),
        (date(2025, 12, 1), date(2026, 1, 15), "start_date", "within"),
        (date(2026, 11, 1), date(2027, 1, 15), "end_date", "within"),
    ],
)
def test_bad_phase_dates_are_refused_on_the_field_at_fault(start, end, field, words) -> None:
    process = ProcessFactory()
    _phase(process, date(2026, 1, 1), date(2026, 3, 31), title="Existante")

    with pytest.raises(ValidationError) as error:
        _phase(process, start, end, title="Nouvelle")

    assert field in error.value.error_dict
    assert words in str(error.value.error_dict[field])
    assert process.phases.count() == 1


def test_editing_a_phase_does_not_clash_with_itself() -> None:
    process = ProcessFactory()
    phase = _phase(process, date(2026, 1, 1), date(2026, 3, 31))

    services.phase_save(
        process=process, phase=phase, kind=Phase.Kind.OTHER, custom_kind="Consultation",
        title="Consultation", start_date=date(2026, 1, 1), end_date=date(2026, 4, 30),
        modes=[ParticipationMode.VOTES],
    )  # fmt: skip

    phase.refresh_from_db()
    assert phase.kind_label == "Consultation"
    assert phase.mode_values == ["votes"]


def test_a_free_kind_needs_its_name() -> None:
    with pytest.raises(ValidationError) as error:
        _phase(ProcessFactory(), date(2026, 1, 1), date(2026, 2, 1), kind=Phase.Kind.OTHER)

    assert "custom_kind" in error.value.error_dict


def test_publishing_needs_a_phase() -> None:
    process = ProcessFactory()

    with pytest.raises(ValidationError) as error:
        services.process_set_status(process=process, status=Process.Status.PUBLISHED)

    assert "status" in error.value.error_dict
    process.refresh_from_db()
    assert process.status == Process.Status.DRAFT


def test_publishing_records_the_date_once() -> None:
    process = PhaseFactory().process

    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    first = process.published_at
    services.process_set_status(process=process, status=Process.Status.CLOSED)
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)

    assert first is not None
    assert process.published_at == first


def test_shrinking_the_process_cannot_strand_a_phase() -> None:
    process = PhaseFactory(start_date=date(2026, 11, 1), end_date=date(2026, 12, 31)).process

    with pytest.raises(ValidationError, match="Phase"):
        services.process_save(
            territory=process.territory, process=process, title=process.title,
            summary=process.summary, start_date=date(2026, 1, 1), end_date=date(2026, 6, 30),
        )  # fmt: skip


def _triad():
    theme = ThemeFactory()
    return services.body_save(
        process=theme.process, kind=GovernanceBody.Kind.TRIAD, name="Triade", theme=theme
    )


def test_a_complete_triad_has_one_of_each_role() -> None:
    triad = _triad()
    assert services.triad_missing_roles(triad) == [
        str(BodyMember.Role(role).label) for role in services.TRIAD_ROLES
    ]

    services.member_save(body=triad, name="Élue", role=BodyMember.Role.ELECTED)
    services.member_save(body=triad, name="Pilote", role=BodyMember.Role.TECHNICAL_PILOT)
    services.member_save(body=triad, name="Asso", role=BodyMember.Role.CIVIL_SOCIETY)

    assert services.triad_missing_roles(triad) == []


def test_a_triad_with_two_elected_officials_is_refused() -> None:
    triad = _triad()
    services.member_save(body=triad, name="Anne", role=BodyMember.Role.ELECTED)

    with pytest.raises(ValidationError) as error:
        services.member_save(body=triad, name="Bruno", role=BodyMember.Role.ELECTED)

    assert "Anne, Bruno" in str(error.value)
    assert triad.members.count() == 1


def test_a_triad_takes_no_other_role() -> None:
    with pytest.raises(ValidationError, match="role"):
        services.member_save(body=_triad(), name="Zoé", role=BodyMember.Role.CITIZEN)


def test_a_triad_carries_a_theme_of_its_process() -> None:
    process = ProcessFactory()
    with pytest.raises(ValidationError) as no_theme:
        services.body_save(process=process, kind=GovernanceBody.Kind.TRIAD, name="T")
    with pytest.raises(ValidationError) as other_theme:
        services.body_save(
            process=process, kind=GovernanceBody.Kind.TRIAD, name="T", theme=ThemeFactory()
        )

    assert "theme" in no_theme.value.error_dict
    assert "theme" in other_theme.value.error_dict


def test_turning_a_body_into_a_triad_checks_its_members() -> None:
    body = BodyFactory()
    theme = ThemeFactory(process=body.process)
    services.member_save(body=body, name="A", role=BodyMember.Role.ELECTED)
    services.member_save(body=body, name="B", role=BodyMember.Role.ELECTED)

    with pytest.raises(ValidationError):
        services.body_save(
            process=body.process, body=body, kind=GovernanceBody.Kind.TRIAD, name="T", theme=theme
        )


def test_a_member_without_account_and_one_with() -> None:
    body = BodyFactory()
    user = UserFactory(display_name="Mila")

    named = services.member_save(body=body, name="Jean Sans-Compte", role=BodyMember.Role.CITIZEN)
    linked = services.member_save(body=body, name="", role=BodyMember.Role.MEMBER, user=user)

    assert named.user is None
    assert (linked.name, linked.user) == ("Mila", user)


def test_minutes_cannot_be_published_empty() -> None:
    with pytest.raises(ValidationError) as error:
        services.meeting_save(
            body=BodyFactory(), date=date(2026, 2, 1), title="Réunion", minutes_published=True
        )
    assert "minutes" in error.value.error_dict


def test_news_is_emailed_once_to_followers_only(django_capture_on_commit_callbacks) -> None:
    process = PhaseFactory().process
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    follower, other = UserFactory(), UserFactory()
    services.process_follow(process=process, user=follower)
    services.process_follow(process=process, user=follower)

    with django_capture_on_commit_callbacks(execute=True):
        news = services.news_publish(
            process=process, author=None, title="Lancement", body="C'est parti", send_email=True
        )
    news.refresh_from_db()
    sent_again = services.news_email_followers(news=news)

    assert [m.to for m in mail.outbox] == [[follower.email]]
    assert process.title in mail.outbox[0].subject
    assert "C'est parti" in mail.outbox[0].body
    assert sent_again == 0
    assert other.email not in str([m.to for m in mail.outbox])


def test_news_of_a_draft_is_not_emailed() -> None:
    process = ProcessFactory()
    services.process_follow(process=process, user=UserFactory())

    services.news_publish(process=process, author=None, title="T", body="B", send_email=True)

    assert mail.outbox == []


def test_key_figures_count_public_bodies_and_followers() -> None:
    process = ProcessFactory()
    BodyFactory(process=process)
    BodyFactory(process=process, is_public=False)
    services.process_follow(process=process, user=UserFactory())

    figures = key_figures(process, today=date(2026, 12, 1))

    assert (figures.bodies, figures.followers, figures.days_left) == (1, 1, 30)


@pytest.mark.django_db(transaction=True)
def test_news_e_mails_go_through_the_database_queue_and_a_worker(settings) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    process = PhaseFactory().process
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    services.process_follow(process=process, user=UserFactory(email="suit@exemple.fr"))

    news = services.news_publish(
        process=process, author=None, title="Atelier", body="Samedi", send_email=True
    )

    assert mail.outbox == []  # queued, not sent during the request
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay")
    news.refresh_from_db()
    assert news.emailed_at is not None
    assert [m.to for m in mail.outbox] == [["suit@exemple.fr"]]


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_phases_saved_at_once_give_one_phase() -> None:
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("Row locks are PostgreSQL's; SQLite runs one writer at a time anyway.")
    process = ProcessFactory()
    results: list[str] = []
    barrier = threading.Barrier(2)

    def save(title: str) -> None:
        barrier.wait()
        try:
            _phase(process, date(2026, 2, 1), date(2026, 2, 28), title=title)
            results.append("saved")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["refused", "saved"]
    assert process.phases.count() == 1
