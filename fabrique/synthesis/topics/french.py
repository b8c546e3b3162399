"""French words: the stop-word list, the tokeniser, the stemmer and a language check.

Everything is in this file: nothing is downloaded at run time (no NLTK data, no spaCy model),
so the engine runs on an authority's own server without access to the Internet.

Words are lower-cased and cut at every character that is not a letter, so elisions split
themselves (``l'arbre`` gives ``l`` and ``arbre``, ``qu'il`` gives ``qu`` and ``il``) and the
leftover ``l``, ``d``, ``qu``, ``jusqu``… are stop words. Both apostrophes (' and ’) and
hyphens cut words; digits are dropped.

Stems come from the Snowball French stemmer (PyStemmer, a C extension), after a final plural
``s`` is dropped (Snowball keeps it after a vowel: "vélos", "élus"). The stem is then
stripped of its accents, because citizens often type without them (``ecologie`` and
``écologie`` must be one word); the readable form shown to people is always a form that
occurs in the texts (:func:`fabrique.synthesis.topics.vectorize.Vocabulary.surface`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import Stemmer

#: Letters only (any script), so apostrophes, hyphens, digits and punctuation all cut words.
WORD_RE = re.compile(r"[^\W\d_]+")

_STOP_WORDS_TEXT = """
a à â afin ai aie aient aies ait al alors as au aucun aucune aucuns aujourd auprès auquel aura
aurai auraient aurais aurait auras aurez auriez aurions aurons auront aussi autant autre autres
aux auxquelles auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant ayez
ayons

bah beaucoup bien bon bref

c ça car ce ceci cela celà celle celles celui cependant certain certaine certaines certains ces
cet cette ceux chacun chacune chaque chez ci comme comment concernant contre

d dans de debout dedans dehors déjà delà depuis derrière des dès désormais desquelles desquels
dessous dessus deux devant devers différent différents divers diverses doit doivent donc dont
du duquel durant

e effet elle elles en encore enfin entre envers es est et étaient étais était étant été êtes
étiez étions être eu eue eues eûmes eurent eus eusse eussent eusses eussiez eussions eut eût
eûtes eux

f fais faisaient faisant fait faites fois font furent fus fusse fussent fusses fussiez
fussions fut fût fûtes

h hélas hem hors hui

i ici il ils

j jamais je jusqu jusque

l la là laquelle le lequel les lesquelles lesquels leur leurs lors lorsqu lorsque lui

m ma mai maint mais malgré me même mêmes mes moi moins mon

n na ne néanmoins ni non nos notre nôtre nôtres nous nul nulle

o ô oh on ont or ou où ouais oui outre

par parce parfois parmi partout pas pendant peu peut peuvent peux plupart plus plusieurs plutôt
pour pourquoi pourra pourrait pourraient pouvons pouvez près puis puisqu puisque

qu quand quant quanta quarante que quel quelle quelles quelqu quelque quelques quels qui
quiconque quoi quoiqu quoique

s sa sans sauf se selon sera serai seraient serais serait seras serez seriez serions serons
seront ses si sien sienne siennes siens sinon soi soient sois soit sommes son sont sous soyez
soyons suis suivant sur

t ta tandis tant te tel telle telles tels tes toi ton toujours tous tout toute toutes très trop
tu

un une unes uns

v va vais vers via voici voilà vont vos votre vôtre vôtres vous vu

y

etc ex svp cf ps

il faut falloir faudrait fallait faut faudra devrait devraient devrions devons devez
devoir pouvoir peuvent pourrions faire fasse fassent

chose choses cas niveau exemple ainsi également notamment surtout vraiment juste déjà trop
actuellement actuel actuelle souvent rien
propose proposons proposer souhaite souhaitons souhaiterais souhaiterait voudrais voudrions
aimerais aimerait merci pensez pense penser mettre mise
"""


def strip_accents(text: str) -> str:
    """``écologie`` → ``ecologie``; ``ç`` → ``c``; ``œ`` stays (it is a letter, not an accent)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _stop_words() -> frozenset[str]:
    words = set(_STOP_WORDS_TEXT.split())
    words |= {strip_accents(word) for word in words}
    return frozenset(words)


