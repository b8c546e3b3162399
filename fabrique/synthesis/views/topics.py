"""Topics: launch a computation, follow it, read and edit the topics of a version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrique.accounts.permissions import request_user
from fabrique.core.forms import add_service_errors
from fabrique.processes.models import Process
from fabrique.processes.permissions import process_manager_required

from ..forms.topics import LaunchForm
from ..models import Synthesis, Topic, TopicMembership
from ..services import topics as services

BO = "gestion/<slug:territory_slug>/demarches/<slug:slug>/synthese/"
VERSION = BO + "versions/<int:number>/"
PAGE = 50


def _bo(process: Process, **extra: Any) -> dict[str, Any]:
    return {"bo_territory": process.territory, "process": process, **extra}


def _version(process: Process, number: int) -> Synthesis:
    return get_object_or_404(Synthesis, process=process, number=number)


def _to_version(synthesis: Synthesis) -> HttpResponse:
    return redirect(synthesis.get_absolute_url())


@process_manager_required
def bo_list(request: HttpRequest, process: Process) -> HttpResponse:
    form = LaunchForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            synthesis = services.synthesis_launch(
                process=process, by=request_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The computation is launched. You can leave this page."))
            return _to_version(synthesis)
    versions = (
        Synthesis.objects.filter(process=process)
        .select_related("created_by", "phase", "theme")
        .annotate(topic_count=Count("topics", distinct=True))
        .order_by("-number")  # grouped rows ignore the model's default order
    )
    return render(
        request,
        "synthesis/topics/bo_list.html",
        _bo(
            process,
            form=form,
            versions=versions,
            published=services.contributions_in_scope(process=process).count(),
        ),
    )


def _topics_with_examples(synthesis: Synthesis) -> list[Topic]:
    topics = list(synthesis.topics.all())
    examples: dict[int, list[TopicMembership]] = {}
    for membership in (
        TopicMembership.objects.filter(synthesis=synthesis, representative=True)
        .select_related("contribution")
        .order_by("topic_id", "-closeness", "pk")
    ):
        if membership.topic_id is not None:
            examples.setdefault(membership.topic_id, []).append(membership)
    total = synthesis.contribution_count or 1
    for topic in topics:
        topic.examples = examples.get(topic.pk, [])[:3]  # type: ignore[attr-defined]
        topic.share = round(100 * topic.size / total, 1)  # type: ignore[attr-defined]
    return topics


@process_manager_required
def bo_synthesis(request: HttpRequest, process: Process, number: int) -> HttpResponse:
    synthesis = _version(process, number)
    latest = services.latest_done(process)
    context = _bo(
        process,
        synthesis=synthesis,
        latest=latest,
        editable=latest is not None and latest.pk == synthesis.pk,
    )
    if synthesis.status == Synthesis.Status.DONE:
        counts = TopicMembership.objects.filter(synthesis=synthesis).aggregate(
            ungrouped=Count("pk", filter=Q(topic__isnull=True)),
            foreign=Count("pk", filter=Q(foreign_language=True)),
        )
        context.update(
            topics=_topics_with_examples(synthesis),
            edits=synthesis.edits.select_related("by")[:20],
            **counts,
        )
    return render(request, "synthesis/topics/bo_synthesis.html", context)


@process_manager_required
def bo_progress(request: HttpRequest, process: Process, number: int) -> HttpResponse:
    synthesis = _version(process, number)
    return render(request, "synthesis/topics/_progress.html", _bo(process, synthesis=synthesis))


@require_POST
@process_manager_required
def bo_retry(request: HttpRequest, process: Process, number: int) -> HttpResponse:
    synthesis = _version(process, number)
    try:
        services.synthesis_retry(synthesis=synthesis)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _to_version(synthesis)


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


@require_POST
@process_manager_required
def bo_edit(request: HttpRequest, process: Process, number: int) -> HttpResponse:
    """Rename, merge, split or move: each names the revision the page showed."""
    synthesis = _version(process, number)
    action = request.POST.get("action")
    revision = _revision(request)
    by = request_user(request)
    back = request.POST.get("next") or synthesis.get_absolute_url()
    if not back.startswith(synthesis.get_absolute_url()):
        back = synthesis.get_absolute_url()
    try:
        if action == "rename":
            topic = get_object_or_404(Topic, synthesis=synthesis, pk=request.POST.get("topic"))
            services.topic_rename(
                topic=topic, label=request.POST.get("label", ""), revision=revision, by=by
            )
            messages.success(request, _("Topic renamed."))
        elif action == "merge":
            ids = [int(x) for x in request.POST.getlist("topics") if x.isdigit()]
            chosen = {t.pk: t for t in Topic.objects.filter(synthesis=synthesis, pk__in=ids)}
            target = services.topics_merge(
                synthesis=synthesis,
                topics=[chosen[i] for i in ids if i in chosen],
                revision=revision,
                by=by,
            )
            messages.success(
                request, _("Topics merged into « %(name)s ».") % {"name": target.label}
            )
        elif action == "split":
            topic = get_object_or_404(Topic, synthesis=synthesis, pk=request.POST.get("topic"))
            parts = services.topic_split(
                topic=topic,
                parts=int(request.POST.get("parts", "2") or 2),
                revision=revision,
                by=by,
            )
            messages.success(request, _("Topic split in %(count)s topics.") % {"count": len(parts)})
        elif action == "move":
            target = get_object_or_404(Topic, synthesis=synthesis, pk=request.POST.get("target"))
            moved = services.contributions_move(
                synthesis=synthesis,
                contribution_ids=[
                    int(x) for x in request.POST.getlist("contributions") if x.isdigit()
                ],
                target=target,
                revision=revision,
                by=by,
            )
            messages.success(
                request,
                _("%(count)s contribution(s) moved to « %(name)s ».")
                % {"count": moved, "name": target.label},
            )
        else:
            messages.error(request, _("Unknown action."))
    except (ValidationError, ValueError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    return redirect(back)


@process_manager_required
def bo_topic(request: HttpRequest, process: Process, number: int, pk: int) -> HttpResponse:
    synthesis = _version(process, number)
    topic = get_object_or_404(Topic, synthesis=synthesis, pk=pk) if pk else None
    memberships = (
        TopicMembership.objects.filter(synthesis=synthesis, topic=topic)
        .select_related("contribution__commune")
        .order_by("-representative", "-closeness", "pk")
    )
    page = Paginator(memberships, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "synthesis/topics/bo_topic.html",
        _bo(
            process,
            synthesis=synthesis,
            topic=topic,
            page=page,
            other_topics=synthesis.topics.exclude(pk=topic.pk) if topic else synthesis.topics.all(),
            editable=getattr(services.latest_done(process), "pk", None) == synthesis.pk,
        ),
    )


urlpatterns = [
    path(BO, bo_list, name="bo_list"),
    path(VERSION, bo_synthesis, name="bo_synthesis"),
    path(VERSION + "progression/", bo_progress, name="bo_progress"),
    path(VERSION + "relancer/", bo_retry, name="bo_retry"),
    path(VERSION + "modifier/", bo_edit, name="bo_edit"),
    path(VERSION + "sujets/<int:pk>/", bo_topic, name="bo_topic"),
]
