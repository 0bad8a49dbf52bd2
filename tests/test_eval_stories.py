"""wiretrace.eval.pairs (``wiretrace eval pairs``) and wiretrace.eval.clustering.

The articles and ratings are our own fictional writing; clustering scores are checked against
values computed by hand.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wiretrace.cli import app
from wiretrace.eval.clustering import adjusted_rand_index, bcubed_scores, pairwise_scores
from wiretrace.eval.pairs import pearson, spearman

ARTICLES = [
    {
        "id": "ferry-1",
        "lang": "en",
        "title": "Kellmouth opens new ferry terminal",
        "text": "The town of Kellmouth opened its new ferry terminal on Tuesday. Mayor Orla "
        "Brennick cut the ribbon and said the building would bring visitors to the coast. "
        "Ferries to Skarra and Lunde will leave every two hours, Northwind Lines said.",
    },
    {
        "id": "ferry-2",
        "lang": "en",
        "title": "Ferries leave from Kellmouth's modern hall",
        "text": "After three years of work, Kellmouth's ferry terminal opened on Tuesday. Mayor "
        "Orla Brennick spoke to residents. Northwind Lines will run ferries to Skarra and Lunde.",
    },
    {
        "id": "ferry-de",
        "lang": "de",
        "title": "Kellmouth eröffnet neues Fährterminal",
        "text": "Die Küstenstadt Kellmouth hat am Dienstag ihr neues Fährterminal eröffnet. "
        "Bürgermeisterin Orla Brennick durchschnitt das Band. Northwind Lines fährt nach Skarra.",
    },
    {
        "id": "concert",
        "lang": "en",
        "title": "Orchestra announces winter season",
        "text": "The regional orchestra announced its winter programme on Friday. Conductor Ilse "
        "Marwood will lead eight concerts, including two premieres by young composers.",
    },
    {
        "id": "bakery",
        "lang": "en",
        "title": "Bakery wins regional prize",
        "text": "A family bakery in Dunmore won the regional bread prize on Saturday. Owner Tam "
        "Quill thanked her staff and said the sourdough recipe was her grandmother's.",
    },
]
PAIRS = [  # id1, id2, overall (1 = same story ... 4 = unrelated), a second score column
    ("ferry-1", "ferry-2", 1.0, 4.0),
    ("ferry-1", "ferry-de", 1.5, 3.5),
    ("ferry-2", "concert", 4.0, 1.0),
    ("ferry-de", "bakery", 4.0, 1.0),
    ("concert", "bakery", 3.5, 1.5),
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8"
    )
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "pair_id,id1,id2,overall,similarity\n"
        + "".join(f"{a}_{b},{a},{b},{o},{s}\n" for a, b, o, s in PAIRS),
        encoding="utf-8",
    )
    return pairs, corpus


def run(*args: str):
    return CliRunner().invoke(app, ["eval", "pairs", *args])


def test_eval_pairs_prints_pearson_spearman_and_n(files: tuple[Path, Path]) -> None:
    pairs, corpus = files
    result = run(str(pairs), "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.stdout.strip().splitlines())
    assert lines["pairs"] == "5"
    assert float(lines["pearson"].split()[0]) > 0.8  # same-story pairs score higher
    # Two unrelated pairs (4.0 and 3.5) both score 0 (nothing in common, no embedding needed):
    # the tie costs Spearman a little on five pairs.
    assert float(lines["spearman"]) > 0.7


def test_eval_pairs_json_and_a_named_column_where_high_means_similar(
    files: tuple[Path, Path],
) -> None:
    pairs, corpus = files
    low = json.loads(run(str(pairs), "--corpus", str(corpus), "--json").stdout)
    high = run(
        str(pairs), "--corpus", str(corpus), "--column", "similarity", "--high-is-similar", "--json"
    )
    assert high.exit_code == 0, high.output
    data = json.loads(high.stdout)
    assert set(data) == {"n", "pearson", "spearman"} and data["n"] == 5
    # similarity = 5 - overall: the same ranking, so the same correlations.
    assert data["pearson"] == pytest.approx(low["pearson"], abs=1e-3)
    assert data["spearman"] == pytest.approx(low["spearman"], abs=1e-3)


def test_eval_pairs_missing_column_is_a_one_line_error(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    _, corpus = files
    bad = tmp_path / "bad.csv"
    bad.write_text("first,second,overall\nferry-1,ferry-2,1\n", encoding="utf-8")
    result = run(str(bad), "--corpus", str(corpus))
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and "missing columns id1, id2" in err and str(bad) in err
    result = run(str(files[0]), "--corpus", str(corpus), "--column", "rating")
    assert result.exit_code == 2 and "missing column rating" in result.stderr


def test_eval_pairs_unknown_id_and_bad_rating_name_the_line(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    _, corpus = files
    bad = tmp_path / "bad.csv"
    bad.write_text("id1,id2,overall\nferry-1,ferry-2,1\nferry-1,nowhere,2\n", encoding="utf-8")
    result = run(str(bad), "--corpus", str(corpus))
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"wiretrace: {bad}:3: unknown article id 'nowhere' (not in the corpus)"
    )
    bad.write_text("id1,id2,overall\nferry-1,ferry-2,high\n", encoding="utf-8")
    result = run(str(bad), "--corpus", str(corpus))
    assert (
        result.exit_code == 2 and f"{bad}:2:" in result.stderr and "not a number" in result.stderr
    )


def test_correlations_by_hand() -> None:
    assert pearson([1, 2, 3, 4], [2, 4, 6, 8]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    assert spearman([1, 2, 3, 4], [1, 8, 27, 64]) == pytest.approx(1.0)
    # Ties share their mean rank: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4).
    assert spearman([1, 5, 5, 9], [1, 2, 3, 4]) == pytest.approx(0.9486833, abs=1e-6)
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3])) and math.isnan(pearson([1], [2]))


# --- clustering metrics -----------------------------------------------------------------------

TRUTH = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}
PREDICTED = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y", "f": "z"}


def test_pairwise_scores_by_hand() -> None:
    # Together in truth: ab ac bc de (4); in predicted: ab cd ce de (4); in both: ab de (2).
    assert pairwise_scores(TRUTH, PREDICTED) == pytest.approx((0.5, 0.5, 0.5))
    assert pairwise_scores(TRUTH, TRUTH) == (1.0, 1.0, 1.0)
    singletons = {k: k for k in TRUTH}
    assert pairwise_scores(TRUTH, singletons) == (1.0, 0.0, 0.0)  # claims nothing, misses all


def test_bcubed_scores_by_hand() -> None:
    # Precision per item: a, b 2/2; c 1/3; d, e 2/3; f 1/1 -> (1 + 1 + 1/3 + 2/3 + 2/3 + 1) / 6.
    # Recall per item: a, b 2/3; c 1/3; d, e 2/2; f 1/1 -> (2/3 + 2/3 + 1/3 + 1 + 1 + 1) / 6.
    p, r, f = bcubed_scores(TRUTH, PREDICTED)
    assert p == pytest.approx(14 / 18) and r == pytest.approx(14 / 18)
    assert f == pytest.approx(14 / 18)
    one = {k: 0 for k in TRUTH}  # everything in one cluster: recall 1, precision low
    p, r, _ = bcubed_scores(TRUTH, one)
    assert r == 1.0 and p == pytest.approx((3 * 3 / 6 + 2 * 2 / 6 + 1 / 6) / 6)


def test_adjusted_rand_index_by_hand() -> None:
    # n = 6, 15 pairs; sum over cells C(n_ij, 2) = 2 (ab, de); rows: C(3,2)+C(2,2) = 4;
    # columns: C(2,2)+C(3,2) = 4; expected = 4 * 4 / 15; max = 4.
    expected = 16 / 15
    assert adjusted_rand_index(TRUTH, PREDICTED) == pytest.approx((2 - expected) / (4 - expected))
    assert adjusted_rand_index(PREDICTED, TRUTH) == pytest.approx(
        adjusted_rand_index(TRUTH, PREDICTED)
    )
    assert adjusted_rand_index(TRUTH, {k: f"{v}!" for k, v in TRUTH.items()}) == 1.0
    # Two clusters of two, crossed: index 0, expected 2 * 2 / 6, max 2 -> ARI = -0.5.
    assert adjusted_rand_index(
        {"a": 0, "b": 0, "c": 1, "d": 1}, {"a": 0, "b": 1, "c": 0, "d": 1}
    ) == pytest.approx(-0.5)


def test_clusterings_of_different_items_are_an_error() -> None:
    with pytest.raises(ValueError, match="different items"):
        pairwise_scores({"a": 1}, {"b": 1})
