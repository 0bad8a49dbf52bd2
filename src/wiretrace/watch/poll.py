"""One poll of every watched feed into the store, and the loop of polls.

A poll (:meth:`Watcher.poll`):

1. takes the sources in order: a local OPML file is read (again each poll, so that edits take
   effect; if it has become unreadable, its last good list is used and the problem reported);
   a URL is fetched, and is an OPML list if the answer is one (its feeds are then polled
   too), else a feed. Each feed URL is polled once per poll, however often it is listed;
2. fetches each feed with conditional GET (:class:`~wiretrace.watch.http.Fetcher`): ``304``
   is *unchanged* and downloads nothing; a failure (network, HTTP 4xx/5xx, not a feed,
   disallowed by robots.txt) is reported as ``URL: reason`` and the other feeds go on; the
   feed is tried again next poll;
3. keeps the entries whose id is not in the store yet (read-only ``SELECT``; the first feed
   listing an id wins), and with ``fetch_pages`` gives each the main text of its linked page
   (falling back to the entry's own text, with a note, when the page cannot be had);
4. runs :func:`wiretrace.pipeline.analyze` on them (the first poll of a :class:`Watcher`
   always runs it, even with nothing new, so that an analysis cut short earlier is finished);
5. saves the state file (:mod:`wiretrace.watch.state`) atomically, with Ctrl-C held back
   until the file is complete.

Invariant: a feed's new ``ETag``/``Last-Modified`` are saved only after the analysis that
stored its entries has finished; if it fails (or the poll is interrupted before), the next
poll downloads the feed in full again, and entries that did reach the store are then
recognised by their ids.

:func:`run_polls` repeats polls every ``every`` seconds (measured from the start of one poll
to the start of the next; a poll longer than that is followed at once by the next) until
Ctrl-C, with injectable ``clock`` and ``sleep``.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wiretrace.errors import InputError, StoreError
from wiretrace.io.fields import ReadOptions
from wiretrace.model import Article
from wiretrace.watch.feeds import (
    feed_entries,
    looks_like_opml,
    opml_feed_urls,
    read_opml_file,
    with_page_text,
)
from wiretrace.watch.http import Disallowed, Fetcher, FetchError, Validators
from wiretrace.watch.state import FeedState, WatchState, state_path

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.pipeline import AnalyzeSummary
    from wiretrace.settings import Settings

__all__ = [
    "MIN_INTERVAL",
    "FeedResult",
    "PollReport",
    "WatchRun",
    "Watcher",
    "is_url",
    "parse_interval",
    "run_polls",
]

#: Shortest time between two polls (seconds) that ``wiretrace watch`` accepts without ``--once``.
MIN_INTERVAL = 30.0

_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_ID_BATCH = 500  # ids per SELECT (SQLite allows 32766 parameters; keep statements small)


def parse_interval(text: str) -> float:
    """Seconds in ``30s``, ``10m``, ``1h`` or a bare number of seconds (``90``).

    >>> parse_interval("10m"), parse_interval("1h"), parse_interval("45")
    (600.0, 3600.0, 45.0)

    Raises:
        ValueError: anything else, or a zero interval.
    """
    match = _INTERVAL.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an interval: {text!r} (use e.g. 30s, 10m, 1h)")
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError(f"the interval must be more than 0: {text!r}")
    return seconds


def is_url(source: str) -> bool:
    """Whether a watch source is an http(s) URL (else it is a local OPML file)."""
    parts = urlsplit(source)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@dataclass
class FeedResult:
    """What one poll did with one feed.

    ``outcome``: ``new`` (entries not yet stored), ``nothing-new`` (downloaded, every entry
    already stored), ``unchanged`` (304: nothing downloaded), ``error`` or ``disallowed``
    (robots.txt), with ``error`` the reason. ``entries`` counts the entries read, ``new``
    those not yet stored, ``pages`` the new ones whose text is their page's, ``page_fallbacks``
    those that kept the feed's text because the page could not be had. ``via`` is the OPML
    file or URL that listed the feed (None when given directly).
    """

    url: str
    outcome: str
    entries: int = 0
    new: int = 0
    pages: int = 0
    page_fallbacks: int = 0
    error: str | None = None
    via: str | None = None


@dataclass
class PollReport:
    """What one poll did.

    ``problems`` are one-line ``URL: reason`` messages for what failed (feeds, OPML lists,
    entries, the analysis); ``notes`` for what was done another way (a page not used, the
    entry's own text kept). ``new_entries`` were handed to the analysis, ``summary`` is its
    result (None if it was not run or failed: then ``analyze_error``). ``interrupted``: Ctrl-C
    came while the state file was written; the poll finished, the loop should stop.
    ``started`` is ISO 8601 UTC, ``seconds`` the poll's duration.
    """

    number: int
    started: str
    feeds: list[FeedResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_entries: int = 0
    summary: AnalyzeSummary | None = None
    analyze_error: str | None = None
    interrupted: bool = False
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        """Feeds with this outcome."""
        return sum(1 for feed in self.feeds if feed.outcome == outcome)

    @property
    def added(self) -> int:
        """Articles the analysis added to the store in this poll."""
        return self.summary.added if self.summary is not None else 0

    @property
    def ok(self) -> bool:
        """Nothing failed (notes do not count)."""
        return not self.problems and self.analyze_error is None


@dataclass(frozen=True, slots=True)
class WatchRun:
    """How a loop of polls ended: ``polls`` completed, ``interrupted`` by Ctrl-C or not,
    ``last`` the report of the last completed poll."""

    polls: int
    interrupted: bool
    last: PollReport | None = None


@dataclass
class _Fetched:
    """A feed downloaded in this poll, waiting for the store check and the analysis."""

    result: FeedResult
    state: FeedState
    entries: list[Article]
    validators: Validators


class Watcher:
    """Polls ``sources`` (feed URLs, OPML URLs, local OPML files) into the store ``db``.

    ``fetcher`` makes every request (default: :class:`~wiretrace.watch.http.Fetcher` with its
    default politeness); ``options`` are the feed readers' options (warnings go to its
    ``on_warning``); ``settings`` and ``jobs`` go to :func:`wiretrace.pipeline.analyze`.
    The state file is ``DB.watch.json`` (:func:`~wiretrace.watch.state.state_path`).
    """

    def __init__(
        self,
        sources: Iterable[str],
        db: str | Path,
        *,
        fetcher: Fetcher | None = None,
        fetch_pages: bool = False,
        settings: Settings | None = None,
        jobs: int | None = None,
        options: ReadOptions | None = None,
    ) -> None:
        self.sources = list(dict.fromkeys(sources))
        self.db = str(db)
        self.state_file = state_path(db)
        self.state = WatchState.load(self.state_file)
        self.fetcher = fetcher or Fetcher()
        self.fetch_pages = fetch_pages
        self.settings = settings
        self.jobs = jobs
        self.options = options or ReadOptions()
        self.polls = 0
        self._opml_lists: dict[str, list[str]] = {}

    # --- one poll ----------------------------------------------------------------------------

    def poll(self) -> PollReport:
        """Poll every feed once, analyse what is new, save the state (see the module docs).

        Never raises for a feed, an entry, a page or the analysis (those are in the report);
        KeyboardInterrupt before the state is being saved abandons the poll (nothing saved).
        """
        began = time.monotonic()
        report = PollReport(self.polls + 1, datetime.now(UTC).isoformat(timespec="seconds"))
        if self.polls == 0 and self.state.problem:
            report.notes.append(self.state.problem)
        self.fetcher.new_poll()
        pending: dict[str, FeedState] = {}
        fetched = self._fetch_all(report, pending)
        if self.fetch_pages:
            new = [self._with_page(e, result, report) for e, result in self._new_entries(fetched)]
        else:
            new = [entry for entry, _result in self._new_entries(fetched)]
        report.new_entries = len(new)
        analysed = True
        if new or self.polls == 0:
            analysed = self._analyze(new, report)
        for item in fetched:
            if analysed or item.result.new == 0:
                item.state.etag = item.validators.etag
                item.state.last_modified = item.validators.last_modified
            pending[item.result.url] = item.state
        self.state.feeds.update(pending)
        with _interrupts_deferred() as interrupted:
            try:
                self.state.save(self.state_file)
            except OSError as exc:  # the next poll downloads everything again; no harm
                report.problems.append(f"{self.state_file}: cannot write: {exc.strerror or exc}")
        self.polls += 1
        report.interrupted = bool(interrupted)
        report.seconds = time.monotonic() - began
        return report

    def _fetch_all(self, report: PollReport, pending: dict[str, FeedState]) -> list[_Fetched]:
        """Fetch every source and feed once, in order; OPML lists add their feeds."""
        queue: list[tuple[str, str | None, bool]] = []  # (url, listed by, may be OPML)
        for source in self.sources:
            if is_url(source):
                queue.append((source, None, True))
                continue
            try:
                urls = read_opml_file(source)
                self._opml_lists[source] = urls
            except InputError as err:
                report.problems.append(str(err))
                urls = self._opml_lists.get(source, [])
            queue.extend((url, source, False) for url in urls)
        fetched: list[_Fetched] = []
        done: set[str] = set()
        position = 0
        while position < len(queue):
            url, via, may_be_opml = queue[position]
            position += 1
            if url in done:
                continue
            done.add(url)
            item = self._fetch_one(url, via, may_be_opml, report, pending, queue)
            if item is not None:
                fetched.append(item)
        return fetched

    def _fetch_one(
        self,
        url: str,
        via: str | None,
        may_be_opml: bool,
        report: PollReport,
        pending: dict[str, FeedState],
        queue: list[tuple[str, str | None, bool]],
    ) -> _Fetched | None:
        old = self.state.get(url)
        state = replace(old, checked=report.started, error=None)
        result = FeedResult(url, "error", via=via)

        def failed(outcome: str, reason: str) -> None:
            result.outcome, result.error = outcome, reason
            state.outcome, state.error = outcome, reason
            report.problems.append(f"{url}: {reason}")
            if old.kind == "opml" and may_be_opml:  # keep polling the feeds it listed
                queue.extend((feed, url, False) for feed in old.feeds or [])
            else:
                report.feeds.append(result)
            pending[url] = state

        try:
            response = self.fetcher.get(url, old.validators)
        except Disallowed as err:
            failed("disallowed", err.reason)
            return None
        except FetchError as err:
            failed("error", err.reason)
            return None
        if response.not_modified:
            state.outcome = "unchanged"
            state.etag, state.last_modified = response.validators.etag, response.validators.last_modified
            pending[url] = state
            if old.kind == "opml" and may_be_opml:
                queue.extend((feed, url, False) for feed in old.feeds or [])
            else:
                result.outcome = "unchanged"
                report.feeds.append(result)
            return None
        body = response.body or b""
        if may_be_opml and looks_like_opml(body):
            try:
                urls = opml_feed_urls(body, url, base_url=response.url)
            except InputError as err:
                failed("error", err.reason)
                return None
            state.kind, state.feeds, state.outcome = "opml", urls, "new"
            state.etag, state.last_modified = response.validators.etag, response.validators.last_modified
            pending[url] = state
            queue.extend((feed, url, False) for feed in urls)
            return None
        try:
            entries = feed_entries(
                body, url, lambda err: report.problems.append(str(err)), self.options
            )
        except InputError as err:
            failed("error", err.reason)
            return None
        state.kind, state.feeds = "feed", None
        result.entries = len(entries)
        report.feeds.append(result)
        return _Fetched(result, state, entries, response.validators)

    def _new_entries(self, fetched: list[_Fetched]) -> list[tuple[Article, FeedResult]]:
        """The entries not yet stored, each id once (first feed wins), in feed order; sets
        each feed's ``new`` count and outcome."""
        ids = [entry.id for item in fetched for entry in item.entries]
        known = self._stored_ids(ids)
        new: list[tuple[Article, FeedResult]] = []
        for item in fetched:
            for entry in item.entries:
                if entry.id in known:
                    continue
                known.add(entry.id)
                new.append((entry, item.result))
                item.result.new += 1
            item.result.outcome = "new" if item.result.new else "nothing-new"
            item.state.outcome = item.result.outcome
        return new

    def _stored_ids(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` already in the store (read-only; an absent store has none)."""
        from wiretrace.store.db import Store

        path = Path(self.db)
        if not ids or not path.exists() or path.stat().st_size == 0:
            return set()
        try:
            store = Store.open(path, read_only=True)
        except StoreError:
            # e.g. a store that needs an upgrade first: the analysis upgrades it, and an
            # entry stored already is then skipped by it (same id and text) or reported.
            return set()
        known: set[str] = set()
        unique = list(dict.fromkeys(ids))
        with store:
            for start in range(0, len(unique), _ID_BATCH):
                batch = unique[start : start + _ID_BATCH]
                marks = ",".join("?" * len(batch))
                rows = store.conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", batch)
                known.update(row[0] for row in rows)
        return known

    def _with_page(self, entry: Article, result: FeedResult, report: PollReport) -> Article:
        """``entry`` with its page's main text, or as it is (with a note) if that fails."""
        from wiretrace.io.html_reader import read_html_article

        kept = "kept the feed entry's text" + (" (a teaser)" if entry.teaser_only else "")
        if not entry.url or not is_url(entry.url):
            result.page_fallbacks += 1
            report.notes.append(f"{result.url}: entry {entry.id!r} has no page link; {kept}")
            return entry
        try:
            response = self.fetcher.get(entry.url)
            page = read_html_article(
                response.body or b"",
                source=entry.url,
                url=entry.url,
                article_id=entry.id,
                options=self.options,
            )
        except (FetchError, InputError) as err:
            result.page_fallbacks += 1
            report.notes.append(f"{err}; {kept}")
            return entry
        result.pages += 1
        return with_page_text(entry, page)

    def _analyze(self, articles: list[Article], report: PollReport) -> bool:
        """Run the incremental analysis on ``articles``; False (reported) if it failed."""
        from wiretrace.pipeline import analyze

        inputs = ["watch"] + [feed.url for feed in report.feeds if feed.new]
        try:
            report.summary = analyze(
                iter(articles),
                self.db,
                settings=self.settings,
                jobs=self.jobs,
                inputs=inputs,
                on_error=lambda err: report.problems.append(str(err)),
            )
        except StoreError as err:
            report.analyze_error = str(err)
        except OSError as exc:  # e.g. the lock file beside the store cannot be made
            report.analyze_error = f"{self.db}: cannot write: {exc.strerror or exc}"
        else:
            return True
        report.problems.append(report.analyze_error)
        return False


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[list[int]]:
    """Hold back Ctrl-C (SIGINT) inside the block; the list it yields is non-empty afterwards
    if one came. Only possible in the main thread; elsewhere the block is not protected."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


# --- the loop ----------------------------------------------------------------------------------


def run_polls(
    poll: Callable[[], PollReport],
    *,
    every: float,
    once: bool = False,
    on_report: Callable[[PollReport], None] = lambda report: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    max_polls: int | None = None,
) -> WatchRun:
    """Poll, hand each report to ``on_report``, wait until ``every`` seconds after the start
    of the poll, repeat: until Ctrl-C (KeyboardInterrupt, caught here), ``once`` (one poll),
    ``max_polls`` polls, or a poll that reports ``interrupted``.

    An interrupt while waiting or between polls ends the loop at once; one during a poll
    abandons that poll (not counted; see :meth:`Watcher.poll` for what is kept).
    """
    completed = 0
    last: PollReport | None = None
    try:
        while True:
            started = clock()
            report = poll()
            completed, last = completed + 1, report
            on_report(report)
            if report.interrupted:
                return WatchRun(completed, True, last)
            if once or (max_polls is not None and completed >= max_polls):
                return WatchRun(completed, False, last)
            wait = started + every - clock()
            if wait > 0:
                sleep(wait)
    except KeyboardInterrupt:
        return WatchRun(completed, True, last)
