"""Reads for restitution reports: the content taken from a version (figures, topics with
examples, representativeness, official answers, method), the rows of the spreadsheet, the
published reports of a process."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.participation.models import Comment, Contribution, Visibility
from fabrique.processes.models import Process
from fabrique.territories.models import BasinGrouping, BasinMembership, Commune
from fabrique.workshops.models import CapturedContribution, Workshop

from ..models import OpinionActivity, Report, Synthesis, Topic, TopicEdit, TopicMembership
from ..services.topics import synthesis_scope
from . import figures
from .figures import Channel, GroupRow, GroupTable, channel_of, commune_of, live

EXAMPLES = 3
EXCERPT_CHARACTERS = 280
# Beyond this many official answers, the page and the PDF give the first ones and point to
# the spreadsheet, which holds them all.
MAX_ANSWERS = 500


def published_reports(process: Process) -> QuerySet[Report]:
    """The reports anyone may read, newest first: for the process page."""
    return (
        Report.objects.filter(process=process, status=Report.Status.PUBLISHED)
        .select_related("process")
        .order_by("-published_at", "-pk")
    )


def _day(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "j F Y") if moment else ""


def _scope_text(synthesis: Synthesis) -> str:
    parts = [synthesis.phase.title if synthesis.phase else _("all phases")]
    if synthesis.theme:
        parts.append(synthesis.theme.title)
    if synthesis.kind:
        parts.append(str(synthesis.get_kind_display()))
    return ", ".join(parts)


# --- Topics -------------------------------------------------------------------------------


def chosen_topics(report: Report) -> list[Topic]:
    topics = report.synthesis.topics.order_by("position", "pk")
    if not report.all_topics:
        topics = topics.filter(pk__in=report.topics.values("pk"))
    return list(topics)


def topics_content(report: Report) -> list[dict[str, Any]]:
    """The chosen topics in the version's order, each with its size (published contributions
    only) and a few representative examples."""
    topics = chosen_topics(report)
    synthesis = report.synthesis
    memberships = TopicMembership.objects.filter(live("contribution__"), synthesis=synthesis)
    sizes = dict(
        memberships.filter(topic__in=topics)
        .values("topic_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("topic_id", "n")
    )
    total = memberships.count() or 1
    examples: dict[int, list[TopicMembership]] = defaultdict(list)
    for membership in (
        memberships.filter(topic__in=topics, representative=True)
        .select_related("contribution")
        .order_by("topic_id", "-closeness", "pk")
    ):
        if membership.topic_id is not None and len(examples[membership.topic_id]) < EXAMPLES:
            examples[membership.topic_id].append(membership)
    for topic in topics:
        missing = EXAMPLES - len(examples[topic.pk])
        if missing > 0 and sizes.get(topic.pk, 0) > len(examples[topic.pk]):
            taken = [m.pk for m in examples[topic.pk]]
            examples[topic.pk] += list(
                memberships.filter(topic=topic)
                .exclude(pk__in=taken)
                .select_related("contribution")
                .order_by("-closeness", "pk")[:missing]
            )
    return [
        {
            "id": topic.pk,
            "label": topic.label,
            "keywords": list(topic.keywords or [])[:8],
            "size": sizes.get(topic.pk, 0),
            "share": sizes.get(topic.pk, 0) / total,
            "examples": [
                {
                    "id": m.contribution_id,
                    "title": m.contribution.title,
                    "excerpt": Truncator(m.contribution.body).chars(EXCERPT_CHARACTERS),
                    "url": _contribution_url(synthesis.process, m.contribution_id),
                }
                for m in examples[topic.pk]
            ],
        }
        for topic in topics
    ]


def _contribution_url(process: Process, pk: int) -> str:
    return reverse("participation:detail", kwargs={"slug": process.slug, "pk": pk})


# --- Key figures --------------------------------------------------------------------------


def key_figures(synthesis: Synthesis, participants: int) -> dict[str, Any]:
    scope = synthesis_scope(synthesis)
    kinds = dict(scope.values("kind").annotate(n=Count("pk")).order_by().values_list("kind", "n"))
    channels = dict(
        scope.annotate(w_channel=channel_of())
        .values("w_channel")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("w_channel", "n")
    )
    totals = scope.aggregate(n=Count("pk"), supports=Sum("support_count"))
    comments = Comment.objects.filter(
        contribution__in=scope.values("pk"),
        visibility=Visibility.PUBLISHED,
        removed_by_author=False,
    ).count()
    return {
        "participants": participants,
        "contributions": totals["n"],
        "supports": totals["supports"] or 0,
        "comments": comments,
        "by_kind": [
            [str(label), kinds.get(value, 0)]
            for value, label in Contribution.Kind.choices
            if kinds.get(value)
        ],
        "by_channel": [[str(label), channels.get(value, 0)] for value, label in Channel.choices],
        "workshops": _workshops(synthesis.process),
    }


def _workshops(process: Process) -> dict[str, Any] | None:
    """Workshops held (published, ended) with their attendance; None when there were none."""
    held = list(
        Workshop.objects.filter(
            process=process, status=Workshop.Status.PUBLISHED, ends_at__lte=timezone.now()
        )
        .select_related("commune")
        .annotate(
            present=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
        )
        .order_by("starts_at")
    )
    if not held:
        return None
    captured = dict(
        CapturedContribution.objects.filter(
            workshop__in=held, contribution__visibility=Visibility.PUBLISHED
        )
        .values("workshop_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("workshop_id", "n")
    )
    items = [
        {
            "title": w.title,
            "date": _day(w.starts_at),
            "place": w.commune.name if w.commune else str(w.get_format_display()),
            "present": w.present,
            "contributions": captured.get(w.pk, 0),
        }
        for w in held
    ]
    return {
        "held": len(items),
        "present": sum(i["present"] for i in items),
        "contributions": sum(i["contributions"] for i in items),
        "items": items,
    }


# --- Representativeness -------------------------------------------------------------------


def _table(table: GroupTable | None) -> dict[str, Any] | None:
    if table is None:
        return None
    return {
        "key": table.key,
        "title": table.title,
        "rows": [asdict(row) for row in table.rows],
        "known": table.known,
        "unknown": table.unknown,
        "outside": table.outside,
        "source": table.source,
        "has_reference": table.has_reference,
        "warnings": table.warnings,
    }


def group_rows(rows: list[dict[str, Any]]) -> list[GroupRow]:
    """Rows of a table kept in a report, back as rows the charts can draw."""
    return [GroupRow(**row) for row in rows]


def representativeness_content(
    process: Process, grouping: BasinGrouping | None
) -> tuple[dict[str, Any], int]:
    found = figures.representativeness(process=process, grouping=grouping)
    content = {
        "participants": found.participants,
        "walk_ins": found.walk_ins,
        "collected": found.collected,
        "warnings": found.warnings,
        "too_few": found.communes.too_few,
        "min_participants": found.min_participants,
        "basins": _table(found.basins),
        "communes": _table(found.communes),
        "attributes": [_table(t) for t in found.attributes if t.has_reference],
    }
    return content, found.participants


# --- Official answers ---------------------------------------------------------------------


OPINION_STATEMENTS_SHOWN = 5


def _agree_share(counts: dict[str, int]) -> float | None:
    seen = counts["agree"] + counts["disagree"] + counts["pass"]
    return round(100 * counts["agree"] / seen, 1) if seen else None


def opinion_content(process: Process) -> list[dict[str, Any]]:
    """The process's opinion maps whose results are published: who answered, the groups, and
    the statements that unite and that divide them (the first five of each)."""
    maps = []
    activities = (
        OpinionActivity.objects.filter(process=process)
        .exclude(status=OpinionActivity.Status.DRAFT)
        .order_by("created_at", "pk")
    )
    for activity in activities:
        computation = activity.computations.filter(published_at__isnull=False).first()
        if computation is None or not computation.result:
            continue
        result = computation.result
        statements = result["statements"]
        maps.append(
            {
                "title": activity.title,
                "url": reverse("synthesis:opinion_results", args=[process.slug, activity.pk]),
                "date": _day(computation.computed_at or computation.created_at),
                "voters": result["participants"]["voters"],
                "in_map": result["participants"]["in_map"],
                "statements": len(statements),
                "votes": result["vote_count"],
                "groups": [{"label": g["label"], "size": g["size"]} for g in result["groups"]],
                "consensus": [
                    {
                        "text": statements[c["statement"]]["text"],
                        "agreed": c["direction"] == "agree",
                        "agree": _agree_share(statements[c["statement"]]["counts"]),
                    }
                    for c in result["consensus"][:OPINION_STATEMENTS_SHOWN]
                ],
                "divisive": [
                    {
                        "text": statements[i]["text"],
                        "groups": [
                            {"label": g["label"], "agree": _agree_share(counts)}
                            for g, counts in zip(
                                result["groups"], statements[i]["groups"], strict=True
                            )
                        ],
                    }
                    for i in result["divisive"][:OPINION_STATEMENTS_SHOWN]
                ],
            }
        )
    return maps


def answers_content(synthesis: Synthesis) -> dict[str, Any]:
    answered = synthesis_scope(synthesis).exclude(answer="")
    total = answered.count()
    order = {value: i for i, (value, _label) in enumerate(Contribution.Status.choices)}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for contribution in answered.order_by("-answered_at", "-pk")[:MAX_ANSWERS]:
        groups[contribution.status].append(
            {
                "id": contribution.pk,
                "title": contribution.title,
                "url": _contribution_url(synthesis.process, contribution.pk),
                "answer": contribution.answer,
                "reason": contribution.status_reason,
                "date": _day(contribution.answered_at),
            }
        )
    labels = dict(Contribution.Status.choices)
    return {
        "total": total,
        "shown": min(total, MAX_ANSWERS),
        "groups": [
            {"status": status, "label": str(labels[status]), "items": items}
            for status, items in sorted(groups.items(), key=lambda g: order.get(g[0], 99))
        ],
    }


# --- Method -------------------------------------------------------------------------------


def method_content(synthesis: Synthesis) -> list[str]:
    paragraphs = []
    description = (synthesis.method or {}).get("description")
    if description:
        paragraphs.append(str(description))
    paragraphs.append(
        _(
            "Version no. %(number)s was computed on %(date)s over %(count)s published "
            "contributions (%(scope)s), on the platform's own server, without any outside "
            "service."
        )
        % {
            "number": synthesis.number,
            "date": _day(synthesis.finished_at or synthesis.created_at),
            "count": synthesis.contribution_count,
            "scope": _scope_text(synthesis),
        }
    )
    edits = Counter(synthesis.edits.values_list("action", flat=True))
    if edits:
        labels: dict[str, Callable[[int], str]] = {
            TopicEdit.Action.RENAME: lambda n: ngettext("%(n)s renaming", "%(n)s renamings", n),
            TopicEdit.Action.MERGE: lambda n: ngettext("%(n)s merge", "%(n)s merges", n),
            TopicEdit.Action.SPLIT: lambda n: ngettext("%(n)s split", "%(n)s splits", n),
            TopicEdit.Action.MOVE: lambda n: ngettext(
                "%(n)s move of contributions", "%(n)s moves of contributions", n
            ),
        }
        details = ", ".join(
            labels[action](count) % {"n": count}
            for action, count in sorted(edits.items(), key=lambda e: list(labels).index(e[0]))
            if action in labels
        )
        total = sum(edits.values())
        paragraphs.append(
            ngettext(
                "Staff then edited the topics by hand %(count)s time (%(details)s): names "
                "given by people, topics gathered or divided where the computation had not "
                "seen it.",
                "Staff then edited the topics by hand %(count)s times (%(details)s): names "
                "given by people, topics gathered or divided where the computation had not "
                "seen it.",
                total,
            )
            % {"count": total, "details": details}
        )
    else:
        paragraphs.append(_("The topics are shown as computed: staff did not edit them."))
    paragraphs.append(
        _(
            "Examples are published contributions only; hidden and removed ones are counted "
            "nowhere. A contribution counts for the commune it was placed in, else for its "
            "author's commune of residence."
        )
    )
    return paragraphs


# --- The whole content --------------------------------------------------------------------


def report_content(report: Report) -> dict[str, Any]:
    """What a report shows, taken now from its version and the process's current data."""
    synthesis = report.synthesis
    representativeness, participants = representativeness_content(report.process, report.grouping)
    return {
        "version": {
            "number": synthesis.number,
            "title": synthesis.title,
            "date": _day(synthesis.finished_at or synthesis.created_at),
            "scope": _scope_text(synthesis),
            "revision": synthesis.revision,
        },
        "figures": key_figures(synthesis, participants) if report.include_figures else None,
        "topics": topics_content(report),
        "representativeness": representativeness if report.include_representativeness else None,
        "answers": answers_content(synthesis) if report.include_answers else None,
        "opinion": opinion_content(report.process),
        "method": method_content(synthesis),
    }


