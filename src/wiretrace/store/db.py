"""The embedded store: one SQLite file in WAL mode (readers can query while a run writes).

All writes happen inside ``with store.transaction():`` blocks, so killing the process at any
moment leaves the last committed state; each analyze step commits what it finished and the
next run continues from there. Numeric arrays (anchors, sentence spans) are stored as
little-endian BLOBs.

Where the file lives is :mod:`wiretrace.store.place`'s business: every connection is made
there (paths are handed to SQLite as escaped URIs), and so is the choice of how a reader
opens a store without leaving files beside it, also in a read-only folder.

A new store is created in one transaction before the file is switched to WAL mode: until
that transaction commits the file is empty, and a reader meeting an empty file while a
writer holds the store's lock waits for it (see :meth:`Store.open`), so nobody ever sees a
store without its tables.

Test-only hook: with the environment variable ``WIRETRACE_TEST_KILL_AT=N`` the process
kills itself with SIGKILL just before its N-th commit (``tests/test_reliability.py`` uses
it to stop runs at every commit). Never set it otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from wiretrace import __version__
from wiretrace.errors import StoreError
from wiretrace.model import Article
from wiretrace.store.lock import writer_lock_held
from wiretrace.store.place import connect, connect_reader, write_problem
from wiretrace.store.schema import APPLICATION, MIGRATIONS, READS_UNCHANGED, SCHEMA_VERSION

# How long a reader waits for a store that another process is creating (a few milliseconds
# normally: the lock is taken and the creating transaction committed right away).
_CREATION_WAIT_SECONDS = 10.0
# SQLite's busy timeout: how long a statement waits for another connection's lock.
_BUSY_SECONDS = 30.0


def _newer(where: str, version: int) -> StoreError:
    return StoreError(
        f"{where}: written by a newer wiretrace (store schema {version}, this wiretrace "
        f"reads up to {SCHEMA_VERSION}); upgrade wiretrace to use it"
    )


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as ingested: its store key ``aid`` plus what analysis needs of it."""

    aid: int
    article: Article
    content_hash: str
    agencies: tuple[str, ...]
    duplicate_of: int | None


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article to insert, with the per-article results computed before insertion."""

    article: Article
    content_hash: str
    agencies: tuple[str, ...]
    duplicate_of: int | None
    anchor_keys: np.ndarray  # uint64
    anchor_sentences: np.ndarray  # int32, sentence index of each key
    sentence_spans: np.ndarray  # int32 (n, 2), character spans of sentences
    document_keys: np.ndarray  # uint64, near-duplicate band keys of the whole text
    image_credits: tuple[str, ...] = ()  # agencies credited for pictures, not the text


_commits = [0]


def _before_commit() -> None:
    """Test-only: SIGKILL this process before its N-th commit when WIRETRACE_TEST_KILL_AT=N
    (see the module docstring)."""
    at = os.environ.get("WIRETRACE_TEST_KILL_AT")
    if at:
        _commits[0] += 1
        if _commits[0] == int(at):
            os.kill(os.getpid(), signal.SIGKILL)


# What an SQLite error code means for the user, by the primary code's name.
_STORAGE_CAUSES = {
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "cannot write here (read-only)",
    "SQLITE_IOERR": "I/O error",
    "SQLITE_CANTOPEN": "cannot open the database file",
    "SQLITE_PERM": "permission denied",
    "SQLITE_BUSY": "the store stayed locked by another process",
    "SQLITE_CORRUPT": "the store is damaged",
    "SQLITE_NOTADB": "not a wiretrace store",
}


def storage_error(where: str, exc: BaseException) -> StoreError:
    """A failure of the storage under a store (SQLite's or the operating system's) as one
    line naming ``where`` and the cause: ``wt.db: disk full (database or disk is full)``."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorname", "") or ""
        base = next((c for c in _STORAGE_CAUSES if code.startswith(c)), None)
        cause = _STORAGE_CAUSES.get(base or "", "storage error")
        if base == "SQLITE_IOERR" and _no_space_left(where):  # the -shm file could not grow
            cause = "disk full"
        return StoreError(f"{where}: {cause} ({exc})")
    if isinstance(exc, OSError):
        return StoreError(f"{exc.filename or where}: {exc.strerror or exc}")
    return StoreError(f"{where}: {exc}")


def _no_space_left(where: str) -> bool:
    try:
        return os.statvfs(Path(where).resolve().parent).f_bavail == 0
    except OSError:
        return False


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of ``script``, split at the ";" that end a complete statement (so a
    trigger body ``BEGIN ...; END`` stays whole; ``executescript`` would commit on its own)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def _has_content(p: Path) -> bool:
    try:
        return p.stat().st_size > 0
    except FileNotFoundError:
        return False


