"""Selection engine of a citizens' panel drawn by lot: pure Python, no Django.

Fair lottery (LEXIMIN, Flanigan et al., Nature 596, 2021) over the panels that meet the quotas,
a draw that anyone can redo from the published pool and a seed fixed beforehand, replacements
drawn the same way, and explanations when the quotas cannot be met. The method is described in
``docs/decisions/0003-panel-selection.md``.

Public API::

    Instance(categories, people, values)          # the pool and its quotas, checked
    Instance.build({category: {value: (min, max)}}, {id: {category: value}})
    Quota(min, max)
    load_instance(respondents_path, categories_path, id_column=None) -> Instance
        # both CSV formats (replication / sortition-algorithms), told by the headers

    check_feasibility(instance, panel_size) -> list[Problem]      # [] when a panel exists
    minimal_relaxation(instance, panel_size) -> list[QuotaRelaxation]

    leximin(instance, panel_size, progress=None) -> Distribution
        # progress(fraction: float, message: str); Distribution.panels (count vectors over
        # Distribution.types), .weights (integers out of WEIGHT_UNITS), .probabilities
        # ({id: p}), .minimum, .median, .gini, .stats
    draw_panel(instance, panel_size, seed, distribution=None, progress=None) -> Draw
        # Draw.selected (sorted ids), .probabilities, .ticket, .panel_index, .fingerprint
    draw_replacements(instance, panel_size, seed, members, excluded, progress=None)
        -> Replacement   # .selected, .relaxations, .violations, .probabilities

Errors are :class:`SelectionError` subclasses carrying ``problems``: frozen dataclasses from
:mod:`.errors` (``TooFewVolunteers``, ``MinimumsAbovePanelSize``, ``QuotaRelaxation``,
``UnknownValue``…) that the web layer words in French. :mod:`.reference` wraps the reference
library ``sortition-algorithms`` (development only, optional).
"""

from .draw import Draw, Replacement, draw_panel, draw_replacements
from .errors import (
    InfeasibleQuotasError,
    InvalidInstanceError,
    Problem,
    QuotaRelaxation,
    SelectionError,
    SolverError,
)
from .feasibility import check_feasibility, minimal_relaxation
from .instance import Instance, Quota, load_instance
from .leximin import WEIGHT_UNITS, Distribution, leximin

__all__ = [
    "WEIGHT_UNITS",
    "Distribution",
    "Draw",
    "InfeasibleQuotasError",
    "Instance",
    "InvalidInstanceError",
    "Problem",
    "Quota",
    "QuotaRelaxation",
    "Replacement",
    "SelectionError",
    "SolverError",
    "check_feasibility",
    "draw_panel",
    "draw_replacements",
    "leximin",
    "load_instance",
    "minimal_relaxation",
]
