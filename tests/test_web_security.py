"""``wiretrace serve`` hardened (issue 14): only http(s) addresses become links, every response
carries the security headers, a Host allow-list, bounded integer parameters and a JSON 500,
413 readable by clients that close the connection, a cap per text on the compare page, and a
busy port refused before anything is announced. Plus the HTTP API against its own schema."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from fastapi.testclient import TestClient  # noqa: E402
from webstore import build_store, copy_store  # noqa: E402

from wiretrace.web import app as web_app  # noqa: E402
from wiretrace.web.app import create_app, is_http_url  # noqa: E402
from wiretrace.web.middleware import allowed_hosts  # noqa: E402

LOCAL = "http://localhost"
HOSTILE_URLS = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjava\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    '"><img src=x onerror=alert(1)>',
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("websec"))


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db, read_only=True), base_url=LOCAL)


@pytest.fixture()
def writable(db: Path, tmp_path: Path) -> TestClient:
    return TestClient(
        create_app(copy_store(db, tmp_path / "w.db"), max_body=200_000), base_url=LOCAL
    )


# --- 1. only http(s) addresses become links ----------------------------------------------------


def test_only_http_and_https_addresses_count_as_links() -> None:
    for url in ("http://example.org/a", "https://example.org/", "HTTPS://EXAMPLE.ORG/"):
        assert is_http_url(url), url
    for url in [*HOSTILE_URLS, "", "http:/x", "ftp://x", "https:", None, 3]:
        assert not is_http_url(url), url


def test_article_pages_link_only_http_addresses(writable: TestClient) -> None:
    text = "Die Gemeinde Hollerdeich meldet einen ruhigen Tag am Deich. " * 4
    articles = [
        {"id": f"u{i}", "text": f"{i} {text}", "url": url} for i, url in enumerate(HOSTILE_URLS)
    ]
    articles.append({"id": "fine", "text": "ok " + text, "url": "https://example.org/a?b=1&c=2"})
    assert writable.post("/api/articles", json={"articles": articles}).status_code == 201
    for i, url in enumerate(HOSTILE_URLS):
        html = writable.get(f"/articles/u{i}").text
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert all(h.startswith(("/", "#", "?")) for h in hrefs), (url, hrefs)
        assert "original" in html  # shown as text instead
        assert "javascript:" not in " ".join(hrefs).lower()
    html = writable.get("/articles/fine").text
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">' in html


# --- 1. headers, assets, Host -----------------------------------------------------------------


def _security_headers_of(r) -> None:  # type: ignore[no-untyped-def]
    csp = r.headers.get("content-security-policy", "")
    assert "default-src 'none'" in csp and "script-src 'self'" in csp, (r.url, csp)
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"]


def test_every_response_carries_the_security_headers(writable: TestClient) -> None:
    responses = [
        writable.get(url)
        for url in (
            "/",
            "/articles",
            "/articles/flood-wire",
            "/groups",
            "/compare",
            "/compare?a=flood-wire&b=flood-jetzt",
            "/api/articles",
            "/api/docs",
            "/api/openapi.json",
            "/static/wiretrace.css",
            "/nothing",  # 404 page
            "/api/nothing",  # 404 error object
            "/api/articles?limit=0",  # 422
        )
    ]
    responses.append(writable.post("/api/compare", json={"a": "x" * 300_000, "b": "y"}))  # 413
    responses.append(writable.get("/", headers={"host": "evil.example"}))  # 400
    assert [r.status_code for r in responses][-6:] == [200, 404, 404, 422, 413, 400]
    for r in responses:
        _security_headers_of(r)
        assert "server-timing" in r.headers


def test_pages_load_nothing_from_elsewhere_and_run_no_inline_code(client: TestClient) -> None:
    for url in ("/", "/articles", "/articles/flood-jetzt", "/groups", "/compare", "/api/docs"):
        html = client.get(url).text
        for tag, _attr, value in re.findall(
            r"<(script|link|img|iframe)\b[^>]*?(src|href)=\"([^\"]*)\"", html
        ):
            assert value.startswith("/") and not value.startswith("//"), (url, tag, value)
        assert "<style" not in html and " style=" not in html, url
        for script in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in script[0] and not script[1].strip(), url  # no inline script
    # the files those tags name are served here
    docs = client.get("/api/docs").text
    for path in re.findall(r'(?:src|href)="(/static/[^"?]+)', docs):
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 100, path
        again = client.get(path, headers={"if-none-match": r.headers["etag"]})
        assert again.status_code == 304
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/app.py").status_code == 404


def test_host_header_must_name_an_allowed_host(db: Path) -> None:
    app = create_app(db, read_only=True)
    for host in ("localhost", "localhost:8000", "127.0.0.1:1", "[::1]:8000", "[::1]", "LOCALHOST"):
        r = TestClient(app, base_url=f"http://{host}").get("/api/stories")
        assert r.status_code == 200, host
    for host in ("evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.2"):
        r = TestClient(app, base_url=f"http://{host}").get("/api/stories")
        assert r.status_code == 400, host
        assert r.json()["error"]["code"] == "bad_host"
        assert "--allow-host" in r.json()["error"]["message"]
    # a page too gets the error object: nothing of the store is shown to that name
    r = TestClient(app, base_url="http://evil.example").get("/articles")
    assert r.status_code == 400 and "Ramse" not in r.text
    named = create_app(db, read_only=True, hosts=allowed_hosts("0.0.0.0", ["wire.example"]))
    assert TestClient(named, base_url="http://wire.example:80").get("/").status_code == 200
    assert TestClient(named, base_url="http://localhost").get("/").status_code == 200
    assert TestClient(named, base_url="http://other.example").get("/").status_code == 400
    anything = create_app(db, read_only=True, hosts=allowed_hosts(None, ["*"]))
    assert TestClient(anything, base_url="http://other.example").get("/").status_code == 200


def test_allowed_hosts_are_loopback_the_bound_address_and_the_named() -> None:
    assert allowed_hosts("127.0.0.1") == ("localhost", "127.0.0.1", "::1")
    assert allowed_hosts("0.0.0.0") == ("localhost", "127.0.0.1", "::1")
    assert allowed_hosts("::") == ("localhost", "127.0.0.1", "::1")
    assert allowed_hosts("192.168.1.5")[-1] == "192.168.1.5"
    assert allowed_hosts("fe80::1")[-1] == "fe80::1"
    assert allowed_hosts("0.0.0.0", ["News.Example:8080", "[fe80::2]"])[-2:] == (
        "news.example",
        "fe80::2",
    )


# --- 2. the error contract -------------------------------------------------------------------


def test_integer_parameters_are_bounded(client: TestClient) -> None:
    huge = [2**63, 2**64, 10**30, 2**62 + 1]
    for value in huge:
        for url, params in (
            ("/api/articles", {"offset": value}),
            ("/api/stories", {"offset": value}),
            ("/api/groups", {"offset": value}),
            (f"/api/stories/{value}", {}),
            (f"/api/groups/{value}", {}),
        ):
            r = client.get(url, params=params)
            assert r.status_code == 422, (url, params)
            assert r.json()["error"]["code"] == "invalid_request"
    for url in ("/api/stories/-1", "/api/groups/-1", "/api/articles?offset=-1"):
        assert client.get(url).status_code == 422
    assert client.get("/api/articles", params={"offset": 2**62}).json()["items"] == []
    assert client.get(f"/api/stories/{2**62}").status_code == 404
    # the pages: out-of-range ids are error pages, offsets are clamped
    assert client.get(f"/stories/{2**63}").status_code == 422
    assert client.get(f"/groups/{2**63}").status_code == 422
    for url in ("/", "/articles", "/groups"):
        assert client.get(url, params={"offset": 2**70}).status_code == 200


def test_unexpected_errors_are_the_error_object_and_logged(
    db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug for the test")

    monkeypatch.setattr(web_app.browse, "list_articles", broken)
    client = TestClient(create_app(db, read_only=True), base_url=LOCAL)
    with caplog.at_level(logging.ERROR, logger="wiretrace.web"):
        r = client.get("/api/articles")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {
        "error": {
            "code": "internal_error",
            "message": "unexpected error on the server (it is logged there)",
        }
    }
    assert "a bug for the test" not in r.text  # no detail leaks to the client
    _security_headers_of(r)
    logged = [rec for rec in caplog.records if rec.name == "wiretrace.web"]
    assert logged and logged[0].exc_info and "GET /api/articles" in logged[0].getMessage()
    page = client.get("/articles")
    assert page.status_code == 500 and "<html" in page.text


def test_405_keeps_its_allow_header(client: TestClient) -> None:
    r = client.delete("/api/articles")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.headers["allow"]


def test_json_bodies_need_a_json_content_type(writable: TestClient) -> None:
    """A page elsewhere can post ``text/plain`` without asking (no CORS preflight): the API
    must not read that as JSON, or any site could add articles to a local server."""
    body = json.dumps({"articles": [{"id": "csrf", "text": "Ein Text von anderswo. " * 4}]})
    r = writable.post("/api/articles", content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 422
    assert writable.get("/api/articles/csrf").status_code == 404


# --- 3. a 413 every client can read ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app (max body 1 MB) under a real uvicorn on a free loopback port."""
    store = copy_store(db, tmp_path_factory.mktemp("live") / "live.db")
    port = _free_port()
    config = uvicorn.Config(
        create_app(store, max_body=1_000_000), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _urlopen_error(request: urllib.request.Request) -> urllib.error.HTTPError:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=60)
    return caught.value


