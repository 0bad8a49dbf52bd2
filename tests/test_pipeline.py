"""The corpus job: incremental runs equal a run over everything, interrupted runs finish on
re-run, and the store refuses files it does not own (all on the bundled fictional corpus)."""

from __future__ import annotations

import dataclasses
import gc
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import wiretrace.pipeline as pipeline
from wiretrace.errors import InputError, StoreError
from wiretrace.io.readers import load_corpus
from wiretrace.model import Article
from wiretrace.pipeline import analyze
from wiretrace.report.export import article_records
from wiretrace.settings import Settings
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
    for a, b, shared, passages, mapped in conn.execute(
        "SELECT a, b, shared_anchors, passages, mapped FROM pairs"
    ):
        rows = json.loads(passages)
        if ids[a] > ids[b]:  # orient by article id, as insertion order may differ
            a, b = b, a
            rows = sorted([b0, b1, a0, a1, sim] for a0, a1, b0, b1, sim in rows)
        pairs.append((ids[a], ids[b], shared, rows, mapped))
    pairs.sort()
    stats = sorted(
        (
            ids[aid],
            reused,
            bp,
            orig,
            [[ids[s], n, sim] for s, n, sim in json.loads(sources)],
            ids.get(dup),
        )
        for aid, reused, bp, orig, sources, dup in conn.execute("SELECT * FROM article_stats")
    )
    # Groups by content (their numbers and store keys depend on insertion order).
    members: dict[int, list[tuple[str, int, int]]] = {}
    for gid, aid, start, end in conn.execute("SELECT * FROM group_members"):
        members.setdefault(gid, []).append((ids[aid], start, end))
    groups = sorted(
        (n, ids[earliest], boilerplate, sorted(members[gid]))
        for gid, n, earliest, boilerplate in conn.execute(
            "SELECT gid, members, earliest, boilerplate FROM groups"
        )
    )
    conn.close()
    return {"pairs": pairs, "stats": stats, "groups": groups}


