"""Same-story score of two articles, first version: shared text and lexical overlap.

Features (each in [0, 1]):

- ``reuse``: evidence from shared passages, ``1 - exp(-shared / 300)`` where ``shared`` is the
  number of characters of the shorter side inside reused passages; one copied paragraph of
  agency text (~300 characters) already gives 0.63.
- ``coverage``: the larger of the two coverages (share of an article inside passages).
- ``lexical``: cosine of sublinear-tf vectors of content-word stems of title and body, with the
  title counted twice (titles name the event).
- ``rare_overlap``: Dice overlap of the pair's *distinctive* stems (long words and numbers).
- ``entities``: cosine of the two articles' profiles of capitalised words that do not open a
  sentence (names, places, organisations; in German also nouns), counted with their frequency.
  Frequency matters: an article about Hollande meeting Putin names Hollande again and again, one
  about Putin in Tehran at most in passing, although both name Putin, Assad and Syria. On the
  German same-story ratings in ``../shared/data/semeval22-de`` this single feature correlates
  better with the human ratings (Pearson 0.83, de-de) than stem cosine (0.70).

``score = 1 - (1 - reuse) * (1 - text_part)`` where ``text_part`` maps ``entities`` linearly
between ``entity_floor`` (no evidence) and ``entity_ceiling`` (certain). When either article has
fewer than ``min_entity_tokens`` capitalised words (lower-case text, very short items) the mean
of ``lexical`` and ``rare_overlap`` is mapped between ``lexical_floor`` and ``lexical_ceiling``
instead. Issue 4 replaces this with a calibrated model over embeddings, entities and time.
"""

from __future__ import annotations

import math

import numpy as np

from wiretrace.model import Passage, SameStory
from wiretrace.reuse.prepared import PreparedText
from wiretrace.settings import SameStorySettings

_REUSE_SCALE_CHARS = 300.0


def _stem_counts(p: PreparedText, title: PreparedText | None) -> dict[int, float]:
    counts: dict[int, float] = {}
    for stem in p.stems[p.content].tolist():
        counts[stem] = counts.get(stem, 0.0) + 1.0
    if title is not None:
        for stem in title.stems[title.content].tolist():
            counts[stem] = counts.get(stem, 0.0) + 2.0
    return {k: 1.0 + math.log(v) for k, v in counts.items()}


def _cosine(x: dict[int, float], y: dict[int, float]) -> float:
    if not x or not y:
        return 0.0
    dot = sum(v * y[k] for k, v in x.items() if k in y)
    nx = math.sqrt(sum(v * v for v in x.values()))
    ny = math.sqrt(sum(v * v for v in y.values()))
    return dot / (nx * ny)


def _distinctive(p: PreparedText) -> set[int]:
    """Stems of long words (>= 7 letters) and numbers: names, places, compounds, figures."""
    forms = p.tokens.forms
    idx = np.nonzero(p.content)[0].tolist()
    return {int(p.stems[i]) for i in idx if len(forms[i]) >= 7 or forms[i].isdigit()}


def _entity_profile(p: PreparedText | None) -> dict[int, float]:
    """Counts of stems of capitalised content words that do not open a sentence."""
    counts: dict[int, float] = {}
    if p is None:
        return counts
    openers = set(p.sentence_tokens[:, 0].tolist())
    text, forms, starts = p.text, p.tokens.forms, p.tokens.starts.tolist()
    for i in np.nonzero(p.content)[0].tolist():
        if i in openers or len(forms[i]) < 3 or not text[starts[i]].isupper():
            continue
        stem = int(p.stems[i])
        counts[stem] = counts.get(stem, 0.0) + 1.0
    return counts


def _merge(x: dict[int, float], y: dict[int, float]) -> dict[int, float]:
    out = dict(x)
    for k, v in y.items():
        out[k] = out.get(k, 0.0) + v
    return out


def _ramp(value: float, floor: float, ceiling: float) -> float:
    """0 at or below floor, 1 at or above ceiling, linear in between."""
    return min(1.0, max(0.0, (value - floor) / (ceiling - floor)))


def same_story(
    a: PreparedText,
    b: PreparedText,
    passages: list[Passage],
    settings: SameStorySettings | None = None,
    title_a: PreparedText | None = None,
    title_b: PreparedText | None = None,
) -> SameStory:
    """Score in [0, 1] and verdict for two prepared article bodies and their shared passages."""
    settings = settings or SameStorySettings()
    len_a, len_b = max(len(a.text), 1), max(len(b.text), 1)
    shared_a = sum(len(p.a) for p in passages)
    shared_b = sum(len(p.b) for p in passages)
    coverage = max(shared_a / len_a, shared_b / len_b)
    reuse = 1.0 - math.exp(-min(shared_a, shared_b) / _REUSE_SCALE_CHARS)
    lexical = _cosine(_stem_counts(a, title_a), _stem_counts(b, title_b))
    da, db = _distinctive(a), _distinctive(b)
    rare = 2 * len(da & db) / (len(da) + len(db)) if da and db else 0.0
    ents_a = _merge(_entity_profile(a), _entity_profile(title_a))
    ents_b = _merge(_entity_profile(b), _entity_profile(title_b))
    entities = _cosine(ents_a, ents_b)
    if min(sum(ents_a.values()), sum(ents_b.values())) >= settings.min_entity_tokens:
        text_part = _ramp(entities, settings.entity_floor, settings.entity_ceiling)
    else:
        evidence = 0.5 * lexical + 0.5 * rare
        text_part = _ramp(evidence, settings.lexical_floor, settings.lexical_ceiling)
    score = 1.0 - (1.0 - reuse) * (1.0 - text_part)
    if score >= settings.same_threshold:
        verdict = "same"
    elif score >= settings.related_threshold:
        verdict = "related"
    else:
        verdict = "different"
    features = {
        "reuse": round(reuse, 4),
        "coverage": round(coverage, 4),
        "lexical": round(lexical, 4),
        "rare_overlap": round(rare, 4),
        "entities": round(entities, 4),
    }
    return SameStory(round(score, 4), verdict, features)
