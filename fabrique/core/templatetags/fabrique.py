from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def dict_get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def form_token() -> SafeString:
    """A one-time token: the same form sent twice (a double click) is taken once."""
    return format_html('<input type="hidden" name="form_token" value="{}">', uuid.uuid4().hex)


@register.filter
def percent(value: float | None, decimals: int = 1) -> str:
    """0.0873 → « 8,7 % » (in the active language's number format)."""
    from django.template.defaultfilters import floatformat

    if value is None:
        return "—"
    return f"{floatformat(value * 100, decimals)} %"
