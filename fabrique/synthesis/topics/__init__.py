"""Topic engine for citizens' contributions in French: pure Python, no Django, no outside service.

Groups contributions into topics with their keywords and representative texts, describes a
grouping edited by hand, finds near-duplicates and, while someone types, the contributions that
already say the same thing. Everything runs on the authority's own server: French stop words
and the Snowball stemmer are in the package, nothing is downloaded. The method, its parameters,
what was measured and its limits are in ``docs/decisions/0005-synthesis-topics.md``.

Public API::

    topics_compute(texts, *, n_topics=None, seed=0, progress=None, n_keywords=10,
                   n_representatives=5) -> TopicResult
        # TopicResult.labels (numpy int array, −1 = NO_CONTENT), .topics (Topic: index, size,
        # keywords, representatives, title), .k, .method (parameters + French description)
    keywords_for(texts, labels, *, seed=0, n_keywords=10, n_representatives=5)
        -> tuple[Topic, ...]          # after moving texts, merging or splitting topics
    topic_split(texts, k=2, seed=0) -> numpy int array   # sub-topics of one topic's texts

    duplicate_groups(texts, *, threshold=0.8, seed=0) -> list[list[int]]
    similar_texts(query, candidates, *, limit=5, min_score=0.35) -> list[tuple[int, float]]
        # candidates: the texts, or SimilarityIndex.build(texts) made beforehand
    looks_french(text) -> bool

    progress(fraction: float, stage: str)   # stage: a French label for a progress bar

Errors: :class:`TopicInputError` (a ``ValueError`` with a French message) for an empty list,
a number of topics below 1, labels that do not match the texts.
"""

from .describe import Topic
from .duplicates import SimilarityIndex, duplicate_groups, similar_texts
from .engine import (
    NO_CONTENT,
    NO_CONTENT_LABEL,
    ProgressCallback,
    TopicResult,
    keywords_for,
    topic_split,
    topics_compute,
)
from .errors import TopicInputError
from .french import FRENCH_STOP_WORDS, looks_french

__all__ = [
    "FRENCH_STOP_WORDS",
    "NO_CONTENT",
    "NO_CONTENT_LABEL",
    "ProgressCallback",
    "SimilarityIndex",
    "Topic",
    "TopicInputError",
    "TopicResult",
    "duplicate_groups",
    "keywords_for",
    "looks_french",
    "similar_texts",
    "topic_split",
    "topics_compute",
]
