"""Background work of accounts, run by the task workers."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def notifications_email_task(notification_ids: list[int]) -> int:
    return services.notifications_email(notification_ids=notification_ids)


@task()
def notifications_digest_task() -> int:
    """The daily summary for people who chose it (run once a day, e.g. from cron)."""
    return services.notifications_email(digest=True)
