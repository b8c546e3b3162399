"""Live sessions: open and close them, join, ask and support questions, moderate, run polls.

The websocket consumer and the plain HTTP views (pages without JavaScript) call these same
functions. Refusals are ``ValidationError`` with a French message.

Counting exactly under a crowd:
- the database refuses what must never be: a second answer to a poll, a second upvote, a
  submission id stored twice (a resend after a lost connection is found by its id and
  acknowledged, not stored again);
- a participant's submission holds a KEY SHARE lock on the session's and the poll's rows,
  which the facilitators' closing (FOR UPDATE) waits for: nothing is counted after a close,
  yet submissions do not wait for one another;
- once a submission is committed, the session's ``version`` is raised (``_bump``): results
  read after reading version V include every submission acknowledged with V or less.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.models import User

from ..models import Workshop
from ..models.live import (
    NICKNAME_MAX_LENGTH,
    OPTION_MAX_LENGTH,
    PROMPT_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    WORD_MAX_LENGTH,
    LiveChoice,
    LiveParticipant,
    LivePoll,
    LivePollOption,
    LiveQuestion,
    LiveResponse,
    LiveSession,
    LiveUpvote,
    LiveWord,
    new_code,
)

MAX_OPTIONS = 12
MIN_OPTIONS = 2
CODE_ATTEMPTS = 20


@dataclass(frozen=True)
class Submission:
    """What a participant's submission became: the stored row, the session version it
    produced, and whether it was a resend of one already stored."""

    obj: Model
    version: int
    duplicate: bool = False


# --- Helpers ------------------------------------------------------------------------------


def _lock(session_id: int) -> LiveSession:
    """Lock the session's row for a facilitator's change (waits for the participants'
    submissions in progress, holds new ones until this change is committed)."""
    return LiveSession.objects.select_for_update().get(pk=session_id)


def _bump(session: LiveSession) -> int:
    """Raise the version of a session locked by ``_lock``; return the new one."""
    session.version += 1
    LiveSession.objects.filter(pk=session.pk).update(version=session.version)
    return session.version


def _key_share(table: str, pk: int) -> str | None:
    """The status of a row, read under a KEY SHARE lock on PostgreSQL (SQLite serialises
    writers anyway)."""
    with connection.cursor() as cursor:
        lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{lock}", [pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _check_open(session_id: int) -> None:
    """Participants act only while the session is open."""
    status = _key_share(LiveSession._meta.db_table, session_id)
    if status == LiveSession.Status.CLOSED:
        raise ValidationError(_("This live session has ended."), code="closed")
    if status != LiveSession.Status.OPEN:
        raise ValidationError(_("This live session has not started yet."), code="not_open")


def _bump_committed(session_id: int) -> int:
    """Raise the session's version once a submission is committed; return the new one.

    Its own short transaction: the row is locked only for this statement. The version only
    stamps results, so its commit need not wait for the disk (the submission's did). On
    PostgreSQL, one round trip.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        table = LiveSession._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "BEGIN; SET LOCAL synchronous_commit TO OFF; "
                f"UPDATE {table} SET version = version + 1 WHERE id = {int(session_id)} "
                "RETURNING version; COMMIT;"
            )
            raw = cursor.cursor
            while raw.description is None and raw.nextset():
                pass
            row = raw.fetchone()
            return int(row[0]) if row else 0
    with transaction.atomic():
        LiveSession.objects.filter(pk=session_id).update(version=F("version") + 1)
        return int(
            LiveSession.objects.filter(pk=session_id).values_list("version", flat=True).get()
        )


def _once(submit: Callable[[], Submission]) -> Submission:
    """Run a submission; if the database refused a duplicate that raced it (the same id
    sent twice at once, or a second answer), run it again: it now finds the first."""
    try:
        return submit()
    except IntegrityError:
        return submit()


def _client_uuid(client_id: uuid.UUID | str | None) -> uuid.UUID:
    if client_id is None or client_id == "":
        return uuid.uuid4()
    if isinstance(client_id, uuid.UUID):
        return client_id
    try:
        return uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError(_("This submission is malformed."), code="client_id") from None


