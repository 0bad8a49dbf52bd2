"""Polite HTTP GET for feeds and pages, with conditional GET; standard library only.

Every request made by :class:`Fetcher` (feeds, pages, robots.txt, each redirect hop) goes
through one gate that enforces the politeness rules:

* **User-Agent** :data:`USER_AGENT` (``wiretrace/VERSION (+URL)``) on every request;
* **robots.txt** of each host (scheme, host and port) is fetched once, cached for
  :data:`ROBOTS_TTL` seconds, and honoured for the wiretrace agent (:mod:`urllib.robotparser`).
  As RFC 9309 says: a robots.txt answered with 4xx means no rules (everything allowed); one
  that cannot be fetched (5xx, network error) means everything is disallowed, until the next
  poll tries again (:meth:`Fetcher.new_poll`);
* **a delay per host**: at least ``delay`` seconds (default 1 s) between the start of two
  requests to the same host; requests are made one at a time;
* **timeouts**: ``timeout`` seconds (default 20 s) to connect, for each read, and for the
  whole body;
* **a size cap**: a body (after gzip decoding) larger than ``max_bytes`` (default 20 MiB) is
  refused without keeping more than the cap in memory.

Redirects (301, 302, 303, 307, 308; at most :data:`MAX_REDIRECTS`) are followed here, not by
urllib, so that each hop passes the same gate (robots.txt of the new host, its delay).

A failure of any kind is a :class:`FetchError` naming the URL and a one-line reason
(``HTTP 500 Internal Server Error``, ``timed out after 20 s``, ``cannot connect: ...``,
``disallowed by robots.txt``); ``304 Not Modified`` is not a failure but a
:class:`Response` with ``not_modified`` set and no body.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from wiretrace import __version__

__all__ = [
    "DEFAULT_DELAY",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "MAX_RESPONSE_BYTES",
    "ROBOTS_TTL",
    "USER_AGENT",
    "Disallowed",
    "FetchError",
    "Fetcher",
    "Response",
    "Validators",
]

#: Sent with every request: names wiretrace and its version, and where to read about it.
USER_AGENT = f"wiretrace/{__version__} (+https://example.org/wiretrace)"
#: Seconds between the start of two requests to the same host.
DEFAULT_DELAY = 1.0
#: Seconds to connect, for each read, and for a whole body.
DEFAULT_TIMEOUT = 20.0
#: Largest body kept (bytes, after gzip decoding): 20 MiB.
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
#: Largest robots.txt read (bytes; RFC 9309 asks for at least 500 KiB); the rest is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
#: Seconds a host's robots.txt is trusted before it is fetched again (RFC 9309: 24 hours).
ROBOTS_TTL = 24 * 3600.0
#: Redirect hops followed for one request.
MAX_REDIRECTS = 5

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that gave no usable response; ``str()`` is ``"URL: reason"``."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class Disallowed(FetchError):
    """The URL is disallowed for wiretrace by its host's robots.txt (nothing was requested)."""


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said identifies the version of a resource it sent (either may be None);
    sent back as ``If-None-Match`` / ``If-Modified-Since`` to ask for a change only."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """A successful answer: ``status`` 200 (or another 2xx) with ``body``, or 304 with
    ``body`` None (``not_modified``). ``url`` is the final URL after redirects."""

    url: str
    status: int
    body: bytes | None
    validators: Validators = field(default_factory=Validators)
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to :meth:`Fetcher.get` (as HTTPError) instead of following them."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        return None


@dataclass
class _Robots:
    parser: RobotFileParser | None  # None: unreachable, everything disallowed
    fetched: float  # clock() when fetched
    problem: str | None = None


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class Fetcher:
    """HTTP GET with the politeness rules of the module docs.

    ``clock`` (seconds, monotonic) and ``sleep`` are injectable so that tests need not wait;
    the per-request timeout always uses real time. Not thread-safe: one poll at a time.

    Invariants: at most one request is in flight; two requests to one host start at least
    ``delay`` seconds apart by ``clock``; no body longer than ``max_bytes`` is held.
    """

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = DEFAULT_TIMEOUT,
        delay: float = DEFAULT_DELAY,
        max_bytes: int = MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout <= 0 or delay < 0 or max_bytes <= 0:
            raise ValueError("timeout and max_bytes must be positive, delay not negative")
        self.user_agent = user_agent
        self.timeout = timeout
        self.delay = delay
        self.max_bytes = max_bytes
        self.clock = clock
        self.sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect())
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        #: Requests made (robots.txt included), for reports and tests.
        self.requests = 0

    # --- robots.txt ------------------------------------------------------------------------

    def new_poll(self) -> None:
        """Forget robots.txt files that could not be fetched or are older than ROBOTS_TTL,
        so that this poll fetches them again."""
        now = self.clock()
        self._robots = {
            host: robots
            for host, robots in self._robots.items()
            if robots.parser is not None and now - robots.fetched < ROBOTS_TTL
        }

    def robots_problem(self, url: str) -> str | None:
        """Why ``url``'s robots.txt could not be read in this poll (None if it was, or was not
        asked for yet)."""
        robots = self._robots.get(_host_key(url))
        return robots.problem if robots is not None else None

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets wiretrace fetch ``url`` (fetches robots.txt once per host)."""
        key = _host_key(url)
        robots = self._robots.get(key)
        if robots is None:
            robots = self._fetch_robots(key)
            self._robots[key] = robots
        if robots.parser is None:
            return False
        return robots.parser.can_fetch(self.user_agent, url)

    def _fetch_robots(self, host: str) -> _Robots:
        url = f"{host}/robots.txt"
        parser = RobotFileParser(url)
        reason = f"more than {MAX_REDIRECTS} redirects"
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = self._request(url, Validators(), ROBOTS_MAX_BYTES, truncate=True)
                break
            except _HTTPStatus as status:
                if status.code in _REDIRECTS and status.location:  # RFC 9309: follow them
                    url = urljoin(url, status.location)
                    continue
                if 400 <= status.code < 500:  # RFC 9309 2.3.1.3: "unavailable", no rules
                    parser.allow_all = True
                    parser.modified()
                    return _Robots(parser, self.clock())
                reason = f"HTTP {status.code}"
            except FetchError as err:
                reason = err.reason
            problem = f"robots.txt unreachable ({reason}), so treated as disallowing all"
            return _Robots(None, self.clock(), problem)
        else:
            problem = f"robots.txt unreachable ({reason}), so treated as disallowing all"
            return _Robots(None, self.clock(), problem)
        text = (response.body or b"").decode("utf-8", errors="replace")
        parser.parse(text.splitlines())  # also marks it read (can_fetch says no until then)
        return _Robots(parser, self.clock())

    # --- GET -------------------------------------------------------------------------------

    def get(self, url: str, validators: Validators | None = None) -> Response:
        """GET ``url`` politely; with ``validators``, conditionally (a 304 has no body).

        Raises:
            Disallowed: robots.txt of the URL's host (or of a redirect target) forbids it.
            FetchError: anything else that gives no usable answer (HTTP 4xx/5xx, DNS, refused
                connection, timeout, a body over the cap, too many redirects, not http(s)).
        """
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https") or not urlsplit(current).netloc:
                raise FetchError(current, "not an http(s) URL")
            if not self.allowed(current):
                problem = self.robots_problem(current)
                raise Disallowed(current, problem or "disallowed by robots.txt")
            try:
                return self._request(current, validators or Validators(), self.max_bytes)
            except _HTTPStatus as status:
                location = status.location
                if status.code in _REDIRECTS and location:
                    current = urljoin(current, location)
                    continue
                raise FetchError(current, f"HTTP {status.code} {status.reason}".strip()) from None
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _wait_turn(self, url: str) -> None:
        """Sleep until ``delay`` seconds have passed since the last request to this host."""
        host = _host_key(url)
        last = self._last_request.get(host)
        if last is not None:
            wait = last + self.delay - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = self.clock()

    def _request(
        self, url: str, validators: Validators, limit: int, truncate: bool = False
    ) -> Response:
        """One request, no redirects followed: a 2xx or 304 Response; other statuses raise
        _HTTPStatus; everything else FetchError. ``truncate``: keep the first ``limit`` bytes
        of a longer body instead of failing (for robots.txt)."""
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip"}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        request = urllib.request.Request(url, headers=headers, method="GET")
        self._wait_turn(url)
        self.requests += 1
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                status = answer.status
                body = _read_body(answer, url, limit, deadline, self.timeout, truncate)
                got = answer.headers
        except urllib.error.HTTPError as exc:
            code, reason, got = exc.code, exc.reason, exc.headers
            exc.close()
            if code == 304:
                return Response(url, 304, None, _validators(got, validators))
            raise _HTTPStatus(code, str(reason or ""), got.get("Location")) from None
        except urllib.error.URLError as exc:
            raise FetchError(url, _network_reason(exc.reason, self.timeout)) from None
        except TimeoutError:
            raise FetchError(url, f"timed out after {self.timeout:g} s") from None
        except HTTPException as exc:
            raise FetchError(url, f"broken response ({type(exc).__name__})") from None
        except OSError as exc:
            raise FetchError(url, _network_reason(exc, self.timeout)) from None
        except ValueError as exc:  # a URL urllib cannot even send
            raise FetchError(url, f"bad URL ({exc})") from None
        return Response(
            url, status, body, _validators(got, Validators()), got.get("Content-Type")
        )


