"""The result file of a draw, the same whether it comes from the web or the command line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping


def results_csv(
    people: Iterable[str], probabilities: Mapping[str, float], selected: Iterable[str]
) -> str:
    """``id,probability,selected``: every volunteer in the order of the pool file, their
    selection probability (10 decimals) and ``1`` if drawn, else ``0``."""
    chosen = set(selected)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "probability", "selected"])
    for person in people:
        writer.writerow([person, f"{probabilities[person]:.10f}", "1" if person in chosen else "0"])
    return out.getvalue()
