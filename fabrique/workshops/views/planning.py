"""Planning workshops (back-office) and browsing them (public pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process
from fabrique.processes.permissions import can_view_process, process_permission_required

from ..forms.planning import WorkshopForm
from ..models import Workshop
from ..permissions import (
    can_plan_workshops,
    can_run_workshop,
    can_view_workshop,
    workshop_runner_required,
)
from ..selectors.planning import (
    WorkshopFilters,
    backoffice_workshops,
    public_workshops,
    workshop_points,
)
from ..services import planning as services
from . import day, live, registration

BO = "gestion/<slug:territory_slug>/demarches/<slug:slug>/ateliers/"

planner_required = process_permission_required(can_plan_workshops)


def _public_process(request: HttpRequest, slug: str) -> Process:
    process = get_object_or_404(Process.objects.select_related("territory"), slug=slug)
    if not can_view_process(request.user, process):
        raise Http404
    return process


def workshop_list(request: HttpRequest, slug: str) -> HttpResponse:
    process = _public_process(request, slug)
    when = request.GET.get("quand", "upcoming")
    filters = WorkshopFilters(
        theme=request.GET.get("thematique", ""),
        format=request.GET.get("format", ""),
        commune=request.GET.get("commune", ""),
        when=when if when in ("upcoming", "past", "all") else "upcoming",
    )
    workshops = public_workshops(process=process, filters=filters)
    return render(
        request,
        "workshops/planning/workshop_list.html",
        {
            "territory": process.territory,
            "process": process,
            "workshops": workshops,
            "points": workshop_points(workshops=workshops),
            "filters": filters,
            "themes": process.themes.all(),
            "formats": Workshop.Format.choices,
            "communes": process.territory.communes.filter(
                pk__in=Workshop.objects.filter(process=process).values("commune_id")
            ).order_by("name"),
            "can_plan": can_plan_workshops(request.user, process),
        },
    )


def workshop_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _public_process(request, slug)
    workshop = get_object_or_404(
        Workshop.objects.select_related("commune", "phase", "process__territory").prefetch_related(
            "themes", "facilitators"
        ),
        process=process,
        pk=pk,
    )
    if not can_view_workshop(request.user, workshop):
        raise Http404
    context: dict[str, Any] = {
        "territory": process.territory,
        "process": process,
        "workshop": workshop,
        "can_run": can_run_workshop(request.user, workshop),
        "workshop_point": workshop_points(workshops=[workshop]),
    }
    for part in (registration, day, live):
        context.update(part.detail_context(request, workshop))
    return render(request, "workshops/planning/workshop_detail.html", context)


def _to(name: str, workshop: Workshop) -> HttpResponse:
    return redirect(name, workshop.process.territory.slug, workshop.process.slug, workshop.pk)


def _bo(process: Process, **extra: Any) -> dict[str, Any]:
    return {"bo_territory": process.territory, "process": process, **extra}


def _save_kwargs(form: WorkshopForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["themes"] = list(data.get("themes") or [])
    data["facilitators"] = list(data.get("facilitators") or [])
    return data


@planner_required
def bo_list(request: HttpRequest, process: Process) -> HttpResponse:
    return render(
        request,
        "workshops/planning/bo_list.html",
        _bo(
            process,
            workshops=backoffice_workshops(process=process),
            has_phase=process.phases.filter(modes__mode="workshops").exists(),
        ),
    )


@planner_required
def bo_create(request: HttpRequest, process: Process) -> HttpResponse:
    form = WorkshopForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(
                process=process, created_by=request_user(request), **_save_kwargs(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Workshop created as a draft. Publish it when it is ready.")
            )
            return _to("workshops:bo_workshop", workshop)
    return render(request, "workshops/planning/bo_form.html", _bo(process, form=form))


@workshop_runner_required
def bo_workshop(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    counted = backoffice_workshops(process=workshop.process).get(pk=workshop.pk)
    return render(
        request,
        "workshops/planning/bo_workshop.html",
        _bo(
            workshop.process,
            workshop=counted,
            can_plan=can_plan_workshops(request.user, workshop.process),
        ),
    )


@workshop_runner_required
def bo_edit(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    if not can_plan_workshops(request.user, workshop.process):
        # Named facilitators run the workshop; planning it stays with the territory's staff.
        raise PermissionDenied
    form = WorkshopForm(request.POST or None, instance=workshop, process=workshop.process)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.workshop_update(workshop=workshop, **_save_kwargs(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if changes and workshop.status == Workshop.Status.PUBLISHED:
                messages.success(
                    request, _("Workshop saved. Registered people are told of the change.")
                )
            else:
                messages.success(request, _("Workshop saved."))
            return _to("workshops:bo_workshop", workshop)
    return render(
        request,
        "workshops/planning/bo_form.html",
        _bo(workshop.process, form=form, workshop=workshop),
    )


@require_POST
@workshop_runner_required
def bo_status(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    if not can_plan_workshops(request.user, workshop.process):
        raise PermissionDenied
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.workshop_publish(workshop=workshop)
            messages.success(request, _("The workshop is published: people can register."))
        elif action == "unpublish":
            services.workshop_unpublish(workshop=workshop)
            messages.success(request, _("The workshop is back to draft."))
        elif action == "cancel":
            services.workshop_cancel(workshop=workshop, reason=request.POST.get("reason", ""))
            messages.success(request, _("The workshop is cancelled; registered people are told."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _to("workshops:bo_workshop", workshop)


urlpatterns = [
    path("demarches/<slug:slug>/ateliers/", workshop_list, name="list"),
    path("demarches/<slug:slug>/ateliers/<int:pk>/", workshop_detail, name="detail"),
    path(BO, bo_list, name="bo_list"),
    path(BO + "nouveau/", bo_create, name="bo_create"),
    path(BO + "<int:pk>/", bo_workshop, name="bo_workshop"),
    path(BO + "<int:pk>/informations/", bo_edit, name="bo_edit"),
    path(BO + "<int:pk>/statut/", bo_status, name="bo_status"),
]
