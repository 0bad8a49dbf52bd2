"""Incremental candidate pairs equal candidate pairs computed from scratch."""

from __future__ import annotations

import numpy as np
import pytest

from wiretrace.reuse.candidate_update import update_candidates
from wiretrace.reuse.candidates import Candidates, candidate_pairs

RULES = {"max_df": 6, "max_outlet_df": 2, "min_shared": 3}
SENTENCE_RULES = {"min_sentence_shared": 2, "min_sentence_pairs": 2}


def _store(rng: np.random.Generator, articles: int) -> tuple[np.ndarray, ...]:
    """Random anchors: articles draw keys from the pool of one of a few stories (so that pairs
    share enough keys) and a few stock keys (shared by many articles: they turn into
    non-evidence as articles arrive, some of them within one outlet: boilerplate)."""
    aids, keys, sents = [], [], []
    for aid in range(1, articles + 1):
        story = int(rng.integers(0, 25))
        own = rng.choice(np.arange(story * 40, story * 40 + 40), int(rng.integers(4, 24)))
        stock = 5000 + rng.zipf(1.5, int(rng.integers(0, 6))) % 60
        drawn = np.r_[own, stock]
        aids.extend([aid] * len(drawn))
        keys.extend(drawn.tolist())
        sents.extend((np.arange(len(drawn)) // 3).tolist())
    return (
        np.array(aids, dtype=np.int64),
        np.array(keys, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15),
        np.array(sents, dtype=np.int64),
    )


def _scratch(members: np.ndarray, aids, keys, sents, outlets) -> Candidates:
    mine = np.isin(aids, members)
    return candidate_pairs(
        aids[mine], keys[mine], outlets, **RULES, sentences=sents[mine], **SENTENCE_RULES
    )


def _same(x: Candidates, y: Candidates) -> None:
    assert np.array_equal(x.pairs, y.pairs)
    assert np.array_equal(x.shared, y.shared)
    assert np.array_equal(x.boilerplate_keys, y.boilerplate_keys)
    assert np.array_equal(x.unusable_keys, y.unusable_keys)


@pytest.mark.parametrize("seed", range(30))
def test_updates_through_joins_and_departures_equal_a_fresh_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 120
    aids, keys, sents = _store(rng, n)
    outlets = {aid: int(rng.integers(0, 5)) for aid in range(1, n + 1)}
    members = np.arange(1, 41)
    state = _scratch(members, aids, keys, sents, outlets)
    arrivals = np.arange(41, n + 1)
    for step in range(4):
        joining = arrivals[step * 20 : (step + 1) * 20]
        # Some articles leave (they became copies of others); never the ones just joining.
        leaving = rng.choice(members, size=int(rng.integers(0, 4)), replace=False)
        after = np.union1d(np.setdiff1d(members, leaving), joining)
        state = update_candidates(
            state, members, after, aids, keys, sents, outlets, **RULES, **SENTENCE_RULES
        )
        fresh = _scratch(after, aids, keys, sents, outlets)
        _same(state, fresh)
        members = after
    assert len(state.pairs) and len(state.unusable_keys), "the random store exercises both"


def test_nothing_changed_gives_the_previous_candidates_back() -> None:
    rng = np.random.default_rng(7)
    aids, keys, sents = _store(rng, 30)
    outlets = {aid: aid for aid in range(1, 31)}
    members = np.arange(1, 31)
    state = _scratch(members, aids, keys, sents, outlets)
    again = update_candidates(
        state, members, members, aids, keys, sents, outlets, **RULES, **SENTENCE_RULES
    )
    _same(again, state)
