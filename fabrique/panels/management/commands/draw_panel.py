"""Draw a panel, or redo a published draw, from the pseudonymised pool and the seed.

    python manage.py draw_panel --respondents R.csv --categories C.csv --size K \\
        --seed S --output OUT.csv [--id-column id] [--lottery LOTTERY.csv]

Both file formats are read (replication format or sortition-algorithms format, told by the
headers). ``OUT.csv`` lists every respondent, in the order of the file, with the columns
``id,probability,selected``: the selection probability under the leximin lottery (10
decimals) and ``1`` if drawn, ``0`` otherwise. The same files, size and seed give the same
``OUT.csv`` byte for byte. ``--lottery`` also writes the lottery itself (each panel, its weight
out of 10⁹ and its count of volunteers per combination of values) so that the draw can be
checked by hand. A summary (smallest, median and Gini of the probabilities, time) is printed.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fabrique.panels.selection import SelectionError, draw_panel, load_instance
from fabrique.panels.selection.leximin import WEIGHT_UNITS, Distribution
from fabrique.panels.selection.results import results_csv


def _write_results(
    path: Path, people: tuple[str, ...], probabilities: dict[str, float], selected: set[str]
) -> None:
    path.write_bytes(results_csv(people, probabilities, selected).encode("utf-8"))


def _write_lottery(path: Path, distribution: Distribution) -> None:
    categories = distribution.instance.category_names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["panel", "weight", *categories, "count"])
        for index, (panel, weight) in enumerate(
            zip(distribution.panels, distribution.weights, strict=True)
        ):
            for person_type, count in zip(distribution.types, panel, strict=True):
                if count:
                    writer.writerow([index, weight, *person_type.values, count])


class Command(BaseCommand):
    help = "Draw a panel by lot (leximin lottery) from a pool and a seed published beforehand."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--respondents", required=True, help="Volunteers' CSV file.")
        parser.add_argument("--categories", required=True, help="Quotas' CSV file.")
        parser.add_argument("--size", required=True, type=int, help="Number of seats.")
        parser.add_argument("--seed", required=True, help="The seed published beforehand.")
        parser.add_argument("--output", required=True, help="CSV written: id,probability,selected.")
        parser.add_argument("--id-column", default=None, help="Id column (default: 'id' or row).")
        parser.add_argument("--lottery", default=None, help="Also write the lottery as CSV.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            instance = load_instance(
                options["respondents"], options["categories"], options["id_column"]
            )
            draw = draw_panel(instance, options["size"], options["seed"])
        except SelectionError as error:
            lines = "\n".join(f"- {problem.describe()}" for problem in error.problems)
            raise CommandError(f"No draw.\n{lines}") from error
        distribution = draw.distribution
        _write_results(
            Path(options["output"]), instance.people, distribution.probabilities, set(draw.selected)
        )
        if options["lottery"]:
            _write_lottery(Path(options["lottery"]), distribution)
        seconds = time.perf_counter() - started
        out = self.stdout
        out.write(
            f"Pool: {len(instance.people)} volunteers in {len(distribution.types)} types, "
            f"{len(instance.categories)} categories; panel of {draw.panel_size}."
        )
        out.write(f"Instance fingerprint: {draw.fingerprint}")
        out.write(f"Seed: {draw.seed!r}")
        out.write(
            f"Lottery: {len(distribution.panels)} panels; probabilities: smallest "
            f"{distribution.minimum:.4%}, median {distribution.median:.4%}, "
            f"Gini {distribution.gini:.4f}."
        )
        out.write(
            f"Ticket {draw.ticket} of {WEIGHT_UNITS}: panel {draw.panel_index} "
            f"(weight {distribution.weights[draw.panel_index]})."
        )
        out.write(f"Selected: {', '.join(draw.selected)}")
        out.write(f"Seconds: {seconds:.2f}. Written to {options['output']}.")
