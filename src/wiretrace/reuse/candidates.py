"""Candidate article pairs from shared anchors (pure numpy; phase one of corpus reuse).

An anchor key shared by two articles is evidence that they share a sentence. Keys found in too
many articles (``max_df``: stock phrases) or in several articles of one outlet
(``max_outlet_df``: teasers, newsletter plugs, paywall notices) are boilerplate, not evidence:
they make no pair a candidate. A pair becomes a candidate when it shares at least
``min_shared`` evidence keys, and (given the sentence of every key) at least
``min_sentence_shared`` of them between one sentence of each article: one sentence pair whose
stems largely agree is the evidence of copying that a loose key family (few MinHash rows, many
bands: it also catches heavily edited sentences) needs, while keys scattered over unrelated
sentence pairs are what two articles on one topic share by chance. The result depends only on
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


def _unique_key_article(
    keys: np.ndarray, aids: np.ndarray, sentences: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (key, article) entries sorted by key, then article, with the sentence of the
    first occurrence of each."""
    if len(aids) > 1 and bool(np.all(aids[1:] >= aids[:-1])):
        order = np.argsort(keys, kind="stable")  # already in article order: one stable sort
    else:
        order = np.lexsort((aids, keys))
    k, a, s = keys[order], aids[order], sentences[order]
    keep = np.ones(len(k), dtype=bool)
    keep[1:] = (k[1:] != k[:-1]) | (a[1:] != a[:-1])
    return k[keep], a[keep], s[keep]


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
    sentences: np.ndarray | None = None,
    min_sentence_shared: int = 1,
) -> Candidates:
    """Candidate pairs from anchors: ``aids[i]`` holds key ``keys[i]``, found in its sentence
    ``sentences[i]`` (needed when ``min_sentence_shared`` > 1).

    ``outlet_of`` maps an article key to a small integer outlet code (articles without outlet
    get a code of their own each, so they never count as one outlet).
    """
    empty = Candidates(np.zeros((0, 2), np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint64))
    if len(keys) == 0:
        return empty
    if sentences is None:
        sentences = np.zeros(len(keys), dtype=np.int64)
    k, a, sent = _unique_key_article(
        keys.astype(np.uint64), aids.astype(np.int64), sentences.astype(np.int64)
    )
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    df = np.diff(np.r_[starts, len(k)])
    # Keys held by one article link nothing: drop them first (most keys), then work on the rest.
    shared_key = np.repeat(df >= 2, df)
    k, a, sent = k[shared_key], a[shared_key], sent[shared_key]
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
    bp_keys = np.unique(k[starts[boilerplate]])
    first, second = pairs_within_runs(np.arange(len(a)), starts[usable], df[usable])
    if len(first) == 0:
        return Candidates(empty.pairs, empty.shared, bp_keys)
    span = int(a.max()) + 1
    codes, pair_of, shared = np.unique(
        a[first] * span + a[second], return_inverse=True, return_counts=True
    )
    ok = shared >= min_shared
    if min_sentence_shared > 1:
        ok &= _most_shared_by_a_sentence_pair(pair_of, sent[first], sent[second], len(codes)) >= (
            min_sentence_shared
        )
    pairs = np.stack([codes[ok] // span, codes[ok] % span], axis=1)
    return Candidates(pairs, shared[ok].astype(np.int64), bp_keys)


def _most_shared_by_a_sentence_pair(
    pair_of: np.ndarray, sent_first: np.ndarray, sent_second: np.ndarray, n_pairs: int
) -> np.ndarray:
    """Per article pair, the largest number of its shared keys that link one sentence of the
    first article with one sentence of the second."""
    order = np.lexsort((sent_second, sent_first, pair_of))
    p, s1, s2 = pair_of[order], sent_first[order], sent_second[order]
    new = np.ones(len(p), dtype=bool)
    new[1:] = (p[1:] != p[:-1]) | (s1[1:] != s1[:-1]) | (s2[1:] != s2[:-1])
    run_starts = np.flatnonzero(new)
    run_sizes = np.diff(np.r_[run_starts, len(p)])
    run_pair = p[run_starts]
    firsts = np.flatnonzero(np.r_[True, run_pair[1:] != run_pair[:-1]])  # runs are pair-major
    most = np.zeros(n_pairs, dtype=np.int64)
    if len(firsts):
        most[run_pair[firsts]] = np.maximum.reduceat(run_sizes, firsts)
    return most
