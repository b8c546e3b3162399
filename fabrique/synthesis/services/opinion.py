"""Writes on opinion maps: activities, statements, votes, and the computation of the map."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.models import User
from fabrique.participation.models import Contribution, ModerationLog
from fabrique.participation.services import moderation_record
from fabrique.processes.models import Process

from ..models.opinion import (
    STATEMENT_MAX_LENGTH,
    OpinionActivity,
    OpinionComputation,
    Statement,
    StatementVote,
)
from .progress import progress_writer

logger = logging.getLogger(__name__)

# A computation that has not moved for this long was interrupted (a worker stopped).
STALE_AFTER = timedelta(minutes=15)
# A participant may have this many statements awaiting moderation at once.
PENDING_PER_PARTICIPANT = 5
GROUP_LABELS = "ABCDEFGHIJ"


# --- Activities -------------------------------------------------------------------------


def opinion_activity_save(
    *,
    process: Process,
    title: str,
    introduction: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    allow_participant_statements: bool = False,
    activity: OpinionActivity | None = None,
    by: User | None = None,
) -> OpinionActivity:
    if activity is None:
        activity = OpinionActivity(process=process, created_by=by)
    elif activity.process_id != process.pk:
        raise ValidationError(_("This opinion map belongs to another process."))
    activity.title = title.strip()
    activity.introduction = introduction.strip()
    activity.opens_at = opens_at
    activity.closes_at = closes_at
    activity.allow_participant_statements = allow_participant_statements
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The closing date must come after the opening.")})
    activity.full_clean(exclude=["created_by"])
    activity.save()
    return activity


def opinion_activity_set_status(*, activity: OpinionActivity, status: str) -> OpinionActivity:
    """Open (votes are taken), close (votes are refused), or back to draft before any vote."""
    if status not in OpinionActivity.Status.values:
        raise ValidationError(_("Unknown status."))
    if status == OpinionActivity.Status.OPEN:
        accepted = activity.statements.filter(status=Statement.Status.ACCEPTED).count()
        if accepted < 2 and not activity.allow_participant_statements:
            raise ValidationError(
                _("Add at least two statements before opening the votes (%(n)d so far).")
                % {"n": accepted}
            )
    if (
        status == OpinionActivity.Status.DRAFT
        and StatementVote.objects.filter(statement__activity=activity).exists()
    ):
        raise ValidationError(
            _("People have already voted: the opinion map can be closed, not put back in draft.")
        )
    activity.status = status
    activity.save(update_fields=["status", "updated_at"])
    return activity


# --- Statements -------------------------------------------------------------------------


def statement_clean(text: str) -> str:
    """One line of text, without the spaces around or doubled."""
    return re.sub(r"\s+", " ", text or "").strip()


def statement_problem(text: str) -> str | None:
    """What is wrong with a statement's text, in words, or None."""
    if not text:
        return _("the statement is empty.")
    if len(text) > STATEMENT_MAX_LENGTH:
        return ngettext(
            "%(n)d character, %(max)d at most.", "%(n)d characters, %(max)d at most.", len(text)
        ) % {"n": len(text), "max": STATEMENT_MAX_LENGTH}
    return None


def _existing_texts(activity: OpinionActivity) -> set[str]:
    return {
        t.casefold()
        for t in activity.statements.exclude(status=Statement.Status.REJECTED).values_list(
            "text", flat=True
        )
    }


def statement_lines_parse(*, activity: OpinionActivity, text: str) -> list[str]:
    """The statements typed one per line; blank lines are skipped. Every faulty line is
    reported with its number, and then nothing is kept."""
    existing = _existing_texts(activity)
    seen: dict[str, int] = {}
    statements: list[str] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = statement_clean(raw)
        if not line:
            continue
        problem = statement_problem(line)
        if problem is None and line.casefold() in existing:
            problem = _("this statement is already in the list.")
        if problem is None and line.casefold() in seen:
            problem = _("the same as line %(n)d.") % {"n": seen[line.casefold()]}
        if problem:
            errors.append(_("Line %(n)d: %(problem)s") % {"n": number, "problem": problem})
            continue
        seen[line.casefold()] = number
        statements.append(line)
    if errors:
        raise ValidationError(errors)
    if not statements:
        raise ValidationError(_("Type at least one statement, one per line."))
    return statements


