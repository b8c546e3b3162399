"""What live sessions show: the state broadcast to pages, results, the synthesis' share.

``live_state`` is what every page of a session receives, the same for everyone (the
broadcaster computes it once per tick and process); ``participant_state`` is what only one
participant sees (their answers, their questions awaiting moderation).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fabrique.core.tabular import csv_for_spreadsheets

from ..models import Workshop
from ..models.live import (
    CODE_LENGTH,
    LiveChoice,
    LiveParticipant,
    LivePoll,
    LivePollOption,
    LiveQuestion,
    LiveResponse,
    LiveSession,
    LiveUpvote,
    LiveWord,
)

# The state sent to every page is kept small: the most supported questions, the most
# frequent words.
STATE_MAX_QUESTIONS = 300
CLOUD_MAX_WORDS = 60
VISIBLE = (LiveQuestion.Status.APPROVED, LiveQuestion.Status.ANSWERED)

PollTallies = dict[str, Any]


def session_for_code(*, code: str, allow_draft: bool = False) -> LiveSession:
    """The session a participant's code opens, or a refusal that says why.

    ``allow_draft``: the facilitators' screens open a session still in preparation.
    """
    from ..services.live import normalize_code

    code = normalize_code(code)
    if len(code) != CODE_LENGTH:
        raise ValidationError(
            _("A code has %(n)d characters, letters and digits.") % {"n": CODE_LENGTH},
            code="format",
        )
    sessions = LiveSession.objects.select_related("workshop__process__territory").filter(code=code)
    session = sessions.exclude(status=LiveSession.Status.CLOSED).first() or sessions.first()
    if session is None:
        raise ValidationError(
            _("No live session has this code. Check it on the screen and try again."),
            code="unknown",
        )
    if session.status == LiveSession.Status.CLOSED:
        raise ValidationError(_("This live session has ended."), code="closed")
    if session.status == LiveSession.Status.DRAFT and not allow_draft:
        raise ValidationError(
            _("This live session has not started yet. Try again in a moment."), code="not_open"
        )
    return session


def _poll_rows(session_id: int, *, drafts: bool) -> list[dict[str, Any]]:
    polls = LivePoll.objects.filter(session_id=session_id)
    if not drafts:
        polls = polls.exclude(status=LivePoll.Status.DRAFT)
    rows = polls.values(
        "id",
        "kind",
        "prompt",
        "status",
        "scale_min",
        "scale_max",
        "scale_min_label",
        "scale_max_label",
        "max_choices",
        "max_words",
        "closed_at",
    )
    return [dict(row) for row in rows]


def _tallies(polls: list[dict[str, Any]]) -> dict[int, PollTallies]:
    """Counts for these polls, in four aggregate queries whatever their number."""
    ids = [p["id"] for p in polls]
    result: dict[int, PollTallies] = {
        p["id"]: {"respondents": 0, "options": [], "scale": None, "words": []} for p in polls
    }
    if not ids:
        return result
    for row in (
        LiveResponse.objects.filter(poll_id__in=ids)
        .values("poll_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        result[row["poll_id"]]["respondents"] = row["n"]
    choice_ids = [p["id"] for p in polls if p["kind"] in (LivePoll.Kind.SINGLE, "multiple")]
    if choice_ids:
        counts = dict(
            LiveChoice.objects.filter(option__poll_id__in=choice_ids)
            .values("option_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("option_id", "n")
        )
        for option in LivePollOption.objects.filter(poll_id__in=choice_ids).values(
            "id", "poll_id", "label"
        ):
            result[option["poll_id"]]["options"].append(
                {"id": option["id"], "label": option["label"], "count": counts.get(option["id"], 0)}
            )
    scales = {p["id"]: p for p in polls if p["kind"] == LivePoll.Kind.SCALE}
    if scales:
        by_value: dict[int, dict[int, int]] = defaultdict(dict)
        for row in (
            LiveResponse.objects.filter(poll_id__in=list(scales), value__isnull=False)
            .values("poll_id", "value")
            .annotate(n=Count("id"))
            .order_by()
        ):
            by_value[row["poll_id"]][row["value"]] = row["n"]
        for poll_id, poll in scales.items():
            values = range(poll["scale_min"], poll["scale_max"] + 1)
            counts_list = [by_value[poll_id].get(v, 0) for v in values]
            total = sum(counts_list)
            mean = (
                round(sum(v * n for v, n in zip(values, counts_list, strict=True)) / total, 2)
                if total
                else None
            )
            result[poll_id]["scale"] = {
                "min": poll["scale_min"],
                "max": poll["scale_max"],
                "min_label": poll["scale_min_label"],
                "max_label": poll["scale_max_label"],
                "counts": counts_list,
                "mean": mean,
            }
    cloud_ids = [p["id"] for p in polls if p["kind"] == LivePoll.Kind.WORDCLOUD]
    if cloud_ids:
        for row in (
            LiveWord.objects.filter(poll_id__in=cloud_ids)
            .values("poll_id", "word")
            .annotate(n=Count("id"))
            .order_by("-n", "word")
        ):
            words = result[row["poll_id"]]["words"]
            if len(words) < CLOUD_MAX_WORDS:
                words.append([row["word"], row["n"]])
    return result


def polls_with_tallies(
    session_id: int,
    *,
    drafts: bool = False,
    closed_cache: dict[int, tuple[Any, PollTallies]] | None = None,
) -> list[dict[str, Any]]:
    """The session's polls with their counts. Counts of closed polls no longer change: with
    ``closed_cache`` they are computed once."""
    polls = _poll_rows(session_id, drafts=drafts)
    to_count = []
    cached: dict[int, PollTallies] = {}
    for poll in polls:
        hit = closed_cache.get(poll["id"]) if closed_cache is not None else None
        if (
            poll["status"] == LivePoll.Status.CLOSED
            and hit is not None
            and hit[0] == poll["closed_at"]
        ):
            cached[poll["id"]] = hit[1]
        else:
            to_count.append(poll)
    counted = _tallies(to_count)
    if closed_cache is not None:
        for poll in to_count:
            if poll["status"] == LivePoll.Status.CLOSED:
                closed_cache[poll["id"]] = (poll["closed_at"], counted[poll["id"]])
    out = []
    for poll in polls:
        tallies = cached.get(poll["id"]) or counted[poll["id"]]
        item: dict[str, Any] = {
            "id": poll["id"],
            "kind": poll["kind"],
            "prompt": poll["prompt"],
            "status": poll["status"],
            "max_choices": poll["max_choices"],
            "max_words": poll["max_words"],
        }
        item.update(tallies)
        if poll["kind"] == LivePoll.Kind.SCALE and item["scale"] is None:
            item["scale"] = {
                "min": poll["scale_min"],
                "max": poll["scale_max"],
                "min_label": poll["scale_min_label"],
                "max_label": poll["scale_max_label"],
                "counts": [0] * (poll["scale_max"] - poll["scale_min"] + 1),
                "mean": None,
            }
        out.append(item)
    return out


def question_rows(session_id: int, statuses: tuple[str, ...], limit: int | None = None) -> list:
    questions = (
        LiveQuestion.objects.filter(session_id=session_id, status__in=statuses)
        .order_by("-upvote_count", "created_at", "pk")
        .values("id", "text", "status", "upvote_count", "participant__nickname")
    )
    if limit is not None:
        questions = questions[:limit]
    return [
        {
            "id": q["id"],
            "text": q["text"],
            "status": q["status"],
            "upvotes": q["upvote_count"],
            "nickname": q["participant__nickname"] or "",
        }
        for q in questions
    ]


def live_state(
    *,
    session_id: int,
    closed_cache: dict[int, tuple[Any, PollTallies]] | None = None,
    pending: bool = False,
) -> dict[str, Any]:
    """What every page of the session shows, stamped with the version it includes.

    The version is read first: every submission whose version is at most it was committed
    before, so the counts read next include it.
    """
    session = (
        LiveSession.objects.filter(pk=session_id)
        .values(
            "version",
            "status",
            "code",
            "screen",
            "screen_poll_id",
            "questions_enabled",
            "questions_premoderated",
        )
        .first()
    )
    if session is None:
        return {"type": "state", "version": 0, "session": {"status": "closed"}}
    state: dict[str, Any] = {
        "type": "state",
        "version": session["version"],
        "session": {
            "status": session["status"],
            "code": session["code"],
            "screen": session["screen"],
            "screen_poll": session["screen_poll_id"],
            "questions_enabled": session["questions_enabled"],
            "premoderated": session["questions_premoderated"],
            "participants": LiveParticipant.objects.filter(session_id=session_id).count(),
        },
        "polls": polls_with_tallies(session_id, closed_cache=closed_cache),
        "questions": question_rows(session_id, VISIBLE, STATE_MAX_QUESTIONS),
    }
    if pending:
        state["pending"] = question_rows(session_id, (LiveQuestion.Status.PENDING,))
    return state


def participant_state(*, participant: LiveParticipant) -> dict[str, Any]:
    """What only this participant sees: their answers, their questions, their supports."""
    answers: dict[str, dict[str, Any]] = {}
    for response in LiveResponse.objects.filter(participant=participant).prefetch_related(
        "choices", "words"
    ):
        answers[str(response.poll_id)] = {
            "options": [c.option_id for c in response.choices.all()],
            "value": response.value,
            "words": [w.word for w in response.words.all()],
        }
    questions = [
        {"id": q["id"], "text": q["text"], "status": q["status"]}
        for q in LiveQuestion.objects.filter(participant=participant)
        .order_by("created_at", "pk")
        .values("id", "text", "status")
    ]
    upvoted = list(
        LiveUpvote.objects.filter(participant=participant).values_list("question_id", flat=True)
    )
    return {
        "nickname": participant.nickname,
        "answers": answers,
        "questions": questions,
        "upvoted": upvoted,
    }


def live_results(*, session: LiveSession) -> dict[str, Any]:
    """Everything a session produced, for the facilitators' console and the export."""
    counts = session.questions.aggregate(
        pending=Count("id", filter=Q(status=LiveQuestion.Status.PENDING)),
        approved=Count("id", filter=Q(status=LiveQuestion.Status.APPROVED)),
        answered=Count("id", filter=Q(status=LiveQuestion.Status.ANSWERED)),
        hidden=Count("id", filter=Q(status=LiveQuestion.Status.HIDDEN)),
    )
    return {
        "polls": polls_with_tallies(session.pk, drafts=True),
        "questions": question_rows(
            session.pk,
            (
                LiveQuestion.Status.PENDING,
                LiveQuestion.Status.APPROVED,
                LiveQuestion.Status.ANSWERED,
                LiveQuestion.Status.HIDDEN,
            ),
        ),
        "question_counts": counts,
        "participants": session.participants.count(),
    }