def _previous(model: type[Any], client_id: uuid.UUID, participant: LiveParticipant) -> Any:
    """The row a resend with this client id already stored, if any."""
    existing = model.objects.filter(client_id=client_id).first()
    if existing is not None and existing.participant_id != participant.pk:
        raise ValidationError(_("This submission is malformed."), code="client_id")
    return existing


def _stored(obj: Model, session_id: int, *, duplicate: bool = False) -> Submission:
    """A committed submission, with the version that includes it. A resend also raises the
    version: its original may have been committed a moment ago without its version yet."""
    return Submission(obj, _bump_committed(session_id), duplicate=duplicate)


def _clean_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


# --- Sessions -----------------------------------------------------------------------------


def session_create(
    *,
    workshop: Workshop,
    created_by: User | None = None,
    questions_enabled: bool = True,
    questions_premoderated: bool = True,
) -> LiveSession:
    """A new session in preparation, with a join code no other running session uses."""
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return LiveSession.objects.create(
                    workshop=workshop,
                    created_by=created_by,
                    code=new_code(),
                    questions_enabled=questions_enabled,
                    questions_premoderated=questions_premoderated,
                )
        except IntegrityError:
            continue
    raise ValidationError(_("No free code could be found; please try again."), code="code")


def session_open(*, session: LiveSession) -> int:
    """Open the session to participants (again, after it was closed: with a new code if
    another session took its code meanwhile)."""
    with transaction.atomic():
        locked = _lock(session.pk)
        if locked.status == LiveSession.Status.OPEN:
            return locked.version
        if (
            locked.status == LiveSession.Status.CLOSED
            and LiveSession.objects.filter(code=locked.code)
            .exclude(status=LiveSession.Status.CLOSED)
            .exists()
        ):
            locked.code = new_code()
        locked.status = LiveSession.Status.OPEN
        locked.opened_at = timezone.now()
        locked.closed_at = None
        locked.version += 1
        locked.save(update_fields=["status", "opened_at", "closed_at", "code", "version"])
    session.refresh_from_db()
    return locked.version


