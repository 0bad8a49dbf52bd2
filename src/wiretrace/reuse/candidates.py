"""Candidate article pairs from shared anchors (pure numpy; phase one of corpus reuse).

An anchor key shared by two articles is evidence that they share a sentence. Keys found in too
many articles (``max_df``: stock phrases) or in several articles of one outlet
(``max_outlet_df``: teasers, newsletter plugs, paywall notices) are boilerplate, not evidence:
they make no pair a candidate. A pair becomes a candidate when it shares at least
``min_shared`` evidence keys, and (given the sentence of every key) at least
``min_sentence_shared`` of them between one sentence of each article, or at least two keys in
each of ``min_sentence_pairs`` sentence pairs: one sentence pair whose stems largely agree, or
several that partly agree (a heavily edited passage), is the evidence of copying that a loose
key family (few MinHash rows, many bands: it also catches heavily edited sentences) needs,
while keys scattered one by one over unrelated sentence pairs are what two articles on one
topic share by chance. The result depends only on
the set of stored anchors, so a run over everything and a sequence of incremental runs produce
the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate pairs ``(a, b)`` with ``a < b`` (article keys), sorted, and their shared-key
    counts; ``boilerplate_keys`` (sorted uint64) are the keys rejected as outlet boilerplate."""

    pairs: np.ndarray  # (k, 2) int64
    shared: np.ndarray  # (k,) int64
    boilerplate_keys: np.ndarray
    unusable_keys: np.ndarray
    """Sorted uint64 keys held by several articles that are no evidence: outlet boilerplate
    or found in more than ``max_df`` articles (what an incremental update starts from)."""


_EMPTY = Candidates(
    np.zeros((0, 2), np.int64),
    np.zeros(0, np.int64),
    np.zeros(0, np.uint64),
    np.zeros(0, np.uint64),
)


_TABLE_BITS = 22
_TABLE_MASK = np.uint64((1 << _TABLE_BITS) - 1)


def _low_bits_table(members: np.ndarray) -> np.ndarray:
    table = np.zeros(1 << _TABLE_BITS, dtype=bool)
    table[(members & _TABLE_MASK).view(np.int64)] = True
    return table


