"""Restitution reports: composed and published by staff, read by everyone, with the PDF and
the spreadsheet to download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process
from fabrique.processes.permissions import (
    can_manage_process,
    can_view_process,
    process_manager_required,
)

from ..forms.report import ReportCreateForm, ReportForm
from ..models import Report, Synthesis
from ..selectors.report import content_context
from ..services import report as services

BO = "gestion/<slug:territory_slug>/demarches/<slug:slug>/synthese/rapports/"
REPORT = BO + "<int:pk>/"
PUBLIC = "demarches/<slug:slug>/syntheses/<int:pk>/"


def _bo(process: Process, **extra: Any) -> dict[str, Any]:
    return {"bo_territory": process.territory, "process": process, **extra}


def _report(process: Process, pk: int) -> Report:
    return get_object_or_404(
        Report.objects.select_related("synthesis", "process__territory", "grouping"),
        process=process,
        pk=pk,
    )


def _to_report(report: Report) -> HttpResponse:
    return redirect(
        "synthesis:bo_report", report.process.territory.slug, report.process.slug, report.pk
    )


@process_manager_required
def bo_reports(request: HttpRequest, process: Process) -> HttpResponse:
    form = ReportCreateForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                synthesis=form.cleaned_data["synthesis"],
                title=form.cleaned_data["title"],
                by=request_user(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Report created with every topic of the version. Compose it, then publish it."),
            )
            return _to_report(report)
    reports = Report.objects.filter(process=process).select_related("synthesis", "process")
    has_versions = Synthesis.objects.filter(process=process, status=Synthesis.Status.DONE).exists()
    return render(
        request,
        "synthesis/report/bo_reports.html",
        _bo(process, form=form, reports=reports, has_versions=has_versions),
    )


@process_manager_required
def bo_report(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    report = _report(process, pk)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_update(
                report=report,
                title=data["title"],
                introduction=data["introduction"],
                all_topics=data["all_topics"],
                topics=list(data["topics"]),
                grouping=data["grouping"],
                include_figures=data["include_figures"],
                include_representativeness=data["include_representativeness"],
                include_answers=data["include_answers"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Report saved and generated again; the files are being made.")
            )
            return _to_report(report)
    return render(
        request,
        "synthesis/report/bo_report.html",
        _bo(process, report=report, form=form, warnings=_warnings(report)),
    )


def _warnings(report: Report) -> list[str]:
    found = []
    if report.is_stale:
        found.append(
            _(
                "The topics of version no. %(number)s were edited after this report was "
                "generated: generate it again to show them."
            )
            % {"number": report.synthesis.number}
        )
    return found


@process_manager_required
def bo_report_files(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    """The state of the files; the page asks again every two seconds while they are made."""
    report = _report(process, pk)
    return render(request, "synthesis/report/_files.html", _bo(process, report=report))


# Addresses in French, like the others.
ACTIONS = {
    "regenerer": "regenerate",
    "publier": "publish",
    "retirer": "unpublish",
    "supprimer": "delete",
}


@require_POST
@process_manager_required
def bo_report_action(request: HttpRequest, process: Process, pk: int, action: str) -> HttpResponse:
    report = _report(process, pk)
    action = ACTIONS.get(action, "")
    try:
        if action == "regenerate":
            services.report_generate(report=report)
            messages.success(request, _("Report generated again; the files are being made."))
        elif action == "publish":
            services.report_publish(report=report, by=request_user(request))
            messages.success(request, _("Report published: everyone can read it now."))
        elif action == "unpublish":
            services.report_unpublish(report=report)
            messages.success(request, _("Report withdrawn from publication."))
        elif action == "delete":
            services.report_delete(report=report)
            messages.success(request, _("Report deleted."))
            return redirect("synthesis:bo_reports", process.territory.slug, process.slug)
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _to_report(report)


# --- Public -------------------------------------------------------------------------------


def _readable(request: HttpRequest, slug: str, pk: int) -> Report:
    """A published report of a public process; staff of the territory also see drafts."""
    report = get_object_or_404(
        Report.objects.select_related("process__territory", "synthesis"),
        process__slug=slug,
        pk=pk,
    )
    user = request.user
    if can_manage_process(user, report.process):
        return report
    if not report.is_published or not can_view_process(user, report.process):
        raise Http404
    return report


def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _readable(request, slug, pk)
    return render(request, "synthesis/report/public.html", content_context(found))


def _file(request: HttpRequest, slug: str, pk: int, which: str) -> FileResponse:
    found = _readable(request, slug, pk)
    stored = found.pdf if which == "pdf" else found.xlsx
    if not found.files_ready or not stored:
        raise Http404
    name = slugify(f"{found.process.slug}-{found.title}")[:80] or "rapport"
    return FileResponse(
        stored.open("rb"),
        as_attachment=which == "xlsx",
        filename=f"{name}.{which}",
        content_type="application/pdf"
        if which == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def report_pdf(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    return _file(request, slug, pk, "pdf")


def report_xlsx(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    return _file(request, slug, pk, "xlsx")


urlpatterns = [
    path(BO, bo_reports, name="bo_reports"),
    path(REPORT, bo_report, name="bo_report"),
    path(REPORT + "fichiers/", bo_report_files, name="bo_report_files"),
    path(REPORT + "<slug:action>/", bo_report_action, name="bo_report_action"),
    path(PUBLIC, report, name="report"),
    path(PUBLIC + "rapport.pdf", report_pdf, name="report_pdf"),
    path(PUBLIC + "contributions.xlsx", report_xlsx, name="report_xlsx"),
]
