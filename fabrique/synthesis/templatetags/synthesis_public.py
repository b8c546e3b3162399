"""What the synthesis shows on the process's public page: opinion maps and reports."""

from __future__ import annotations

from django import template

from fabrique.processes.models import Process

from ..models import OpinionActivity, Report

register = template.Library()


@register.simple_tag
def public_opinion_activities(process: Process) -> list[OpinionActivity]:
    return list(
        OpinionActivity.objects.filter(process=process)
        .exclude(status=OpinionActivity.Status.DRAFT)
        .order_by("-pk")[:5]
    )


@register.simple_tag
def published_reports(process: Process) -> list[Report]:
    return list(
        Report.objects.filter(process=process, status=Report.Status.PUBLISHED).order_by(
            "-published_at"
        )[:5]
    )
