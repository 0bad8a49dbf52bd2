"""The exact near-duplicate join finds exactly the pairs a brute-force Jaccard check finds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.reuse.near_duplicates import shingles, similar_pairs
from wiretrace.reuse.prepared import prepare

small_sets = st.lists(st.sets(st.integers(0, 60), min_size=0, max_size=25), min_size=0, max_size=14)


def brute(sets: list[np.ndarray], t: float) -> list[tuple[int, int]]:
    out = []
    for i, j in itertools.combinations(range(len(sets)), 2):
        union = len(np.union1d(sets[i], sets[j]))
        if union and len(np.intersect1d(sets[i], sets[j])) / union >= t - 1e-12:
            out.append((i, j))
    return out


@settings(max_examples=60, deadline=None)
@given(small_sets, st.sampled_from([0.2, 0.5, 0.75, 1.0]))
def test_join_equals_brute_force(raw: list[set[int]], t: float) -> None:
    sets = [np.array(sorted(s), dtype=np.uint64) for s in raw]
    pairs, jaccard = similar_pairs(sets, t)
    assert [tuple(p) for p in pairs.tolist()] == brute(sets, t)
    assert all(t - 1e-12 <= j <= 1.0 for j in jaccard.tolist())


def test_threshold_out_of_range_is_an_error() -> None:
    with pytest.raises(ValueError):
        similar_pairs([np.zeros(1, np.uint64)], 0.0)


def test_shingles_ignore_case_quotes_and_wrapping() -> None:
    a = prepare("Der Rat hat den „Haushalt“ für 2025 am Montag beschlossen.")
    b = prepare('der Rat hat den "Haushalt" für\n2025 am Montag beschlossen')
    assert np.array_equal(shingles(a), shingles(b))
    assert len(shingles(prepare("zu kurz"))) == 0
