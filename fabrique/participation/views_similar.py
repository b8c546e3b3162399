"""Near-duplicates on the public side: close contributions shown while one types, a support
given from there, and undoing a merge from a merged contribution's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.permissions import request_user

from . import merging, services
from .models import Support
from .permissions import can_moderate
from .views import _contribution, _process, _viewer

TITLE_LENGTH = 150
TEXT_LENGTH = 2000


@require_POST
def similar_hint(request: HttpRequest, slug: str) -> HttpResponse:
    """Up to five published contributions close to the title and text being typed.

    Sent by the contribution form as one types (htmx); POST because the text can be long.
    Nothing is written. Empty when the text is too short or nothing is close.
    """
    process = _process(request, slug)
    title = request.POST.get("title", "")[:TITLE_LENGTH]
    body = request.POST.get("body", "")[:TEXT_LENGTH]
    found = merging.similar_contributions(process=process, text=f"{title}\n{body}")
    viewer = _viewer(request)
    supported: set[int] = set()
    if viewer is not None and found:
        supported = set(
            Support.objects.filter(
                user=viewer, contribution__in=[s.contribution for s in found]
            ).values_list("contribution_id", flat=True)
        )
    return render(
        request,
        "participation/_similar.html",
        {"process": process, "similar": found, "supported_ids": supported},
    )


@require_POST
@login_required
def similar_support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Support a close contribution from the hint, without leaving the form being typed.

    The contribution page's own support form cannot sit inside the form being typed (a form
    in a form); this answers with the hint's own fragment, through the same service.
    """
    contribution = _contribution(request, slug, pk)
    error = ""
    supported = False
    try:
        supported = services.support_toggle(
            contribution=contribution, user=request_user(request), support=True
        )
    except ValidationError as exc:
        error = exc.messages[0]
    contribution.refresh_from_db(fields=["support_count"])
    return render(
        request,
        "participation/_similar_support.html",
        {
            "contribution": contribution,
            "supported_ids": {contribution.pk} if supported else set(),
            "error": error,
        },
    )


@login_required
def contribution_unmerge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Staff undo a merge: the contribution comes back in the lists with its supports.

    Reached by GET only when the form was sent twice (its one-time token sends the second
    sending back here): back to the contribution's page."""
    contribution = _contribution(request, slug, pk)
    if not can_moderate(request.user, contribution.process):
        raise PermissionDenied
    if request.method != "POST":
        return redirect(contribution.get_absolute_url())
    try:
        merging.contribution_unmerge(source=contribution, by=request_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge is undone: this contribution is back in the lists."))
    return redirect(contribution.get_absolute_url())
