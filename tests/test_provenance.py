"""Who copied whom: pair relations, with the bundled corpus's truth and the canonical pair."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from wiretrace.io.readers import load_corpus, read_text_article
from wiretrace.pipeline import analyze
from wiretrace.report.compare import compare, comparison_to_dict
from wiretrace.report.export import article_records, pair_records
from wiretrace.report.provenance import Side, pair_relation, time_span
from wiretrace.settings import Settings
from wiretrace.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
TRUTH = json.loads((ROOT / "examples" / "truth.json").read_text(encoding="utf-8"))
EXAMPLES = ROOT.parent / "shared" / "examples"
NWA = Settings().with_overrides({"corpus": {"agencies": ["nwa"]}})


def test_a_day_ties_with_any_time_that_day() -> None:
    day = Side("a", "2025-01-09", "Blatt")
    morning = Side("b", "2025-01-09T06:10:00+01:00", "Welle")
    next_day = Side("c", "2025-01-10T06:10:00+01:00", "Welle")
    assert pair_relation(day, morning).kind == "undetermined"
    assert pair_relation(day, next_day).kind == "b_from_a"
    assert time_span("2025-01-09")[1] - time_span("2025-01-09")[0] == __import__("datetime").timedelta(days=1)
    assert pair_relation(Side("a", None, "X"), morning).kind == "undetermined"


def test_a_credited_common_agency_beats_time() -> None:
    early = Side("a", "2025-01-09T06:00:00+01:00", "Blatt", ("dpa",))
    late = Side("b", "2025-01-09T09:00:00+01:00", "Welle", ("AFP", "dpa"))
    r = pair_relation(early, late)
    assert (r.kind, r.source) == ("common_source", "dpa")
    assert any("both credit dpa" in e for e in r.evidence)


@pytest.mark.parametrize("dated", [True, False])
def test_the_bundled_corpus_relations_dated_and_undated(tmp_path: Path, dated: bool) -> None:
    articles = list(load_corpus(ROOT / "examples" / "corpus.jsonl").values())
    if not dated:
        articles = [dataclasses.replace(a, published=None) for a in articles]
    db = tmp_path / "w.db"
    analyze(articles, str(db), settings=NWA, jobs=1)
    with Store.open(db, read_only=True) as store:
        got = {(r["a"]["id"], r["b"]["id"]): r["relation"] for r in pair_records(store)}
        records = {r["id"]: r for r in article_records(store)}
    for want in TRUTH["relations"]:
        key = (want["a"], want["b"])
        relation = got.get(key)
        if relation is None:  # the store orients pairs by key; the truth by story order
            relation = got[(want["b"], want["a"])]
            flip = {"a_from_b": "b_from_a", "b_from_a": "a_from_b"}
            relation = {**relation, "kind": flip.get(relation["kind"], relation["kind"])}
        assert (relation["kind"], relation["source"]) == (want["kind"], want["source"]), key
        assert relation["evidence"] and 0 < relation["confidence"] <= 1
    # No article's main source is its own reprint.
    for r in records.values():
        if r["sources"]:
            main = r["sources"][0]["id"]
            assert not any(
                t["kind"] == "b_from_a" and t["a"] == r["id"] and t["b"] == main
                for t in TRUTH["relations"]
            ), (r["id"], main)
    assert records["flood-wire"]["originality"] == 1.0
    for article_id, credits in TRUTH["credits"].items():
        assert records[article_id]["agencies"] == credits["text"]


@pytest.mark.skipif(not EXAMPLES.exists(), reason="needs ../shared/examples")
def test_the_canonical_pair_is_a_common_source_via_dpa() -> None:
    a = read_text_article(EXAMPLES / "moskau-regional-dpa.txt")
    b = read_text_article(EXAMPLES / "moskau-huffpost.txt")
    record = comparison_to_dict(compare(a, b, Settings()))
    assert record["relation"]["kind"] == "common_source"
    assert record["relation"]["source"] == "dpa"
    assert (record["a"]["credits"], record["a"]["image_credits"]) == (["dpa"], [])
    assert (record["b"]["credits"], record["b"]["image_credits"]) == (["AP", "dpa"], ["AFP"])


def test_group_origins() -> None:
    from wiretrace.report.provenance import group_origin

    sides = {
        1: Side("a", "2025-01-09T06:00:00+01:00", "Blatt A", ("dpa",)),
        2: Side("b", "2025-01-09T07:00:00+01:00", "Blatt B", ("dpa",)),
        3: Side("c", "2025-01-09T08:00:00+01:00", "Blatt C"),
        4: Side("d", "2025-01-09T09:00:00+01:00", "Blatt D"),
        5: Side("e", "2025-01-12T09:00:00+01:00", "Blatt E"),
        6: Side("w", "2025-01-09T05:00:00+01:00", "Agentur (dpa)", ("dpa",)),
    }
    sim = {(1, 2): 0.9, (1, 3): 0.8, (2, 3): 1.0}
    # at least half credit dpa
    assert group_origin([1, 2, 3], sides, sim)[0] == {"kind": "agency", "name": "dpa"}
    # the agency's own copy is among the printers: it is the source
    assert group_origin([6, 1, 3], sides, {})[0] == {"kind": "article", "name": "w"}
    # three outlets within hours, none credited: an agency text not in the corpus
    assert group_origin([3, 4, 1], sides | {1: Side("a", "2025-01-09T06:00:00+01:00", "Blatt A")}, {})[0] == {
        "kind": "unknown wire", "name": None
    }
    # days apart, no credit: the evidence does not say
    assert group_origin([3, 5], sides, {})[0] == {"kind": None, "name": None}
    # the best witness: the version closest to all others
    assert group_origin([1, 2, 3], sides, sim)[1] == 2


def test_the_outlet_view(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from wiretrace.cli import app
    from wiretrace.report.outlets import outlet_records

    db = tmp_path / "w.db"
    analyze(list(load_corpus(ROOT / "examples" / "corpus.jsonl").values()), str(db), settings=NWA, jobs=1)
    with Store.open(db, read_only=True) as store:
        rows = {r["outlet"]: r for r in outlet_records(store)}
    for r in rows.values():
        assert abs(r["agency_share"] + r["reused_share"] + r["original_share"] - 1) < 1e-3
        taken = (r["agency_share"] + r["reused_share"]) * r["chars"]
        assert abs(sum(f["chars"] for f in r["reused_from"]) - taken) <= len(r["reused_from"]) + 1
    # the online rewrite is nearly all agency copy, taken from the agency's own wire
    jetzt = rows["NachrichtenJetzt"]
    assert jetzt["agency_share"] > 0.95 and jetzt["original_share"] < 0.05
    assert jetzt["reused_from"][0]["outlet"] == "Nordwest-Agentur (nwa)"
    assert rows["Nordwest-Agentur (nwa)"]["original_share"] == 1.0
    from wiretrace.report.html import render_report

    with Store.open(db, read_only=True) as store:
        report = render_report(store)
    assert report.count("<svg") == 2 and "took 2,634 characters from Nordwest-Agentur (nwa)" in report
    result = CliRunner().invoke(app, ["outlets", "--db", str(db)])
    assert result.exit_code == 0 and "NachrichtenJetzt" in result.stdout
    result = CliRunner().invoke(app, ["export", "--db", str(db), "--what", "outlets"])
    assert result.exit_code == 0
    assert {json.loads(line)["outlet"] for line in result.stdout.splitlines()} == set(rows)


def test_two_rewrites_of_a_wire_not_in_the_corpus_come_out_as_its_common_source() -> None:
    # Like the canonical pair, in our own fictional world: both rewrites credit the agency
    # (nwa), the wire itself is not there, and the earlier rewrite is not the other's source.
    articles = load_corpus(ROOT / "examples" / "corpus.jsonl")
    jetzt = articles["flood-jetzt"]  # ends "Mit Material der nwa"
    kurier = dataclasses.replace(
        articles["flood-kurier"], text=articles["flood-kurier"].text + "\n\n(nwa)"
    )
    record = comparison_to_dict(compare(jetzt, kurier, NWA), agencies=("nwa",))
    assert (record["relation"]["kind"], record["relation"]["source"]) == ("common_source", "nwa")
    assert record["a"]["credits"] == record["b"]["credits"] == ["nwa"]


def test_compare_shows_the_relation_and_credits(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from wiretrace.cli import app

    result = CliRunner().invoke(
        app, ["compare", str(ROOT / "examples" / "pair" / "agency.txt"),
              str(ROOT / "examples" / "pair" / "rewrite.txt"), "--no-color", "--agency", "nwa"]
    )
    assert result.exit_code == 0, result.stderr
    assert "Credits: a nwa · b nwa" in result.stdout
    assert "Relation: common source nwa" in result.stdout
