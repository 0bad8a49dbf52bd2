"""Corpus-scale anchors: locality-sensitive keys of sentences (pure numpy).

Two articles that share a passage share sentences whose content stems mostly agree, even after
edits (a substituted verb, an inserted phrase, swapped words). Each sentence with enough content
stems gets ``bands`` keys; a band key is a hash of ``rows`` MinHash values of the sentence's
stem set. Two sentences with Jaccard similarity J share at least one band key with probability
``1 - (1 - J**rows) ** bands`` (J = 0.5, rows 2, bands 8: 0.90; J = 0.8: 0.9998), and a
passage of several sentences is missed only if all its sentences are.

Keys are stable 64-bit integers (same input, same keys, in any process), so they can be stored
and compared across runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from wiretrace.reuse.prepared import PreparedText


@dataclass(frozen=True, slots=True)
class AnchorSettings:
    """``bands`` x ``rows`` MinHash values per sentence; sentences with fewer than
    ``min_stems`` distinct content stems get no keys (too little evidence of copying)."""

    bands: int = 8
    rows: int = 2
    min_stems: int = 5
    seed: int = 20151126


@lru_cache(maxsize=8)
def minhash_params(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers (odd) and offsets of ``n`` universal hash functions ``a * x + b`` over uint64
    values, the same for a given ``seed`` in every process."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 61, size=n, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 61, size=n, dtype=np.uint64)
    return a, b


@dataclass(frozen=True, slots=True)
class Anchors:
    """Band keys of one text: ``keys[i]`` (uint64) belongs to sentence ``sentences[i]``."""

    keys: np.ndarray
    sentences: np.ndarray


def sentence_anchors(p: PreparedText, settings: AnchorSettings | None = None) -> Anchors:
    """Band keys of every sentence of ``p`` with at least ``min_stems`` distinct content stems."""
    s = settings or AnchorSettings()
    mask = p.content & (p.sentence_of_token >= 0)
    sent = p.sentence_of_token[mask].astype(np.int64)
    stems = p.stems[mask]
    if len(stems) == 0:
        return Anchors(np.zeros(0, np.uint64), np.zeros(0, np.int32))
    # Distinct (sentence, stem) pairs, sentence-major.
    order = np.lexsort((stems, sent))
    sent, stems = sent[order], stems[order]
    keep = np.ones(len(sent), dtype=bool)
    keep[1:] = (sent[1:] != sent[:-1]) | (stems[1:] != stems[:-1])
    sent, stems = sent[keep], stems[keep]
    starts = np.flatnonzero(np.r_[True, sent[1:] != sent[:-1]])
    sizes = np.diff(np.r_[starts, len(sent)])
    big = sizes >= s.min_stems
    if not big.any():
        return Anchors(np.zeros(0, np.uint64), np.zeros(0, np.int32))
    n_hash = s.bands * s.rows
    a, b = minhash_params(n_hash, s.seed)
    # Universal hashing of the 64-bit stems (wrapping arithmetic is fine for MinHash: any fixed
    # pseudo-random permutation-like map works, and uint64 overflow is deterministic).
    with np.errstate(over="ignore"):
        h = stems[:, None] * a[None, :] + b[None, :]
    mins = np.minimum.reduceat(h, starts, axis=0)[big]  # (sentences, n_hash)
    sentence_ids = sent[starts][big].astype(np.int32)
    key = band_keys(mins.reshape(len(mins), s.bands, s.rows))
    return Anchors(key.reshape(-1), np.repeat(sentence_ids, s.bands))


def band_keys(mins: np.ndarray) -> np.ndarray:
    """One stable uint64 key per band from MinHash values shaped ``(..., bands, rows)``: the
    band's rows and the band number hashed together; shape ``(..., bands)``."""
    bands, rows = mins.shape[-2], mins.shape[-1]
    with np.errstate(over="ignore"):
        key = np.full(mins.shape[:-1], np.uint64(0x9E3779B97F4A7C15), dtype=np.uint64)
        key = key ^ np.arange(bands, dtype=np.uint64)
        for r in range(rows):
            key = (key ^ mins[..., r]) * np.uint64(0xBF58476D1CE4E5B9)
            key ^= key >> np.uint64(31)
    return key
