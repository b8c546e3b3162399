from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fabrique.accounts.permissions import (
    can_manage_territory,
    platform_admin_required,
    territory_permission_required,
)
from fabrique.core.forms import add_service_errors

from . import selectors, services
from .forms import AppearanceForm, BasinForm, BasinImportForm, GroupingForm, TerritoryImportForm
from .models import Basin, BasinGrouping, LegalPage, Territory

# --- Public pages ---------------------------------------------------------------------


def territory_list(request: HttpRequest) -> HttpResponse:
    territories = Territory.objects.all()
    return render(request, "territories/territory_list.html", {"territories": territories})


def territory_detail(request: HttpRequest, slug: str) -> HttpResponse:
    territory = get_object_or_404(Territory, slug=slug)
    groupings = [selectors.grouping_figures(g) for g in territory.groupings.all()]
    communes = selectors.territory_communes(territory)
    return render(
        request,
        "territories/territory_detail.html",
        {
            "territory": territory,
            "shown_territory": territory,
            "groupings": groupings,
            "communes": communes,
        },
    )


def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LegalPage.Kind.values:
        raise Http404
    territory = request.territory  # type: ignore[attr-defined]  # set by CurrentTerritoryMiddleware
    page = LegalPage.objects.filter(territory=territory, kind=kind).first() if territory else None
    return render(
        request,
        "territories/legal_page.html",
        {"kind": kind, "title": LegalPage.Kind(kind).label, "page": page},
    )


# --- Back-office ----------------------------------------------------------------------


@platform_admin_required
def territory_import(request: HttpRequest) -> HttpResponse:
    form = TerritoryImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.territory_import(code=form.cleaned_data["code"])
        except services.TerritoryImportError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(
                request,
                (
                    _("Territory created: %(summary)s")
                    if result.created
                    else _("Territory updated: %(summary)s")
                )
                % {"summary": result.summary},
            )
            return redirect("accounts:territory_home", territory_slug=result.territory.slug)
    return render(request, "territories/backoffice/territory_import.html", {"form": form})


