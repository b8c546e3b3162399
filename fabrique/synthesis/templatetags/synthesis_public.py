"""What the synthesis shows on the process's public page: opinion maps and reports."""

from __future__ import annotations

from django import template

from fabrique.processes.models import Process

from ..models import OpinionActivity, Report
from ..selectors.opinion import public_activities
from ..selectors.report import published_reports as reports_of

register = template.Library()


@register.simple_tag
def public_opinion_activities(process: Process) -> list[OpinionActivity]:
    return list(public_activities(process)[:5])


@register.simple_tag
def published_reports(process: Process) -> list[Report]:
    return list(reports_of(process)[:5])
