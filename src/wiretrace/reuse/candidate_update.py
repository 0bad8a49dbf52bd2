"""Candidate pairs brought up to date after articles join or leave the set (pure numpy).

``candidate_pairs`` over a whole store sorts every stored anchor key (millions); adding a
hundred articles to it should not. The candidates of a set of articles depend only on their
anchors. When the set changes (new articles join; articles that became copies of others
leave), a key that no joining or leaving article holds keeps its articles, hence its document
frequency, its outlet counts and its verdict (evidence or not). So only the keys of joining and
leaving articles (the *touched* keys) are looked at, less the outlet boilerplate that no
leaving article holds (joins only raise outlet counts, so it stays boilerplate):

1. Pairs with a joining article: every key such a pair shares is touched, so the entries
   holding touched keys are all it takes to count them.
2. Pairs of two articles already in the set change only through a touched key whose verdict
   flipped (it crossed ``max_df``, became outlet boilerplate, or fell back below as copies
   left): those pairs are recounted over every key of their two articles.
3. Every other pair of articles still in the set is kept as it was; pairs with a leaving
   article are dropped.

The result equals ``candidate_pairs`` over the new set (the tests check it on random stores
and the news benchmark on a real one).
"""

from __future__ import annotations

import numpy as np

from wiretrace.reuse.candidates import (
    Candidates,
    is_member,
    key_verdicts,
    linked_pairs,
    outlet_table,
    pairs_within_runs,
    shared_key_runs,
)


def _table(members: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=bool)
    out[members] = True
    return out


def _replace(old: np.ndarray, touched: np.ndarray, now: np.ndarray) -> np.ndarray:
    """The sorted key set ``old`` with the verdicts on ``touched`` keys replaced by ``now``."""
    kept = old[~np.isin(old, touched, assume_unique=True)]
    return np.union1d(kept, now).astype(np.uint64)


def update_candidates(
    previous: Candidates,
    before: np.ndarray,
    after: np.ndarray,
    aids: np.ndarray,
    keys: np.ndarray,
    sentences: np.ndarray,
    outlet_of: dict[int, int],
    max_df: int,
    max_outlet_df: int,
    min_shared: int,
    min_sentence_shared: int = 1,
    min_sentence_pairs: int = 0,
) -> Candidates:
    """``candidate_pairs`` over the articles ``after`` (sorted article keys), given
    ``previous``, its result over the articles ``before``.

    ``aids``, ``keys``, ``sentences`` hold the anchors of every article in either set (others
    are ignored); the rules are those of ``candidate_pairs`` and must be the ones
    ``previous`` was computed with.
    """
    aids = aids.astype(np.int64, copy=False)
    keys = keys.astype(np.uint64, copy=False)
    sentences = sentences.astype(np.int64, copy=False)
    size = int(max(aids.max(initial=0), before.max(initial=0), after.max(initial=0))) + 1
    was, now = _table(before, size), _table(after, size)
    touched = np.unique(keys[(was != now)[aids]])
    # Outlet boilerplate stays boilerplate while articles only join (its outlet count only
    # grows): such keys (most of the touched entries: teasers are held by hundreds of
    # articles) keep their verdict unless a leaving article holds them.
    left = np.unique(keys[(was & ~now)[aids]])
    settled = np.intersect1d(touched, previous.boilerplate_keys, assume_unique=True)
    touched = np.setdiff1d(touched, np.setdiff1d(settled, left), assume_unique=True)
    if len(touched) == 0:
        return previous
    outlets = outlet_table(outlet_of)
    if len(outlets) < size:  # articles without a code: each an outlet of its own
        extra = np.arange(size - len(outlets)) + int(outlets.max(initial=-1)) + 1
        outlets = np.r_[outlets, extra]

    # Entries holding a touched key (every key of a joining article is touched, but for the
    # settled boilerplate, which is no evidence), and the verdict on each before and after.
    holding = np.flatnonzero(is_member(keys, touched))
    h_keys, h_aids, h_sents = keys[holding], aids[holding], sentences[holding]
    in_before, in_after = was[h_aids], now[h_aids]
    kb, _, _, sb, _, usable_b, _ = key_verdicts(
        h_keys[in_before], h_aids[in_before], h_sents[in_before], outlets, max_df, max_outlet_df
    )
    before_keys = kb[sb]
    k, a, sent, starts, df, usable, boilerplate_now = key_verdicts(
        h_keys[in_after], h_aids[in_after], h_sents[in_after], outlets, max_df, max_outlet_df
    )
    run_keys = k[starts]
    unusable = _replace(previous.unusable_keys, touched, np.unique(run_keys[~usable]))
    boilerplate = _replace(previous.boilerplate_keys, touched, np.unique(run_keys[boilerplate_now]))

    # 1. Pairs with a joining article: every evidence key they share is touched, so the
    # entries above hold all of it and the counts are complete (pairs of two old articles found here are
    # not: they are left to step 2 or kept from before).
    joining = now & ~was
    pairs, shared = linked_pairs(
        a, sent, starts[usable], df[usable], min_shared, min_sentence_shared, min_sentence_pairs
    )
    new_pair = joining[pairs[:, 0]] | joining[pairs[:, 1]]
    found_pairs, found_shared = [pairs[new_pair]], [shared[new_pair]]

    # 2. Pairs of two old articles that a key linked before and no longer does, or the other
    # way round (it crossed max_df, became boilerplate, or fell back as copies left):
    # recounted over every key of their two articles with the new verdicts.
    at = np.minimum(np.searchsorted(before_keys, run_keys), max(len(before_keys) - 1, 0))
    known = (before_keys[at] == run_keys) if len(before_keys) else np.zeros(len(run_keys), bool)
    flipped = known & (usable_b[at] != usable) if len(before_keys) else known
    first, second = pairs_within_runs(a, starts[flipped], df[flipped])
    old_pair = ~joining[first] & ~joining[second]
    affected = np.unique(first[old_pair] * size + second[old_pair])
    if len(affected):
        involved = _table(np.unique(np.r_[first[old_pair], second[old_pair]]), size)
        entries = np.flatnonzero(involved[aids])
        k2, a2, sent2, starts2, df2 = shared_key_runs(
            keys[entries], aids[entries], sentences[entries]
        )
        evidence = ~is_member(k2[starts2], unusable)
        pairs, shared = linked_pairs(
            a2,
            sent2,
            starts2[evidence],
            df2[evidence],
            min_shared,
            min_sentence_shared,
            min_sentence_pairs,
        )
        mine = np.isin(pairs[:, 0] * size + pairs[:, 1], affected)
        found_pairs.append(pairs[mine])
        found_shared.append(shared[mine])

    # Keep the previous pairs of articles still in the set that step 2 did not recount.
    old = previous.pairs
    keep = now[old[:, 0]] & now[old[:, 1]] & ~np.isin(old[:, 0] * size + old[:, 1], affected)
    all_pairs = np.concatenate([old[keep], *found_pairs])
    all_shared = np.concatenate([previous.shared[keep], *found_shared])
    order = np.lexsort((all_pairs[:, 1], all_pairs[:, 0]))
    return Candidates(all_pairs[order], all_shared[order], boilerplate, unusable)
