"""Whole-document near-duplicates: an exact Jaccard similarity join over word shingles.

Two documents are near-duplicates when the Jaccard similarity of their sets of ``n``-word
shingles (hashed normalised tokens) reaches a threshold. Instead of approximating Jaccard with
MinHash and LSH (which misses some pairs and reports others), this finds *every* pair at or
above the threshold with prefix filtering (Chaudhuri et al. 2006; Xiao et al., PPJoin 2008):
order each set's shingles from rarest to most common across the corpus; two sets with Jaccard
>= t must share one of the first ``|x| - ceil(t |x|) + 1`` shingles of each. Only pairs that do
are verified, exactly. Pure numpy; deterministic.

    >>> import numpy as np
    >>> sets = [np.array([1, 2, 3, 4], np.uint64), np.array([1, 2, 3, 5], np.uint64),
    ...         np.array([7, 8], np.uint64)]
    >>> pairs, jaccard = similar_pairs(sets, 0.5)
    >>> pairs.tolist(), jaccard.round(2).tolist()
    ([[0, 1]], [0.6])
"""

from __future__ import annotations

import numpy as np

from wiretrace.reuse.candidates import pairs_within_runs
from wiretrace.reuse.prepared import PreparedText
from wiretrace.text.tokens import tokenize


def shingle_hashes(ids: np.ndarray, n: int = 5) -> np.ndarray:
    """Sorted distinct hashes (uint64) of every run of ``n`` consecutive token ids."""
    if len(ids) < n:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = np.zeros(len(ids) - n + 1, dtype=np.uint64)
        for k in range(n):
            h = (h * np.uint64(0x100000001B3)) ^ ids[k : len(ids) - n + 1 + k]
            h ^= h >> np.uint64(29)
    return np.unique(h)


def shingles(p: PreparedText, n: int = 5) -> np.ndarray:
    """Sorted distinct hashes of every run of ``n`` consecutive normalised tokens of ``p``."""
    return shingle_hashes(p.tokens.ids, n)


def text_shingles(text: str, n: int = 5) -> np.ndarray:
    """:func:`shingles` of a raw text, tokenising only (no sentences, stems or term tables)."""
    return shingle_hashes(tokenize(text).ids, n)


def similar_pairs(sets: list[np.ndarray], threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)``, ``i < j``, of sets with Jaccard >= ``threshold``, and its Jaccard.

    ``sets[i]`` are sorted distinct uint64 values. Pairs are sorted; exact, not sampled.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    if len(sets) < 2 or sizes.sum() == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    values = np.concatenate(sets)
    owner = np.repeat(np.arange(len(sets)), sizes)
    distinct, inverse, df = np.unique(values, return_inverse=True, return_counts=True)
    # Rarest first (ties by value): the global order all prefixes are taken in.
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[np.lexsort((distinct, df))] = np.arange(len(distinct))
    token_rank = rank[inverse]
    order = np.lexsort((token_rank, owner))
    owner_sorted, rank_sorted = owner[order], token_rank[order]
    first_of_owner = np.r_[0, np.cumsum(sizes)[:-1]]
    position = np.arange(len(order)) - first_of_owner[owner_sorted]
    prefix_len = sizes - np.ceil(threshold * sizes - 1e-9).astype(np.int64) + 1
    in_prefix = position < prefix_len[owner_sorted]
    p_owner, p_rank = owner_sorted[in_prefix], rank_sorted[in_prefix]
    # Pairs of sets whose prefixes share a value.
    by_value = np.lexsort((p_owner, p_rank))
    p_owner, p_rank = p_owner[by_value], p_rank[by_value]
    starts = np.flatnonzero(np.r_[True, p_rank[1:] != p_rank[:-1]])
    counts = np.diff(np.r_[starts, len(p_rank)])
    first, second = pairs_within_runs(p_owner, starts, counts)
    if len(first) == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    codes = np.unique(first * len(sets) + second)
    cand_i, cand_j = codes // len(sets), codes % len(sets)
    # Size filter, then exact verification.
    small, large = (
        np.minimum(sizes[cand_i], sizes[cand_j]),
        np.maximum(sizes[cand_i], sizes[cand_j]),
    )
    keep = small >= threshold * large
    out_pairs, out_j = [], []
    for i, j in zip(cand_i[keep].tolist(), cand_j[keep].tolist(), strict=True):
        inter = len(np.intersect1d(sets[i], sets[j], assume_unique=True))
        jac = inter / (sizes[i] + sizes[j] - inter)
        if jac >= threshold - 1e-12:
            out_pairs.append((i, j))
            out_j.append(jac)
    pairs = np.array(out_pairs, dtype=np.int64).reshape(-1, 2)
    return pairs, np.array(out_j, dtype=np.float64)
