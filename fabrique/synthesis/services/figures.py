"""Population shares staff enter for personal attributes (age band, gender), to compare the
participants with: typed as « value ; share % » lines, checked as a whole, saved all or
nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fabrique.accounts.models import AgeBand, Gender, User
from fabrique.core.db import fold
from fabrique.processes.models import Process
from fabrique.territories.models import Territory

from ..models import ReferenceShare

# The shares of an attribute must add up to 100 %, give or take rounding.
TOLERANCE = Decimal(1)

# Other ways people write the values, besides their code and their label.
_ALIASES: dict[str, dict[str, str]] = {
    ReferenceShare.Attribute.GENDER: {
        "f": Gender.WOMAN,
        "femmes": Gender.WOMAN,
        "women": Gender.WOMAN,
        "h": Gender.MAN,
        "m": Gender.MAN,
        "hommes": Gender.MAN,
        "men": Gender.MAN,
        "autres": Gender.OTHER,
    },
    ReferenceShare.Attribute.AGE_BAND: {},
}


@dataclass(frozen=True)
class ParsedShare:
    value: str
    share: Decimal


def _choices(attribute: str) -> list[tuple[str, str]]:
    if attribute == ReferenceShare.Attribute.AGE_BAND:
        return [(str(v), str(label)) for v, label in AgeBand.choices]
    if attribute == ReferenceShare.Attribute.GENDER:
        return [(str(v), str(label)) for v, label in Gender.choices]
    raise ValueError(f"Unknown attribute {attribute!r}")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(text) or "").strip()


def value_for(attribute: str, text: str) -> str | None:
    """The value a person meant: its code, its label (« Femme », « 15 à 29 ans »), a usual
    variant (« F », « Hommes »), or for age bands just the ages (« 15-29 », « 75+ »)."""
    wanted = _key(text)
    if not wanted:
        return None
    for value, label in _choices(attribute):
        if wanted in (_key(value), _key(label)):
            return value
    alias = _ALIASES[attribute].get(wanted)
    if alias is not None:
        return str(alias)
    if attribute == ReferenceShare.Attribute.AGE_BAND:
        ages = re.findall(r"\d+", wanted)
        for value, _label in _choices(attribute):
            if ages and ages == re.findall(r"\d+", value):
                return value
    return None


def reference_shares_parse(*, attribute: str, text: str) -> list[ParsedShare]:
    """Read « value ; share % » lines. Every faulty line is reported, with its number."""
    choices = _choices(attribute)
    known = ", ".join(f"« {label} »" for _v, label in choices)
    errors: list[str] = []
    parsed: list[ParsedShare] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, separator, share_text = line.partition(";")
        if not separator:
            errors.append(
                _("Line %(n)d: write the value, a semicolon, then the share (« Femme ; 52 »).")
                % {"n": number}
            )
            continue
        value = value_for(attribute, label)
        if value is None:
            errors.append(
                _("Line %(n)d: « %(value)s » is not one of the values asked (%(known)s).")
                % {"n": number, "value": label.strip(), "known": known}
            )
            continue
        cleaned = share_text.strip().rstrip("%").strip().replace(",", ".").replace(" ", "")
        try:
            share = Decimal(cleaned)
        except InvalidOperation:
            share = Decimal(-1)
        if not cleaned or not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
            errors.append(
                _("Line %(n)d: « %(share)s » is not a share between 0 and 100.")
                % {"n": number, "share": share_text.strip()}
            )
            continue
        if value in seen:
            errors.append(
                _("Line %(n)d: « %(value)s » is already given on line %(first)d.")
                % {"n": number, "value": label.strip(), "first": seen[value]}
            )
            continue
        seen[value] = number
        parsed.append(ParsedShare(value, share.quantize(Decimal("0.001"))))
    if not parsed and not errors:
        errors.append(_("Give one line per value, for example « Femme ; 52 »."))
    total = sum((p.share for p in parsed), Decimal(0))
    if parsed and not errors and abs(total - 100) > TOLERANCE:
        errors.append(
            _(
                "The shares add up to %(total)s %%: they must make 100 %% (give or take one "
                "point). Nothing was saved."
            )
            % {"total": f"{total.normalize():f}".replace(".", ",")}
        )
    if errors:
        raise ValidationError({"shares": errors})
    return parsed


@transaction.atomic
def reference_shares_set(
    *,
    attribute: str,
    text: str,
    source: str,
    by: User | None,
    process: Process | None = None,
    territory: Territory | None = None,
) -> list[ReferenceShare]:
    """Replace the shares of ``attribute`` for a process or a whole territory. All or
    nothing: a single faulty line and nothing is written."""
    if (process is None) == (territory is None):
        raise ValueError("Give a process or a territory.")
    parsed = reference_shares_parse(attribute=attribute, text=text)
    scope: dict[str, Process | Territory | None] = (
        {"process": process} if process is not None else {"territory": territory}
    )
    ReferenceShare.objects.filter(attribute=attribute, **scope).delete()
    rows = [
        ReferenceShare(
            attribute=attribute,
            value=item.value,
            share=item.share,
            source=source.strip()[:300],
            position=position,
            created_by=by,
            **scope,
        )
        for position, item in enumerate(parsed)
    ]
    for row in rows:
        row.full_clean(exclude=["created_by"])
    return ReferenceShare.objects.bulk_create(rows)


def reference_shares_clear(
    *, attribute: str, process: Process | None = None, territory: Territory | None = None
) -> int:
    if (process is None) == (territory is None):
        raise ValueError("Give a process or a territory.")
    scope: dict[str, Process | Territory | None] = (
        {"process": process} if process is not None else {"territory": territory}
    )
    deleted, _rows = ReferenceShare.objects.filter(attribute=attribute, **scope).delete()
    return deleted


def reference_shares_text(rows: list[ReferenceShare]) -> str:
    """The lines a form shows for shares already saved."""
    labels = {}
    for row in rows:
        labels.update(dict(_choices(row.attribute)))
    return "\n".join(
        f"{labels.get(r.value, r.value)} ; {f'{r.share.normalize():f}'.replace('.', ',')}"
        for r in rows
    )