def _next_position(activity: OpinionActivity) -> int:
    last = activity.statements.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def statements_add(*, activity: OpinionActivity, text: str, by: User | None) -> list[Statement]:
    """Add the statements typed one per line; all of them, or none when a line is faulty."""
    activity = OpinionActivity.objects.select_for_update().get(pk=activity.pk)
    lines = statement_lines_parse(activity=activity, text=text)
    start = _next_position(activity)
    return Statement.objects.bulk_create(
        Statement(
            activity=activity,
            text=line,
            author=by,
            status=Statement.Status.ACCEPTED,
            position=start + i,
        )
        for i, line in enumerate(lines)
    )


@dataclass(frozen=True)
class FromContribution:
    contribution: Contribution
    text: str


@transaction.atomic
def statements_from_contributions(
    *, activity: OpinionActivity, items: Sequence[FromContribution], by: User | None
) -> list[Statement]:
    """Each chosen contribution becomes a statement linked to it, with the text staff gave
    (its title by default). All of them, or none when one is faulty."""
    activity = OpinionActivity.objects.select_for_update().get(pk=activity.pk)
    if not items:
        raise ValidationError(_("Tick at least one contribution."))
    existing = _existing_texts(activity)
    already = set(
        activity.statements.filter(source_contribution__isnull=False).values_list(
            "source_contribution_id", flat=True
        )
    )
    errors: list[str] = []
    cleaned: list[tuple[Contribution, str]] = []
    seen: set[str] = set()
    for item in items:
        contribution = item.contribution
        text = statement_clean(item.text)
        problem = statement_problem(text)
        if contribution.process_id != activity.process_id:
            problem = _("this contribution belongs to another process.")
        elif contribution.pk in already:
            problem = _("this contribution is already a statement.")
        elif problem is None and (text.casefold() in existing or text.casefold() in seen):
            problem = _("this statement is already in the list.")
        if problem:
            errors.append(
                _("« %(title)s »: %(problem)s") % {"title": contribution.title, "problem": problem}
            )
            continue
        seen.add(text.casefold())
        cleaned.append((contribution, text))
    if errors:
        raise ValidationError(errors)
    start = _next_position(activity)
    return Statement.objects.bulk_create(
        Statement(
            activity=activity,
            text=text,
            source_contribution=contribution,
            author=by,
            status=Statement.Status.ACCEPTED,
            position=start + i,
        )
        for i, (contribution, text) in enumerate(cleaned)
    )


def _others_voted(statement: Statement) -> bool:
    votes = statement.votes.all()
    if statement.author_id is not None:
        votes = votes.exclude(voter_id=statement.author_id)
    return votes.exists()


def statement_edit(*, statement: Statement, text: str) -> Statement:
    """Correct a statement, as long as nobody (but its author) has voted on it."""
    text = statement_clean(text)
    problem = statement_problem(text)
    if problem:
        raise ValidationError({"text": problem})
    if _others_voted(statement):
        raise ValidationError(
            _(
                "People have voted on this statement: changing it would change what they "
                "answered. Withdraw it and add a new one instead."
            )
        )
    statement.text = text
    statement.full_clean()
    statement.save(update_fields=["text"])
    return statement