#: French function words, with their accent-free spellings, and the elided stubs. The last
#: lines of the list are words that carry no topic in citizens' answers ("il faut", "chose",
#: "notamment", "je propose", "merci"…): they would otherwise be among the most frequent words
#: of every group, and would bring together texts that only share their politeness.
FRENCH_STOP_WORDS: frozenset[str] = _stop_words()

#: English function words, only to tell an English text from a French one.
_ENGLISH_TEXT = """
    the and of to in is are was were be been being it its this that these those with for from
    by at as an or but not no if then than there their they them we our you your he she his her
    him i me my do does did have has had will would should could can may might must shall what
    which who whom when where why how all any some more most such only own same so very just
    about into over after before because while between through during again here also
"""
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(_ENGLISH_TEXT.split())

#: Letters common in French and rare in English; one of them adds ACCENT_BONUS to the share of
#: French words (short French texts have few function words, English ones no accents).
FRENCH_LETTERS = frozenset("éèêàçùûôîœ")
ACCENT_BONUS = 0.1

_STEMMER = Stemmer.Stemmer("french")
# PyStemmer caches stems itself; our own cache also remembers the accent stripping and the
# stop-word test, the three costs paid once per distinct word instead of once per occurrence.
_KEYS: dict[str, str] = {}
_KEY_CACHE_LIMIT = 2_000_000


def word_keys_cache() -> dict[str, str]:
    """The cache behind :func:`word_key`, for loops that look words up millions of times."""
    return _KEYS


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``, stop words included, in order."""
    return WORD_RE.findall(text.lower())


def word_key(word: str) -> str:
    """The stem of a lower-cased word without accents, or ``""`` for a stop word or a letter."""
    key = _KEYS.get(word)
    if key is None:
        if len(word) < 2 or word in FRENCH_STOP_WORDS:
            key = ""
        else:
            # Snowball keeps the plural s after a vowel ("vélos", "élus", "revenus" stay apart
            # from "vélo", "élu", "revenu"): drop it first. Words that end in s in the singular
            # ("bus", "avis", "temps") are the same in the plural, so they stay one term.
            singular = word[:-1] if len(word) > 3 and word[-1] == "s" and word[-2] != "s" else word
            key = strip_accents(_STEMMER.stemWord(singular))
            if len(key) < 2:
                key = ""
        if len(_KEYS) < _KEY_CACHE_LIMIT:
            _KEYS[word] = key
    return key


def content_keys(text: str) -> list[str]:
    """The stems of the words of ``text`` that carry meaning, in order."""
    return [key for key in map(word_key, words(text)) if key]


def looks_french(text: str, *, minimum_share: float = 0.15) -> bool:
    """Whether a text looks written in French, so the interface can warn its author otherwise.

    French prose is about 40 % function words (``le``, ``de``, ``et``, ``pour``…), English
    prose as much English ones. A text is French unless its share of French function words is
    below ``minimum_share`` or below its share of English ones. Texts of fewer than four words
    cannot be told apart and count as French (a warning would be a false alarm more often than
    not); letters typical of French (é, è, à, ç, ê…) add to the French side.
    The text is grouped with the others either way: this only drives a warning.
    """
    tokens = words(text)
    if len(tokens) < 4:
        return True
    french_share = sum(token in FRENCH_STOP_WORDS for token in tokens) / len(tokens)
    english_share = sum(token in ENGLISH_STOP_WORDS for token in tokens) / len(tokens)
    if any(char in FRENCH_LETTERS for char in text.lower()):
        french_share += ACCENT_BONUS
    return french_share >= minimum_share and french_share > english_share


def stem_all(texts: Iterable[str]) -> list[list[str]]:
    """:func:`content_keys` of every text (for the tests and the benchmark)."""
    return [content_keys(text) for text in texts]
