"""Near-duplicate collapsing: document keys, candidate pairs, representatives, offset maps."""

from __future__ import annotations

import numpy as np

from wiretrace.reuse.collapse import (
    MAX_RUN,
    OffsetMap,
    char_blocks,
    document_keys,
    duplicate_candidates,
    jaccard,
    map_passages,
    representatives,
)
from wiretrace.reuse.near_duplicates import shingles
from wiretrace.reuse.prepared import prepare

TEXT = (
    "Der Stadtrat von Neustadt hat am Montagabend nach langer Debatte den Haushalt für das "
    "kommende Jahr beschlossen. Die Opposition kritisierte die hohen Ausgaben für den Neubau "
    "der Feuerwache am Marktplatz. Bürgermeisterin Anna Berger sprach von einem soliden Plan, "
    "der Schulen und Straßen gleichermaßen berücksichtige. Die Steuern bleiben unverändert."
)


def test_near_identical_texts_share_keys_and_different_texts_do_not() -> None:
    copy = TEXT.replace("nach langer Debatte ", "")
    other = "Ein ganz anderer Text über das Wetter am Wochenende, mit Regen und Sturm im Norden."
    k, c, o = (document_keys(shingles(prepare(t))) for t in (TEXT, copy, other))
    assert len(k) == len(c) == len(o) > 0
    assert len(np.intersect1d(k, c)) > 0
    assert len(np.intersect1d(k, o)) == 0
    assert document_keys(np.zeros(0, np.uint64)).size == 0


def test_jaccard_is_exact() -> None:
    x, y = np.array([1, 2, 3, 4], np.uint64), np.array([2, 3, 4, 5, 6], np.uint64)
    assert jaccard(x, y) == 3 / 6
    assert jaccard(np.zeros(0, np.uint64), np.zeros(0, np.uint64)) == 0.0


def test_candidates_pair_articles_sharing_a_key_and_stay_linear_for_huge_runs() -> None:
    aids = np.array([1, 2, 3, 3, 4], np.int64)
    keys = np.array([10, 10, 10, 11, 12], np.uint64)
    assert duplicate_candidates(aids, keys).tolist() == [[1, 2], [1, 3], [2, 3]]
    n = MAX_RUN + 10  # one text printed by many: a star around the first, same component
    many = duplicate_candidates(np.arange(n, dtype=np.int64), np.full(n, 5, np.uint64))
    assert len(many) == n - 1 and set(many[:, 0].tolist()) == {0}


def test_each_set_of_copies_is_represented_by_its_earliest_article() -> None:
    order = {1: (False, 3), 2: (False, 1), 3: (True, 0), 4: (False, 2), 5: (False, 9)}
    copies = representatives([(1, 2), (2, 3), (4, 5)], order)
    assert copies == {1: 2, 3: 2, 5: 4}


def test_offset_map_carries_spans_onto_the_copy() -> None:
    rep = "Alpha beta gamma delta epsilon zeta."
    copy = "Alpha beta delta epsilon zeta eta."  # "gamma" dropped, "eta" added
    blocks = char_blocks(prepare(rep), prepare(copy))
    m = OffsetMap(blocks)
    # A span inside equal words maps exactly; one starting in a dropped word moves inwards.
    start = rep.index("delta")
    s, e = m.span(start, len(rep) - 1)
    assert copy[s:e] == "delta epsilon zeta"
    s, e = m.span(rep.index("gamma"), rep.index("delta") + 5)
    assert copy[s:e] == "delta"
    assert m.span(rep.index("gamma"), rep.index("gamma") + 5) is None
    rows = map_passages([(0, 10, 100, 110, 1.0)], m, None)
    assert rows == [(0, 10, 100, 110, 1.0)] and copy[0:10] == "Alpha beta"
