"""Near-duplicates: search them in the background, then merge or dismiss each cluster."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.participation import merging
from fabrique.processes.models import Process
from fabrique.processes.permissions import process_manager_required

from ..forms.duplicates import MergeForm, ScanForm
from ..models import DuplicateCluster, DuplicateScan
from ..selectors import duplicates as selectors
from ..services import duplicates as services

BO = "gestion/<slug:territory_slug>/demarches/<slug:slug>/synthese/doublons/"
PAGE = 20


def _bo(process: Process, **extra: Any) -> dict[str, Any]:
    return {"bo_territory": process.territory, "process": process, **extra}


def _to_page(process: Process, anchor: str = "") -> HttpResponse:
    response = redirect("synthesis:bo_duplicates", process.territory.slug, process.slug)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _merge_form(view: selectors.ClusterView, data: Any = None) -> MergeForm:
    target = view.default_target
    return MergeForm(
        data,
        members=[m.contribution for m in view.listed],
        default_target=target.pk if target else None,
        prefix=f"c{view.cluster.pk}",
    )


@process_manager_required
def bo_duplicates(request: HttpRequest, process: Process) -> HttpResponse:
    """The clusters to review, and the form launching a new search."""
    form = ScanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.duplicate_scan_launch(
                process=process, by=request_user(request), threshold=form.threshold
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The search is launched. You can leave this page."))
            return _to_page(process)
    services.scans_mark_stale(process=process)
    page = Paginator(
        selectors.open_clusters(process=process).order_by("-similarity", "pk"), PAGE
    ).get_page(request.GET.get("page"))
    views = selectors.cluster_views(list(page.object_list))
    return render(
        request,
        "synthesis/duplicates/bo_duplicates.html",
        _bo(
            process,
            form=form,
            scan=selectors.duplicate_scan_latest(process=process),
            page=page,
            clusters=[(view, _merge_form(view)) for view in views],
            resolved=selectors.resolved_clusters(process=process),
            published=merging.listed(process).count(),
        ),
    )


@process_manager_required
def bo_duplicates_progress(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    """A search's progress; the page asks again every second until it is finished."""
    scan = get_object_or_404(DuplicateScan, process=process, pk=pk)
    response = render(request, "synthesis/duplicates/_progress.html", _bo(process, scan=scan))
    if request.headers.get("HX-Request") and scan.is_finished:
        response["HX-Refresh"] = "true"  # the page is shown again, with the clusters
    return response


def _cluster(process: Process, pk: int) -> DuplicateCluster:
    return get_object_or_404(DuplicateCluster, process=process, pk=pk)


@process_manager_required
def bo_duplicate_merge(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    cluster = _cluster(process, pk)
    if request.method != "POST":
        return _to_page(process)
    if services.handled_message(cluster):  # sent twice, or by two people at once
        messages.error(request, services.handled_message(cluster))
        return _to_page(process)
    [view] = selectors.cluster_views([cluster])
    if view.large:
        messages.error(request, _("This cluster is too large to be merged from this page."))
        return _to_page(process, f"cluster-{cluster.pk}")
    if not view.mergeable:
        messages.error(
            request,
            _(
                "This cluster changed since the search: fewer than two of its contributions "
                "can still be merged. Dismiss it, or launch a new search."
            ),
        )
        return _to_page(process, f"cluster-{cluster.pk}")
    form = _merge_form(view, request.POST)
    if not form.is_valid():
        errors = [str(e) for e in form.non_field_errors()] or [
            _("Choose the contribution kept and those merged into it.")
        ]
        messages.error(request, " ".join(errors))
        return _to_page(process, f"cluster-{cluster.pk}")
    try:
        services.duplicate_cluster_merge(
            cluster=cluster,
            target=form.target_contribution,
            sources=form.source_contributions,
            by=request_user(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_page(process, f"cluster-{cluster.pk}")
    messages.success(
        request,
        _(
            "Merged into « %(title)s »: its page now gathers the others, their supports and "
            "their authors; each merged contribution keeps its own page."
        )
        % {"title": form.target_contribution.title},
    )
    return _to_page(process)


@process_manager_required
def bo_duplicate_dismiss(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    cluster = _cluster(process, pk)
    if request.method != "POST":
        return _to_page(process)
    try:
        services.duplicate_cluster_dismiss(cluster=cluster, by=request_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Noted: these contributions will not be proposed together again.")
        )
    return _to_page(process)


urlpatterns = [
    path(BO, bo_duplicates, name="bo_duplicates"),
    path(BO + "recherches/<int:pk>/", bo_duplicates_progress, name="bo_duplicates_progress"),
    path(BO + "<int:pk>/fusionner/", bo_duplicate_merge, name="bo_duplicate_merge"),
    path(BO + "<int:pk>/ecarter/", bo_duplicate_dismiss, name="bo_duplicate_dismiss"),
]
