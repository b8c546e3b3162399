"""From French texts to TF-IDF vectors over word stems and pairs of stems.

A *term* is the stem of a meaningful word (``transport``) or two such stems that follow each
other in a text with at most :data:`MAX_GAP` stop words between them (``transport commun`` for
"transports en commun", ``pist cyclabl`` for "pistes cyclables"). The vocabulary is learnt on
at most ``sample`` texts drawn with the seed: the terms found in at least ``min_df`` of them and
in at most a share ``max_df`` of them, the ``max_terms`` most frequent at most. A term unseen in
a sample of 50 000 texts is too rare to shape a topic, and the sample bounds the memory taken
by the vocabulary whatever the number of texts.

Weights: ``(1 + log tf) × idf`` with the smoothed idf ``1 + log((1 + n) / (1 + df))``, each
text then scaled to length 1 (sublinear TF-IDF: a word repeated five times weighs less than
five different words; the decision record compares it with raw counts). Vectors are float32 and
built in chunks, so two million texts take a few hundred megabytes.

People never read stems: :func:`written_forms` finds how a term is written in the texts that
contain it ("transports", "pistes cyclables", "taxe d'habitation").
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .french import WORD_RE, word_key, word_keys_cache

#: Two stems make a pair when at most this many stop words stand between them.
MAX_GAP = 2
#: Texts tokenised per chunk when building the matrix (progress is reported per chunk).
CHUNK = 20_000
#: A term's written form is the most common among at most this many texts containing it.
FORM_SAMPLE = 40

Progress = Callable[[float], None]


def text_terms(text: str, *, pairs: bool = True) -> list[str]:
    """The terms of a text, in order, repeated as often as they occur."""
    cache = word_keys_cache()
    terms: list[str] = []
    previous = ""
    gap = 0
    for word in WORD_RE.findall(text.lower()):
        key = cache.get(word)
        if key is None:
            key = word_key(word)
        if not key:
            gap += 1
            continue
        if pairs and previous and gap <= MAX_GAP:
            terms.append(previous + " " + key)
        terms.append(key)
        previous = key
        gap = 0
    return terms


def _terms_with_forms(text: str, *, pairs: bool = True) -> Iterator[tuple[str, str]]:
    """``(term, form as written, lower-cased)`` for every term of a text (the slow path)."""
    lowered = text.lower()
    previous = ""
    previous_start = 0
    gap = 0
    for match in WORD_RE.finditer(lowered):
        key = word_key(match.group())
        if not key:
            gap += 1
            continue
        if pairs and previous and gap <= MAX_GAP:
            yield previous + " " + key, " ".join(lowered[previous_start : match.end()].split())
        yield key, match.group()
        previous = key
        previous_start = match.start()
        gap = 0


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The terms kept (sorted), their idf, and whether pairs of stems are terms."""

    terms: tuple[str, ...]
    idf: np.ndarray
    pairs: bool
    index: dict[str, int] = field(repr=False)

    def __len__(self) -> int:
        return len(self.terms)


