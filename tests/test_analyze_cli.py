"""``wiretrace analyze`` and ``wiretrace export`` through the real CLI, on the bundled corpus.

The module fixture runs ``python -m wiretrace analyze examples/corpus.jsonl`` once (the real
entry point, two worker processes); the other tests read its store and output folder or run
their own small analyses in-process with typer's CliRunner.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wiretrace.cli import app
from wiretrace.io.writers import write_records

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus.jsonl"

ARTICLE_KEYS = [
    "id",
    "outlet",
    "published",
    "title",
    "url",
    "lang",
    "author",
    "teaser_only",
    "chars",
    "reused_chars",
    "boilerplate_chars",
    "originality",
    "duplicate_of",
    "agencies",
    "sources",
    "story_id",
    "image_credits",
    "agency_share",
    "reused_share",
    "original_share",
]
PASSAGE_KEYS = [
    "group", "articles", "members", "earliest", "boilerplate", "chars", "text", "source", "best_witness"
]
PAIR_KEYS = ["a", "b", "coverage", "passages", "shared_anchors", "mapped", "relation"]
PAIR_PASSAGE_KEYS = {"a_start", "a_end", "b_start", "b_end", "similarity", "a_text", "b_text"}

runner = CliRunner()


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus_texts() -> dict[str, str]:
    return {r["id"]: r["text"] for r in read_jsonl(CORPUS)}


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One analyze run over the bundled corpus via ``python -m wiretrace`` (2 jobs)."""
    tmp = tmp_path_factory.mktemp("analyze")
    db, out = tmp / "wt.db", tmp / "out"
    result = subprocess.run(
        [sys.executable, "-m", "wiretrace", "analyze", str(CORPUS), "--db", str(db)]
        + ["--out", str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    return {"db": db, "out": out, "result": result}


# --- analyze ---------------------------------------------------------------------------------


def test_analyze_writes_the_three_files(analyzed: dict) -> None:
    result = analyzed["result"]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for name in ("articles.jsonl", "passages.jsonl", "pairs.jsonl"):
        assert (analyzed["out"] / name).is_file()
    assert not list(analyzed["out"].glob(".*.tmp"))  # no temporary files left behind
    out = result.stdout
    for heading in ("Articles", "Outlets", "Most copied passages", "Least original articles"):
        assert heading in out
    assert "added to the store" in out and "13" in out


def test_article_records(analyzed: dict, corpus_texts: dict[str, str]) -> None:
    records = read_jsonl(analyzed["out"] / "articles.jsonl")
    assert [r["id"] for r in records] == list(corpus_texts)  # store order = input order
    by_id = {}
    for r in records:
        assert list(r) == ARTICLE_KEYS
        assert 0.0 <= r["originality"] <= 1.0
        assert r["chars"] == len(corpus_texts[r["id"]])
        assert 0 <= r["reused_chars"] <= r["chars"]
        assert isinstance(r["agencies"], list)
        assert isinstance(r["story_id"], int)  # every article is placed in a story
        taken = [s["shared_chars"] * s["similarity"] for s in r["sources"]]
        assert taken == sorted(taken, reverse=True)  # the main source first
        assert all(0.0 < s["similarity"] <= 1.0 for s in r["sources"])
        by_id[r["id"]] = r
    wire, jetzt = by_id["flood-wire"], by_id["flood-jetzt"]
    assert wire["originality"] == 1.0 and wire["sources"] == []
    assert jetzt["originality"] < 0.2
    assert "flood-wire" in [s["id"] for s in jetzt["sources"]]
    assert all(set(s) == {"id", "shared_chars", "similarity"} for s in jetzt["sources"])
    # The Kurier prints the wire verbatim and shares even more text with Jetzt's rewrite of
    # it: the wire is still its main source, because it took that text word for word.
    kurier = {s["id"]: s for s in by_id["flood-kurier"]["sources"]}
    assert kurier["flood-jetzt"]["shared_chars"] > kurier["flood-wire"]["shared_chars"]
    assert kurier["flood-wire"]["similarity"] > kurier["flood-jetzt"]["similarity"]
    assert by_id["flood-kurier"]["sources"][0]["id"] == "flood-wire"
    assert by_id["bakery-en"]["originality"] == 1.0  # unrelated article: all its own
    assert all(r["duplicate_of"] is None for r in records)


def test_pair_records_offsets_map_back(analyzed: dict, corpus_texts: dict[str, str]) -> None:
    records = read_jsonl(analyzed["out"] / "pairs.jsonl")
    assert records
    pairs = set()
    for r in records:
        assert list(r) == PAIR_KEYS
        a, b = r["a"], r["b"]
        assert set(a) == set(b) == {"id", "path", "chars"}
        assert a["chars"] == len(corpus_texts[a["id"]])
        assert r["passages"], "only pairs with passages are exported"
        assert 0.0 < r["coverage"]["a"] <= 1.0 and 0.0 < r["coverage"]["b"] <= 1.0
        assert [p["a_start"] for p in r["passages"]] == sorted(p["a_start"] for p in r["passages"])
        for p in r["passages"]:
            assert set(p) == PAIR_PASSAGE_KEYS
            assert p["a_text"] == corpus_texts[a["id"]][p["a_start"] : p["a_end"]]
            assert p["b_text"] == corpus_texts[b["id"]][p["b_start"] : p["b_end"]]
            assert 0.0 <= p["similarity"] <= 1.0
        pairs.add(frozenset((a["id"], b["id"])))
    assert frozenset(("flood-wire", "flood-jetzt")) in pairs
    assert frozenset(("lead-release", "lead-gazette")) in pairs
    assert not any("bakery-en" in p for p in pairs)


def test_passage_records(analyzed: dict, corpus_texts: dict[str, str]) -> None:
    records = read_jsonl(analyzed["out"] / "passages.jsonl")
    assert records
    for r in records:
        assert list(r) == PASSAGE_KEYS
        ids = {m["id"] for m in r["members"]}
        assert r["articles"] == len(ids) >= 2
        assert r["earliest"] in ids
        assert isinstance(r["boilerplate"], bool)
        for m in r["members"]:
            assert 0 <= m["start"] < m["end"] <= len(corpus_texts[m["id"]])
        first = min((m for m in r["members"] if m["id"] == r["earliest"]), key=lambda m: m["start"])
        assert r["text"] == corpus_texts[r["earliest"]][first["start"] : first["end"]]
    # The wire's story runs in several outlets; a stretch printed more widely than the rest
    # (paragraph 5, also in the broadcaster's piece) is a group of its own.
    flood = [r for r in records if {"flood-wire", "flood-jetzt"} <= {m["id"] for m in r["members"]}]
    assert flood
    for group in flood:
        assert group["earliest"] == "flood-wire" and not group["boilerplate"]
    assert any("flood-landeswelle" in {m["id"] for m in g["members"]} for g in flood)


def test_second_run_adds_nothing_and_output_is_identical(tmp_path: Path) -> None:
    db, out = tmp_path / "wt.db", tmp_path / "out"
    first = invoke("analyze", CORPUS, "--db", db, "--out", out, "--jobs", "1")
    assert first.exit_code == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    second = invoke("analyze", CORPUS, "--db", db, "--out", out, "--jobs", "1")
    assert second.exit_code == 0, second.stderr
    assert "Nothing new added" in second.stdout
    lines = {
        line.split("  ")[0]: line.split()[-1] for line in second.stdout.splitlines() if line.strip()
    }
    assert lines["added to the store"] == "0"
    assert lines["already stored (same id and text)"] == "13"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_changed_alignment_settings_realign_the_store_and_say_so(tmp_path: Path) -> None:
    db, out = tmp_path / "wt.db", tmp_path / "out"
    strict = tmp_path / "strict.toml"
    strict.write_text("[align]\nmin_passage_chars = 600\n", encoding="utf-8")
    first = invoke("analyze", CORPUS, "--db", db, "--settings", strict, "--jobs", "1")
    assert first.exit_code == 0, first.stderr
    assert "aligned again" not in first.stdout
    second = invoke("analyze", CORPUS, "--db", db, "--out", out, "--jobs", "1")
    assert second.exit_code == 0, second.stderr
    assert "had been aligned with other rules" in " ".join(second.stdout.split())
    fresh = invoke("analyze", CORPUS, "--db", tmp_path / "fresh.db", "--out", tmp_path / "f")
    assert fresh.exit_code == 0, fresh.stderr
    for name in ("pairs.jsonl", "articles.jsonl"):
        assert (out / name).read_bytes() == (tmp_path / "f" / name).read_bytes()


def test_changed_anchor_settings_refingerprint_the_store_and_say_so(tmp_path: Path) -> None:
    db = tmp_path / "wt.db"
    other = tmp_path / "anchors.toml"
    other.write_text("[corpus]\nanchor_bands = 8\n", encoding="utf-8")
    first = invoke("analyze", CORPUS, "--db", db, "--settings", other, "--jobs", "1")
    assert first.exit_code == 0, first.stderr
    second = invoke("analyze", CORPUS, "--db", db, "--jobs", "1")
    assert second.exit_code == 0, second.stderr
    said = " ".join(second.stdout.split())
    assert "13 articles had been fingerprinted with other rules" in said
    third = invoke("analyze", CORPUS, "--db", db, "--jobs", "1")
    assert "fingerprinted" not in third.stdout


def test_bad_json_line_is_reported_and_skipped(tmp_path: Path) -> None:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "corpus.jsonl"
    bad.write_text("\n".join([*lines[:3], '{"id": "broken", "text": ', *lines[3:]]) + "\n", "utf-8")
    out = tmp_path / "out"
    result = invoke("analyze", bad, "--db", tmp_path / "wt.db", "--out", out, "--jobs", "1")
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"wiretrace: {bad}:4: "), result.stderr
    assert len(read_jsonl(out / "articles.jsonl")) == len(lines)  # all the others
    assert "skipped (problems reported above)" in result.stdout


def test_csv_input_with_column_mapping(tmp_path: Path, corpus_texts: dict[str, str]) -> None:
    path = tmp_path / "feed.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["key", "body_text"])
        for name in ("flood-wire", "flood-jetzt", "bakery-en"):
            writer.writerow([name, corpus_texts[name]])
    out = tmp_path / "out"
    result = invoke(
        "analyze", path, "--db", tmp_path / "wt.db", "--out", out, "--jobs", "1", "--quiet"
    )
    assert result.exit_code == 1  # no text column found: the file is skipped ...
    assert "no text column" in result.stderr
    result = invoke(
        "analyze",
        path,
        "--db",
        tmp_path / "wt.db",
        "--out",
        out,
        "--jobs",
        "1",
        "--quiet",
        "--text-column",
        "body_text",
        "--id-column",
        "key",
    )
    assert result.exit_code == 0, result.stderr  # ... and read with the mapping
    assert result.stdout == ""  # --quiet
    assert [r["id"] for r in read_jsonl(out / "articles.jsonl")] == [
        "flood-wire",
        "flood-jetzt",
        "bakery-en",
    ]
    assert len(read_jsonl(out / "pairs.jsonl")) == 1


def test_not_a_store_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("These are my notes, not a database.\n", encoding="utf-8")
    before = db.read_bytes()
    result = invoke("analyze", CORPUS, "--db", db, "--jobs", "1")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a wiretrace store" in lines[0], result.stderr
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_missing_input_creates_no_store(tmp_path: Path) -> None:
    db = tmp_path / "wt.db"
    result = invoke("analyze", tmp_path / "nothere.jsonl", "--db", db)
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr
    assert not db.exists()


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["articles", "passages", "pairs"])
def test_export_jsonl_equals_out_folder(analyzed: dict, what: str) -> None:
    result = invoke("export", "--db", analyzed["db"], "--what", what)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (analyzed["out"] / f"{what}.jsonl").read_text(encoding="utf-8")


