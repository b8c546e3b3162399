"""Opinion maps: staff set them up and compute them; participants answer; everyone reads
the published map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fabrique.accounts.models import User
from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.participation.permissions import can_moderate
from fabrique.processes.models import Process
from fabrique.processes.permissions import (
    can_manage_process,
    can_view_process,
    process_manager_required,
    process_permission_required,
)

from ..forms.opinion import (
    ComputationForm,
    ContributionFilterForm,
    OpinionActivityForm,
    ProposeForm,
    RefuseForm,
    StatementLinesForm,
    StatementTextForm,
)
from ..models.opinion import OpinionActivity, OpinionComputation, Statement
from ..selectors import opinion as selectors
from ..services import opinion as services

IMPORT_PAGE = 30

# --- Back-office ------------------------------------------------------------------------


def _bo(process: Process, **extra: Any) -> dict[str, Any]:
    return {"bo_territory": process.territory, "process": process, **extra}


def _activity(process: Process, pk: int) -> OpinionActivity:
    return get_object_or_404(OpinionActivity, process=process, pk=pk)


def _added(n: int) -> str:
    return ngettext("%(n)d statement added.", "%(n)d statements added.", n) % {"n": n}


def _to_activity(activity: OpinionActivity, anchor: str = "") -> HttpResponse:
    process = activity.process
    url = reverse("synthesis:bo_opinion", args=[process.territory.slug, process.slug, activity.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@process_manager_required
def bo_opinion_list(request: HttpRequest, process: Process) -> HttpResponse:
    form = OpinionActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.opinion_activity_save(
                process=process, by=request_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Opinion map created. Next: its statements."))
            return _to_activity(activity, "add")
    return render(
        request,
        "synthesis/opinion/bo_list.html",
        _bo(process, activities=selectors.opinion_activities(process), form=form),
    )


@process_manager_required
def bo_opinion(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    activity = _activity(process, pk)
    which = request.POST.get("form") if request.method == "POST" else None
    settings_form = OpinionActivityForm(
        request.POST if which == "settings" else None, instance=activity
    )
    lines_form = StatementLinesForm(request.POST if which == "lines" else None)
    compute_form = ComputationForm(request.POST if which == "compute" else None)
    if which == "settings" and settings_form.is_valid():
        try:
            services.opinion_activity_save(
                process=process, activity=activity, **settings_form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(settings_form, exc)
        else:
            messages.success(request, _("Opinion map saved."))
            return _to_activity(activity)
    elif which == "lines" and lines_form.is_valid():
        try:
            added = services.statements_add(
                activity=activity, text=lines_form.cleaned_data["lines"], by=request_user(request)
            )
        except ValidationError as exc:
            lines_form.add_error("lines", exc)
        else:
            messages.success(request, _added(len(added)))
            return _to_activity(activity, "statements")
    elif which == "status":
        try:
            services.opinion_activity_set_status(
                activity=activity, status=request.POST.get("status", "")
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Status changed: %(status)s.") % {
                "status": activity.get_status_display()
            })  # fmt: skip
        return _to_activity(activity)
    elif which == "compute" and compute_form.is_valid():
        try:
            computation = services.opinion_computation_launch(
                activity=activity, by=request_user(request), **compute_form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(compute_form, exc)
        else:
            return redirect(computation.get_absolute_url())
    elif which == "unpublish":
        services.opinion_results_unpublish(activity=activity)
        messages.success(request, _("The results are no longer public."))
        return _to_activity(activity, "computations")
    services.computations_mark_stale(activity=activity)
    pending = selectors.statements_with_counts(activity, Statement.Status.PENDING)
    return render(
        request,
        "synthesis/opinion/bo_activity.html",
        _bo(
            process,
            activity=activity,
            settings_form=settings_form,
            lines_form=lines_form,
            compute_form=compute_form,
            pending=pending,
            accepted=selectors.statements_with_counts(activity, Statement.Status.ACCEPTED),
            rejected=selectors.statements_with_counts(activity, Statement.Status.REJECTED),
            voters=selectors.voter_count(activity),
            computations=activity.computations.select_related("created_by"),
            running=activity.computations.filter(
                status__in=[OpinionComputation.Status.QUEUED, OpinionComputation.Status.RUNNING]
            ).first(),
            published=selectors.published_computation(activity),
            statuses=OpinionActivity.Status,
        ),
    )


@require_POST
@process_permission_required(can_moderate)
def bo_opinion_statement(
    request: HttpRequest, process: Process, pk: int, statement_pk: int
) -> HttpResponse:
    """Accept or refuse a statement (moderators too), or correct it (staff)."""
    activity = _activity(process, pk)
    statement = get_object_or_404(Statement, activity=activity, pk=statement_pk)
    action = request.POST.get("action")
    moderator = request_user(request)
    try:
        if action == "accept":
            services.statement_moderate(statement=statement, moderator=moderator, accept=True)
            messages.success(request, _("The statement is put to the vote."))
        elif action == "refuse":
            form = RefuseForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.statement_moderate(
                statement=statement, moderator=moderator, accept=False, reason=reason
            )
            messages.success(request, _("The statement is withdrawn."))
        elif action == "edit":
            if not can_manage_process(moderator, process):
                raise PermissionDenied
            text_form = StatementTextForm(request.POST)
            if not text_form.is_valid():
                raise ValidationError([e for errors in text_form.errors.values() for e in errors])
            services.statement_edit(statement=statement, text=text_form.cleaned_data["text"])
            messages.success(request, _("The statement is corrected."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.POST.get("back") == "moderation" or not can_manage_process(moderator, process):
        return redirect("participation:moderation", process.territory.slug, process.slug)
    anchor = "pending" if statement.status == Statement.Status.PENDING else "statements"
    return _to_activity(activity, anchor)


@process_manager_required
def bo_opinion_from_contributions(request: HttpRequest, process: Process, pk: int) -> HttpResponse:
    """Choose contributions of the process; each becomes a statement with the text given."""
    activity = _activity(process, pk)
    filters = ContributionFilterForm(request.GET, process=process)
    data = filters.cleaned_data if filters.is_valid() else {}
    contributions = selectors.contributions_for_statements(
        process, q=data.get("q") or "", kind=data.get("kind") or "", theme=data.get("theme")
    )
    already = set(
        activity.statements.filter(source_contribution__isnull=False).values_list(
            "source_contribution_id", flat=True
        )
    )
    errors: list[str] = []
    chosen: set[int] = set()
    texts: dict[int, str] = {}
    if request.method == "POST":
        chosen = {int(x) for x in request.POST.getlist("chosen") if x.isdigit()}
        texts = {
            int(key[5:]): str(request.POST.get(key, ""))
            for key in request.POST
            if key.startswith("text-") and key[5:].isdigit()
        }
        found = {
            c.pk: c for c in selectors.contributions_for_statements(process).filter(pk__in=chosen)
        }
        items = [
            services.FromContribution(contribution=found[i], text=texts.get(i, found[i].title))
            for i in sorted(chosen)
            if i in found
        ]
        try:
            added = services.statements_from_contributions(
                activity=activity, items=items, by=request_user(request)
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _added(len(added)))
            return _to_activity(activity, "statements")
    page = Paginator(contributions, IMPORT_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "synthesis/opinion/bo_from_contributions.html",
        _bo(
            process,
            activity=activity,
            filters=filters,
            page=page,
            query=query.urlencode(),
            already=already,
            chosen=chosen,
            texts=texts,
            errors=errors,
        ),
    )


def _computation(activity: OpinionActivity, number: int) -> OpinionComputation:
    return get_object_or_404(OpinionComputation, activity=activity, number=number)


@process_manager_required
def bo_opinion_computation(
    request: HttpRequest, process: Process, pk: int, number: int
) -> HttpResponse:
    """A version of the map: its progress while it runs, its reason if it failed, the map
    once done. The page asks again every second until it is finished."""
    activity = _activity(process, pk)
    services.computations_mark_stale(activity=activity)
    computation = _computation(activity, number)
    htmx = bool(request.headers.get("HX-Request"))
    context = _bo(process, activity=activity, computation=computation)
    if htmx:
        response = render(request, "synthesis/opinion/_progress.html", context)
        if computation.is_finished:
            response["HX-Refresh"] = "true"
        return response
    if computation.status == OpinionComputation.Status.DONE:
        context["map"] = selectors.map_view(computation, None)
    return render(request, "synthesis/opinion/bo_computation.html", context)


@require_POST
@process_manager_required
def bo_opinion_computation_action(
    request: HttpRequest, process: Process, pk: int, number: int
) -> HttpResponse:
    """Retry a failed version; publish a finished one."""
    activity = _activity(process, pk)
    computation = _computation(activity, number)
    action = request.POST.get("action")
    try:
        if action == "retry":
            services.opinion_computation_retry(computation=computation)
            messages.success(request, _("The computation is launched again."))
        elif action == "publish":
            services.opinion_computation_publish(computation=computation)
            messages.success(request, _("These results are now on the public page."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(computation.get_absolute_url())


# --- Public pages -----------------------------------------------------------------------


def _public_activity(request: HttpRequest, slug: str, pk: int) -> OpinionActivity:
    """Drafts are seen by staff only (to check them before opening)."""
    activity = get_object_or_404(
        OpinionActivity.objects.select_related("process", "process__territory"),
        process__slug=slug,
        pk=pk,
    )
    if not can_view_process(request.user, activity.process):
        raise Http404
    if activity.status == OpinionActivity.Status.DRAFT and not can_manage_process(
        request.user, activity.process
    ):
        raise Http404
    return activity


def _viewer(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _vote_context(activity: OpinionActivity, viewer: User | None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "activity": activity,
        "process": activity.process,
        "territory": activity.process.territory,
        "takes_votes": activity.takes_votes(),
    }
    if viewer is not None:
        context["progress"] = selectors.voter_progress(activity, viewer)
    return context


def opinion_list(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_object_or_404(Process.objects.select_related("territory"), slug=slug)
    if not can_view_process(request.user, process):
        raise Http404
    return render(
        request,
        "synthesis/opinion/list.html",
        {
            "territory": process.territory,
            "process": process,
            "activities": selectors.public_activities(process),
        },
    )


def opinion(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = _public_activity(request, slug, pk)
    viewer = _viewer(request)
    context = {
        "territory": activity.process.territory,
        "process": activity.process,
        "published": selectors.published_computation(activity),
        "propose_form": ProposeForm(),
        **_vote_context(activity, viewer),
    }
    if viewer is None:
        context["statements"] = selectors.accepted_statements(activity)
    else:
        context["my_votes"] = selectors.my_votes(activity, viewer)
        context["my_proposals"] = selectors.my_proposals(activity, viewer)
    return render(request, "synthesis/opinion/activity.html", context)


def _to_public(activity: OpinionActivity, anchor: str = "vote") -> HttpResponse:
    return redirect(f"{activity.get_absolute_url()}#{anchor}")


@require_POST
def opinion_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = _public_activity(request, slug, pk)
    htmx = bool(request.headers.get("HX-Request"))
    viewer = _viewer(request)
    if viewer is None:
        return redirect(f"{reverse('account_login')}?next={activity.get_absolute_url()}")
    statement_pk = request.POST.get("statement", "")
    value = request.POST.get("value", "")
    error = ""
    recorded = False
    statement = (
        Statement.objects.filter(activity=activity, pk=int(statement_pk)).first()
        if statement_pk.isdigit()
        else None
    )
    if statement is None or value not in ("-1", "0", "1"):
        error = _("This answer could not be read. Please answer again.")
    else:
        try:
            services.statement_vote(statement=statement, voter=viewer, value=int(value))
            recorded = True
        except ValidationError as exc:
            error = " ".join(exc.messages)
    back_to = request.POST.get("back", "vote")
    if htmx and back_to == "vote":
        context = _vote_context(activity, viewer) | {"error": error, "recorded": recorded}
        return render(request, "synthesis/opinion/_vote.html", context)
    if error:
        messages.error(request, error)
    elif back_to == "answers":
        messages.success(request, _("Your answer is changed."))
    return _to_public(activity, "my-answers" if back_to == "answers" else "vote")


@require_POST
def opinion_propose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = _public_activity(request, slug, pk)
    viewer = _viewer(request)
    if viewer is None:
        return redirect(f"{reverse('account_login')}?next={activity.get_absolute_url()}")
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            services.statement_propose(
                activity=activity, author=viewer, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you! Your statement will be put to the vote once a moderator "
                    "has read it."
                ),
            )
            return _to_public(activity, "propose")
    context = {
        "territory": activity.process.territory,
        "process": activity.process,
        "published": selectors.published_computation(activity),
        "propose_form": form,
        "my_votes": selectors.my_votes(activity, viewer),
        "my_proposals": selectors.my_proposals(activity, viewer),
        **_vote_context(activity, viewer),
    }
    return render(request, "synthesis/opinion/activity.html", context, status=400)


def opinion_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = _public_activity(request, slug, pk)
    computation = selectors.published_computation(activity)
    if computation is None:
        raise Http404
    return render(
        request,
        "synthesis/opinion/results.html",
        {
            "territory": activity.process.territory,
            "process": activity.process,
            "activity": activity,
            "computation": computation,
            "map": selectors.map_view(computation, _viewer(request)),
        },
    )


BO = "gestion/<slug:territory_slug>/demarches/<slug:slug>/synthese/opinions/"
ONE = BO + "<int:pk>/"
PUBLIC = "demarches/<slug:slug>/avis/"

urlpatterns = [
    path(BO, bo_opinion_list, name="bo_opinion_list"),
    path(ONE, bo_opinion, name="bo_opinion"),
    path(ONE + "enonces/<int:statement_pk>/", bo_opinion_statement, name="bo_opinion_statement"),
    path(
        ONE + "depuis-contributions/",
        bo_opinion_from_contributions,
        name="bo_opinion_from_contributions",
    ),
    path(ONE + "calculs/<int:number>/", bo_opinion_computation, name="bo_opinion_computation"),
    path(
        ONE + "calculs/<int:number>/action/",
        bo_opinion_computation_action,
        name="bo_opinion_computation_action",
    ),
    path(PUBLIC, opinion_list, name="opinion_list"),
    path(PUBLIC + "<int:pk>/", opinion, name="opinion"),
    path(PUBLIC + "<int:pk>/repondre/", opinion_vote, name="opinion_vote"),
    path(PUBLIC + "<int:pk>/proposer/", opinion_propose, name="opinion_propose"),
    path(PUBLIC + "<int:pk>/resultats/", opinion_results, name="opinion_results"),
]
