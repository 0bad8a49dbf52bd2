"""``wiretrace watch``: polling feeds into a store, against a local HTTP server on 127.0.0.1.

The server (``http.server.ThreadingHTTPServer`` on port 0, one per test) serves feeds, pages,
robots.txt and OPML lists written here (our own fictional news), answers conditional GET
(``If-None-Match`` / ``If-Modified-Since`` -> 304) and records every request with its
headers. Nothing here touches any other address. The analysis runs in-process (``jobs=1``).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wiretrace.cli import app
from wiretrace.io.fields import ReadOptions
from wiretrace.watch.feeds import feed_entries, opml_feed_urls
from wiretrace.watch.http import USER_AGENT, Fetcher, FetchError
from wiretrace.watch.poll import Watcher, parse_interval, run_polls
from wiretrace.watch.state import WatchState, state_path

runner = CliRunner()
QUIET = ReadOptions(on_warning=lambda warning: None)


# --- the local server ---------------------------------------------------------------------------


@dataclass
class Route:
    """What the server answers for one path; ``etag``/``last_modified`` enable 304s."""

    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before the answer (timeouts)
    gzip: bool = False


@dataclass
class Seen:
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class Site:
    """The test server: ``routes`` by path (missing: 404), ``seen`` every request."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def requests(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            route = site.routes.get(self.path)
            headers = {k: v for k, v in self.headers.items()}
            status = 404 if route is None else route.status
            if route is not None and route.status == 200:
                inm, ims = headers.get("If-None-Match"), headers.get("If-Modified-Since")
                if (route.etag and inm == route.etag) or (
                    not route.etag and route.last_modified and ims == route.last_modified
                ):
                    status = 304
            with site.lock:
                site.seen.append(Seen(self.path, status, headers))
            if route is not None and route.delay:
                time.sleep(route.delay)
            body = b"not here" if route is None else route.body
            self.send_response(status)
            if route is not None and status in (200, 304):
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
            if status == 304:
                self.end_headers()
                return
            if route is not None and route.gzip:
                body = gzip.compress(body)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Type", route.content_type if route else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The client may have given up (timeouts).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- fixture feeds and pages (our own writing) ----------------------------------------------------

FERRY = (
    "The ferry between Eastmoor and Scarrow Island will run only four return crossings a day"
    " until the end of April, its operator announced yesterday, blaming a shortage of deck crew."
    " Scarrow Shipping said two of its nine crew members were on long-term sick leave."
)
LIGHTS = (
    "The string of lamps along Eastmoor's old quay was switched back on last night for the first"
    " time in twelve years, after volunteers spent the winter restoring the cast-iron posts."
)
MARKET = (
    "Eastmoor's Saturday market will move from the square to the harbour car park for six weeks"
    " while the paving is replaced, the town council decided on Tuesday evening."
)
PAGE_TEXT = (
    "Scarrow Shipping has confirmed that the winter timetable will stay in place until the end"
    " of April. The operator said that two new deckhands were in training and that the full"
    " timetable of seven crossings a day should return in May. Islanders had complained that the"
    " first boat now leaves after the school bus, so that children miss their first lesson."
)


def item(guid: str, title: str, text: str, link: str | None = None, teaser: bool = False) -> str:
    body = (
        f"<description>{text}</description>"
        if teaser
        else f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>"
    )
    link_xml = f"<link>{link}</link>" if link else ""
    guid_xml = f"<guid isPermaLink='false'>{guid}</guid>" if guid else ""
    return (
        f"<item><title>{title}</title>{link_xml}{guid_xml}"
        f"<pubDate>Wed, 19 Mar 2025 07:30:00 +0000</pubDate><dc:creator>Tom Hollis</dc:creator>"
        f"{body}</item>"
    )


def rss(*items: str, title: str = "Eastmoor Evening Gazette") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{title}</title><language>en</language>{''.join(items)}</channel></rss>"
    ).encode()


def json_feed(*items: dict) -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Harbour Notes", "items": items}
    ).encode()


def page(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in text.split(".") if s.strip())
    return (
        f"<html lang='en'><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright Eastmoor Evening Gazette</footer></body></html>"
    ).encode()


def watcher(site: Site, *sources: str, db: Path, **kwargs: object) -> Watcher:
    fetcher = Fetcher(delay=0.0, timeout=kwargs.pop("timeout", 5.0))  # type: ignore[arg-type]
    return Watcher(
        [s if "://" in s or Path(s).exists() else site.url(s) for s in sources],
        db,
        fetcher=fetcher,
        jobs=1,
        options=QUIET,
        **kwargs,  # type: ignore[arg-type]
    )


