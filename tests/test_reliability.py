"""The store survives what users and machines do to it (issue 14, "Hardening").

- ``kill -9`` at every kind of moment of ``analyze``: the test-only hook
  ``WIRETRACE_TEST_KILL_AT=N`` (see ``wiretrace.store.db``) makes the process SIGKILL itself
  just before its N-th commit. After each kill: ``PRAGMA integrity_check``, a resume run, and
  the exports (articles, passages, pairs, stories as JSON lines) byte-equal to a clean run's.
- a full disk (a small tmpfs, in a private mount namespace) and a read-only mount: one line,
  exit code 2, the store intact; read-only commands work there and leave nothing beside it.
- many processes creating one new store at once, with readers among them.

The mount tests need ``unshare`` with user and mount namespaces (or root); they skip, saying
why, where the platform does not allow them.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wiretrace.store.db as store_db
from wiretrace.io.readers import load_corpus
from wiretrace.io.writers import write_records_to
from wiretrace.pipeline import analyze
from wiretrace.report.export import records, snapshot
from wiretrace.store.db import Store
from wiretrace.store.lock import writer_lock_held

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus.jsonl"
KINDS = ("articles", "passages", "pairs", "stories")
SEED = 14


def edited_copy(path: Path) -> Path:
    """The bundled corpus with light edits under new ids (more work for a second run: new
    articles, near-copies of stored ones, pairs to align, stories to extend), written to
    ``path``."""
    rng = random.Random(SEED)
    lines = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        words = r["text"].split(" ")
        for _ in range(3):  # three words dropped: a light rewrite
            del words[rng.randrange(len(words))]
        r["id"] += "-rewrite"
        r["text"] = " ".join(words) + "\n\nMehr dazu in Kürze."
        lines.append(json.dumps(r, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def exports(db: Path) -> dict[str, str]:
    """What ``wiretrace export --what KIND`` prints for each kind (the same writer)."""
    out = {}
    with Store.open(db, read_only=True) as store, snapshot(store):
        for kind in KINDS:
            sink = io.StringIO()
            write_records_to(records(store, kind), sink, "jsonl")
            out[kind] = sink.getvalue()
    return out


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def cli(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "wiretrace", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The two inputs, analysed in this order: the corpus, then its edited copy."""
    tmp = tmp_path_factory.mktemp("inputs")
    return [CORPUS, edited_copy(tmp / "rewrites.jsonl")]


