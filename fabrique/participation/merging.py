"""Near-duplicates: gathering contributions into one, keeping their lineage; finding close ones.

A merge moves the supports and the followers of the *sources* to the *target*; nothing is
deleted. Each source keeps its page, text, author and comments, and says where it went;
the target names the contributions it gathers and their authors. ``ContributionMerge``
records what moved, so that staff can undo a merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.accounts.services import notify
from fabrique.core.db import Fold
from fabrique.processes.models import Process

from .models import (
    Contribution,
    ContributionFollow,
    ContributionMerge,
    ModerationLog,
    Support,
    Visibility,
)
from .selectors import SEARCH_CONFIG
from .services import lists_changed
from .similarity import content_words, rank_similar


def _quoted(contribution: Contribution | None) -> str:
    return f"« {contribution.title} »" if contribution is not None else "« ? »"


def _receivable(contribution: Contribution) -> bool:
    return contribution.visibility == Visibility.PUBLISHED and not contribution.removed_by_author


def _check_merge(target: Contribution, sources: Sequence[Contribution]) -> None:
    if not sources:
        raise ValidationError(_("Choose at least one contribution to merge into the one kept."))
    if any(source.pk == target.pk for source in sources):
        raise ValidationError(
            _("%(title)s is the contribution kept: it cannot also be merged into itself.")
            % {"title": _quoted(target)}
        )
    if target.merged_into_id is not None:
        raise ValidationError(
            _(
                "%(title)s has itself been merged into %(other)s: choose that one as the "
                "contribution kept."
            )
            % {"title": _quoted(target), "other": _quoted(target.merged_into)}
        )
    if not _receivable(target):
        raise ValidationError(
            _(
                "%(title)s is hidden, awaiting moderation or removed by its author: it cannot "
                "gather other contributions."
            )
            % {"title": _quoted(target) if target.title else _("The contribution kept")}
        )
    for source in sources:
        if source.process_id != target.process_id:
            raise ValidationError(
                _("%(title)s belongs to another process: only contributions of one process merge.")
                % {"title": _quoted(source)}
            )
        if source.merged_into_id is not None:
            raise ValidationError(
                _("%(title)s has already been merged into %(other)s.")
                % {"title": _quoted(source), "other": _quoted(source.merged_into)}
            )
        if not _receivable(source):
            raise ValidationError(
                _(
                    "%(title)s is hidden, awaiting moderation or removed by its author: only "
                    "published contributions are merged."
                )
                % {"title": _quoted(source) if source.title else _("A contribution")}
            )


def contribution_merge(
    *, target: Contribution, sources: Sequence[Contribution], by: User
) -> list[ContributionMerge]:
    """Gather ``sources`` into ``target``, in one transaction.

    The sources leave the lists but keep their page; their supports move to the target (a
    person who supported several counts once: one support per person); their followers
    follow the target; their authors are told; each merge is in the moderation log.
    A source that had itself gathered others passes them on to the target.
    """
    with transaction.atomic():
        ids = sorted({target.pk, *(source.pk for source in sources)})
        # Locked in one order, so that two merges at the same moment wait for each other.
        locked = {
            c.pk: c
            for c in Contribution.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        target = locked[target.pk]
        fresh_sources = [locked[pk] for pk in dict.fromkeys(source.pk for source in sources)]
        _check_merge(target, fresh_sources)
        now = timezone.now()
        merges = []
        for source in fresh_sources:
            merges.append(_merge_one(source=source, target=target, by=by, now=now))
        target.support_count = Support.objects.filter(contribution=target).count()
        target.save(update_fields=["support_count"])
    lists_changed(target.process_id)
    return merges


def _merge_one(
    *, source: Contribution, target: Contribution, by: User, now: datetime
) -> ContributionMerge:
    on_target = Support.objects.filter(contribution=target).values("user_id")
    shared = list(
        Support.objects.filter(contribution=source, user_id__in=on_target).values_list(
            "user_id", "created_at"
        )
    )
    moved = list(
        Support.objects.filter(contribution=source)
        .exclude(user_id__in=on_target)
        .values_list("user_id", flat=True)
    )
    Support.objects.filter(contribution=source, user_id__in=moved).update(contribution=target)
    Support.objects.filter(contribution=source).delete()  # those who also supported the target
    following = ContributionFollow.objects.filter(contribution=target).values("user_id")
    new_followers = list(
        ContributionFollow.objects.filter(contribution=source)
        .exclude(user_id__in=following)
        .values_list("user_id", flat=True)
    )
    ContributionFollow.objects.bulk_create(
        [ContributionFollow(contribution=target, user_id=user_id) for user_id in new_followers],
        ignore_conflicts=True,
    )
    carried = list(source.merged_sources.values_list("pk", flat=True))
    Contribution.objects.filter(pk__in=carried).update(merged_into=target)
    source.merged_into = target
    source.merged_at = now
    source.support_count = 0
    source.save(update_fields=["merged_into", "merged_at", "support_count"])
    merge = ContributionMerge.objects.create(
        source=source,
        target=target,
        by=by,
        supports_moved=sorted(moved),
        supports_shared=[[user_id, at.isoformat()] for user_id, at in sorted(shared)],
        follows_added=sorted(new_followers),
        sources_carried=sorted(carried),
    )
    ModerationLog.objects.create(
        process_id=source.process_id,
        actor=by,
        action=ModerationLog.Action.MERGE,
        contribution=source,
        reason=(_("into %(title)s") % {"title": _quoted(target)})[:300],
    )
    if source.author is not None and source.author_id != target.author_id:
        notify(
            users=[source.author],
            text=_(
                "Your contribution %(source)s said much the same as %(target)s: they have been "
                "gathered. Its supports now count for %(target)s; your page stays."
            )
            % {"source": _quoted(source), "target": _quoted(target)},
            url=target.get_absolute_url(),
            exclude=by,
        )
    return merge


def contribution_unmerge(*, source: Contribution, by: User) -> Contribution:
    """Undo the merge of ``source``: it comes back in the lists with the supports and the
    followers the merge had moved (those still there), and the contributions it had passed on.
    """
    with transaction.atomic():
        source = Contribution.objects.select_for_update().get(pk=source.pk)
        merge = ContributionMerge.objects.filter(source=source, undone_at__isnull=True).first()
        holder = source.merged_into
        if merge is None or holder is None:
            raise ValidationError(_("This contribution is not merged into another one."))
        holder = Contribution.objects.select_for_update().get(pk=holder.pk)
        if holder.merged_into_id is not None:
            raise ValidationError(
                _("%(title)s has since been merged into %(other)s: undo that merge first.")
                % {"title": _quoted(holder), "other": _quoted(holder.merged_into)}
            )
        # Someone who supports the source again (it stays reachable) keeps that support.
        on_source = Support.objects.filter(contribution=source).values("user_id")
        back = Support.objects.filter(contribution=holder, user_id__in=merge.supports_moved)
        back.filter(user_id__in=on_source).delete()
        back.update(contribution=source)
        Support.objects.bulk_create(
            [
                Support(contribution=source, user_id=user_id)
                for user_id, _at in merge.supports_shared
            ],
            ignore_conflicts=True,
        )
        ContributionFollow.objects.filter(
            contribution=holder, user_id__in=merge.follows_added
        ).delete()
        Contribution.objects.filter(pk__in=merge.sources_carried, merged_into=holder).update(
            merged_into=source
        )
        source.merged_into = None
        source.merged_at = None
        source.support_count = Support.objects.filter(contribution=source).count()
        source.save(update_fields=["merged_into", "merged_at", "support_count"])
        holder.support_count = Support.objects.filter(contribution=holder).count()
        holder.save(update_fields=["support_count"])
        merge.undone_at = timezone.now()
        merge.undone_by = by
        merge.save(update_fields=["undone_at", "undone_by"])
        ModerationLog.objects.create(
            process_id=source.process_id,
            actor=by,
            action=ModerationLog.Action.UNMERGE,
            contribution=source,
            reason=(_("out of %(title)s") % {"title": _quoted(holder)})[:300],
        )
    lists_changed(source.process_id)
    return source


# --- Reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Lineage:
    """What a contribution's page says about merges."""

    merge: ContributionMerge | None  # how this one was merged, if it was
    sources: list[Contribution]  # the ones it gathers


