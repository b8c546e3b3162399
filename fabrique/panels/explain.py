"""The selection engine's problems in the interface's language, in words staff understand."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .selection import errors as e
from .selection.pairs import TooFewWithBoth


def problem(p: e.Problem) -> str:  # one case per kind of problem
    if isinstance(p, e.TooFewVolunteers):
        return ngettext(
            "At most %(available)d volunteer has « %(value)s » (%(category)s); "
            "the quotas ask for at least %(minimum)d.",
            "At most %(available)d volunteers have « %(value)s » (%(category)s); "
            "the quotas ask for at least %(minimum)d.",
            p.available,
        ) % {"available": p.available, "value": p.value, "category": p.category,
             "minimum": p.minimum}  # fmt: skip
    if isinstance(p, TooFewWithBoth):
        return ngettext(
            "At most %(available)d volunteer is « %(value)s » (%(category)s) and "
            "« %(other_value)s » (%(other_category)s); the quotas ask for %(required)d.",
            "At most %(available)d volunteers are « %(value)s » (%(category)s) and "
            "« %(other_value)s » (%(other_category)s); the quotas ask for %(required)d.",
            p.available,
        ) % {"available": p.available, "value": p.value, "category": p.category,
             "other_value": p.other_value, "other_category": p.other_category,
             "required": p.required}  # fmt: skip
    if isinstance(p, e.PoolTooSmall):
        return ngettext(
            "The pool has %(pool)d volunteer who can be drawn, for a panel of %(size)d.",
            "The pool has %(pool)d volunteers who can be drawn, for a panel of %(size)d.",
            p.pool_size,
        ) % {
            "pool": p.pool_size,
            "size": p.panel_size,
        }
    if isinstance(p, e.MinimumsAbovePanelSize):
        return _(
            "The minimums of « %(category)s » add up to %(total)d, more than the %(size)d "
            "seats of the panel."
        ) % {"category": p.category, "total": p.total_minimum, "size": p.panel_size}
    if isinstance(p, e.MaximumsBelowPanelSize):
        return _(
            "The maximums of « %(category)s » add up to %(total)d, fewer than the %(size)d "
            "seats of the panel."
        ) % {"category": p.category, "total": p.total_maximum, "size": p.panel_size}
    if isinstance(p, e.CategoryCannotFillPanel):
        return _(
            "Within the maximums of « %(category)s » and with the volunteers there are, at "
            "most %(fillable)d of the %(size)d seats can be filled."
        ) % {"category": p.category, "fillable": p.fillable, "size": p.panel_size}
    if isinstance(p, e.QuotaRelaxation):
        if p.bound == "min":
            return _(
                "To make a panel possible, the minimum of « %(value)s » (%(category)s) must "
                "go down from %(quota)d to %(relaxed)d."
            ) % {"value": p.value, "category": p.category, "quota": p.quota,
                 "relaxed": p.relaxed_to}  # fmt: skip
        return _(
            "To make a panel possible, the maximum of « %(value)s » (%(category)s) must go "
            "up from %(quota)d to %(relaxed)d."
        ) % {"value": p.value, "category": p.category, "quota": p.quota,
             "relaxed": p.relaxed_to}  # fmt: skip
    if isinstance(p, e.MinAboveMax):
        return _(
            "The minimum of « %(value)s » (%(category)s) is above its maximum "
            "(%(minimum)d > %(maximum)d)."
        ) % {"value": p.value, "category": p.category, "minimum": p.minimum,
             "maximum": p.maximum}  # fmt: skip
    if isinstance(p, e.EmptyCategory):
        return _("The category « %(category)s » has no value.") % {"category": p.category}
    if isinstance(p, e.UnknownValue):
        return _(
            "Volunteer %(id)s has « %(value)s » for « %(category)s », which is not one of "
            "its values."
        ) % {"id": p.person_id, "value": p.value, "category": p.category}
    if isinstance(p, e.MissingValues):
        return _("Volunteer %(id)s has not answered every question.") % {"id": p.person_id}
    if isinstance(p, e.InvalidPanelSize):
        return _("A panel has at least one member.")
    if isinstance(p, e.InvalidSeed):
        return _("Type the seed: numbers drawn in public, say.")
    # Malformed files or a solver failure: the engine's own words (they name the file).
    return p.describe()
