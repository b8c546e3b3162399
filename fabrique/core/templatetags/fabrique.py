from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dict_get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None
