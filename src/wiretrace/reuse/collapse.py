"""Whole-article near-duplicates in a corpus: find them cheaply, collapse each set of copies to
one representative, and map passages found for the representative onto its copies.

A story printed verbatim (or with a changed word or two) by twenty outlets would otherwise be
aligned as 190 pairs, and every article sharing a paragraph with it twenty times over. Instead:

1. :func:`document_keys`: every article gets ``BANDS`` MinHash band keys of its set of 5-word
   shingles. Two articles whose shingle sets have Jaccard similarity ``J`` share a key with
   probability ``1 - (1 - J**ROWS) ** BANDS``: 0.99999 at J = 0.9, 0.998 at 0.8, 0.96 at 0.7.
2. :func:`duplicate_candidates`: pairs sharing a key; each is then verified with the exact
   Jaccard (:func:`jaccard`), so no pair is reported that is not a near-duplicate.
3. :func:`representatives`: connected components of the verified pairs at or above a threshold;
   each component is represented by its first article in a caller-given order (the earliest
   published). Only representatives take part in candidate generation and alignment; each copy
   is aligned with its representative only.
4. :func:`char_blocks` and :func:`map_passages`: the word alignment of representative and copy
   as runs of equal words (character spans on both sides) carries the passages of the
   representative onto the copy; a span boundary in a changed stretch moves to the nearest
   equal word inside the span.

Everything is a pure function of the articles involved, so a store built incrementally
collapses exactly as one built at once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

import numpy as np

from wiretrace.reuse.anchors import band_keys, minhash_params
from wiretrace.reuse.candidates import pairs_within_runs
from wiretrace.reuse.components import UnionFind
from wiretrace.reuse.prepared import PreparedText
from wiretrace.reuse.refine import matched_blocks

BANDS = 12
ROWS = 4
MAX_RUN = 64
"""Articles sharing one key beyond this many (one text printed a hundred times) are paired with
the run's first article only, not with each other: components stay the same, work linear."""

_SEED = 20151126


def document_keys(shingles: np.ndarray) -> np.ndarray:
    """``BANDS`` stable uint64 band keys of a shingle set (empty for an empty set)."""
    if len(shingles) == 0:
        return np.zeros(0, dtype=np.uint64)
    a, b = minhash_params(BANDS * ROWS, _SEED)
    with np.errstate(over="ignore"):
        mins = (shingles[:, None] * a[None, :] + b[None, :]).min(axis=0)
    return band_keys(mins.reshape(BANDS, ROWS))


def duplicate_candidates(aids: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Article pairs ``(a, b)``, ``a < b``, sorted and distinct, that share a document key.

    ``aids[i]`` holds ``keys[i]``. Runs longer than ``MAX_RUN`` pair their first (smallest)
    article with each other one.
    """
    if len(keys) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((aids, keys))
    k, a = keys[order].astype(np.uint64), aids[order].astype(np.int64)
    keep = np.ones(len(k), dtype=bool)
    keep[1:] = (k[1:] != k[:-1]) | (a[1:] != a[:-1])
    k, a = k[keep], a[keep]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    counts = np.diff(np.r_[starts, len(k)])
    small = (counts >= 2) & (counts <= MAX_RUN)
    first, second = pairs_within_runs(a, starts[small], counts[small])
    big = np.flatnonzero(counts > MAX_RUN)
    if len(big):
        lengths = counts[big] - 1
        heads = np.repeat(a[starts[big]], lengths)
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        tails = a[np.repeat(starts[big] + 1, lengths) + offsets]
        first, second = np.r_[first, heads], np.r_[second, tails]
    if len(first) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    span = int(a.max()) + 1
    codes = np.unique(np.minimum(first, second) * span + np.maximum(first, second))
    return np.stack([codes // span, codes % span], axis=1)


def jaccard(x: np.ndarray, y: np.ndarray) -> float:
    """Jaccard similarity of two sorted sets of distinct values (0.0 when both are empty)."""
    if len(x) == 0 and len(y) == 0:
        return 0.0
    inter = len(np.intersect1d(x, y, assume_unique=True))
    return inter / (len(x) + len(y) - inter)


def representatives(edges: Iterable[tuple[int, int]], order: dict[int, object]) -> dict[int, int]:
    """``{copy: representative}`` for every article in a component of ``edges`` that is not its
    component's first article by ``order[aid]`` (ties broken by aid)."""
    uf = UnionFind()
    nodes: set[int] = set()
    for a, b in edges:
        uf.union(a, b)
        nodes.update((a, b))
    components: dict[int, list[int]] = {}
    for x in sorted(nodes):
        components.setdefault(uf.find(x), []).append(x)
    out: dict[int, int] = {}
    for members in components.values():
        first = min(members, key=lambda x: (order[x], x))
        out.update({x: first for x in members if x != first})
    return out


def char_blocks(a: PreparedText, b: PreparedText) -> np.ndarray:
    """Runs of equal words of the whole-text word alignment of ``a`` and ``b``, as rows
    ``(a_start, a_end, b_start, b_end)`` of character offsets, increasing on both sides."""
    blocks = matched_blocks(a, (0, len(a.tokens)), b, (0, len(b.tokens)))
    if len(blocks) == 0:
        return np.zeros((0, 4), dtype=np.int64)
    i, j, n = blocks[:, 0], blocks[:, 1], blocks[:, 2]
    ta, tb = a.tokens, b.tokens
    return np.stack(
        [ta.starts[i], ta.ends[i + n - 1], tb.starts[j], tb.ends[j + n - 1]], axis=1
    ).astype(np.int64)


class OffsetMap:
    """Maps character offsets of a representative onto one copy along their equal-word runs."""

    def __init__(self, blocks: np.ndarray) -> None:
        self.src_starts: Sequence[int] = blocks[:, 0].tolist()
        self.src_ends: Sequence[int] = blocks[:, 1].tolist()
        self.dst_starts: Sequence[int] = blocks[:, 2].tolist()
        self.dst_ends: Sequence[int] = blocks[:, 3].tolist()

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The copy's span for ``[start, end)`` of the representative; None if no equal word
        of the copy lies inside it. Offsets inside an equal run keep their distance to the
        run's start (clamped to the run); a boundary in a changed stretch moves inwards to the
        nearest equal run."""
        k = bisect_right(self.src_ends, start)  # first run ending after start
        if k == len(self.src_ends):
            return None
        if self.src_starts[k] <= start:
            s = min(self.dst_starts[k] + start - self.src_starts[k], self.dst_ends[k])
        else:
            s = self.dst_starts[k]
        m = bisect_left(self.src_starts, end) - 1  # last run starting before end
        if m < 0:
            return None
        if end <= self.src_ends[m]:
            e = max(self.dst_starts[m] + end - self.src_starts[m], self.dst_starts[m])
        else:
            e = self.dst_ends[m]
        return (s, e) if s < e else None


PassageRow = tuple[int, int, int, int, float]


def map_passages(
    passages: Iterable[PassageRow], map_a: OffsetMap | None, map_b: OffsetMap | None
) -> list[PassageRow]:
    """Passage rows ``(a0, a1, b0, b1, similarity)`` with the a side carried by ``map_a`` and
    the b side by ``map_b`` (None: that side is kept); passages that vanish are dropped."""
    out = []
    for a0, a1, b0, b1, sim in passages:
        sa = map_a.span(a0, a1) if map_a else (a0, a1)
        sb = map_b.span(b0, b1) if map_b else (b0, b1)
        if sa is not None and sb is not None:
            out.append((sa[0], sa[1], sb[0], sb[1], sim))
    return out
