"""Public side of panels: the panel's page (method, quotas, seeds, results), the volunteer
sign-up and its confirmation, and the files anyone can recompute a draw from."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process
from fabrique.processes.permissions import can_view_process

from .. import services
from ..forms import SignupForm
from ..models import Draw, Panel, Volunteer
from . import get_panel


def _public_panel(request: HttpRequest, slug: str, panel_slug: str) -> Panel:
    process = get_object_or_404(Process.objects.select_related("territory"), slug=slug)
    if not can_view_process(request.user, process):
        raise Http404
    return get_panel(process, panel_slug)


def selected_rows(draw: Draw) -> tuple[list[str], list[list[str]]]:
    """The published pool's header and the rows of the volunteers this draw selected."""
    rows = list(csv.reader(io.StringIO(draw.respondents_csv)))
    header, people = rows[0], rows[1:]
    chosen = set(draw.selected)
    return header, [row for row in people if row and row[0] in chosen]


def panel_detail(request: HttpRequest, slug: str, panel_slug: str) -> HttpResponse:
    panel = _public_panel(request, slug, panel_slug)
    draws = []
    for draw in panel.draws.order_by("pk"):
        header, rows = selected_rows(draw) if draw.status == Draw.Status.DONE else ([], [])
        draws.append({"draw": draw, "header": header, "rows": rows})
    return render(
        request,
        "panels/panel_detail.html",
        {
            "territory": panel.process.territory,
            "process": panel.process,
            "panel": panel,
            "categories": panel.categories.prefetch_related("values"),
            "draws": draws,
            "signup_open": services.signup_is_open(panel),
            "volunteers": panel.volunteers.filter(confirmed_at__isnull=False)
            .exclude(status=Volunteer.Status.WITHDRAWN)
            .count(),
        },
    )


def signup(request: HttpRequest, slug: str, panel_slug: str) -> HttpResponse:
    panel = _public_panel(request, slug, panel_slug)
    if not services.signup_is_open(panel):
        return render(
            request,
            "panels/signup_closed.html",
            {"territory": panel.process.territory, "process": panel.process, "panel": panel},
        )
    user = request.user if isinstance(request.user, User) else None
    initial = {}
    if user is not None:
        initial = {"email": user.email, "commune": user.commune}
    form = SignupForm(request.POST or None, panel=panel, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = services.VolunteerData(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            commune=form.cleaned_data.get("commune"),
            answers=form.answers(),
            user=user,
        )
        try:
            volunteer = services.volunteer_signup(panel=panel, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            services.volunteer_confirmation_send(volunteer=volunteer)
            return redirect("panels:signup_sent", panel.process.slug, panel.slug)
    return render(
        request,
        "panels/signup.html",
        {
            "territory": panel.process.territory,
            "process": panel.process,
            "panel": panel,
            "form": form,
        },
    )


def signup_sent(request: HttpRequest, slug: str, panel_slug: str) -> HttpResponse:
    panel = _public_panel(request, slug, panel_slug)
    return render(
        request,
        "panels/signup_sent.html",
        {"territory": panel.process.territory, "process": panel.process, "panel": panel},
    )


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation e-mail: a GET shows a button, the POST confirms (mail
    scanners that open links do not confirm anyone)."""
    volunteer = get_object_or_404(Volunteer.objects.select_related("panel__process"), token=token)
    panel = volunteer.panel
    if request.method == "POST":
        services.volunteer_confirm(volunteer=volunteer)
        messages.success(request, _("Thank you: your sign-up is confirmed."))
        return redirect("panels:confirm", token=token)
    response = render(
        request,
        "panels/confirm.html",
        {
            "territory": panel.process.territory,
            "process": panel.process,
            "panel": panel,
            "volunteer": volunteer,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


DRAW_FILES = {"people": "respondents_csv", "features": "categories_csv"}


def draw_file(request: HttpRequest, slug: str, panel_slug: str, pk: int, name: str) -> HttpResponse:
    """The frozen, pseudonymised pool (``people.csv``) and quotas (``features.csv``) of a
    draw, and once drawn its result (``result.csv``)."""
    panel = _public_panel(request, slug, panel_slug)
    draw = get_object_or_404(Draw, panel=panel, pk=pk)
    if name in DRAW_FILES:
        content = getattr(draw, DRAW_FILES[name])
    elif name == "result" and draw.status == Draw.Status.DONE:
        content = services.draw_result_csv(draw)
    else:
        raise Http404
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{panel.slug}-{pk}-{name}.csv"'
    return response


P = "demarches/<slug:slug>/panels/<slug:panel_slug>/"

urlpatterns = [
    path(P, panel_detail, name="detail"),
    path(P + "inscription/", signup, name="signup"),
    path(P + "inscription/envoyee/", signup_sent, name="signup_sent"),
    path(P + "tirages/<int:pk>/<slug:name>.csv", draw_file, name="draw_file"),
    path("panel/confirmer/<str:token>/", confirm, name="confirm"),
]
