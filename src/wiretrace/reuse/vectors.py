"""Bag-of-stems vectors of sentences and fragments for one pair of texts (tf-isf weights).

Terms are content-word stems; a term's weight in a sentence is ``tf * log(N / sf)`` where N is
the number of sentences of both texts and sf the number of those sentences containing the term
("inverse sentence frequency", as in Sanchez-Perez et al., PAN 2014). Only terms present in both
texts ("shared terms") can contribute to a dot product, so products are computed over them
alone; the other terms count only in norms. Per-text tables (sentence-term rows, sentence
frequencies) come from ``prepare``; per pair, one pass over each text's rows computes weights and
norms, and the rest follows the candidate sentence pairs and the shared vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wiretrace.reuse.prepared import PreparedText


def _shared_terms(terms_a: np.ndarray, terms_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(ia, ib)`` of the stems both sorted, distinct stem arrays hold, ascending.

    Binary search of the shorter array in the longer: O(short * log(long)).
    """
    swap = len(terms_a) > len(terms_b)
    short, long = (terms_b, terms_a) if swap else (terms_a, terms_b)
    if len(short) == 0 or len(long) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    pos = np.minimum(np.searchsorted(long, short), len(long) - 1)
    hit = long[pos] == short
    i_short, i_long = np.nonzero(hit)[0], pos[hit].astype(np.int64)
    return (i_long, i_short) if swap else (i_short, i_long)


def _rows_of(ptr: np.ndarray, sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the sentence-term table belonging to ``sentences`` (in order), and for each row
    the position of its sentence in ``sentences``."""
    lengths = ptr[sentences + 1] - ptr[sentences]
    owner = np.repeat(np.arange(len(sentences)), lengths)
    offsets = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(ptr[sentences], lengths) + offsets, owner


def _term_join(term_a: np.ndarray, term_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ``(i, j)`` with ``term_a[i] == term_b[j]``: positions into the two term arrays."""
    if len(term_a) == 0 or len(term_b) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order_b = np.argsort(term_b, kind="stable")
    sorted_b = term_b[order_b]
    lo = np.searchsorted(sorted_b, term_a, side="left")
    counts = np.searchsorted(sorted_b, term_a, side="right") - lo
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.arange(len(term_a)), counts), order_b[np.repeat(lo, counts) + offsets]


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
class _Side:
    """One text of a pair: its prepared tables and, per term of the text, the term's index
    among the pair's shared terms (-1 when the other text lacks it) and its isf: log of N over
    the term's sentence frequency in both texts (in this text alone for terms the other lacks).
    """

    p: PreparedText
    shared_index: np.ndarray  # int64, len(p.terms)
    isf: np.ndarray  # float64, len(p.terms)

    @property
    def n_sentences(self) -> int:
        return len(self.p.sentences)


