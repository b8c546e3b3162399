"""How close two short French texts are: TF-IDF cosine over word stems, accents folded.

Small on purpose: it ranks a few hundred candidates while someone types (``merging``'s
``similar_contributions``). Participation does not depend on the synthesis app, whose topic
engine has a richer vectoriser for whole corpora; this one needs only PyStemmer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import Stemmer

WORD_RE = re.compile(r"[^\W\d_]+")

# French function words and words that carry no subject in citizens' texts, without accents.
_STOP_WORDS_TEXT = """
    a afin ai aie aient ainsi ait alors as au aucun aucune aupres auquel aura aurait aussi autant
    autre autres aux avaient avais avait avant avec avez avoir avons bah beaucoup bien bon c ca
    car ce ceci cela celle celles celui cependant certain certaine certaines certains ces cet
    cette ceux chacun chacune chaque chez ci comme comment contre d dans de deja depuis des
    deux devant devrait doit doivent donc dont du durant elle elles en encore enfin entre es est
    et etaient etait etant ete etre eu eux exemple fait faire faut falloir faudrait fois font
    hors ici il ils j je jusqu jusque l la le les leur leurs lors lorsque lui m ma mais me meme
    memes mes moi moins mon n ne ni non nos notre nous on ont ou par parce pas pendant peu peut
    peuvent plus plusieurs plutot pour pourquoi pourrait pouvoir qu quand que quel quelle quelles
    quels qui quoi s sa sans se selon sera serait ses si sinon soit son sont sous sur t ta tant
    te tes toi ton toujours tous tout toute toutes tres trop tu un une uns vers via voici voila
    vos votre vous vraiment y chose choses cas niveau notamment surtout egalement
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_STEMMER = Stemmer.Stemmer("french")


def _unaccent(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters with their accents removed, as one table: ``str.translate`` runs in C, the
# texts are ranked while someone types.
_FOLD = {
    code: _unaccent(chr(code)) for code in range(0xC0, 0x250) if _unaccent(chr(code)) != chr(code)
}


def fold(text: str) -> str:
    """Lower case without accents: « École » → « ecole »."""
    return text.lower().translate(_FOLD)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning, folded, in order (stop words and single
    letters left out)."""
    return [
        word for word in WORD_RE.findall(fold(text)) if len(word) > 1 and word not in STOP_WORDS
    ]


def stems(text: str) -> list[str]:
    """``pistes cyclables`` and ``piste cyclable`` give the same stems."""
    return [stem for stem in _STEMMER.stemWords(content_words(text)) if len(stem) > 1]


def rank_similar(
    query: str, candidates: Sequence[str], *, limit: int = 5, min_score: float = 0.2
) -> list[tuple[int, float]]:
    """The candidates closest to ``query``: ``(index in candidates, cosine)``, best first.

    Sublinear TF-IDF (``1 + log tf``, smoothed idf over the candidates and the query), each
    text's vector of length 1; ties keep the candidates' order.
    """
    query_counts = Counter(stems(query))
    if not query_counts:
        return []
    documents = [Counter(stems(text)) for text in candidates]
    frequency: Counter[str] = Counter()
    for counts in documents:
        frequency.update(counts.keys())
    frequency.update(query_counts.keys())
    size = len(documents) + 1

    def vector(counts: Counter[str]) -> dict[str, float]:
        weights = {
            term: (1 + math.log(n)) * (1 + math.log((1 + size) / (1 + frequency[term])))
            for term, n in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {term: w / norm for term, w in weights.items()}

    wanted = vector(query_counts)
    scored = []
    for index, counts in enumerate(documents):
        if not counts.keys() & wanted.keys():
            continue
        other = vector(counts)
        score = sum(w * other.get(term, 0.0) for term, w in wanted.items())
        if score >= min_score:
            scored.append((index, round(score, 4)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]
