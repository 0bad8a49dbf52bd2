"""Where a store lives and what its storage does (issue 14): odd file names, read-only and
missing places, a full disk, failing stdout, stale runs, forked workers, ``vacuum``.

Tests run as root here, which ignores file permissions: a read-only *file* or folder is
simulated by faking ``os.access`` (the checks wiretrace makes), a read-only *mount* is real
in tests/test_reliability.py.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wiretrace.store.place as place
from wiretrace.cli import app
from wiretrace.errors import StoreError
from wiretrace.io.readers import load_corpus
from wiretrace.model import Article
from wiretrace.pipeline import analyze
from wiretrace.report.export import article_records
from wiretrace.store.db import Store, vacuum
from wiretrace.store.lock import writer_lock, writer_lock_held

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus.jsonl"
runner = CliRunner()


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return list(load_corpus(CORPUS).values())


@pytest.fixture(scope="module")
def analyzed(articles: list[Article], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("store") / "wt.db"
    analyze(articles, str(db), jobs=1)
    return db


def records_of(db: Path) -> list[dict]:
    with Store.open(db, read_only=True) as store:
        return list(article_records(store))


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


# --- file names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["news#1.db", "what?.db", "100%41.db", "a b%20ü.db"])
def test_a_store_name_with_uri_characters_is_that_file(
    name: str, articles: list[Article], tmp_path: Path
) -> None:
    """'#', '?' and '%41' mean something in a URI: the store is still exactly the file named,
    in every connection (the worker processes' readers too), with nothing else created."""
    db = tmp_path / name
    analyze(articles[:6], str(db), jobs=2)  # two workers: their readers open the store too
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, name + ".lock"])
    result = invoke("export", "--db", db, "--what", "stories")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") >= 1
    assert len(records_of(db)) == 6


# --- creation ----------------------------------------------------------------------------------


def test_an_empty_sqlite_database_becomes_a_store(tmp_path: Path) -> None:
    """A database without any table (a store whose creation an older wiretrace did not
    finish: it switched to WAL mode before creating the tables) holds nothing to lose."""
    db = tmp_path / "half.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    assert db.stat().st_size > 0
    analyze([Article("x", "Ein Text über das Wetter in Brackenfeld.")], str(db), jobs=1)
    assert [r["id"] for r in records_of(db)] == ["x"]


def test_a_new_store_file_stays_empty_until_its_schema_is_committed(tmp_path: Path) -> None:
    """Creation is one transaction, before the switch to WAL: no reader can meet a store
    file without its tables."""
    db = tmp_path / "new.db"
    seen = []
    real = Store._migrate

    def watching(self: Store) -> None:
        seen.append(db.stat().st_size)
        real(self)
        seen.append(db.stat().st_size)

    Store._migrate = watching  # type: ignore[method-assign]
    try:
        Store.open(db).close()
    finally:
        Store._migrate = real  # type: ignore[method-assign]
    assert seen[0] == 0 and seen[1] > 0


# --- transactions and storage errors -----------------------------------------------------------


def test_a_transaction_that_sqlite_already_rolled_back_raises_the_real_error(
    tmp_path: Path,
) -> None:
    """After SQLITE_FULL or an I/O error SQLite may have rolled back on its own: the error
    that explains what happened comes out, not "cannot rollback - no transaction is active"."""
    store = Store.open(tmp_path / "t.db")
    with pytest.raises(ValueError, match="the real error"), store.transaction():
        store.conn.execute("INSERT INTO meta VALUES ('x', 'y')")
        store.conn.execute("ROLLBACK")  # as SQLite does itself after some errors
        raise ValueError("the real error")
    assert not store.conn.in_transaction
    assert store._meta("x") is None
    store.close()


