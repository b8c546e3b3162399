"""The day itself, in the back-office: tables, capturing contributions, documents, the
restitution; and the restitution block of the public workshop page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fabrique.accounts.models import User
from fabrique.accounts.permissions import AnyUser, request_user
from fabrique.core.forms import add_service_errors
from fabrique.core.sanitize import sanitize_html

from ..forms.day import (
    CaptureEditForm,
    CaptureForm,
    DocumentForm,
    PublicDocumentsForm,
    RestitutionForm,
    SeatingForm,
    TableForm,
    TablesAtOnceForm,
)
from ..models import CapturedContribution, Table, Workshop, WorkshopDocument
from ..permissions import (
    can_capture_at_table,
    can_run_workshop,
    workshop_permission_required,
    workshop_runner_required,
)
from ..selectors import day as selectors
from ..services import day as services

B = "gestion/<slug:territory_slug>/demarches/<slug:slug>/ateliers/<int:pk>/"


def holds_a_table_or_runs(user: AnyUser, workshop: Workshop) -> bool:
    """Enough to open the capture pages; each page then checks the table or the capture."""
    if can_run_workshop(user, workshop):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and workshop.tables.filter(facilitator_id=user.pk).exists()
    )


table_capture_required = workshop_permission_required(holds_a_table_or_runs)


def _bo(workshop: Workshop, **extra: Any) -> dict[str, Any]:
    """The back-office context. ``runner`` is False for a table's facilitator who does not
    run the workshop: their pages then show no tabs leading to pages refused to them."""
    process = workshop.process
    return {
        "bo_territory": process.territory,
        "process": process,
        "workshop": workshop,
        "runner": True,
        **extra,
    }


def _url(name: str, workshop: Workshop, *args: Any) -> str:
    process = workshop.process
    return reverse(name, args=[process.territory.slug, process.slug, workshop.pk, *args])


def _to(name: str, workshop: Workshop, *args: Any, anchor: str = "") -> HttpResponse:
    return redirect(_url(name, workshop, *args) + (f"#{anchor}" if anchor else ""))


def _table(workshop: Workshop, table_pk: int) -> Table:
    return get_object_or_404(
        Table.objects.select_related("facilitator"), workshop=workshop, pk=table_pk
    )


# --- Tables -------------------------------------------------------------------------------


def _document_form(request: HttpRequest, workshop: Workshop, which: str) -> DocumentForm:
    sent = request.method == "POST" and request.POST.get("form") == which
    return DocumentForm(
        request.POST if sent else None, request.FILES if sent else None, workshop=workshop
    )


def _upload(request: HttpRequest, workshop: Workshop, form: DocumentForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.document_upload(
            workshop=workshop,
            file=data["file"],
            title=data["title"],
            description=data["description"],
            table=data.get("table"),
            is_public=data["is_public"],
            uploaded_by=request_user(request),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("Document added."))
    return True


@workshop_runner_required
def bo_tables(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    which = request.POST.get("form") if request.method == "POST" else None
    tables = list(selectors.table_list(workshop=workshop))
    participants = list(selectors.present_participants(workshop=workshop))
    table_form = TableForm(request.POST if which == "table" else None, workshop=workshop)
    many_form = TablesAtOnceForm(request.POST if which == "many" else None)
    seating_form = SeatingForm(
        request.POST if which == "seating" else None, participants=participants, tables=tables
    )
    document_form = _document_form(request, workshop, "document")
    if which == "table" and table_form.is_valid():
        try:
            table = services.table_create(workshop=workshop, **table_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(table_form, exc)
        else:
            messages.success(request, _("Table « %(name)s » added.") % {"name": table.name})
            return _to("workshops:bo_tables", workshop)
    elif which == "many" and many_form.is_valid():
        try:
            created = services.tables_create_many(
                workshop=workshop, count=many_form.cleaned_data["count"]
            )
        except ValidationError as exc:
            add_service_errors(many_form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)s table added.", "%(count)s tables added.", len(created))
                % {"count": len(created)},
            )
            return _to("workshops:bo_tables", workshop)
    elif which == "seating" and seating_form.is_valid():
        try:
            changed = services.registrations_seat(workshop=workshop, seating=seating_form.seating())
        except ValidationError as exc:
            add_service_errors(seating_form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s person changed table.", "%(count)s people changed table.", changed
                )
                % {"count": changed},
            )
            return _to("workshops:bo_tables", workshop, anchor="seating")
    elif which == "random":
        try:
            seated = services.tables_seat_at_random(workshop=workshop)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s person seated at random.",
                    "%(count)s people seated at random.",
                    seated,
                )
                % {"count": seated},
            )
        return _to("workshops:bo_tables", workshop, anchor="seating")
    elif which == "document" and _upload(request, workshop, document_form):
        return _to("workshops:bo_tables", workshop, anchor="documents")
    return render(
        request,
        "workshops/day/tables.html",
        _bo(
            workshop,
            tables=tables,
            participants=participants,
            unseated=sum(1 for p in participants if p.table_id is None),
            table_form=table_form,
            many_form=many_form,
            seating_form=seating_form,
            document_form=document_form,
            documents=selectors.document_list(workshop=workshop),
            loose_captures=selectors.capture_list(workshop=workshop, whole_workshop=True).count(),
        ),
    )


@workshop_runner_required
def bo_table_edit(request: HttpRequest, workshop: Workshop, table_pk: int) -> HttpResponse:
    table = _table(workshop, table_pk)
    form = TableForm(
        request.POST or None,
        workshop=workshop,
        initial={"name": table.name, "topic": table.topic, "facilitator": table.facilitator},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.table_update(table=table, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Table « %(name)s » saved.") % {"name": table.name})
            return _to("workshops:bo_tables", workshop)
    return render(request, "workshops/day/table_edit.html", _bo(workshop, table=table, form=form))


@require_POST
@workshop_runner_required
def bo_table_move(request: HttpRequest, workshop: Workshop, table_pk: int) -> HttpResponse:
    table = _table(workshop, table_pk)
    services.table_move(table=table, up=request.POST.get("direction") == "up")
    return _to("workshops:bo_tables", workshop, anchor=f"table-{table.pk}")


@workshop_runner_required
def bo_table_delete(request: HttpRequest, workshop: Workshop, table_pk: int) -> HttpResponse:
    table = _table(workshop, table_pk)
    if request.method == "POST":
        kept = services.table_delete(table=table)
        messages.success(
            request,
            ngettext(
                "Table « %(name)s » removed; its %(count)s contribution stays with the workshop.",
                "Table « %(name)s » removed; its %(count)s contributions stay with the workshop.",
                kept,
            )
            % {"name": table.name, "count": kept}
            if kept
            else _("Table « %(name)s » removed.") % {"name": table.name},
        )
        return _to("workshops:bo_tables", workshop)
    return render(
        request,
        "workshops/day/confirm_delete.html",
        _bo(
            workshop,
            title=_("Remove the table « %(name)s »?") % {"name": table.name},
            explanation=_(
                "The contributions captured there stay, with the workshop, without a table; "
                "the people seated there are seated nowhere."
            ),
            cancel_url=_url("workshops:bo_tables", workshop),
        ),
    )


# --- Capturing contributions --------------------------------------------------------------


def _capture_page(request: HttpRequest, workshop: Workshop, table: Table | None) -> HttpResponse:
    user = request_user(request)
    form = CaptureForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            capture = services.capture_submit(
                workshop=workshop, table=table, captured_by=user, **form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            here = (
                _url("workshops:bo_table_captures", workshop, table.pk)
                if table
                else _url("workshops:bo_workshop_captures", workshop)
            )
            # No fragment in the address: browsers skip autofocus when there is one.
            return redirect(f"{here}?saved={capture.pk}")
    captures = list(
        selectors.capture_list(workshop=workshop, table=table, whole_workshop=table is None)
    )
    saved = None
    if request.method == "GET" and request.GET.get("saved", "").isdigit():
        saved = next((c for c in captures if c.pk == int(request.GET["saved"])), None)
    # Ready for the next one: the cursor in the title, or on the first field to correct.
    focus = next(iter(form.errors), None) if form.errors else ("title" if saved else None)
    if focus in form.fields:
        form.fields[focus].widget.attrs["autofocus"] = True
    runner = can_run_workshop(user, workshop)
    return render(
        request,
        "workshops/day/capture.html",
        _bo(
            workshop,
            table=table,
            form=form,
            saved=saved,
            captures=captures[::-1],  # the latest first: the one just typed is in view
            runner=runner,
            can_change={c.pk for c in captures if runner or services.capture_can_change(user, c)},
        ),
    )


@table_capture_required
def bo_table_captures(request: HttpRequest, workshop: Workshop, table_pk: int) -> HttpResponse:
    table = _table(workshop, table_pk)
    if not can_capture_at_table(request.user, table):
        raise PermissionDenied
    return _capture_page(request, workshop, table)


@workshop_runner_required
def bo_workshop_captures(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    """Capturing for the whole workshop, when it has no tables (or a plenary)."""
    return _capture_page(request, workshop, None)


@workshop_runner_required
def bo_captures(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    groups = selectors.captures_by_table(workshop=workshop)
    return render(
        request,
        "workshops/day/captures.html",
        _bo(workshop, groups=groups, total=sum(g.count for g in groups)),
    )


def _capture(request: HttpRequest, workshop: Workshop, capture_pk: int) -> CapturedContribution:
    """A capture of this workshop that the person may change: their own, or any if they run
    the workshop."""
    capture = get_object_or_404(
        CapturedContribution.objects.select_related("contribution", "table", "workshop__process"),
        workshop=workshop,
        pk=capture_pk,
    )
    user = request_user(request)
    if not (can_run_workshop(user, workshop) or services.capture_can_change(user, capture)):
        raise PermissionDenied
    return capture


def _back_to_captures(workshop: Workshop, capture: CapturedContribution) -> str:
    if capture.table_id:
        return _url("workshops:bo_table_captures", workshop, capture.table_id)
    return _url("workshops:bo_workshop_captures", workshop)


@table_capture_required
def bo_capture_edit(request: HttpRequest, workshop: Workshop, capture_pk: int) -> HttpResponse:
    capture = _capture(request, workshop, capture_pk)
    contribution = capture.contribution
    form = CaptureEditForm(
        request.POST or None,
        workshop=workshop,
        initial={
            "kind": contribution.kind,
            "title": contribution.title,
            "body": contribution.body,
            "themes": list(contribution.themes.all()),
            "commune": contribution.commune,
            "collected_for": contribution.collected_for,
        },
    )
    back = _back_to_captures(workshop, capture)
    if request.method == "POST" and form.is_valid():
        try:
            services.capture_edit(capture=capture, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Contribution corrected."))
            return redirect(back)
    return render(
        request,
        "workshops/day/capture_edit.html",
        _bo(
            workshop,
            capture=capture,
            form=form,
            cancel_url=back,
            runner=can_run_workshop(request.user, workshop),
        ),
    )


@table_capture_required
def bo_capture_remove(request: HttpRequest, workshop: Workshop, capture_pk: int) -> HttpResponse:
    capture = _capture(request, workshop, capture_pk)
    back = _back_to_captures(workshop, capture)
    if request.method == "POST":
        title = capture.contribution.title
        try:
            services.capture_remove(capture=capture)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("« %(title)s » removed.") % {"title": title})
        return redirect(back)
    return render(
        request,
        "workshops/day/confirm_delete.html",
        _bo(
            workshop,
            title=_("Remove « %(title)s »?") % {"title": capture.contribution.title},
            explanation=_(
                "For a contribution typed in by mistake: it disappears from the platform."
            ),
            cancel_url=back,
            runner=can_run_workshop(request.user, workshop),
        ),
    )


# --- Documents ----------------------------------------------------------------------------


@workshop_runner_required
def bo_document_delete(request: HttpRequest, workshop: Workshop, document_pk: int) -> HttpResponse:
    document = get_object_or_404(WorkshopDocument, workshop=workshop, pk=document_pk)
    back = (
        _url("workshops:bo_restitution", workshop)
        if request.GET.get("from") == "restitution" or request.POST.get("from") == "restitution"
        else _url("workshops:bo_tables", workshop)
    )
    if request.method == "POST":
        services.document_delete(document=document)
        messages.success(request, _("« %(title)s » deleted.") % {"title": document.title})
        return redirect(back + "#documents")
    return render(
        request,
        "workshops/day/confirm_delete.html",
        _bo(
            workshop,
            title=_("Delete « %(title)s »?") % {"title": document.title},
            explanation=_("The file is deleted for good."),
            cancel_url=back,
            back_from=request.GET.get("from", ""),
        ),
    )


# --- Restitution --------------------------------------------------------------------------


@workshop_runner_required
def bo_restitution(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    which = request.POST.get("form") if request.method == "POST" else None
    action = request.POST.get("action", "save")
    form = RestitutionForm(
        request.POST if which == "restitution" else None,
        initial={"restitution": workshop.restitution},
    )
    public_form = PublicDocumentsForm(
        request.POST if which == "public" else None, workshop=workshop
    )
    document_form = _document_form(request, workshop, "document")
    preview = None
    if which == "restitution" and form.is_valid():
        text = form.cleaned_data["restitution"]
        try:
            if action == "preview":
                # Shown under the page's h2 and the preview's h3, as deep as on the public page.
                preview = demote_headings(demote_headings(sanitize_html(text)))
            elif action == "publish":
                first = services.restitution_publish(workshop=workshop, text=text)
                messages.success(
                    request,
                    _("Restitution published; participants and followers are told.")
                    if first
                    else _("Restitution updated."),
                )
                return _to("workshops:bo_restitution", workshop)
            else:
                services.restitution_save(workshop=workshop, text=text)
                messages.success(
                    request,
                    _("Restitution updated.")
                    if workshop.restitution_published_at
                    else _("Draft saved. It is not public until you publish it."),
                )
                return _to("workshops:bo_restitution", workshop)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif which == "public" and public_form.is_valid():
        services.documents_set_public(
            workshop=workshop, public_ids=[d.pk for d in public_form.cleaned_data["public"]]
        )
        messages.success(request, _("Choice of documents saved."))
        return _to("workshops:bo_restitution", workshop, anchor="documents")
    elif which == "document" and _upload(request, workshop, document_form):
        return _to("workshops:bo_restitution", workshop, anchor="documents")
    return render(
        request,
        "workshops/day/restitution.html",
        _bo(
            workshop,
            form=form,
            preview=preview,
            public_form=public_form,
            document_form=document_form,
            documents=selectors.document_list(workshop=workshop),
            figures=selectors.restitution_figures(workshop=workshop),
            updated_at=selectors.restitution_updated_at(workshop),
        ),
    )


# --- The public workshop page -------------------------------------------------------------


_HEADING = re.compile(r"<(/?)h([1-5])\b", re.IGNORECASE)


def demote_headings(html: str) -> str:
    """The restitution sits under the page's « Restitution » heading (an h2): its own
    headings go one level down, so that the page's outline stays right."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", html)