@transaction.atomic
def statement_propose(*, activity: OpinionActivity, author: User, text: str) -> Statement:
    """A participant proposes a statement; it is put to the vote once accepted. As its
    author, they agree with it."""
    activity = OpinionActivity.objects.select_for_update().get(pk=activity.pk)
    if not activity.allow_participant_statements:
        raise ValidationError(_("This opinion map does not take statements from participants."))
    if not activity.takes_votes():
        raise ValidationError(_("This opinion map is not open: it does not take statements."))
    text = statement_clean(text)
    problem = statement_problem(text)
    if problem:
        raise ValidationError({"text": problem})
    if text.casefold() in _existing_texts(activity):
        raise ValidationError({"text": _("This statement is already in the list.")})
    pending = activity.statements.filter(author=author, status=Statement.Status.PENDING).count()
    if pending >= PENDING_PER_PARTICIPANT:
        raise ValidationError(
            _(
                "You already have %(n)d statements awaiting moderation. Please wait until they "
                "have been read."
            )
            % {"n": pending}
        )
    statement = Statement.objects.create(
        activity=activity,
        text=text,
        author=author,
        by_participant=True,
        status=Statement.Status.PENDING,
        position=_next_position(activity),
    )
    StatementVote.objects.create(statement=statement, voter=author, value=1)
    return statement


def statement_moderate(
    *, statement: Statement, moderator: User, accept: bool, reason: str = ""
) -> Statement:
    """Put a statement to the vote, or withdraw it (its votes are then left out of the map).
    The decision goes into the process's moderation log."""
    reason = reason.strip()[:300]
    if not accept and statement.by_participant and not reason:
        raise ValidationError(
            {"reason": _("Say why the statement is refused: its author will see it.")}
        )
    with transaction.atomic():
        statement.status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
        statement.moderation_reason = "" if accept else reason
        statement.save(update_fields=["status", "moderation_reason"])
        moderation_record(
            process=statement.activity.process,
            moderator=moderator,
            action=ModerationLog.Action.ACCEPT if accept else ModerationLog.Action.REFUSE,
            subject=_("Statement « %(text)s »") % {"text": statement.text},
            reason=statement.moderation_reason,
        )
    return statement


# --- Votes ------------------------------------------------------------------------------


def statement_vote(*, statement: Statement, voter: User, value: int) -> StatementVote:
    """Record an answer; answering the same statement again replaces the answer."""
    if value not in StatementVote.Value.values:
        raise ValidationError(_("Unknown answer."))
    activity = statement.activity
    if not activity.takes_votes():
        if activity.status == OpinionActivity.Status.CLOSED or (
            activity.closes_at and activity.closes_at <= timezone.now()
        ):
            raise ValidationError(_("This opinion map is closed: votes are no longer taken."))
        raise ValidationError(_("This opinion map is not open to votes yet."))
    if statement.status != Statement.Status.ACCEPTED:
        raise ValidationError(_("This statement is not put to the vote."))
    now = timezone.now()
    try:
        with transaction.atomic():
            vote, _created = StatementVote.objects.update_or_create(
                statement=statement, voter=voter, defaults={"value": value, "voted_at": now}
            )
    except IntegrityError:
        # The same answer sent twice at once (a double click): the other one created it.
        vote = StatementVote.objects.get(statement=statement, voter=voter)
        if vote.value != value:
            vote.value, vote.voted_at = value, now
            vote.save(update_fields=["value", "voted_at"])
    return vote


# --- Computations -----------------------------------------------------------------------


def computations_mark_stale(*, activity: OpinionActivity, now: datetime | None = None) -> int:
    """A computation that has not moved for a long while was interrupted: say so, so that it
    can be launched again."""
    now = now or timezone.now()
    stale = OpinionComputation.objects.filter(
        activity=activity,
        status__in=[OpinionComputation.Status.QUEUED, OpinionComputation.Status.RUNNING],
        updated_at__lt=now - STALE_AFTER,
    )
    return stale.update(
        status=OpinionComputation.Status.FAILED,
        error=_(
            "The computation was interrupted, or never started: the server may have stopped or "
            "the background tasks may not be running. Launch it again; if it happens again, "
            "tell the platform's administrator."
        ),
        updated_at=now,
    )