def dying_after_one_call(real: Callable[..., Any]) -> Callable[..., Any]:
    """``real``, but from its second call on it raises KeyboardInterrupt (the user pressing
    Ctrl-C in the middle of a stage)."""
    calls = {"n": 0}

    def dying(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(*args)

    return dying


def run_killed_while_aligning(
    articles: list[Article], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run ``analyze`` on ``db`` and kill it after its first chunk of two alignments."""
    real = pipeline._align_chunk
    monkeypatch.setattr(pipeline, "_ALIGN_CHUNK", 2)
    monkeypatch.setattr(pipeline, "_WRITE_BATCH", 2)
    monkeypatch.setattr(pipeline, "_align_chunk", dying_after_one_call(real))
    with pytest.raises(KeyboardInterrupt):
        analyze(articles, str(db), jobs=1)
    monkeypatch.setattr(pipeline, "_align_chunk", real)


def tamper(db: Path, *statements: str) -> None:
    """Change a store behind wiretrace's back (as an older version left it), in one transaction."""
    conn = sqlite3.connect(db)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


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


def test_a_run_leaves_the_callers_garbage_collector_as_it_found_it(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # analyze pauses the cyclic collector while it runs; a library caller's setting is kept.
    seen = []
    real = pipeline._derive

    def derive(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_derive", derive)
    assert gc.isenabled()
    analyze(articles[:3], str(tmp_path / "a.db"), jobs=1)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        analyze(articles[3:6], str(tmp_path / "a.db"), jobs=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
    # ... also when the run fails.
    monkeypatch.setattr(pipeline, "_derive", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        analyze(articles[6:9], str(tmp_path / "a.db"), jobs=1)
    assert gc.isenabled()


def test_pairs_aligned_with_other_rules_are_aligned_again(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user changes an alignment setting (or upgrades wiretrace) on an existing store: the
    # store must end where a run over everything with the new rules ends, not keep a mix.
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    strict = Settings().with_overrides({"align": {"min_passage_chars": 600}})
    db = tmp_path / "w.db"
    analyze(articles, str(db), settings=strict, jobs=1)
    assert snapshot(db) != snapshot(whole)  # the setting matters on this corpus
    # Killed while aligning again ...
    run_killed_while_aligning(articles, db, monkeypatch)
    # ... the next run finishes the job, and then the rules are the store's own.
    analyze(articles, str(db), jobs=1)
    assert snapshot(db) == snapshot(whole)
    again = analyze(articles, str(db), jobs=1)
    assert (again.realigned_for_rules, again.aligned_now) == (0, 0)


def stored_fingerprints(db: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT id, agencies, anchor_keys, anchor_sentences, sentence_spans, document_keys"
        " FROM articles"
    ).fetchall()
    conn.close()
    return {r[0]: r[1:] for r in rows}


def test_articles_fingerprinted_with_other_rules_are_fingerprinted_again(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Half the corpus stored with other anchor settings, the rest added with the defaults:
    # the store must end as a run over everything with the defaults, not with a mix of keys.
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    other = Settings().with_overrides({"corpus": {"anchor_bands": 8, "anchor_min_stems": 6}})
    db = tmp_path / "w.db"
    analyze(articles[:7], str(db), settings=other, jobs=1)
    assert stored_fingerprints(db) != {
        k: v for k, v in stored_fingerprints(whole).items() if k in stored_fingerprints(db)
    }
    # Killed while fingerprinting again ...
    real = pipeline._fingerprint_stored_chunk
    monkeypatch.setattr(pipeline, "_FINGERPRINT_CHUNK", 2)
    monkeypatch.setattr(pipeline, "_INGEST_BATCH", 2)
    monkeypatch.setattr(pipeline, "_fingerprint_stored_chunk", dying_after_one_call(real))
    with pytest.raises(KeyboardInterrupt):
        analyze(articles[7:], str(db), jobs=1)
    monkeypatch.setattr(pipeline, "_fingerprint_stored_chunk", real)
    # ... the next run fingerprints every stored article again and adds the rest.
    summary = analyze(articles[7:], str(db), jobs=1)
    assert summary.refingerprinted == 7
    assert stored_fingerprints(db) == stored_fingerprints(whole)
    assert snapshot(db) == snapshot(whole)
    assert analyze(articles, str(db), jobs=1).refingerprinted == 0


def test_a_killed_refingerprint_then_a_run_under_the_old_rules_ends_as_a_fresh_run(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The user tries other anchor settings, stops the run, and goes back to the defaults.
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    db = tmp_path / "w.db"
    analyze(articles[:4], str(db), jobs=1)
    other = Settings().with_overrides({"corpus": {"anchor_bands": 8, "anchor_min_stems": 6}})
    real = pipeline._fingerprint_stored_chunk
    monkeypatch.setattr(pipeline, "_FINGERPRINT_CHUNK", 2)
    monkeypatch.setattr(pipeline, "_INGEST_BATCH", 2)
    monkeypatch.setattr(pipeline, "_fingerprint_stored_chunk", dying_after_one_call(real))
    with pytest.raises(KeyboardInterrupt):
        analyze(articles[4:], str(db), settings=other, jobs=1)
    monkeypatch.setattr(pipeline, "_fingerprint_stored_chunk", real)
    assert analyze(articles[4:], str(db), jobs=1).refingerprinted == 4
    assert stored_fingerprints(db) == stored_fingerprints(whole)
    assert snapshot(db) == snapshot(whole)


def test_a_version_5_store_gets_its_rules_records_dropped_and_everything_redone(
    articles: list[Article], tmp_path: Path
) -> None:
    # An older wiretrace (schema 5) may have added articles and pairs under its own rules to
    # a store that holds this version's records: the upgrade to schema 6 drops the records.
    db = tmp_path / "w.db"
    analyze(articles, str(db), jobs=1)
    whole = snapshot(db)
    tamper(
        db,
        "UPDATE meta SET value = '5' WHERE key = 'schema_version'",
        "UPDATE pairs SET passages = '[]'",
        "ALTER TABLE articles DROP COLUMN author",  # columns of schema 7
        "ALTER TABLE articles DROP COLUMN teaser_only",
        "ALTER TABLE articles DROP COLUMN image_credits",
        "ALTER TABLE runs DROP COLUMN removed",
        "ALTER TABLE runs DROP COLUMN replaced",
    )
    summary = analyze(articles, str(db), jobs=1)
    assert summary.refingerprinted == len(articles)
    assert snapshot(db) == whole


def test_a_store_without_a_fingerprint_record_is_fingerprinted_again(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    analyze(articles, str(db), jobs=1)
    whole, fingerprints = snapshot(db), stored_fingerprints(db)
    tamper(  # as an older wiretrace left it, with other keys
        db,
        "DELETE FROM meta WHERE key = 'fingerprint_rules'",
        "UPDATE articles SET anchor_keys = x'', anchor_sentences = x''",
    )
    summary = analyze(articles, str(db), jobs=2)  # worker processes read the texts themselves
    assert summary.refingerprinted == len(articles)
    assert summary.realigned_for_rules == summary.aligned_now > 0  # every pair was redone
    assert stored_fingerprints(db) == fingerprints
    assert snapshot(db) == whole


def test_pairs_from_before_the_rules_were_recorded_are_aligned_again(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    analyze(articles, str(db), jobs=1)
    whole = snapshot(db)
    # As an older wiretrace left it: no record of the rules, and other passages.
    tamper(db, "DELETE FROM meta WHERE key = 'alignment_rules'", "UPDATE pairs SET passages = '[]'")
    summary = analyze(articles, str(db), jobs=1)
    assert summary.realigned_for_rules == summary.aligned_now > 0
    assert snapshot(db) == whole


# Fictional: a council report that two outlets print, and two more items that repeat its first
# sentence only.
_COUNCIL = [
    "Der Stadtrat von Unterweiler hat am Donnerstag mit knapper Mehrheit den neuen Haushalt "
    "beschlossen, der erstmals seit zehn Jahren ohne neue Schulden auskommt.",
    "Kämmerin Petra Lindqvist verwies auf gestiegene Gewerbesteuereinnahmen und einen strengen "
    "Sparkurs bei der Verwaltung, den alle Fachbereiche mittragen müssten.",
    "Die Opposition kritisierte vor allem die Kürzungen bei Bibliotheken, Jugendzentren und dem "
    "städtischen Schwimmbad, das künftig im Winter geschlossen bleiben soll.",
]


def test_a_pair_whose_anchor_count_changes_gets_the_count_of_a_run_over_everything(
    tmp_path: Path,
) -> None:
    # The first sentence's anchors become too common (max_df) once two more articles print it:
    # the stored pair's count must drop as in one run over all four articles.
    a = Article(id="rat-a", text=" ".join(_COUNCIL) + " Weitere Berichte folgen am Abend.")
    b = Article(id="rat-b", text="Aus dem Rathaus: " + " ".join(_COUNCIL))
    others = [
        Article(
            id=f"rat-{x}",
            text=_COUNCIL[0] + f" Eine Meldung von {x} über den Wochenmarkt "
            "und das Wetter am Wochenende in der ganzen Region.",
        )
        for x in ("c", "d")
    ]
    settings = Settings().with_overrides({"corpus": {"max_df": 3}})
    whole = tmp_path / "whole.db"
    analyze([a, b, *others], str(whole), settings=settings, jobs=1)
    db = tmp_path / "w.db"
    analyze([a, b], str(db), settings=settings, jobs=1)
    before = snapshot(db)["pairs"]
    analyze(others, str(db), settings=settings, jobs=1)
    assert before[0][2] > snapshot(whole)["pairs"][0][2]  # the count did change
    assert snapshot(db) == snapshot(whole)


def test_an_article_that_stops_being_a_copy_is_aligned_as_a_fresh_run_aligns_it(
    articles: list[Article], tmp_path: Path
) -> None:
    # A version of a bundled article with five words replaced is a copy of it at the default
    # collapse_jaccard 0.9 (aligned by the whole-text pass), and no copy at 0.97. Found by a
    # reviewer's fuzzer: the stored copy pair kept its whole-text passage.
    source = next(a for a in articles if a.id == "flood-landeswelle")
    words = source.text.split(" ")
    version = Article(
        id="flood-landeswelle-v",
        outlet="other",
        published=source.published,
        text=" ".join([*words[:348], "Anmerkung der Redaktion zu einem", *words[353:]]),
    )
    first = Settings().with_overrides({"corpus": {"near_copy_share": 1.0}})
    then = Settings().with_overrides({"corpus": {"near_copy_share": 1.0, "collapse_jaccard": 0.97}})
    fresh = tmp_path / "fresh.db"
    analyze([source, version], str(fresh), settings=then, jobs=1)
    db = tmp_path / "w.db"
    assert analyze([source, version], str(db), settings=first, jobs=1).collapsed == 1
    assert analyze([source, version], str(db), settings=then, jobs=1).collapsed == 0
    assert snapshot(db) == snapshot(fresh)


def test_interrupted_alignment_finishes_on_rerun(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    db = tmp_path / "killed.db"
    run_killed_while_aligning(articles, db, monkeypatch)
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


def test_a_run_killed_before_deriving_leaves_no_stale_results_behind(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Later runs recompute only what changed since the run before them; a run that aligned
    new pairs but died before deriving must not make the next one skip those articles."""
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    db = tmp_path / "parts.db"
    # The bundled corpus has two stories with shared text, articles 0-3 and 6-8. The killed
    # run aligns 7 with 6 and 8; the last run adds an article of the other story only.
    analyze([a for i, a in enumerate(articles) if i not in (3, 7)], str(db), jobs=1)

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "replace_derived", killed)
    with pytest.raises(KeyboardInterrupt):
        analyze([articles[7]], str(db), jobs=1)
    monkeypatch.undo()
    analyze([articles[3]], str(db), jobs=1)
    assert snapshot(db) == snapshot(whole)


def test_a_second_run_on_a_store_waits_for_the_first(
    articles: list[Article], tmp_path: Path
) -> None:
    """Another process holds the store's writer lock (as a running analyze does): a new run
    reports that it waits, runs once the lock is free, and sees the first run's articles."""
    db = tmp_path / "w.db"
    analyze(articles[:6], str(db), jobs=1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from wiretrace.store.lock import writer_lock\n"
            "with writer_lock(sys.argv[1]):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(1.5)\n",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        stages: list[str] = []
        started = time.monotonic()
        summary = analyze(
            articles[6:], str(db), jobs=1, progress=lambda stage, *_: stages.append(stage)
        )
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert stages[0] == "waiting" and stages.count("waiting") == 1
    assert waited >= 0.5  # it did wait for the holder to let go
    assert summary.added == len(articles) - 6
    assert summary.articles == len(articles)


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
    tamper(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'")
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


# --- near-duplicates: copies collapse onto their representative ----------------------------------


def _light_copy(article: Article) -> Article:
    """The article as another outlet printed it an hour later, one word dropped."""
    words = article.text.split(" ")
    del words[len(words) // 2]
    return Article(
        id=article.id + "-copy",
        text=" ".join(words),
        outlet=f"{article.outlet or 'none'}-reprint",
        published=article.published.replace("T0", "T1", 1) if article.published else None,
    )


@pytest.fixture(scope="module")
def with_copies(articles: list[Article]) -> list[Article]:
    return articles + [_light_copy(a) for a in articles]


def test_copies_are_collapsed_and_get_their_representatives_passages(
    articles: list[Article], with_copies: list[Article], tmp_path: Path
) -> None:
    from rapidfuzz.fuzz import ratio

    db = tmp_path / "w.db"
    summary = analyze(with_copies, str(db), jobs=1)
    assert summary.collapsed == len(articles) and summary.mapped_pairs > 0
    conn = sqlite3.connect(db)
    ids = dict(conn.execute("SELECT aid, id FROM articles"))
    texts = dict(conn.execute("SELECT aid, text FROM articles"))
    dup = {
        ids[a]: ids.get(d) for a, d in conn.execute("SELECT aid, duplicate_of FROM article_stats")
    }
    assert all(dup[a.id + "-copy"] == a.id for a in articles)
    aligned = {
        (ids[a], ids[b]): json.loads(p)
        for a, b, p in conn.execute("SELECT a, b, passages FROM pairs WHERE mapped = 0")
    }
    mapped = conn.execute("SELECT a, b, passages FROM pairs WHERE mapped = 1").fetchall()
    # A copy is aligned with its representative only; its other pairs are mapped.
    for x, y in aligned:
        if x.endswith("-copy") or y.endswith("-copy"):
            assert {x, y} == {x.removesuffix("-copy"), x.removesuffix("-copy") + "-copy"}
    for a, b, passages in mapped:
        x, y = ids[a], ids[b]
        source = (x.removesuffix("-copy"), y.removesuffix("-copy"))
        original = aligned.get(source) or aligned.get(source[::-1])
        assert original, (x, y)
        # Each mapped passage holds the text of a passage of the representatives' pair: the
        # same words, but for the one a copy dropped.
        rows = json.loads(passages)
        assert len(rows) <= len(original)
        for a0, a1, b0, b1, _ in rows:
            assert a1 - a0 >= 100 and b1 - b0 >= 100
            assert any(
                ratio(texts[a][a0:a1], _side(texts, ids, source, o, x)) > 95 for o in original
            ), (x, y)


def _side(texts: dict, ids: dict, pair: tuple[str, str], row: list, name: str) -> str:
    """The text of aligned passage ``row`` of ``pair`` on the side of article ``name`` (or of
    the article it copies)."""
    key = {v: k for k, v in ids.items()}
    a, b = sorted((key[pair[0]], key[pair[1]]))
    aid = key[name.removesuffix("-copy")]
    return texts[aid][row[0] : row[1]] if aid == a else texts[aid][row[2] : row[3]]


def test_incremental_runs_with_copies_equal_one_run(
    articles: list[Article], with_copies: list[Article], tmp_path: Path
) -> None:
    whole = tmp_path / "whole.db"
    analyze(with_copies, str(whole), jobs=1)
    copies = with_copies[len(articles) :]
    parts = tmp_path / "parts.db"
    # Copies first: they represent their sets until the earlier originals arrive.
    for chunk in (copies[:6], articles[:7], copies[6:], articles[7:]):
        analyze(chunk, str(parts), jobs=1)
    assert snapshot(parts) == snapshot(whole)


def test_a_store_from_schema_1_is_upgraded_and_gets_the_same_results(
    with_copies: list[Article], tmp_path: Path
) -> None:
    whole = tmp_path / "whole.db"
    analyze(with_copies, str(whole), jobs=1)
    old = tmp_path / "old.db"
    analyze(with_copies[:10], str(old), jobs=1)
    conn = sqlite3.connect(old)  # what wiretrace 0.1 wrote: schema 1
    conn.executescript(
        "ALTER TABLE articles DROP COLUMN document_keys;"
        " ALTER TABLE pairs DROP COLUMN mapped; ALTER TABLE pairs DROP COLUMN blocks;"
        " DROP TABLE near_duplicates; DROP TABLE story_members; DROP TABLE stories;"
        " ALTER TABLE articles DROP COLUMN embedding;"
        " DROP TABLE articles_fts;"
        " DROP TABLE candidate_state; DROP TABLE boilerplate_spans;"
        " ALTER TABLE articles DROP COLUMN author; ALTER TABLE articles DROP COLUMN teaser_only;"
        " ALTER TABLE articles DROP COLUMN image_credits;"
        " ALTER TABLE runs DROP COLUMN removed; ALTER TABLE runs DROP COLUMN replaced;"
        " UPDATE meta SET value = '1' WHERE key = 'schema_version';"
    )
    conn.close()
    analyze(with_copies[10:], str(old), jobs=1)
    assert snapshot(old) == snapshot(whole)


def test_sources_written_by_an_older_wiretrace_are_all_rederived_by_the_next_run(
    articles: list[Article], tmp_path: Path
) -> None:
    whole = tmp_path / "whole.db"
    analyze(articles, str(whole), jobs=1)
    old = tmp_path / "old.db"
    analyze(articles[:-1], str(old), jobs=1)
    conn = sqlite3.connect(old)  # sources as [aid, shared_chars], without the similarity
    rows = conn.execute("SELECT aid, sources FROM article_stats").fetchall()
    for aid, sources in rows:
        short = json.dumps([s[:2] for s in json.loads(sources)])
        conn.execute("UPDATE article_stats SET sources = ? WHERE aid = ?", (short, aid))
    (state,) = conn.execute("SELECT value FROM meta WHERE key = 'derived_state'").fetchone()
    older = json.dumps({k: v for k, v in json.loads(state).items() if k != "sources"})
    conn.execute("UPDATE meta SET value = ? WHERE key = 'derived_state'", (older,))
    conn.commit()
    conn.close()
    assert any(json.loads(s) for _, s in rows), "the example has sources to rewrite"
    # Readers still take the old layout, with an unknown similarity.
    store = Store.open(str(old), read_only=True)
    records = list(article_records(store))
    store.close()
    assert any(r["sources"] for r in records)
    assert all(s["similarity"] is None for r in records for s in r["sources"])
    analyze(articles[-1:], str(old), jobs=1)  # one new article: a run that derives again
    assert snapshot(old) == snapshot(whole)


# --- stories -----------------------------------------------------------------------------------


def _stories_by_ids(db: Path) -> list[list[str]]:
    conn = sqlite3.connect(db)
    groups: dict[int, list[str]] = {}
    for story_id, id_ in conn.execute(
        "SELECT m.story_id, a.id FROM story_members m JOIN articles a ON a.aid = m.aid"
    ):
        groups.setdefault(story_id, []).append(id_)
    conn.close()
    return sorted(sorted(g) for g in groups.values())


def test_analyze_groups_the_bundled_corpus_into_its_stories(
    articles: list[Article], tmp_path: Path
) -> None:
    truth = json.loads((CORPUS.parent / "truth.json").read_text(encoding="utf-8"))["stories"]
    db = tmp_path / "w.db"
    summary = analyze(articles, str(db), jobs=1)
    # Includes the English report of the German flood story (a cross-lingual join).
    assert _stories_by_ids(db) == sorted(sorted(s) for s in truth)
    assert summary.stories == len(truth) == summary.new_stories


def test_articles_added_later_join_existing_stories_and_placed_ones_stay(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    first, later = articles[::2], articles[1::2]
    analyze(first, str(db), jobs=1)
    conn = sqlite3.connect(db)
    before = dict(conn.execute("SELECT aid, story_id FROM story_members"))
    conn.close()
    summary = analyze(later, str(db), jobs=1)
    conn = sqlite3.connect(db)
    after = dict(conn.execute("SELECT aid, story_id FROM story_members"))
    conn.close()
    assert all(after[aid] == sid for aid, sid in before.items())
    assert len(after) == len(articles) and summary.new_stories < len(later)


def test_articles_without_date_title_or_known_language_are_placed_and_counted(
    tmp_path: Path,
) -> None:
    german = Article(
        "x1",
        "Der Stadtrat von Neustadt hat am Montag den Haushalt beschlossen. Die Opposition"
        " kritisierte die Ausgaben für die neue Feuerwache. Bürgermeisterin Anna Berger sprach"
        " von einem soliden Plan.",
    )
    swahili = Article(
        "x2",
        "Kwa mujibu wa taarifa, mvua kubwa imenyesha katika mji mkuu jana usiku na kusababisha"
        " mafuriko makubwa katika maeneo mengi ya pwani.",
        title="Mvua",
        published="2025-01-02T10:00:00",
    )
    summary = analyze([german, swahili], str(tmp_path / "w.db"), jobs=1)
    assert summary.stories == 2
    conn = sqlite3.connect(tmp_path / "w.db")
    labels = sorted(label for (label,) in conn.execute("SELECT label FROM stories"))
    conn.close()
    # A story whose first article has no title is labelled by its opening words.
    assert labels[0].startswith("Der Stadtrat von Neustadt hat am Montag") and labels[1] == "Mvua"
    assert summary.story_warnings == {
        "without a date (time left neutral)": 1,
        "without a title": 1,
        "in a language not recognised": 1,
    }


# --- corrections and removals -----------------------------------------------------------------


def stories_of(db: Path) -> dict[str, object]:
    """Stories as a user sees them: the partition of article ids, and each story's row."""
    conn = sqlite3.connect(db)
    ids = dict(conn.execute("SELECT aid, id FROM articles"))
    members: dict[int, list[str]] = {}
    for sid, aid in conn.execute("SELECT story_id, aid FROM story_members"):
        members.setdefault(sid, []).append(ids[aid])
    rows = {
        sid: (label, n, first, last, outlets, langs)
        for sid, label, n, first, last, outlets, langs in conn.execute("SELECT * FROM stories")
    }
    conn.close()
    assert set(rows) == set(members), "a story row without members or members without a row"
    return {"stories": sorted((sorted(m), rows[sid]) for sid, m in members.items())}


def fts_rows(db: Path) -> int:
    conn = sqlite3.connect(db)
    (n,) = conn.execute("SELECT count(*) FROM articles_fts").fetchone()
    conn.close()
    return n


@pytest.mark.parametrize("which", [[0], [3, 7], [1, 14, 20]])
def test_removing_articles_equals_a_run_without_them(
    with_copies: list[Article], tmp_path: Path, which: list[int]
) -> None:
    # Removing an agency wire (the source of several rewrites) or a representative of copies
    # must leave what a run that never saw them leaves: pairs, stats, groups and stories.
    db = tmp_path / "w.db"
    analyze(with_copies, str(db), jobs=1)
    gone = {with_copies[i].id for i in which}
    summary = analyze([], str(db), jobs=1, remove=sorted(gone))
    assert summary.removed == len(gone)
    fresh = tmp_path / "fresh.db"
    analyze([a for a in with_copies if a.id not in gone], str(fresh), jobs=1)
    assert snapshot(db) == snapshot(fresh)
    assert stories_of(db) == stories_of(fresh)
    assert fts_rows(db) == len(with_copies) - len(gone)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT removed FROM runs ORDER BY run DESC LIMIT 1").fetchone() == (
        len(gone),
    )
    conn.close()


def test_removing_an_unknown_id_is_reported_and_changes_nothing(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    analyze(articles, str(db), jobs=1)
    before = snapshot(db), stories_of(db)
    errors: list[InputError] = []
    summary = analyze([], str(db), jobs=1, remove=["no-such-id"], on_error=errors.append)
    assert summary.removed == 0 and summary.skipped == 1
    assert [e.reason for e in errors] == ["no stored article with this id"]
    assert (snapshot(db), stories_of(db)) == before


def _corrected(article: Article) -> Article:
    """A correction: the last paragraph dropped and a sentence added, a day later."""
    paragraphs = article.text.split("\n\n")
    text = "\n\n".join(paragraphs[:-1] or paragraphs) + "\n\nKorrektur: Eine Zahl wurde berichtigt."
    return dataclasses.replace(article, text=text)


def test_a_correction_needs_update_and_then_equals_a_run_over_the_corrected_articles(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    analyze(articles, str(db), jobs=1)
    fixed = [_corrected(articles[0]), _corrected(articles[5])]
    errors: list[InputError] = []
    summary = analyze(fixed, str(db), jobs=1, on_error=errors.append)
    assert summary.skipped == 2 and summary.replaced == 0
    assert all("--update" in e.reason for e in errors)
    summary = analyze(fixed, str(db), jobs=1, update=True)
    assert summary.replaced == 2 and summary.added == 2
    now = {a.id: a for a in articles} | {a.id: a for a in fixed}
    fresh = tmp_path / "fresh.db"
    analyze(list(now.values()), str(fresh), jobs=1)
    assert snapshot(db) == snapshot(fresh)
    assert stories_of(db) == stories_of(fresh)
    conn = sqlite3.connect(db)
    texts = dict(conn.execute("SELECT id, text FROM articles"))
    assert texts[fixed[0].id] == fixed[0].text
    assert conn.execute("SELECT replaced FROM runs ORDER BY run DESC LIMIT 1").fetchone() == (2,)
    conn.close()


def test_a_removal_killed_halfway_is_finished_by_the_next_run(
    with_copies: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.db"
    analyze(with_copies, str(db), jobs=1)
    gone = [with_copies[0].id, with_copies[2].id]
    real = pipeline._align_chunk
    monkeypatch.setattr(pipeline, "_ALIGN_CHUNK", 1)
    monkeypatch.setattr(pipeline, "_align_chunk", dying_after_one_call(real))
    with pytest.raises(KeyboardInterrupt):
        analyze([], str(db), jobs=1, remove=gone)
    monkeypatch.setattr(pipeline, "_align_chunk", real)
    analyze([], str(db), jobs=1)  # the same job, without naming the ids again
    fresh = tmp_path / "fresh.db"
    analyze([a for a in with_copies if a.id not in gone], str(fresh), jobs=1)
    assert snapshot(db) == snapshot(fresh)
    assert stories_of(db) == stories_of(fresh)
