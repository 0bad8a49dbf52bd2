"""One writer at a time: an exclusive lock held by each ``analyze`` run on a store.

SQLite serialises single transactions, but an ``analyze`` run is several transactions (ingest
batches, alignment batches, derive) whose later steps assume that nobody else changed the
store since the earlier ones. Two runs on one store (two ``wiretrace analyze`` commands, or
two processes of ``wiretrace serve --workers 2`` adding articles) therefore take turns: the
second waits for the first to finish. The lock is an advisory ``flock`` on ``<store>.lock``
next to the store; the operating system releases it when the process ends, however it ends, so
a killed run never leaves a stale lock behind. Processes forked while the lock is held (the
run's worker processes) close their inherited copy of it at once: a worker that outlived a
killed run would otherwise keep the store locked. On systems without ``fcntl`` (Windows)
runs are not serialised across processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from wiretrace.errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# Descriptors of the writer locks this process holds; a forked child closes its copies.
_held: set[int] = set()


def _close_inherited() -> None:
    for fd in _held:
        with suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited)


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    """The lock file of the store at ``db_path``."""
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


@contextmanager
def writer_lock(
    db_path: str | os.PathLike[str], on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the store's writer lock for the duration of the block, waiting for it if another
    process holds it (``on_wait`` is called once, before waiting)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    path = lock_path(db_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the store's lock file: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held.add(fd)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)  # closing the descriptor releases the lock


def writer_lock_held(db_path: str | os.PathLike[str]) -> bool:
    """Whether another process holds the store's writer lock now (creating nothing: a
    reader may look from a read-only place)."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False
