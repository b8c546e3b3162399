from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.permissions import (
    can_manage_territory,
    request_user,
    territory_permission_required,
)
from fabrique.core.forms import add_service_errors, submit_one_of
from fabrique.territories.models import Territory

from . import selectors, services
from .forms import (
    BodyForm,
    MeetingForm,
    MemberForm,
    NewsForm,
    PhaseForm,
    ProcessForm,
    ResourceForm,
    SpotlightForm,
    StatusForm,
    ThemeForm,
)
from .models import (
    BodyMember,
    GovernanceBody,
    Meeting,
    News,
    Phase,
    Process,
    Resource,
    Spotlight,
    Theme,
)
from .permissions import can_manage_process, can_view_process, process_manager_required

# --- Public pages ---------------------------------------------------------------------


def _visible_process(request: HttpRequest, slug: str) -> Process:
    process = get_object_or_404(Process.objects.select_related("territory"), slug=slug)
    if not can_view_process(request.user, process):
        raise Http404
    return process


def _render_public(
    request: HttpRequest, template: str, process: Process, **context: Any
) -> HttpResponse:
    """Public process pages carry the process's territory in the header."""
    return render(
        request,
        template,
        {"territory": process.territory, "process": process, **context},
    )


def home(request: HttpRequest) -> HttpResponse:
    """The territory's home: what is open now, and the other processes."""
    territory = request.territory  # type: ignore[attr-defined]  # set by CurrentTerritoryMiddleware
    processes = list(selectors.public_processes(territory)[:6])
    return render(
        request,
        "core/home.html",
        {
            "processes": [(p, selectors.process_timeline(p)) for p in processes],
        },
    )


def process_list(request: HttpRequest) -> HttpResponse:
    territory = request.territory  # type: ignore[attr-defined]  # set by CurrentTerritoryMiddleware
    processes = selectors.public_processes(territory)
    return render(request, "processes/process_list.html", {"processes": processes})


def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = _visible_process(request, slug)
    following = (
        request.user.is_authenticated and process.follows.filter(user_id=request.user.pk).exists()
    )
    return _render_public(
        request,
        "processes/process_detail.html",
        process,
        timeline=selectors.process_timeline(process),
        themes=selectors.process_themes(process),
        bodies=selectors.public_bodies(process),
        spotlights=selectors.current_spotlights(process),
        news_items=selectors.latest_news(process),
        figures=selectors.key_figures(process),
        resources=process.resources.filter(theme__isnull=True),
        following=following,
        can_manage=can_manage_process(request.user, process),
        has_contributions=process.phases.filter(modes__mode="contributions").exists(),
        has_workshops=process.phases.filter(modes__mode="workshops").exists(),
    )


def theme_detail(request: HttpRequest, slug: str, theme_slug: str) -> HttpResponse:
    process = _visible_process(request, slug)
    theme = get_object_or_404(Theme, process=process, slug=theme_slug)
    return _render_public(
        request,
        "processes/theme_detail.html",
        process,
        theme=theme,
        resources=theme.resources.all(),
        spotlights=theme.spotlights.all(),
        bodies=selectors.public_bodies(process).filter(theme=theme),
        timeline=selectors.process_timeline(process),
    )


def phase_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _visible_process(request, slug)
    phase = get_object_or_404(Phase.objects.prefetch_related("modes"), process=process, pk=pk)
    timeline = selectors.process_timeline(process)
    return _render_public(
        request,
        "processes/phase_detail.html",
        process,
        phase=phase,
        timeline=timeline,
        state=phase.state(),
    )


def body_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _visible_process(request, slug)
    body = get_object_or_404(
        GovernanceBody.objects.prefetch_related("members", selectors.published_meetings_prefetch()),
        process=process,
        pk=pk,
    )
    if not body.is_public and not can_manage_process(request.user, process):
        raise Http404
    return _render_public(request, "processes/body_detail.html", process, body=body)


def news_list(request: HttpRequest, slug: str) -> HttpResponse:
    process = _visible_process(request, slug)
    return _render_public(
        request, "processes/news_list.html", process, news_items=process.news.all()
    )