def session_close(*, session: LiveSession) -> int:
    """Close the session: participants can no longer answer; open polls close with it."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(session.pk)
        if locked.status == LiveSession.Status.CLOSED:
            return locked.version
        locked.polls.filter(status=LivePoll.Status.OPEN).update(
            status=LivePoll.Status.CLOSED, closed_at=now
        )
        locked.status = LiveSession.Status.CLOSED
        locked.closed_at = now
        locked.version += 1
        locked.save(update_fields=["status", "closed_at", "version"])
    session.refresh_from_db()
    return locked.version


def session_settings(
    *, session: LiveSession, questions_enabled: bool, questions_premoderated: bool
) -> int:
    with transaction.atomic():
        locked = _lock(session.pk)
        locked.questions_enabled = questions_enabled
        locked.questions_premoderated = questions_premoderated
        locked.version += 1
        locked.save(update_fields=["questions_enabled", "questions_premoderated", "version"])
    session.refresh_from_db()
    return locked.version


def session_show(*, session: LiveSession, screen: str, poll_id: int | None = None) -> int:
    """Choose what the projector shows: how to join, the questions, or one poll."""
    if screen not in LiveSession.Screen.values:
        raise ValidationError(_("The screen cannot show this."), code="screen")
    with transaction.atomic():
        locked = _lock(session.pk)
        poll = None
        if screen == LiveSession.Screen.POLL:
            poll = LivePoll.objects.filter(session=locked, pk=poll_id or 0).first()
            if poll is None:
                raise ValidationError(_("This poll is not part of the session."), code="poll")
        locked.screen = screen
        locked.screen_poll = poll
        locked.version += 1
        locked.save(update_fields=["screen", "screen_poll", "version"])
    session.refresh_from_db()
    return locked.version


# --- Participants -------------------------------------------------------------------------


def participant_join(
    *, session: LiveSession, nickname: str, user: User | None = None
) -> LiveParticipant:
    """Join with a nickname; someone logged in who already joined comes back as themselves."""
    nickname = _clean_text(nickname)
    if not nickname:
        raise ValidationError({"nickname": _("Choose a nickname.")}, code="nickname")
    if len(nickname) > NICKNAME_MAX_LENGTH:
        raise ValidationError(
            {
                "nickname": _("A nickname is at most %(max)d characters long.")
                % {"max": NICKNAME_MAX_LENGTH}
            },
            code="nickname",
        )
    user = user if user is not None and user.is_authenticated else None
    # The status of the session as the caller read it (a page request, a websocket's
    # connection), without reading it again nor locking: joining counts nothing, a crowd
    # joins at once, and a participant who joins as the session closes can send nothing.
    status = session.status
    if status != LiveSession.Status.OPEN:
        if status == LiveSession.Status.CLOSED:
            raise ValidationError(_("This live session has ended."), code="closed")
        raise ValidationError(_("This live session has not started yet."), code="not_open")
    if user is not None:
        existing = LiveParticipant.objects.filter(session=session, user=user).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return LiveParticipant.objects.create(
                        session=session, nickname=nickname, user=user
                    )
            except IntegrityError:  # the same person joined twice at once
                existing = LiveParticipant.objects.get(session=session, user=user)
        if existing.nickname != nickname:
            existing.nickname = nickname
            existing.save(update_fields=["nickname"])
        return existing
    return LiveParticipant.objects.create(session=session, nickname=nickname, user=user)


def participant_for_token(*, session: LiveSession, token: str) -> LiveParticipant | None:
    if not token:
        return None
    return LiveParticipant.objects.filter(session=session, token=token).first()


# --- Questions ----------------------------------------------------------------------------


def question_post(
    *, participant: LiveParticipant, text: str, client_id: uuid.UUID | str | None = None
) -> Submission:
    text = _clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write your question.")}, code="empty")
    if len(text) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            {
                "text": ngettext(
                    "A question is at most %(max)d characters long; yours has %(count)d.",
                    "A question is at most %(max)d characters long; yours has %(count)d.",
                    len(text),
                )
                % {"max": QUESTION_MAX_LENGTH, "count": len(text)}
            },
            code="too_long",
        )
    cid = _client_uuid(client_id)

    def submit() -> Submission:
        with transaction.atomic():
            previous = _previous(LiveQuestion, cid, participant)
            if previous is None:
                _check_open(participant.session_id)
                session = LiveSession.objects.only(
                    "questions_enabled", "questions_premoderated"
                ).get(pk=participant.session_id)
                if not session.questions_enabled:
                    raise ValidationError(
                        _("Questions are not open in this session."), code="disabled"
                    )
                question = LiveQuestion.objects.create(
                    session_id=participant.session_id,
                    participant=participant,
                    text=text,
                    client_id=cid,
                    status=(
                        LiveQuestion.Status.PENDING
                        if session.questions_premoderated
                        else LiveQuestion.Status.APPROVED
                    ),
                )
        if previous is not None:
            return _stored(previous, participant.session_id, duplicate=True)
        return _stored(question, participant.session_id)

    return _once(submit)


def question_upvote(
    *, participant: LiveParticipant, question_id: int, client_id: uuid.UUID | str | None = None
) -> Submission:
    cid = _client_uuid(client_id)

    def submit() -> Submission:
        with transaction.atomic():
            previous = _previous(LiveUpvote, cid, participant)
            if previous is None:
                _check_open(participant.session_id)
                question = LiveQuestion.objects.filter(
                    session_id=participant.session_id,
                    pk=question_id,
                    status__in=[LiveQuestion.Status.APPROVED, LiveQuestion.Status.ANSWERED],
                ).first()
                if question is None:
                    raise ValidationError(_("This question cannot be supported."), code="question")
                if question.participant_id == participant.pk:
                    raise ValidationError(_("You cannot support your own question."), code="own")
                if LiveUpvote.objects.filter(question=question, participant=participant).exists():
                    raise ValidationError(_("You already support this question."), code="twice")
                upvote = LiveUpvote.objects.create(
                    question=question, participant=participant, client_id=cid
                )
                LiveQuestion.objects.filter(pk=question.pk).update(
                    upvote_count=F("upvote_count") + 1
                )
        if previous is not None:
            return _stored(previous, participant.session_id, duplicate=True)
        return _stored(upvote, participant.session_id)

    return _once(submit)


MODERATION_MOVES: dict[str, set[str]] = {
    LiveQuestion.Status.APPROVED: {
        LiveQuestion.Status.PENDING,
        LiveQuestion.Status.HIDDEN,
        LiveQuestion.Status.ANSWERED,
    },
    LiveQuestion.Status.HIDDEN: {
        LiveQuestion.Status.PENDING,
        LiveQuestion.Status.APPROVED,
        LiveQuestion.Status.ANSWERED,
    },
    LiveQuestion.Status.ANSWERED: {LiveQuestion.Status.PENDING, LiveQuestion.Status.APPROVED},
}


def question_moderate(*, question: LiveQuestion, status: str) -> int:
    """Show, hide or mark answered a question (facilitators)."""
    if status not in MODERATION_MOVES:
        raise ValidationError(_("This is not a moderation decision."), code="status")
    with transaction.atomic():
        session = _lock(question.session_id)
        current = LiveQuestion.objects.get(pk=question.pk)
        if current.status == status:
            return session.version
        if current.status not in MODERATION_MOVES[status]:
            raise ValidationError(
                _("A question that is « %(current)s » cannot become « %(new)s ».")
                % {
                    "current": current.get_status_display(),
                    "new": LiveQuestion.Status(status).label,
                },
                code="move",
            )
        now = timezone.now()
        current.status = status
        fields = ["status"]
        if status in (LiveQuestion.Status.APPROVED, LiveQuestion.Status.HIDDEN):
            current.moderated_at = now
            fields.append("moderated_at")
        current.answered_at = now if status == LiveQuestion.Status.ANSWERED else None
        fields.append("answered_at")
        current.save(update_fields=fields)
        version = _bump(session)
    question.refresh_from_db()
    return version


# --- Polls --------------------------------------------------------------------------------


def poll_create(
    *,
    session: LiveSession,
    kind: str,
    prompt: str,
    options: Sequence[str] = (),
    scale_min: int = 1,
    scale_max: int = 5,
    scale_min_label: str = "",
    scale_max_label: str = "",
    max_choices: int | None = None,
    max_words: int = 3,
) -> LivePoll:
    prompt = _clean_text(prompt)
    errors: dict[str, Any] = {}
    if kind not in LivePoll.Kind.values:
        errors["kind"] = _("Choose a kind of poll.")
    if not prompt:
        errors["prompt"] = _("Write the question asked.")
    elif len(prompt) > PROMPT_MAX_LENGTH:
        errors["prompt"] = _("At most %(max)d characters.") % {"max": PROMPT_MAX_LENGTH}
    labels: list[str] = []
    if kind in (LivePoll.Kind.SINGLE, LivePoll.Kind.MULTIPLE):
        for label in (_clean_text(o) for o in options):
            if label and label.casefold() not in {x.casefold() for x in labels}:
                labels.append(label)
        if len(labels) < MIN_OPTIONS:
            errors["options"] = _("Give at least two different choices.")
        elif len(labels) > MAX_OPTIONS:
            errors["options"] = _("At most %(max)d choices.") % {"max": MAX_OPTIONS}
        elif any(len(label) > OPTION_MAX_LENGTH for label in labels):
            errors["options"] = _("A choice is at most %(max)d characters long.") % {
                "max": OPTION_MAX_LENGTH
            }
        if kind == LivePoll.Kind.MULTIPLE and max_choices is not None and max_choices < 1:
            errors["max_choices"] = _("At least one choice.")
    if kind == LivePoll.Kind.SCALE and not (0 <= scale_min < scale_max <= 10):
        errors["scale_max"] = _("The scale goes from 0 to 10 at most, lowest value first.")
    if kind == LivePoll.Kind.WORDCLOUD and not (1 <= max_words <= 5):
        errors["max_words"] = _("Between 1 and 5 words.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(session.pk)
        if locked.status == LiveSession.Status.CLOSED:
            raise ValidationError(_("This live session has ended."), code="closed")
        position = (locked.polls.aggregate(m=Max("position"))["m"] or 0) + 1
        poll = LivePoll.objects.create(
            session=locked,
            kind=kind,
            prompt=prompt,
            position=position,
            scale_min=scale_min if kind == LivePoll.Kind.SCALE else 1,
            scale_max=scale_max if kind == LivePoll.Kind.SCALE else 5,
            scale_min_label=_clean_text(scale_min_label)[:60],
            scale_max_label=_clean_text(scale_max_label)[:60],
            max_choices=(
                min(max_choices, len(labels))
                if kind == LivePoll.Kind.MULTIPLE and max_choices
                else None
            ),
            max_words=max_words if kind == LivePoll.Kind.WORDCLOUD else 3,
        )
        LivePollOption.objects.bulk_create(
            LivePollOption(poll=poll, label=label, position=i) for i, label in enumerate(labels)
        )
        # Drafts are not shown to participants; no version bump.
    return poll


def _poll_set_status(*, poll: LivePoll, status: str) -> int:
    with transaction.atomic():
        session = _lock(poll.session_id)
        current = LivePoll.objects.get(pk=poll.pk)
        if current.status == status:
            return session.version
        if session.status == LiveSession.Status.CLOSED:
            raise ValidationError(_("This live session has ended."), code="closed")
        now = timezone.now()
        current.status = status
        if status == LivePoll.Status.OPEN:
            current.opened_at = current.opened_at or now
            current.closed_at = None
        else:
            current.closed_at = now
        current.save(update_fields=["status", "opened_at", "closed_at"])
        version = _bump(session)
    poll.refresh_from_db()
    return version


def poll_open(*, poll: LivePoll) -> int:
    """Open a poll to answers (again, after it was closed: earlier answers stay)."""
    return _poll_set_status(poll=poll, status=LivePoll.Status.OPEN)


def poll_close(*, poll: LivePoll) -> int:
    return _poll_set_status(poll=poll, status=LivePoll.Status.CLOSED)


def poll_delete(*, poll: LivePoll) -> None:
    """Only a poll never opened can be deleted: answers are never thrown away."""
    with transaction.atomic():
        session = _lock(poll.session_id)
        current = LivePoll.objects.get(pk=poll.pk)
        if current.status != LivePoll.Status.DRAFT or current.responses.exists():
            raise ValidationError(
                _("A poll that was opened cannot be deleted: its answers are kept."),
                code="opened",
            )
        if session.screen_poll_id == current.pk:
            session.screen = LiveSession.Screen.JOIN
            session.screen_poll = None
            session.save(update_fields=["screen", "screen_poll"])
        current.delete()


def _words(words: Iterable[str], max_words: int) -> list[str]:
    cleaned: list[str] = []
    for raw in words:
        word = _clean_text(str(raw).strip(".,;:!?«»\"'() ")).casefold()
        if not word:
            continue
        if len(word) > WORD_MAX_LENGTH:
            raise ValidationError(
                {
                    "words": _("A word is at most %(max)d characters long.")
                    % {"max": WORD_MAX_LENGTH}
                },
                code="word_too_long",
            )
        if word not in cleaned:
            cleaned.append(word)
    if not cleaned:
        raise ValidationError({"words": _("Write at least one word.")}, code="empty")
    if len(cleaned) > max_words:
        raise ValidationError(
            {
                "words": ngettext("At most %(max)d word.", "At most %(max)d words.", max_words)
                % {"max": max_words}
            },
            code="too_many",
        )
    return cleaned


def response_submit(
    *,
    participant: LiveParticipant,
    poll_id: int,
    client_id: uuid.UUID | str | None = None,
    option_ids: Sequence[int] = (),
    value: int | str | None = None,
    words: Sequence[str] = (),
) -> Submission:
    """Answer a poll once. A resend with the same client id is acknowledged, not counted.

    The common case goes straight to storing (a handful of round trips to the database);
    the database's unique constraints catch a resend or a second answer, which are then
    looked for and told apart.
    """
    cid = _client_uuid(client_id)

    def previous() -> LiveResponse | None:
        found = LiveResponse.objects.filter(client_id=cid).first()
        if found is not None and found.participant_id != participant.pk:
            raise ValidationError(_("This submission is malformed."), code="client_id")
        return found

    def store() -> Submission:
        try:
            with transaction.atomic():
                poll = _poll_for_answer(participant.session_id, poll_id)
                response = _answer(participant, poll, cid, option_ids, value, words)
        except ValidationError:
            # A resend of an answer stored before the poll closed is still acknowledged.
            earlier = previous()
            if earlier is None:
                raise
            return _stored(earlier, participant.session_id, duplicate=True)
        return _stored(response, participant.session_id)

    try:
        return store()
    except IntegrityError:
        earlier = previous()
        if earlier is not None:
            return _stored(earlier, participant.session_id, duplicate=True)
        if LiveResponse.objects.filter(poll_id=poll_id, participant=participant).exists():
            raise ValidationError(_("You have already answered this poll."), code="twice") from None
        return store()


_option_cache: dict[tuple[int, Any], frozenset[int]] = {}


def _option_ids(poll: LivePoll) -> frozenset[int]:
    """The ids of a poll's choices, which never change once it is created: kept in memory
    (keyed by the poll and its creation time, so a reused id is not mistaken)."""
    key = (poll.pk, poll.created_at)
    ids = _option_cache.get(key)
    if ids is None:
        if len(_option_cache) > 1000:
            _option_cache.clear()
        ids = _option_cache[key] = frozenset(poll.options.values_list("pk", flat=True))
    return ids


def _poll_for_answer(session_id: int, poll_id: int) -> LivePoll:
    """The poll being answered, read with KEY SHARE locks on its row and its session's
    (closing either waits for this answer), after checking both are open."""
    if connection.vendor == "postgresql":
        polls = list(
            LivePoll.objects.raw(
                f"SELECT p.*, s.status AS session_status FROM {LivePoll._meta.db_table} p "
                f"JOIN {LiveSession._meta.db_table} s ON s.id = p.session_id "
                "WHERE p.id = %s AND p.session_id = %s FOR KEY SHARE",
                [poll_id, session_id],
            )
        )
        if not polls or polls[0].session_status != LiveSession.Status.OPEN:  # type: ignore[attr-defined]
            _check_open(session_id)
        poll = polls[0] if polls else None
    else:
        _check_open(session_id)
        poll = LivePoll.objects.filter(session_id=session_id, pk=poll_id).first()
    if poll is None or poll.status == LivePoll.Status.DRAFT:
        raise ValidationError(_("This poll is not open."), code="poll")
    if poll.status == LivePoll.Status.CLOSED:
        raise ValidationError(_("This poll is closed: answers are no longer taken."), code="closed")
    return poll


def _answer(
    participant: LiveParticipant,
    poll: LivePoll,
    cid: uuid.UUID,
    option_ids: Sequence[int],
    value: int | str | None,
    words: Sequence[str],
) -> LiveResponse:
    chosen: list[int] = []
    cleaned_words: list[str] = []
    scale_value: int | None = None
    if poll.has_options:
        try:
            wanted = {int(o) for o in option_ids}
        except (TypeError, ValueError):
            raise ValidationError(_("This submission is malformed."), code="option") from None
        if not wanted:
            raise ValidationError({"options": _("Choose an answer.")}, code="empty")
        if not wanted <= _option_ids(poll):
            raise ValidationError(_("This choice is not part of the poll."), code="option")
        if poll.kind == LivePoll.Kind.SINGLE and len(wanted) > 1:
            raise ValidationError({"options": _("Choose one answer only.")}, code="too_many")
        if poll.max_choices and len(wanted) > poll.max_choices:
            raise ValidationError(
                {
                    "options": ngettext(
                        "At most %(max)d choice.", "At most %(max)d choices.", poll.max_choices
                    )
                    % {"max": poll.max_choices}
                },
                code="too_many",
            )
        chosen = sorted(wanted)
    elif poll.kind == LivePoll.Kind.SCALE:
        try:
            scale_value = int(value) if value is not None and value != "" else None
        except (TypeError, ValueError):
            scale_value = None
        if scale_value is None:
            raise ValidationError({"value": _("Choose a value.")}, code="empty")
        if not poll.scale_min <= scale_value <= poll.scale_max:
            raise ValidationError(
                {
                    "value": _("Choose a value between %(min)d and %(max)d.")
                    % {"min": poll.scale_min, "max": poll.scale_max}
                },
                code="range",
            )
    else:
        cleaned_words = _words(words, poll.max_words)
    response = LiveResponse.objects.create(
        poll=poll, participant=participant, client_id=cid, value=scale_value
    )
    if chosen:
        LiveChoice.objects.bulk_create(
            LiveChoice(response=response, option_id=option) for option in chosen
        )
    if cleaned_words:
        LiveWord.objects.bulk_create(
            LiveWord(response=response, poll=poll, word=word) for word in cleaned_words
        )
    return response
