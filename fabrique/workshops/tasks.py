"""Background work of workshops, run by the task workers: the e-mails of registrations,
the reminders the day before, invitations.

With the immediate backend (development) a task runs at once, even one meant for later: a
reminder task therefore checks itself that the reminder is due and not already sent, and
``manage.py send_workshop_reminders`` (run by cron) catches up whatever it skipped.
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import default_task_backend, task

from .services import registration_mail


@task()
def registration_email_task(registration_id: int, kind: str, by_staff: bool = False) -> int:
    """One e-mail about one registration (link to confirm, registered, waiting list…)."""
    return registration_mail.registration_email_send(
        registration_id=registration_id, kind=kind, by_staff=by_staff
    )


@task()
def registration_reminder_task(registration_id: int) -> bool:
    """The reminder the day before; does nothing when it is not (or no longer) due."""
    return registration_mail.reminder_send(registration_id=registration_id)


@task()
def reminders_due_task() -> int:
    """Every reminder due now (what ``manage.py send_workshop_reminders`` does)."""
    return registration_mail.reminders_send_due()


@task()
def workshop_cancelled_email_task(workshop_id: int) -> int:
    return registration_mail.workshop_cancelled_email(workshop_id=workshop_id)


@task()
def workshop_changed_email_task(workshop_id: int, changes: list[str]) -> int:
    return registration_mail.workshop_changed_email(workshop_id=workshop_id, changes=changes)


@task()
def invitations_email_task(invitation_ids: list[int]) -> int:
    return registration_mail.invitations_email(invitation_ids=invitation_ids)


def reminder_schedule(*, registration_id: int, when: datetime) -> None:
    """Queue the reminder for ``when`` where the backend can wait; elsewhere it runs now,
    finds nothing due, and the command sends it on time."""
    if default_task_backend.supports_defer:
        registration_reminder_task.using(run_after=when).enqueue(registration_id)
    else:
        registration_reminder_task.enqueue(registration_id)
