"""The web app as a person uses it: Playwright driving Debian's Chromium (/usr/bin/chromium)
against ``wiretrace serve``'s app run by uvicorn on a free loopback port.

Never downloads a browser: without /usr/bin/chromium (``apt-get install chromium``) or the
``playwright`` package, these tests skip. Screenshots at 1280x800 and 390x844 (phone) go to
the test's tmp_path (pytest keeps the last runs under its basetemp) for a person to look at.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_store(tmp_path_factory.mktemp("browser"))
    from wiretrace.model import Article
    from wiretrace.pipeline import analyze

    analyze([Article("xss", XSS_TEXT, title=XSS_TITLE, outlet="Test")], str(db), jobs=1)
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
