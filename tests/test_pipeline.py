"""The corpus job: incremental runs equal a run over everything, interrupted runs finish on
re-run, and the store refuses files it does not own (all on the bundled fictional corpus)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import wiretrace.pipeline as pipeline
from wiretrace.errors import StoreError
from wiretrace.io.readers import load_corpus
from wiretrace.model import Article
from wiretrace.pipeline import analyze
from wiretrace.store.db import Store

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus.jsonl"


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return list(load_corpus(CORPUS).values())


def snapshot(db: Path) -> dict[str, object]:
    """Every result a user can see, keyed by article ids (not by store keys)."""
    conn = sqlite3.connect(db)
    ids = dict(conn.execute("SELECT aid, id FROM articles"))
    pairs = []
    for a, b, _, passages in conn.execute("SELECT * FROM pairs"):
        rows = json.loads(passages)
        if ids[a] > ids[b]:  # orient by article id, as insertion order may differ
            a, b = b, a
            rows = sorted([b0, b1, a0, a1, sim] for a0, a1, b0, b1, sim in rows)
        pairs.append((ids[a], ids[b], rows))
    pairs.sort()
    stats = sorted(
        (
            ids[aid],
            reused,
            bp,
            orig,
            [[ids[s], n] for s, n in json.loads(sources)],
            ids.get(dup),
        )
        for aid, reused, bp, orig, sources, dup in conn.execute("SELECT * FROM article_stats")
    )
    members = sorted(
        (ids[aid], start, end, gid)
        for gid, aid, start, end in conn.execute("SELECT * FROM group_members")
    )
    groups = sorted(conn.execute("SELECT gid, members, earliest, boilerplate FROM groups"))
    conn.close()
    return {"pairs": pairs, "stats": stats, "members": members, "groups": groups}


def test_incremental_runs_equal_one_run_over_everything(
    articles: list[Article], tmp_path: Path
) -> None:
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    parts = tmp_path / "parts.db"
    for chunk in (articles[:4], articles[4:9], articles[9:]):
        analyze(chunk, str(parts), jobs=1)
    assert snapshot(parts) == snapshot(whole)
    assert snapshot(whole)["pairs"], "the bundled corpus has reuse to find"


def test_insertion_order_does_not_change_what_is_found(
    articles: list[Article], tmp_path: Path
) -> None:
    forward, backward = tmp_path / "f.db", tmp_path / "b.db"
    analyze(articles, str(forward), jobs=1)
    analyze(list(reversed(articles)), str(backward), jobs=1)
    f, b = snapshot(forward), snapshot(backward)
    assert f["pairs"] == b["pairs"]
    assert f["stats"] == b["stats"]


def test_parallel_run_equals_serial_run(articles: list[Article], tmp_path: Path) -> None:
    serial, parallel = tmp_path / "s.db", tmp_path / "p.db"
    analyze(articles, str(serial), jobs=1)
    analyze(articles, str(parallel), jobs=2)
    assert snapshot(parallel) == snapshot(serial)


def test_rerun_adds_nothing_and_changes_nothing(articles: list[Article], tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    first = analyze(articles, str(db), jobs=1)
    before = snapshot(db)
    again = analyze(articles, str(db), jobs=1)
    assert first.added == len(articles)
    assert (again.added, again.unchanged, again.aligned_now) == (0, len(articles), 0)
    assert snapshot(db) == before


def test_interrupted_alignment_finishes_on_rerun(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    db = tmp_path / "killed.db"
    real = pipeline._align_chunk
    calls = {"n": 0}

    def dying(chunk: list) -> list:
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt  # the user pressed Ctrl-C during alignment
        return real(chunk)

    monkeypatch.setattr(pipeline, "_ALIGN_CHUNK", 2)
    monkeypatch.setattr(pipeline, "_WRITE_BATCH", 2)
    monkeypatch.setattr(pipeline, "_align_chunk", dying)
    with pytest.raises(KeyboardInterrupt):
        analyze(articles, str(db), jobs=1)
    monkeypatch.setattr(pipeline, "_align_chunk", real)
    conn = sqlite3.connect(db)
    stored_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    stored_pairs = conn.execute("SELECT count(*) FROM pairs").fetchone()[0]
    statuses = [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY run")]
    conn.close()
    assert statuses == ["interrupted"]
    assert stored_articles == len(articles)  # ingest had committed
    assert 0 < stored_pairs < len(snapshot(whole)["pairs"])  # part of the alignment had too
    summary = analyze(articles, str(db), jobs=1)
    assert summary.added == 0 and summary.aligned_now > 0
    assert snapshot(db) == snapshot(whole)


def test_a_file_that_is_not_a_store_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"my notes, not a database\n")
    with pytest.raises(StoreError, match="not a wiretrace store"):
        analyze([Article("x", "Ein Text.")], str(notes))
    assert notes.read_bytes() == b"my notes, not a database\n"


def test_another_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(StoreError, match="not a wiretrace store"):
        Store.open(other)
    assert other.read_bytes() == before


def test_a_store_from_a_newer_wiretrace_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer wiretrace"):
        Store.open(db)
    assert db.read_bytes() == before


def test_same_id_with_another_text_is_reported_and_skipped(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    analyze(articles[:3], str(db), jobs=1)
    changed = Article(articles[0].id, articles[0].text + " Nachtrag.", path="new.jsonl")
    errors = []
    summary = analyze([changed], str(db), jobs=1, on_error=errors.append)
    assert summary.skipped == 1 and summary.added == 0
    assert len(errors) == 1 and articles[0].id in str(errors[0])


def test_exact_copies_are_marked_duplicate_of_the_first(tmp_path: Path) -> None:
    text = "Der Stadtrat hat am Montag den Haushalt beschlossen. " * 5
    db = tmp_path / "w.db"
    summary = analyze([Article("one", text), Article("two", text)], str(db), jobs=1)
    assert summary.exact_duplicates == 1
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT id, duplicate_of FROM articles"))
    assert rows["one"] is None and rows["two"] == 1
