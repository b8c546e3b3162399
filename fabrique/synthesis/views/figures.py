"""Figures of the synthesis, for staff: who says what, and representativeness."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.core.tabular import csv_for_spreadsheets
from fabrique.processes.models import Process
from fabrique.processes.permissions import process_manager_required
from fabrique.territories.models import BasinGrouping

from ..forms.figures import ReferenceSharesForm, RepresentativenessForm, WhoSaysWhatForm
from ..models import ReferenceShare, Synthesis
from ..selectors import figures
from ..selectors.figures import Dimension
from ..services.figures import reference_shares_clear, reference_shares_set, reference_shares_text

BO = "gestion/<slug:territory_slug>/demarches/<slug:slug>/synthese/"


def _bo(process: Process, **extra: Any) -> dict[str, Any]:
    return {"bo_territory": process.territory, "process": process, **extra}


def _done_versions(process: Process) -> list[Synthesis]:
    return list(
        Synthesis.objects.filter(process=process, status=Synthesis.Status.DONE).order_by("-number")
    )


def _cross_table_choice(
    request: HttpRequest, process: Process, versions: list[Synthesis]
) -> tuple[WhoSaysWhatForm, Synthesis, str, BasinGrouping | None]:
    """What the address asks for; the latest version by communes when it asks nothing, or
    something that does not hold (the form then says why)."""
    first_grouping = BasinGrouping.objects.filter(territory=process.territory).first()
    defaults = {
        "version": versions[0].number,
        "dimension": Dimension.COMMUNE,
        "grouping": first_grouping.pk if first_grouping else None,
    }
    asked = {key: request.GET.get(key) for key in defaults if request.GET.get(key)}
    form = WhoSaysWhatForm({**defaults, **asked}, process=process, versions=versions)
    by_number = {v.number: v for v in versions}
    if form.is_valid():
        data = form.cleaned_data
        return form, by_number[data["version"]], data["dimension"], data.get("grouping")
    version = by_number.get(form.cleaned_data.get("version", versions[0].number), versions[0])
    return form, version, Dimension.COMMUNE, None


def _no_version(request: HttpRequest, process: Process, template: str) -> HttpResponse:
    return render(request, template, _bo(process, versions=[]))


@process_manager_required
def bo_who_says_what(request: HttpRequest, process: Process) -> HttpResponse:
    template = "synthesis/figures/who_says_what.html"
    versions = _done_versions(process)
    if not versions:
        return _no_version(request, process, template)
    form, version, dimension, grouping = _cross_table_choice(request, process, versions)
    table = figures.who_says_what(synthesis=version, dimension=dimension, grouping=grouping)
    query = f"version={version.number}&dimension={dimension}" + (
        f"&grouping={grouping.pk}" if grouping else ""
    )
    return render(
        request,
        template,
        _bo(
            process,
            versions=versions,
            version=version,
            form=form,
            table=table,
            grouping=grouping,
            csv_url=reverse(
                "synthesis:bo_who_says_what_csv", args=[process.territory.slug, process.slug]
            )
            + "?"
            + query,
        ),
    )


@process_manager_required
def bo_who_says_what_csv(request: HttpRequest, process: Process) -> HttpResponse:
    versions = _done_versions(process)
    if not versions:
        return redirect("synthesis:bo_who_says_what", process.territory.slug, process.slug)
    _form, version, dimension, grouping = _cross_table_choice(request, process, versions)
    table = figures.who_says_what(synthesis=version, dimension=dimension, grouping=grouping)
    response = HttpResponse(
        csv_for_spreadsheets(figures.cross_table_csv_rows(table)),
        content_type="text/csv; charset=utf-8",
    )
    name = slugify(f"{process.slug}-qui-dit-quoi-v{version.number}-{table.dimension_label}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _shares_forms(
    request: HttpRequest, process: Process, shares: dict[str, list[ReferenceShare]]
) -> dict[str, ReferenceSharesForm]:
    posted = request.POST.get("form") if request.method == "POST" else None
    found = {}
    for attribute, _label in ReferenceShare.Attribute.choices:
        rows = shares.get(attribute, [])
        initial = {
            "attribute": attribute,
            "shares": reference_shares_text(rows),
            "source": rows[0].source if rows else "",
            "scope": ReferenceSharesForm.SCOPE_PROCESS
            if rows and rows[0].process_id
            else ReferenceSharesForm.SCOPE_TERRITORY,
        }
        found[attribute] = ReferenceSharesForm(
            request.POST if posted == attribute else None, initial=initial, prefix=attribute
        )
    return found


@process_manager_required
def bo_representativeness(request: HttpRequest, process: Process) -> HttpResponse:
    grouping_form = RepresentativenessForm(request.GET or None, process=process)
    grouping = (
        grouping_form.cleaned_data.get("grouping")
        if grouping_form.is_bound and grouping_form.is_valid()
        else BasinGrouping.objects.filter(territory=process.territory).first()
    )
    if not grouping_form.is_bound and grouping is not None:
        grouping_form = RepresentativenessForm(initial={"grouping": grouping}, process=process)
    shares = figures.reference_shares(process)
    forms = _shares_forms(request, process, shares)
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted in forms:
        form = forms[posted]
        if form.is_valid():
            data = form.cleaned_data
            for_process = data["scope"] == ReferenceSharesForm.SCOPE_PROCESS
            try:
                reference_shares_set(
                    attribute=posted,
                    text=data["shares"],
                    source=data["source"],
                    by=request_user(request),
                    process=process if for_process else None,
                    territory=None if for_process else process.territory,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Shares of the population saved: « %(attribute)s ».")
                    % {"attribute": dict(ReferenceShare.Attribute.choices)[posted]},
                )
                return redirect(request.get_full_path() + f"#attribute-{posted}")
    found = figures.representativeness(process=process, grouping=grouping)
    return render(
        request,
        "synthesis/figures/representativeness.html",
        _bo(
            process,
            found=found,
            grouping=grouping,
            grouping_form=grouping_form,
            shares=shares,
            share_forms=forms,
            map_points=[asdict(p) for p in found.map_points],
        ),
    )


@require_POST
@process_manager_required
def bo_reference_shares_clear(request: HttpRequest, process: Process) -> HttpResponse:
    attribute = request.POST.get("attribute", "")
    if attribute in dict(ReferenceShare.Attribute.choices):
        shares = figures.reference_shares(process).get(attribute, [])
        if shares:
            for_process = shares[0].process_id is not None
            reference_shares_clear(
                attribute=attribute,
                process=process if for_process else None,
                territory=None if for_process else process.territory,
            )
            messages.success(request, _("Shares of the population removed."))
    return redirect("synthesis:bo_representativeness", process.territory.slug, process.slug)


urlpatterns = [
    path(BO + "qui-dit-quoi/", bo_who_says_what, name="bo_who_says_what"),
    path(BO + "qui-dit-quoi/export.csv", bo_who_says_what_csv, name="bo_who_says_what_csv"),
    path(BO + "representativite/", bo_representativeness, name="bo_representativeness"),
    path(
        BO + "representativite/parts/supprimer/",
        bo_reference_shares_clear,
        name="bo_reference_shares_clear",
    ),
]