def test_urllib_reads_the_413_of_a_12_mb_body(live: str) -> None:
    body = json.dumps({"a": "x" * 12_000_000, "b": "y"}).encode()
    request = urllib.request.Request(
        live + "/api/compare", data=body, headers={"Content-Type": "application/json"}
    )
    error = _urlopen_error(request)  # urllib sends "Connection: close"
    assert error.code == 413
    assert json.loads(error.read())["error"]["code"] == "too_large"


def test_every_early_answer_is_readable_by_closing_clients(live: str) -> None:
    """Not only the 413: any answer sent before the app read the body (an unknown path, a
    refused Host) is sent after the body was read."""
    body = b"z" * 900_000
    error = _urlopen_error(urllib.request.Request(live + "/api/nothing", data=body))
    assert error.code == 404 and json.loads(error.read())["error"]["code"] == "not_found"
    request = urllib.request.Request(
        live + "/api/compare", data=body, headers={"Host": "evil.example"}
    )
    error = _urlopen_error(request)
    assert error.code == 400 and json.loads(error.read())["error"]["code"] == "bad_host"


def test_a_chunked_oversized_body_gets_a_readable_413(live: str) -> None:
    host, port = live.removeprefix("http://").split(":")
    conn = HTTPConnection(host, int(port), timeout=60)
    chunks = (b"x" * 65536 for _ in range(200))  # 13 MB, no Content-Length
    conn.request(
        "POST",
        "/api/compare",
        body=chunks,
        headers={"Content-Type": "application/json", "Connection": "close"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "too_large"
    conn.close()


def test_a_body_over_the_drain_limit_is_refused_without_reading_it(live: str) -> None:
    """Past 4 x max-body (at least 100 MB) the server does not read on: 413 with
    ``Connection: close`` straight away (the client may see a reset, which is fine)."""
    host, port = live.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(
            b"POST /api/compare HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
            b"\r\nContent-Length: 200000000\r\n\r\n"
        )
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413") and b"connection: close" in answer.lower()


# --- 4. the compare form's cap per text --------------------------------------------------------


def test_compare_form_caps_each_text(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # As reported: 2 x 3M characters gave 12.5 MB of HTML. Now 413, and a short page.
    cap = web_app._MAX_COMPARE_CHARS
    long, short = "Deich " * 500_000, "Ein kurzer Text über den Deich."
    r = client.post("/compare", data={"a_text": long, "b_text": long})
    assert r.status_code == 413
    assert f"text a has {len(long):,} and text b has {len(long):,} characters" in r.text
    assert f"at most {cap:,} characters per text" in r.text
    assert len(r.content) < 50_000  # the long texts are not sent back
    # The bound itself (a small cap, so that the accepted side compares quickly).
    monkeypatch.setattr(web_app, "_MAX_COMPARE_CHARS", 40)
    r = client.post("/compare", data={"a_text": "x" * 41, "b_text": short})
    assert r.status_code == 413 and "text a has 41 characters" in r.text
    assert short in r.text  # the text within the cap stays in its box
    assert client.post("/compare", data={"a_text": "x" * 40, "b_text": short}).status_code == 200


# --- 5. serve on a busy port -------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_in_one_line_and_exits_2(db: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "wiretrace", "serve", "--db", str(db), "--read-only"]
            + ["--port", str(port), "--workers", "1"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"wiretrace: cannot listen on 127.0.0.1:{port}: address already in use"
    ]
    assert "serving" not in done.stderr
