"""Writes on contributions, comments, supports, answers and moderation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.accounts.services import notify
from fabrique.processes.models import ParticipationMode, Phase, Process, Theme
from fabrique.territories.models import Commune

from .models import (
    Comment,
    Contribution,
    ContributionFollow,
    ContributionRevision,
    ModerationLog,
    ParticipationSettings,
    Report,
    Support,
    Visibility,
)

# Anti-abuse: at most this many contributions (and comments) per person per hour.
POSTS_PER_HOUR = 20


def lists_changed(process_id: int) -> None:
    """Something shown in the process's contribution lists changed: cached pages are stale."""
    key = f"contribution-lists:{process_id}"
    if not cache.add(key, 2, timeout=None):
        try:
            cache.incr(key)
        except ValueError:  # evicted meanwhile
            cache.set(key, 2, timeout=None)


def lists_version(process_id: int) -> int:
    return int(cache.get_or_set(f"contribution-lists:{process_id}", 1, timeout=None) or 1)


def settings_for(process: Process) -> ParticipationSettings:
    found, _created = ParticipationSettings.objects.get_or_create(process=process)
    return found


def open_phase(process: Process, today: date | None = None) -> Phase | None:
    """The phase of ``process`` that takes contributions today, if any."""
    for phase in process.phases.prefetch_related("modes").order_by("start_date"):
        if phase.opens(ParticipationMode.CONTRIBUTIONS, today=today):
            return phase
    return None


def _rate_limit(user: User, what: str) -> None:
    key = f"posts:{what}:{user.pk}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > POSTS_PER_HOUR:
        raise ValidationError(
            _("You have posted a lot in the last hour. Please wait a little before posting again.")
        )


def _check_point(process: Process, latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("A point needs both a latitude and a longitude.")})
    if latitude is None or longitude is None:
        return
    south, west, north, east = process.territory.map_bounds
    if not (south <= latitude <= north and west <= longitude <= east):
        raise ValidationError(
            {
                "latitude": _("This point is outside %(territory)s.")
                % {"territory": process.territory}
            }
        )


def contribution_submit(
    *,
    process: Process,
    author: User,
    kind: str,
    title: str,
    body: str,
    themes: list[Theme] | None = None,
    commune: Commune | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    image: Any = None,
    image_alt: str = "",
    attachment: Any = None,
    collected_by: User | None = None,
    collected_place: str = "",
    collected_on: date | None = None,
    collected_for: str = "",
    consent: bool = False,
    today: date | None = None,
) -> Contribution:
    """Post a contribution in the phase that is open for them now.

    A facilitator typing in someone met in person passes ``collected_by`` with the place,
    the date and the person's consent; the contribution is then labelled as collected in
    person.
    """
    phase = open_phase(process, today=today)
    if phase is None:
        raise ValidationError(_("No phase of this process takes contributions right now."))
    if not title.strip() or not body.strip():
        raise ValidationError({"title" if not title.strip() else "body": _("This field is empty.")})
    if collected_by is not None:
        if not consent:
            raise ValidationError(
                {"consent": _("Record that the person agreed to their words being published.")}
            )
        if not collected_place.strip() or collected_on is None:
            raise ValidationError({"collected_place": _("Say where and when it was collected.")})
    themes = list(themes or [])
    if any(t.process_id != process.pk for t in themes):
        raise ValidationError({"themes": _("A theme belongs to another process.")})
    if commune is not None and not process.territory.communes.filter(pk=commune.pk).exists():
        raise ValidationError({"commune": _("This commune is not in the territory.")})
    _check_point(process, latitude, longitude)
    _rate_limit(collected_by or author, "contribution")
    premoderated = settings_for(process).premoderation and collected_by is None
    with transaction.atomic():
        contribution = Contribution(
            process=process,
            phase=phase,
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            author=author,
            commune=commune,
            latitude=latitude,
            longitude=longitude,
            image_alt=image_alt.strip(),
            visibility=Visibility.PENDING if premoderated else Visibility.PUBLISHED,
            collected_by=collected_by,
            collected_place=collected_place.strip(),
            collected_on=collected_on,
            collected_for=collected_for.strip(),
        )
        if image:
            contribution.image = image
        if attachment:
            contribution.attachment = attachment
        contribution.full_clean()
        contribution.save()
        contribution.themes.set(themes)
        ContributionFollow.objects.get_or_create(contribution=contribution, user=author)
    lists_changed(process.pk)
    return contribution


def contribution_can_edit(contribution: Contribution, user: User) -> bool:
    if contribution.author_id != user.pk or contribution.removed_by_author:
        return False
    window = timedelta(minutes=settings_for(contribution.process).edit_window_minutes)
    return timezone.now() - contribution.created_at <= window