def test_a_full_disk_mid_run_is_one_error_and_the_store_keeps_what_was_finished(
    articles: list[Article], analyzed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLITE_FULL, here from a page limit (tests/test_reliability.py fills a real disk):
    a StoreError naming the store and the cause; the store as the first run left it; the
    same run, with room again, finishes the job."""
    db = tmp_path / "full.db"
    shutil.copy(analyzed, db)
    before = records_of(db)
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def limited(cls: type[Store], *args: object, **kwargs: object) -> Store:
        store = real_open(cls, *args, **kwargs)
        store.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        return store

    monkeypatch.setattr(Store, "open", classmethod(limited))
    more = [Article(a.id + "-2", a.text + " Nachtrag.", outlet=a.outlet) for a in articles]
    with pytest.raises(StoreError, match=r"full\.db: disk full \(database or disk is full\)"):
        analyze(more, str(db), jobs=1)
    monkeypatch.undo()
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert records_of(db) == before
    summary = analyze(more, str(db), jobs=1)
    assert summary.added == len(more)
    with Store.open(db, read_only=True) as store:
        statuses = [s for (s,) in store.conn.execute("SELECT status FROM runs ORDER BY run")]
    assert statuses == ["done", "interrupted", "done"]


def test_a_run_killed_while_running_is_marked_interrupted_by_the_next(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "stale.db"
    store = Store.open(db)
    store.start_run(["killed.jsonl"])  # and then the process died: no finish_run
    store.close()
    analyze(articles[:3], str(db), jobs=1)
    with Store.open(db, read_only=True) as store:
        runs = store.conn.execute("SELECT status, inputs FROM runs ORDER BY run").fetchall()
    assert runs[0] == ("interrupted", '["killed.jsonl"]') and runs[1][0] == "done"


# --- stdout ------------------------------------------------------------------------------------


def test_export_to_a_full_stdout_is_one_line_exit_2(analyzed: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "wiretrace", "export", "--db", str(analyzed)]
            + ["--what", "pairs"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr == "wiretrace: stdout: cannot write: No space left on device\n"


@pytest.mark.parametrize(
    "command", [["export", "--what", "pairs"], ["show", "flood-jetzt"], ["stories", "--json"]]
)
def test_a_closed_pipe_ends_a_command_quietly(analyzed: Path, command: list[str]) -> None:
    """``wiretrace export | head -1``: the reader went away, wiretrace stops without a word."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # gone before the first write: every write fails with EPIPE
    try:
        result = subprocess.run(
            [sys.executable, "-m", "wiretrace", *command, "--db", str(analyzed)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (2, "")


# --- read-only and unwritable places -----------------------------------------------------------


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_reading_a_store_leaves_nothing_beside_it(analyzed: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(analyzed, db)
    for args in (
        ["export", "--what", "articles"],
        ["show", "flood-jetzt", "--json"],
        ["stories"],
    ):
        result = invoke(*args, "--db", db)
        assert result.exit_code == 0, result.stderr
    assert _files(tmp_path) == ["copy.db"]


@pytest.fixture
def read_only_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every folder and file unwritable, as for a user other than root (who ignores
    permissions): what ``os.access`` answers is all wiretrace asks."""
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: not mode & os.W_OK and real(p, mode))


def test_a_store_in_a_read_only_place_is_read_immutable_without_files_beside_it(
    analyzed: Path, tmp_path: Path, read_only_place: None
) -> None:
    db = tmp_path / "ro.db"
    shutil.copy(analyzed, db)
    assert place.write_problem(db) == f"folder {tmp_path} is not writable"
    assert records_of(db) == records_of(analyzed)
    result = invoke("export", "--db", db, "--what", "passages")
    assert result.exit_code == 0, result.stderr
    assert _files(tmp_path) == ["ro.db"]


def test_a_read_only_store_with_changes_in_its_wal_is_read_with_them(
    articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copied while a writer had it open, a store's last changes are in its -wal: read
    from a read-only place, they are there (an immutable open would not see them)."""
    live = tmp_path / "live"
    live.mkdir()
    db = live / "s.db"
    analyze(articles[:4], str(db), jobs=1)
    holder = sqlite3.connect(db)  # keeps the WAL from being folded into the file
    holder.execute("SELECT 1 FROM articles").fetchall()
    analyze(articles[4:8], str(db), jobs=1)
    copy = tmp_path / "copy"
    shutil.copytree(live, copy)
    holder.close()
    assert (copy / "s.db-wal").stat().st_size > 0
    monkeypatch.setattr(place, "write_problem", lambda path: "a read-only place")
    assert len(records_of(copy / "s.db")) == 8


def test_write_commands_refuse_an_unwritable_place_before_reading_input(
    analyzed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no" / "such" / "x.db"
    result = invoke("analyze", CORPUS, "--db", missing, "-q")
    assert result.exit_code == 2
    assert result.stderr == (
        f"wiretrace: {missing}: cannot write the store: folder {missing.parent} does not exist\n"
    )
    db = tmp_path / "s.db"
    shutil.copy(analyzed, db)
    real = os.access
    monkeypatch.setattr(  # a 0444 store (root ignores the mode itself)
        os, "access", lambda p, m, **kw: real(p, m) and not (Path(p) == db and m & os.W_OK)
    )
    read = []

    def inputs(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        read.append("read")  # runs only when the articles are asked for
        yield from ()

    monkeypatch.setattr("wiretrace.io.discover.iter_input_articles", inputs)
    for args in (["analyze", CORPUS, "-q"], ["remove", "flood-jetzt", "-q"], ["vacuum"]):
        result = invoke(*args, "--db", db)
        assert result.exit_code == 2, result.stderr
        assert result.stderr == f"wiretrace: {db}: cannot write the store: s.db is read-only\n"
    assert read == [] and _files(tmp_path) == ["s.db"]


# --- the lock and forked workers ---------------------------------------------------------------


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def test_a_process_forked_under_the_lock_does_not_keep_it(tmp_path: Path) -> None:
    """A worker outliving its run (killed) must not keep the store locked."""
    db = tmp_path / "s.db"
    ctx = multiprocessing.get_context("fork")
    with writer_lock(db):
        child = ctx.Process(target=_sleep, args=(5,))
        child.start()
    try:
        deadline = time.monotonic() + 3  # the child closes its copy as it starts
        while writer_lock_held(db) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.is_alive()
        assert not writer_lock_held(db)
    finally:
        child.kill()
        child.join()


# --- vacuum ------------------------------------------------------------------------------------


def test_vacuum_folds_the_wal_in_and_into_writes_a_single_file_copy(
    articles: list[Article], tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    analyze(articles, str(db), jobs=1)
    holder = sqlite3.connect(db)  # a reader keeps the WAL from being folded in on close
    holder.execute("SELECT 1 FROM articles").fetchall()
    analyze([Article("late", "Ein später Artikel über das Hochwasser.")], str(db), jobs=1)
    assert (tmp_path / "s.db-wal").stat().st_size > 0
    expected = records_of(db)

    backup = tmp_path / "backup" / "copy.db"
    backup.parent.mkdir()
    result = invoke("vacuum", "--db", db, "--into", backup)
    assert result.exit_code == 0, result.stderr
    assert _files(backup.parent) == ["copy.db"]  # one file, nothing beside it
    assert records_of(backup) == expected
    assert invoke("vacuum", "--db", db, "--into", backup).exit_code == 2  # never overwritten

    result = invoke("vacuum", "--db", db)  # the reader still open: the -wal stays, empty
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "s.db-wal").stat().st_size == 0
    holder.close()
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert records_of(db) == expected


def test_vacuum_waits_for_a_running_analyze(analyzed: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    shutil.copy(analyzed, db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from wiretrace.store.lock import writer_lock\n"
            "with writer_lock(sys.argv[1]):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(1.0)\n",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        vacuum(db)
        assert time.monotonic() - started >= 0.5
    finally:
        holder.wait(timeout=30)