@dataclass
class RestitutionBlock:
    """What ``workshops/day/_restitution_block.html`` shows on the public workshop page."""

    published: bool
    pending: bool = False
    text: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    figures: selectors.RestitutionFigures | None = None
    documents: list[WorkshopDocument] = field(default_factory=list)
    groups: list[selectors.TableCaptures] = field(default_factory=list)
    edit_url: str = ""


def detail_context(request: HttpRequest, workshop: Workshop) -> dict[str, Any]:
    """What the public workshop page needs from this part (its block template uses it)."""
    edit_url = ""
    if isinstance(request.user, User) and can_run_workshop(request.user, workshop):
        edit_url = _url("workshops:bo_restitution", workshop)
    if not workshop.has_restitution or workshop.status == Workshop.Status.CANCELLED:
        block = RestitutionBlock(
            published=False,
            pending=workshop.is_past and workshop.status == Workshop.Status.PUBLISHED,
            edit_url=edit_url,
        )
    else:
        block = RestitutionBlock(
            published=True,
            text=demote_headings(workshop.restitution),
            published_at=workshop.restitution_published_at,
            updated_at=selectors.restitution_updated_at(workshop),
            figures=selectors.restitution_figures(workshop=workshop, public_only=True),
            documents=list(selectors.document_list(workshop=workshop, public_only=True)),
            groups=selectors.captures_by_table(workshop=workshop, public_only=True),
            edit_url=edit_url,
        )
    return {"restitution_block": block}


urlpatterns: list[URLPattern] = [
    path(B + "tables/", bo_tables, name="bo_tables"),
    path(B + "tables/<int:table_pk>/", bo_table_edit, name="bo_table_edit"),
    path(B + "tables/<int:table_pk>/deplacer/", bo_table_move, name="bo_table_move"),
    path(B + "tables/<int:table_pk>/supprimer/", bo_table_delete, name="bo_table_delete"),
    path(
        B + "tables/<int:table_pk>/contributions/",
        bo_table_captures,
        name="bo_table_captures",
    ),
    path(B + "contributions/", bo_captures, name="bo_captures"),
    path(B + "contributions/saisie/", bo_workshop_captures, name="bo_workshop_captures"),
    path(
        B + "contributions/<int:capture_pk>/modifier/",
        bo_capture_edit,
        name="bo_capture_edit",
    ),
    path(
        B + "contributions/<int:capture_pk>/retirer/",
        bo_capture_remove,
        name="bo_capture_remove",
    ),
    path(
        B + "documents/<int:document_pk>/supprimer/",
        bo_document_delete,
        name="bo_document_delete",
    ),
    path(B + "restitution/", bo_restitution, name="bo_restitution"),
]
