from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.territories.models import Commune, Territory


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class ActorKind(models.TextChoices):
    INHABITANT = "inhabitant", _("Inhabitant")
    ELECTED = "elected", _("Elected official")
    STAFF = "staff", _("Staff of a local authority")
    ASSOCIATION = "association", _("Association")
    BUSINESS = "business", _("Business")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    """The bands of the official population statistics (INSEE), from the age of consent."""

    FROM_15_TO_29 = "15_29", _("15 to 29 years old")
    FROM_30_TO_44 = "30_44", _("30 to 44 years old")
    FROM_45_TO_59 = "45_59", _("45 to 59 years old")
    FROM_60_TO_74 = "60_74", _("60 to 74 years old")
    FROM_75 = "75_plus", _("75 years old or more")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")


class EmailNotifications(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("One summary a day")
    NEVER = "never", _("Never (notifications stay on the site)")


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. E-mail is the identifier; everything else is optional."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("Shown next to what you write. A first name or a pseudonym is enough."),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune of residence"),
        help_text=_(
            "Optional. Lets the territory see which communes take part and compare "
            "with their population; never shown next to your name."
        ),
    )
    actor_kind = models.CharField(
        _("you take part as"),
        max_length=20,
        choices=ActorKind.choices,
        blank=True,
        help_text=_(
            "Optional. Lets the territory know whether inhabitants, associations, "
            "businesses and elected officials are all heard."
        ),
    )
    age_band = models.CharField(
        _("age band"),
        max_length=10,
        choices=AgeBand.choices,
        blank=True,
        help_text=_(
            "Optional. Lets the territory check that every generation is heard, by comparing "
            "the participants with the population; never shown next to your name."
        ),
    )
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender.choices,
        blank=True,
        help_text=_(
            "Optional. Lets the territory check that women and men are heard alike, by "
            "comparing the participants with the population; never shown next to your name."
        ),
    )
    email_notifications = models.CharField(
        _("e-mails about what I follow"),
        max_length=10,
        choices=EmailNotifications.choices,
        default=EmailNotifications.IMMEDIATE,
        help_text=_("Answers to your contributions, comments on what you wrote or follow."),
    )
    is_staff = models.BooleanField(
        _("access to the technical administration"),
        default=False,
        help_text=_("For platform operators only."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]  # Django reads it as a class attribute

    class Meta:
        ordering = ["display_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    TERRITORY_ADMIN = "territory_admin", _("Territory administrator")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Facilitator")
    BODY_MEMBER = "body_member", _("Member of a governance body")


class RoleAssignment(models.Model):
    """A role held by a person, on one territory (or on the whole platform).

    Every signed-up person is a participant; only roles beyond that are stored.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("person")
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("territory"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted on"), default=timezone.now)

    class Meta:
        ordering = ["territory", "role", "user"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "territory", "role"], name="unique_role_per_territory"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(territory__isnull=True),
                name="unique_platform_role",
            ),
            models.CheckConstraint(
                condition=(Q(role="platform_admin") & Q(territory__isnull=True))
                | (~Q(role="platform_admin") & Q(territory__isnull=False)),
                name="platform_role_has_no_territory",
            ),
        ]

    def __str__(self) -> str:
        where = self.territory.name if self.territory else _("platform")
        return f"{self.user} — {self.get_role_display()} ({where})"


class RoleEvent(models.Model):
    """Who granted or withdrew which role, and when: roles are audited."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("granted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    action = models.CharField(max_length=10, choices=Action.choices)
    role = models.CharField(max_length=20, choices=Role.choices)
    # Kept when the person erases their account: the history then says « deleted account ».
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, null=True, blank=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.user} {self.action} {self.role}"


class Notification(models.Model):
    """Something that happened about what a person wrote or follows."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