@dataclass(frozen=True, slots=True)
class PairSpace:
    """The joint term space of texts a and b, with tf-isf weights.

    ``sf_a``/``sf_b`` are the sentence frequencies of the shared terms (ascending stem order)
    in each text and ``isf`` their weights.
    """

    a: _Side
    b: _Side
    sf_a: np.ndarray
    sf_b: np.ndarray
    isf: np.ndarray
    memo: dict[tuple[int, int, int, int], float] = field(default_factory=dict)

    def _weights(self, side: _Side) -> tuple[np.ndarray, np.ndarray]:
        """Tf-isf weight of each row of the side's sentence-term table, and each sentence's
        Euclidean norm."""
        p = side.p
        weights = p.term_count * side.isf[p.term_index]
        norms = np.sqrt(
            np.bincount(p.term_sentence, weights=weights * weights, minlength=len(p.sentences))
        )
        return weights, norms

    def sentence_similarities(
        self, max_pairs_per_term: int, min_cosine: float = 0.0
    ) -> SentenceSimilarities:
        """Cosine (tf-isf) and Dice (distinct stems) of the sentence pairs that share an anchor.

        Anchors are shared terms found in at most ``max_pairs_per_term`` sentence pairs
        (sentences with the term in a x in b); more common terms cannot make a pair a candidate
        but still count in the similarity of candidates. The cost is bounded by the number of
        candidate pairs, never by na x nb, so long texts stay cheap.

        Pairs whose cosine is certainly below ``min_cosine`` are left out (absent pairs count
        as 0): the anchors' share of the dot product is exact, and the other shared terms can
        add at most the product of the two sentences' norm shares in those terms
        (Cauchy-Schwarz). Every pair with cosine ``>= min_cosine`` is kept, with the same
        values as without the bound. A long ticker paired with a report has thousands of
        candidates sharing one place name; about one in ten survives the bound.
        """
        a, b = self.a, self.b
        na, nb, k = a.n_sentences, b.n_sentences, len(self.isf)
        weights_a, norms_a = self._weights(a)
        weights_b, norms_b = self._weights(b)
        shared_a = a.shared_index[a.p.term_index]
        shared_b = b.shared_index[b.p.term_index]
        anchor = np.append(self.sf_a * self.sf_b <= max_pairs_per_term, False)  # [-1]: unshared
        anchor_a = np.nonzero(anchor[shared_a])[0]
        anchor_b = np.nonzero(anchor[shared_b])[0]
        ja, jb = _term_join(shared_a[anchor_a], shared_b[anchor_b])
        ja, jb = anchor_a[ja], anchor_b[jb]  # rows of the two tables holding the same anchor
        keys = a.p.term_sentence[ja] * nb + b.p.term_sentence[jb]
        if min_cosine > 0.0 and len(keys):
            pairs, pair_of_join = np.unique(keys, return_inverse=True)
            anchor_dot = np.bincount(pair_of_join, weights=weights_a[ja] * weights_b[jb])
            rows, cols = pairs // nb, pairs % nb
            with np.errstate(divide="ignore", invalid="ignore"):
                bound = np.nan_to_num(anchor_dot / (norms_a[rows] * norms_b[cols]))
                bound += (
                    self._common_share(a, weights_a, norms_a, shared_a, anchor)[rows]
                    * (self._common_share(b, weights_b, norms_b, shared_b, anchor)[cols])
                )
            pairs = pairs[bound >= min_cosine - 1e-9]  # tolerance: rounding of the bound
        else:
            pairs = np.unique(keys)
        rows, cols = pairs // nb, pairs % nb
        # Exact dot products and shared-term counts of candidate pairs: walk a's shared terms of
        # each candidate's row and look each (col, term) up in b's sorted (sentence, term) keys.
        in_a, in_b = shared_a >= 0, shared_b >= 0
        sent_a, term_a = a.p.term_sentence[in_a], shared_a[in_a]
        sent_b, term_b = b.p.term_sentence[in_b], shared_b[in_b]
        ptr = np.concatenate([[0], np.cumsum(np.bincount(sent_a, minlength=na))])
        idx, pair_of = _rows_of(ptr, rows)
        keys_b = sent_b * k + term_b
        wanted = cols[pair_of] * k + term_a[idx]
        pos = np.minimum(np.searchsorted(keys_b, wanted), max(len(keys_b) - 1, 0))
        hit = keys_b[pos] == wanted if len(keys_b) else np.zeros(0, dtype=bool)
        w_a = weights_a[in_a][idx[hit]]
        w_b = weights_b[in_b][pos[hit]]
        dot = np.bincount(pair_of[hit], weights=w_a * w_b, minlength=len(rows))
        inter = np.bincount(pair_of[hit], minlength=len(rows)).astype(np.float64)
        size_a = np.diff(a.p.term_ptr).astype(np.float64)
        size_b = np.diff(b.p.term_ptr).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = np.nan_to_num(dot / (norms_a[rows] * norms_b[cols]))
            dice = np.nan_to_num(2.0 * inter / (size_a[rows] + size_b[cols]))
        by_col = np.lexsort((rows, cols))
        col_keys = (cols * na + rows)[by_col]
        return SentenceSimilarities((na, nb), rows, cols, cosine, dice, by_col, pairs, col_keys)

    @staticmethod
    def _common_share(
        side: _Side,
        weights: np.ndarray,
        norms: np.ndarray,
        shared: np.ndarray,
        anchor: np.ndarray,
    ) -> np.ndarray:
        """Per sentence: the share of its norm in shared terms that are not anchors."""
        common = (shared >= 0) & ~anchor[shared]
        part = np.bincount(
            side.p.term_sentence[common],
            weights=weights[common] ** 2,
            minlength=len(norms),
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num(np.sqrt(part) / norms)

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
        shared_a, weights_a = self._fragment_vector(self.a, a_range)
        shared_b, weights_b = self._fragment_vector(self.b, b_range)
        denom = float(np.sqrt((weights_a**2).sum() * (weights_b**2).sum()))
        if denom == 0.0:
            return 0.0
        in_a, in_b = shared_a >= 0, shared_b >= 0
        _, ia, ib = np.intersect1d(
            shared_a[in_a], shared_b[in_b], assume_unique=True, return_indices=True
        )
        return float(weights_a[in_a][ia] @ weights_b[in_b][ib]) / denom

    def _fragment_vector(self, side: _Side, rng: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The fragment's distinct terms as shared-term indices (-1: not shared) and weights,
        in ascending stem order."""
        lo, hi = side.p.term_ptr[rng[0]], side.p.term_ptr[rng[1]]
        # Summed counts over all of the text's terms, then the terms present (ascending):
        # cheaper than sorting the fragment's rows for a text of a few thousand terms.
        tf = np.bincount(
            side.p.term_index[lo:hi], weights=side.p.term_count[lo:hi], minlength=len(side.p.terms)
        )
        terms = np.flatnonzero(tf)
        return side.shared_index[terms], tf[terms] * side.isf[terms]


def _side(p: PreparedText, shared: np.ndarray, shared_sf: np.ndarray, n: int) -> _Side:
    index = np.full(len(p.terms), -1, dtype=np.int64)
    index[shared] = np.arange(len(shared))
    sf = p.term_sf.copy()
    sf[shared] = shared_sf
    return _Side(p, index, np.log(n / np.maximum(sf, 1)))


def pair_space(a: PreparedText, b: PreparedText) -> PairSpace:
    """Build the joint term space of two prepared texts (from their sentence-term tables)."""
    ia, ib = _shared_terms(a.terms, b.terms)
    n = max(len(a.sentences) + len(b.sentences), 1)
    sf_a, sf_b = a.term_sf[ia], b.term_sf[ib]
    side_a, side_b = _side(a, ia, sf_a + sf_b, n), _side(b, ib, sf_a + sf_b, n)
    return PairSpace(side_a, side_b, sf_a, sf_b, side_a.isf[ia])
