"""What the opinion maps give moderators to do, shown on the process's moderation page."""

from __future__ import annotations

from typing import Any

from django import template

from fabrique.processes.models import Process

from ..selectors.opinion import pending_statements

register = template.Library()


@register.inclusion_tag("synthesis/opinion/_moderation_section.html")
def opinion_moderation(process: Process) -> dict[str, Any]:
    return {"process": process, "statements": list(pending_statements(process=process))}


@register.simple_tag
def pending_statement_count(process: Process) -> int:
    return pending_statements(process=process).count()