# --- The spreadsheet ----------------------------------------------------------------------


def spreadsheet_header() -> list[str]:
    return [
        _("Number"),
        _("Date"),
        _("Kind"),
        _("Title"),
        _("Text"),
        _("Topic"),
        _("Commune"),
        _("Basin"),
        _("Channel"),
        _("Supports"),
        _("Status"),
        _("Official answer"),
    ]


def spreadsheet_rows(report: Report) -> Iterator[list[Any]]:
    """One row per contribution in the version's scope, read from the database in chunks:
    memory stays flat whatever the number of contributions."""
    synthesis = report.synthesis
    rows = synthesis_scope(synthesis).annotate(
        w_topic=Subquery(
            TopicMembership.objects.filter(
                synthesis=synthesis, contribution_id=OuterRef("pk")
            ).values("topic__label")[:1]
        ),
        w_commune=commune_of(),
    )
    rows = rows.annotate(
        w_commune_name=Subquery(
            Commune.objects.filter(pk=OuterRef("w_commune")).values("name")[:1]
        ),
        w_channel=channel_of(),
    )
    if report.grouping is not None:
        rows = rows.annotate(
            w_basin=Subquery(
                BasinMembership.objects.filter(
                    grouping=report.grouping, commune_id=OuterRef("w_commune")
                ).values("basin__name")[:1]
            )
        )
    fields = [
        "pk", "created_at", "kind", "title", "body", "w_topic", "w_commune_name",
        "w_basin" if report.grouping is not None else "pk", "w_channel", "support_count",
        "status", "answer",
    ]  # fmt: skip
    kinds = {k: str(v) for k, v in Contribution.Kind.choices}
    statuses = {k: str(v) for k, v in Contribution.Status.choices}
    channels = {k: str(v) for k, v in Channel.choices}
    in_no_topic = _("In no topic")
    for values in rows.values_list(*fields).order_by("pk").iterator(chunk_size=2000):
        (pk, created, kind, title, body, topic, commune, basin, channel, supports, status,
         answer) = values  # fmt: skip
        yield [
            pk,
            timezone.localtime(created).replace(tzinfo=None),
            kinds.get(kind, kind),
            title,
            body,
            topic or in_no_topic,
            commune or "",
            basin if report.grouping is not None and basin else "",
            channels.get(channel, channel),
            supports,
            statuses.get(status, status),
            answer,
        ]


