"""Live mode: a session people join with a short code, live questions, polls, word clouds.

Every submission (an answer, a question, an upvote) carries the id its page generated: a
resend after a lost connection is recognised by it and acknowledged, never counted twice.
The session's ``version`` rises after each: results computed at version V include every
submission acknowledged with a version of at most V.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .workshop import Workshop

# No 0/O, 1/I/L, nothing read two ways on a projector or typed wrong on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
NICKNAME_MAX_LENGTH = 40
QUESTION_MAX_LENGTH = 280
WORD_MAX_LENGTH = 30
OPTION_MAX_LENGTH = 120
PROMPT_MAX_LENGTH = 300


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_participant_token() -> str:
    return secrets.token_urlsafe(24)


class LiveSession(models.Model):
    """One live session of a workshop, on a screen and on phones."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("live session status", "In preparation")
        OPEN = "open", pgettext_lazy("live session status", "Open")
        CLOSED = "closed", pgettext_lazy("live session status", "Closed")

    class Screen(models.TextChoices):
        JOIN = "join", _("How to join")
        QUESTIONS = "questions", _("Questions")
        POLL = "poll", _("A poll")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="live_sessions", verbose_name=_("workshop")
    )
    code = models.CharField(_("code"), max_length=CODE_LENGTH, default=new_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    questions_enabled = models.BooleanField(_("participants may ask questions"), default=True)
    questions_premoderated = models.BooleanField(
        _("questions are checked before they are shown"), default=True
    )
    screen = models.CharField(
        _("the screen shows"), max_length=10, choices=Screen.choices, default=Screen.JOIN
    )
    screen_poll = models.ForeignKey(
        "LivePoll", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Raised by every change: what the pages show is stamped with it.
    version = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(status="closed"), name="live_session_code_in_use"
            ),
            models.CheckConstraint(
                condition=Q(screen="poll", screen_poll__isnull=False) | ~Q(screen="poll"),
                name="live_session_screen_poll_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} — {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("workshops:live", kwargs={"code": self.code})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class LiveParticipant(models.Model):
    """Someone who joined: a nickname, an account if they are logged in, and a token kept by
    their browser so that coming back (a reload, a lost connection) is the same person."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="live_participations",
    )
    nickname = models.CharField(_("nickname"), max_length=NICKNAME_MAX_LENGTH)
    token = models.CharField(
        max_length=64, unique=True, default=new_participant_token, editable=False
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("live participant")
        verbose_name_plural = _("live participants")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(user__isnull=False),
                name="live_participant_one_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.nickname


class LiveQuestion(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", pgettext_lazy("live question", "Shown")
        HIDDEN = "hidden", pgettext_lazy("live question", "Hidden")
        ANSWERED = "answered", pgettext_lazy("live question", "Answered")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="questions")
    participant = models.ForeignKey(
        LiveParticipant, on_delete=models.SET_NULL, null=True, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=QUESTION_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    upvote_count = models.PositiveIntegerField(default=0)
    client_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("live question")
        verbose_name_plural = _("live questions")
        indexes = [models.Index(fields=["session", "status"], name="live_question_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="live_question_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_visible(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.ANSWERED)


class LiveUpvote(models.Model):
    question = models.ForeignKey(LiveQuestion, on_delete=models.CASCADE, related_name="upvotes")
    participant = models.ForeignKey(
        LiveParticipant, on_delete=models.CASCADE, related_name="upvotes"
    )
    client_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("upvote")
        verbose_name_plural = _("upvotes")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "participant"], name="live_upvote_once_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"+1 {self.question_id}"


class LivePoll(models.Model):
    """A poll (single or multiple choice, a scale) or a word cloud."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        WORDCLOUD = "wordcloud", _("Word cloud")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("live poll status", "Not opened yet")
        OPEN = "open", pgettext_lazy("live poll status", "Open")
        CLOSED = "closed", pgettext_lazy("live poll status", "Closed")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="polls")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    prompt = models.CharField(_("question asked"), max_length=PROMPT_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    position = models.PositiveSmallIntegerField(default=0)
    scale_min = models.SmallIntegerField(
        _("lowest value"), default=1, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    scale_max = models.SmallIntegerField(
        _("highest value"), default=5, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)
    max_choices = models.PositiveSmallIntegerField(
        _("most choices per person"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_words = models.PositiveSmallIntegerField(
        _("most words per person"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("live poll")
        verbose_name_plural = _("live polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="live_poll_scale_range"
            ),
            models.CheckConstraint(
                condition=Q(max_words__gte=1), name="live_poll_max_words_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class LivePollOption(models.Model):
    poll = models.ForeignKey(LivePoll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("choice"), max_length=OPTION_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("poll choice")
        verbose_name_plural = _("poll choices")
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="live_option_unique_label")
        ]

    def __str__(self) -> str:
        return self.label


class LiveResponse(models.Model):
    """One participant's answer to one poll: their choices, a value on the scale, or words."""

    poll = models.ForeignKey(LivePoll, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(
        LiveParticipant, on_delete=models.CASCADE, related_name="responses"
    )
    value = models.SmallIntegerField(null=True, blank=True)
    client_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "participant"], name="live_response_once_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.poll_id}"


class LiveChoice(models.Model):
    """A choice ticked in an answer (one for a single-choice poll, several for multiple)."""

    response = models.ForeignKey(LiveResponse, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(LivePollOption, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "option"], name="live_choice_once")
        ]

    def __str__(self) -> str:
        return f"{self.response_id} → {self.option_id}"


class LiveWord(models.Model):
    """A word given to a word cloud, as typed, and normalised for counting."""

    response = models.ForeignKey(LiveResponse, on_delete=models.CASCADE, related_name="words")
    poll = models.ForeignKey(LivePoll, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=WORD_MAX_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["poll", "word"], name="live_word_count")]
        constraints = [
            models.UniqueConstraint(fields=["response", "word"], name="live_word_once"),
            models.CheckConstraint(condition=~Q(word=""), name="live_word_not_empty"),
        ]

    def __str__(self) -> str:
        return self.word