def opinion_computation_launch(
    *,
    activity: OpinionActivity,
    by: User | None,
    min_votes: int = 7,
    max_groups: int = 5,
) -> OpinionComputation:
    """A new version of the map, waiting for a worker. One at a time per activity."""
    if not 1 <= min_votes <= 1000:
        raise ValidationError({"min_votes": _("Between 1 and 1000 votes.")})
    if not 2 <= max_groups <= len(GROUP_LABELS):
        raise ValidationError(
            {"max_groups": _("Between 2 and %(n)d groups.") % {"n": len(GROUP_LABELS)}}
        )
    computations_mark_stale(activity=activity)
    try:
        with transaction.atomic():
            activity = OpinionActivity.objects.select_for_update().get(pk=activity.pk)
            last = activity.computations.aggregate(last=Max("number"))["last"] or 0
            computation = OpinionComputation.objects.create(
                activity=activity,
                number=last + 1,
                min_votes=min_votes,
                max_groups=max_groups,
                created_by=by,
                stage=_("Waiting for a worker…"),
            )
    except IntegrityError:
        raise ValidationError(_busy()) from None
    _enqueue(computation)
    return computation


def _busy() -> str:
    return _("A computation of this opinion map is already under way: wait for it to finish.")


def _enqueue(computation: OpinionComputation) -> None:
    from ..opinion_tasks import opinion_compute_task

    transaction.on_commit(lambda: opinion_compute_task.enqueue(computation.pk))