def sample_rows(n: int, size: int, seed: int) -> np.ndarray:
    """``size`` row numbers out of ``n``, sorted, drawn with the seed (all rows if n ≤ size)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def learn_vocabulary(
    term_lists: Iterable[list[str]],
    *,
    pairs: bool,
    min_df: int = 2,
    max_df: float = 0.5,
    max_terms: int = 100_000,
) -> Vocabulary:
    """The vocabulary of texts given by their terms (:func:`text_terms`).

    On a handful of texts (fewer than ``20 × min_df``) every term is kept, so that a tiny
    corpus still has words; ``max_df`` applies from 10 texts on. The idf is the sample's.
    """
    document_frequency: Counter[str] = Counter()
    size = 0
    for listed in term_lists:
        document_frequency.update(set(listed))
        size += 1
    floor = min_df if size >= 20 * min_df else 1
    ceiling = max(max_df * size, 1.0) if size >= 10 else float(size)
    kept = [(term, df) for term, df in document_frequency.items() if floor <= df <= ceiling]
    # Most frequent first, ties by term: the same vocabulary on every machine.
    kept.sort(key=lambda item: (-item[1], item[0]))
    kept = sorted(kept[:max_terms])
    terms = tuple(term for term, _ in kept)
    df = np.array([frequency for _, frequency in kept], dtype=np.float64)
    idf = (1.0 + np.log((1.0 + size) / (1.0 + df))).astype(np.float32)
    return Vocabulary(
        terms=terms, idf=idf, pairs=pairs, index={term: i for i, term in enumerate(terms)}
    )


def count_matrix(
    texts: Sequence[str],
    vocabulary: Vocabulary,
    *,
    known: Mapping[int, list[str]] | None = None,
    progress: Progress | None = None,
) -> sp.csr_matrix:
    """Term counts, one row per text (float32 CSR); ``known`` gives the terms of some rows
    (the vocabulary's sample), which are not tokenised again."""
    column_of = vocabulary.index.get
    pairs = vocabulary.pairs
    known = known or {}
    blocks: list[sp.csr_matrix] = []
    n = len(texts)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        columns = array("i")
        pointers = array("q", [0])
        for i in range(start, stop):
            terms = known.get(i)
            if terms is None:
                terms = text_terms(texts[i], pairs=pairs)
            columns.extend([column for column in map(column_of, terms) if column is not None])
            pointers.append(len(columns))
        block = sp.csr_matrix(
            (
                np.ones(len(columns), dtype=np.float32),
                np.frombuffer(columns, dtype=np.int32),
                np.frombuffer(pointers, dtype=np.int64),
            ),
            shape=(stop - start, len(vocabulary)),
        )
        block.sum_duplicates()
        blocks.append(block)
        if progress is not None:
            progress(stop / n)
    if not blocks:
        return sp.csr_matrix((0, len(vocabulary)), dtype=np.float32)
    return sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF, rows of length 1 (a row without terms stays zero)."""
    weights = counts.astype(np.float32, copy=True)
    if weights.shape[1] == 0:
        return weights
    np.log(weights.data, out=weights.data)
    weights.data += 1.0
    weights.data *= idf[weights.indices]
    return normalize(weights, copy=False)


@dataclass(frozen=True, eq=False)
class Vectors:
    """Texts as counts and TF-IDF over one vocabulary."""

    vocabulary: Vocabulary
    counts: sp.csr_matrix
    weights: sp.csr_matrix

    @property
    def has_terms(self) -> np.ndarray:
        """Whether each text has at least one term of the vocabulary."""
        return np.diff(self.counts.indptr) > 0


def vectorize(
    texts: Sequence[str],
    *,
    seed: int,
    sample: int = 50_000,
    pairs: bool = True,
    min_df: int = 2,
    max_df: float = 0.5,
    progress: Progress | None = None,
) -> Vectors:
    """Vocabulary learnt on a sample, then counts and TF-IDF of every text (each tokenised
    once)."""
    rows = sample_rows(len(texts), sample, seed)
    whole = len(rows) == len(texts)
    term_lists = {int(i): text_terms(texts[i], pairs=pairs) for i in rows}
    vocabulary = learn_vocabulary(term_lists.values(), pairs=pairs, min_df=min_df, max_df=max_df)
    start = 0.5 if whole else 0.2
    if progress is not None:
        progress(start)

    def counting(fraction: float) -> None:
        if progress is not None:
            progress(start + (1.0 - start) * fraction)

    counts = count_matrix(texts, vocabulary, known=term_lists, progress=counting)
    del term_lists
    return Vectors(vocabulary=vocabulary, counts=counts, weights=tfidf(counts, vocabulary.idf))


def written_forms(terms: Sequence[int], vectors: Vectors, texts: Sequence[str]) -> dict[int, str]:
    """How each term (by column) is most often written, among up to FORM_SAMPLE texts with it.

    Pairs keep the words written between the two stems ("transports en commun", "taxe
    d'habitation"). Ties go to the alphabetically first form, for determinism.
    """
    wanted = set(terms)
    if not wanted:
        return {}
    by_column = vectors.counts[:, sorted(wanted)].tocsc()
    columns = sorted(wanted)
    readers: dict[int, list[int]] = {}
    for position, column in enumerate(columns):
        rows = by_column.indices[by_column.indptr[position] : by_column.indptr[position + 1]]
        rows = np.sort(rows)
        if len(rows) > FORM_SAMPLE:
            rows = rows[np.linspace(0, len(rows) - 1, FORM_SAMPLE).astype(int)]
        for row in rows:
            readers.setdefault(int(row), []).append(column)
    vocabulary = vectors.vocabulary
    forms: dict[int, Counter[str]] = {column: Counter() for column in columns}
    for row in sorted(readers):
        needed = {vocabulary.terms[column]: column for column in readers[row]}
        for term, form in _terms_with_forms(texts[row], pairs=vocabulary.pairs):
            if term in needed:
                forms[needed[term]][form] += 1
    return {
        column: (
            min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
            if counter
            else vocabulary.terms[column]
        )
        for column, counter in forms.items()
    }
