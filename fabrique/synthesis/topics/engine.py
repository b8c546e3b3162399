"""The public functions: group texts into topics, describe an edited grouping, split a topic."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from . import clustering
from .clustering import partition
from .describe import Topic, describe_topics
from .errors import TopicInputError
from .vectorize import Vectors, vectorize

#: Label of a text that has no meaningful word (empty, punctuation, stop words only).
NO_CONTENT = -1
NO_CONTENT_LABEL = "sans contenu exploitable"

ProgressCallback = Callable[[float, str], None]

#: Threads of the numerical libraries (BLAS, OpenMP) during a computation. On a small server
#: shared with the web application, several BLAS threads spin-wait for each other: a truncated
#: SVD of 5 000 answers took 11.6 s with two threads on a busy 2-core machine, 0.8 s with one.
THREADS = 1

METHOD_NAME = "tfidf-lsa-microgroupes-fusion-moyenne"
METHOD_VERSION = 1

# Stages of the progress bar: (start, end, label shown to the person waiting).
_READING = (0.0, 0.45, "Lecture des contributions")
_GROUPING = (0.45, 0.85, "Regroupement en sujets")
_DESCRIBING = (0.85, 1.0, "Choix des mots-clés et des contributions représentatives")


@dataclass(frozen=True, eq=False)
class TopicResult:
    """Topics of a set of texts.

    ``labels[i]`` is the topic of text ``i`` (``0 … k − 1``, topic 0 the largest) or
    :data:`NO_CONTENT` (−1) when the text has no meaningful word. ``topics[j]`` describes topic
    ``j``. ``method`` holds the parameters and a French sentence for a public report.
    """

    labels: np.ndarray
    topics: tuple[Topic, ...]
    k: int
    method: dict[str, Any]

    @property
    def without_content(self) -> np.ndarray:
        """Indices of the texts in no topic (label −1)."""
        return np.flatnonzero(self.labels == NO_CONTENT)


def _check_texts(texts: Sequence[str]) -> None:
    if len(texts) == 0:
        raise TopicInputError("Aucune contribution à regrouper : la liste est vide.")
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TopicInputError(
                f"La contribution n° {position + 1} n'est pas un texte ({type(text).__name__})."
            )


def _stage(
    progress: ProgressCallback | None, stage: tuple[float, float, str]
) -> Callable[[float], None]:
    start, end, label = stage

    def report(fraction: float) -> None:
        if progress is not None:
            progress(start + (end - start) * min(max(fraction, 0.0), 1.0), label)

    return report


def _by_size(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Topics renumbered by decreasing size (ties: the topic of the earliest text first)."""
    used = labels >= 0
    values, first, counts = np.unique(labels[used], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.full(int(values.max(initial=-1)) + 2, NO_CONTENT, dtype=np.int64)
    mapping[values[order]] = np.arange(len(order))
    renumbered = np.full(len(labels), NO_CONTENT, dtype=np.int64)
    renumbered[used] = mapping[labels[used]]
    return renumbered, len(order)


def _french(number: int) -> str:
    """A whole number as French writes it: 4 983, 2 000 000 (narrow no-break spaces)."""
    return f"{number:,}".replace(",", "\u202f")


def _describe_method(
    *,
    n: int,
    usable: int,
    k: int,
    seed: int,
    requested: int | None,
    vectors: Vectors,
    grouping: clustering.Partition | None,
) -> dict[str, Any]:
    if requested is None and grouping is not None and grouping.k_range is not None:
        low, high = grouping.k_range
        how_many = (
            f"Le nombre de sujets ({k}) n'a pas été fixé par l'équipe : il a été cherché entre "
            f"{low} et {high}, en arrêtant les fusions là où la suivante réunirait des groupes "
            "nettement plus éloignés que les précédentes."
        )
    else:
        how_many = f"Le nombre de sujets ({k}) a été fixé par l'équipe."
    # The same text as in docs/decisions/0005-synthesis-topics.md, with this run's figures.
    description = (
        "Les contributions ont été regroupées automatiquement selon les mots qu'elles "
        "emploient, sans service extérieur. Après retrait des mots grammaticaux (« le », "
        "« de », « il faut »…) et réduction des mots à leur racine (« transports » et "
        "« transport » comptent pour un même mot), chaque contribution est représentée par ses "
        "mots et paires de mots (« pistes cyclables »), pondérés selon leur rareté : un mot "
        "employé partout pèse peu. Une analyse sémantique latente rapproche les mots souvent "
        "employés ensemble, de sorte que deux contributions peuvent être proches sans partager "
        "un mot. Chaque contribution est ensuite rangée dans un petit groupe de contributions "
        "très proches, et ces petits groupes sont fusionnés pas à pas, les plus semblables "
        f"d'abord, jusqu'au nombre de sujets voulu. {how_many} Les mots-clés d'un sujet sont "
        "ceux qu'il emploie nettement plus que les autres sujets ; ses contributions "
        "représentatives sont les plus proches de son centre. Les contributions sans mot "
        f"exploitable sont mises à part ({_french(n - usable)} sur {_french(n)}). Le calcul "
        "est reproductible : "
        f"les mêmes contributions et la même graine ({seed}) donnent les mêmes sujets."
    )
    return {
        "name": METHOD_NAME,
        "version": METHOD_VERSION,
        "description": description,
        "texts": n,
        "texts_without_content": n - usable,
        "k": k,
        "k_requested": requested,
        "k_range": list(grouping.k_range) if grouping and grouping.k_range else None,
        "seed": seed,
        "features": {
            "stemmer": "Snowball (français)",
            "terms": "racines et paires de racines" if vectors.vocabulary.pairs else "racines",
            "weighting": "TF-IDF sous-linéaire, normalisé",
            "vocabulary_size": len(vectors.vocabulary),
        },
        "lsa_dimensions": grouping.dimensions if grouping else None,
        "lsa_explained_variance": round(grouping.explained_variance, 4) if grouping else None,
        "micro_groups": grouping.micro_groups if grouping else None,
        "fit_sample": grouping.fit_rows if grouping else None,
        "linkage": "moyenne, distance cosinus",
    }


def topics_compute(
    texts: Sequence[str],
    *,
    n_topics: int | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    n_keywords: int = 10,
    n_representatives: int = 5,
) -> TopicResult:
    """Group French texts into topics (the number chosen automatically when ``n_topics`` is
    None), each with its keywords and representative texts.

    The same texts and seed give the same result. Texts without a meaningful word get the
    label −1 (:data:`NO_CONTENT`). Fewer distinct texts than ``n_topics`` give fewer topics.
    Raises :class:`TopicInputError` for an empty list or ``n_topics < 1``.
    """
    _check_texts(texts)
    if n_topics is not None and n_topics < 1:
        raise TopicInputError(f"Le nombre de sujets doit être au moins 1 (reçu : {n_topics}).")
    with threadpool_limits(limits=THREADS):
        return _topics_compute(
            texts,
            n_topics=n_topics,
            seed=seed,
            progress=progress,
            n_keywords=n_keywords,
            n_representatives=n_representatives,
        )


def _topics_compute(
    texts: Sequence[str],
    *,
    n_topics: int | None,
    seed: int,
    progress: ProgressCallback | None,
    n_keywords: int,
    n_representatives: int,
) -> TopicResult:
    reading = _stage(progress, _READING)
    reading(0.0)
    vectors = vectorize(texts, seed=seed, progress=reading)
    has_terms = vectors.has_terms
    usable = np.flatnonzero(has_terms)
    labels = np.full(len(texts), NO_CONTENT, dtype=np.int64)
    grouping: clustering.Partition | None = None
    grouping_report = _stage(progress, _GROUPING)
    if len(usable):
        grouping = partition(
            vectors.weights[usable], n_topics=n_topics, seed=seed, progress=grouping_report
        )
        labels[usable] = grouping.labels
    grouping_report(1.0)
    labels, k = _by_size(labels)
    describing = _stage(progress, _DESCRIBING)
    describing(0.0)
    topics = describe_topics(
        vectors,
        texts,
        labels,
        k,
        n_keywords=n_keywords,
        n_representatives=n_representatives,
    )
    describing(1.0)
    method = _describe_method(
        n=len(texts),
        usable=len(usable),
        k=k,
        seed=seed,
        requested=n_topics,
        vectors=vectors,
        grouping=grouping,
    )
    return TopicResult(labels=labels, topics=topics, k=k, method=method)


def keywords_for(
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    *,
    seed: int = 0,
    n_keywords: int = 10,
    n_representatives: int = 5,
) -> tuple[Topic, ...]:
    """Keywords and representatives of a grouping edited by hand.

    ``labels[i]`` is the topic of text ``i`` (0, 1, 2…; −1 for none), as left after moving
    texts, merging or splitting topics. Topic ``j`` of the answer describes label ``j``; a
    label that no text has any more gives a topic of size 0 without keywords. Topics are not
    renumbered. For the grouping of :func:`topics_compute` itself, the same texts and seed give
    the same keywords and representatives.
    """
    _check_texts(texts)
    array = np.asarray(labels, dtype=np.int64)
    if array.shape != (len(texts),):
        raise TopicInputError(
            f"Il faut un sujet par contribution : {len(texts)} contributions, "
            f"{array.size} sujets reçus."
        )
    if (array < NO_CONTENT).any():
        raise TopicInputError("Un numéro de sujet est négatif (seul −1 signifie « aucun »).")
    with threadpool_limits(limits=THREADS):
        vectors = vectorize(texts, seed=seed)
        k = int(array.max(initial=-1)) + 1
        return describe_topics(
            vectors, texts, array, k, n_keywords=n_keywords, n_representatives=n_representatives
        )


def topic_split(texts: Sequence[str], k: int = 2, seed: int = 0) -> np.ndarray:
    """Split one topic's texts into ``k`` sub-topics: the sub-topic of each text (0 … k − 1,
    the largest first; −1 for a text without content). Fewer distinct texts give fewer
    sub-topics. Pass the result, shifted past the existing topics, to :func:`keywords_for`."""
    if k < 2:
        raise TopicInputError(f"Un sujet se divise en 2 sous-sujets au moins (reçu : {k}).")
    return topics_compute(texts, n_topics=k, seed=seed, n_keywords=0, n_representatives=0).labels
