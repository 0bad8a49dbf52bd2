"""Seed extension: group sentence-pair seeds into passage pairs (pure functions).

Seeds that lie close together in *both* texts belong to one reuse. Following the PAN 2014
winning approach (Sanchez-Perez, Sidorov, Gelbukh), seeds are clustered alternately by their
position in text a and in text b, splitting wherever consecutive seeds are more than ``max_gap``
unmatched sentences apart, until the clusters no longer change. A cluster whose two fragments
are not similar enough as wholes is re-clustered with a smaller gap, so that two unrelated
reuses that happen to lie near each other are not glued together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Fragment:
    """A candidate passage pair in sentence units: ``[a0, a1)`` in a, ``[b0, b1)`` in b."""

    a0: int
    a1: int
    b0: int
    b1: int
    cosine: float
    weakest_seed: float = 1.0


Seed = tuple[int, int, int]
"""``(i, j, k)``: sentence i of a, sentence j of b, and the seed's index (into its weights)."""


def _split(seeds: list[Seed], axis: int, max_gap: int) -> list[list[Seed]]:
    """Sort seeds by their position on ``axis`` (then on the other axis) and split wherever
    consecutive positions jump by more than max_gap + 1."""
    if len(seeds) < 2:
        return [seeds]
    other = 1 - axis
    s = sorted(seeds, key=lambda seed: (seed[axis], seed[other]))
    parts, first = [], 0
    for n in range(1, len(s)):
        if s[n][axis] - s[n - 1][axis] > max_gap + 1:
            parts.append(s[first:n])
            first = n
    parts.append(s[first:])
    return parts


def _split_inversion(seeds: list[Seed], min_run: int = 2, min_drop: int = 2) -> list[list[Seed]]:
    """Split where the order of two runs of seeds is swapped between a and b.

    Seeds sorted by a form runs in which b increases. A cut is made between two adjacent runs
    when b drops by at least ``min_drop`` sentences there and both runs hold at least
    ``min_run`` seeds: two reused paragraphs printed in swapped order are two passages. Single
    out-of-order sentences (a shuffled reuse) do not split.
    """
    s = sorted(seeds, key=lambda seed: (seed[0], seed[1]))
    if len(s) < 2 * min_run:
        return [s]
    starts = [0, *(n for n in range(1, len(s)) if s[n][1] < s[n - 1][1]), len(s)]
    for prev_start, k, next_end in zip(starts, starts[1:], starts[2:], strict=False):
        if (
            k - prev_start >= min_run
            and next_end - k >= min_run
            and s[k - 1][1] - s[k][1] >= min_drop
        ):
            return [s[:k], s[k:]]
    return [s]


def _clusters(seeds: list[Seed], gap_a: int, gap_b: int, split_swaps: bool) -> list[list[Seed]]:
    pending = [seeds]
    done: list[list[Seed]] = []
    while pending:
        cluster = pending.pop()
        parts = [
            r
            for q in _split(cluster, 0, gap_a)
            for p in _split(q, 1, gap_b)
            for r in (_split_inversion(p) if split_swaps else [p])
        ]
        if len(parts) == 1:
            done.append(parts[0])
        else:
            pending.extend(parts)
    done.sort(key=lambda c: (min(seed[0] for seed in c), min(seed[1] for seed in c)))
    return done


def _as_seeds(seeds: np.ndarray) -> list[Seed]:
    return [(int(r[0]), int(r[1]), n) for n, r in enumerate(seeds.tolist())]


def cluster_seeds(
    seeds: np.ndarray, gap_a: int, gap_b: int, split_swaps: bool = True
) -> list[np.ndarray]:
    """Clusters of seeds no more than ``gap_a`` sentences apart in a and ``gap_b`` in b.

    ``seeds`` is (k, >=2) int: columns 0 and 1 are sentence indices in a and b; further columns
    are carried along untouched. With ``split_swaps``, runs printed in swapped order are
    separated (not for summaries, which reorder freely).
    """
    clusters = _clusters(_as_seeds(seeds), gap_a, gap_b, split_swaps)
    return [seeds[[seed[2] for seed in c]] for c in clusters]