def contribution_lineage(contribution: Contribution) -> Lineage:
    merge = None
    if contribution.merged_into_id is not None:
        merge = (
            ContributionMerge.objects.filter(source=contribution, undone_at__isnull=True)
            .select_related("by")
            .first()
        )
    sources = list(contribution.merged_sources.select_related("author").order_by("merged_at", "pk"))
    return Lineage(merge=merge, sources=sources)


def listed(process: Process) -> QuerySet[Contribution]:
    """The contributions everyone sees in the lists of ``process``."""
    return Contribution.objects.filter(
        process=process,
        visibility=Visibility.PUBLISHED,
        removed_by_author=False,
        merged_into__isnull=True,
    )


@dataclass(frozen=True)
class Similar:
    contribution: Contribution
    score: float


# Candidates read from the database before ranking, and the words the search uses.
CANDIDATES = 100
QUERY_WORDS = 10
MIN_WORDS = 3
# Below this, two texts share a word or two by chance.
MIN_SCORE = 0.2


def similar_contributions(
    *, process: Process, text: str, exclude_pk: int | None = None, limit: int = 5
) -> list[Similar]:
    """Published contributions of ``process`` close to ``text`` (what someone is typing).

    The database narrows the field first (PostgreSQL: its French full-text index, first
    the contributions with all the words, then those sharing two of them, then one; SQLite:
    the words in the folded title or text), then the closest are ranked by TF-IDF cosine.
    Fewer than three words, or fewer than two meaningful ones, give nothing: too little to
    compare.
    """
    words = list(dict.fromkeys(content_words(text)))
    if len(text.split()) < MIN_WORDS or len(words) < 2:
        return []
    words = sorted(words[: QUERY_WORDS * 2], key=len, reverse=True)[:QUERY_WORDS]
    qs = listed(process)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    ids = (
        _candidates_postgresql(qs, words)
        if connection.vendor == "postgresql"
        else _candidates_sqlite(qs, words)
    )
    if not ids:
        return []
    rows = list(
        Contribution.objects.filter(pk__in=ids)
        .annotate(start=Substr("body", 1, 400))
        .values_list("pk", "title", "start")
    )
    ranked = rank_similar(
        text,
        [f"{title}\n{start}" for _pk, title, start in rows],
        limit=limit,
        min_score=MIN_SCORE,
    )
    chosen = {rows[index][0]: score for index, score in ranked}
    found = Contribution.objects.filter(pk__in=chosen).select_related("process")
    return sorted(
        (Similar(contribution=c, score=chosen[c.pk]) for c in found),
        key=lambda s: (-s.score, -s.contribution.pk),
    )


