"""Word tokens that keep their exact ``[start, end)`` spans in the original text.

Normalisation (Unicode NFC, case folding, soft hyphens, hyphenation at line ends) is applied to
each token's *form* only; the spans always point into the text exactly as read, so a token's
original spelling is ``text[starts[i]:ends[i]]``. Punctuation, quotes of every style („“ "" « »
‚‘ ’ '), dashes and whitespace are separators, which is what makes re-wrapped lines and different
quote styles compare equal.

Example::

    >>> t = tokenize("Die Zusam-\\nmenarbeit „wächst“.")
    >>> t.forms
    ['die', 'zusammenarbeit', 'wächst']
    >>> [ "Die Zusam-\\nmenarbeit „wächst“."[s:e] for s, e in zip(t.starts, t.ends)]
    ['Die', 'Zusam-\\nmenarbeit', 'wächst']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import xxhash

# A word is a run of letters/digits, not underscores (plus combining marks, so NFD input works). Pieces of one word
# split by a soft hyphen (U+00AD) or by a hyphen at a line end followed by a lower-case letter
# ("Zusam-\nmenarbeit") are joined; a capital after the break ("CDU-\nPolitiker") keeps two words.
# (Written as runs of either class rather than a run of single characters of both: the same
# matches, a third faster, since the regex engine loops once per run instead of per character.)
_WORD_CHARS = r"(?:[^\W_]+|[\u0300-\u036f]+)+"
_JOINER = r"(?:\u00ad[\s]*|-[ \t]*\r?\n[ \t]*(?=[^\W\d_A-ZÄÖÜÀ-ÞА-Я]))"
_WORD_RE = re.compile(rf"{_WORD_CHARS}(?:{_JOINER}{_WORD_CHARS})*")
_WORD_SPLIT_RE = re.compile(rf"({_WORD_RE.pattern})")
_JOIN_STRIP_RE = re.compile(r"\u00ad|-[ \t]*\r?\n[ \t]*|\s+")


@dataclass(frozen=True, slots=True)
class Tokens:
    """Tokens of one text.

    ``forms[i]`` is the normalised form of token ``i``; ``starts[i]``/``ends[i]`` (int32 numpy
    arrays, code points) its span in the original text; ``ids[i]`` (uint64) a stable 64-bit hash
    of the form, equal across processes and machines. ``vocabulary`` holds each distinct form
    once and ``vocabulary_index[i]`` the position of token i's form in it, so per-form work
    (stemming, stopword tests) can be done once per distinct word.
    """

    starts: np.ndarray
    ends: np.ndarray
    ids: np.ndarray
    vocabulary: tuple[str, ...] = ()
    vocabulary_index: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def forms(self) -> list[str]:
        """Normalised form of every token (built on demand from the vocabulary)."""
        if self.vocabulary_index is None:
            return []
        vocab = self.vocabulary
        return [vocab[i] for i in self.vocabulary_index.tolist()]


def normalize_form(raw: str) -> str:
    """Normalised form of one raw word: joiners removed, NFC, case-folded."""
    if "\u00ad" in raw or "\n" in raw or "-" in raw:
        raw = _JOIN_STRIP_RE.sub("", raw)
    if not raw.isascii():
        raw = unicodedata.normalize("NFC", raw)
    return raw.casefold()


def token_range(tokens: Tokens, start: int, end: int) -> tuple[int, int]:
    """``[first, last + 1)`` of the tokens that start inside the characters ``[start, end)``."""
    lo = int(np.searchsorted(tokens.starts, start, side="left"))
    hi = int(np.searchsorted(tokens.starts, end, side="left"))
    return lo, hi


def stable_hash(form: str) -> int:
    """A 64-bit hash of a string, stable across processes (unlike ``hash``)."""
    return xxhash.xxh3_64_intdigest(form.encode())


def tokenize(text: str) -> Tokens:
    """Split ``text`` into word tokens with spans; O(len(text)).

    Normalisation and hashing run once per distinct raw word, not per token.
    """
    # split() with a capturing group alternates separators and words without building a Match
    # object per word; word offsets follow from the cumulative lengths of the pieces.
    pieces = _WORD_SPLIT_RE.split(text)
    words = pieces[1::2]
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    ends_all = np.cumsum(lengths)
    word_ends = ends_all[1::2]
    word_starts = word_ends - lengths[1::2]
    raw_index: dict[str, int] = {}
    index = [raw_index.setdefault(w, len(raw_index)) for w in words]
    raw_forms = [normalize_form(raw) for raw in raw_index]
    # Different raw spellings ("Die", "die") share one normalised form and one vocabulary slot.
    form_index: dict[str, int] = {}
    raw_to_form = np.fromiter(
        (form_index.setdefault(f, len(form_index)) for f in raw_forms),
        dtype=np.int64,
        count=len(raw_forms),
    )
    vocabulary = tuple(form_index)
    vocab_ids = np.fromiter(
        (stable_hash(f) for f in vocabulary), dtype=np.uint64, count=len(vocabulary)
    )
    vocabulary_index = raw_to_form[np.asarray(index, dtype=np.int64)]
    return Tokens(
        starts=word_starts.astype(np.int32),
        ends=word_ends.astype(np.int32),
        ids=vocab_ids[vocabulary_index],
        vocabulary=vocabulary,
        vocabulary_index=vocabulary_index,
    )
