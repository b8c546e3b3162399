from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fabrique.accounts.services import notifications_email


class Command(BaseCommand):
    help = "E-mail the daily summary of notifications to the people who chose it (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = notifications_email(digest=True)
        self.stdout.write(f"{sent} summaries sent")