def is_member(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """``np.isin(values, members)`` for uint64 arrays, fast when ``members`` is small: a bit
    table of the members' low bits rules most values out, the rest are checked exactly."""
    if len(members) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    maybe = np.flatnonzero(_low_bits_table(members)[(values & _TABLE_MASK).view(np.int64)])
    ordered = np.unique(members)
    pos = np.minimum(np.searchsorted(ordered, values[maybe]), len(ordered) - 1)
    out = np.zeros(len(values), dtype=bool)
    out[maybe[ordered[pos] == values[maybe]]] = True
    return out


def may_repeat(keys: np.ndarray) -> np.ndarray:
    """A mask holding every key that occurs more than once, and a few that do not (keys whose
    low bits equal those of a repeated key). Most anchor keys belong to one sentence of one
    article: sorting the values alone (no permutation) and a bit table rule them out cheaply."""
    ordered = np.sort(keys)
    repeats = ordered[1:][ordered[1:] == ordered[:-1]]
    return _low_bits_table(repeats)[(keys & _TABLE_MASK).view(np.int64)]


def sorted_rows(columns: list[np.ndarray], bounds: list[int]) -> list[np.ndarray]:
    """The rows ``(columns[0][i], columns[1][i], ...)`` sorted lexicographically (non-negative
    integer columns, ``columns[j] < bounds[j]``).

    Packs each row into one int64 (bit fields) and sorts the codes, much faster than an
    argsort, when the bounds fit in 62 bits; falls back to ``np.lexsort`` otherwise.
    """
    bits = [max(1, (int(b) - 1).bit_length()) for b in bounds]
    if sum(bits) <= 62:
        code = np.zeros(len(columns[0]), dtype=np.int64)
        for col, width in zip(columns, bits, strict=True):
            code <<= width
            code |= col
        code.sort()
        out = []
        for width in reversed(bits):
            out.append(code & ((1 << width) - 1))
            code >>= width
        return out[::-1]
    order = np.lexsort(columns[::-1])
    return [col[order] for col in columns]


def _unique_key_article(
    keys: np.ndarray, aids: np.ndarray, sentences: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (key, article) entries of keys found more than once, sorted by key, then
    article, each with its first sentence."""
    order = np.argsort(keys)  # unstable: the order inside a run of one key is fixed below
    k = keys[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    counts = np.diff(np.r_[starts, len(k)])
    repeated = counts >= 2  # keys found once link nothing: dropped before the second sort
    in_repeated = np.repeat(repeated, counts)
    run = np.repeat(np.cumsum(repeated) - 1, counts)[in_repeated]
    idx = order[in_repeated]
    if len(idx) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return keys[:0], empty, empty
    bounds = [int(repeated.sum()), int(aids.max()) + 1, int(sentences.max()) + 1]
    run, a, s = sorted_rows([run, aids[idx], sentences[idx]], bounds)
    keep = np.ones(len(run), dtype=bool)
    keep[1:] = (run[1:] != run[:-1]) | (a[1:] != a[:-1])
    return k[starts[repeated]][run[keep]], a[keep], s[keep]


def pairs_within_runs(
    members: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of members inside each run ``members[starts[r] : starts[r] + counts[r]]``.

    Returns ``(first, second)`` arrays with ``first`` the earlier member of the run; runs of
    one member give nothing. Runs of equal length are expanded together (one triangle each).
    """
    firsts, seconds = [], []
    for n in np.unique(counts[counts >= 2]).tolist():
        block = members[starts[counts == n][:, None] + np.arange(n)[None, :]]
        i, j = np.triu_indices(n, 1)
        firsts.append(block[:, i].reshape(-1))
        seconds.append(block[:, j].reshape(-1))
    if not firsts:
        empty = np.zeros(0, dtype=members.dtype)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def outlet_table(outlet_of: dict[int, int]) -> np.ndarray:
    """``outlet_of`` (article key -> outlet code) as an array indexed by article key."""
    table = np.zeros(int(max(outlet_of, default=0)) + 1, dtype=np.int64)
    if outlet_of:
        table[np.fromiter(outlet_of.keys(), np.int64)] = np.fromiter(outlet_of.values(), np.int64)
    return table


def shared_key_runs(
    keys: np.ndarray, aids: np.ndarray, sentences: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (key, article) entries of the keys held by at least two articles, sorted by
    key then article, each with its first sentence: ``(key, article, sentence, starts, df)``
    with one run ``[starts[r], starts[r] + df[r])`` per key, ``df`` its number of articles."""
    keys = keys.astype(np.uint64, copy=False)
    shared_mask = may_repeat(keys)  # keys held once link nothing: drop most before sorting
    k, a, sent = _unique_key_article(
        keys[shared_mask],
        aids.astype(np.int64, copy=False)[shared_mask],
        sentences.astype(np.int64, copy=False)[shared_mask],
    )
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, np.int64)
    df = np.diff(np.r_[starts, len(k)])
    # Keys held by one article (several times) link nothing either.
    shared_key = np.repeat(df >= 2, df)
    k, a, sent = k[shared_key], a[shared_key], sent[shared_key]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, np.int64)
    return k, a, sent, starts, np.diff(np.r_[starts, len(k)])


def outlet_boilerplate(
    articles: np.ndarray,
    starts: np.ndarray,
    df: np.ndarray,
    outlets: np.ndarray,
    max_outlet_df: int,
) -> np.ndarray:
    """Per key run (see ``shared_key_runs``), whether more than ``max_outlet_df`` of its
    articles share one outlet (``outlets`` indexed by article key)."""
    boilerplate = np.zeros(len(starts), dtype=bool)
    big = df > max_outlet_df  # only keys with more articles than that can exceed it
    if big.any():
        member = np.repeat(big, df)
        key_index = np.repeat(np.arange(len(starts)), df)[member]
        codes_of = outlets[articles[member]]
        n_outlets = int(codes_of.max()) + 1
        codes, counts = np.unique(key_index * n_outlets + codes_of, return_counts=True)
        boilerplate[np.unique(codes[counts > max_outlet_df] // n_outlets)] = True
    return boilerplate


def key_verdicts(
    keys: np.ndarray,
    aids: np.ndarray,
    sentences: np.ndarray,
    outlets: np.ndarray,
    max_df: int,
    max_outlet_df: int,
) -> tuple[np.ndarray, ...]:
    """The key runs of ``shared_key_runs`` ``(key, article, sentence, starts, df)`` and, per
    run, whether its key is evidence (held by at most ``max_df`` articles and not outlet
    boilerplate) and whether it is outlet boilerplate (``outlets`` indexed by article key)."""
    k, a, sent, starts, df = shared_key_runs(keys, aids, sentences)
    boilerplate = outlet_boilerplate(a, starts, df, outlets, max_outlet_df)
    return k, a, sent, starts, df, (df <= max_df) & ~boilerplate, boilerplate


def linked_pairs(
    a: np.ndarray,
    sent: np.ndarray,
    starts: np.ndarray,
    df: np.ndarray,
    min_shared: int,
    min_sentence_shared: int,
    min_sentence_pairs: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs ``(k, 2)`` (sorted, ``a < b``) and their shared-key counts from the
    evidence key runs ``a[starts[r] : starts[r] + df[r]]`` (articles, sorted, with the
    sentence of each entry in ``sent``); see the module docstring for the rules."""
    first, second = pairs_within_runs(np.arange(len(a)), starts, df)
    if len(first) == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
    # Every (article, article, sentence, sentence) link of a shared key, sorted: runs of equal
    # rows are keys shared by one sentence pair, runs of equal article pairs are candidates.
    span, n_sent = int(a.max()) + 1, int(sent.max()) + 1
    a1, a2, s1, s2 = sorted_rows(
        [a[first], a[second], sent[first], sent[second]], [span, span, n_sent, n_sent]
    )
    new_link = np.ones(len(a1), dtype=bool)
    new_link[1:] = (a1[1:] != a1[:-1]) | (a2[1:] != a2[:-1]) | (s1[1:] != s1[:-1])
    new_link[1:] |= s2[1:] != s2[:-1]
    link_starts = np.flatnonzero(new_link)
    link_sizes = np.diff(np.r_[link_starts, len(a1)])
    la1, la2 = a1[link_starts], a2[link_starts]
    pair_starts = np.flatnonzero(np.r_[True, (la1[1:] != la1[:-1]) | (la2[1:] != la2[:-1])])
    shared = np.add.reduceat(link_sizes, pair_starts)
    most = np.maximum.reduceat(link_sizes, pair_starts)
    evidence = most >= min_sentence_shared
    if min_sentence_pairs > 0:
        strong = np.add.reduceat((link_sizes >= 2).astype(np.int64), pair_starts)
        evidence |= strong >= min_sentence_pairs
    ok = (shared >= min_shared) & evidence
    pairs = np.stack([la1[pair_starts][ok], la2[pair_starts][ok]], axis=1).astype(np.int64)
    return pairs, shared[ok].astype(np.int64)


def candidate_pairs(
    aids: np.ndarray,
    keys: np.ndarray,
    outlet_of: dict[int, int],
    max_df: int,
    max_outlet_df: int,
    min_shared: int,
    sentences: np.ndarray | None = None,
    min_sentence_shared: int = 1,
    min_sentence_pairs: int = 0,
) -> Candidates:
    """Candidate pairs from anchors: ``aids[i]`` holds key ``keys[i]``, found in its sentence
    ``sentences[i]`` (needed when ``min_sentence_shared`` > 1 or ``min_sentence_pairs`` > 0;
    ``min_sentence_pairs = 0`` switches the second rule off).

    ``outlet_of`` maps an article key to a small integer outlet code (articles without outlet
    get a code of their own each, so they never count as one outlet).
    """
    if len(keys) == 0:
        return _EMPTY
    if sentences is None:
        sentences = np.zeros(len(keys), dtype=np.int64)
    runs = key_verdicts(keys, aids, sentences, outlet_table(outlet_of), max_df, max_outlet_df)
    k, a, sent, starts, df, usable, boilerplate = runs
    if len(k) == 0:
        return _EMPTY
    pairs, shared = linked_pairs(
        a, sent, starts[usable], df[usable], min_shared, min_sentence_shared, min_sentence_pairs
    )
    return Candidates(
        pairs, shared, np.unique(k[starts[boilerplate]]), np.unique(k[starts[~usable]])
    )


def boilerplate_sentences(
    aids: np.ndarray, keys: np.ndarray, sentences: np.ndarray, boilerplate_keys: np.ndarray
) -> dict[int, list[int]]:
    """Sentences (indices, ascending) of each article at least half of whose anchor keys are
    boilerplate; ``aids[i]`` holds ``keys[i]`` in sentence ``sentences[i]``."""
    if len(boilerplate_keys) == 0 or len(keys) == 0:
        return {}
    hit = is_member(keys, boilerplate_keys)
    if not hit.any():
        return {}
    span = int(sentences.max()) + 1
    code = aids.astype(np.int64) * span + sentences
    bp_codes, bp_counts = np.unique(code[hit], return_counts=True)
    # Keys per sentence: the store lists anchors by article, then sentence, so the codes are
    # usually sorted already and two binary searches count them without a sort.
    if len(code) > 1 and not bool((code[1:] >= code[:-1]).all()):
        code = np.sort(code)
    total = np.searchsorted(code, bp_codes, "right") - np.searchsorted(code, bp_codes, "left")
    chosen = bp_codes[bp_counts * 2 >= total]  # sorted
    owners, sents = chosen // span, chosen % span
    article_ids, firsts = np.unique(owners, return_index=True)
    bounds = np.r_[firsts, len(chosen)].tolist()
    return {
        aid: sents[bounds[k] : bounds[k + 1]].tolist() for k, aid in enumerate(article_ids.tolist())
    }