def contribution_edit(
    *, contribution: Contribution, user: User, title: str, body: str
) -> Contribution:
    if not contribution_can_edit(contribution, user):
        raise ValidationError(_("This contribution can no longer be edited."))
    with transaction.atomic():
        ContributionRevision.objects.create(
            contribution=contribution, title=contribution.title, body=contribution.body
        )
        contribution.title, contribution.body = title.strip(), body.strip()
        contribution.edited_at = timezone.now()
        contribution.full_clean()
        contribution.save()
    lists_changed(contribution.process_id)
    return contribution


def contribution_remove_by_author(*, contribution: Contribution, user: User) -> None:
    """The author withdraws their words; the discussion around them stays readable."""
    if contribution.author_id != user.pk:
        raise ValidationError(_("Only the author can remove a contribution."))
    with transaction.atomic():
        contribution.revisions.all().delete()
        contribution.removed_by_author = True
        contribution.title = ""
        contribution.body = ""
        contribution.image = ""
        contribution.attachment = ""
        contribution.latitude = contribution.longitude = None
        contribution.author = None
        contribution.save()
    lists_changed(contribution.process_id)


def support_toggle(*, contribution: Contribution, user: User, support: bool) -> bool:
    """Support, or withdraw a support; twice the same is once. Returns whether supported."""
    if not contribution.phase.opens(ParticipationMode.CONTRIBUTIONS):
        raise ValidationError(_("This phase is closed: supports can no longer change."))
    if contribution.visibility != Visibility.PUBLISHED or contribution.removed_by_author:
        raise ValidationError(_("This contribution cannot be supported."))
    if support and contribution.merged_into_id is not None:
        raise ValidationError(
            _("This contribution has been merged into another one: support that one.")
        )
    with transaction.atomic():
        if support:
            try:
                with transaction.atomic():
                    Support.objects.create(contribution=contribution, user=user)
            except IntegrityError:
                return True  # already supported: a double click counts once
            Contribution.objects.filter(pk=contribution.pk).update(
                support_count=F("support_count") + 1
            )
            lists_changed(contribution.process_id)
            return True
        deleted, _rows = Support.objects.filter(contribution=contribution, user=user).delete()
        if deleted:
            Contribution.objects.filter(pk=contribution.pk).update(
                support_count=F("support_count") - 1
            )
            lists_changed(contribution.process_id)
        return False


def follow_toggle(*, contribution: Contribution, user: User, follow: bool) -> bool:
    if follow:
        ContributionFollow.objects.get_or_create(contribution=contribution, user=user)
    else:
        ContributionFollow.objects.filter(contribution=contribution, user=user).delete()
    return follow


def _followers(contribution: Contribution) -> list[User]:
    return list(User.objects.filter(pk__in=contribution.follows.values("user_id")))


def comment_post(
    *, contribution: Contribution, author: User, body: str, parent: Comment | None = None
) -> Comment:
    if not body.strip():
        raise ValidationError({"body": _("The comment is empty.")})
    if contribution.visibility != Visibility.PUBLISHED or contribution.removed_by_author:
        raise ValidationError(_("This contribution cannot be commented on."))
    if contribution.merged_into_id is not None:
        raise ValidationError(
            _("This contribution has been merged into another one: comment on that one.")
        )
    if parent is not None:
        if parent.contribution_id != contribution.pk:
            raise ValidationError(_("This reply answers a comment of another contribution."))
        parent = parent.parent or parent  # replies stay one level deep
    _rate_limit(author, "comment")
    premoderated = settings_for(contribution.process).premoderation
    with transaction.atomic():
        comment = Comment.objects.create(
            contribution=contribution,
            parent=parent,
            author=author,
            body=body.strip(),
            visibility=Visibility.PENDING if premoderated else Visibility.PUBLISHED,
        )
        if not premoderated:
            Contribution.objects.filter(pk=contribution.pk).update(
                comment_count=F("comment_count") + 1
            )
            notify(
                users=_followers(contribution),
                text=_("New comment on « %(title)s »") % {"title": contribution.title},
                url=contribution.get_absolute_url(),
                exclude=author,
            )
    lists_changed(contribution.process_id)
    return comment


def comment_remove_by_author(*, comment: Comment, user: User) -> None:
    if comment.author_id != user.pk:
        raise ValidationError(_("Only the author can remove a comment."))
    comment.removed_by_author = True
    comment.body = ""
    comment.author = None
    comment.save()