def live_questions_for_synthesis(*, workshop: Workshop) -> list[str]:
    """The questions people asked that the facilitators showed or answered, most supported
    first: what the synthesis reads from live sessions."""
    return list(
        LiveQuestion.objects.filter(session__workshop=workshop, status__in=VISIBLE)
        .order_by("-upvote_count", "created_at", "pk")
        .values_list("text", flat=True)
    )


def live_export_csv(*, session: LiveSession) -> bytes:
    """Poll results and questions of a session, one line each, for a spreadsheet."""
    results = live_results(session=session)
    rows: list[list[Any]] = []
    rows.append([_("Activity"), _("Kind"), _("Answer or question"), _("Count"), _("Status")])
    kinds = dict(LivePoll.Kind.choices)
    statuses = dict(LiveQuestion.Status.choices)
    poll_statuses = dict(LivePoll.Status.choices)
    for poll in results["polls"]:
        kind = str(kinds[poll["kind"]])
        status = str(poll_statuses[poll["status"]])
        rows.append([poll["prompt"], kind, _("People who answered"), poll["respondents"], status])
        for option in poll["options"]:
            rows.append([poll["prompt"], kind, option["label"], option["count"], status])
        if poll["scale"]:
            scale = poll["scale"]
            for value, count in zip(
                range(scale["min"], scale["max"] + 1), scale["counts"], strict=True
            ):
                rows.append([poll["prompt"], kind, value, count, status])
        for word, count in poll["words"]:
            rows.append([poll["prompt"], kind, word, count, status])
    for question in results["questions"]:
        rows.append(
            [
                _("Questions"),
                _("Question"),
                question["text"],
                question["upvotes"],
                str(statuses[question["status"]]),
            ]
        )
    return csv_for_spreadsheets(rows)
