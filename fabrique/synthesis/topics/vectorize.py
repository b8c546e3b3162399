"""From French texts to TF-IDF vectors over word stems and pairs of stems.

A *term* is the stem of a meaningful word (``transport``) or two such stems that follow each
other in a text, with at most :data:`MAX_GAP` stop words between them (``transport commun`` for
"transports en commun", ``pist cyclabl`` for "pistes cyclables"). The vocabulary is learnt on
at most ``sample`` texts (drawn with the seed): the terms found in at least ``min_df`` of them
and in at most ``max_df`` of them, the ``max_terms`` most frequent at most. A term unseen in the
sample is too rare to shape a topic. Each term remembers the forms it has in the texts
("transports", "transports en commun") so that people read words, never stems.

Weights: ``(1 + log tf) × idf`` with the smoothed idf ``1 + log((1 + n) / (1 + df))``, each
text then scaled to length 1 (sublinear TF-IDF; see the decision record for the comparison with
raw counts). Vectors are float32 and built in chunks: two million texts fit in a few hundred
megabytes.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .french import WORD_RE, word_key

#: Two stems make a pair when at most this many stop words stand between them.
MAX_GAP = 2
#: Texts tokenised per chunk when building the matrix (progress is reported per chunk).
CHUNK = 20_000


def text_terms(text: str, *, pairs: bool = True) -> list[str]:
    """The terms of a text, in order, repeated as often as they occur."""
    terms: list[str] = []
    previous = ""
    gap = 0
    for word in WORD_RE.findall(text.lower()):
        key = word_key(word)
        if not key:
            gap += 1
            continue
        terms.append(key)
        if pairs and previous and gap <= MAX_GAP:
            terms.append(previous + " " + key)
        previous = key
        gap = 0
    return terms


def text_terms_with_forms(text: str, *, pairs: bool = True) -> Iterator[tuple[str, str]]:
    """``(term, form as written)`` for every term of a text; the slow path, for samples only."""
    lowered = text.lower()
    previous = ""
    previous_start = 0
    gap = 0
    for match in WORD_RE.finditer(lowered):
        key = word_key(match.group())
        if not key:
            gap += 1
            continue
        yield key, match.group()
        if pairs and previous and gap <= MAX_GAP:
            yield previous + " " + key, " ".join(lowered[previous_start : match.end()].split())
        previous = key
        previous_start = match.start()
        gap = 0


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The terms kept, their idf and their most common written form."""

    terms: tuple[str, ...]
    idf: np.ndarray
    forms: tuple[str, ...]
    index: dict[str, int] = field(repr=False)
    pairs: bool

    def __len__(self) -> int:
        return len(self.terms)


def learn_vocabulary(
    texts: Sequence[str],
    *,
    sample: int,
    seed: int,
    min_df: int = 2,
    max_df: float = 0.5,
    max_terms: int = 100_000,
    pairs: bool = True,
) -> Vocabulary:
    """The vocabulary of a sample of ``texts`` (all of them when there are at most ``sample``).

    ``min_df`` is lowered to 1 for a handful of texts, so that a tiny corpus still has terms.
    The idf is that of the sample, an unbiased estimate of the corpus's.
    """
    n = len(texts)
    if n > sample:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False))
        chosen: Sequence[str] = [texts[i] for i in rows]
    else:
        chosen = texts
    document_frequency: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in chosen:
        seen: set[str] = set()
        for term, form in text_terms_with_forms(text, pairs=pairs):
            seen.add(term)
            counter = forms.get(term)
            if counter is None:
                counter = forms[term] = Counter()
            counter[form] += 1
        document_frequency.update(seen)
    size = len(chosen)
    floor = min_df if size >= 20 * min_df else 1
    ceiling = max(max_df * size, 1.0) if size >= 10 else float(size)
    kept = [
        (term, df) for term, df in document_frequency.items() if floor <= df <= ceiling
    ]
    # Most frequent first, ties by term: the same vocabulary on every machine.
    kept.sort(key=lambda item: (-item[1], item[0]))
    kept = sorted(kept[:max_terms], key=lambda item: item[0])
    terms = tuple(term for term, _ in kept)
    df = np.array([frequency for _, frequency in kept], dtype=np.float64)
    idf = (1.0 + np.log((1.0 + size) / (1.0 + df))).astype(np.float32)
    readable = tuple(_most_common_form(forms[term]) for term in terms)
    return Vocabulary(
        terms=terms,
        idf=idf,
        forms=readable,
        index={term: i for i, term in enumerate(terms)},
        pairs=pairs,
    )


def _most_common_form(counter: Counter[str]) -> str:
    """The form written most often; ties go to the alphabetically first, for determinism."""
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def count_matrix(
    texts: Sequence[str],
    vocabulary: Vocabulary,
    *,
    progress: Callable[[float], None] | None = None,
) -> sp.csr_matrix:
    """Term counts, one row per text (float32 CSR)."""
    index = vocabulary.index
    pairs = vocabulary.pairs
    blocks: list[sp.csr_matrix] = []
    n = len(texts)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        columns = array("i")
        pointers = array("q", [0])
        for i in range(start, stop):
            ids = [index[term] for term in text_terms(texts[i], pairs=pairs) if term in index]
            columns.extend(ids)
            pointers.append(len(columns))
        data = np.ones(len(columns), dtype=np.float32)
        block = sp.csr_matrix(
            (data, np.frombuffer(columns, dtype=np.int32), np.frombuffer(pointers, dtype=np.int64)),
            shape=(stop - start, len(vocabulary)),
        )
        block.sum_duplicates()
        blocks.append(block)
        if progress is not None:
            progress(stop / n)
    if not blocks:
        return sp.csr_matrix((0, len(vocabulary)), dtype=np.float32)
    return sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]


def tfidf(counts: sp.csr_matrix, vocabulary: Vocabulary) -> sp.csr_matrix:
    """Sublinear TF-IDF, rows of length 1 (rows without a term stay zero)."""
    weights = counts.copy()
    np.log(weights.data, out=weights.data)
    weights.data += 1.0
    weights = weights @ sp.diags(vocabulary.idf, format="csr")
    return normalize(weights, copy=False).astype(np.float32, copy=False)
