"""Back-office of registrations: the list with needs, adding someone who called, cancelling,
giving a seat, exports, invitations; and the attendance list used at the door."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors

from ..forms.registration import InvitationsForm, StaffRegistrationForm, WalkInForm
from ..models import Registration, Workshop
from ..permissions import workshop_runner_required
from ..selectors import registration as selectors
from ..services import registration as services

Status = Registration.Status


def _bo(workshop: Workshop, **extra: Any) -> dict[str, Any]:
    process = workshop.process
    return {"bo_territory": process.territory, "process": process, "workshop": workshop, **extra}


def _url(name: str, workshop: Workshop) -> str:
    process = workshop.process
    return reverse(f"workshops:{name}", args=[process.territory.slug, process.slug, workshop.pk])


def _posted_registration(request: HttpRequest, workshop: Workshop) -> Registration:
    pk = request.POST.get("registration", "")
    return get_object_or_404(workshop.registrations, pk=int(pk) if pk.isdigit() else 0)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Registrations ----------------------------------------------------------------------------


def _registrations_action(request: HttpRequest, workshop: Workshop, which: str) -> None:
    """Cancel, give a seat, or confirm for someone: one button of the list."""
    registration = _posted_registration(request, workshop)
    by = request_user(request)
    if which == "cancel":
        was = registration.status
        registration = services.registration_cancel(registration=registration, by=by)
        text = _("Registration of %(name)s cancelled.") % {"name": registration.name}
        if was == Status.CONFIRMED:
            promoted = list(
                workshop.registrations.filter(
                    status=Status.CONFIRMED, promoted_at__gte=registration.cancelled_at
                )
            )
            if promoted:
                text += " " + _("%(name)s, first on the waiting list, got the place.") % {
                    "name": promoted[0].name
                }
        messages.success(request, text)
    elif which == "promote":
        services.registration_promote(
            registration=registration, by=by, over_capacity=request.POST.get("over") == "1"
        )
        messages.success(
            request, _("%(name)s is registered and told by e-mail.") % {"name": registration.name}
        )
    elif which == "confirm":
        registration = services.registration_confirm(registration=registration, by=by)
        if registration.status == Status.CONFIRMED:
            messages.success(request, _("%(name)s is registered.") % {"name": registration.name})
        else:
            messages.info(
                request,
                _("The workshop is full: %(name)s is on the waiting list.")
                % {"name": registration.name},
            )


@workshop_runner_required
def bo_registrations(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    which = request.POST.get("form") if request.method == "POST" else None
    form = StaffRegistrationForm(request.POST if which == "add" else None, prefix="add")
    if which in ("cancel", "promote", "confirm"):
        try:
            _registrations_action(request, workshop, which)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(_url("bo_registrations", workshop))
    if which == "add" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                workshop=workshop,
                name=data["name"],
                email=data["email"],
                needs=data["needs"],
                by=request_user(request),
            )
        except services.AlreadyRegistered as exc:
            form.add_error(
                "email",
                _("This address is already registered (%(status)s).")
                % {"status": exc.registration.get_status_display().lower()},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if registration.status == Status.CONFIRMED:
                messages.success(
                    request, _("%(name)s is registered.") % {"name": registration.name}
                )
            else:
                messages.info(
                    request,
                    _("The workshop is full: %(name)s is on the waiting list.")
                    % {"name": registration.name},
                )
            return redirect(_url("bo_registrations", workshop))
    people = selectors.registrations_for_backoffice(workshop=workshop)
    counts = selectors.registration_counts(workshop=workshop)
    return render(
        request,
        "workshops/registration/bo_registrations.html",
        _bo(
            workshop,
            form=form,
            counts=counts,
            registered=[r for r in people if r.status == Status.CONFIRMED],
            waiting=[r for r in people if r.status == Status.WAITLISTED],
            pending=[r for r in people if r.status == Status.PENDING],
            cancelled=[r for r in people if r.status == Status.CANCELLED],
            with_needs=sum(1 for r in people if r.needs and r.status != Status.CANCELLED),
            closed_reason=selectors.registration_closed_reason(workshop=workshop),
            full=counts["seats_left"] == 0,
        ),
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workshop_runner_required
def bo_registrations_csv(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    return _download(
        selectors.registrations_export_csv(workshop=workshop),
        "text/csv; charset=utf-8",
        f"atelier-{workshop.pk}-inscriptions.csv",
    )


@workshop_runner_required
def bo_registrations_xlsx(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    return _download(
        selectors.registrations_export_xlsx(workshop=workshop),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"atelier-{workshop.pk}-inscriptions.xlsx",
    )


# --- Invitations ----------------------------------------------------------------------------


@workshop_runner_required
def bo_invitations(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    which = request.POST.get("form") if request.method == "POST" else None
    form = InvitationsForm(request.POST if which == "add" else None, prefix="invite")
    if which in ("again", "delete"):
        pk = request.POST.get("invitation", "")
        invitation = get_object_or_404(workshop.invitations, pk=int(pk) if pk.isdigit() else 0)
        if which == "again":
            services.invitations_send_later(invitations=[invitation])
            messages.success(
                request,
                _("The invitation is sent again to %(email)s.") % {"email": invitation.email},
            )
        else:
            services.invitation_delete(invitation=invitation)
            messages.success(
                request, _("Invitation of %(email)s withdrawn.") % {"email": invitation.email}
            )
        return redirect(_url("bo_invitations", workshop))
    if which == "add" and form.is_valid():
        try:
            added = services.invitations_add(workshop=workshop, text=form.cleaned_data["addresses"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            n = len(added.created)
            if n and workshop.status == Workshop.Status.PUBLISHED:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d invitation is on its way.", "%(n)d invitations are on their way.", n
                    )
                    % {"n": n},
                )
            elif n:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d address added. The invitation leaves when the workshop is "
                        "published.",
                        "%(n)d addresses added. The invitations leave when the workshop is "
                        "published.",
                        n,
                    )
                    % {"n": n},
                )
            if added.already:
                messages.info(
                    request,
                    ngettext(
                        "%(n)d address was already invited: left as it was.",
                        "%(n)d addresses were already invited: left as they were.",
                        len(added.already),
                    )
                    % {"n": len(added.already)},
                )
            return redirect(_url("bo_invitations", workshop))
    invitations = list(selectors.invitations_of(workshop=workshop))
    registered = {
        selectors.normalize_email(e): status
        for e, status in workshop.registrations.exclude(email="")
        .exclude(status=Status.CANCELLED)
        .values_list("email", "status")
    }
    labels = dict(Status.choices)
    rows = [(i, labels.get(registered.get(i.email.lower(), ""), "")) for i in invitations]
    return render(
        request,
        "workshops/registration/bo_invitations.html",
        _bo(workshop, form=form, rows=rows, unsent=sum(1 for i in invitations if not i.sent_at)),
    )


# --- Attendance at the door -------------------------------------------------------------------


def _checkin_context(workshop: Workshop, query: str, **extra: Any) -> dict[str, Any]:
    return _bo(
        workshop,
        people=selectors.registrations_for_checkin(workshop=workshop, query=query),
        counts=selectors.registration_counts(workshop=workshop),
        query=query,
        **extra,
    )


@workshop_runner_required
def bo_checkin(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    back = _url("bo_checkin", workshop) + (f"?{urlencode({'q': query})}" if query else "")
    which = request.POST.get("form") if request.method == "POST" else None
    walk_in_form = WalkInForm(request.POST if which == "walkin" else None, prefix="walkin")
    by = request_user(request)
    if which == "present":
        registration = _posted_registration(request, workshop)
        try:
            if request.POST.get("present") == "1":
                services.registration_check_in(registration=registration, by=by)
            else:
                services.registration_check_in_undo(registration=registration)
        except ValidationError as exc:
            _errors(request, exc)
        if request.headers.get("HX-Request"):
            registration.refresh_from_db()
            return render(
                request,
                "workshops/registration/_checkin_row.html",
                _checkin_context(workshop, query, person=registration, oob=True),
            )
        return redirect(back)
    if which == "remove":
        registration = _posted_registration(request, workshop)
        if registration.walk_in:
            services.registration_cancel(registration=registration, by=by)
            messages.success(request, _("%(name)s removed.") % {"name": registration.name})
        return redirect(back)
    if which == "walkin" and walk_in_form.is_valid():
        try:
            person = services.registration_walk_in(
                workshop=workshop,
                name=walk_in_form.cleaned_data["name"],
                email=walk_in_form.cleaned_data["email"],
                by=by,
            )
        except ValidationError as exc:
            add_service_errors(walk_in_form, exc)
        else:
            messages.success(
                request, _("%(name)s added and marked present.") % {"name": person.name}
            )
            return redirect(back)
    return render(
        request,
        "workshops/registration/bo_checkin.html",
        _checkin_context(workshop, query, walk_in_form=walk_in_form),
    )


P = "gestion/<slug:territory_slug>/demarches/<slug:slug>/ateliers/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(P + "inscriptions/", bo_registrations, name="bo_registrations"),
    path(P + "inscriptions/export.csv", bo_registrations_csv, name="bo_registrations_csv"),
    path(P + "inscriptions/export.xlsx", bo_registrations_xlsx, name="bo_registrations_xlsx"),
    path(P + "inscriptions/invitations/", bo_invitations, name="bo_invitations"),
    path(P + "presences/", bo_checkin, name="bo_checkin"),
]