def stored(db: Path) -> dict[str, dict]:
    """Every stored article by id: text, title, teaser_only, its story id (None: in none)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT a.id, a.text, a.title, a.outlet, a.author, a.teaser_only, m.story_id"
            " FROM articles a LEFT JOIN story_members m ON m.aid = a.aid"
        ).fetchall()
    keys = ("text", "title", "outlet", "author", "teaser_only", "story_id")
    return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}


# --- the tests ------------------------------------------------------------------------------------


def test_one_poll_stores_new_entries_and_places_them_in_stories(site: Site, tmp_path: Path) -> None:
    site.routes["/gazette.rss"] = Route(
        rss(item("ferry-1", "Ferry cuts crossings", FERRY), item("lights-1", "Lights", LIGHTS))
    )
    site.routes["/notes.json"] = Route(
        json_feed({"id": "market-1", "title": "Market moves", "content_text": MARKET}),
        content_type="application/feed+json",
    )
    db = tmp_path / "w.db"
    report = watcher(site, "/gazette.rss", "/notes.json", db=db).poll()

    assert report.ok, report.problems
    assert report.added == 3 and report.summary is not None
    assert [(f.url, f.outcome, f.entries, f.new) for f in report.feeds] == [
        (site.url("/gazette.rss"), "new", 2, 2),
        (site.url("/notes.json"), "new", 1, 1),
    ]
    articles = stored(db)
    assert set(articles) == {"ferry-1", "lights-1", "market-1"}
    assert articles["ferry-1"]["text"] == FERRY
    assert articles["ferry-1"]["outlet"] == "Eastmoor Evening Gazette"
    assert articles["ferry-1"]["author"] == "Tom Hollis"
    assert all(a["story_id"] is not None for a in articles.values())
    # Polite: our User-Agent on every request, robots.txt asked once for the one host.
    assert all(s.headers.get("User-Agent") == USER_AGENT for s in site.seen)
    assert USER_AGENT.startswith("wiretrace/") and "+http" in USER_AGENT
    assert len(site.requests("/robots.txt")) == 1
    state = json.loads(state_path(db).read_text(encoding="utf-8"))
    assert state["version"] == 1 and state["feeds"][site.url("/gazette.rss")]["outcome"] == "new"
    assert not list(tmp_path.glob("*.tmp"))


def test_unchanged_feed_is_not_downloaded_again(site: Site, tmp_path: Path) -> None:
    site.routes["/etag.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)), etag='"v1"')
    site.routes["/dated.rss"] = Route(
        rss(item("lights-1", "Lights", LIGHTS)), last_modified="Wed, 19 Mar 2025 07:31:00 GMT"
    )
    db = tmp_path / "w.db"
    first = watcher(site, "/etag.rss", "/dated.rss", db=db).poll()
    assert first.added == 2

    # A new Watcher (a new process, as with --once from cron) reads the validators from the state file.
    second = watcher(site, "/etag.rss", "/dated.rss", db=db).poll()
    assert second.ok and second.added == 0
    assert [f.outcome for f in second.feeds] == ["unchanged", "unchanged"]
    etag_requests, dated_requests = site.requests("/etag.rss"), site.requests("/dated.rss")
    assert etag_requests[0].headers.get("If-None-Match") is None
    assert etag_requests[1].headers.get("If-None-Match") == '"v1"'
    assert dated_requests[1].headers.get("If-Modified-Since") == "Wed, 19 Mar 2025 07:31:00 GMT"
    assert [s.status for s in etag_requests + dated_requests] == [200, 304, 200, 304]

    # Once the feed changes (a new ETag) it is downloaded in full again.
    site.routes["/etag.rss"] = Route(
        rss(item("ferry-1", "Ferry", FERRY), item("market-1", "Market", MARKET)), etag='"v2"'
    )
    third = watcher(site, "/etag.rss", "/dated.rss", db=db).poll()
    assert [f.outcome for f in third.feeds] == ["new", "unchanged"] and third.added == 1


def test_failing_feeds_are_reported_and_retried_while_the_others_go_on(
    site: Site, tmp_path: Path
) -> None:
    site.routes["/good.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)))
    site.routes["/broken.rss"] = Route(b"oops", status=500, content_type="text/plain")
    site.routes["/page.html"] = Route(page("Not a feed", LIGHTS), content_type="text/html")
    db = tmp_path / "w.db"
    w = watcher(site, "/broken.rss", "/missing.rss", "/page.html", "/good.rss", db=db)

    first = w.poll()
    assert first.added == 1 and set(stored(db)) == {"ferry-1"}
    outcomes = {f.url: (f.outcome, f.error) for f in first.feeds}
    assert outcomes[site.url("/broken.rss")] == ("error", "HTTP 500 Internal Server Error")
    assert outcomes[site.url("/missing.rss")] == ("error", "HTTP 404 Not Found")
    assert outcomes[site.url("/page.html")][0] == "error"
    assert "not a feed" in outcomes[site.url("/page.html")][1]
    assert outcomes[site.url("/good.rss")][0] == "new"
    assert not first.ok
    assert f"{site.url('/broken.rss')}: HTTP 500 Internal Server Error" in first.problems
    assert f"{site.url('/missing.rss')}: HTTP 404 Not Found" in first.problems

    # Next poll: the failed feeds are asked again; the broken one has recovered.
    site.routes["/broken.rss"] = Route(rss(item("lights-1", "Lights", LIGHTS)))
    second = w.poll()
    assert len(site.requests("/broken.rss")) == 2 and len(site.requests("/missing.rss")) == 2
    outcomes2 = {f.url: f.outcome for f in second.feeds}
    assert outcomes2[site.url("/broken.rss")] == "new"
    assert outcomes2[site.url("/good.rss")] == "nothing-new"
    assert outcomes2[site.url("/missing.rss")] == "error"
    assert second.added == 1 and set(stored(db)) == {"ferry-1", "lights-1"}


def test_an_unreachable_host_is_one_error_and_does_not_stop_the_poll(
    site: Site, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as sock:  # a port on 127.0.0.1 that nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/feed.rss"
    site.routes["/good.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)))
    report = watcher(site, dead, "/good.rss", db=tmp_path / "w.db").poll()
    (dead_result, good) = report.feeds
    assert dead_result.outcome == "disallowed"  # robots.txt unreachable: disallow (RFC 9309)
    assert "robots.txt unreachable (cannot connect" in (dead_result.error or "")
    assert good.outcome == "new" and report.added == 1


def test_robots_txt_is_honoured_for_feeds_and_pages(site: Site, tmp_path: Path) -> None:
    site.routes["/robots.txt"] = Route(
        b"User-agent: *\nDisallow: /private/\n\nUser-agent: wiretrace\nDisallow: /private/\n"
        b"Disallow: /members/\n",
        content_type="text/plain",
    )
    site.routes["/private/feed.rss"] = Route(rss(item("secret-1", "Secret", MARKET)))
    site.routes["/members/ferry.html"] = Route(page("Ferry", PAGE_TEXT), content_type="text/html")
    site.routes["/open.rss"] = Route(
        rss(item("ferry-1", "Ferry", FERRY, link=site.url("/members/ferry.html"), teaser=True))
    )
    db = tmp_path / "w.db"
    report = watcher(site, "/private/feed.rss", "/open.rss", db=db, fetch_pages=True).poll()

    private, open_feed = report.feeds
    assert private.outcome == "disallowed" and private.error == "disallowed by robots.txt"
    assert f"{site.url('/private/feed.rss')}: disallowed by robots.txt" in report.problems
    assert site.requests("/private/feed.rss") == []  # never asked for
    assert site.requests("/members/ferry.html") == []
    assert open_feed.outcome == "new" and open_feed.page_fallbacks == 1
    assert any("/members/ferry.html: disallowed by robots.txt" in n for n in report.notes)
    articles = stored(db)
    assert set(articles) == {"ferry-1"}
    assert articles["ferry-1"]["text"] == FERRY and articles["ferry-1"]["teaser_only"] == 1
    assert len(site.requests("/robots.txt")) == 1


def test_fetch_pages_takes_the_main_text_of_the_page(site: Site, tmp_path: Path) -> None:
    site.routes["/ferry.html"] = Route(
        page("Ferry timetable stays", PAGE_TEXT), content_type="text/html"
    )
    site.routes["/teasers.rss"] = Route(
        rss(
            item("ferry-1", "Ferry cuts crossings", FERRY[:80], link=site.url("/ferry.html"),
                 teaser=True),
            item("lights-1", "Lights", LIGHTS[:70], link=site.url("/gone.html"), teaser=True),
        )
    )
    db = tmp_path / "w.db"
    report = watcher(site, "/teasers.rss", db=db, fetch_pages=True).poll()

    (feed,) = report.feeds
    assert (feed.new, feed.pages, feed.page_fallbacks) == (2, 1, 1)
    articles = stored(db)
    ferry = articles["ferry-1"]
    assert "seven crossings a day should return in May" in ferry["text"]
    assert "Home" not in ferry["text"] and "Copyright" not in ferry["text"]
    assert ferry["title"] == "Ferry cuts crossings"  # the entry's, not the page's
    assert ferry["author"] == "Tom Hollis" and ferry["outlet"] == "Eastmoor Evening Gazette"
    assert ferry["teaser_only"] == 0
    # The page that is gone: the entry keeps its own (teaser) text, with a note.
    assert articles["lights-1"]["text"] == LIGHTS[:70].strip()
    assert articles["lights-1"]["teaser_only"] == 1
    assert any("/gone.html: HTTP 404" in n and "kept the feed entry's text" in n for n in report.notes)
    assert report.ok  # a page that cannot be had is a note, not a failure

    # Pages are fetched for new entries only: a second poll asks for no page again.
    site.routes["/teasers.rss"].etag = None
    watcher(site, "/teasers.rss", db=db, fetch_pages=True).poll()
    assert len(site.requests("/ferry.html")) == 1 and len(site.requests("/gone.html")) == 1


def test_a_new_entry_between_two_polls_is_added_by_the_second(site: Site, tmp_path: Path) -> None:
    site.routes["/gazette.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)), etag='"a"')
    db = tmp_path / "w.db"
    w = watcher(site, "/gazette.rss", db=db)
    assert w.poll().added == 1
    assert w.poll().feeds[0].outcome == "unchanged"

    site.routes["/gazette.rss"] = Route(
        rss(item("lights-1", "Lights", LIGHTS), item("ferry-1", "Ferry", FERRY)), etag='"b"'
    )
    third = w.poll()
    assert (third.feeds[0].outcome, third.feeds[0].entries, third.feeds[0].new) == ("new", 2, 1)
    assert third.added == 1 and third.summary is not None and third.summary.articles == 2
    articles = stored(db)
    assert set(articles) == {"ferry-1", "lights-1"}
    assert articles["lights-1"]["story_id"] is not None


def test_entries_without_guid_or_link_keep_their_id_from_poll_to_poll(
    site: Site, tmp_path: Path
) -> None:
    url = site.url("/bare.rss")
    first = feed_entries(rss(item("", "Ferry", FERRY)), url, pytest.fail, QUIET)
    later = feed_entries(
        rss(item("", "Market", MARKET), item("", "Ferry", FERRY)), url, pytest.fail, QUIET
    )
    assert first[0].id.startswith(url + "#") and later[1].id == first[0].id
    assert later[0].id != first[0].id

    site.routes["/bare.rss"] = Route(rss(item("", "Ferry", FERRY)))
    db = tmp_path / "w.db"
    w = watcher(site, "/bare.rss", db=db)
    assert w.poll().added == 1
    site.routes["/bare.rss"] = Route(rss(item("", "Market", MARKET), item("", "Ferry", FERRY)))
    second = w.poll()
    assert second.ok, second.problems  # no "id stored with another text" clash
    assert second.added == 1 and len(stored(db)) == 2


def test_an_opml_list_local_or_served_gives_the_feeds(site: Site, tmp_path: Path) -> None:
    site.routes["/a.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)))
    site.routes["/b.json"] = Route(
        json_feed({"id": "market-1", "title": "Market", "content_text": MARKET}),
        content_type="application/feed+json",
    )
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Coast</title></head><body>'
        '<outline text="Coast"><outline text="A" type="rss" xmlUrl="{a}"/>'
        '<outline text="B" type="rss" xmlUrl="/b.json"/></outline>'
        '<outline text="A again" xmlUrl="{a}"/></body></opml>'
    ).replace("{a}", site.url("/a.rss"))
    assert opml_feed_urls(opml.encode(), "x.opml", base_url=site.url("/list.opml")) == [
        site.url("/a.rss"),
        site.url("/b.json"),
    ]
    site.routes["/list.opml"] = Route(opml.encode(), content_type="text/x-opml", etag='"l1"')
    db = tmp_path / "w.db"
    w = watcher(site, "/list.opml", db=db)
    first = w.poll()
    assert first.ok and first.added == 2
    assert [(f.url, f.via) for f in first.feeds] == [
        (site.url("/a.rss"), site.url("/list.opml")),
        (site.url("/b.json"), site.url("/list.opml")),
    ]
    second = w.poll()  # the list answers 304: its feeds are still polled, from the state
    assert site.requests("/list.opml")[-1].status == 304
    assert [f.url for f in second.feeds] == [site.url("/a.rss"), site.url("/b.json")]

    local = tmp_path / "feeds.opml"
    local.write_text(opml.replace("/b.json", site.url("/b.json")), encoding="utf-8")
    third = watcher(site, str(local), db=db).poll()
    assert [(f.url, f.outcome) for f in third.feeds] == [
        (site.url("/a.rss"), "nothing-new"),
        (site.url("/b.json"), "nothing-new"),
    ]


def test_fetcher_limits_size_and_time_and_waits_between_requests_to_a_host(site: Site) -> None:
    site.routes["/big.rss"] = Route(b"x" * 5000)
    site.routes["/bomb.rss"] = Route(b"\0" * 200_000, gzip=True)
    site.routes["/slow.rss"] = Route(b"late", delay=1.5)
    site.routes["/zipped.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)), gzip=True)
    small = Fetcher(delay=0.0, timeout=0.5, max_bytes=4096)
    with pytest.raises(FetchError, match="over the cap of 4,096"):
        small.get(site.url("/big.rss"))
    with pytest.raises(FetchError, match="over the cap of 4,096"):
        small.get(site.url("/bomb.rss"))  # 200 KB of gzip-inflated zeros: refused at the cap
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        small.get(site.url("/slow.rss"))
    assert site.requests("/zipped.rss") == []
    body = Fetcher(delay=0.0).get(site.url("/zipped.rss")).body
    assert body is not None and b"ferry-1" in body  # sent gzipped, decoded here

    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    polite = Fetcher(delay=2.0, clock=lambda: now[0], sleep=sleep)
    polite.get(site.url("/zipped.rss"))  # robots.txt, then the feed: one wait between them
    polite.get(site.url("/zipped.rss"))
    assert waits == [2.0, 2.0]


def test_run_polls_waits_between_polls_and_stops_cleanly_on_ctrl_c(
    site: Site, tmp_path: Path
) -> None:
    site.routes["/gazette.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)), etag='"a"')
    w = watcher(site, "/gazette.rss", db=tmp_path / "w.db")
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise KeyboardInterrupt  # Ctrl-C while waiting for the fourth poll
        now[0] += seconds

    reports = []
    run = run_polls(w.poll, every=600.0, on_report=reports.append, clock=lambda: now[0],
                    sleep=sleep)
    assert (run.polls, run.interrupted) == (3, True)
    assert waits == [600.0, 600.0, 600.0]
    assert [r.number for r in reports] == [1, 2, 3]
    assert WatchState.load(state_path(tmp_path / "w.db")).feeds  # saved, complete JSON

    def interrupted_poll():  # Ctrl-C during the very first poll: nothing completed
        raise KeyboardInterrupt

    assert run_polls(interrupted_poll, every=60.0).polls == 0
    assert run_polls(w.poll, every=60.0, once=True, sleep=pytest.fail).polls == 1
    assert parse_interval("30s") == 30.0 and parse_interval("10m") == 600.0
    assert parse_interval("1h") == 3600.0
    with pytest.raises(ValueError):
        parse_interval("soon")


def test_ctrl_c_while_the_state_is_written_waits_for_the_file(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.routes["/gazette.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)), etag='"a"')
    db = tmp_path / "w.db"
    real_save = WatchState.save

    def save_with_ctrl_c(self: WatchState, path: str | Path) -> None:
        signal.raise_signal(signal.SIGINT)  # as if the user pressed Ctrl-C right now
        real_save(self, path)

    monkeypatch.setattr(WatchState, "save", save_with_ctrl_c)
    run = run_polls(watcher(site, "/gazette.rss", db=db).poll, every=60.0, sleep=pytest.fail)
    assert (run.polls, run.interrupted) == (1, True)  # the poll finished, then the loop stopped
    saved = json.loads(state_path(db).read_text(encoding="utf-8"))
    assert saved["feeds"][site.url("/gazette.rss")]["etag"] == '"a"'
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_corrupt_state_file_costs_only_a_full_download(site: Site, tmp_path: Path) -> None:
    site.routes["/gazette.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)), etag='"a"')
    db = tmp_path / "w.db"
    state_path(db).write_text("{not json", encoding="utf-8")
    report = watcher(site, "/gazette.rss", db=db).poll()
    assert report.added == 1 and any("unreadable watch state" in n for n in report.notes)
    assert json.loads(state_path(db).read_text(encoding="utf-8"))["version"] == 1


# --- the command ----------------------------------------------------------------------------------


def test_watch_once_through_the_cli(site: Site, tmp_path: Path) -> None:
    site.routes["/gazette.rss"] = Route(
        rss(item("ferry-1", "Ferry", FERRY), item("lights-1", "Lights", LIGHTS)), etag='"a"'
    )
    db = tmp_path / "w.db"
    args = ["watch", site.url("/gazette.rss"), "--db", str(db), "--once", "--delay", "0",
            "--jobs", "1"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "poll 1" in result.stdout and "2 new articles" in result.stdout
    assert f"+2 {site.url('/gazette.rss')}" in result.stdout

    exported = runner.invoke(app, ["export", "--db", str(db), "--what", "articles"])
    records = {r["id"]: r for r in map(json.loads, exported.stdout.splitlines())}
    assert set(records) == {"ferry-1", "lights-1"}
    assert all(r["story_id"] is not None for r in records.values())

    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "1 unchanged" in again.stdout

    failing = runner.invoke(app, [*args, site.url("/missing.rss")])
    assert failing.exit_code == 1
    assert f"wiretrace: {site.url('/missing.rss')}: HTTP 404 Not Found" in failing.stderr

    quiet = runner.invoke(app, [*args, "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == ""


def test_watch_usage_errors_touch_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    short = runner.invoke(app, ["watch", "http://127.0.0.1:9/f.rss", "--db", str(db),
                                "--every", "5s"])  # fmt: skip
    assert short.exit_code == 2 and "at least 30s" in short.output
    bad = runner.invoke(app, ["watch", "http://127.0.0.1:9/f.rss", "--db", str(db),
                              "--every", "often"])  # fmt: skip
    assert bad.exit_code == 2 and "not an interval" in bad.output
    missing = runner.invoke(app, ["watch", str(tmp_path / "nope.opml"), "--db", str(db)])
    assert missing.exit_code == 2 and "nope.opml" in missing.stderr
    not_store = tmp_path / "notes.txt"
    not_store.write_text("hello", encoding="utf-8")
    refused = runner.invoke(app, ["watch", "http://127.0.0.1:9/f.rss", "--db", str(not_store),
                                  "--once"])  # fmt: skip
    assert refused.exit_code == 2 and "not a wiretrace store" in refused.stderr
    assert not db.exists() and not state_path(db).exists()


def _watch_process(site: Site, db: Path) -> subprocess.Popen[str]:
    import wiretrace

    env = {**os.environ, "PYTHONPATH": str(Path(wiretrace.__file__).parents[1])}
    command = [sys.executable, "-m", "wiretrace", "watch", site.url("/gazette.rss"),
               "--db", str(db), "--every", "30s", "--delay", "0", "--jobs", "1"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)  # fmt: skip


def test_ctrl_c_stops_the_real_command_with_exit_code_0_or_130(site: Site, tmp_path: Path) -> None:
    site.routes["/gazette.rss"] = Route(rss(item("ferry-1", "Ferry", FERRY)), etag='"a"')
    db = tmp_path / "w.db"
    process = _watch_process(site, db)
    assert process.stdout is not None
    line = process.stdout.readline()  # the first poll is done; now it waits 30 s
    assert line.startswith("poll 1 ")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "stopped after 1 poll" in err and "Traceback" not in err
    assert json.loads(state_path(db).read_text(encoding="utf-8"))["version"] == 1

    site.routes["/gazette.rss"].delay = 3.0  # Ctrl-C while the first poll waits for the feed
    slow = _watch_process(site, tmp_path / "other.db")
    deadline = time.monotonic() + 15
    while len(site.requests("/gazette.rss")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    slow.send_signal(signal.SIGINT)
    out, err = slow.communicate(timeout=20)
    assert slow.returncode == 130, err
    assert "stopped after 0 polls" in err and "Traceback" not in err
    assert not state_path(tmp_path / "other.db").exists()
