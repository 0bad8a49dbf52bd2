"""Sentence boundaries as character offsets, without touching the text.

A boundary follows sentence-final punctuation (. ! ? …, plus closing quotes or brackets) when the
next word starts a sentence (capital letter, digit, opening quote or dash), unless the word before
the period is an abbreviation, an initial or a day number ("26. November"). Paragraph breaks (a
blank line) and short heading-like lines ending without punctuation are boundaries too.
"""

from __future__ import annotations

import re

import numpy as np

from wiretrace.text.stopwords import STOPWORDS

_FINAL_RE = re.compile(r"[.!?…]+[\"'”“»«’‘)\]]*(?=\s)")
_PARAGRAPH_RE = re.compile(r"\n[ \t\u00a0]*\n")
_LINE_RE = re.compile(r"\n")
_LAST_WORD_RE = re.compile(r"([^\W_]+)$")
_SENTENCE_OPENERS = re.compile(r"[\"'„“”«»‚‘’(\[\-–—•*]|[^\W_]")
# Lower-case forms of abbreviations that end with a period but rarely end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "dr",
        "prof",
        "mr",
        "mrs",
        "ms",
        "st",
        "nr",
        "no",
        "vs",
        "etc",
        "bzw",
        "ca",
        "usw",
        "vgl",
        "z",
        "b",
        "d",
        "h",
        "u",
        "a",
        "dt",
        "engl",
        "frz",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "okt",
        "oct",
        "nov",
        "dez",
        "dec",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "sen",
        "rep",
        "gov",
        "mio",
        "mrd",
        "abs",
        "art",
    ]
)
_HEADING_MAX_CHARS = 60


def _ends_with_function_word(line: str) -> bool:
    """A line ending in "in", "der", "and" ... continues on the next line; no heading does."""
    last = _LAST_WORD_RE.search(line)
    return last is not None and last.group(1).casefold() in STOPWORDS


def _heading_max_chars(text: str) -> float:
    """Longest line that can be a heading: 60 characters, or 70 % of the wrap width of
    hard-wrapped text (the 90th percentile of line lengths), whichever is smaller."""
    lengths = sorted(len(line) for line in text.split("\n") if line.strip())
    if len(lengths) < 5:
        return _HEADING_MAX_CHARS
    wrap_width = lengths[int(0.9 * (len(lengths) - 1))]
    return min(_HEADING_MAX_CHARS, 0.7 * wrap_width)


def _is_final_period(text: str, end: int) -> bool:
    """Whether punctuation ending at ``end`` closes a sentence (looks at the words around it)."""
    if text[end - 1] not in ".\"'”“»«’‘)]" or "." not in text[max(0, end - 4) : end]:
        return True  # ! ? … always end a sentence
    before = text[max(0, end - 30) : end].rstrip(".\"'”“»«’‘)]")
    word = _LAST_WORD_RE.search(before)
    if word is not None:
        w = word.group(1)
        if len(w) == 1 and w.isalpha():
            return False  # an initial: "J. Smith", "z. B."
        if w.casefold() in _ABBREVIATIONS:
            return False
        if w.isdigit() and len(w) <= 2:
            return False  # German ordinals and dates: "am 26. November"
    return True


def _next_word_opens(text: str, pos: int) -> bool:
    """Whether the first non-space character at or after ``pos`` can open a sentence."""
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    if pos >= n:
        return False
    ch = text[pos]
    if ch.isalpha():
        return ch.isupper()
    return bool(_SENTENCE_OPENERS.match(ch))


def sentence_spans(text: str) -> np.ndarray:
    """Sentence ``[start, end)`` spans, shape (n, 2), int32, in code points of ``text``.

    Spans cover every non-space character exactly once, in order; leading and trailing
    whitespace of each sentence is excluded, so ``text[start:end]`` starts and ends with
    non-space characters.
    """
    cuts: set[int] = set()
    for m in _FINAL_RE.finditer(text):
        if _is_final_period(text, m.end()) and _next_word_opens(text, m.end()):
            cuts.add(m.end())
    for m in _PARAGRAPH_RE.finditer(text):
        cuts.add(m.start())
    # A short line without final punctuation followed by a capitalised line is a heading. In
    # hard-wrapped text every line is short, so "short" is relative to the wrap width.
    heading_max = _heading_max_chars(text)
    line_start = 0
    for m in _LINE_RE.finditer(text):
        line = text[line_start : m.start()].strip()
        if (
            line
            and len(line) <= heading_max
            and line[-1] not in ",;:-–("
            and not _ends_with_function_word(line)
            and _next_word_opens(text, m.end())
        ):
            cuts.add(m.start())
        line_start = m.end()
    bounds = [0, *sorted(cuts), len(text)]
    spans: list[tuple[int, int]] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        seg = text[a:b]
        stripped_left = len(seg) - len(seg.lstrip())
        stripped_right = len(seg.rstrip())
        if stripped_right > stripped_left:
            spans.append((a + stripped_left, a + stripped_right))
    return np.asarray(spans, dtype=np.int32).reshape(-1, 2)
