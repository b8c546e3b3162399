"""The panel after its draw. For drawn people, a private page reached by the link of their
invitation, no account needed: answer, sessions, attendance, leaving. For staff: the
members and their answers, the invitations, sessions with their attendance, the export.

The rules are in ``membership``; these views only read forms and show the outcome.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors, submit_one_of
from fabrique.processes.models import RESOURCE_FILE_EXTENSIONS, Process

from .. import membership
from ..models import Panel, Session, Volunteer
from ..permissions import panel_manager_required
from . import bo_context, get_panel
from . import to_panel_page as _to

Status = Volunteer.Status
MAX_DOCUMENT_MB = 20

# --- Forms ---------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("If you wish, tell us why (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _VolunteerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{membership.volunteer_label(obj)} — {obj.get_status_display()}"


class PhoneAnswerForm(forms.Form):
    volunteer = _VolunteerChoice(label=gettext_lazy("Person"), queryset=Volunteer.objects.none())
    answer = forms.ChoiceField(
        label=gettext_lazy("Their answer"),
        choices=[("yes", gettext_lazy("Accepts")), ("no", gettext_lazy("Declines"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Reason given (optional)"), max_length=300, required=False
    )

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        volunteer = self.fields["volunteer"]
        assert isinstance(volunteer, forms.ModelChoiceField)
        volunteer.queryset = panel.volunteers.filter(
            status__in=[Status.SELECTED, Status.ACCEPTED, Status.DECLINED]
        ).order_by("number")


class LeftForm(forms.Form):
    volunteer = _VolunteerChoice(label=gettext_lazy("Member"), queryset=Volunteer.objects.none())
    note = forms.CharField(label=gettext_lazy("Reason (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        volunteer = self.fields["volunteer"]
        assert isinstance(volunteer, forms.ModelChoiceField)
        volunteer.queryset = panel.volunteers.filter(
            status__in=[Status.SELECTED, Status.ACCEPTED]
        ).order_by("number")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SessionForm(forms.ModelForm):
    tell_members = forms.BooleanField(
        label=gettext_lazy("Tell the members by e-mail"),
        required=False,
        help_text=gettext_lazy("The members who accepted receive the date, place and programme."),
    )

    class Meta:
        model = Session
        fields = ["title", "starts_at", "place", "description", "document"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "document": forms.ClearableFileInput(
                attrs={"accept": ",".join(f".{e}" for e in RESOURCE_FILE_EXTENSIONS)}
            ),
        }
        labels = {"starts_at": gettext_lazy("Date and time")}
        help_texts = {
            "description": gettext_lazy("What the session is about, what to bring."),
            "document": gettext_lazy(
                "PDF, office document, spreadsheet, presentation, image or text, "
                "%(max)s MB at most. Members download it from their page."
            )
            % {"max": MAX_DOCUMENT_MB},
        }

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload and getattr(upload, "size", 0) > MAX_DOCUMENT_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The document is larger than %(max)s MB.") % {"max": MAX_DOCUMENT_MB}
            )
        return upload

    def _post_clean(self) -> None:
        pass  # the service checks the session as a whole


class _MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return membership.volunteer_label(obj)


class AttendanceForm(forms.Form):
    present = _MemberChoices(
        label=gettext_lazy("Who was present?"),
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        present = self.fields["present"]
        assert isinstance(present, forms.ModelMultipleChoiceField)
        present.queryset = membership.attendance_candidates(session)
        present.initial = list(session.attendees.values_list("pk", flat=True))


# --- The member space (private link) ------------------------------------------------------------


def _volunteer(token: str) -> Volunteer:
    return get_object_or_404(
        Volunteer.objects.select_related("panel__process__territory"), token=token
    )


def _to_space(volunteer: Volunteer) -> HttpResponse:
    return redirect("panels:member_space", volunteer.token)


def _render_space(request: HttpRequest, volunteer: Volunteer, **extra: Any) -> HttpResponse:
    panel = volunteer.panel
    return render(
        request,
        "panels/member_space.html",
        {
            "territory": panel.process.territory,
            "process": panel.process,
            "panel": panel,
            "volunteer": volunteer,
            "space": membership.member_space(volunteer),
            **extra,
        },
    )


@never_cache
def member_space(request: HttpRequest, token: str) -> HttpResponse:
    volunteer = _volunteer(token)
    decline_form = ReasonForm(
        request.POST if request.POST.get("action") == "decline" else None, prefix="decline"
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("accept", "decline") or (
            action == "decline" and not decline_form.is_valid()
        ):
            return _render_space(request, volunteer, decline_form=decline_form)
        before = volunteer.status
        try:
            volunteer = membership.invitation_answer(
                volunteer=volunteer,
                accept=action == "accept",
                note=decline_form.cleaned_data["note"] if action == "decline" else "",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if volunteer.status == before:
                messages.info(request, _("Your answer was already recorded."))
            elif volunteer.status == Status.ACCEPTED:
                messages.success(
                    request,
                    _("Thank you! You are a member of the panel. The sessions are below."),
                )
            else:
                messages.success(
                    request,
                    _("Your answer is recorded. Thank you for letting us know."),
                )
        return _to_space(volunteer)
    return _render_space(request, volunteer, decline_form=decline_form)


@never_cache
def member_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    """Leave the panel, or withdraw from the pool: asked once more before it is done."""
    volunteer = _volunteer(token)
    space = membership.member_space(volunteer)
    if not (space.can_leave if step == "leave" else space.can_withdraw):
        return _to_space(volunteer)
    form = ReasonForm(request.POST if request.method == "POST" else None, prefix="reason")
    if request.method == "POST" and form.is_valid():
        try:
            if step == "leave":
                membership.member_leave(volunteer=volunteer, note=form.cleaned_data["note"])
                done = _("You have left the panel. Thank you for the time you gave it.")
            else:
                membership.pool_withdraw(volunteer=volunteer)
                done = _("You have withdrawn from the pool. Your name and contact are erased.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
        return _to_space(volunteer)
    return _render_space(request, volunteer, confirm=step, reason_form=form)


@never_cache
def member_document(request: HttpRequest, token: str, session_pk: int) -> FileResponse:
    volunteer = _volunteer(token)
    if not volunteer.is_member:
        raise Http404
    session = get_object_or_404(Session, panel=volunteer.panel, pk=session_pk)
    if not session.document:
        raise Http404
    return FileResponse(
        session.document.open("rb"),
        as_attachment=True,
        filename=PurePath(session.document.name).name,
    )


# --- Back-office: members --------------------------------------------------------------------


@panel_manager_required
def bo_members(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    which = request.POST.get("form") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    answer_form = PhoneAnswerForm(data if which == "answer" else None, panel=panel, prefix="answer")
    left_form = LeftForm(data if which == "left" else None, panel=panel, prefix="left")
    by = request_user(request)
    if which == "invite":
        sent = membership.members_invite(panel=panel, by=by)
        if sent:
            messages.success(
                request,
                _("%(n)d invitations are on their way.") % {"n": sent}
                if sent > 1
                else _("The invitation is on its way."),
            )
        else:
            messages.info(request, _("Nobody was left to invite by e-mail."))
        return _to("panels:bo_members", panel)
    if which == "again":
        pk = request.POST.get("volunteer", "")
        volunteer = get_object_or_404(panel.volunteers, pk=int(pk) if pk.isdigit() else 0)
        try:
            membership.member_invite_again(volunteer=volunteer, by=by)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("E-mail sent again to %(name)s.")
                % {"name": membership.volunteer_label(volunteer)},
            )
        return _to("panels:bo_members", panel)
    done = submit_one_of(
        which,
        {
            "answer": (
                answer_form,
                lambda d: membership.invitation_answer(
                    volunteer=d["volunteer"], accept=d["answer"] == "yes", note=d["note"], by=by
                ),
                _("Answer recorded."),
            ),
            "left": (
                left_form,
                lambda d: membership.member_leave(volunteer=d["volunteer"], note=d["note"], by=by),
                _("Recorded: the member has left the panel."),
            ),
        },
    )
    if done:
        messages.success(request, done)
        return _to("panels:bo_members", panel)
    to_fill = membership.seats_to_fill(panel)
    return render(
        request,
        "panels/backoffice/members.html",
        bo_context(
            panel,
            volunteers=membership.drawn_volunteers(panel),
            counts=membership.status_counts(panel),
            pending=membership.invitations_pending(panel),
            to_fill=to_fill,
            to_fill_ids={v.pk for v in to_fill},
            answer_form=answer_form,
            left_form=left_form,
        ),
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@panel_manager_required
def bo_members_export_csv(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    return _download(
        membership.members_export_csv(panel),
        "text/csv; charset=utf-8",
        f"{panel.slug}-membres.csv",
    )


@panel_manager_required
def bo_members_export_xlsx(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    return _download(
        membership.members_export_xlsx(panel),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{panel.slug}-membres.xlsx",
    )


# --- Back-office: sessions and attendance ------------------------------------------------------


def _session_save(panel: Panel, data: dict[str, Any], session: Session | None = None) -> Session:
    return membership.session_save(panel=panel, session=session, **data)


@panel_manager_required
def bo_sessions(request: HttpRequest, process: Process, panel_slug: str) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    form = SessionForm(request.POST or None, request.FILES or None, prefix="session")
    if request.method == "POST" and form.is_valid():
        try:
            _session_save(panel, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session added."))
            return _to("panels:bo_sessions", panel)
    return render(
        request,
        "panels/backoffice/sessions.html",
        bo_context(
            panel,
            form=form,
            sessions=membership.sessions_with_attendance(panel),
        ),
    )


@panel_manager_required
def bo_session(
    request: HttpRequest, process: Process, panel_slug: str, session_pk: int
) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    session = get_object_or_404(Session, panel=panel, pk=session_pk)
    which = request.POST.get("form") if request.method == "POST" else None
    form = SessionForm(
        request.POST if which == "session" else None,
        request.FILES if which == "session" else None,
        instance=session,
        prefix="session",
    )
    attendance_form = AttendanceForm(
        request.POST if which == "attendance" else None, session=session, prefix="attendance"
    )
    done = submit_one_of(
        which,
        {
            "session": (form, lambda d: _session_save(panel, d, session), _("Session saved.")),
            "attendance": (
                attendance_form,
                lambda d: membership.attendance_set(
                    session=session, present_ids=[v.pk for v in d["present"]]
                ),
                _("Attendance saved."),
            ),
        },
    )
    if done:
        messages.success(request, done)
        return _to("panels:bo_session", panel, session.pk)
    return render(
        request,
        "panels/backoffice/session.html",
        bo_context(panel, session=session, form=form, attendance_form=attendance_form),
    )


@panel_manager_required
def bo_session_delete(
    request: HttpRequest, process: Process, panel_slug: str, session_pk: int
) -> HttpResponse:
    panel = get_panel(process, panel_slug)
    session = get_object_or_404(Session, panel=panel, pk=session_pk)
    if request.method == "POST":
        membership.session_delete(session=session)
        messages.success(request, _("Session « %(title)s » deleted.") % {"title": session.title})
        return _to("panels:bo_sessions", panel)
    back_url = reverse(
        "panels:bo_session", args=[process.territory.slug, process.slug, panel.slug, session.pk]
    )
    return render(
        request,
        "processes/backoffice/delete.html",
        bo_context(panel, item=session, back_url=back_url),
    )


SPACE = "panel/espace/<str:token>/"
P = "gestion/<slug:territory_slug>/demarches/<slug:slug>/panels/<slug:panel_slug>/"

urlpatterns = [
    path(SPACE, member_space, name="member_space"),
    path(SPACE + "quitter/", member_step, {"step": "leave"}, name="member_leave"),
    path(SPACE + "retirer/", member_step, {"step": "withdraw"}, name="member_withdraw"),
    path(SPACE + "seances/<int:session_pk>/document/", member_document, name="member_document"),
    path(P + "membres/", bo_members, name="bo_members"),
    path(P + "membres/export.csv", bo_members_export_csv, name="bo_members_export_csv"),
    path(P + "membres/export.xlsx", bo_members_export_xlsx, name="bo_members_export_xlsx"),
    path(P + "seances/", bo_sessions, name="bo_sessions"),
    path(P + "seances/<int:session_pk>/", bo_session, name="bo_session"),
    path(P + "seances/<int:session_pk>/supprimer/", bo_session_delete, name="bo_session_delete"),
]