def _candidates_postgresql(qs: QuerySet[Contribution], words: list[str]) -> list[int]:
    def term(word: str) -> SearchQuery:
        return SearchQuery(word, config=SEARCH_CONFIG, search_type="plain")

    terms = [term(word) for word in words]
    pairs = [terms[i] & terms[j] for i in range(len(terms)) for j in range(i + 1, len(terms))]
    tiers = [reduce(lambda a, b: a & b, terms), reduce(lambda a, b: a | b, pairs)]
    found: dict[int, None] = {}
    for query in tiers:
        # Without an order, PostgreSQL stops at the first rows found: the cost stays small
        # however many contributions share the common words.
        rows = qs.filter(search_vector=query).order_by().values_list("pk", flat=True)
        found.update(dict.fromkeys(rows[:CANDIDATES]))
        if len(found) >= CANDIDATES:
            break
    return list(found)[:CANDIDATES]


def _candidates_sqlite(qs: QuerySet[Contribution], words: list[str]) -> list[int]:
    qs = qs.annotate(folded_title=Fold("title"), folded_body=Fold("body"))
    # Stems are not available in SQL here: the first letters of each word find its forms.
    condition = Q()
    for word in words:
        start = word[: max(4, len(word) - 2)]
        condition |= Q(folded_title__contains=start) | Q(folded_body__contains=start)
    return list(
        qs.filter(condition)
        .order_by("-support_count", "-pk")
        .values_list("pk", flat=True)[: CANDIDATES * 2]
    )
