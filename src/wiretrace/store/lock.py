"""One writer at a time: an exclusive lock held by each ``analyze`` run on a store.

SQLite serialises single transactions, but an ``analyze`` run is several transactions (ingest
batches, alignment batches, derive) whose later steps assume that nobody else changed the
store since the earlier ones. Two runs on one store (two ``wiretrace analyze`` commands, or
two processes of ``wiretrace serve --workers 2`` adding articles) therefore take turns: the
second waits for the first to finish. The lock is an advisory ``flock`` on ``<store>.lock``
next to the store; the operating system releases it when the process ends, however it ends, so
a killed run never leaves a stale lock behind. On systems without ``fcntl`` (Windows) runs are
not serialised across processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


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
    fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
