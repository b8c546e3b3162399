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
