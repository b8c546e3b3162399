"""Registering for a workshop, the personal page reached by its private link, calendar
files, the QR code scanned at the door; the back-office pages are in
``registration_backoffice``.

The rules live in ``services.registration``; these views read forms and show the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fabrique.accounts.models import User
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process
from fabrique.processes.permissions import can_view_process

from .. import ics
from ..forms.registration import RegistrationForm
from ..models import Invitation, Registration, Workshop
from ..permissions import can_run_workshop, can_view_workshop
from ..selectors import registration as selectors
from ..selectors.day import tables_facilitated_by
from ..services import registration as services
from ..services.registration_mail import (
    checkin_qr_svg,
    registration_pk_from_checkin_token,
)
from . import registration_backoffice

Status = Registration.Status
SENT_TO = "workshops.registration_sent_to"
JUST_CHECKED_IN = "workshops.just_checked_in"


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _public_workshop(request: HttpRequest, slug: str, pk: int) -> Workshop:
    process = get_object_or_404(Process.objects.select_related("territory"), slug=slug)
    if not can_view_process(request.user, process):
        raise Http404
    workshop = get_object_or_404(
        Workshop.objects.select_related("process__territory", "commune"), process=process, pk=pk
    )
    if not can_view_workshop(request.user, workshop):
        raise Http404
    return workshop


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a private link: never in a search engine."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- The block on the workshop's page ---------------------------------------------------------


@dataclass
class RegistrationBlock:
    """What ``workshops/registration/_register_block.html`` shows."""

    workshop: Workshop
    counts: dict[str, Any]
    closed_reason: str | None
    mine: Registration | None
    refusal: str | None
    audience_note: str
    invitation: Invitation | None
    form: RegistrationForm | None
    signed_in: bool
    register_url: str
    ics_url: str
    login_url: str

    @property
    def full(self) -> bool:
        return self.counts["seats_left"] == 0


def registration_block(
    request: HttpRequest, workshop: Workshop, form: RegistrationForm | None = None
) -> RegistrationBlock:
    user = _user(request)
    counts = selectors.registration_counts(workshop=workshop)
    closed = selectors.registration_closed_reason(workshop=workshop)
    mine = (
        selectors.live_registration(workshop=workshop, user=user, email=user.email)
        if user
        else None
    )
    token = request.POST.get("invitation") or request.GET.get("invitation", "")
    invitation = selectors.invitation_by_token(workshop=workshop, token=token)
    refusal = None
    note = ""
    if not closed and mine is None:
        if user is not None:
            refusal = selectors.audience_refusal(workshop=workshop, user=user)
            if refusal and invitation is not None:
                refusal = _(
                    "This invitation was sent to another address than your account's. "
                    "Log out and register with the address that received it, or ask the "
                    "organisers."
                )
        elif workshop.audience == Workshop.Audience.INVITATION and invitation is None:
            refusal = selectors.audience_refusal(workshop=workshop)
        elif workshop.audience == Workshop.Audience.PANEL:
            note = _(
                "This workshop is for the members of the citizen panel: register with the "
                "e-mail address you gave the panel."
            )
    if form is None and not closed and mine is None and not refusal:
        initial = {"invitation": invitation.token} if invitation else {}
        if invitation is not None:
            initial.update(email=invitation.email, name=invitation.name)
        form = RegistrationForm(signed_in=user is not None, initial=initial)
    args = [workshop.process.slug, workshop.pk]
    return RegistrationBlock(
        workshop=workshop,
        counts=counts,
        closed_reason=closed,
        mine=mine,
        refusal=refusal,
        audience_note=note,
        invitation=invitation,
        form=form if not closed and mine is None and not refusal else None,
        signed_in=user is not None,
        register_url=reverse("workshops:register", args=args),
        ics_url=reverse("workshops:ics", args=args),
        login_url=f"{reverse('account_login')}?next={request.get_full_path()}",
    )


def detail_context(request: HttpRequest, workshop: Workshop) -> dict[str, Any]:
    """What the public workshop page needs from this part (its block template uses it)."""
    return {"reg": registration_block(request, workshop)}


# --- Registering ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The registration form on a page of its own: where the workshop page's form is sent,
    and shown again with what was typed when something must be corrected."""
    workshop = _public_workshop(request, slug, pk)
    user = _user(request)
    form = (
        RegistrationForm(request.POST, signed_in=user is not None)
        if request.method == "POST"
        else None
    )
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                workshop=workshop,
                name=(user.display_name or user.email.split("@")[0]) if user else data["name"],
                email="" if user else data["email"],
                needs=data["needs"],
                user=user,
            )
        except services.AlreadyRegistered as exc:
            if user is not None:
                messages.info(request, _("You are already registered for this workshop."))
                return redirect("workshops:registration", exc.registration.token)
            # Say nothing about whether this address was registered: the link goes to it.
            services.registration_link_resend(registration=exc.registration)
            request.session[SENT_TO] = data["email"]
            return redirect("workshops:register_sent", slug, pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if user is None:
                request.session[SENT_TO] = registration.email
                return redirect("workshops:register_sent", slug, pk)
            if registration.status == Status.CONFIRMED:
                messages.success(request, _("You are registered. See you there!"))
            else:
                messages.info(request, _("The workshop is full: you are on the waiting list."))
            return redirect("workshops:registration", registration.token)
    block = registration_block(request, workshop, form=form)
    return render(
        request,
        "workshops/registration/register.html",
        {
            "territory": workshop.process.territory,
            "process": workshop.process,
            "workshop": workshop,
            "reg": block,
        },
    )


def register_sent(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workshop = _public_workshop(request, slug, pk)
    return render(
        request,
        "workshops/registration/sent.html",
        {
            "territory": workshop.process.territory,
            "process": workshop.process,
            "workshop": workshop,
            "email": request.session.get(SENT_TO, ""),
        },
    )


def workshop_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The public calendar file: no link to join online (that goes to registered people)."""
    workshop = _public_workshop(request, slug, pk)
    response = HttpResponse(ics.workshop_ics(workshop), content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="atelier-{workshop.pk}.ics"'
    return response


# --- The personal page (private link) -------------------------------------------------------


def _registration(token: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("workshop__process__territory", "workshop__commune"),
        token=token,
    )


def _page_context(registration: Registration, **extra: Any) -> dict[str, Any]:
    workshop = registration.workshop
    shows_code = (
        registration.status in (Status.CONFIRMED, Status.WAITLISTED)
        and workshop.is_in_person
        and workshop.status == Workshop.Status.PUBLISHED
        and not workshop.is_past
    )
    return {
        "territory": workshop.process.territory,
        "process": workshop.process,
        "workshop": workshop,
        "registration": registration,
        "position": selectors.waitlist_position(registration=registration),
        "show_online_link": registration.status == Status.CONFIRMED,
        "counts": selectors.registration_counts(workshop=workshop),
        "qr_code": checkin_qr_svg(
            registration,
            label=_("QR code to show at the entrance, for %(name)s") % {"name": registration.name},
        )
        if shows_code
        else None,
        "can_cancel": registration.status != Status.CANCELLED
        and not workshop.is_past
        and workshop.status != Workshop.Status.CANCELLED,
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def registration_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mails: a GET shows the registration (and a button while it waits
    for confirmation); only the POST confirms, so mail scanners that open links confirm
    nobody."""
    registration = _registration(token)
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            try:
                registration = services.registration_confirm(registration=registration)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if registration.status == Status.CONFIRMED:
                    messages.success(request, _("Thank you: you are registered. See you there!"))
                elif registration.status == Status.WAITLISTED:
                    messages.info(
                        request,
                        _("Thank you. The workshop is full: you are on the waiting list."),
                    )
        return redirect("workshops:registration", token)
    return _private(
        render(request, "workshops/registration/registration.html", _page_context(registration))
    )


@never_cache
@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel one's registration: asked once more before it is done."""
    registration = _registration(token)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Your registration is cancelled. Thank you for letting us know.")
            )
        return redirect("workshops:registration", token)
    if registration.status == Status.CANCELLED:
        return redirect("workshops:registration", token)
    return _private(
        render(request, "workshops/registration/cancel.html", _page_context(registration))
    )


def registration_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar file of a registration: with the link to join online once confirmed."""
    registration = _registration(token)
    content = ics.workshop_ics(
        registration.workshop,
        with_online_link=registration.status == Status.CONFIRMED,
        personal_url=request.build_absolute_uri(
            reverse("workshops:registration", args=[registration.token])
        ),
    )
    response = HttpResponse(content, content_type=ics.CONTENT_TYPE)
    filename = f"atelier-{registration.workshop_id}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user is not None
    registrations = list(selectors.registrations_of_user(user=user))
    now = timezone.now()
    return render(
        request,
        "workshops/registration/mine.html",
        {
            "coming": sorted(
                (r for r in registrations if r.workshop.ends_at > now),
                key=lambda r: r.workshop.starts_at,
            ),
            "past": [r for r in registrations if r.workshop.ends_at <= now],
            "tables": tables_facilitated_by(user=user),
        },
    )


# --- The QR code scanned at the door -------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def checkin_scan(request: HttpRequest, token: str) -> HttpResponse:
    """Opened by a phone's camera. Someone who runs the workshop confirms the presence; for
    anyone else a neutral page (no name, no workshop) says to show the code at the door."""
    pk = registration_pk_from_checkin_token(token)
    registration = (
        Registration.objects.select_related("workshop__process__territory", "checked_in_by")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if registration is None or not can_run_workshop(request.user, registration.workshop):
        if request.method == "POST" and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _private(render(request, "workshops/registration/scan_neutral.html", {}))
    workshop = registration.workshop
    if request.method == "POST":
        try:
            if services.registration_check_in(registration=registration, by=_user(request)):
                request.session[JUST_CHECKED_IN] = registration.pk
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("workshops:checkin_scan", token)
    just = request.session.pop(JUST_CHECKED_IN, None) == registration.pk
    return _private(
        render(
            request,
            "workshops/registration/scan.html",
            {
                "territory": workshop.process.territory,
                "process": workshop.process,
                "workshop": workshop,
                "registration": registration,
                "just_checked_in": just,
                "checkin_url": reverse(
                    "workshops:bo_checkin",
                    args=[workshop.process.territory.slug, workshop.process.slug, workshop.pk],
                ),
            },
        )
    )


W = "demarches/<slug:slug>/ateliers/<int:pk>/"
MINE = "ateliers/inscription/<str:token>/"

urlpatterns: list[URLPattern] = [
    path(W + "inscription/", register, name="register"),
    path(W + "inscription/envoyee/", register_sent, name="register_sent"),
    path(W + "agenda.ics", workshop_ics, name="ics"),
    path("ateliers/mes-inscriptions/", my_registrations, name="my_registrations"),
    path(MINE, registration_page, name="registration"),
    path(MINE + "annuler/", registration_cancel, name="registration_cancel"),
    path(MINE + "agenda.ics", registration_ics, name="registration_ics"),
    path("ateliers/presence/<str:token>/", checkin_scan, name="checkin_scan"),
    *registration_backoffice.urlpatterns,
]
