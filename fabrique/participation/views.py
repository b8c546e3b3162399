from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.models import User
from fabrique.accounts.permissions import request_user, territory_permission_required
from fabrique.core import pagecache
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process
from fabrique.processes.permissions import (
    can_manage_process,
    can_view_process,
    process_permission_required,
)
from fabrique.territories.models import Basin, Territory

from . import selectors, services
from .forms import (
    AnswerForm,
    CollectedContributionForm,
    CommentForm,
    ContributionForm,
    EditForm,
    ModerationForm,
    ParticipationSettingsForm,
    ReportForm,
)
from .models import Comment, Contribution, ModerationLog, Report, Visibility
from .permissions import can_answer, can_collect, can_moderate, can_moderate_territory

PAGE_SIZE = 20


def _process(request: HttpRequest, slug: str) -> Process:
    process = get_object_or_404(Process.objects.select_related("territory"), slug=slug)
    if not can_view_process(request.user, process):
        raise Http404
    return process


def _viewer(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filters(request: HttpRequest) -> selectors.ContributionFilters:
    get = request.GET
    sort = get.get("tri", "recent")
    return selectors.ContributionFilters(
        theme=_int(get.get("thematique")),
        kind=get.get("type", "") if get.get("type") in Contribution.Kind.values else "",
        commune=_int(get.get("commune")),
        basin=_int(get.get("bassin")),
        status=get.get("statut", "") if get.get("statut") in Contribution.Status.values else "",
        phase=_int(get.get("phase")),
        q=get.get("q", "")[:200],
        sort=sort if sort in selectors.SORTS else "recent",
    )


def _seed(request: HttpRequest) -> str:
    """A visitor's own random order, the same from one page to the next."""
    if "shuffle_seed" not in request.session:
        request.session["shuffle_seed"] = secrets.token_hex(8)
    return str(request.session["shuffle_seed"])


def _lists_key(request: HttpRequest, process: Process, name: str, *extra: str) -> str:
    """What a list, its results or its map depend on: cached under this key until something
    in the process's lists changes (``services.lists_version``; ``core.pagecache``)."""
    version = services.lists_version(process.pk)
    parts = [name, str(process.pk), str(version), request.LANGUAGE_CODE, request.GET.urlencode()]
    return ":".join([*parts, *extra])


def contribution_list(request: HttpRequest, slug: str) -> HttpResponse:
    process = _process(request, slug)
    filters = _filters(request)
    htmx = bool(request.headers.get("HX-Request"))
    # Visitors without an account see the same page for the same address: served whole
    # from the cache. For everyone else the results (the same for all) come from it.
    page_key = None
    if (
        not request.user.is_authenticated
        and filters.sort != "random"
        and not len(messages.get_messages(request))  # counting does not consume them
    ):
        page_key = _lists_key(request, process, "contribution-page", str(htmx))
        cached = pagecache.cached_or_claim(page_key)
        if cached is not None:
            return HttpResponse(cached)
    # The random order's seed lives in the session, created only for those who ask for it.
    seed = _seed(request) if filters.sort == "random" else ""
    results = pagecache.get_or_build(
        _lists_key(request, process, "contribution-results", seed),
        lambda: _results_html(request, process, filters, seed),
    )
    if htmx:
        response = HttpResponse(results)
    else:
        viewer = _viewer(request)
        context = {
            "territory": process.territory,
            "process": process,
            "results": mark_safe(results.decode()),  # rendered by our template
            "awaiting": selectors.awaiting_moderation(process, viewer) if viewer else [],
            "filters": filters,
            "query": _query_without_page(request),
            "open_phase": services.open_phase(process),
            "themes": process.themes.all(),
            "communes": process.territory.communes.order_by("name"),
            "basins": Basin.objects.filter(grouping__territory=process.territory).order_by(
                "grouping__name", "position"
            ),
            "phases": process.phases.all(),
            "kinds": Contribution.Kind.choices,
            "statuses": Contribution.Status.choices,
            "sorts": [
                ("recent", _("Most recent")),
                ("supported", _("Most supported")),
                ("commented", _("Most commented")),
                ("random", _("Random")),
            ],
            "can_collect": can_collect(request.user, process),
            "map_bounds": [float(x) for x in process.territory.map_bounds],
        }
        response = render(request, "participation/contribution_list.html", context)
    if page_key is not None:
        pagecache.store(page_key, response.content)
    return response


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _results_html(
    request: HttpRequest, process: Process, filters: selectors.ContributionFilters, seed: str
) -> bytes:
    qs = selectors.contribution_list(process, filters, seed=seed)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": _query_without_page(request)}
    return render_to_string("participation/_results.html", context).encode()


def contribution_map_data(request: HttpRequest, slug: str) -> HttpResponse:
    """The contributions matching the filters in the part of the map in view, as GeoJSON:
    points, or counts per cell when there are too many (``selectors.contribution_map``)."""
    process = _process(request, slug)
    filters = _filters(request)
    box = selectors.MapBox.parse(request.GET.get("bbox", "")) or selectors.MapBox(
        *(float(x) for x in process.territory.map_bounds)
    )

    def build() -> bytes:
        qs = selectors.contribution_list(process, filters)
        return JsonResponse(selectors.contribution_map(qs, box)).content

    content = pagecache.get_or_build(_lists_key(request, process, "contribution-map"), build)
    return HttpResponse(content, content_type="application/json")


@login_required
def contribution_create(request: HttpRequest, slug: str, collected: bool = False) -> HttpResponse:
    process = _process(request, slug)
    if collected and not can_collect(request.user, process):
        raise PermissionDenied
    phase = services.open_phase(process)
    form_class = CollectedContributionForm if collected else ContributionForm
    form = form_class(request.POST or None, request.FILES or None, process=process)
    if request.method == "POST" and phase is not None and form.is_valid():
        data = dict(form.cleaned_data)
        user = request_user(request)
        if collected:
            data["collected_by"] = user
        data.setdefault("themes", [])
        try:
            contribution = services.contribution_submit(process=process, author=user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if contribution.visibility == Visibility.PENDING:
                messages.info(
                    request,
                    _("Thank you! Your contribution will appear once a moderator has read it."),
                )
            else:
                messages.success(request, _("Thank you! Your contribution is published."))
            if collected:
                return redirect("participation:collect", slug=process.slug)
            return redirect(contribution.get_absolute_url())
    return render(
        request,
        "participation/contribution_form.html",
        {
            "territory": process.territory,
            "process": process,
            "form": form,
            "phase": phase,
            "collected": collected,
            "map_bounds": [float(x) for x in process.territory.map_bounds],
        },
    )


def contribution_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _process(request, slug)
    contribution = get_object_or_404(
        Contribution.objects.select_related("author", "commune", "phase", "collected_by"),
        process=process,
        pk=pk,
    )
    viewer = _viewer(request)
    moderator = can_moderate(request.user, process)
    if (
        contribution.visibility != Visibility.PUBLISHED
        and not moderator
        and (viewer is None or contribution.author_id != viewer.pk)
    ):
        raise Http404
    supported = following = False
    if viewer is not None:
        supported = contribution.supports.filter(user=viewer).exists()
        following = contribution.follows.filter(user=viewer).exists()
    return render(
        request,
        "participation/contribution_detail.html",
        {
            "territory": process.territory,
            "process": process,
            "contribution": contribution,
            "comments": selectors.contribution_comments(contribution, viewer),
            "revisions": contribution.revisions.all(),
            "supported": supported,
            "following": following,
            "can_support": contribution.phase.opens("contributions"),
            "can_edit": viewer is not None and services.contribution_can_edit(contribution, viewer),
            "is_author": viewer is not None and contribution.author_id == viewer.pk,
            "can_answer": can_answer(request.user, process),
            "can_moderate": moderator,
            "comment_form": CommentForm(),
            "report_form": ReportForm(),
            "answer_form": AnswerForm(
                initial={
                    "status": contribution.status,
                    "reason": contribution.status_reason,
                    "answer": contribution.answer,
                }
            ),
        },
    )


def _contribution(request: HttpRequest, slug: str, pk: int) -> Contribution:
    process = _process(request, slug)
    return get_object_or_404(Contribution, process=process, pk=pk)


@require_POST
@login_required
def support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(request, slug, pk)
    try:
        supported = services.support_toggle(
            contribution=contribution,
            user=request_user(request),
            support=request.POST.get("action") != "withdraw",
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(contribution.get_absolute_url())
    contribution.refresh_from_db(fields=["support_count"])
    if request.headers.get("HX-Request"):
        return render(
            request,
            "participation/_support.html",
            {"contribution": contribution, "supported": supported, "can_support": True},
        )
    return redirect(contribution.get_absolute_url())


@require_POST
@login_required
def follow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(request, slug, pk)
    following = services.follow_toggle(
        contribution=contribution,
        user=request_user(request),
        follow=request.POST.get("action") != "unfollow",
    )
    if request.headers.get("HX-Request"):
        return render(
            request,
            "participation/_follow.html",
            {"contribution": contribution, "process": contribution.process, "following": following},
        )
    return redirect(contribution.get_absolute_url())


@require_POST
@login_required
def comment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(request, slug, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(
                Comment, contribution=contribution, pk=form.cleaned_data["parent"]
            )
        try:
            posted = services.comment_post(
                contribution=contribution,
                author=request_user(request),
                body=form.cleaned_data["body"],
                parent=parent,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if posted.visibility == Visibility.PENDING:
                messages.info(request, _("Your comment will appear once a moderator has read it."))
            return redirect(f"{contribution.get_absolute_url()}#comment-{posted.pk}")
    else:
        messages.error(request, _("The comment is empty or too long."))
    return redirect(f"{contribution.get_absolute_url()}#comments")


@login_required
def contribution_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(request, slug, pk)
    user = request_user(request)
    if not services.contribution_can_edit(contribution, user):
        raise PermissionDenied
    form = EditForm(
        request.POST or None, initial={"title": contribution.title, "body": contribution.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_edit(contribution=contribution, user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your contribution has been edited; the earlier version stays visible.")
            )
            return redirect(contribution.get_absolute_url())
    return render(
        request,
        "participation/contribution_edit.html",
        {"territory": contribution.process.territory, "process": contribution.process,
         "contribution": contribution, "form": form},
    )  # fmt: skip


@login_required
def contribution_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(request, slug, pk)
    user = request_user(request)
    if contribution.author_id != user.pk:
        raise PermissionDenied
    if request.method == "POST":
        services.contribution_remove_by_author(contribution=contribution, user=user)
        messages.success(request, _("Your contribution has been removed."))
        return redirect(contribution.get_absolute_url())
    return render(
        request,
        "participation/contribution_remove.html",
        {"territory": contribution.process.territory, "process": contribution.process,
         "contribution": contribution},
    )  # fmt: skip


@require_POST
@login_required
def comment_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _process(request, slug)
    found = get_object_or_404(Comment, contribution__process=process, pk=pk)
    try:
        services.comment_remove_by_author(comment=found, user=request_user(request))
    except ValidationError as exc:
        raise PermissionDenied from exc
    return redirect(f"{found.contribution.get_absolute_url()}#comment-{found.pk}")


@require_POST
@login_required
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(request, slug, pk)
    form = ReportForm(request.POST)
    target_comment = None
    if request.POST.get("comment"):
        target_comment = get_object_or_404(
            Comment, contribution=contribution, pk=_int(request.POST.get("comment")) or 0
        )
    if form.is_valid():
        services.report_submit(
            reporter=request_user(request),
            reason=form.cleaned_data["reason"],
            contribution=None if target_comment else contribution,
            comment=target_comment,
        )
        messages.success(request, _("Thank you: the moderators will look at it."))
    else:
        messages.error(request, _("Say what is wrong in a few words."))
    return redirect(contribution.get_absolute_url())


@require_POST
@login_required
def answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(request, slug, pk)
    if not can_answer(request.user, contribution.process):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.contribution_answer(
                contribution=contribution, by=request_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The answer is published; the author and followers are told.")
            )
    return redirect(f"{contribution.get_absolute_url()}#answer")


# --- Moderation -----------------------------------------------------------------------


moderator_required = process_permission_required(can_moderate)


@moderator_required
def moderation_queue(request: HttpRequest, process: Process) -> HttpResponse:
    settings_obj = services.settings_for(process)
    settings_form = ParticipationSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        initial={
            "premoderation": settings_obj.premoderation,
            "edit_window_minutes": settings_obj.edit_window_minutes,
        },
    )
    if request.method == "POST" and request.POST.get("form") == "settings":
        if not can_manage_process(request.user, process):
            raise PermissionDenied
        if settings_form.is_valid():
            settings_obj.premoderation = settings_form.cleaned_data["premoderation"]
            settings_obj.edit_window_minutes = settings_form.cleaned_data["edit_window_minutes"]
            settings_obj.save()
            messages.success(request, _("Settings saved."))
            return redirect("participation:moderation", process.territory.slug, process.slug)
    contributions = Contribution.objects.filter(process=process)
    return render(
        request,
        "participation/backoffice/moderation.html",
        {
            "bo_territory": process.territory,
            "process": process,
            "pending": contributions.filter(visibility=Visibility.PENDING).select_related("author"),
            "pending_comments": Comment.objects.filter(
                contribution__process=process, visibility=Visibility.PENDING
            ).select_related("author", "contribution"),
            "reports": Report.objects.filter(resolved_at__isnull=True)
            .filter(Q(contribution__process=process) | Q(comment__contribution__process=process))
            .select_related("contribution", "comment__contribution", "reporter"),
            "hidden": contributions.filter(visibility=Visibility.HIDDEN)[:50],
            "log": ModerationLog.objects.filter(process=process).select_related(
                "actor", "contribution", "comment", "target_user"
            )[:50],
            "settings_form": settings_form,
            "can_manage": can_manage_process(request.user, process),
        },
    )


@require_POST
@moderator_required
def moderate(request: HttpRequest, process: Process, kind: str, pk: int) -> HttpResponse:
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown moderation action."))
        return redirect("participation:moderation", process.territory.slug, process.slug)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    moderator = request_user(request)
    target: Contribution | Comment
    if kind == "contribution":
        target = get_object_or_404(Contribution, process=process, pk=pk)
    elif kind == "comment":
        target = get_object_or_404(Comment, contribution__process=process, pk=pk)
    else:
        raise Http404
    try:
        if action in (ModerationLog.Action.BLOCK, ModerationLog.Action.UNBLOCK):
            if target.author is None:
                raise ValidationError(_("The author's account no longer exists."))
            services.account_block(
                user=target.author,
                moderator=moderator,
                process=process,
                reason=reason,
                block=action == ModerationLog.Action.BLOCK,
            )
        elif action == ModerationLog.Action.DISMISS:
            services.reports_dismiss(target=target, moderator=moderator, process=process)
        elif isinstance(target, Contribution):
            services.moderate_contribution(
                contribution=target, moderator=moderator, action=action, reason=reason
            )
        else:
            services.moderate_comment(
                comment=target, moderator=moderator, action=action, reason=reason
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("participation:moderation", process.territory.slug, process.slug)


@territory_permission_required(can_moderate_territory)
def moderation_index(request: HttpRequest, territory: Territory) -> HttpResponse:
    """The territory's processes with what awaits their moderators."""
    processes = (
        Process.objects.filter(territory=territory)
        .annotate(
            pending=Count(
                "contributions",
                filter=Q(contributions__visibility=Visibility.PENDING),
                distinct=True,
            ),
            reported=Count(
                "contributions__reports",
                filter=Q(contributions__reports__resolved_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-start_date")
    )
    return render(
        request,
        "participation/backoffice/moderation_index.html",
        {"bo_territory": territory, "processes": processes},
    )
