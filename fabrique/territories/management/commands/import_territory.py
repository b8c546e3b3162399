from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fabrique.territories.services import TerritoryImportError, territory_import


class Command(BaseCommand):
    help = (
        "Create or update a territory from the official data: the SIREN of an EPCI, "
        "or the INSEE code of a single commune."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="SIREN of an EPCI (9 digits) or INSEE code of a commune")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = territory_import(code=options["code"])
        except TerritoryImportError as exc:
            raise CommandError(str(exc)) from exc
        verb = _("created") if result.created else _("updated")
        self.stdout.write(f"{result.summary} ({verb})")