@territory_permission_required(can_manage_territory)
def grouping_list(request: HttpRequest, territory: Territory) -> HttpResponse:
    form = GroupingForm(request.POST or None, initial={"name": _("Life basins")})
    if request.method == "POST" and form.is_valid():
        try:
            grouping = services.grouping_create(
                territory=territory,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except services.ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Grouping “%(name)s” created.") % {"name": grouping.name})
            return redirect("territories:grouping", territory_slug=territory.slug, pk=grouping.pk)
    groupings = [selectors.grouping_figures(g) for g in territory.groupings.all()]
    return render(
        request,
        "territories/backoffice/grouping_list.html",
        {"bo_territory": territory, "groupings": groupings, "form": form},
    )


@territory_permission_required(can_manage_territory)
def grouping_detail(request: HttpRequest, territory: Territory, pk: int) -> HttpResponse:
    grouping = get_object_or_404(BasinGrouping, territory=territory, pk=pk)
    figures = selectors.grouping_figures(grouping)
    rows = []
    for basin_figures in figures.basins:
        memberships = selectors.basin_communes(basin_figures.basin) if basin_figures.basin else []
        # A note shared by many communes (« best guess… ») is printed once, as a footnote.
        notes: list[str] = []
        for membership in memberships:
            if membership.note and membership.note not in notes:
                notes.append(membership.note)
            membership.note_number = notes.index(membership.note) + 1 if membership.note else 0  # type: ignore[attr-defined]  # for the template
        rows.append((basin_figures, memberships, notes))
    return render(
        request,
        "territories/backoffice/grouping_detail.html",
        {"bo_territory": territory, "grouping": grouping, "figures": figures, "rows": rows},
    )


@territory_permission_required(can_manage_territory)
def basin_edit(
    request: HttpRequest, territory: Territory, grouping_pk: int, pk: int | None = None
) -> HttpResponse:
    grouping = get_object_or_404(BasinGrouping, territory=territory, pk=grouping_pk)
    basin = get_object_or_404(Basin, grouping=grouping, pk=pk) if pk else None
    initial = (
        {"name": basin.name, "communes": [m.commune_id for m in basin.memberships.all()]}
        if basin
        else None
    )
    form = BasinForm(request.POST or None, grouping=grouping, basin=basin, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.basin_save(
                grouping=grouping,
                name=form.cleaned_data["name"],
                communes=form.cleaned_data["communes"],
                basin=basin,
            )
        except services.ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Basin “%(name)s” saved.") % {"name": saved.name})
            return redirect("territories:grouping", territory_slug=territory.slug, pk=grouping.pk)
    taken = selectors.communes_taken(grouping=grouping, except_basin=basin)
    return render(
        request,
        "territories/backoffice/basin_form.html",
        {
            "bo_territory": territory,
            "grouping": grouping,
            "basin": basin,
            "form": form,
            "taken": taken,
        },
    )


@territory_permission_required(can_manage_territory)
def basin_delete(
    request: HttpRequest, territory: Territory, grouping_pk: int, pk: int
) -> HttpResponse:
    basin = get_object_or_404(Basin, grouping__territory=territory, grouping_id=grouping_pk, pk=pk)
    if request.method != "POST":
        return render(
            request,
            "territories/backoffice/basin_delete.html",
            {"bo_territory": territory, "grouping": basin.grouping, "basin": basin},
        )
    services.basin_delete(basin=basin)
    messages.success(request, _("Basin “%(name)s” deleted.") % {"name": basin.name})
    return redirect("territories:grouping", territory_slug=territory.slug, pk=grouping_pk)


@territory_permission_required(can_manage_territory)
def basin_import(request: HttpRequest, territory: Territory, grouping_pk: int) -> HttpResponse:
    grouping = get_object_or_404(BasinGrouping, territory=territory, pk=grouping_pk)
    form = BasinImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.basins_import_csv(grouping=grouping, content=form.cleaned_data["file"])
        if report.ok:
            messages.success(
                request,
                _("%(communes)s communes placed in %(basins)s basins.")
                % {"communes": report.commune_count, "basins": report.basin_count},
            )
            return redirect("territories:grouping", territory_slug=territory.slug, pk=grouping.pk)
    return render(
        request,
        "territories/backoffice/basin_import.html",
        {"bo_territory": territory, "grouping": grouping, "form": form, "report": report},
    )


@territory_permission_required(can_manage_territory)
def legal_page_edit(request: HttpRequest, territory: Territory, kind: str) -> HttpResponse:
    if kind not in LegalPage.Kind.values:
        raise Http404
    page = LegalPage.objects.filter(territory=territory, kind=kind).first()
    body = request.POST.get("body", page.body if page else "")
    if request.method == "POST":
        services.legal_page_save(territory=territory, kind=kind, body=body)
        messages.success(request, _("Page saved."))
        return redirect("territories:legal_page_edit", territory_slug=territory.slug, kind=kind)
    return render(
        request,
        "territories/backoffice/legal_page_form.html",
        {
            "bo_territory": territory,
            "kind": kind,
            "title": LegalPage.Kind(kind).label,
            "body": body,
            "kinds": LegalPage.Kind.choices,
        },
    )


@territory_permission_required(can_manage_territory)
def appearance_edit(request: HttpRequest, territory: Territory) -> HttpResponse:
    form = AppearanceForm(
        request.POST or None,
        request.FILES or None,
        initial={"primary_color": territory.primary_color, "logo": territory.logo},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.territory_appearance_update(
                territory=territory,
                primary_color=form.cleaned_data["primary_color"],
                logo=form.cleaned_data["logo"] or None,
                remove_logo=form.cleaned_data["logo"] is False,
            )
        except services.ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Appearance saved."))
            return redirect("territories:appearance", territory_slug=territory.slug)
    return render(
        request,
        "territories/backoffice/appearance.html",
        {"bo_territory": territory, "form": form},
    )
