"""The web app as a person uses it: Playwright driving Debian's Chromium (/usr/bin/chromium)
against ``wiretrace serve``'s app run by uvicorn on a free loopback port.

Never downloads a browser: without /usr/bin/chromium (``apt-get install chromium``) or the
``playwright`` package, these tests skip. The security test feeds hostile urls, titles, outlets,
texts and ids through the HTTP API, opens every page that shows them and clicks their links. Screenshots at 1280x800 and 390x844 (phone) go to
the test's tmp_path (pytest keeps the last runs under its basetemp) for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

CHROMIUM = Path(os.environ.get("WIRETRACE_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

from webstore import ROOT, XSS_TEXT, XSS_TITLE, build_store  # noqa: E402

from wiretrace.io.readers import read_text_article  # noqa: E402
from wiretrace.report.compare import compare  # noqa: E402
from wiretrace.web.app import create_app  # noqa: E402

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(db: Path) -> Iterator[str]:
    """``create_app(db)`` under uvicorn on a free loopback port, as ``wiretrace serve`` runs it."""
    port = _free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_store(tmp_path_factory.mktemp("browser"))
    from wiretrace.model import Article
    from wiretrace.pipeline import analyze

    analyze([Article("xss", XSS_TEXT, title=XSS_TITLE, outlet="Test")], str(db), jobs=1)
    with _serving(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        except Exception as exc:  # a broken install: skip rather than fail the suite
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {exc}")
        yield b
        b.close()


def _page(browser, size: str):  # type: ignore[no-untyped-def]
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return page


def _no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the viewport"


@pytest.mark.parametrize("size", list(SIZES))
def test_stories_list_and_story_page(server: str, browser, size: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, size)
    page.goto(server + "/")
    rows = page.locator("#stories tr")
    assert rows.count() > 3
    page.screenshot(path=str(tmp_path / f"stories-{size}.png"), full_page=True)
    _no_horizontal_scroll(page)
    page.fill("input[name=q]", "Katastrophenfall")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#stories tr").count() == 2  # header + the flood story
    page.locator("#stories a").first.click()
    page.wait_for_load_state()
    assert page.locator("svg.timeline circle").count() == 5
    assert "flood-wire" in page.locator("text=Earliest source >> xpath=..").inner_text() or (
        page.locator("a[href='/articles/flood-wire']").count() > 0
    )
    page.screenshot(path=str(tmp_path / f"story-{size}.png"), full_page=True)
    page.screenshot(path=str(tmp_path / f"story-{size}-top.png"))
    _no_horizontal_scroll(page)
    assert not page.errors


@pytest.mark.parametrize("size", list(SIZES))
def test_compare_view_highlights_the_library_passages(
    server: str, browser, size: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    agency = read_text_article(ROOT / "examples/pair/agency.txt")
    rewrite = read_text_article(ROOT / "examples/pair/rewrite.txt")
    want = compare(agency, rewrite)
    page = _page(browser, size)
    page.goto(server + "/compare")
    page.fill("textarea[name=a_text]", agency.text)
    page.fill("textarea[name=b_text]", rewrite.text)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#verdict") == want.same_story.verdict
    for side, text in (("a", agency.text), ("b", rewrite.text)):
        # The highlighted pieces of each passage, joined, are exactly the library's passage.
        spans = page.eval_on_selector_all(
            f"#side-{side} [data-passage]",
            "els => els.map(e => [+e.dataset.passage, +e.dataset.start, +e.dataset.end, e.textContent])",
        )
        assert len({p for p, *_ in spans}) == len(want.passages)
        for i, p in enumerate(want.passages):
            span = p.a if side == "a" else p.b
            mine = [s for s in spans if s[0] == i]
            assert (mine[0][1], mine[-1][2]) == (span.start, span.end)
            assert "".join(s[3] for s in mine) == text[span.start : span.end]
    assert page.locator("#side-b mark.chg").count() > 0
    page.screenshot(path=str(tmp_path / f"compare-{size}.png"), full_page=True)
    page.screenshot(path=str(tmp_path / f"compare-{size}-top.png"))
    _no_horizontal_scroll(page)
    assert not page.errors


def test_article_page_links_passages_to_other_occurrences(
    server: str, browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, "desktop")
    page.goto(server + "/articles/flood-jetzt")
    first = page.locator("#text a.seg").first
    target = first.get_attribute("href")
    assert target and target.startswith("#g")
    link = page.locator(f"{target} li a[href^='/articles/flood-wire#o']")
    assert link.count() == 1
    page.screenshot(path=str(tmp_path / "article-desktop.png"), full_page=True)
    link.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith("/articles/flood-wire")
    assert not page.errors


def test_script_payloads_in_titles_and_texts_do_not_run(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, "desktop")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in ("/articles/xss", "/articles", "/compare?a=xss&b=flood-wire"):
        page.goto(server + url)
        page.wait_for_load_state()
        assert page.evaluate("window.__xss === undefined"), url
    assert "<script>" in page.inner_text("#side-a")  # shown as text, not run
    assert not dialogs


# --- hostile input: nothing runs ----------------------------------------------------------------

# Every payload, if it ran, would set document.title to a marker starting with PWNED (written
# split, so that the escaped payloads shown as text, titles too, never contain it).
_RUN = "void(document.title='PW'+'NED-{}')"  # void: a javascript: URL keeps the page
_HOSTILE = [
    {
        "id": "evil-url",
        "url": "javascript:" + _RUN.format("url"),
        "title": "<script>" + _RUN.format("title") + "</script>",
        "outlet": '"><img src=x onerror="' + _RUN.format("outlet") + '">',
        "text": "</textarea><script>" + _RUN.format("text") + "</script> ",
    },
    {
        "id": "evil-data",
        "url": "data:text/html,<script>" + _RUN.format("data") + "</script>",
        "title": '"><svg onload="' + _RUN.format("svg") + '">',
        "outlet": "</option></select><script>" + _RUN.format("option") + "</script>",
        "text": '<img src=x onerror="' + _RUN.format("img") + '"> </div></span><a href="javas'
        "cript:" + _RUN.format("a") + '">klick</a> ',
    },
    {
        "id": 'evil"><img src=x onerror="' + _RUN.format("id") + '">',
        "url": " JaVaScRiPt:" + _RUN.format("url2"),
        "text": "<style>body{display:none}</style>{{ 7*7 }}{% raw %}${7*7} ",
    },
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A server whose store holds the example corpus plus hostile articles added through the
    API; each hostile text carries a passage of flood-wire, so they show up in reuse groups,
    stories and the other articles' pages too."""
    import httpx

    db = build_store(tmp_path_factory.mktemp("hostile"))
    wire = next(
        json.loads(line)
        for line in (ROOT / "examples/corpus.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["id"] == "flood-wire"
    )
    articles = [
        {**a, "text": a["text"] + wire["text"][: 900 + 100 * i], "published": "2025-01-10"}
        for i, a in enumerate(_HOSTILE)
    ]
    with _serving(db) as base:
        r = httpx.post(base + "/api/articles", json={"articles": articles}, timeout=120)
        assert r.status_code == 201 and r.json()["added"] == len(articles), r.text
        views = [
            httpx.get(base + "/api/articles/" + quote(a["id"], safe=""), timeout=30).json()
            for a in articles
        ]
        yield {"base": base, "articles": articles, "views": views}


def _pages_showing_hostile_input(hostile: dict) -> list[str]:
    views = hostile["views"]
    urls = ["/", "/?q=script", "/articles", "/articles?outlet=" + quote(_HOSTILE[0]["outlet"])]
    urls += ["/articles/" + quote(v["id"], safe="") for v in views]
    urls += ["/articles/flood-wire", "/groups", "/compare?a=evil-url&b=evil-data"]
    urls += ["/compare?a=" + quote(views[2]["id"], safe="") + "&b=flood-wire"]
    urls += sorted({f"/stories/{v['story_id']}" for v in views if v["story_id"] is not None})
    urls += sorted({f"/groups/{p['group']}" for v in views for p in v["passages"]})
    urls += ["/nothing/" + quote(_HOSTILE[0]["title"]), "/api/docs"]
    return urls


def test_hostile_input_never_runs_on_any_page(hostile: dict, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = hostile["base"]
    urls = _pages_showing_hostile_input(hostile)
    assert any(u.startswith("/stories/") for u in urls) and any(
        u.startswith("/groups/") for u in urls
    )
    page = _page(browser, "desktop")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{page.url}: {m.text}"))
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((base + "/", "data:")) else elsewhere.append(r.url),
    )
    for url in urls:
        response = page.goto(base + url)
        assert response is not None
        page.wait_for_load_state("networkidle")
        # Every page carries the Content-Security-Policy (no inline script, nothing from
        # elsewhere), whatever its status.
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "default-src 'none'" in csp, url
        assert response.headers.get("x-content-type-options") == "nosniff", url
        assert "PWNED" not in page.title(), url
        # Only http(s) addresses are links (relative ones resolve to this server's http:).
        protocols = page.eval_on_selector_all(
            "a[href]",  # HTML and SVG links, parsed as the browser follows them
            "els => els.map(a => new URL(a.getAttribute('href'), document.baseURI).protocol)",
        )
        assert set(protocols) <= {"http:", "https:"}, (url, set(protocols))
        # hover every highlighted passage (the page's own script runs on mouseover)
        for seg in [x for x in page.locator("[data-passage]").all() if x.is_visible()][:5]:
            seg.hover()
        assert "PWNED" not in page.title(), url
    # Click every link of the hostile articles' pages, the "original" ones first.
    for view in hostile["views"]:
        url = base + "/articles/" + quote(view["id"], safe="")
        page.goto(url)
        links = "main a[href]"
        hrefs = page.eval_on_selector_all(links, "els => els.map(a => a.getAttribute('href'))")
        assert "original" in page.inner_text("p.meta >> nth=1")  # shown, as text
        for i in range(len(hrefs)):
            page.goto(url)
            page.locator(links).nth(i).click()
            page.wait_for_load_state()
            page.wait_for_timeout(150)  # a javascript: link runs in a task after the click
            assert "PWNED" not in page.title(), (view["id"], hrefs[i])
    # The compare form: hostile texts pasted, the result page shows them in their boxes.
    page.goto(base + "/compare")
    page.fill("textarea[name=a_text]", _HOSTILE[0]["text"] + _HOSTILE[1]["text"] * 3)
    page.fill("textarea[name=b_text]", _HOSTILE[1]["text"] + _HOSTILE[2]["text"] * 3)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "PWNED" not in page.title()
    assert page.input_value("textarea[name=a_text]").startswith("</textarea><script>")
    page.screenshot(path=str(tmp_path / "hostile-compare.png"), full_page=True)
    assert not dialogs and not page.errors
    assert not elsewhere, elsewhere
    # A payload that reached the DOM as markup would show as a blocked inline script or
    # style here even though it did not run.
    assert not [m for m in console if re.search("Content Security Policy|Refused", m)], console


def test_api_docs_run_from_this_server(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, "desktop")
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    elsewhere: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(server + "/") else elsewhere.append(r.url)
    )
    response = page.goto(server + "/api/docs")
    assert (
        response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    )
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == 8  # every operation of the API
    page.locator(".opblock-summary", has_text="/api/stories/{story_id}").click()
    page.get_by_text("Try it out").click()
    page.fill("input[placeholder=story_id]", "1")
    page.get_by_text("Execute").click()
    status = page.locator(".live-responses-table tr.response .response-col_status")
    status.first.wait_for()
    assert status.first.inner_text().strip() == "200"
    assert '"story_id": 1' in page.inner_text(".live-responses-table .microlight")
    assert not elsewhere and not page.errors
    assert not [m for m in console if "Content Security Policy" in m], console
