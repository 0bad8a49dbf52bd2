"""Named entities (people, places, organisations) found by rules, for German and English text.

No model and no gazetteer: a name is a run of capitalised words. The rules, and why:

- A capitalised word that opens a sentence is a name only if the text also capitalises it
  somewhere else mid-sentence ("Merkel sagte ..." counts when "Merkel" recurs; "Gestern ..."
  does not), or if it is an acronym (``CDU``, ``USA``).
- Function words ("Die", "The", "Am") are never names, even when capitalised.
- German capitalises every noun. A capitalised German word is taken for a common noun when it
  ends in a typical noun suffix (``-ung``, ``-heit``, ``-keit``, ``-schaft``, ``-ion``, ...) or
  follows an article or preposition directly ("die Regierung", "im Landkreis"); names of
  people rarely do either. Place and country names that take an article ("die Türkei") are lost,
  which costs little: they recur without it ("in der Türkei" / "Türkei-Reise").
- Neighbouring names join into one entity ("Angela Merkel", "Wladimir Putin"); a hyphen joins
  too ("Baden-Württemberg").

``entity_keys`` turns entities into matching keys that ignore case, diacritics and inflection
(first :data:`KEY_CHARS` letters of each word), so "Merkels" meets "Merkel" and the English
"Erdogan" meets the German "Erdoğan": names spelled alike match across languages.

Example::

    >>> [e.text for e in extract_entities("Am Montag traf Angela Merkel in Berlin ein.")]
    ['Angela Merkel', 'Berlin']
    >>> [e.text for e in extract_entities("On Monday, Boris Johnson met the EU negotiators.")]
    ['Boris Johnson', 'EU']
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from wiretrace.text.sentences import sentence_spans
from wiretrace.text.stopwords import STOPWORDS

KEY_CHARS = 5
"""Letters of a word kept in its matching key: enough to tell names apart, few enough to absorb
inflection (Merkel/Merkels, Russland/Russlands) and English/German spellings of one stem."""

_WORD_RE = re.compile(r"[^\W\d_][^\W_]*(?:[-'’][^\W_]+)*")
# Common-noun endings of German; a capitalised word ending so is a noun, not a name.
_NOUN_SUFFIXES = (
    "ung",
    "ungen",
    "heit",
    "heiten",
    "keit",
    "keiten",
    "schaft",
    "schaften",
    "tion",
    "tionen",
    "sion",
    "ität",
    "ismus",
    "nis",
    "nisse",
    "tum",
    "ling",
    "chen",
    "lein",
    "ment",
    "ente",
    "enten",
    "eure",
    "iker",
    "ern",
    "erin",
    "erinnen",
    "zeit",
    "jahr",
    "jahre",
    "tag",
    "tage",
    "woche",
    "wochen",
    "monat",
    "monate",
)
# German determiners and prepositions after which a capitalised word is (nearly always) a noun.
_NOUN_MARKER_WORDS = """der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner
    im am vom zum zur beim ins ans aufs fürs ihre ihren ihrem ihrer seine seinen seinem seiner
    diese diesen diesem dieser dieses jede jeden jedem jeder jedes alle allen aller mehrere
    mehreren viele vielen wenige wenigen"""
_NOUN_MARKERS = frozenset(_NOUN_MARKER_WORDS.split())
# Capitalised words that are not names in news text (month and day names, titles, greetings).
_NOT_NAME_WORDS = """januar februar märz april mai juni juli august september oktober november dezember
    montag dienstag mittwoch donnerstag freitag samstag sonntag
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    herr frau mr mrs ms dr prof i"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


@dataclass(frozen=True, slots=True)
class Entity:
    """One name found in a text: ``text[start:end] == self.text`` (code points)."""

    text: str
    start: int
    end: int


def _is_capitalised(word: str) -> bool:
    return word[0].isupper()


@lru_cache(maxsize=100_000)
def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2


def _looks_like_noun(word: str, previous: str | None) -> bool:
    """German common-noun heuristics (see the module docstring)."""
    low = word.casefold()
    if previous is not None and previous in _NOUN_MARKERS:
        return True
    return len(low) > 5 and low.endswith(_NOUN_SUFFIXES)


def extract_entities(text: str, spans: Sequence[Sequence[int]] | None = None) -> list[Entity]:
    """Names in ``text``, in order of appearance, as :class:`Entity` spans.

    Works on German and English (and other Latin-script languages that capitalise names only);
    a word is a candidate when it starts with a capital letter and is not a function word.
    ``spans``: the text's sentence spans if already known (as ``sentence_spans(text).tolist()``).
    """
    words: list[tuple[int, int, str, bool]] = []  # start, end, word, opens a sentence
    for s, e in spans if spans is not None else sentence_spans(text).tolist():
        first = True
        for m in _WORD_RE.finditer(text, s, e):
            words.append((m.start(), m.end(), m.group(), first))
            first = False
    mid_sentence_caps = {w for _, _, w, opener in words if not opener and _is_capitalised(w)}
    keep: list[bool] = []
    previous: str | None = None
    for _, _, word, opener in words:
        low = word.casefold()
        ok = (
            _is_capitalised(word)
            and low not in STOPWORDS
            and low not in _NOT_NAMES
            and len(word) >= 2
            and (_is_acronym(word) or not _looks_like_noun(word, previous))
            and (not opener or word in mid_sentence_caps or _is_acronym(word))
        )
        keep.append(ok)
        previous = low
    entities: list[Entity] = []
    i = 0
    while i < len(words):
        if not keep[i]:
            i += 1
            continue
        j = i
        # Join the next kept word when only spaces or a hyphen separate them (same sentence).
        while (
            j + 1 < len(words)
            and keep[j + 1]
            and not words[j + 1][3]
            and text[words[j][1] : words[j + 1][0]] in (" ", "-", "\u00a0")
        ):
            j += 1
        start, end = words[i][0], words[j][1]
        entities.append(Entity(text[start:end], start, end))
        i = j + 1
    return entities


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case-folded, without diacritics, ß as ss: the spelling-insensitive form of a word."""
    decomposed = unicodedata.normalize("NFD", word.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if c.isalnum())


def entity_keys(entities: list[Entity]) -> Counter[str]:
    """Matching keys of the words of ``entities`` with their counts.

    A key is the first :data:`KEY_CHARS` letters of a word, case-folded and without diacritics.
    Words of multi-word names count separately, so "Angela Merkel" and a later "Merkel" meet.
    """
    keys: Counter[str] = Counter()
    for entity in entities:
        for word in re.split(r"[\s\-\u00a0]+", entity.text):
            folded = fold(word)
            if len(folded) >= 2:
                keys[folded[:KEY_CHARS]] += 1
    return keys
