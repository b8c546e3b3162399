from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.territories.models import LegalPage, Territory

from . import selectors, services
from .forms import AccountDeleteForm, ProfileForm, RoleGrantForm
from .models import Role, RoleAssignment, User
from .permissions import (
    backoffice_territories,
    can_manage_territory,
    can_open_backoffice,
    grantable_roles,
    is_platform_admin,
    request_user,
    territory_permission_required,
)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    territory = request.territory  # type: ignore[attr-defined]  # set by CurrentTerritoryMiddleware
    initial = {
        "display_name": user.display_name,
        "commune": user.commune,
        "actor_kind": user.actor_kind,
        "age_band": user.age_band,
        "gender": user.gender,
        "email_notifications": user.email_notifications,
    }
    form = ProfileForm(request.POST or None, initial=initial, territory=territory)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=user,
                display_name=form.cleaned_data["display_name"],
                commune=form.cleaned_data["commune"],
                actor_kind=form.cleaned_data["actor_kind"],
                age_band=form.cleaned_data["age_band"],
                gender=form.cleaned_data["gender"],
                email_notifications=form.cleaned_data["email_notifications"]
                or user.email_notifications,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        services.notifications_mark_read(user=user)
        return redirect("accounts:notifications")
    items = list(user.notifications.all()[:100])
    return render(request, "accounts/notifications.html", {"items": items})


@login_required
def personal_data_export(request: HttpRequest) -> HttpResponse:
    data = services.user_personal_data(user=request_user(request))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{stamp}.json"'
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        logout(request)
        services.user_delete(user=user)
        messages.success(request, _("Your account and your personal data have been erased."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


# --- Back-office ----------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    territories = backoffice_territories(request.user)
    if not territories and not is_platform_admin(request.user):
        return render(request, "accounts/backoffice/no_access.html", status=403)
    if len(territories) == 1 and not is_platform_admin(request.user):
        return redirect("accounts:territory_home", territory_slug=territories[0].slug)
    return render(
        request,
        "accounts/backoffice/dashboard.html",
        {"territories": territories, "platform_admin": is_platform_admin(request.user)},
    )


@territory_permission_required(can_open_backoffice)
def territory_home(request: HttpRequest, territory: Territory) -> HttpResponse:
    return render(
        request,
        "accounts/backoffice/territory_home.html",
        {
            "bo_territory": territory,
            "can_manage": can_manage_territory(request.user, territory),
            "my_roles": selectors.user_roles(user=request_user(request), territory=territory),
            "commune_count": territory.communes.count(),
            "legal_kinds": LegalPage.Kind.choices,
        },
    )


@territory_permission_required(can_manage_territory)
def role_list(request: HttpRequest, territory: Territory) -> HttpResponse:
    roles = grantable_roles(request.user, territory)
    form = RoleGrantForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        person: User = form.cleaned_data["email"]
        role = Role(form.cleaned_data["role"])
        services.role_grant(
            user=person,
            role=role,
            territory=territory,
            granted_by=request_user(request),
        )
        messages.success(
            request,
            _("%(person)s is now %(role)s.") % {"person": person, "role": role.label},
        )
        return redirect("accounts:roles", territory_slug=territory.slug)
    return render(
        request,
        "accounts/backoffice/role_list.html",
        {
            "bo_territory": territory,
            "assignments": selectors.territory_role_assignments(territory=territory),
            "events": selectors.territory_role_events(territory=territory)[:20],
            "form": form,
        },
    )


@require_POST
@territory_permission_required(can_manage_territory)
def role_withdraw(request: HttpRequest, territory: Territory, pk: int) -> HttpResponse:
    assignment = get_object_or_404(RoleAssignment, territory=territory, pk=pk)
    if assignment.role not in grantable_roles(request.user, territory):
        raise PermissionDenied
    services.role_withdraw(assignment=assignment, withdrawn_by=request_user(request))
    messages.success(
        request,
        _("%(person)s is no longer %(role)s.")
        % {"person": assignment.user, "role": assignment.get_role_display()},
    )
    return redirect("accounts:roles", territory_slug=territory.slug)