def test_export_csv(analyzed: dict, tmp_path: Path) -> None:
    target = tmp_path / "articles.csv"
    result = invoke("export", "--db", analyzed["db"], "--what", "articles", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    result = invoke(
        "export", "--db", analyzed["db"], "--what", "articles", "--format", "csv", "--out", target
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    expected = read_jsonl(analyzed["out"] / "articles.jsonl")
    assert list(rows[0]) == ARTICLE_KEYS
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    for row, record in zip(rows, expected, strict=True):
        assert json.loads(row["sources"]) == record["sources"]
        assert json.loads(row["agencies"]) == record["agencies"]
        assert float(row["originality"]) == record["originality"]
        assert int(row["story_id"]) == record["story_id"]
    passages = tmp_path / "passages.csv"
    invoke("export", "--db", analyzed["db"], "--what", "passages", "--format", "csv")
    result = invoke(
        "export", "--db", analyzed["db"], "--what", "passages", "--format", "csv", "--out", passages
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(passages.read_text(encoding="utf-8"), newline="")))
    expected = read_jsonl(analyzed["out"] / "passages.jsonl")
    assert [r["text"] for r in rows] == [r["text"] for r in expected]  # line breaks kept
    assert {r["boilerplate"] for r in rows} <= {"true", "false"}


def test_export_csv_for_excel(analyzed: dict, tmp_path: Path) -> None:
    """--excel: UTF-8 with a byte order mark and ';' between cells, to a file and to stdout
    (the real entry point, bytes as written); umlauts survive a round trip."""
    target = tmp_path / "articles.csv"
    args = ["export", "--db", analyzed["db"], "--what", "articles", "--format", "csv", "--excel"]
    result = invoke(*args, "--out", target)
    assert result.exit_code == 0, result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    header = raw[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert header.split(";") == ARTICLE_KEYS and "," not in header
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    expected = read_jsonl(analyzed["out"] / "articles.jsonl")
    assert list(rows[0]) == ARTICLE_KEYS
    assert [r["title"] for r in rows] == [r["title"] for r in expected]
    heating = next(r for r in rows if r["id"] == "heating-brackenfeld")
    assert heating["title"].startswith("Wärme aus dem Klärwerk")  # not "WÃ¤rme"
    for row, record in zip(rows, expected, strict=True):
        assert json.loads(row["sources"]) == record["sources"]  # JSON cells hold ',' and ';'
    streamed = subprocess.run(
        [sys.executable, "-m", "wiretrace", *map(str, args)], capture_output=True, timeout=300
    )
    assert streamed.returncode == 0, streamed.stderr
    assert streamed.stdout == raw  # the same bytes as the file, \r\n row ends included
    plain = invoke("export", "--db", analyzed["db"], "--what", "articles", "--format", "csv")
    assert not plain.stdout.startswith("\ufeff") and plain.stdout.startswith("id,outlet,")
    wrong = invoke("export", "--db", analyzed["db"], "--what", "articles", "--excel")
    assert wrong.exit_code == 2 and "--excel applies to --format csv only" in wrong.stderr


@pytest.mark.parametrize("what", ["articles", "passages", "pairs"])
def test_export_parquet_round_trip(analyzed: dict, tmp_path: Path, what: str) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / f"{what}.parquet"
    result = invoke(
        "export", "--db", analyzed["db"], "--what", what, "--format", "parquet", "--out", target
    )
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(target)
    assert (
        table.column_names
        == {
            "articles": ARTICLE_KEYS,
            "passages": PASSAGE_KEYS,
            "pairs": PAIR_KEYS,
        }[what]
    )
    assert table.to_pylist() == read_jsonl(analyzed["out"] / f"{what}.jsonl")


def test_export_usage_errors(analyzed: dict, tmp_path: Path) -> None:
    result = invoke("export", "--db", tmp_path / "none.db", "--what", "articles")
    assert result.exit_code == 2
    assert "no wiretrace store" in result.stderr
    assert not (tmp_path / "none.db").exists()
    result = invoke("export", "--db", analyzed["db"], "--what", "pairs", "--format", "parquet")
    assert result.exit_code == 2
    assert "needs --out" in result.stderr
    result = invoke("export", "--db", analyzed["db"], "--what", "nonsense")
    assert result.exit_code == 2


def test_export_while_store_is_copied_read_only(analyzed: dict, tmp_path: Path) -> None:
    """Export only reads: a copy of the store is byte-identical afterwards."""
    db = tmp_path / "copy.db"
    shutil.copy(analyzed["db"], db)
    before = db.read_bytes()
    result = invoke("export", "--db", db, "--what", "pairs")
    assert result.exit_code == 0, result.stderr
    assert db.read_bytes() == before


# --- writers ---------------------------------------------------------------------------------


def test_write_records_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def failing():  # type: ignore[no-untyped-def]
        yield {"id": "a"}
        raise RuntimeError("killed half-way")

    for fmt in ("jsonl", "csv", "parquet"):
        with pytest.raises(RuntimeError):
            write_records(failing(), target, fmt)
        assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_write_records_formats(tmp_path: Path) -> None:
    records = [
        {"id": "ä", "n": 1, "ok": True, "tags": ["x"], "note": None, "text": 'a "b"\nc'},
        {"id": "b", "n": 2, "ok": False, "tags": [], "note": "n", "text": ""},
    ]
    assert write_records(records, tmp_path / "r.jsonl", "jsonl") == 2
    assert read_jsonl(tmp_path / "r.jsonl") == records
    assert "\\u" not in (tmp_path / "r.jsonl").read_text(encoding="utf-8")
    write_records(records, tmp_path / "r.csv", "csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text("utf-8"), newline="")))
    assert rows == [
        ["id", "n", "ok", "tags", "note", "text"],
        ["ä", "1", "true", '["x"]', "", 'a "b"\nc'],
        ["b", "2", "false", "[]", "n", ""],
    ]
    assert write_records([], tmp_path / "empty.jsonl", "jsonl") == 0
    assert (tmp_path / "empty.jsonl").read_bytes() == b""
    with pytest.raises(ValueError):
        write_records(records, tmp_path / "r.xml", "xml")


def test_update_and_remove_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    assert invoke("analyze", CORPUS, "--db", db, "-q").exit_code == 0
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    fixed = dict(records[1], text=records[1]["text"] + "\n\nKorrektur: Der Pegel lag bei 7,10 Metern.")
    update = tmp_path / "fix.jsonl"
    update.write_text(json.dumps(fixed, ensure_ascii=False) + "\n", encoding="utf-8")
    result = invoke("analyze", update, "--db", db, "-q")
    assert result.exit_code == 1
    assert "already stored with a different text; add --update" in result.stderr
    result = invoke("analyze", update, "--db", db, "--update")
    assert result.exit_code == 0, result.stderr
    assert "replaced (same id, corrected text: --update)" in result.stdout
    out = invoke("export", "--db", db, "--what", "articles").stdout
    assert len(out.splitlines()) == len(records)
    result = invoke("remove", records[0]["id"], "no-such-id", "--db", db)
    assert result.exit_code == 1
    assert "no-such-id: no stored article with this id" in result.stderr
    assert f"removed 1 article(s) from {db}" in result.stdout
    ids = {json.loads(line)["id"] for line in invoke("export", "--db", db, "--what", "articles").stdout.splitlines()}
    assert records[0]["id"] not in ids and len(ids) == len(records) - 1
    assert invoke("remove", "x", "--db", tmp_path / "none.db").exit_code == 2


def test_an_input_behind_a_folder_without_permission_is_not_called_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root, permissions are not enforced: make lstat fail as it would for another user.
    import os as _os

    locked = tmp_path / "locked" / "a.txt"
    real = _os.lstat

    def lstat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(_os, "lstat", lstat)
    from wiretrace import cli

    assert cli._missing(str(locked)) is False
    assert cli._missing(str(tmp_path / "nope.txt")) is True
