"""Send the reminders due: each person registered for a workshop hears about it the day
before, once.

Run it from cron every 15 minutes or so; sending twice is not possible (each reminder is
marked as it leaves). For example::

    */15 * * * *  cd /srv/fabrique && .venv/bin/python manage.py send_workshop_reminders

Where the task worker runs with a backend that can wait (the database backend), each
reminder is also queued for its time when the person registers; the command then only
catches up what the worker missed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fabrique.workshops.services.registration_mail import reminders_send_due


class Command(BaseCommand):
    help = "Send the reminders of workshops starting within a day (safe to run often)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send_due()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{sent} reminder(s) sent.")