def opinion_computation_retry(*, computation: OpinionComputation) -> OpinionComputation:
    """Run a failed version again, from the start, on the votes as they are now."""
    computations_mark_stale(activity=computation.activity)
    computation.refresh_from_db()
    if computation.status != OpinionComputation.Status.FAILED:
        raise ValidationError(_("Only a failed computation can be retried."))
    try:
        with transaction.atomic():
            OpinionComputation.objects.filter(pk=computation.pk).update(
                status=OpinionComputation.Status.QUEUED,
                progress=0,
                error="",
                stage=_("Waiting for a worker…"),
                updated_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(_busy()) from None
    computation.refresh_from_db()
    _enqueue(computation)
    return computation


@transaction.atomic
def opinion_computation_publish(*, computation: OpinionComputation) -> OpinionComputation:
    """Show this version of the map on the public results page (in place of any other)."""
    if computation.status != OpinionComputation.Status.DONE:
        raise ValidationError(_("Only a finished computation can be published."))
    OpinionActivity.objects.select_for_update().get(pk=computation.activity_id)
    OpinionComputation.objects.filter(activity_id=computation.activity_id).exclude(
        pk=computation.pk
    ).update(published_at=None)
    computation.published_at = timezone.now()
    computation.save(update_fields=["published_at"])
    return computation


def opinion_results_unpublish(*, activity: OpinionActivity) -> None:
    """The public results page shows nothing any more."""
    OpinionComputation.objects.filter(activity=activity).update(published_at=None)


def viewer_key(computation_id: int, user_id: int) -> str:
    """Where a person's own dot is found, under a key that says nothing about who they are
    to anyone without the site's secret key."""
    message = f"opinion-point:{computation_id}:{user_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:24]


@dataclass
class VoteMatrix:
    statements: list[Statement]
    voters: list[int]  # user ids, in the order of the engine's participants
    votes: list[tuple[int, int, int]]  # (participant, statement, value)


def vote_matrix(activity: OpinionActivity) -> VoteMatrix:
    """The votes on the statements put to the vote, as indices for the engine."""
    statements = list(activity.statements.filter(status=Statement.Status.ACCEPTED))
    statement_index = {s.pk: i for i, s in enumerate(statements)}
    rows = (
        StatementVote.objects.filter(statement_id__in=statement_index)
        .order_by("voter_id", "statement_id")
        .values_list("voter_id", "statement_id", "value")
    )
    voter_index: dict[int, int] = {}
    votes: list[tuple[int, int, int]] = []
    for voter_id, statement_id, value in rows.iterator(chunk_size=5000):
        participant = voter_index.setdefault(voter_id, len(voter_index))
        votes.append((participant, statement_index[statement_id], value))
    return VoteMatrix(statements=statements, voters=list(voter_index), votes=votes)


def _running(computation: OpinionComputation) -> QuerySet[OpinionComputation]:
    return OpinionComputation.objects.filter(
        pk=computation.pk, status=OpinionComputation.Status.RUNNING
    )


def _fail(computation: OpinionComputation, reason: str) -> OpinionComputation:
    # Only while running: a computation marked as stalled meanwhile keeps that state.
    _running(computation).update(
        status=OpinionComputation.Status.FAILED,
        error=reason,
        updated_at=timezone.now(),
    )
    computation.refresh_from_db()
    return computation


def opinion_computation_run(
    *,
    computation: OpinionComputation,
    progress: Callable[[float, str], None] | None = None,
) -> OpinionComputation:
    """Compute the map from the votes as they are now; a failure is kept with its reason."""
    from ..opinion import OpinionInputError

    claimed = OpinionComputation.objects.filter(
        pk=computation.pk, status=OpinionComputation.Status.QUEUED
    ).update(
        status=OpinionComputation.Status.RUNNING,
        started_at=timezone.now(),
        updated_at=timezone.now(),
        progress=0,
        stage=_("Reading the votes…"),
    )
    if not claimed:
        computation.refresh_from_db()
        return computation  # already run, or running elsewhere
    computation.refresh_from_db()
    writer = progress_writer(
        OpinionComputation, computation.pk, whole=True, updated_at=timezone.now
    )

    def report(fraction: float, stage: str = "") -> None:
        writer(fraction, stage)
        if progress is not None:
            progress(fraction, stage)

    try:
        matrix = vote_matrix(computation.activity)
        report(0.1, _("Reading the votes…"))
        problem = _input_problem(matrix, computation.min_votes)
        if problem:
            return _fail(computation, problem)
        result = _engine_compute(matrix, computation, report)
        report(0.9, _("Saving the map…"))
        public, viewer_points = _stored_result(matrix, result, computation)
    except OpinionInputError as error:
        return _fail(computation, _("The votes cannot make a map: %(reason)s") % {"reason": error})
    except Exception as error:  # a failed job says why, whatever happened
        logger.exception("Opinion map computation %s failed", computation.pk)
        return _fail(
            computation,
            _("The computation stopped on an unexpected error (%(error)s). Launch it again; if "
              "it fails again, tell the platform's administrator.")
            % {"error": f"{type(error).__name__}: {error}"[:300]},
        )  # fmt: skip
    now = timezone.now()
    _running(computation).update(
        status=OpinionComputation.Status.DONE,
        progress=100,
        stage=_("Done."),
        result=public,
        viewer_points=viewer_points,
        computed_at=now,
        updated_at=now,
        error="",
    )
    computation.refresh_from_db()
    return computation


def _input_problem(matrix: VoteMatrix, min_votes: int) -> str | None:
    """Why these votes cannot make a map, in words a member of staff can act upon. The
    participant filter is the engine's: at least ``min_votes`` answers, or every statement
    that has answers when there are fewer."""
    if len(matrix.statements) < 2:
        return _("At least two statements must be put to the vote.")
    if not matrix.votes:
        return _("Nobody has answered the statements yet.")
    counts: dict[int, int] = {}
    answered: set[int] = set()
    for participant, statement, _value in matrix.votes:
        counts[participant] = counts.get(participant, 0) + 1
        answered.add(statement)
    threshold = max(1, min(min_votes, len(answered)))
    enough = sum(1 for n in counts.values() if n >= threshold)
    if enough < 4:
        return ngettext(
            "Only %(n)d person has answered enough statements (%(min)d at least); at least 4 are "
            "needed to find groups. Wait for more votes, or lower the minimum of answers.",
            "Only %(n)d people have answered enough statements (%(min)d at least); at least 4 are "
            "needed to find groups. Wait for more votes, or lower the minimum of answers.",
            enough,
        ) % {"n": enough, "min": threshold}
    return None


def _engine_compute(
    matrix: VoteMatrix, computation: OpinionComputation, report: Callable[[float, str], None]
) -> Any:
    from ..opinion import opinion_compute

    report(0.2, _("Finding the groups…"))
    return opinion_compute(
        matrix.votes,
        n_participants=len(matrix.voters),
        n_statements=len(matrix.statements),
        min_votes=computation.min_votes,
        max_groups=computation.max_groups,
        seed=computation.seed,
    )


@dataclass
class EngineOutput:
    """What the map needs from the engine."""

    coordinates: list[tuple[float, float]]  # per participant
    groups: list[int]  # per participant; -1: left out (too few answers)
    k: int
    silhouette: float | None
    representative: list[list[dict[str, Any]]]  # per group: statement, direction, significant
    consensus: list[dict[str, Any]]  # statement, direction
    divisive: list[int]
    explained: list[float]
    min_votes_used: int


def _from_engine(result: Any) -> EngineOutput:
    return EngineOutput(
        coordinates=[(float(x), float(y)) for x, y in result.coordinates],
        groups=[int(g) for g in result.groups],
        k=int(result.k),
        silhouette=None if result.silhouette is None else float(result.silhouette),
        representative=[
            [
                {
                    "statement": int(r.statement),
                    "direction": str(r.direction),
                    "significant": bool(r.significant),
                }
                for r in group
            ]
            for group in result.representative
        ],
        consensus=[
            {"statement": int(c.statement), "direction": str(c.direction)} for c in result.consensus
        ],
        divisive=[int(d.statement) for d in result.divisive],
        explained=[float(v) for v in result.explained_variance],
        min_votes_used=int(result.min_votes_used),
    )


def _shares(counts: dict[str, int]) -> dict[str, float]:
    seen = counts["agree"] + counts["disagree"] + counts["pass"]
    if not seen:
        return {"agree": 0.0, "disagree": 0.0, "pass": 0.0}
    return {k: round(counts[k] / seen, 4) for k in ("agree", "disagree", "pass")}


def _stored_result(
    matrix: VoteMatrix, result: Any, computation: OpinionComputation
) -> tuple[dict[str, Any], dict[str, int]]:
    """What the results page shows (no user id in it), and where each person's dot is."""
    out = _from_engine(result)
    n_groups = out.k
    names = {1: "agree", -1: "disagree", 0: "pass"}
    overall = [{"agree": 0, "disagree": 0, "pass": 0} for _s in matrix.statements]
    by_group = [
        [{"agree": 0, "disagree": 0, "pass": 0} for _g in range(n_groups)]
        for _s in matrix.statements
    ]
    for participant, statement, value in matrix.votes:
        overall[statement][names[value]] += 1
        group = out.groups[participant]
        if 0 <= group < n_groups:
            by_group[statement][group][names[value]] += 1
    sizes = [0] * n_groups
    for group in out.groups:
        if 0 <= group < n_groups:
            sizes[group] += 1
    # The dots, in an order that says nothing of who is who (not the order of the votes).
    placed = sorted(
        (
            (round(out.coordinates[p][0], 4), round(out.coordinates[p][1], 4), out.groups[p], p)
            for p in range(len(matrix.voters))
            if 0 <= out.groups[p] < n_groups
        ),
    )
    viewer_points = {
        viewer_key(computation.pk, matrix.voters[p]): i for i, (_x, _y, _g, p) in enumerate(placed)
    }
    points = [[x, y, g] for x, y, g, _p in placed]
    public: dict[str, Any] = {
        "k": n_groups,
        "silhouette": None if out.silhouette is None else round(float(out.silhouette), 4),
        "explained": [round(float(v), 4) for v in out.explained],
        "min_votes": out.min_votes_used,
        "max_groups": computation.max_groups,
        "participants": {
            "voters": len(matrix.voters),
            "in_map": len(points),
            "left_out": len(matrix.voters) - len(points),
        },
        "vote_count": len(matrix.votes),
        "statements": [
            {
                "id": s.pk,
                "text": s.text,
                "counts": overall[i],
                "groups": by_group[i],
            }
            for i, s in enumerate(matrix.statements)
        ],
        "groups": [
            {
                "label": GROUP_LABELS[g],
                "size": sizes[g],
                "representative": out.representative[g],
            }
            for g in range(n_groups)
        ],
        "consensus": out.consensus,
        "divisive": list(out.divisive),
        "points": points,
    }
    return public, viewer_points