def _trim_edges(
    cluster: list[Seed],
    weight: list[float],
    is_weak: Callable[[list[Seed], list[float], int], list[bool]],
) -> list[Seed]:
    """Repeatedly drop the seeds of an edge sentence (the first or last one in a, then in b)
    when all of them are weak; ``is_weak(seeds, weights, axis)`` marks weak seeds (``weight``
    is parallel to ``cluster``)."""
    c, w = cluster, weight
    while len(c) > 1:
        dropped = False
        for axis in (0, 1):
            weak = is_weak(c, w, axis)
            positions = [seed[axis] for seed in c]
            for edge in (min(positions), max(positions)):
                at_edge = [p == edge for p in positions]
                if not all(at_edge) and all(x for x, e in zip(weak, at_edge, strict=True) if e):
                    keep = [not e for e in at_edge]
                    c = [seed for seed, k in zip(c, keep, strict=True) if k]
                    w = [x for x, k in zip(w, keep, strict=True) if k]
                    dropped = True
                    break
            if dropped:
                break
        if not dropped:
            break
    return c


def _dominated(ratio: float) -> Callable[[list[Seed], list[float], int], list[bool]]:
    def dominated(c: list[Seed], w: list[float], axis: int) -> list[bool]:
        best_of_partner: dict[int, float] = {}
        for seed, x in zip(c, w, strict=True):
            partner = seed[1 - axis]
            if x > best_of_partner.get(partner, 0.0):
                best_of_partner[partner] = x
        return [
            x < ratio * best_of_partner.get(seed[1 - axis], 0.0)
            for seed, x in zip(c, w, strict=True)
        ]

    return dominated


def _trim_dominated(cluster: list[Seed], weight: list[float], ratio: float) -> list[Seed]:
    if len(cluster) < 2:
        return cluster
    return _trim_edges(cluster, weight, _dominated(ratio))


def _trim_weak(cluster: list[Seed], weight: list[float], relative: float) -> list[Seed]:
    if len(cluster) < 2:
        return cluster
    ordered = sorted(weight)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    bar = relative * median
    if all(x >= bar for x in weight):
        return cluster  # nothing weak to trim (the usual case)
    return _trim_edges(cluster, weight, lambda c, w, axis: [x < bar for x in w])


def trim_dominated_edges(cluster: np.ndarray, weight: np.ndarray, ratio: float) -> np.ndarray:
    """Drop seeds at a cluster's edges whose partner sentence has a much better partner inside.

    A heading next to a reused sentence often shares its key words ("Assad ist ein natürlicher
    Verbündeter" / "... die natürlichen Verbündeten"); it matches the same sentence on the other
    side as the real copy does, but worse. Such an edge seed (weight < ratio x the best weight of
    its partner) would stretch the passage over text that was not reused. Seeds are (k, 2) rows
    (i in a, j in b) with ``weight`` their similarity; returns the kept rows.
    """
    kept = _trim_dominated(_as_seeds(cluster), weight.tolist(), ratio)
    return cluster[[seed[2] for seed in kept]]


def trim_weak_edges(cluster: np.ndarray, weight: np.ndarray, relative: float) -> np.ndarray:
    """Drop edge seeds much weaker than the cluster's typical seed (``relative`` x median).

    Next to a verbatim copy (seed cosines near 1), a sentence that only paraphrases the source
    (cosine 0.4: an outlet's own lead retelling the agency lead) is not part of the copy. A
    uniformly rewritten reuse has uniformly weak seeds and keeps them all.
    """
    kept = _trim_weak(_as_seeds(cluster), weight.tolist(), relative)
    return cluster[[seed[2] for seed in kept]]