class _HTTPStatus(Exception):
    """A status other than 2xx/304 (internal: redirects are followed, others reported)."""

    def __init__(self, code: int, reason: str, location: str | None) -> None:
        self.code = code
        self.reason = reason
        self.location = location


def _validators(headers: object, fallback: Validators) -> Validators:
    """The ETag / Last-Modified of a response; a 304 without them keeps the ones sent."""
    get = getattr(headers, "get", None)
    etag = get("ETag") if get else None
    modified = get("Last-Modified") if get else None
    return Validators(etag or fallback.etag, modified or fallback.last_modified)


def _network_reason(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve host ({reason.strerror or reason})"
    if isinstance(reason, OSError):
        return f"cannot connect ({reason.strerror or reason})"
    return f"cannot connect ({reason})"


def _read_body(
    answer: object, url: str, limit: int, deadline: float, timeout: float, truncate: bool
) -> bytes:
    """The body, decoded from gzip if so sent, at most ``limit`` bytes, within ``deadline``."""
    headers = answer.headers  # type: ignore[attr-defined]
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
    length = headers.get("Content-Length")
    if not truncate and length and length.isdigit() and int(length) > limit:
        raise FetchError(url, f"response of {int(length):,} bytes is over the cap of {limit:,}")
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 16) if encoding != "identity" else None
    chunks: list[bytes] = []
    size = 0
    while True:
        raw = answer.read(_CHUNK)  # type: ignore[attr-defined]
        if not raw:
            break
        if time.monotonic() > deadline:
            raise FetchError(url, f"timed out after {timeout:g} s (body still arriving)")
        if inflate is not None:
            try:
                # At most one byte over the cap, so that a gzip bomb cannot inflate in memory.
                raw = inflate.decompress(raw, limit - size + 1)
            except zlib.error:
                raise FetchError(url, "broken gzip body") from None
        size += len(raw)
        if size > limit or (inflate is not None and inflate.unconsumed_tail):
            if truncate:
                chunks.append(raw)
                break
            raise FetchError(url, f"response over the cap of {limit:,} bytes")
        chunks.append(raw)
    return b"".join(chunks)[:limit]
