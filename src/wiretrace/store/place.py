"""Where a store lives: connecting to it by path, and whether that place can be written.

Every SQLite connection to a store is made here. Paths go to SQLite as ``file:`` URIs built
from the absolute path with every special character escaped (:func:`sqlite_uri`), so a store
named ``news#1?.db`` or ``100%41.db`` is that file and not a URI fragment, query or escape.

**Readers leave nothing beside a store.** A WAL-mode database needs a ``-shm`` file (and
gets a ``-wal`` file) beside it while anyone has it open; SQLite removes both when the last
connection that can write closes, but a connection opened with ``mode=ro`` cannot, so it
leaves them behind, and in a folder that cannot be written it cannot open the store at all
("unable to open database file" or "attempt to write a readonly database"). So
:func:`connect_reader` opens:

- where the folder and the file can be written: read-write with ``PRAGMA query_only``
  (nothing can be written through it; closing it as the last connection folds the WAL into
  the file and removes ``-wal`` and ``-shm``, as a writer's close does);
- in a read-only place (folder or mount not writable, or the file read-only) without a
  ``-wal`` file holding changes: ``mode=ro&immutable=1``. SQLite then takes no locks and
  creates no files; safe because nothing can change the file there, and because without a
  ``-wal`` everything committed is in the file itself (an immutable connection ignores a
  ``-wal``, so it is never used when one holds changes);
- in a read-only place with a ``-wal`` holding changes (a store copied or mounted
  read-only without being checkpointed): ``mode=ro``, which reads the ``-wal`` through an
  existing ``-shm`` (SQLite 3.22 or newer); without a ``-shm`` SQLite cannot, and the error
  says to run ``wiretrace vacuum`` on the store where it can be written.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote


def sqlite_uri(path: str | os.PathLike[str], **params: str) -> str:
    """A ``file:`` URI for SQLite naming exactly ``path`` (absolute, every character that
    means something in a URI escaped), with query ``params`` such as ``mode="ro"``."""
    uri = "file:" + quote(os.path.abspath(path), safe="/")
    if params:
        uri += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return uri


def connect(
    path: str | os.PathLike[str], mode: str, timeout: float, **params: str
) -> sqlite3.Connection:
    """A connection to the database at ``path`` in autocommit mode (transactions are
    explicit); ``mode`` is SQLite's: ``ro``, ``rw`` or ``rwc`` (create if missing)."""
    return sqlite3.connect(
        sqlite_uri(path, mode=mode, **params), uri=True, isolation_level=None, timeout=timeout
    )


def connect_reader(path: str | os.PathLike[str], timeout: float) -> sqlite3.Connection:
    """A connection that reads the store at ``path`` and writes nothing, in it or beside it
    (see the module docstring for how and why)."""
    p = Path(path)
    if write_problem(p) is None:
        conn = connect(p, "rw", timeout)
        conn.execute("PRAGMA query_only=ON")
        return conn
    if not _wal_has_changes(p):
        return connect(p, "ro", timeout, immutable="1")
    try:
        conn = connect(p, "ro", timeout)
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError as exc:
        raise sqlite3.OperationalError(
            f"{exc}: the store's -wal file holds changes that a read-only place does not"
            " let SQLite read; run `wiretrace vacuum` on it where it can be written"
        ) from None
    return conn


def _wal_has_changes(p: Path) -> bool:
    try:
        return p.with_name(p.name + "-wal").stat().st_size > 0
    except FileNotFoundError:
        return False


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def write_problem(path: str | os.PathLike[str]) -> str | None:
    """Why a store at ``path`` cannot be written (created, changed, locked), or None.

    A store needs its folder to exist and be writable (SQLite creates ``-wal``, ``-shm`` and
    a journal beside it, wiretrace its ``.lock``), the file to be writable if it exists, and
    a mount that is not read-only. Checked up front so that a write command fails before it
    reads any input, with one line that names the cause."""
    p = Path(os.path.abspath(path))
    folder = p.parent
    if not folder.is_dir():
        return (
            f"folder {folder} does not exist"
            if not folder.exists()
            else f"{folder} is not a folder"
        )
    if _read_only_mount(folder):
        return f"{folder} is on a read-only file system"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"folder {folder} is not writable"
    for f in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
        if f.exists() and not os.access(f, os.W_OK):
            return f"{f.name} is read-only"
    return None