@pytest.fixture(scope="module")
def clean(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Clean runs over both inputs: the exports after the first and after both, and how many
    commits each run makes (the kill points)."""
    tmp = tmp_path_factory.mktemp("clean")
    db = tmp / "clean.db"
    commits = []
    real = store_db._before_commit
    count = [0]

    def counting() -> None:
        count[0] += 1

    store_db._before_commit = counting
    try:
        after = []
        for path in inputs:
            count[0] = 0
            analyze(load_corpus(path).values(), str(db), jobs=1, inputs=[str(path)])
            commits.append(count[0])
            after.append(exports(db))
    finally:
        store_db._before_commit = real
    assert all(after[1][k] for k in KINDS) and after[1] != after[0]
    return {"commits": commits, "first": after[0], "both": after[1]}


# --- kill -9 -----------------------------------------------------------------------------------


def kill_points(commits: list[int]) -> list[tuple[int, int, int]]:
    """``(run, commit, jobs)``: every commit of both runs (the first creates the store:
    creation, run record, ingest, near-duplicates, candidates, align batches, derive,
    stories, the finished record; the second adds to it), each with 1 or 2 worker processes
    (seeded)."""
    rng = random.Random(SEED)
    points = [(run, n) for run in (0, 1) for n in range(1, commits[run] + 1)]
    return [(run, n, rng.choice((1, 2))) for run, n in points]


def test_kill_9_at_every_commit_then_resume_equals_a_clean_run(
    inputs: list[Path], clean: dict, tmp_path: Path
) -> None:
    points = kill_points(clean["commits"])
    assert len(points) >= 10
    started = time.monotonic()
    problems = []
    for run, n, jobs in points:
        db = tmp_path / f"killed-{run}-{n}.db"
        for path in inputs[:run]:  # the runs before the killed one finished
            analyze(load_corpus(path).values(), str(db), jobs=1, inputs=[str(path)])
        killed = cli(
            "analyze", inputs[run], "--db", db, "--jobs", jobs, "-q",
            env={"WIRETRACE_TEST_KILL_AT": str(n)},
        )  # fmt: skip
        where = f"run {run + 1}, before commit {n}, {jobs} job(s)"
        assert killed.returncode == -9, f"{where}: not killed ({killed.stderr})"
        # The workers die with it, quietly, and nothing keeps the store locked.
        assert "Traceback" not in killed.stderr, f"{where}: {killed.stderr}"
        deadline = time.monotonic() + 2
        while writer_lock_held(db) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not writer_lock_held(db), f"{where}: the store stays locked"
        if db.exists() and db.stat().st_size:
            check = integrity(db)
            if check != "ok":
                problems.append(f"{where}: integrity_check: {check}")
        for path in inputs[run:]:  # resume, then the runs after
            analyze(load_corpus(path).values(), str(db), jobs=jobs, inputs=[str(path)])
        got = exports(db)
        for kind in KINDS:
            if got[kind] != clean["both"][kind]:
                problems.append(f"{where}: {kind} differ from a clean run's")
        with Store.open(db, read_only=True) as store:
            statuses = [s for (s,) in store.conn.execute("SELECT status FROM runs ORDER BY run")]
        if "running" in statuses or statuses[-1] != "done":
            problems.append(f"{where}: runs recorded as {statuses}")
        # A run killed after recording itself (commit 1 of a new store creates it, the next
        # records the run) is marked interrupted by the resume run.
        if n > (2 if run == 0 else 1):
            assert statuses.count("interrupted") == 1, f"{where}: {statuses}"
    assert problems == []
    print(f"{len(points)} kill points in {time.monotonic() - started:.0f} s")


# --- concurrent creation -----------------------------------------------------------------------

_STARTER = """
import sys, time
from wiretrace.cli import main
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
sys.argv = ["wiretrace", *sys.argv[2:]]
main()
"""


def test_processes_creating_one_store_at_once_all_succeed_or_wait(tmp_path: Path) -> None:
    """Writers and readers started together on a path where no store exists yet: every
    writer succeeds, every reader either reads the store or (having come before anyone
    created anything) says there is none; nobody calls it "not a wiretrace store"."""
    small = tmp_path / "two.jsonl"
    small.write_text("\n".join(CORPUS.read_text(encoding="utf-8").splitlines()[:2]) + "\n")
    no_stories = tmp_path / "no-stories.toml"  # the race is at creation: keep the runs short
    no_stories.write_text("[stories]\nenabled = false\n")
    rng = random.Random(SEED)
    failures = []
    for attempt in range(4):
        db = tmp_path / f"new-{attempt}.db"
        start = time.time() + 1.5  # after every process has imported wiretrace
        procs = []
        for i in range(7):
            # Writers start together; readers spread over the time the writers take to
            # import what a run needs and create the store.
            delay = rng.uniform(0, 0.03) if i < 4 else rng.uniform(0.1, 0.9)
            if i < 4:
                args = ["analyze", str(small), "--db", str(db), "--jobs", "1", "-q"]
                args += ["--settings", str(no_stories)]
            else:
                args = ["export", "--db", str(db), "--what", "articles"]
            procs.append(
                (
                    args[0],
                    subprocess.Popen(
                        [sys.executable, "-c", _STARTER, str(start + delay), *args],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    ),
                )
            )
        for command, proc in procs:
            out, err = proc.communicate(timeout=120)
            ok = proc.returncode == 0 or (
                command == "export"
                and proc.returncode == 2
                and err.strip().endswith("no wiretrace store here")
            )
            if not ok:
                failures.append(f"attempt {attempt}: {command} exit {proc.returncode}: {err}")
        assert integrity(db) == "ok"
        with Store.open(db, read_only=True) as store:
            assert store.article_count() == 2
    assert failures == []


def test_a_reader_waits_for_a_store_being_created(tmp_path: Path) -> None:
    """The moment the race above can hit: the file exists, empty, and the creator holds the
    lock. The reader waits for the store instead of calling it no store."""
    db = tmp_path / "being-created.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from wiretrace.store.db import Store\n"
            "from wiretrace.store.lock import writer_lock\n"
            "with writer_lock(sys.argv[1]):\n"
            "    Path(sys.argv[1]).touch()\n"
            "    print('empty', flush=True)\n"
            "    time.sleep(1.0)\n"
            "    Store.open(sys.argv[1]).close()\n",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "empty\n"
        started = time.monotonic()
        with Store.open(db, read_only=True) as store:
            assert store.article_count() == 0
        assert time.monotonic() - started >= 0.5
    finally:
        holder.wait(timeout=30)


# --- full disk and read-only mounts ------------------------------------------------------------


def _private_mounts() -> str | None:
    """Why tmpfs mounts in a private namespace are not possible here (None: they are)."""
    if shutil.which("unshare") is None:
        return "no unshare command"
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>&1 || exit 3"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return f"cannot mount a tmpfs in a private namespace: {(probe.stdout + probe.stderr).strip()}"
    return None


_NO_MOUNTS = _private_mounts()
needs_mounts = pytest.mark.skipif(_NO_MOUNTS is not None, reason=str(_NO_MOUNTS))


def in_private_mount(script: str, **env: str | Path) -> subprocess.CompletedProcess:
    """Run a bash ``script`` in its own mount namespace (mounts vanish with it)."""
    return subprocess.run(
        ["unshare", "-rm", "bash", "-euc", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PY": sys.executable, **{k: str(v) for k, v in env.items()}},
        timeout=600,
    )


@needs_mounts
def test_a_full_disk_is_one_line_exit_2_and_the_store_stays_intact(
    inputs: list[Path], clean: dict, tmp_path: Path
) -> None:
    """The second run gets 200 KB of a full tmpfs: it stops with one line naming the store
    and the cause, exit code 2; the store holds the first run intact, and once there is room
    again, the same command finishes the job as a clean run does."""
    small, saved = tmp_path / "small", tmp_path / "saved"
    small.mkdir()
    saved.mkdir()
    result = in_private_mount(
        """
        mount -t tmpfs -o size=4m tmpfs "$SMALL"
        "$PY" -m wiretrace analyze "$FIRST" --db "$SMALL/s.db" --jobs 1 -q
        # Fill the disk, then free 200 KB: not enough for the second run.
        dd if=/dev/zero of="$SMALL/fill" bs=64k 2>/dev/null || true
        truncate -s -200K "$SMALL/fill"
        set +e
        "$PY" -m wiretrace analyze "$SECOND" --db "$SMALL/s.db" --jobs 1 -q 2>"$SAVED/stderr"
        echo $? >"$SAVED/exit"
        set -e
        rm "$SMALL/fill"
        cp "$SMALL"/s.db* "$SAVED"/
        """,
        SMALL=small,
        SAVED=saved,
        FIRST=inputs[0],
        SECOND=inputs[1],
    )
    assert result.returncode == 0, result.stderr
    stderr = (saved / "stderr").read_text()
    assert (saved / "exit").read_text().strip() == "2", stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert stderr.startswith(f"wiretrace: {small / 's.db'}: disk full"), stderr
    db = saved / "s.db"
    assert integrity(db) == "ok"
    got = exports(db)
    # Intact: what the first run left, or (stories, derived rows) what a finished step of
    # the second left; either way the same command, run again, ends as a clean run.
    assert got["articles"].count("\n") >= clean["first"]["articles"].count("\n")
    analyze(load_corpus(inputs[1]).values(), str(db), jobs=1, inputs=[str(inputs[1])])
    assert exports(db) == clean["both"]


@needs_mounts
def test_a_store_on_a_read_only_mount_is_read_and_never_written(
    inputs: list[Path], clean: dict, tmp_path: Path
) -> None:
    """export, show, stories and serve --read-only work on a read-only mount and leave no file
    beside the store; analyze, vacuum and serve (writable) stop with one line, exit code 2."""
    mnt, saved = tmp_path / "ro", tmp_path / "saved"
    mnt.mkdir()
    saved.mkdir()
    web = tmp_path / "web.py"  # serve --read-only: the app it serves
    web.write_text(
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from wiretrace.web.app import create_app\n"
        "client = TestClient(create_app(sys.argv[1], read_only=True), base_url='http://localhost')\n"
        "assert client.get('/api/stories').status_code == 200\n"
        "assert client.get('/articles/flood-jetzt').status_code == 200\n"
    )
    result = in_private_mount(
        """
        mount -t tmpfs -o size=8m tmpfs "$MNT"
        "$PY" -m wiretrace analyze "$FIRST" --db "$MNT/s.db" --jobs 1 -q
        rm "$MNT/s.db.lock"
        mount -o remount,ro "$MNT"
        for kind in articles passages pairs stories; do
            "$PY" -m wiretrace export --db "$MNT/s.db" --what $kind >"$SAVED/$kind.jsonl"
        done
        "$PY" -m wiretrace show flood-jetzt --db "$MNT/s.db" --json >"$SAVED/show.json"
        "$PY" -m wiretrace stories --db "$MNT/s.db" >"$SAVED/stories.txt"
        "$PY" "$WEB" "$MNT/s.db"
        set +e
        for cmd in "analyze $SECOND" "vacuum" "serve --workers 1"; do
            "$PY" -m wiretrace $cmd --db "$MNT/s.db" 2>>"$SAVED/refused"
            echo $? >>"$SAVED/refused-exits"
        done
        set -e
        ls -A "$MNT" >"$SAVED/files"
        """,
        MNT=mnt,
        SAVED=saved,
        WEB=web,
        FIRST=inputs[0],
        SECOND=inputs[1],
    )
    assert result.returncode == 0, result.stderr
    for kind in KINDS:
        assert (saved / f"{kind}.jsonl").read_text(encoding="utf-8") == clean["first"][kind]
    assert json.loads((saved / "show.json").read_text())["id"] == "flood-jetzt"
    assert "Hochwasser an der Ramse" in (saved / "stories.txt").read_text()
    assert (saved / "files").read_text().split() == ["s.db"]
    assert (saved / "refused-exits").read_text().split() == ["2", "2", "2"]
    refused = (saved / "refused").read_text().splitlines()
    assert len(refused) == 3 and all("read-only file system" in line for line in refused)
