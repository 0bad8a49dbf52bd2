"""Pairwise alignment: every passage two texts share, verbatim or edited, with exact spans.

Two phases, as everywhere in wiretrace: cheap seeds first (sentence pairs with enough shared
rare content stems), expensive work only around them (clustering seeds into passages,
validating whole fragments, resolving overlaps, measuring token-level similarity). Cost is
linear in the texts plus the number of sentence pairs that share vocabulary.

Example::

    >>> a = "Die Präsidenten trafen sich in Moskau. Es ging um Syrien und die Opposition dort."
    >>> b = "Ganz anders. Die Präsidenten trafen sich in Moskau. Es ging um Syrien und die Opposition."
    >>> [(b[p.b.start:p.b.end]) for p in align_pair(a, b, AlignSettings(min_passage_chars=20))]
    ['Die Präsidenten trafen sich in Moskau. Es ging um Syrien und die Opposition.']
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Indel

from wiretrace.model import Passage, Span
from wiretrace.reuse.extend import Fragment, extend_seeds
from wiretrace.reuse.prepared import PreparedText, prepare
from wiretrace.reuse.vectors import PairSpace, pair_space
from wiretrace.settings import AlignSettings

__all__ = ["PreparedText", "align_pair", "align_prepared", "prepare"]


def _seeds(space: PairSpace, settings: AlignSettings) -> tuple[np.ndarray, np.ndarray]:
    """Sentence pairs (k, 2) similar enough to seed a passage, and their cosines (k,)."""
    cosine, dice = space.sentence_similarities()
    seeds = np.argwhere((cosine > settings.seed_cosine) & (dice > settings.seed_dice))
    return seeds, cosine[seeds[:, 0], seeds[:, 1]]


def _char_span(p: PreparedText, s0: int, s1: int) -> Span:
    return Span(int(p.sentences[s0, 0]), int(p.sentences[s1 - 1, 1]))


def _token_similarity(a: PreparedText, sa: Span, b: PreparedText, sb: Span) -> float:
    """Indel similarity in [0, 1] of the normalised token sequences inside two spans."""
    ia = a.tokens.ids[
        np.searchsorted(a.tokens.starts, sa.start) : np.searchsorted(a.tokens.starts, sa.end)
    ]
    ib = b.tokens.ids[
        np.searchsorted(b.tokens.starts, sb.start) : np.searchsorted(b.tokens.starts, sb.end)
    ]
    return float(Indel.normalized_similarity(ia.tolist(), ib.tolist()))


def _resolve_overlaps(fragments: list[Fragment]) -> list[Fragment]:
    """Keep the best fragments so that no two overlap in a or in b (one reuse, one passage)."""
    kept: list[Fragment] = []
    for f in sorted(fragments, key=lambda f: (-f.cosine * (f.a1 - f.a0 + f.b1 - f.b0), f.a0)):
        if all(f.a1 <= k.a0 or k.a1 <= f.a0 for k in kept) and all(
            f.b1 <= k.b0 or k.b1 <= f.b0 for k in kept
        ):
            kept.append(f)
    return kept


def align_prepared(
    a: PreparedText, b: PreparedText, settings: AlignSettings | None = None
) -> list[Passage]:
    """Passages shared by two prepared texts, sorted by start in ``a``; spans never overlap."""
    settings = settings or AlignSettings()
    if len(a.sentences) == 0 or len(b.sentences) == 0:
        return []
    space = pair_space(a, b)
    seeds, weights = _seeds(space, settings)
    if len(seeds) == 0:
        return []
    fragments = extend_seeds(
        seeds,
        weights,
        settings.max_gap,
        space.fragment_cosine,
        settings.min_fragment_cosine,
        settings.dominance_ratio,
    )
    passages: list[Passage] = []
    for f in _resolve_overlaps(fragments):
        sa, sb = _char_span(a, f.a0, f.a1), _char_span(b, f.b0, f.b1)
        if len(sa) < settings.min_passage_chars or len(sb) < settings.min_passage_chars:
            continue
        passages.append(Passage(sa, sb, round(_token_similarity(a, sa, b, sb), 4)))
    passages.sort()
    return passages


def align_pair(text_a: str, text_b: str, settings: AlignSettings | None = None) -> list[Passage]:
    """Passages shared by two texts (see ``align_prepared``)."""
    settings = settings or AlignSettings()
    return align_prepared(prepare(text_a, settings), prepare(text_b, settings), settings)
