"""wiretrace.reuse.extend: seeds (sentence pairs) -> passage candidates, on hand-built arrays.

Seeds are rows ``(i, j)``: sentence i of text a resembles sentence j of text b.
"""

from __future__ import annotations

import numpy as np
import pytest

from wiretrace.reuse.extend import (
    Fragment,
    cluster_seeds,
    extend_seeds,
    grow_fragment,
    trim_dominated_edges,
)


def seeds(*rows: tuple[int, int]) -> np.ndarray:
    return np.asarray(rows, dtype=np.int64).reshape(-1, 2)


def as_sets(clusters: list[np.ndarray]) -> list[set[tuple[int, int]]]:
    return [{(int(r[0]), int(r[1])) for r in c} for c in clusters]


# --- cluster_seeds ---------------------------------------------------------------------------


def test_a_diagonal_run_is_one_cluster() -> None:
    run = seeds((3, 7), (4, 8), (5, 9), (6, 10))
    assert as_sets(cluster_seeds(run, 4, 4)) == [set(map(tuple, run.tolist()))]


@pytest.mark.parametrize("gap_sentences", [0, 1, 4])
def test_seeds_at_most_max_gap_sentences_apart_stay_together(gap_sentences: int) -> None:
    step = gap_sentences + 1  # gap_sentences unmatched sentences lie between the two seeds
    clusters = cluster_seeds(seeds((0, 0), (step, step)), 4, 4)
    assert len(clusters) == 1


def test_five_unmatched_sentences_split_with_max_gap_four() -> None:
    assert as_sets(cluster_seeds(seeds((0, 0), (6, 6)), 4, 4)) == [{(0, 0)}, {(6, 6)}]


def test_a_gap_on_one_axis_alone_splits() -> None:
    """Close in a but far apart in b (or the reverse): two reuses, not one."""
    assert as_sets(cluster_seeds(seeds((0, 0), (1, 10)), 4, 4)) == [{(0, 0)}, {(1, 10)}]
    assert as_sets(cluster_seeds(seeds((0, 0), (10, 1)), 4, 4)) == [{(0, 0)}, {(10, 1)}]


def test_gaps_are_per_axis() -> None:
    far_in_b = seeds((0, 0), (1, 10))
    assert len(cluster_seeds(far_in_b, 0, 9)) == 1  # b allows 9 sentences between
    assert len(cluster_seeds(far_in_b, 9, 8)) == 2


def test_splitting_alternates_between_the_axes_until_stable() -> None:
    """Interleaved in a, two separate runs in b: split on b, then each part is checked on a."""
    interleaved = seeds((0, 0), (1, 20), (2, 1), (3, 21), (20, 2))
    assert as_sets(cluster_seeds(interleaved, 4, 4)) == [
        {(0, 0), (2, 1)},
        {(1, 20), (3, 21)},
        {(20, 2)},
    ]


def test_clusters_are_sorted_and_extra_columns_are_carried_along() -> None:
    rows = np.asarray([[30, 30, 0], [0, 5, 1], [1, 6, 2]], dtype=np.int64)
    clusters = cluster_seeds(rows, 4, 4)
    assert [c[:, 2].tolist() for c in clusters] == [[1, 2], [0]]


# --- trim_dominated_edges -------------------------------------------------------------------


def test_a_weak_edge_seed_whose_partner_has_a_better_partner_is_trimmed() -> None:
    """A heading (a0) repeats the key words of copied sentence b1, which is really a1's copy."""
    cluster = seeds((0, 1), (1, 1), (2, 2))
    weight = np.array([0.5, 1.0, 1.0])
    assert trim_dominated_edges(cluster, weight, 0.8).tolist() == [[1, 1], [2, 2]]


def test_an_edge_seed_close_enough_to_the_best_is_kept() -> None:
    cluster = seeds((0, 1), (1, 1), (2, 2))
    weight = np.array([0.85, 1.0, 1.0])  # 0.85 >= 0.8 * 1.0
    assert trim_dominated_edges(cluster, weight, 0.8).tolist() == cluster.tolist()


