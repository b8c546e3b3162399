"""Topics of a process's contributions: computed in the background, then edited by staff.

A computation makes a new dated version. Staff edit only the latest finished version, and
each edit names the revision it was prepared on: an edit made on a page that someone else
has changed since is refused, never applied to topics the person did not see.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.participation.merging import listed
from fabrique.participation.models import Contribution
from fabrique.processes.models import Phase, Process, Theme

from ..models import Synthesis, Topic, TopicEdit, TopicMembership
from .progress import progress_writer

logger = logging.getLogger(__name__)

# Fewer contributions than this give no meaningful grouping.
MINIMUM_CONTRIBUTIONS = 4
MAXIMUM_TOPICS = 60
REPRESENTATIVES = 5


def contributions_in_scope(
    *, process: Process, phase: Phase | None = None, theme: Theme | None = None, kind: str = ""
) -> QuerySet[Contribution]:
    """Published contributions a synthesis reads: hidden, pending, removed and merged ones
    are left out (a merged one speaks through the contribution it was merged into)."""
    contributions = listed(process)
    if phase is not None:
        contributions = contributions.filter(phase=phase)
    if theme is not None:
        contributions = contributions.filter(themes=theme)
    if kind:
        contributions = contributions.filter(kind=kind)
    return contributions.order_by("pk")


def synthesis_scope(synthesis: Synthesis) -> QuerySet[Contribution]:
    return contributions_in_scope(
        process=synthesis.process, phase=synthesis.phase, theme=synthesis.theme, kind=synthesis.kind
    )


def synthesis_launch(
    *,
    process: Process,
    by: User | None,
    phase: Phase | None = None,
    theme: Theme | None = None,
    kind: str = "",
    requested_topics: int | None = None,
    title: str = "",
) -> Synthesis:
    """Queue a new version; the task workers compute it. Refused while one is computing."""
    count = contributions_in_scope(process=process, phase=phase, theme=theme, kind=kind).count()
    if count == 0:
        raise ValidationError(
            _("No published contribution matches this choice: there is nothing to group yet.")
        )
    if count < MINIMUM_CONTRIBUTIONS:
        raise ValidationError(
            _(
                "Only %(count)s published contribution(s) match this choice: at least %(minimum)s "
                "are needed to form topics. Read them directly for now."
            )
            % {"count": count, "minimum": MINIMUM_CONTRIBUTIONS}
        )
    if requested_topics is not None and not 2 <= requested_topics <= min(MAXIMUM_TOPICS, count):
        raise ValidationError(
            {
                "requested_topics": _("Between 2 and %(most)s topics for %(count)s contributions.")
                % {"most": min(MAXIMUM_TOPICS, count), "count": count}
            }
        )
    try:
        with transaction.atomic():
            # The process row serialises the numbering of versions.
            Process.objects.select_for_update().filter(pk=process.pk).first()
            number = (
                Synthesis.objects.filter(process=process).aggregate(last=Max("number"))["last"] or 0
            ) + 1
            synthesis = Synthesis.objects.create(
                process=process,
                number=number,
                title=title.strip(),
                phase=phase,
                theme=theme,
                kind=kind,
                requested_topics=requested_topics,
                contribution_count=count,
                created_by=by,
                stage=_("Waiting for a worker…"),
            )
    except IntegrityError as error:
        raise ValidationError(
            _("A synthesis of this process is already being computed: wait for it to finish.")
        ) from error
    _enqueue(synthesis)
    return synthesis


def _enqueue(synthesis: Synthesis) -> None:
    from ..tasks import synthesis_run_task

    transaction.on_commit(lambda: synthesis_run_task.enqueue(synthesis.pk))


def synthesis_retry(*, synthesis: Synthesis) -> None:
    """Run a failed version again, from the start."""
    if synthesis.status != Synthesis.Status.FAILED:
        raise ValidationError(_("Only a failed computation can be retried."))
    try:
        with transaction.atomic():
            synthesis.status = Synthesis.Status.QUEUED
            synthesis.progress = 0
            synthesis.error = ""
            synthesis.stage = _("Waiting for a worker…")
            synthesis.save(update_fields=["status", "progress", "error", "stage"])
    except IntegrityError as error:
        raise ValidationError(
            _("A synthesis of this process is already being computed: wait for it to finish.")
        ) from error
    _enqueue(synthesis)


def _text(contribution: Contribution) -> str:
    return f"{contribution.title}. {contribution.body}"


def synthesis_run(*, synthesis: Synthesis) -> Synthesis:
    """Compute the topics of a queued version (called by the task worker)."""
    from ..topics import looks_french, topics_compute

    claimed = Synthesis.objects.filter(pk=synthesis.pk, status=Synthesis.Status.QUEUED).update(
        status=Synthesis.Status.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        synthesis.refresh_from_db()
        return synthesis
    synthesis.refresh_from_db()
    try:
        rows = list(synthesis_scope(synthesis).values_list("pk", "title", "body"))
        if len(rows) < MINIMUM_CONTRIBUTIONS:
            raise ValidationError(
                _("Only %(count)s published contribution(s) are left in this choice.")
                % {"count": len(rows)}
            )
        texts = [f"{title}. {body}" for _pk, title, body in rows]
        write = progress_writer(Synthesis, synthesis.pk)
        write(0.01, _("Reading %(count)s contributions…") % {"count": len(rows)})
        result = topics_compute(
            texts,
            n_topics=synthesis.requested_topics,
            seed=synthesis.number,
            progress=lambda fraction, stage: write(0.02 + 0.9 * fraction, stage),
        )
        write(0.93, _("Saving the topics…"))
        _store(synthesis, [pk for pk, _t, _b in rows], texts, result, looks_french)
    except Exception as error:  # any failure is shown to staff, with a retry
        logger.exception("Synthesis %s failed", synthesis.pk)
        message = (
            "; ".join(error.messages)
            if isinstance(error, ValidationError)
            else _("The computation stopped on an unexpected error (%(error)s).")
            % {"error": type(error).__name__}
        )
        Synthesis.objects.filter(pk=synthesis.pk).update(
            status=Synthesis.Status.FAILED, error=message, finished_at=timezone.now()
        )
    synthesis.refresh_from_db()
    return synthesis


@transaction.atomic
def _store(
    synthesis: Synthesis,
    ids: Sequence[int],
    texts: Sequence[str],
    result: Any,
    looks_french: Callable[[str], bool],
) -> None:
    topics = [
        Topic(
            synthesis=synthesis,
            position=index,
            label=", ".join(topic.keywords[:3]) or _("Topic %(number)s") % {"number": index + 1},
            keywords=list(topic.keywords),
            size=int(topic.size),
        )
        for index, topic in enumerate(result.topics)
    ]
    Topic.objects.bulk_create(topics)
    representatives = {
        int(i): rank
        for topic in result.topics
        for rank, i in enumerate(topic.representatives[:REPRESENTATIVES])
    }
    closeness = getattr(result, "closeness", None)
    TopicMembership.objects.bulk_create(
        (
            TopicMembership(
                synthesis=synthesis,
                topic=topics[label] if label >= 0 else None,
                contribution_id=pk,
                representative=index in representatives,
                closeness=float(closeness[index]) if closeness is not None else 0.0,
                foreign_language=not looks_french(texts[index]),
            )
            for index, (pk, label) in enumerate(
                zip(ids, (int(x) for x in result.labels), strict=True)
            )
        ),
        batch_size=2000,
    )
    Synthesis.objects.filter(pk=synthesis.pk).update(
        status=Synthesis.Status.DONE,
        progress=100,
        stage="",
        method=dict(result.method),
        contribution_count=len(ids),
        finished_at=timezone.now(),
    )


def latest_done(process: Process) -> Synthesis | None:
    return (
        Synthesis.objects.filter(process=process, status=Synthesis.Status.DONE)
        .order_by("-number")
        .first()
    )


def _check_editable(synthesis: Synthesis, revision: int) -> None:
    if synthesis.status != Synthesis.Status.DONE:
        raise ValidationError(_("This version is not finished: it cannot be edited."))
    latest = latest_done(synthesis.process)
    if latest is not None and latest.pk != synthesis.pk:
        raise ValidationError(
            _(
                "This version has been replaced by version %(number)s: edits are made on the "
                "latest version."
            )
            % {"number": latest.number}
        )
    current = Synthesis.objects.filter(pk=synthesis.pk).values_list("revision", flat=True).get()
    if current != revision:
        last = synthesis.edits.select_related("by").first()
        who = ""
        if last is not None:
            who = _(" (by %(who)s at %(when)s)") % {
                "who": last.by or _("someone"),
                "when": date_format(timezone.localtime(last.at), "H:i"),
            }
        raise ValidationError(
            _(
                "The topics changed since you opened this page%(who)s: reload it to see them, "
                "then make your change again."
            )
            % {"who": who}
        )


def _record(synthesis: Synthesis, action: str, summary: str, by: User | None) -> None:
    updated = Synthesis.objects.filter(pk=synthesis.pk, revision=synthesis.revision).update(
        revision=synthesis.revision + 1, edited_at=timezone.now()
    )
    if not updated:  # two edits at the same moment: the second one is refused
        raise ValidationError(_("The topics changed at the same moment: reload the page."))
    synthesis.revision += 1
    TopicEdit.objects.create(
        synthesis=synthesis,
        revision=synthesis.revision,
        action=action,
        summary=summary[:500],
        by=by,
    )


def _refresh_topics(synthesis: Synthesis, topics: Sequence[Topic]) -> None:
    """Sizes, keywords and representatives of edited topics, computed again from their texts."""
    from ..topics import keywords_for

    for topic in topics:
        memberships = list(
            TopicMembership.objects.filter(topic=topic).select_related("contribution")
        )
        topic.size = len(memberships)
        if memberships:
            texts = [_text(m.contribution) for m in memberships]
            described = keywords_for(texts, [0] * len(texts))
            first = described[0]
            topic.keywords = list(first.keywords)
            chosen = {int(i) for i in first.representatives[:REPRESENTATIVES]}
            for index, membership in enumerate(memberships):
                wanted = index in chosen
                if membership.representative != wanted:
                    membership.representative = wanted
                    membership.save(update_fields=["representative"])
        else:
            topic.keywords = []
        if not topic.renamed:
            topic.label = ", ".join(topic.keywords[:3]) or topic.label
        topic.save(update_fields=["size", "keywords", "label"])


@transaction.atomic
def topic_rename(*, topic: Topic, label: str, revision: int, by: User | None) -> Topic:
    synthesis = Synthesis.objects.select_for_update().get(pk=topic.synthesis_id)
    _check_editable(synthesis, revision)
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Give the topic a name.")})
    before = topic.label
    topic.label = label[:200]
    topic.renamed = True
    topic.save(update_fields=["label", "renamed"])
    _record(synthesis, TopicEdit.Action.RENAME, f"« {before} » → « {topic.label} »", by)
    return topic


@transaction.atomic
def topics_merge(
    *, synthesis: Synthesis, topics: Sequence[Topic], revision: int, by: User | None
) -> Topic:
    """Gather several topics into the first one; nothing is lost, the others are removed."""
    synthesis = Synthesis.objects.select_for_update().get(pk=synthesis.pk)
    _check_editable(synthesis, revision)
    topics = [t for t in topics if t.synthesis_id == synthesis.pk]
    if len({t.pk for t in topics}) < 2:
        raise ValidationError(_("Choose at least two topics to merge."))
    target, others = topics[0], topics[1:]
    TopicMembership.objects.filter(topic__in=others).update(topic=target)
    target.origin = _("Merge of %(names)s") % {"names": ", ".join(f"« {t.label} »" for t in topics)}
    target.save(update_fields=["origin"])
    names = ", ".join(f"« {t.label} »" for t in others)
    Topic.objects.filter(pk__in=[t.pk for t in others]).delete()
    _refresh_topics(synthesis, [target])
    _record(synthesis, TopicEdit.Action.MERGE, f"{names} → « {target.label} »", by)
    return target


@transaction.atomic
def topic_split(*, topic: Topic, parts: int, revision: int, by: User | None) -> list[Topic]:
    """Share a topic's contributions between ``parts`` topics, grouped by the same method."""
    from ..topics import topic_split as split_texts

    synthesis = Synthesis.objects.select_for_update().get(pk=topic.synthesis_id)
    _check_editable(synthesis, revision)
    memberships = list(TopicMembership.objects.filter(topic=topic).select_related("contribution"))
    if not 2 <= parts <= 10 or len(memberships) < parts * 2:
        raise ValidationError(
            _("A topic of %(size)s contributions can be split in 2 to %(most)s parts.")
            % {"size": len(memberships), "most": max(2, min(10, len(memberships) // 2))}
        )
    labels = [int(x) for x in split_texts([_text(m.contribution) for m in memberships], k=parts)]
    position = synthesis.topics.aggregate(last=Max("position"))["last"] or 0
    new_topics = [topic]
    for _part in range(1, max(labels) + 1):
        position += 1
        new_topics.append(
            Topic.objects.create(
                synthesis=synthesis,
                position=position,
                label=topic.label,
                origin=_("Split of « %(name)s »") % {"name": topic.label},
            )
        )
    for membership, label in zip(memberships, labels, strict=True):
        if label > 0:
            membership.topic = new_topics[label]
            membership.save(update_fields=["topic"])
    topic.renamed = False
    topic.origin = _("Split of « %(name)s »") % {"name": topic.label}
    topic.save(update_fields=["renamed", "origin"])
    before = topic.label
    _refresh_topics(synthesis, new_topics)
    _record(
        synthesis,
        TopicEdit.Action.SPLIT,
        f"« {before} » → " + ", ".join(f"« {t.label} »" for t in new_topics),
        by,
    )
    return new_topics


@transaction.atomic
def contributions_move(
    *,
    synthesis: Synthesis,
    contribution_ids: Sequence[int],
    target: Topic,
    revision: int,
    by: User | None,
) -> int:
    synthesis = Synthesis.objects.select_for_update().get(pk=synthesis.pk)
    _check_editable(synthesis, revision)
    if target.synthesis_id != synthesis.pk:
        raise ValidationError(_("This topic belongs to another version."))
    memberships = TopicMembership.objects.filter(
        synthesis=synthesis, contribution_id__in=contribution_ids
    ).exclude(topic=target)
    sources = list(Topic.objects.filter(pk__in=memberships.values("topic_id")))
    moved = memberships.update(topic=target, moved=True)
    if not moved:
        raise ValidationError(_("Choose contributions that are not in this topic already."))
    _refresh_topics(synthesis, [target, *sources])
    _record(
        synthesis,
        TopicEdit.Action.MOVE,
        _("%(count)s contribution(s) moved to « %(name)s »")
        % {"count": moved, "name": target.label},
        by,
    )
    return moved
