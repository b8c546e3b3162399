"""Back-office: a spreadsheet of people into the pool, in two screens — the file, then which
column holds what (see ``..imports``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process

from .. import imports
from ..models import Panel, PoolImport
from ..permissions import panel_manager_required
from . import bo_context, get_panel


def _pool(panel: Panel) -> HttpResponse:
    return redirect("panels:bo_pool", panel.process.territory.slug, panel.process.slug, panel.slug)


@panel_manager_required
def bo_import(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    targets = imports.import_targets(panel)
    form = imports.PoolImportUploadForm(
        request.POST or None, request.FILES or None, targets=targets
    )
    if request.method == "POST" and form.is_valid():
        try:
            pool_import = imports.pool_import_read(
                panel=panel, uploaded_file=form.cleaned_data["file"], by=request_user(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(
                "panels:bo_import_map", process.territory.slug, process.slug, panel.slug,
                pool_import.pk,
            )  # fmt: skip
    return render(
        request,
        "panels/backoffice/import_upload.html",
        bo_context(
            panel,
            form=form,
            targets=targets,
            frozen=panel.draws.exists(),
            has_categories=panel.categories.exists(),
        ),
    )


@panel_manager_required
def bo_import_map(
    request: HttpRequest, process: Process, panel_slug: str, import_pk: int
) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    pool_import = get_object_or_404(PoolImport, panel=panel, pk=import_pk)
    if pool_import.imported_at is not None:
        messages.info(request, _("This file has been imported: its people are in the pool."))
        return _pool(panel)
    targets = imports.import_targets(panel)
    header, rows = pool_import.rows[0], pool_import.rows[1:]
    columns = imports.file_columns(header)
    form = imports.PoolImportMappingForm(
        request.POST or None,
        targets=targets,
        columns=columns,
        initial=imports.mapping_guess(targets, header),
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = imports.pool_import_apply(
                pool_import=pool_import,
                mapping=form.mapping(),
                confirmed_consent=form.cleaned_data["consent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d volunteer added to the pool.",
                    "%(count)d volunteers added to the pool.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return _pool(panel)
    people = sum(1 for row in rows if any(cell.strip() for cell in row))
    preview = [(line, row) for line, row in enumerate(rows[: imports.PREVIEW_ROWS], start=2)]
    return render(
        request,
        "panels/backoffice/import_map.html",
        bo_context(
            panel,
            form=form,
            pool_import=pool_import,
            columns=columns,
            preview=preview,
            people=people,
            frozen=panel.draws.exists(),
        ),
    )


P = "gestion/<slug:territory_slug>/demarches/<slug:slug>/panels/<slug:panel_slug>/"

urlpatterns = [
    path(P + "vivier/import/", bo_import, name="bo_import"),
    path(P + "vivier/import/<int:import_pk>/", bo_import_map, name="bo_import_map"),
]