def contribution_answer(
    *, contribution: Contribution, by: User, status: str, answer: str, reason: str = ""
) -> Contribution:
    """The official answer: a status, and a public text; authors and followers are told."""
    if status not in Contribution.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status in (Contribution.Status.NOT_RETAINED, Contribution.Status.PARTLY_RETAINED) and not (
        reason.strip() or answer.strip()
    ):
        raise ValidationError({"reason": _("Say why: people deserve to know.")})
    with transaction.atomic():
        contribution.status = status
        contribution.status_reason = reason.strip()
        contribution.answer = answer.strip()
        contribution.answered_at = timezone.now()
        contribution.answered_by = by
        contribution.save()
        notify(
            users=_followers(contribution),
            text=_("« %(title)s » has an answer: %(status)s")
            % {"title": contribution.title, "status": contribution.get_status_display()},
            url=contribution.get_absolute_url(),
            exclude=by,
        )
    lists_changed(contribution.process_id)
    return contribution


def report_submit(
    *,
    reporter: User,
    reason: str,
    contribution: Contribution | None = None,
    comment: Comment | None = None,
) -> Report:
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is wrong.")})
    report, _created = Report.objects.get_or_create(
        reporter=reporter,
        contribution=contribution,
        comment=comment,
        resolved_at=None,
        defaults={"reason": reason.strip()[:300]},
    )
    return report


def _log(process: Process, actor: User, action: str, reason: str = "", **target: Any) -> None:
    ModerationLog.objects.create(
        process=process, actor=actor, action=action, reason=reason[:300], **target
    )


def moderation_record(
    *, process: Process, moderator: User, action: str, subject: str, reason: str = ""
) -> None:
    """Log a moderation act on something another part of the platform owns (a statement
    of an opinion map…), in the process's moderation log beside the others."""
    _log(process, moderator, action, reason, subject=subject[:200])


def _resolve_reports(**target: Any) -> None:
    Report.objects.filter(resolved_at__isnull=True, **target).update(resolved_at=timezone.now())


def moderate_contribution(
    *, contribution: Contribution, moderator: User, action: str, reason: str = ""
) -> Contribution:
    """Hide (with a reason), restore, or accept a pre-moderated contribution."""
    if action == ModerationLog.Action.HIDE and not reason.strip():
        raise ValidationError({"reason": _("Give the reason: the author will see it.")})
    targets: dict[str, str] = {
        ModerationLog.Action.HIDE: Visibility.HIDDEN,
        ModerationLog.Action.RESTORE: Visibility.PUBLISHED,
        ModerationLog.Action.ACCEPT: Visibility.PUBLISHED,
    }
    if action not in targets:
        raise ValidationError(_("Unknown moderation action."))
    with transaction.atomic():
        contribution.visibility = targets[action]
        contribution.moderation_reason = reason.strip()[:300]
        contribution.save(update_fields=["visibility", "moderation_reason"])
        _log(contribution.process, moderator, action, reason, contribution=contribution)
        _resolve_reports(contribution=contribution)
    lists_changed(contribution.process_id)
    return contribution


def moderate_comment(
    *, comment: Comment, moderator: User, action: str, reason: str = ""
) -> Comment:
    if action == ModerationLog.Action.HIDE and not reason.strip():
        raise ValidationError({"reason": _("Give the reason: the author will see it.")})
    was_published = comment.visibility == Visibility.PUBLISHED
    comment.visibility = (
        Visibility.HIDDEN if action == ModerationLog.Action.HIDE else Visibility.PUBLISHED
    )
    with transaction.atomic():
        comment.moderation_reason = reason.strip()[:300]
        comment.save(update_fields=["visibility", "moderation_reason"])
        delta = int(comment.visibility == Visibility.PUBLISHED) - int(was_published)
        if delta:
            Contribution.objects.filter(pk=comment.contribution_id).update(
                comment_count=F("comment_count") + delta
            )
        _log(comment.contribution.process, moderator, action, reason, comment=comment)
        _resolve_reports(comment=comment)
    lists_changed(comment.contribution.process_id)
    return comment


def reports_dismiss(*, target: Contribution | Comment, moderator: User, process: Process) -> int:
    """Close the open reports on a contribution or a comment, leaving it as it is."""
    field = "contribution" if isinstance(target, Contribution) else "comment"
    open_reports = Report.objects.filter(resolved_at__isnull=True, **{field: target})
    reasons = "; ".join(open_reports.values_list("reason", flat=True))
    count = open_reports.update(resolved_at=timezone.now())
    if count:
        _log(process, moderator, ModerationLog.Action.DISMISS, reasons, **{field: target})
    return count


def account_block(
    *, user: User, moderator: User, process: Process, reason: str, block: bool
) -> None:
    """Block (or unblock) an account: it can no longer log in, post or support."""
    if block and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for blocking.")})
    if user.pk == moderator.pk:
        raise ValidationError(_("You cannot block your own account."))
    user.is_active = not block
    user.save(update_fields=["is_active"])
    _log(process, moderator, ModerationLog.Action.BLOCK if block else ModerationLog.Action.UNBLOCK,
         reason, target_user=user)  # fmt: skip
