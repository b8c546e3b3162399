"""Back-office of panels: the panel, its quotas, its pool, its draws."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process

from .. import services
from ..forms import CategoryForm, PanelForm, SeedForm
from ..models import Category, CategoryValue, Draw, Panel, Volunteer
from ..permissions import panel_manager_required
from ..tasks import draw_run_task
from . import bo_context, get_panel
from . import to_panel_page as _to

POOL_PAGE = 200


@panel_manager_required
def bo_list(request: HttpRequest, process: Process) -> HttpResponse:
    form = PanelForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            panel = services.panel_save(process=process, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Panel created. Next: the quota categories."))
            return _to("panels:bo_quotas", panel)
    return render(
        request,
        "panels/backoffice/panel_list.html",
        {
            "bo_territory": process.territory,
            "process": process,
            "panels": Panel.objects.filter(process=process),
            "form": form,
        },
    )


def _steps(panel: Panel) -> list[tuple[str, bool, str]]:
    draw = panel.current_draw
    return [
        (_("Quota categories"), panel.categories.exists(), "panels:bo_quotas"),
        (_("Volunteers in the pool"), services.drawable_count(panel) > 0 or draw is not None,
         "panels:bo_pool"),
        (_("Seed published"), draw is not None, "panels:bo_draw"),
        (_("Panel drawn"), draw is not None and draw.status == Draw.Status.DONE,
         "panels:bo_draw"),
    ]  # fmt: skip


@panel_manager_required
def bo_panel(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    form = PanelForm(request.POST or None, instance=panel, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_save(process=process, panel=panel, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Panel saved."))
            return _to("panels:bo_panel", panel)
    counts = {status: panel.volunteers.filter(status=status).count() for status in Volunteer.Status}
    return render(
        request,
        "panels/backoffice/panel.html",
        bo_context(
            panel,
            form=form,
            steps=_steps(panel),
            counts=counts,
            unconfirmed=panel.volunteers.filter(confirmed_at__isnull=True).count(),
            signup_open=services.signup_is_open(panel),
        ),
    )


@panel_manager_required
def bo_quotas(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    locked = panel.draws.exists()
    category_form = CategoryForm(
        request.POST if request.POST.get("form") == "category" else None, process=process
    )
    quota_errors: list[str] = []
    if request.method == "POST" and request.POST.get("form") == "category":
        if category_form.is_valid():
            data = category_form.cleaned_data
            try:
                values = (
                    []
                    if data["kind"] in (Category.Kind.COMMUNE, Category.Kind.BASIN)
                    else services.parse_value_lines(data["values"])
                )
                services.category_add(
                    panel=panel,
                    kind=data["kind"],
                    label=data["label"],
                    question=data["question"],
                    why_asked=data["why_asked"],
                    source=data["source"],
                    grouping=data["grouping"],
                    values=values,
                )
            except ValidationError as exc:
                add_service_errors(category_form, exc)
            else:
                messages.success(request, _("Category added, with its quotas."))
                return _to("panels:bo_quotas", panel)
    elif request.method == "POST" and request.POST.get("form") == "quotas":
        quota_errors = _save_quotas(request, panel)
        if not quota_errors:
            messages.success(request, _("Quotas saved."))
            return _to("panels:bo_quotas", panel)
    elif request.method == "POST" and request.POST.get("form") == "reset":
        try:
            services.quotas_reset(panel=panel)
        except ValidationError as exc:
            quota_errors = exc.messages
        else:
            messages.success(request, _("Quotas computed again from the shares."))
            return _to("panels:bo_quotas", panel)
    posted = request.POST if request.POST.get("form") == "quotas" else None
    categories = [
        (
            category,
            [
                QuotaRow(
                    value,
                    None
                    if value.population_share is None
                    else float(value.population_share) * panel.size / 100,
                    posted.get(f"min-{value.pk}", "") if posted else str(value.min_count),
                    posted.get(f"max-{value.pk}", "") if posted else str(value.max_count),
                )
                for value in category.values.all()
            ],
        )
        for category in panel.categories.prefetch_related("values")
    ]
    return render(
        request,
        "panels/backoffice/quotas.html",
        bo_context(
            panel,
            categories=categories,
            form=category_form,
            quota_errors=quota_errors,
            locked=locked,
            has_volunteers=panel.volunteers.exists(),
        ),
    )


@dataclass(frozen=True)
class QuotaRow:
    value: CategoryValue
    exact_seats: float | None
    min_shown: str
    max_shown: str


def _save_quotas(request: HttpRequest, panel: Panel) -> list[str]:
    """Every changed minimum and maximum, each checked; all or nothing."""
    errors: list[str] = []
    changes: list[tuple[CategoryValue, int, int]] = []
    for value in CategoryValue.objects.filter(category__panel=panel).select_related("category"):
        low_text = request.POST.get(f"min-{value.pk}", "")
        high_text = request.POST.get(f"max-{value.pk}", "")
        if not low_text.strip().isdigit() or not high_text.strip().isdigit():
            errors.append(
                _("« %(value)s »: give whole numbers, 0 or more.") % {"value": value.label}
            )
            continue
        low, high = int(low_text), int(high_text)
        if (low, high) != (value.min_count, value.max_count):
            changes.append((value, low, high))
    if errors:
        return errors
    try:
        with transaction.atomic():
            for value, low, high in changes:
                services.value_quota_set(value=value, min_count=low, max_count=high)
    except ValidationError as exc:
        return exc.messages
    return []


@require_POST
@panel_manager_required
def bo_category_delete(
    request: HttpRequest, process: Process, panel_slug: str, pk: int
) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    category = get_object_or_404(Category, panel=panel, pk=pk)
    try:
        services.category_delete(category=category)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Category « %(c)s » removed.") % {"c": category.label})
    return _to("panels:bo_quotas", panel)


@panel_manager_required
def bo_pool(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    volunteers = (
        panel.volunteers.select_related("commune").prefetch_related("values").order_by("number")
    )
    query = request.GET.get("q", "").strip()
    if query:
        volunteers = volunteers.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return render(
        request,
        "panels/backoffice/pool.html",
        bo_context(
            panel,
            makeup=services.pool_makeup(panel),
            volunteers=volunteers[:POOL_PAGE],
            total=volunteers.count(),
            drawable=services.drawable_count(panel),
            query=query,
            page_size=POOL_PAGE,
            categories=list(panel.categories.all()),
        ),
    )


@panel_manager_required
def bo_draw(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    draw = panel.current_draw
    form = SeedForm(request.POST or None)
    replacing = request.POST.get("form") == "replacement"
    if request.method == "POST" and form.is_valid():
        try:
            if replacing:
                new_draw = services.replacement_seed_publish(
                    panel=panel, seed=form.cleaned_data["seed"], by=request_user(request)
                )
            else:
                new_draw = services.seed_publish(
                    panel=panel, seed=form.cleaned_data["seed"], by=request_user(request)
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Seed « %(seed)s » published. The draw can be run.") % {"seed": new_draw.seed},
            )
            return _to("panels:bo_draw", panel)
    problems = services.feasibility(panel) if draw is None else []
    draws = list(panel.draws.order_by("pk"))
    to_replace = panel.volunteers.filter(
        status__in=[Volunteer.Status.DECLINED, Volunteer.Status.LEFT], replaced_in=None
    )
    return render(
        request,
        "panels/backoffice/draw.html",
        bo_context(
            panel,
            draw=draw,
            draws=draws,
            form=form,
            replacing=replacing,
            problems=problems,
            pool_size=services.drawable_count(panel),
            to_replace=to_replace,
            seats_free=panel.size - len(services.members(panel)),
            pending=[d for d in draws if d.status == Draw.Status.SEED_PUBLISHED],
        ),
    )


@require_POST
@panel_manager_required
def bo_draw_run(request: HttpRequest, process: Process, panel_slug: str, pk: int) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    draw = get_object_or_404(Draw, panel=panel, pk=pk)
    if draw.status == Draw.Status.SEED_PUBLISHED:
        draw_run_task.enqueue(draw.pk)
    return redirect("panels:bo_draw_progress", process.territory.slug, process.slug, panel.slug, pk)


@panel_manager_required
def bo_draw_progress(
    request: HttpRequest, process: Process, panel_slug: str, pk: int
) -> HttpResponse:
    """The draw's progress; the page asks again every second until it is done."""
    panel = get_panel(process, panel_slug)
    draw = get_object_or_404(Draw, panel=panel, pk=pk)
    template = (
        "panels/backoffice/_draw_progress.html"
        if request.headers.get("HX-Request")
        else "panels/backoffice/draw_progress.html"
    )
    response = render(request, template, bo_context(panel, draw=draw))
    if request.headers.get("HX-Request") and draw.is_finished:
        # Finished: the whole page is reloaded, with the results.
        response["HX-Refresh"] = "true"
    return response


