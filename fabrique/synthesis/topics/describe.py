"""What a topic is about: its keywords and the texts that represent it best.

**Keywords** are the terms that a topic uses much more than the others: class-based TF-IDF
(Grootendorst, *BERTopic*, 2022), ``tf(t, c) × log(1 + A / f(t))`` with ``tf(t, c)`` the share
of topic ``c``'s words that are ``t``, ``f(t)`` the count of ``t`` in all texts and ``A`` the
average number of words per topic. A pair is a keyword only when its two words mostly go
together (it makes at least :data:`COLLOCATION` of the occurrences of its rarer word: "pistes
cyclables", "transports en commun", not "bus pour les habitants"); it then replaces the single
words it contains, and a single word already inside a chosen pair is skipped, so that the list
does not say the same thing twice. Keywords are shown as written in the texts
(:func:`.vectorize.written_forms`).

**Representatives** are the texts closest to the topic's centre (the mean of its texts'
TF-IDF vectors, by cosine), copies of the same text counted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .vectorize import Vectors, written_forms

#: Rows scored per matrix product when looking for representatives.
CHUNK = 100_000
#: A pair of words is a keyword only if it makes at least this share of the occurrences of
#: its rarer word.
COLLOCATION = 0.3


@dataclass(frozen=True)
class Topic:
    """One topic: its number, its size, its keywords and its most representative texts."""

    index: int
    size: int
    keywords: tuple[str, ...]
    """Most distinctive first, as written in the texts ("transports en commun")."""
    representatives: tuple[int, ...]
    """Indices of the texts closest to the topic's centre, closest first, no two alike."""

    @property
    def title(self) -> str:
        """A provisional name for the topic, until someone gives it a better one."""
        return ", ".join(self.keywords[:3])


def _one_hot(labels: np.ndarray, k: int) -> sp.csr_matrix:
    rows = np.flatnonzero(labels >= 0)
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, labels[rows])),
        shape=(len(labels), k),
    )


def _keyword_columns(
    class_counts: np.ndarray, vectors: Vectors, n_keywords: int
) -> list[list[int]]:
    """For each topic, the columns of its keywords (c-TF-IDF, pairs replacing their words)."""
    terms = vectors.vocabulary.terms
    totals = class_counts.sum(axis=1, keepdims=True)
    term_frequency = np.divide(
        class_counts, totals, out=np.zeros_like(class_counts), where=totals > 0
    )
    topics_with_words = max(1, int((totals > 0).sum()))
    average_words = float(totals.sum()) / topics_with_words
    overall = class_counts.sum(axis=0)
    rarity = np.divide(average_words, overall, out=np.zeros_like(overall), where=overall > 0)
    weight = np.log1p(rarity)
    scores = term_frequency * weight
    index = vectors.vocabulary.index
    chosen_per_topic: list[list[int]] = []
    for topic in range(class_counts.shape[0]):
        row = scores[topic]
        # Stable sort on (-score, column): equal scores in vocabulary order.
        ranked = np.lexsort((np.arange(len(row)), -row))
        chosen: list[int] = []
        for column in ranked[: 8 * n_keywords + 20]:
            if row[column] <= 0 or len(chosen) >= n_keywords:
                break
            # A term met once in the topic says little about it, unless the topic is tiny.
            if class_counts[topic, column] < 2 and totals[topic, 0] >= 20:
                continue
            words = terms[column].split(" ")
            if len(words) == 1:
                if any(words[0] in terms[other].split(" ") for other in chosen):
                    continue
                chosen.append(int(column))
            else:
                # A pair is a keyword only when its words go together ("pistes cyclables"), not
                # when it is one of many ways of using a common word ("bus pour les habitants").
                # A word too common to be in the vocabulary is not a measure: the test is
                # made against the words that are (none: the pair stands on its own).
                parts = [index.get(word) for word in words]
                alone = min((overall[part] for part in parts if part is not None), default=0.0)
                if overall[column] < COLLOCATION * alone:
                    continue
                inside = [other for other in chosen if terms[other] in words]
                if inside:
                    position = chosen.index(inside[0])
                    chosen = [other for other in chosen if other not in inside]
                    chosen.insert(position, int(column))
                else:
                    chosen.append(int(column))
        chosen_per_topic.append(chosen[:n_keywords])
    return chosen_per_topic


def _representatives(
    vectors: Vectors,
    texts: Sequence[str],
    labels: np.ndarray,
    k: int,
    class_weights: sp.csr_matrix,
    n_representatives: int,
) -> list[tuple[int, ...]]:
    """For each topic, the texts closest to its centre, different texts only."""
    centres = normalize(class_weights).T.tocsc()
    similarity = np.full(len(labels), -np.inf, dtype=np.float32)
    weights = vectors.weights
    for start in range(0, len(labels), CHUNK):
        stop = min(start + CHUNK, len(labels))
        own = labels[start:stop]
        block = np.asarray((weights[start:stop] @ centres).todense())
        assigned = own >= 0
        similarity[start:stop][assigned] = block[np.flatnonzero(assigned), own[assigned]]
    result: list[tuple[int, ...]] = []
    for topic in range(k):
        members = np.flatnonzero(labels == topic)
        # Closest first; equal similarity in text order.
        order = members[np.lexsort((members, -similarity[members]))]
        picked: list[int] = []
        seen: set[str] = set()
        for row in order:
            if len(picked) >= n_representatives:
                break
            key = " ".join(texts[row].lower().split())
            if key not in seen:
                seen.add(key)
                picked.append(int(row))
        result.append(tuple(picked))
    return result


def describe_topics(
    vectors: Vectors,
    texts: Sequence[str],
    labels: np.ndarray,
    k: int,
    *,
    n_keywords: int,
    n_representatives: int,
) -> tuple[Topic, ...]:
    """Keywords and representatives of topics ``0 … k − 1`` (label −1: in no topic)."""
    if k == 0:
        return ()
    one_hot = _one_hot(labels, k)
    class_counts = np.asarray((one_hot.T @ vectors.counts).todense(), dtype=np.float64)
    class_weights = (one_hot.T @ vectors.weights).tocsr()
    columns = _keyword_columns(class_counts, vectors, n_keywords)
    forms = written_forms(sorted({c for chosen in columns for c in chosen}), vectors, texts)
    representatives = _representatives(vectors, texts, labels, k, class_weights, n_representatives)
    sizes = np.bincount(labels[labels >= 0], minlength=k)
    return tuple(
        Topic(
            index=topic,
            size=int(sizes[topic]),
            keywords=tuple(forms[column] for column in columns[topic]),
            representatives=representatives[topic],
        )
        for topic in range(k)
    )
