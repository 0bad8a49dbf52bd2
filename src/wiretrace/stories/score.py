"""Same-story score of two articles, first version: shared text and lexical overlap.

Features (each in [0, 1]):

- ``reuse``: evidence from shared passages, ``1 - exp(-shared / 300)`` where ``shared`` is the
  number of characters of the shorter side inside reused passages; one copied paragraph of
  agency text (~300 characters) already gives 0.63.
- ``coverage``: the larger of the two coverages (share of an article inside passages).
- ``lexical``: cosine of sublinear-tf vectors of content-word stems of title and body, with the
  title counted twice (titles name the event).
- ``rare_overlap``: Dice overlap of the pair's *distinctive* stems: long words and numbers that
  occur in both texts, which separates "same event" from "same actors, other event" better than
  plain cosine (both mention Putin and Syria; only the same event shares "Hollande" and "130").

``score = 1 - (1 - reuse) * (1 - lexical_part)`` where ``lexical_part`` maps the lexical
features linearly between ``lexical_floor`` (no evidence) and ``lexical_ceiling`` (certain).
Issue 4 replaces this with a calibrated model over embeddings, entities and time.
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
    evidence = 0.5 * lexical + 0.5 * rare
    span = settings.lexical_ceiling - settings.lexical_floor
    lexical_part = min(1.0, max(0.0, (evidence - settings.lexical_floor) / span))
    score = 1.0 - (1.0 - reuse) * (1.0 - lexical_part)
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
    }
    return SameStory(round(score, 4), verdict, features)
