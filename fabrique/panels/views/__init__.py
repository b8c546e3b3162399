"""Views of citizen panels, by area: ``public`` (panel page, sign-up, files of the draws),
``backoffice`` (quotas, pool, draws), ``pool_import`` (spreadsheets into the pool) and
``members`` (invitations, member space, sessions, attendance, export)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from fabrique.processes.models import Process

from ..models import Panel


def get_panel(process: Process, panel_slug: str) -> Panel:
    return get_object_or_404(
        Panel.objects.select_related("process"), process=process, slug=panel_slug
    )


def bo_context(panel: Panel, **extra: object) -> dict[str, object]:
    """What every back-office page of a panel needs (its templates extend
    ``panels/backoffice/base.html``)."""
    return {
        "bo_territory": panel.process.territory,
        "process": panel.process,
        "panel": panel,
        **extra,
    }


def to_panel_page(name: str, panel: Panel, *args: object) -> HttpResponse:
    """Redirect to a back-office page of the panel (``panels:<name>``)."""
    return redirect(name, panel.process.territory.slug, panel.process.slug, panel.slug, *args)