def news_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _visible_process(request, slug)
    news = get_object_or_404(News, process=process, pk=pk)
    return _render_public(request, "processes/news_detail.html", process, news=news)


@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    process = _visible_process(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(process.get_absolute_url())
    user = request_user(request)
    if request.POST.get("action") == "unfollow":
        services.process_unfollow(process=process, user=user)
        following = False
    else:
        services.process_follow(process=process, user=user)
        following = True
    if request.headers.get("HX-Request"):
        return render(
            request, "processes/_follow.html", {"process": process, "following": following}
        )
    messages.success(
        request,
        _("You follow this process: its news will reach you by e-mail.")
        if following
        else _("You no longer follow this process."),
    )
    return redirect(process.get_absolute_url())


# --- Back-office ----------------------------------------------------------------------


def _bo(process: Process, **extra: Any) -> dict[str, Any]:
    return {"bo_territory": process.territory, "process": process, **extra}


def _to(name: str, process: Process, *args: Any) -> HttpResponse:
    return redirect(name, process.territory.slug, process.slug, *args)


@territory_permission_required(can_manage_territory)
def bo_process_list(request: HttpRequest, territory: Territory) -> HttpResponse:
    processes = Process.objects.filter(territory=territory)
    return render(
        request,
        "processes/backoffice/process_list.html",
        {"bo_territory": territory, "processes": processes},
    )


@territory_permission_required(can_manage_territory)
def bo_process_create(request: HttpRequest, territory: Territory) -> HttpResponse:
    form = ProcessForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            process = services.process_save(
                territory=territory, created_by=request_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Process created as a draft. Now add its phases."))
            return redirect("processes:bo_phases", territory.slug, process.slug)
    return render(
        request,
        "processes/backoffice/process_form.html",
        {"bo_territory": territory, "form": form, "step": "info"},
    )


def _process_home(
    request: HttpRequest, process: Process, status_form: StatusForm | None = None
) -> HttpResponse:
    checklist = [
        (_("Information"), True, "processes:bo_edit"),
        (_("Phases"), process.phases.exists(), "processes:bo_phases"),
        (_("Themes"), process.themes.exists(), "processes:bo_themes"),
        (_("Governance bodies"), process.bodies.exists(), "processes:bo_bodies"),
    ]
    status_form = status_form or StatusForm(initial={"status": process.status})
    return render(
        request,
        "processes/backoffice/process_home.html",
        _bo(
            process,
            checklist=checklist,
            status_form=status_form,
            timeline=selectors.process_timeline(process),
            figures=selectors.key_figures(process),
        ),
    )


@process_manager_required
def bo_process(request: HttpRequest, process: Process) -> HttpResponse:
    return _process_home(request, process)


@process_manager_required
def bo_process_edit(request: HttpRequest, process: Process) -> HttpResponse:
    form = ProcessForm(request.POST or None, request.FILES or None, instance=process)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("cover") is None:
            data.pop("cover", None)  # nothing uploaded: keep the current image
        try:
            services.process_save(territory=process.territory, process=process, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Information saved."))
            return _to("processes:bo_process", process)
    return render(
        request, "processes/backoffice/process_form.html", _bo(process, form=form, step="info")
    )


@require_POST
@process_manager_required
def bo_status(request: HttpRequest, process: Process) -> HttpResponse:
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.process_set_status(process=process, status=form.cleaned_data["status"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            process.refresh_from_db()
            return _process_home(request, process, status_form=form)
        messages.success(
            request, _("Status: %(status)s.") % {"status": process.get_status_display()}
        )
    return _to("processes:bo_process", process)


@process_manager_required
def bo_phases(request: HttpRequest, process: Process, pk: int | None = None) -> HttpResponse:
    phase = get_object_or_404(Phase, process=process, pk=pk) if pk else None
    form = PhaseForm(request.POST or None, instance=phase, prefix="phase")
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.phase_save(process=process, phase=phase, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Phase « %(title)s » saved.") % {"title": saved.title})
            return _to("processes:bo_phases", process)
    return render(
        request,
        "processes/backoffice/phases.html",
        _bo(process, form=form, phase=phase, timeline=selectors.process_timeline(process)),
    )


@require_POST
@process_manager_required
def bo_phase_delete(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    phase = get_object_or_404(Phase, process=process, pk=pk)
    try:
        services.phase_delete(phase=phase)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Phase « %(title)s » deleted.") % {"title": phase.title})
    return _to("processes:bo_phases", process)


@process_manager_required
def bo_themes(request: HttpRequest, process: Process) -> HttpResponse:
    which = request.POST.get("form") if request.method == "POST" else None
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ThemeForm(data if which == "theme" else None, prefix="theme")
    resource_form = ResourceForm(
        data if which == "resource" else None,
        files if which == "resource" else None,
        process=process,
        prefix="resource",
    )
    done = submit_one_of(
        which,
        {
            "theme": (
                form,
                lambda data: services.theme_save(process=process, **data),
                _("Theme added."),
            ),
            "resource": (
                resource_form,
                lambda data: services.resource_save(process=process, **data),
                _("Resource added."),
            ),
        },
    )
    if done:
        messages.success(request, done)
        return _to("processes:bo_themes", process)
    return render(
        request,
        "processes/backoffice/themes.html",
        _bo(
            process,
            form=form,
            resource_form=resource_form,
            themes=process.themes.prefetch_related("resources", "spotlights"),
            resources=process.resources.filter(theme__isnull=True),
        ),
    )


@process_manager_required
def bo_theme(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme, process=process, pk=pk)
    which = request.POST.get("form") if request.method == "POST" else None
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    theme_form = ThemeForm(data if which == "theme" else None, instance=theme, prefix="theme")
    resource_form = ResourceForm(
        data if which == "resource" else None,
        files if which == "resource" else None,
        process=process,
        initial={"theme": theme},
        prefix="resource",
    )
    spotlight_form = SpotlightForm(data if which == "spotlight" else None, prefix="spotlight")
    done = submit_one_of(
        which,
        {
            "theme": (
                theme_form,
                lambda data: services.theme_save(process=process, theme=theme, **data),
                _("Theme saved."),
            ),
            "resource": (
                resource_form,
                lambda data: services.resource_save(process=process, **data),
                _("Resource added."),
            ),
            "spotlight": (
                spotlight_form,
                lambda data: services.spotlight_save(theme=theme, **data),
                _("Spotlight scheduled."),
            ),
        },
    )
    if done:
        messages.success(request, done)
        return _to("processes:bo_theme", process, theme.pk)
    return render(
        request,
        "processes/backoffice/theme.html",
        _bo(
            process,
            theme=theme,
            theme_form=theme_form,
            resource_form=resource_form,
            spotlight_form=spotlight_form,
        ),
    )


@require_POST
@process_manager_required
def bo_resource_delete(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, process=process, pk=pk)
    services.resource_delete(resource=resource)
    messages.success(request, _("Resource removed."))
    if resource.theme_id:
        return _to("processes:bo_theme", process, resource.theme_id)
    return _to("processes:bo_themes", process)


@process_manager_required
def bo_bodies(request: HttpRequest, process: Process) -> HttpResponse:
    form = BodyForm(request.POST or None, process=process, prefix="body")
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_save(process=process, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Body « %(name)s » created.") % {"name": body.name})
            return _to("processes:bo_body", process, body.pk)
    bodies = [(b, services.triad_missing_roles(b)) for b in selectors.all_bodies(process)]
    return render(
        request, "processes/backoffice/bodies.html", _bo(process, form=form, bodies=bodies)
    )


@process_manager_required
def bo_body(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    body = get_object_or_404(GovernanceBody, process=process, pk=pk)
    which = request.POST.get("form") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    body_form = BodyForm(
        data if which == "body" else None, instance=body, process=process, prefix="body"
    )
    member_form = MemberForm(data if which == "member" else None, prefix="member")
    meeting_form = MeetingForm(data if which == "meeting" else None, prefix="meeting")
    done = submit_one_of(
        which,
        {
            "body": (
                body_form,
                lambda data: services.body_save(process=process, body=body, **data),
                _("Body saved."),
            ),
            "member": (
                member_form,
                lambda data: services.member_save(
                    body=body,
                    name=data["name"],
                    role=data["role"],
                    organisation=data["organisation"],
                    user=data["email"],
                ),
                _("Member added."),
            ),
            "meeting": (
                meeting_form,
                lambda data: services.meeting_save(body=body, **data),
                _("Meeting saved."),
            ),
        },
    )
    if done:
        messages.success(request, done)
        return _to("processes:bo_body", process, body.pk)
    return render(
        request,
        "processes/backoffice/body.html",
        _bo(
            process,
            body=body,
            body_form=body_form,
            member_form=member_form,
            meeting_form=meeting_form,
            missing=services.triad_missing_roles(body),
        ),
    )


@require_POST
@process_manager_required
def bo_member_delete(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    member = get_object_or_404(BodyMember, body__process=process, pk=pk)
    services.member_delete(member=member)
    messages.success(request, _("%(name)s removed from the body.") % {"name": member.name})
    return _to("processes:bo_body", process, member.body_id)


@process_manager_required
def bo_meeting(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, body__process=process, pk=pk)
    form = MeetingForm(request.POST or None, instance=meeting, prefix="meeting")
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save(body=meeting.body, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return _to("processes:bo_body", process, meeting.body_id)
    return render(
        request, "processes/backoffice/meeting.html", _bo(process, meeting=meeting, form=form)
    )


@process_manager_required
def bo_news(request: HttpRequest, process: Process) -> HttpResponse:
    form = NewsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            news = services.news_publish(
                process=process, author=request_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("News « %(title)s » published.") % {"title": news.title})
            if form.cleaned_data["send_email"] and not process.is_public:
                messages.warning(
                    request,
                    _(
                        "The process is still a draft: no e-mail was sent. People can only "
                        "follow it once it is published."
                    ),
                )
            return _to("processes:bo_news", process)
    return render(
        request,
        "processes/backoffice/news.html",
        _bo(
            process,
            form=form,
            news_items=process.news.all(),
            follower_count=process.follows.count(),
        ),
    )


# What the back-office can delete, each found within the process of the address, and where
# to go back once it is gone.
DELETABLE: dict[str, tuple[Callable[[Process, int], Any], Callable[[Any], tuple[str, ...]]]] = {
    "theme": (
        lambda process, pk: get_object_or_404(Theme, process=process, pk=pk),
        lambda item: ("processes:bo_themes",),
    ),
    "body": (
        lambda process, pk: get_object_or_404(GovernanceBody, process=process, pk=pk),
        lambda item: ("processes:bo_bodies",),
    ),
    "meeting": (
        lambda process, pk: get_object_or_404(Meeting, body__process=process, pk=pk),
        lambda item: ("processes:bo_body", item.body_id),
    ),
    "news": (
        lambda process, pk: get_object_or_404(News, process=process, pk=pk),
        lambda item: ("processes:bo_news",),
    ),
    "spotlight": (
        lambda process, pk: get_object_or_404(Spotlight, theme__process=process, pk=pk),
        lambda item: ("processes:bo_theme", item.theme_id),
    ),
}


@process_manager_required
def bo_delete(request: HttpRequest, process: Process, kind: str, pk: int) -> HttpResponse:
    """Ask, then delete: one confirmation page for every kind of item of a process."""
    if kind not in DELETABLE:
        raise Http404
    find, back = DELETABLE[kind]
    item = find(process, pk)
    name, *args = back(item)
    if request.method == "POST":
        try:
            if isinstance(item, Theme):
                services.theme_delete(theme=item)
            else:
                services.item_delete(item=item)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("« %(name)s » deleted.") % {"name": item})
        return _to(name, process, *args)
    return render(
        request,
        "processes/backoffice/delete.html",
        _bo(
            process,
            item=item,
            back_url=reverse(name, args=[process.territory.slug, process.slug, *args]),
        ),
    )
