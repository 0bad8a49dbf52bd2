"""The library views behind the faces (report.browse, report.article_view, report.side_by_side,
report.html) and the CLI's ``show`` command and ``analyze --out`` report.html."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from webstore import CORPUS, ROOT, build_store

from wiretrace.cli import app
from wiretrace.io.readers import read_text_article
from wiretrace.report.article_view import article_view, article_view_to_dict, segments
from wiretrace.report.browse import fts_query, list_stories, timeline
from wiretrace.report.html import render_report
from wiretrace.report.side_by_side import side_by_side
from wiretrace.store.db import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("views"))


def test_segments_tile_the_text_and_list_covering_groups() -> None:
    segs = segments(20, [(2, 10, 1), (5, 12, 2)])
    assert [(s.start, s.end, s.groups) for s in segs] == [
        (0, 2, ()),
        (2, 5, (1,)),
        (5, 10, (1, 2)),
        (10, 12, (2,)),
        (12, 20, ()),
    ]


def test_fts_query_quotes_user_input() -> None:
    assert fts_query('Hochwasser "AND" Ram') == '"Hochwasser" "AND" "Ram"*'
    assert fts_query(" -* ") is None


def test_timeline_places_articles_by_outlet_and_time() -> None:
    t = timeline(
        [
            {"id": "a", "outlet": "X", "published": "2025-01-09T06:00:00+00:00"},
            {"id": "b", "outlet": "Y", "published": "2025-01-09T12:00:00+00:00"},
            {"id": "c", "outlet": "X", "published": "2025-01-09T09:00:00+00:00"},
            {"id": "d", "outlet": "Z", "published": None},
        ]
    )
    assert t["outlets"] == ["X", "Y"]
    assert [(p["id"], p["row"], p["x"]) for p in t["points"]] == [
        ("a", 0, 0.0),
        ("c", 0, 0.5),
        ("b", 1, 1.0),
    ]


def test_article_view_added_and_cut_against_the_main_source(db: Path) -> None:
    with Store.open(db, read_only=True) as store:
        view = article_view(store, "flood-jetzt")
        wire = store.article(
            store.conn.execute("SELECT aid FROM articles WHERE id = 'flood-wire'").fetchone()[0]
        )
        assert article_view(store, "no-such-id") is None
    assert view is not None and view.main_source is not None
    m = view.main_source
    assert m.source["id"] == "flood-wire"
    added = [view.text[s.start : s.end] for s in m.added]
    cut = [wire.text[s.start : s.end] for s in m.cut]
    # the rewrite's own teaser line and credit, and its verb swap "betonte" -> "sagte"
    assert any(a.startswith("Lesen Sie auch") for a in added)
    assert "Mit Material der nwa" in added and "sagte" in added
    assert "betonte" in cut
    assert any("Deutsche Wetterdienst" in c for c in cut)  # the dropped weather paragraph
    # segments tile the text; every reused passage is covered by segments naming its group
    assert view.segments[0].start == 0 and view.segments[-1].end == len(view.text)
    for p in view.passages:
        inside = [s for s in view.segments if p.start <= s.start and s.end <= p.end]
        assert inside and all(p.group in s.groups for s in inside)
    record = article_view_to_dict(view)
    json.dumps(record)  # JSON-ready
    assert record["main_source"]["added_chars"] == m.added_chars > 0
    # a rewrite: the shared passages are edited, and the record says how much
    assert 0.0 < record["main_source"]["similarity"] < 1.0


def test_side_by_side_pieces_match_the_library_passages() -> None:
    a = read_text_article(ROOT / "examples/pair/agency.txt")
    b = read_text_article(ROOT / "examples/pair/rewrite.txt")
    view = side_by_side(a, b)
    for side, text, pieces in (("a", a.text, view.pieces_a), ("b", b.text, view.pieces_b)):
        assert pieces[0].start == 0 and pieces[-1].end == len(text)
        assert all(x.end == y.start for x, y in zip(pieces, pieces[1:], strict=False))
        for i, p in enumerate(view.comparison.passages):
            span = p.a if side == "a" else p.b
            covered = [x for x in pieces if x.passage == i]
            assert (covered[0].start, covered[-1].end) == (span.start, span.end)
    assert any(x.changed for x in view.pieces_a) and any(x.changed for x in view.pieces_b)


def test_report_html_is_self_contained_and_escaped(db: Path) -> None:
    with Store.open(db, read_only=True) as store:
        html = render_report(store)
        stories = list_stories(store, order="largest", limit=3).items
    assert html.startswith("<!doctype html>") and "<style>" in html
    for external in ("<script", "<link", "src=", "http://", "https://", "@import"):
        assert external not in html
    assert "Most copied passages" in html and "Largest stories" in html
    assert stories[0]["articles"] == 5 and stories[0]["label"] in html


def test_report_html_without_stories_says_so(tmp_path: Path) -> None:
    db = build_store(tmp_path, with_stories=False)
    with Store.open(db, read_only=True) as store:
        assert "No stories in this store yet" in render_report(store)


def test_analyze_out_writes_report_html(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["analyze", str(CORPUS), "--db", str(tmp_path / "a.db"), "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "wiretrace report" in html and "flood-wire" in html


def test_show_prints_added_and_cut(db: Path) -> None:
    result = runner.invoke(app, ["show", "flood-jetzt", "--db", str(db)])
    assert result.exit_code == 0, result.output
    # the main source named by title, outlet and date; its id (what `show` takes) below
    wire = "Hochwasser an der Ramse: Brackenfeld ruft Katastrophenfall aus"
    assert f"Main source: {wire} · Nordwest-Agentur (nwa) · 2025-01-09 06:42" in result.output
    assert "similarity 0." in result.output and "id flood-wire" in result.output
    assert "+ Lesen Sie auch" in result.output and "- betonte" in result.output
    as_json = runner.invoke(app, ["show", "flood-jetzt", "--db", str(db), "--json"])
    record = json.loads(as_json.output)
    assert record["id"] == "flood-jetzt" and record["main_source"]["id"] == "flood-wire"


def test_show_unknown_id_or_store_is_a_one_line_error(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", "nope", "--db", str(db)])
    assert result.exit_code == 2 and "no article with id 'nope'" in result.output
    result = runner.invoke(app, ["show", "x", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 2 and "no wiretrace store" in result.output