# --- Display ------------------------------------------------------------------------------


def _display_table(table: dict[str, Any] | None) -> dict[str, Any] | None:
    if not table:
        return None
    return {**table, "rows": group_rows(table["rows"])}


def content_context(report: Report, *, for_print: bool = False) -> dict[str, Any]:
    """What the public page and the PDF show, from the report's snapshot."""
    content = report.content or {}
    representativeness = content.get("representativeness")
    if representativeness:
        representativeness = {
            **representativeness,
            "basins": _display_table(representativeness.get("basins")),
            "communes": _display_table(representativeness.get("communes")),
            "attributes": [_display_table(t) for t in representativeness.get("attributes", [])],
        }
    sections = []
    if report.introduction:
        sections.append(("introduction", _("Introduction")))
    if content.get("figures"):
        sections.append(("figures", _("Key figures")))
    sections.append(("topics", _("What was said")))
    if representativeness:
        sections.append(("representativeness", _("Who took part")))
    if content.get("opinion"):
        sections.append(("opinion", _("Opinion maps")))
    if content.get("answers"):
        sections.append(("answers", _("Official answers")))
    sections.append(("method", _("Method")))
    return {
        "report": report,
        "process": report.process,
        "report_territory": report.process.territory,
        "version": content.get("version", {}),
        "figures": content.get("figures"),
        "topics": content.get("topics", []),
        "representativeness": representativeness,
        "answers": content.get("answers"),
        "opinion": content.get("opinion", []),
        "method": content.get("method", []),
        "sections": sections,
        "for_print": for_print,
    }


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def figures_rows(report: Report) -> list[list[Any]]:
    """The second sheet of the spreadsheet: the report's figures, as plain rows."""
    content = report.content or {}
    rows: list[list[Any]] = [[report.title], []]
    found = content.get("figures")
    if found:
        rows += [
            [_("Key figures")],
            [_("Participants"), found["participants"]],
            [_("Contributions"), found["contributions"]],
            [_("Supports"), found["supports"]],
            [_("Comments"), found["comments"]],
        ]
        rows += [[label, n] for label, n in found["by_kind"]]
        rows += [[label, n] for label, n in found["by_channel"]]
        if found.get("workshops"):
            rows += [
                [_("Workshops held"), found["workshops"]["held"]],
                [_("People present at the workshops"), found["workshops"]["present"]],
                [_("Contributions typed in at the workshops"), found["workshops"]["contributions"]],
            ]
        rows.append([])
    rows += [[_("Topics")], [_("Topic"), _("Contributions"), _("Share (%)"), _("Keywords")]]
    rows += [
        [t["label"], t["size"], _percent(t["share"]), ", ".join(t["keywords"])]
        for t in content.get("topics", [])
    ]
    representativeness = content.get("representativeness")
    if representativeness:
        tables = [representativeness.get("basins"), representativeness.get("communes")]
        tables += representativeness.get("attributes", [])
        for table in tables:
            if not table:
                continue
            rows += [
                [],
                [_("Representativeness — %(name)s") % {"name": table["title"]}],
                [
                    table["title"],
                    _("Share of the population (%)"),
                    _("Participants"),
                    _("Share of the participants (%)"),
                    _("Index"),
                ],
            ]
            for row in group_rows(table["rows"]):
                rows.append(
                    [
                        row.label,
                        _percent(row.population_share),
                        row.participants,
                        _percent(row.participant_share),
                        None if row.index is None else round(row.index, 2),
                    ]
                )
        if representativeness.get("warnings"):
            rows += [[], [_("Warnings")]]
            rows += [[w] for w in representativeness["warnings"]]
    return rows
