"""Bag-of-stems vectors of sentences and fragments for one pair of texts (tf-isf weights).

Terms are content-word stems; a term's weight in a sentence is ``tf * log(N / sf)`` where N is
the number of sentences of both texts and sf the number of those sentences containing the term
("inverse sentence frequency", as in Sanchez-Perez et al., PAN 2014). Only terms present in both
texts can contribute to a dot product, so similarity matrices are computed over that shared
vocabulary only, which keeps them small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wiretrace.reuse.prepared import PreparedText


@dataclass(frozen=True, slots=True)
class _SideTerms:
    """Sparse (sentence, term, tf) triples of one text, terms indexed in the pair vocabulary."""

    sentence: np.ndarray  # int64
    term: np.ndarray  # int64, index into PairSpace.vocabulary
    tf: np.ndarray  # float64 counts
    n_sentences: int


def _side_terms(p: PreparedText, vocabulary: np.ndarray) -> _SideTerms:
    mask = p.content & (p.sentence_of_token >= 0)
    sent = p.sentence_of_token[mask].astype(np.int64)
    term = np.searchsorted(vocabulary, p.stems[mask]).astype(np.int64)
    v = len(vocabulary)
    keys, counts = np.unique(sent * v + term, return_counts=True)
    return _SideTerms(keys // v, keys % v, counts.astype(np.float64), len(p.sentences))


@dataclass(frozen=True, slots=True)
class PairSpace:
    """The joint term space of texts a and b, with tf-isf weights."""

    vocabulary: np.ndarray  # sorted uint64 stems of both texts
    isf: np.ndarray  # float64 per vocabulary term
    a: _SideTerms
    b: _SideTerms

    def sentence_similarities(self) -> tuple[np.ndarray, np.ndarray]:
        """Cosine (tf-isf) and Dice (distinct stems) of every sentence pair, shapes (na, nb)."""
        a, b = self.a, self.b
        shared = np.intersect1d(np.unique(a.term), np.unique(b.term))
        na, nb = a.n_sentences, b.n_sentences
        if len(shared) == 0 or na == 0 or nb == 0:
            zeros = np.zeros((na, nb))
            return zeros, zeros
        counts_a = self._dense(a, shared)
        counts_b = self._dense(b, shared)
        w = self.isf[shared].astype(np.float32)
        dot = (counts_a * w) @ (counts_b * w).T
        norm_a = self._norms(a)
        norm_b = self._norms(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = np.nan_to_num(dot / np.outer(norm_a, norm_b))
            inter = (counts_a > 0).astype(np.float32) @ (counts_b > 0).astype(np.float32).T
            size_a = np.bincount(a.sentence, minlength=na).astype(np.float32)
            size_b = np.bincount(b.sentence, minlength=nb).astype(np.float32)
            dice = np.nan_to_num(2.0 * inter / (size_a[:, None] + size_b[None, :]))
        return cosine, dice

    def _dense(self, side: _SideTerms, shared: np.ndarray) -> np.ndarray:
        col = np.searchsorted(shared, side.term)
        col_c = np.minimum(col, len(shared) - 1)
        hit = shared[col_c] == side.term
        out = np.zeros((side.n_sentences, len(shared)), dtype=np.float32)
        out[side.sentence[hit], col_c[hit]] = side.tf[hit]
        return out

    def _norms(self, side: _SideTerms) -> np.ndarray:
        w = side.tf * self.isf[side.term]
        return np.sqrt(np.bincount(side.sentence, weights=w * w, minlength=side.n_sentences))

    def fragment_cosine(self, a_range: tuple[int, int], b_range: tuple[int, int]) -> float:
        """Cosine of the summed tf-isf vectors of sentences ``[a0, a1)`` of a and ``[b0, b1)`` of b."""
        va = self._fragment_vector(self.a, a_range)
        vb = self._fragment_vector(self.b, b_range)
        denom = float(np.linalg.norm(va) * np.linalg.norm(vb))
        return float(va @ vb) / denom if denom > 0 else 0.0

    def _fragment_vector(self, side: _SideTerms, rng: tuple[int, int]) -> np.ndarray:
        lo, hi = np.searchsorted(side.sentence, rng)  # side.sentence is sorted
        term = side.term[lo:hi]
        return np.bincount(
            term, weights=side.tf[lo:hi] * self.isf[term], minlength=len(self.vocabulary)
        )


def pair_space(a: PreparedText, b: PreparedText) -> PairSpace:
    """Build the joint term space of two prepared texts."""
    stems_a = a.stems[a.content & (a.sentence_of_token >= 0)]
    stems_b = b.stems[b.content & (b.sentence_of_token >= 0)]
    vocabulary = np.unique(np.concatenate([stems_a, stems_b]))
    side_a = _side_terms(a, vocabulary)
    side_b = _side_terms(b, vocabulary)
    n = max(side_a.n_sentences + side_b.n_sentences, 1)
    sf = np.bincount(side_a.term, minlength=len(vocabulary)) + np.bincount(
        side_b.term, minlength=len(vocabulary)
    )
    isf = np.log(n / np.maximum(sf, 1))
    return PairSpace(vocabulary, isf, side_a, side_b)
