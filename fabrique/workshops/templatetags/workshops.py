"""Workshops shown on other pages (the process's home)."""

from __future__ import annotations

from django import template

from fabrique.processes.models import Process

from ..models import Workshop
from ..selectors.day import workshops_with_restitution
from ..selectors.planning import upcoming_workshops as upcoming

register = template.Library()


@register.simple_tag
def upcoming_workshops(process: Process, limit: int = 3) -> list[Workshop]:
    return upcoming(process=process, limit=limit)


@register.simple_tag
def restitutions(process: Process, limit: int = 3) -> list[Workshop]:
    return list(workshops_with_restitution(process=process)[:limit])
