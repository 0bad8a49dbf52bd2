"""Bag-of-stems vectors of sentences and fragments for one pair of texts (tf-isf weights).

Terms are content-word stems; a term's weight in a sentence is ``tf * log(N / sf)`` where N is
the number of sentences of both texts and sf the number of those sentences containing the term
("inverse sentence frequency", as in Sanchez-Perez et al., PAN 2014). Only terms present in both
texts can contribute to a dot product, so similarity matrices are computed over that shared
vocabulary only, which keeps them small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """p's sentence-term table with its terms renumbered into the pair ``vocabulary``.

    Both term lists are sorted, so the renumbering keeps the (sentence, term) order.
    """
    position = np.searchsorted(vocabulary, p.terms).astype(np.int64)
    return _SideTerms(p.term_sentence, position[p.term_index], p.term_count, len(p.sentences))


def _cross_pairs(
    sent_a: np.ndarray, term_a: np.ndarray, sent_b: np.ndarray, term_b: np.ndarray, nb: int
) -> np.ndarray:
    """Unique ``i * nb + j`` for sentences i of a and j of b that share a term (sorted)."""
    if len(term_a) == 0 or len(term_b) == 0:
        return np.zeros(0, dtype=np.int64)
    order_b = np.argsort(term_b, kind="stable")
    term_b, sent_b = term_b[order_b], sent_b[order_b]
    lo = np.searchsorted(term_b, term_a, side="left")
    hi = np.searchsorted(term_b, term_a, side="right")
    counts = hi - lo
    first = np.repeat(lo, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    rows = np.repeat(sent_a, counts)
    cols = sent_b[first + offsets]
    return np.unique(rows * nb + cols)


@dataclass(frozen=True, slots=True)
class SentenceSimilarities:
    """Similarities of candidate sentence pairs, sorted by (row, col); absent pairs count as 0.

    ``rows``/``cols`` index sentences of a and b; ``cosine`` and ``dice`` are in [0, 1].
    """

    shape: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    cosine: np.ndarray
    dice: np.ndarray
    by_col: np.ndarray  # permutation sorting the pairs by (col, row)
    row_keys: np.ndarray  # rows * nb + cols, ascending
    col_keys: np.ndarray  # (cols * na + rows)[by_col], ascending

    def best_partner(self, axis: int, index: int, lo: int, hi: int) -> tuple[int, float]:
        """Most similar sentence to sentence ``index`` of text ``axis`` (0 = a, 1 = b) among
        sentences ``[lo, hi)`` of the other text, and its cosine (-1, 0.0 when none).

        O(log k) for k candidate pairs: pairs are kept sorted both ways.
        """
        n_other = self.shape[1 - axis]
        keys, order = (self.row_keys, None) if axis == 0 else (self.col_keys, self.by_col)
        first, last = np.searchsorted(keys, [index * n_other + lo, index * n_other + hi])
        if last <= first:
            return -1, 0.0
        sel = np.arange(first, last) if order is None else order[first:last]
        best = sel[int(np.argmax(self.cosine[sel]))]
        partner = self.cols[best] if axis == 0 else self.rows[best]
        return int(partner), float(self.cosine[best])


@dataclass(frozen=True, slots=True)
class PairSpace:
    """The joint term space of texts a and b, with tf-isf weights."""

    vocabulary: np.ndarray  # sorted uint64 stems of both texts
    isf: np.ndarray  # float64 per vocabulary term
    a: _SideTerms
    b: _SideTerms
    memo: dict[tuple[int, int, int, int], float] = field(default_factory=dict)

    def sentence_similarities(self, max_pairs_per_term: int) -> SentenceSimilarities:
        """Cosine (tf-isf) and Dice (distinct stems) of the sentence pairs that share an anchor.

        Anchors are shared terms found in at most ``max_pairs_per_term`` sentence pairs
        (sentences with the term in a x in b); more common terms cannot make a pair a candidate
        but still count in the similarity of candidates. The cost is bounded by the number of
        candidate pairs, never by na x nb, so long texts stay cheap.
        """
        a, b = self.a, self.b
        na, nb, v = a.n_sentences, b.n_sentences, len(self.vocabulary)
        sf_a = np.bincount(a.term, minlength=v)
        sf_b = np.bincount(b.term, minlength=v)
        anchor = (sf_a > 0) & (sf_b > 0) & (sf_a * sf_b <= max_pairs_per_term)
        pairs = _cross_pairs(
            a.sentence[anchor[a.term]],
            a.term[anchor[a.term]],
            b.sentence[anchor[b.term]],
            b.term[anchor[b.term]],
            nb,
        )
        rows, cols = pairs // nb, pairs % nb
        # Exact dot products and shared-term counts of candidate pairs: walk a's terms of each
        # candidate's row and look each (col, term) up in b's sorted (sentence, term) keys.
        ptr = np.searchsorted(a.sentence, np.arange(na + 1))
        lengths = ptr[rows + 1] - ptr[rows]
        pair_of = np.repeat(np.arange(len(rows)), lengths)
        offsets = np.arange(len(pair_of)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        idx = np.repeat(ptr[rows], lengths) + offsets
        keys_b = b.sentence * v + b.term  # sorted: _side_terms emits (sentence, term) order
        wanted = cols[pair_of] * v + a.term[idx]
        pos = np.minimum(np.searchsorted(keys_b, wanted), len(keys_b) - 1)
        hit = keys_b[pos] == wanted if len(keys_b) else np.zeros(0, dtype=bool)
        w_a = a.tf * self.isf[a.term]
        w_b = b.tf * self.isf[b.term]
        dot = np.bincount(pair_of[hit], weights=w_a[idx[hit]] * w_b[pos[hit]], minlength=len(rows))
        inter = np.bincount(pair_of[hit], minlength=len(rows)).astype(np.float64)
        norm_a = np.sqrt(np.bincount(a.sentence, weights=w_a * w_a, minlength=na))
        norm_b = np.sqrt(np.bincount(b.sentence, weights=w_b * w_b, minlength=nb))
        size_a = np.bincount(a.sentence, minlength=na).astype(np.float64)
        size_b = np.bincount(b.sentence, minlength=nb).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = np.nan_to_num(dot / (norm_a[rows] * norm_b[cols]))
            dice = np.nan_to_num(2.0 * inter / (size_a[rows] + size_b[cols]))
        by_col = np.lexsort((rows, cols))
        col_keys = (cols * na + rows)[by_col]
        return SentenceSimilarities((na, nb), rows, cols, cosine, dice, by_col, pairs, col_keys)

    def fragment_cosine(self, a_range: tuple[int, int], b_range: tuple[int, int]) -> float:
        """Cosine of the summed tf-isf vectors of sentences [a0, a1) of a and [b0, b1) of b.

        Sparse: the cost follows the fragments' length, not the vocabulary size. Results are
        memoised per pair space: re-clustering (smaller gaps, summary mode) asks again.
        """
        key = (a_range[0], a_range[1], b_range[0], b_range[1])
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._fragment_cosine(a_range, b_range)
        return found

    def _fragment_cosine(self, a_range: tuple[int, int], b_range: tuple[int, int]) -> float:
        terms_a, weights_a = self._fragment_vector(self.a, a_range)
        terms_b, weights_b = self._fragment_vector(self.b, b_range)
        denom = float(np.sqrt((weights_a**2).sum() * (weights_b**2).sum()))
        if denom == 0.0:
            return 0.0
        _, ia, ib = np.intersect1d(terms_a, terms_b, assume_unique=True, return_indices=True)
        return float(weights_a[ia] @ weights_b[ib]) / denom

    def _fragment_vector(
        self, side: _SideTerms, rng: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = np.searchsorted(side.sentence, rng)  # side.sentence is sorted
        terms, inverse = np.unique(side.term[lo:hi], return_inverse=True)
        weights = np.bincount(inverse, weights=side.tf[lo:hi], minlength=len(terms))
        return terms, weights * self.isf[terms]


def pair_space(a: PreparedText, b: PreparedText) -> PairSpace:
    """Build the joint term space of two prepared texts (from their sentence-term tables)."""
    vocabulary = np.union1d(a.terms, b.terms)
    side_a = _side_terms(a, vocabulary)
    side_b = _side_terms(b, vocabulary)
    n = max(side_a.n_sentences + side_b.n_sentences, 1)
    sf = np.bincount(side_a.term, minlength=len(vocabulary)) + np.bincount(
        side_b.term, minlength=len(vocabulary)
    )
    isf = np.log(n / np.maximum(sf, 1))
    return PairSpace(vocabulary, isf, side_a, side_b)
