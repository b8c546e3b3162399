"""Conflicts between two categories, that counting the volunteers shows.

Within category A, the seats value ``a`` must get cannot all go to volunteers with ``a`` and
some value ``b'`` of category B: at most ``min(volunteers with a and b', max(b'))`` of them can.
So at least ``min(a) − Σ_{b' ≠ b} min(volunteers with a and b', max(b'))`` of the seats of ``a``
must go to volunteers with ``a`` *and* ``b``. When more are required than there are, no panel
exists, and the reason reads in words: « at most 3 volunteers aged 16–24 live in Plaine sud; the
quotas ask for 5 ». The elastic programme of :mod:`.feasibility` says how to relax the quotas;
this says why, in the terms staff think in.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Problem
from .instance import Instance


@dataclass(frozen=True)
class TooFewWithBoth(Problem):
    """At most ``available`` volunteers have both values; the quotas need ``required``."""

    category: str
    value: str
    other_category: str
    other_value: str
    available: int
    required: int

    def describe(self) -> str:
        return (
            f"At most {self.available} volunteers have {self.category}={self.value} and "
            f"{self.other_category}={self.other_value}; the quotas ask for {self.required}."
        )


def pair_conflicts(instance: Instance) -> list[TooFewWithBoth]:
    """Every pair of values whose volunteers are too few for what the quotas force on them,
    once per pair (the larger shortfall when both categories force it)."""
    names = instance.category_names
    counts: dict[tuple[int, int], dict[tuple[str, str], int]] = {}
    single: list[dict[str, int]] = [dict.fromkeys(instance.categories[n], 0) for n in names]
    for person in instance.people:
        row = instance.values[person]
        for i, value in enumerate(row):
            single[i][value] += 1
        for i in range(len(names)):
            for j in range(len(names)):
                if i != j:
                    both = counts.setdefault((i, j), {})
                    both[(row[i], row[j])] = both.get((row[i], row[j]), 0) + 1
    found: dict[frozenset[tuple[str, str]], TooFewWithBoth] = {}
    for (i, j), both in counts.items():
        first, second = names[i], names[j]
        for a, quota_a in instance.categories[first].items():
            if single[i][a] < quota_a.min:
                continue  # already said more simply: too few volunteers with a at all
            held = {
                b: min(both.get((a, b), 0), quota_b.max)
                for b, quota_b in instance.categories[second].items()
            }
            total = sum(held.values())
            for b in instance.categories[second]:
                required = quota_a.min - (total - held[b])
                available = both.get((a, b), 0)
                if required <= available:
                    continue
                key = frozenset({(first, a), (second, b)})
                conflict = TooFewWithBoth(first, a, second, b, available, required)
                previous = found.get(key)
                if previous is None or required - available > (
                    previous.required - previous.available
                ):
                    found[key] = conflict
    return sorted(found.values(), key=lambda c: (names.index(c.category), c.value, c.other_value))
