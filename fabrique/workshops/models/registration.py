"""Who comes: registrations (with the waiting list) and invitations."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .workshop import Workshop


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Registration(models.Model):
    """A person coming to a workshop: with an account, or a name and a confirmed address.

    The token is the person's key to their registration (confirm, cancel, calendar file,
    check-in QR code); it is never shown to anyone else.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting e-mail confirmation")
        CONFIRMED = "confirmed", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_registrations",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"), blank=True)
    needs = models.CharField(
        _("needs for coming"),
        max_length=500,
        blank=True,
        help_text=_("Access, hearing, childcare, diet… Only the organisers see it."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    walk_in = models.BooleanField(_("came without registering"), default=False)
    table = models.ForeignKey(
        "workshops.Table",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("table"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("present"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            models.Index(fields=["workshop", "status", "waitlisted_at"], name="registration_queue")
        ]
        constraints = [
            # One live registration per address and per account; a cancelled one can be redone.
            models.UniqueConstraint(
                fields=["workshop", "email"],
                condition=~Q(status="cancelled") & ~Q(email=""),
                name="registration_one_per_email",
            ),
            models.UniqueConstraint(
                fields=["workshop", "user"],
                condition=~Q(status="cancelled") & Q(user__isnull=False),
                name="registration_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.workshop}"

    @property
    def is_present(self) -> bool:
        return self.checked_in_at is not None


class Invitation(models.Model):
    """An address invited to a workshop whose audience is by invitation."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "email"], name="invitation_one_per_email")
        ]

    def __str__(self) -> str:
        return self.email