def _wait_while_created(p: Path) -> None:
    """Wait while the store at ``p`` is missing or empty and another process holds its
    writer lock: it is being created (see the module docstring)."""
    deadline = time.monotonic() + _CREATION_WAIT_SECONDS
    while not _has_content(p) and writer_lock_held(p):
        if time.monotonic() > deadline:
            raise StoreError(f"{p}: a wiretrace store is being created here; try again shortly")
        time.sleep(0.02)


def _blob(array: np.ndarray, dtype: str) -> bytes:
    return np.ascontiguousarray(array, dtype=dtype).tobytes()


def _per_entry(rows: list[tuple], dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """``(aid, value)`` arrays, one entry per value, from rows ``(aid, blob, ...)`` of packed
    values (one buffer per column: joining bytes is far cheaper than 13k small arrays)."""
    size = np.dtype(dtype).itemsize
    aids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    counts = np.fromiter((len(r[1]) // size for r in rows), dtype=np.int64, count=len(rows))
    values = np.frombuffer(b"".join(r[1] for r in rows), dtype=dtype)
    return np.repeat(aids, counts), values


class Store:
    """A wiretrace store at ``path``; open it with :meth:`Store.open`."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._has_extras: bool | None = None  # schema-7 columns present (see article_extras)

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def check(cls, path: str | Path) -> None:
        """Raise StoreError, touching nothing, unless ``path`` can be written (its folder
        exists and is writable, and so is the file if there is one) and is absent, empty, or
        a wiretrace store this version can open (perhaps after an upgrade)."""
        p = Path(path)
        if p.is_dir():
            raise StoreError(f"{p}: is a directory, not a wiretrace store")
        problem = write_problem(p)
        if problem is not None:
            raise StoreError(f"{p}: cannot write the store: {problem}")
        if not _has_content(p):
            return
        try:
            conn = connect_reader(p, _BUSY_SECONDS)
            try:
                version = cls(conn, str(p))._version_or_empty()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise storage_error(str(p), exc) from None
        if version > SCHEMA_VERSION:
            raise _newer(str(p), version)

    @classmethod
    def open(cls, path: str | Path, create: bool = True, read_only: bool = False) -> Store:
        """Open (and with ``create``, create or upgrade) the store at ``path``.

        Raises StoreError, without modifying the file, for a file that is not a wiretrace store
        or was written by a newer wiretrace, and for a place that cannot be written (unless
        ``read_only``). ``read_only`` opens it without writing anything, also beside it
        (see :func:`wiretrace.store.place.connect_reader`); a store that another process is
        creating at that moment is waited for.
        """
        p = Path(path)
        where = str(p)
        if p.is_dir():
            raise StoreError(f"{where}: is a directory, not a wiretrace store")
        if read_only or not create:
            _wait_while_created(p)
        exists = _has_content(p)
        if not exists and (read_only or not create):
            raise StoreError(f"{where}: no wiretrace store here")
        if not read_only:
            problem = write_problem(p)
            if problem is not None:
                raise StoreError(f"{where}: cannot write the store: {problem}")
        try:
            if read_only:
                conn = connect_reader(p, _BUSY_SECONDS)
            else:
                conn = connect(p, "rwc", _BUSY_SECONDS)
        except sqlite3.Error as exc:
            raise storage_error(where, exc) from None
        store = cls(conn, where)
        try:
            store._prepare(read_only)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.Error):
                raise storage_error(where, exc) from None
            raise
        return store

    def _prepare(self, read_only: bool) -> None:
        """Check the schema version; writable: create or upgrade the schema (in one
        transaction that reads the version again, so that two processes creating one store
        at once both end with one schema), then switch to WAL mode."""
        version = self._version_or_empty()
        if version > SCHEMA_VERSION:
            raise _newer(self.path, version)
        if read_only:
            if version == 0:
                raise StoreError(f"{self.path}: no wiretrace store here (an empty database)")
            if not READS_UNCHANGED.issuperset(range(version + 1, SCHEMA_VERSION + 1)):
                raise StoreError(
                    f"{self.path}: store schema {version} needs an upgrade; open it writable"
                )
            return
        self.conn.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            self._migrate()
        # After the schema exists: a new file stays empty until then (see the module doc).
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")

    def _version_or_empty(self) -> int:
        """:meth:`_version`, or 0 for a database without any table (a store not created yet)."""
        try:
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
                raise StoreError(f"{self.path}: not a wiretrace store ({exc})") from None
            raise
        return self._version() if tables else 0

    def _version(self) -> int:
        """Schema version of an existing file; StoreError if it is not a wiretrace store."""
        try:
            rows = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a wiretrace store ({exc})") from None
        if rows.get("application") != APPLICATION or "schema_version" not in rows:
            raise StoreError(f"{self.path}: not a wiretrace store (no wiretrace metadata)")
        try:
            return int(rows["schema_version"])
        except ValueError:
            raise StoreError(f"{self.path}: corrupt wiretrace metadata") from None

    def _migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION, in one transaction from the version read inside
        it (another process may have created or upgraded the store meanwhile)."""
        with self.transaction():
            version = self._version_or_empty()
            if version > SCHEMA_VERSION:
                raise _newer(self.path, version)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[target]):
                    self.conn.execute(statement)
            self.conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('application', ?), ('schema_version', ?),"
                " ('written_by', ?)",
                (APPLICATION, str(SCHEMA_VERSION), __version__),
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(self) -> None:
        """Start a write transaction explicitly (for batches spanning a loop; pair with
        :meth:`commit` or :meth:`rollback`). Prefer :meth:`transaction` where it fits."""
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit the open transaction; if that fails (a full disk), it is rolled back and
        the error raised."""
        _before_commit()
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        """Roll back the open transaction, if there still is one: SQLite rolls back on its
        own after some errors (SQLITE_FULL, SQLITE_IOERR, ...), and a second ROLLBACK would
        replace the error that explains what happened with "no transaction is active"."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                if self.conn.in_transaction:
                    raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    # --- runs ----------------------------------------------------------------------------

    def start_run(self, inputs: list[str]) -> int:
        """Record a new run as ``running``. Call it holding the store's writer lock: any
        other run still recorded as ``running`` was then killed (a live run would hold the
        lock), and is marked ``interrupted``."""
        with self.transaction():
            self.conn.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cur = self.conn.execute(
                "INSERT INTO runs (started, status, inputs) VALUES (?, 'running', ?)",
                (_now(), json.dumps(inputs, ensure_ascii=False)),
            )
        return int(cur.lastrowid or 0)

    def finish_run(
        self, run: int, status: str, added: int, skipped: int, removed: int = 0, replaced: int = 0
    ) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished = ?, status = ?, added = ?, skipped = ?, removed = ?,"
                " replaced = ? WHERE run = ?",
                (_now(), status, added, skipped, removed, replaced, run),
            )

    # --- articles ------------------------------------------------------------------------

    def known_articles(self) -> tuple[dict[str, str], dict[str, int]]:
        """``{id: content_hash}`` of every stored article and ``{content_hash: first aid}``."""
        ids: dict[str, str] = {}
        hashes: dict[str, int] = {}
        for aid, id_, h in self.conn.execute(
            "SELECT aid, id, content_hash FROM articles ORDER BY aid"
        ):
            ids[id_] = h
            hashes.setdefault(h, aid)
        return ids, hashes

    def add_articles(
        self, rows: Iterable[NewArticle], run: int, search_index: bool = True
    ) -> list[int]:
        """Insert articles (call inside a transaction); returns their new aids in order.

        With ``search_index`` they are added to the full-text index too; a caller adding
        many articles in small calls passes False and calls :meth:`index_for_search` once
        for the whole range, in the same transaction (one statement is far cheaper than many).
        """
        aids = []
        for r in rows:
            a = r.article
            cur = self.conn.execute(
                "INSERT INTO articles (id, content_hash, title, outlet, published, url, lang,"
                " path, text, chars, agencies, duplicate_of, anchor_keys, anchor_sentences,"
                " sentence_spans, document_keys, run, author, teaser_only, image_credits)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    a.id,
                    r.content_hash,
                    a.title,
                    a.outlet,
                    a.published,
                    a.url,
                    a.lang,
                    a.path,
                    a.text,
                    len(a.text),
                    json.dumps(list(r.agencies)),
                    r.duplicate_of,
                    _blob(r.anchor_keys, "<u8"),
                    _blob(r.anchor_sentences, "<i4"),
                    _blob(r.sentence_spans, "<i4"),
                    _blob(r.document_keys, "<u8"),
                    run,
                    a.author,
                    int(a.teaser_only),
                    json.dumps(list(r.image_credits)),
                ),
            )
            aids.append(int(cur.lastrowid or 0))
        if search_index and aids:
            self.index_for_search(aids[0], aids[-1])
        return aids

    def index_for_search(self, first_aid: int, last_aid: int) -> None:
        """Add the articles ``first_aid`` to ``last_aid`` (inclusive) to the full-text index
        (title and the first 500 characters: see schema version 3). Each article once: call
        it for articles just added, in the transaction that added them."""
        self.conn.execute(
            "INSERT INTO articles_fts (rowid, title, lead)"
            " SELECT aid, coalesce(title, ''), substr(text, 1, 500) FROM articles"
            " WHERE aid BETWEEN ? AND ?",
            (first_aid, last_aid),
        )

    def max_aid(self) -> int:
        """The largest article key (0 for an empty store)."""
        return int(self.conn.execute("SELECT coalesce(max(aid), 0) FROM articles").fetchone()[0])

    def article_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def anchors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All anchors: ``(aid, key, sentence)`` arrays, one entry per stored key."""
        rows = self.conn.execute(
            "SELECT aid, anchor_keys, anchor_sentences FROM articles ORDER BY aid"
        ).fetchall()
        aids, keys = _per_entry(rows, "<u8")
        sents = np.frombuffer(b"".join(r[2] for r in rows), dtype="<i4")
        return aids, keys.astype(np.uint64, copy=False), sents.astype(np.int32, copy=False)

    def document_keys(self) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Near-duplicate keys of all articles as ``(aid, key)`` arrays, one entry per key, and
        the aids of articles whose keys were never computed (stores from schema 1)."""
        rows = self.conn.execute("SELECT aid, document_keys FROM articles ORDER BY aid").fetchall()
        missing = [aid for aid, blob in rows if blob is None]
        aids, keys = _per_entry([r for r in rows if r[1] is not None], "<u8")
        return aids, keys.astype(np.uint64), missing

    def set_document_keys(self, rows: Iterable[tuple[int, np.ndarray]]) -> None:
        """Store computed near-duplicate keys ``(aid, keys)`` (call inside a transaction)."""
        self.conn.executemany(
            "UPDATE articles SET document_keys = ? WHERE aid = ?",
            ((_blob(k, "<u8"), aid) for aid, k in rows),
        )

    def fingerprint_rules(self) -> str | None:
        """The rules (JSON) the stored articles' anchors and keys were computed with; None for
        a store that predates this record (computed by an older wiretrace)."""
        return self._meta("fingerprint_rules")

    def set_fingerprints(
        self,
        rows: Iterable[tuple[int, tuple[str, ...], np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    ) -> None:
        """Replace the per-article results of ingest, ``(aid, agencies, anchor_keys,
        anchor_sentences, sentence_spans, document_keys)`` (call inside a transaction)."""
        self.conn.executemany(
            "UPDATE articles SET agencies = ?, anchor_keys = ?, anchor_sentences = ?,"
            " sentence_spans = ?, document_keys = ? WHERE aid = ?",
            (
                (
                    json.dumps(list(agencies)),
                    _blob(keys, "<u8"),
                    _blob(sentences, "<i4"),
                    _blob(spans, "<i4"),
                    _blob(doc_keys, "<u8"),
                    aid,
                )
                for aid, agencies, keys, sentences, spans, doc_keys in rows
            ),
        )

    def begin_fingerprints(self) -> None:
        """Before fingerprinting every stored article again: forget the rules record and
        everything computed from the old fingerprints (verified near-duplicate pairs, the
        candidate state, every pair and its rules record), so that a run killed halfway leaves
        a store that any next run, whatever its rules, fingerprints and aligns again (call
        inside a transaction, before the first :meth:`set_fingerprints`)."""
        self.conn.execute("DELETE FROM near_duplicates")
        self.conn.execute("DELETE FROM candidate_state")
        self.conn.execute("DELETE FROM pairs")
        self.conn.execute("DELETE FROM meta WHERE key IN ('fingerprint_rules', 'alignment_rules')")

    def delete_articles(self, aids: Iterable[int]) -> None:
        """Delete articles and every row that names them: their pairs, verified near-duplicate
        pairs, stats, passage-group memberships, boilerplate spans, story membership and
        full-text entries (call inside a transaction). Results computed over the whole store
        (candidate state, derived tables, stories) are the caller's to recompute: see
        :meth:`forget_whole_store_results`."""
        keys = [(aid,) for aid in aids]
        for row in self.conn.execute(
            f"SELECT aid, coalesce(title, ''), substr(text, 1, 500) FROM articles"
            f" WHERE aid IN ({','.join('?' * len(keys))})",
            [k[0] for k in keys],
        ).fetchall():
            # A contentless FTS5 index forgets a row only when told the values it indexed.
            self.conn.execute(
                "INSERT INTO articles_fts (articles_fts, rowid, title, lead)"
                " VALUES ('delete', ?, ?, ?)",
                row,
            )
        for statement in (
            "DELETE FROM pairs WHERE a = ? OR b = ?",
            "DELETE FROM near_duplicates WHERE a = ? OR b = ?",
        ):
            self.conn.executemany(statement, [(k[0], k[0]) for k in keys])
        for statement in (
            "DELETE FROM article_stats WHERE aid = ?",
            "UPDATE article_stats SET duplicate_of = NULL WHERE duplicate_of = ?",
            "DELETE FROM group_members WHERE aid = ?",
            "DELETE FROM boilerplate_spans WHERE aid = ?",
            "DELETE FROM story_members WHERE aid = ?",
            "UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?",
        ):
            self.conn.executemany(statement, keys)
        # Groups whose earliest member left: the next derive step rebuilds every group.
        self.conn.execute("DELETE FROM group_members")
        self.conn.execute("DELETE FROM groups")
        self.conn.executemany("DELETE FROM articles WHERE aid = ?", keys)

    def forget_whole_store_results(self) -> None:
        """Forget what the next run would otherwise update rather than recompute: the
        candidate state and the record of the derive step, so that candidates are counted
        and every derived table computed again over the store as it now is (call inside a
        transaction)."""
        self.conn.execute("DELETE FROM candidate_state")
        self.conn.execute("DELETE FROM meta WHERE key = 'derived_state'")

    def set_duplicate_of(self, rows: Iterable[tuple[int | None, int]]) -> None:
        """Set ``articles.duplicate_of`` of ``(duplicate_of, aid)`` rows (inside a transaction)."""
        self.conn.executemany("UPDATE articles SET duplicate_of = ? WHERE aid = ?", rows)

    def aids_of(self, ids: Iterable[str]) -> dict[str, int]:
        """``{id: aid}`` of the given ids that are stored."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            found.update(
                self.conn.execute(
                    f"SELECT id, aid FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        return found

    def aids_with_hash(self, content_hash: str) -> list[int]:
        """Aids of the articles with this content hash, ascending."""
        return [
            aid
            for (aid,) in self.conn.execute(
                "SELECT aid FROM articles WHERE content_hash = ? ORDER BY aid", (content_hash,)
            )
        ]

    def unplace(self, aids: Iterable[int]) -> None:
        """Take articles out of their stories (they are placed again by the next stories
        stage) and drop stories left without members (call inside a transaction)."""
        self.conn.executemany("DELETE FROM story_members WHERE aid = ?", [(a,) for a in aids])
        self.conn.execute(
            "DELETE FROM stories WHERE story_id NOT IN (SELECT story_id FROM story_members)"
        )

    def stale_stories(self) -> list[int]:
        """Stories whose row no longer matches its members (a member was removed or taken
        out), by story id."""
        return [
            sid
            for (sid,) in self.conn.execute(
                "SELECT s.story_id FROM stories s LEFT JOIN (SELECT story_id, count(*) AS n"
                " FROM story_members GROUP BY story_id) m ON m.story_id = s.story_id"
                " WHERE m.n IS NULL OR m.n != s.articles ORDER BY s.story_id"
            )
        ]

    def credit_rules(self) -> str | None:
        """The rules (JSON) the stored articles' agency credits were found with; None for a
        store that predates the record."""
        return self._meta("credit_rules")

    def set_credits(self, rows: Iterable[tuple[int, tuple[str, ...], tuple[str, ...]]], rules: str) -> None:
        """Store ``(aid, text credits, image credits)`` of articles and, when all are done,
        record ``rules`` (call inside a transaction)."""
        self.conn.executemany(
            "UPDATE articles SET agencies = ?, image_credits = ? WHERE aid = ?",
            ((json.dumps(list(t)), json.dumps(list(i)), aid) for aid, t, i in rows),
        )
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('credit_rules', ?)", (rules,)
        )

    def finish_fingerprints(self, rules: str) -> None:
        """Record ``rules`` as those of every stored article's fingerprints (call inside a
        transaction, after :meth:`set_fingerprints` for every article)."""
        self._set_meta("fingerprint_rules", rules)

    def near_duplicate_pairs(self) -> dict[tuple[int, int], float]:
        """Every verified near-duplicate candidate pair ``(a, b)``, ``a < b``, with its Jaccard."""
        return {(a, b): j for a, b, j in self.conn.execute("SELECT * FROM near_duplicates")}

    def put_near_duplicates(self, rows: Iterable[tuple[int, int, float]]) -> None:
        """Insert verified pairs ``(a, b, jaccard)``, ``a < b`` (call inside a transaction)."""
        self.conn.executemany("INSERT OR REPLACE INTO near_duplicates VALUES (?, ?, ?)", rows)

    def candidate_state(self, rules: str) -> tuple[np.ndarray, ...] | None:
        """``(members, pairs, shared, boilerplate_keys, unusable_keys)`` stored by the last
        run with the same ``rules`` (JSON), or None (none stored, or with other rules)."""
        row = self.conn.execute(
            "SELECT members, pairs, shared, boilerplate_keys, unusable_keys FROM candidate_state"
            " WHERE rules = ?",
            (rules,),
        ).fetchone()
        if row is None:
            return None
        members, pairs, shared, bp, unusable = row
        return (
            np.frombuffer(members, "<i8").astype(np.int64),
            np.frombuffer(pairs, "<i8").astype(np.int64).reshape(-1, 2),
            np.frombuffer(shared, "<i8").astype(np.int64),
            np.frombuffer(bp, "<u8").astype(np.uint64),
            np.frombuffer(unusable, "<u8").astype(np.uint64),
        )

    def put_candidate_state(
        self,
        rules: str,
        members: np.ndarray,
        pairs: np.ndarray,
        shared: np.ndarray,
        boilerplate_keys: np.ndarray,
        unusable_keys: np.ndarray,
    ) -> None:
        """Keep the candidate pairs over the articles ``members`` for the next run (one
        transaction)."""
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO candidate_state VALUES (1, ?, ?, ?, ?, ?, ?)",
                (
                    rules,
                    _blob(members, "<i8"),
                    _blob(pairs, "<i8"),
                    _blob(shared, "<i8"),
                    _blob(boilerplate_keys, "<u8"),
                    _blob(unusable_keys, "<u8"),
                ),
            )

    def sentence_spans(self, aid: int) -> np.ndarray:
        (blob,) = self.conn.execute(
            "SELECT sentence_spans FROM articles WHERE aid = ?", (aid,)
        ).fetchone()
        return np.frombuffer(blob, dtype="<i4").reshape(-1, 2)

    def article_extras(self, prefix: str = "") -> str:
        """SQL selecting the schema-7 article columns ``author, teaser_only, image_credits`` (with a table
        ``prefix`` such as ``"a."``), or NULL and 0 for a store read without its upgrade."""
        if self._has_extras is None:
            columns = {row[1] for row in self.conn.execute("PRAGMA table_info(articles)")}
            self._has_extras = {"author", "teaser_only", "image_credits"} <= columns
        if self._has_extras:
            return (
                f"{prefix}author AS author, {prefix}teaser_only AS teaser_only,"
                f" {prefix}image_credits AS image_credits"
            )
        return "NULL AS author, 0 AS teaser_only, '[]' AS image_credits"

    def article_rows(self) -> list[dict[str, Any]]:
        """Metadata of every article (no text), ordered by aid."""
        cur = self.conn.execute(
            "SELECT aid, id, outlet, published, url, title, lang, path, chars, agencies,"
            f" duplicate_of, content_hash, {self.article_extras()} FROM articles ORDER BY aid"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def _column(self, column: str, aids: Iterable[int], not_null: bool = False) -> Iterator[tuple]:
        """``(aid, value)`` of one ``articles`` column for the given articles (in chunks of 500
        keys, under SQLite's limit on bound parameters); with ``not_null``, rows where the
        value is NULL are left out."""
        ids = list(aids)
        extra = f" AND {column} IS NOT NULL" if not_null else ""
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.conn.execute(
                f"SELECT aid, {column} FROM articles WHERE aid IN ({marks}){extra}", chunk
            )

    def texts(self, aids: Iterable[int]) -> dict[int, str]:
        return dict(self._column("text", aids))

    def article(self, aid: int) -> Article:
        row = self.conn.execute(
            "SELECT id, text, title, outlet, published, url, lang, path,"
            f" {self.article_extras()} FROM articles WHERE aid = ?",
            (aid,),
        ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no article with key {aid}")
        return Article(*row[:9], teaser_only=bool(row[9]))  # row[10]: image credits

    # --- pairs ---------------------------------------------------------------------------

    def pair_keys(self) -> dict[tuple[int, int], tuple[bool, int]]:
        """Aligned (not mapped) pairs, each with whether it keeps the blocks of equal words
        and its shared anchor count."""
        return {
            (a, b): (bool(has_blocks), shared)
            for a, b, has_blocks, shared in self.conn.execute(
                "SELECT a, b, blocks IS NOT NULL, shared_anchors FROM pairs WHERE mapped = 0"
            )
        }

    def set_shared_anchors(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """Set the shared anchor count of aligned pairs ``(a, b, shared)`` (call inside a
        transaction)."""
        self.conn.executemany(
            "UPDATE pairs SET shared_anchors = ? WHERE a = ? AND b = ? AND mapped = 0",
            ((shared, a, b) for a, b, shared in rows),
        )

    def delete_pairs(self, keys: Iterable[tuple[int, int]]) -> None:
        self.conn.executemany("DELETE FROM pairs WHERE a = ? AND b = ?", list(keys))

    def alignment_rules(self) -> str | None:
        """The rules (JSON) the stored pairs were aligned with; None for a store whose pairs
        predate this record (aligned by an older wiretrace)."""
        return self._meta("alignment_rules")

    def has_pairs(self) -> bool:
        return self.conn.execute("SELECT 1 FROM pairs LIMIT 1").fetchone() is not None

    def realign_all(self, rules: str) -> None:
        """Forget every pair (aligned and mapped) and record ``rules`` as those of the pairs
        to come (call inside a transaction)."""
        self.conn.execute("DELETE FROM pairs")
        self._set_meta("alignment_rules", rules)

    def put_pairs(self, rows: Iterable[tuple[int, int, int, str, bytes | None]]) -> None:
        """Insert or replace aligned ``(a, b, shared_anchors, passages_json, blocks)`` rows,
        ``a < b``; ``blocks`` (int64 rows a0, a1, b0, b1) only for an article and its
        representative, else None."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO pairs (a, b, shared_anchors, passages, mapped, blocks)"
            " VALUES (?, ?, ?, ?, 0, ?)",
            rows,
        )

    def replace_mapped_pairs(self, rows: Iterable[tuple[int, int, int, str]]) -> None:
        """Replace all mapped pairs by ``(a, b, shared_anchors, passages_json)`` rows (call
        inside a transaction)."""
        self.conn.execute("DELETE FROM pairs WHERE mapped = 1")
        self.conn.executemany(
            "INSERT INTO pairs (a, b, shared_anchors, passages, mapped) VALUES (?, ?, ?, ?, 1)",
            rows,
        )

    def pairs(self, mapped: bool = True) -> Iterator[tuple[int, int, int, str]]:
        """``(a, b, shared_anchors, passages_json)`` of every pair (only aligned ones without
        ``mapped``), ordered by ``(a, b)``."""
        where = "" if mapped else " WHERE mapped = 0"
        yield from self.conn.execute(
            f"SELECT a, b, shared_anchors, passages FROM pairs{where} ORDER BY a, b"
        )

    def pair_blocks(self) -> Iterator[tuple[int, int, np.ndarray]]:
        """``(a, b, blocks)`` of aligned pairs that keep blocks of equal words."""
        for a, b, blob in self.conn.execute(
            "SELECT a, b, blocks FROM pairs WHERE mapped = 0 AND blocks IS NOT NULL"
        ):
            yield a, b, np.frombuffer(blob, dtype="<i8").reshape(-1, 4)

    # --- stories -----------------------------------------------------------------------------

    def articles_without_story(self) -> list[int]:
        """Aids of articles not yet placed in a story, ascending."""
        return [
            aid
            for (aid,) in self.conn.execute(
                "SELECT aid FROM articles WHERE aid NOT IN (SELECT aid FROM story_members)"
                " ORDER BY aid"
            )
        ]

    def embeddings(self, aids: Iterable[int]) -> dict[int, np.ndarray]:
        """Stored embeddings (float32 vectors) of the given articles that have one."""
        return {
            aid: np.frombuffer(blob, dtype="<f4")
            for aid, blob in self._column("embedding", aids, not_null=True)
        }

    def set_embeddings(self, rows: Iterable[tuple[int, np.ndarray]]) -> None:
        """Store article embeddings ``(aid, vector)`` (call inside a transaction)."""
        self.conn.executemany(
            "UPDATE articles SET embedding = ? WHERE aid = ?",
            ((_blob(v, "<f4"), aid) for aid, v in rows),
        )

    def story_members(self) -> list[tuple[int, int]]:
        """``(story_id, aid)`` of every placed article, by story then aid."""
        return self.conn.execute(
            "SELECT story_id, aid FROM story_members ORDER BY story_id, aid"
        ).fetchall()

    def add_story_members(self, rows: Iterable[tuple[int, int, float]]) -> None:
        """Place articles ``(aid, story_id, score)`` (call inside a transaction)."""
        self.conn.executemany("INSERT INTO story_members VALUES (?, ?, ?)", rows)

    def put_stories(
        self, rows: Iterable[tuple[int, str, int, str | None, str | None, str, str]]
    ) -> None:
        """Insert or replace story rows ``(story_id, label, articles, first_published,
        last_published, outlets_json, languages_json)`` (call inside a transaction)."""
        self.conn.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def story_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])

    def languages(self, aids: Iterable[int]) -> dict[int, str | None]:
        """The ``lang`` of the given articles (as read, or as detected by story clustering)."""
        return dict(self._column("lang", aids))

    def set_languages(self, rows: Iterable[tuple[int, str]]) -> None:
        """Fill in detected languages ``(aid, lang)`` of articles read without one (call inside
        a transaction; a language given in the input is never replaced)."""
        self.conn.executemany(
            "UPDATE articles SET lang = ? WHERE aid = ? AND lang IS NULL",
            ((lang, aid) for aid, lang in rows),
        )

    # --- derived tables --------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def boilerplate_spans(self, digest: str) -> dict[int, list[tuple[int, int]]] | None:
        """Boilerplate spans per article kept by the last derive step, when it used the
        boilerplate key set with this ``digest``; None otherwise."""
        if self._meta("boilerplate_digest") != digest:
            return None
        return {
            aid: [tuple(x) for x in np.frombuffer(blob, "<i4").reshape(-1, 2).tolist()]
            for aid, blob in self.conn.execute("SELECT aid, spans FROM boilerplate_spans")
        }

    def stored_boilerplate_spans(self) -> dict[int, list[tuple[int, int]]]:
        """Boilerplate spans per article as the last derive step stored them."""
        return {
            aid: [tuple(x) for x in np.frombuffer(blob, "<i4").reshape(-1, 2).tolist()]
            for aid, blob in self.conn.execute("SELECT aid, spans FROM boilerplate_spans")
        }

    def derived_articles(self) -> list[int]:
        """Aids of the articles the last derive step covered (those with article stats)."""
        return [aid for (aid,) in self.conn.execute("SELECT aid FROM article_stats")]

    def replace_boilerplate_spans(
        self, digest: str, spans: dict[int, list[tuple[int, int]]]
    ) -> None:
        """Replace the kept boilerplate spans (call inside a transaction)."""
        self.conn.execute("DELETE FROM boilerplate_spans")
        self.conn.executemany(
            "INSERT INTO boilerplate_spans VALUES (?, ?)",
            ((aid, _blob(np.array(s).reshape(-1, 2), "<i4")) for aid, s in spans.items() if s),
        )
        self._set_meta("boilerplate_digest", digest)

    def derived_state(self) -> str | None:
        """What the last derive step recorded about itself (``replace_derived``'s ``state``)."""
        return self._meta("derived_state")

    def mapped_pair_passages(self) -> dict[tuple[int, int], str]:
        """Passages (JSON) of every mapped pair, by ``(a, b)``."""
        return {
            (a, b): passages
            for a, b, passages in self.conn.execute(
                "SELECT a, b, passages FROM pairs WHERE mapped = 1"
            )
        }

    def replace_derived(
        self,
        stats: Iterable[tuple[int, int, int, float, str, int | None]],
        groups: Iterable[tuple[int, int, int, int, int]],
        members: Iterable[tuple[int, int, int, int]],
        state: str,
        only: set[int] | None = None,
    ) -> None:
        """Replace groups and group_members, and article_stats: all of them, or with ``only``
        the rows of those articles (``stats`` then holds just theirs); record ``state``
        (call inside a transaction)."""
        self.conn.execute("DELETE FROM group_members")
        self.conn.execute("DELETE FROM groups")
        if only is None:
            self.conn.execute("DELETE FROM article_stats")
        else:
            self.conn.executemany(
                "DELETE FROM article_stats WHERE aid = ?", ((aid,) for aid in sorted(only))
            )
        self._set_meta("derived_state", state)
        self.conn.executemany("INSERT INTO article_stats VALUES (?, ?, ?, ?, ?, ?)", stats)
        self.conn.executemany("INSERT INTO groups VALUES (?, ?, ?, ?, ?)", groups)
        self.conn.executemany("INSERT INTO group_members VALUES (?, ?, ?, ?)", members)