def extend_seeds(
    seeds: np.ndarray,
    weights: np.ndarray,
    gaps: tuple[int, int],
    fragment_cosine: Callable[[tuple[int, int], tuple[int, int]], float],
    min_cosine: float,
    dominance_ratio: float,
    weak_edge_ratio: float = 0.0,
    split_swaps: bool = True,
) -> list[Fragment]:
    """Passage candidates from seeds (k, 2) with similarities ``weights`` (k,).

    ``gaps`` are the largest gaps (sentences) inside one passage in a and in b. Each candidate
    is trimmed of dominated edge seeds and validated by whole-fragment cosine >= ``min_cosine``;
    failing candidates are re-clustered with gaps smaller by one.

    Clusters are small (a few to a few dozen seeds), so they are handled as lists of tuples:
    at that size Python is faster than numpy's per-call overhead.
    """
    if len(seeds) == 0:
        return []
    w = weights.tolist()
    out: list[Fragment] = []
    stack: list[tuple[list[Seed], tuple[int, int]]] = [(_as_seeds(seeds), gaps)]
    while stack:
        group, (gap_a, gap_b) = stack.pop()
        for cluster in _clusters(group, gap_a, gap_b, split_swaps):
            cluster = _trim_dominated(cluster, [w[seed[2]] for seed in cluster], dominance_ratio)
            cluster = _trim_weak(cluster, [w[seed[2]] for seed in cluster], weak_edge_ratio)
            a0, b0 = min(seed[0] for seed in cluster), min(seed[1] for seed in cluster)
            a1, b1 = max(seed[0] for seed in cluster) + 1, max(seed[1] for seed in cluster) + 1
            cos = fragment_cosine((a0, a1), (b0, b1))
            if cos >= min_cosine:
                weakest = min(w[seed[2]] for seed in cluster)
                out.append(Fragment(a0, a1, b0, b1, cos, weakest))
            elif max(gap_a, gap_b) > 0 and len(cluster) > 1:
                stack.append((cluster, (max(gap_a - 1, 0), max(gap_b - 1, 0))))
    out.sort(key=lambda f: (f.a0, f.b0))
    return out


def grow_fragment(
    f: Fragment,
    best_partner: Callable[[int, int, int, int], tuple[int, float]],
    shape: tuple[int, int],
    threshold: float,
    relative: float,
    window: int,
    dominance_ratio: float = 0.0,
) -> Fragment:
    """Widen a fragment by neighbouring sentences that resemble a sentence near the other side.

    Heavy rewriting (synonyms, shuffled words) leaves the edge sentences of a reuse too weak to
    seed on their own, but next to a confirmed fragment a lower bar is safe: sentence ``a0 - 1``
    joins when its best cosine with b's sentences within ``window`` of ``[b0, b1)`` reaches
    ``threshold`` and ``relative`` x the fragment's weakest seed (and likewise at the other three
    edges). The relative bar stops a near-verbatim copy from growing into loosely paraphrased
    neighbours (a rewritten lead before a copied paragraph), while a uniformly obfuscated
    reuse, whose seeds are weak too, still grows. ``best_partner(axis, index, lo, hi)`` returns
    the most similar sentence of the other text in ``[lo, hi)`` and its cosine; ``shape`` is
    (sentences in a, sentences in b). As in edge trimming, a sentence does not join through a
    partner that already has a partner inside the fragment more than 1 / ``dominance_ratio``
    times as similar (a heading that repeats a copied sentence's key words).
    """
    threshold = max(threshold, relative * f.weakest_seed)
    bounds = [[f.a0, f.a1], [f.b0, f.b1]]  # [start, end) in a, then in b
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            other = 1 - axis
            for index in (bounds[axis][0] - 1, bounds[axis][1]):
                if not 0 <= index < shape[axis]:
                    continue
                lo = max(0, bounds[other][0] - window)
                hi = min(shape[other], bounds[other][1] + window)
                partner, cos = best_partner(axis, index, lo, hi)
                if partner < 0 or cos < threshold:
                    continue
                rival = best_partner(other, partner, bounds[axis][0], bounds[axis][1])[1]
                if cos < dominance_ratio * rival:
                    continue
                bounds[axis] = [min(bounds[axis][0], index), max(bounds[axis][1], index + 1)]
                bounds[other] = [min(bounds[other][0], partner), max(bounds[other][1], partner + 1)]
                changed = True
    (a0, a1), (b0, b1) = bounds
    return Fragment(a0, a1, b0, b1, f.cosine, f.weakest_seed)