def test_an_edge_seed_without_a_rival_is_kept_however_weak() -> None:
    cluster = seeds((0, 0), (1, 1), (2, 2))
    weight = np.array([0.1, 1.0, 1.0])
    assert trim_dominated_edges(cluster, weight, 0.8).tolist() == cluster.tolist()


def test_dominated_seeds_inside_the_cluster_are_kept() -> None:
    """Only edges are trimmed: inside a passage a weak seed does not change its extent."""
    cluster = seeds((0, 0), (1, 2), (2, 2), (3, 3))
    weight = np.array([1.0, 0.3, 1.0, 1.0])
    assert trim_dominated_edges(cluster, weight, 0.8).tolist() == cluster.tolist()


def test_trimming_repeats_at_both_ends_and_on_the_b_axis() -> None:
    # b0 and b4 each pair with a sentence of a that has a much better partner inside.
    cluster = seeds((1, 0), (1, 1), (2, 2), (3, 3), (3, 4))
    weight = np.array([0.4, 1.0, 1.0, 1.0, 0.4])
    assert trim_dominated_edges(cluster, weight, 0.8).tolist() == [[1, 1], [2, 2], [3, 3]]


def test_trimming_never_empties_a_cluster() -> None:
    assert trim_dominated_edges(seeds((4, 4)), np.array([0.01]), 0.8).tolist() == [[4, 4]]


# --- extend_seeds -----------------------------------------------------------------------------


def test_extend_seeds_makes_one_fragment_per_reuse() -> None:
    s = seeds((0, 10), (1, 11), (2, 12), (20, 0), (21, 1))
    w = np.array([0.9, 0.8, 0.7, 1.0, 1.0])
    frags = extend_seeds(s, w, (4, 4), lambda ra, rb: 0.9, 0.34, 0.8)
    assert frags == [
        Fragment(0, 3, 10, 13, 0.9, pytest.approx(0.7)),
        Fragment(20, 22, 0, 2, 0.9, 1.0),
    ]


def test_a_dissimilar_whole_is_split_again_with_smaller_gaps() -> None:
    """Two reuses three sentences apart join at max_gap 4; as a whole they are not similar
    (fragment cosine below the minimum), so they are re-clustered until they separate."""
    s = seeds((0, 0), (1, 1), (4, 4), (5, 5))
    w = np.ones(4)
    calls: list[tuple[tuple[int, int], tuple[int, int]]] = []

    def fragment_cosine(ra: tuple[int, int], rb: tuple[int, int]) -> float:
        calls.append((ra, rb))
        return 0.2 if ra == (0, 6) else 0.9

    frags = extend_seeds(s, w, (4, 4), fragment_cosine, 0.34, 0.8)
    assert [(f.a0, f.a1, f.b0, f.b1) for f in frags] == [(0, 2, 0, 2), (4, 6, 4, 6)]
    assert calls.count(((0, 6), (0, 6))) == 3  # gaps 4, 3 and 2 still join them; 1 does not


def test_a_dissimilar_single_seed_is_dropped() -> None:
    assert extend_seeds(seeds((0, 0)), np.ones(1), (4, 4), lambda ra, rb: 0.1, 0.34, 0.8) == []


def test_no_seeds_no_fragments() -> None:
    assert extend_seeds(seeds(), np.ones(0), (4, 4), lambda ra, rb: 1.0, 0.34, 0.8) == []


# --- grow_fragment ----------------------------------------------------------------------------


def partner_lookup(cosine: np.ndarray):  # noqa: ANN201 - the callable grow_fragment expects
    """``best_partner(axis, index, lo, hi)`` over a dense (na, nb) cosine matrix."""

    def best_partner(axis: int, index: int, lo: int, hi: int) -> tuple[int, float]:
        row = cosine[index, lo:hi] if axis == 0 else cosine[lo:hi, index]
        if len(row) == 0 or row.max() <= 0:
            return -1, 0.0
        k = int(np.argmax(row))
        return lo + k, float(row[k])

    return best_partner


