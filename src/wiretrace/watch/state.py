"""The watch state file ``STORE.watch.json``: per feed, what the next poll should send and
what the last poll found.

It sits beside the store, not inside it: it holds no results, only what makes polling cheap
and polite (each feed's ``ETag`` and ``Last-Modified``, for conditional GET), the feed list of
an OPML URL (so that a ``304`` still knows its feeds) and the last outcome of each URL.
Losing it costs one full download of each feed, nothing else.

Format (``version`` 1), UTF-8 JSON::

    {"version": 1,
     "feeds": {"https://example.org/feed.rss": {
         "etag": "\\"abc\\"", "last_modified": "Tue, 14 May 2024 06:10:00 GMT",
         "kind": "feed", "feeds": null,
         "checked": "2024-05-14T06:12:03+00:00", "outcome": "new", "error": null}}}

Invariants: the file is always complete (written under a temporary name, flushed to disk and
renamed over the old one, so a crash or Ctrl-C leaves the old or the new file, never half of
one); a feed's validators are only saved once the entries of the version they name are in
the store (see :mod:`wiretrace.watch.poll`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wiretrace.watch.http import Validators

__all__ = ["STATE_VERSION", "FeedState", "WatchState", "state_path"]

STATE_VERSION = 1


def state_path(db: str | Path) -> Path:
    """Where the watch state of the store ``db`` lives: ``DB.watch.json`` beside it."""
    return Path(f"{db}.watch.json")


@dataclass
class FeedState:
    """One URL given to watch or listed in an OPML file.

    ``kind`` is ``"feed"`` or ``"opml"`` (then ``feeds`` holds its feed URLs); ``checked`` is
    the ISO 8601 UTC time of the last poll of it; ``outcome`` one of ``new``, ``unchanged``,
    ``nothing-new``, ``error``, ``disallowed``; ``error`` the last reason, if it failed.
    """

    etag: str | None = None
    last_modified: str | None = None
    kind: str = "feed"
    feeds: list[str] | None = None
    checked: str | None = None
    outcome: str | None = None
    error: str | None = None

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


@dataclass
class WatchState:
    """The state of every URL watched with one store; ``problem`` says why a file found on
    disk could not be used (it was then ignored: the next poll downloads everything)."""

    feeds: dict[str, FeedState] = field(default_factory=dict)
    problem: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> WatchState:
        """The state in ``path``; empty if there is none, or (with ``problem``) if unreadable."""
        p = Path(path)
        try:
            raw = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            return cls(problem=f"{p}: unreadable watch state, starting afresh ({exc})")
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            return cls(problem=f"{p}: unknown watch state format, starting afresh")
        feeds: dict[str, FeedState] = {}
        known = set(FeedState.__dataclass_fields__)
        for url, values in (raw.get("feeds") or {}).items():
            if isinstance(url, str) and isinstance(values, dict):
                feeds[url] = FeedState(**{k: v for k, v in values.items() if k in known})
        return cls(feeds)

    def get(self, url: str) -> FeedState:
        """The state of ``url`` (a fresh one, not yet stored, if it was never polled)."""
        return self.feeds.get(url) or FeedState()

    def save(self, path: str | Path) -> None:
        """Write the state atomically: temporary file in the same folder, fsync, rename."""
        p = Path(path)
        document: dict[str, Any] = {
            "version": STATE_VERSION,
            "feeds": {url: asdict(state) for url, state in sorted(self.feeds.items())},
        }
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