@panel_manager_required
def bo_draw_results(
    request: HttpRequest, process: Process, panel_slug: str, pk: int
) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    draw = get_object_or_404(Draw, panel=panel, pk=pk, status=Draw.Status.DONE)
    by_pseudonym = {v.pseudonym: v for v in panel.volunteers.select_related("commune")}
    rows = sorted(
        (
            (pseudonym, probability, by_pseudonym.get(pseudonym), pseudonym in draw.selected)
            for pseudonym, probability in draw.probabilities.items()
        ),
        key=lambda row: (not row[3], row[0]),
    )
    return render(
        request,
        "panels/backoffice/draw_results.html",
        bo_context(panel, draw=draw, rows=rows),
    )


B = "gestion/<slug:territory_slug>/demarches/<slug:slug>/panels/"
P = B + "<slug:panel_slug>/"

urlpatterns = [
    path(B, bo_list, name="bo_list"),
    path(P, bo_panel, name="bo_panel"),
    path(P + "quotas/", bo_quotas, name="bo_quotas"),
    path(P + "quotas/<int:pk>/supprimer/", bo_category_delete, name="bo_category_delete"),
    path(P + "vivier/", bo_pool, name="bo_pool"),
    path(P + "tirage/", bo_draw, name="bo_draw"),
    path(P + "tirage/<int:pk>/lancer/", bo_draw_run, name="bo_draw_run"),
    path(P + "tirage/<int:pk>/avancement/", bo_draw_progress, name="bo_draw_progress"),
    path(P + "tirage/<int:pk>/resultats/", bo_draw_results, name="bo_draw_results"),
]