def vacuum(path: str | Path, into: str | Path | None = None) -> None:
    """Make the store at ``path`` one compact file, or copy it into one.

    Without ``into``: under the writer lock (waiting for a running analyze), fold the
    write-ahead log into the store file and rebuild it without free pages (``VACUUM``),
    leaving no ``-wal`` file. With ``into``: write a compacted single-file copy there
    (``VACUUM INTO``, from one read transaction: a consistent snapshot even while a run
    writes; the store itself is only read, so it may sit in a read-only place). The copy is
    written under a temporary name and renamed when complete; an existing ``into`` is refused.
    """
    from wiretrace.store.lock import writer_lock

    p = Path(path)
    if into is None:
        Store.check(p)
        if not _has_content(p):
            raise StoreError(f"{p}: no wiretrace store here")
        with writer_lock(p), Store.open(p, create=False) as store:
            try:
                store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                store.conn.execute("VACUUM")
                store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                raise storage_error(str(p), exc) from None
        return
    target = Path(into)
    if target.exists():
        raise StoreError(f"{target}: exists; give vacuum --into a new file name")
    problem = write_problem(target)
    if problem is not None:
        raise StoreError(f"{target}: cannot write: {problem}")
    tmp = target.with_name(f".{target.name}.tmp")
    with Store.open(p, read_only=True) as store:
        try:
            tmp.unlink(missing_ok=True)
            # query_only refuses VACUUM INTO too; the store itself is still only read.
            store.conn.execute("PRAGMA query_only=OFF")
            store.conn.execute("VACUUM INTO ?", (os.path.abspath(tmp),))
            os.replace(tmp, target)
        except (sqlite3.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise storage_error(str(target), exc) from None
