"""Candidate article pairs from shared anchors (pure numpy; phase one of corpus reuse).

An anchor key shared by two articles is evidence that they share a sentence. Keys found in too
many articles (``max_df``: stock phrases) or in several articles of one outlet
(``max_outlet_df``: teasers, newsletter plugs, paywall notices) are boilerplate, not evidence:
they make no pair a candidate. A pair becomes a candidate when it shares at least
``min_shared`` evidence keys. The result depends only on the set of stored anchors, so a run
over everything and a sequence of incremental runs produce the same candidates.
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


def _unique_key_article(keys: np.ndarray, aids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (key, article) entries sorted by key, then article."""
    if len(aids) > 1 and bool(np.all(aids[1:] >= aids[:-1])):
        order = np.argsort(keys, kind="stable")  # already in article order: one stable sort
    else:
        order = np.lexsort((aids, keys))
    k, a = keys[order], aids[order]
    keep = np.ones(len(k), dtype=bool)
    keep[1:] = (k[1:] != k[:-1]) | (a[1:] != a[:-1])
    return k[keep], a[keep]


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


def candidate_pairs(
    aids: np.ndarray,
    keys: np.ndarray,
    outlet_of: dict[int, int],
    max_df: int,
    max_outlet_df: int,
    min_shared: int,
) -> Candidates:
    """Candidate pairs from anchors: ``aids[i]`` holds key ``keys[i]``.

    ``outlet_of`` maps an article key to a small integer outlet code (articles without outlet
    get a code of their own each, so they never count as one outlet).
    """
    empty = Candidates(np.zeros((0, 2), np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint64))
    if len(keys) == 0:
        return empty
    keys, aids = np.asarray(keys, dtype=np.uint64), np.asarray(aids, dtype=np.int64)
    shared = may_repeat(keys)  # keys held once link nothing: drop most before sorting
    k, a = _unique_key_article(keys[shared], aids[shared])
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    df = np.diff(np.r_[starts, len(k)])
    # Keys held by one article link nothing: drop them first (most keys), then work on the rest.
    shared_key = np.repeat(df >= 2, df)
    k, a = k[shared_key], a[shared_key]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, np.int64)
    df = np.diff(np.r_[starts, len(k)])
    if len(k) == 0:
        return empty
    outlet_table = np.zeros(int(max(outlet_of)) + 1, dtype=np.int64)
    outlet_table[np.fromiter(outlet_of.keys(), np.int64)] = np.fromiter(
        outlet_of.values(), np.int64
    )
    # Per key, the largest number of its articles that share one outlet; only keys with more
    # articles than max_outlet_df can exceed it.
    boilerplate = np.zeros(len(starts), dtype=bool)
    big = np.flatnonzero(df > max_outlet_df)
    if len(big):
        member = np.repeat(df > max_outlet_df, df)
        key_index = np.repeat(np.arange(len(starts)), df)[member]
        outlets = outlet_table[a[member]]
        n_outlets = int(outlets.max()) + 1
        codes, counts = np.unique(key_index * n_outlets + outlets, return_counts=True)
        too_many = np.unique(codes[counts > max_outlet_df] // n_outlets)
        boilerplate[too_many] = True
    usable = (df <= max_df) & ~boilerplate
    first, second = pairs_within_runs(a, starts[usable], df[usable])
    if len(first) == 0:
        return Candidates(empty.pairs, empty.shared, np.unique(k[starts[boilerplate]]))
    span = int(a.max()) + 1
    codes, shared = np.unique(first * span + second, return_counts=True)
    ok = shared >= min_shared
    pairs = np.stack([codes[ok] // span, codes[ok] % span], axis=1)
    return Candidates(pairs, shared[ok].astype(np.int64), np.unique(k[starts[boilerplate]]))


def boilerplate_sentences(
    aids: np.ndarray, keys: np.ndarray, sentences: np.ndarray, boilerplate_keys: np.ndarray
) -> dict[int, list[int]]:
    """Sentences (indices, ascending) of each article at least half of whose anchor keys are
    boilerplate; ``aids[i]`` holds ``keys[i]`` in sentence ``sentences[i]``."""
    if len(boilerplate_keys) == 0 or len(keys) == 0:
        return {}
    hit = is_member(keys, boilerplate_keys)
    span = int(sentences.max()) + 1
    code = aids.astype(np.int64) * span + sentences
    all_codes, all_counts = np.unique(code, return_counts=True)
    bp_codes, bp_counts = np.unique(code[hit], return_counts=True)
    total = all_counts[np.searchsorted(all_codes, bp_codes)]
    chosen = bp_codes[bp_counts * 2 >= total]  # sorted
    owners, sents = chosen // span, chosen % span
    article_ids, firsts = np.unique(owners, return_index=True)
    bounds = np.r_[firsts, len(chosen)].tolist()
    return {
        aid: sents[bounds[k] : bounds[k + 1]].tolist() for k, aid in enumerate(article_ids.tolist())
    }