def fragment_matrix(n: int, inside: range, extra: dict[tuple[int, int], float]) -> np.ndarray:
    """An n x n cosine matrix: 1.0 on the diagonal for ``inside``, ``extra`` entries, else 0."""
    m = np.zeros((n, n))
    for i in inside:
        m[i, i] = 1.0
    for (i, j), v in extra.items():
        m[i, j] = v
    return m


def grow(f: Fragment, cosine: np.ndarray, **kw: float) -> Fragment:
    args = {"threshold": 0.2, "relative": 0.5, "window": 2, "dominance_ratio": 0.8} | kw
    return grow_fragment(
        f,
        partner_lookup(cosine),
        cosine.shape,
        args["threshold"],
        args["relative"],
        int(args["window"]),
        args["dominance_ratio"],
    )


def test_a_fragment_grows_by_similar_neighbours_on_both_ends() -> None:
    cos = fragment_matrix(8, range(2, 6), {(1, 1): 0.6, (6, 6): 0.55, (7, 7): 0.1})
    f = Fragment(2, 6, 2, 6, 0.9, weakest_seed=0.9)  # bar: max(0.2, 0.5 x 0.9) = 0.45
    assert grow(f, cos) == Fragment(1, 7, 1, 7, 0.9, 0.9)


def test_growth_repeats_while_neighbours_keep_joining() -> None:
    cos = fragment_matrix(8, range(3, 5), {(2, 2): 0.5, (1, 1): 0.5, (0, 0): 0.5})
    assert grow(Fragment(3, 5, 3, 5, 1.0, 1.0), cos) == Fragment(0, 5, 0, 5, 1.0, 1.0)


def test_a_neighbour_may_join_on_one_side_only() -> None:
    """b splits a2's copy into two sentences b1 and b2: the passage widens in b alone."""
    cos = fragment_matrix(6, range(2, 5), {(2, 1): 0.9})
    grown = grow(Fragment(2, 5, 2, 5, 1.0, 1.0), cos)
    assert grown == Fragment(2, 5, 1, 5, 1.0, 1.0)


def test_the_relative_bar_keeps_a_verbatim_copy_from_growing_into_a_paraphrase() -> None:
    cos = fragment_matrix(6, range(2, 6), {(1, 1): 0.3})  # a rewritten lead before a copy
    f = Fragment(2, 6, 2, 6, 1.0, weakest_seed=1.0)
    assert grow(f, cos) == f
    # ... while a uniformly obfuscated reuse, whose seeds are weak too, does grow.
    weak = Fragment(2, 6, 2, 6, 0.4, weakest_seed=0.35)
    assert grow(weak, cos) == Fragment(1, 6, 1, 6, 0.4, 0.35)
    # The absolute bar (threshold) still holds for weak fragments.
    assert grow(weak, cos, threshold=0.31) == weak


def test_growth_looks_for_partners_only_within_the_window() -> None:
    cos = fragment_matrix(12, range(2, 5), {(1, 9): 0.9})  # a1's partner lies far away in b
    f = Fragment(2, 5, 2, 5, 0.9, weakest_seed=0.9)
    assert grow(f, cos, window=2) == f
    assert grow(f, cos, window=5) == Fragment(1, 5, 2, 10, 0.9, 0.9)


def test_a_neighbour_does_not_join_through_a_partner_with_a_much_better_match_inside() -> None:
    cos = fragment_matrix(6, range(2, 4), {(1, 2): 0.6})  # a1 (a heading) resembles b2,
    f = Fragment(2, 4, 2, 4, 0.9, weakest_seed=0.9)  # whose real copy a2 is inside (1.0)
    assert grow(f, cos, dominance_ratio=0.8) == f
    assert grow(f, cos, dominance_ratio=0.0) == Fragment(1, 4, 2, 4, 0.9, 0.9)


def test_growth_stops_at_the_text_edges() -> None:
    cos = fragment_matrix(3, range(3), {})
    assert grow(Fragment(1, 2, 1, 2, 1.0, 1.0), cos) == Fragment(0, 3, 0, 3, 1.0, 1.0)
