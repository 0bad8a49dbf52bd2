"""Articles are named for people by title (or first words), outlet and date, never by their id
alone: the naming helpers (wiretrace.report.names), and the CLI summary, ``show``, ``stories``,
``compare``, report.html and every web page on a store whose ids are hashes, as on real crawls,
and where the agency wire and one rewrite of it have no title. The ids stay in JSON, links and
tooltips."""

from __future__ import annotations

import base64
import doctest
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner
from webstore import CORPUS

from wiretrace.cli import app
from wiretrace.report import names
from wiretrace.report.names import article_label, first_words, readable_time

runner = CliRunner()

UNTITLED = ("flood-wire", "flood-jetzt")
WIRE_WORDS = "Brackenfeld (nwa) – Nach tagelangem Dauerregen ist die Ramse…"
JETZT_WORDS = "Nach tagelangem Dauerregen ist die Ramse in der Nacht zum…"
WIRE_META = "Nordwest-Agentur (nwa) · 2025-01-09 06:42"
KURIER_TITLE = "Land unter in der Altstadt: 1.400 Brackenfelder verlassen ihre Wohnungen"


def hashed(id_: str) -> str:
    """A crawl-style id: base64 of a SHA-1 (28 characters with ``/``, ``+`` and ``=``)."""
    return base64.b64encode(hashlib.sha1(id_.encode()).digest()).decode()


# --- the helpers -------------------------------------------------------------------------------


def test_doctests() -> None:
    assert doctest.testmod(names).failed == 0


def test_first_words_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "  Der   Landkreis\nRamsetal rief in der Nacht zum Donnerstag den Katastrophenfall aus."
    words = first_words(text)
    assert words == "Der Landkreis Ramsetal rief in der Nacht zum Donnerstag den…"
    assert len(words) <= 61 and "  " not in words
    assert first_words("x" * 100) == "x" * 60 + "…"  # one long word: cut inside it
    assert first_words("Kurz.  ") == "Kurz."  # nothing cut: no ellipsis


def test_readable_times() -> None:
    assert readable_time("2025-01-09T06:42:00+01:00") == "2025-01-09 06:42"  # as published
    assert readable_time("2025-01-09") == "2025-01-09"
    assert readable_time("2025-01-09 23:05:59") == "2025-01-09 23:05"
    assert readable_time("gestern") == "gestern"  # not ISO 8601: as stored
    assert readable_time(None) == readable_time(" ") == ""


def test_article_label_falls_back_to_first_words_and_leaves_out_the_unknown() -> None:
    assert (
        article_label("  Titel\n mit Umbruch ", "Text", "Blatt", None)
        == "Titel mit Umbruch · Blatt"
    )
    assert article_label(None, "Nur Text.", None, None) == "Nur Text."
    assert article_label("", "Nur Text.", None, "2025-01-09") == "Nur Text. · 2025-01-09"


# --- a store with hash ids and untitled articles -----------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The example corpus with hashed ids, the wire and NachrichtenJetzt's rewrite untitled,
    analysed through the CLI (``--out``: report.html too)."""
    tmp = tmp_path_factory.mktemp("names")
    ids = {}
    lines = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        ids[record["id"]] = record["id"] = hashed(record["id"])
        if record["id"] in {hashed(x) for x in UNTITLED}:
            del record["title"]
        lines.append(json.dumps(record, ensure_ascii=False))
    corpus = tmp / "crawl.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db, out = tmp / "crawl.db", tmp / "out"
    result = runner.invoke(
        app, ["analyze", str(corpus), "--db", str(db), "--out", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    return {"db": db, "out": out, "corpus": corpus, "ids": ids, "summary": result.stdout}


def never_named_by_id(text: str, ids: dict[str, str]) -> None:
    """Every id in ``text`` (what a person reads) is labelled as one, on its line: ``id HASH``."""
    for line in text.splitlines():
        for old, h in ids.items():
            for m in re.finditer(re.escape(h), line):
                assert line[max(0, m.start() - 3) : m.start()] == "id ", (old, line)


def visible(html: str) -> str:
    """The text of a page as a person reads it: no tags, attributes or tooltips."""
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


def test_analyze_summary_names_articles(store: dict) -> None:
    out, ids = store["summary"], store["ids"]
    least = out[out.index("Least original articles") :]
    # NachrichtenJetzt's untitled rewrite, by its first words, outlet and date, and its id
    assert JETZT_WORDS in least and "NachrichtenJetzt · 2025-01-09 07:31" in least
    assert f"id {ids['flood-jetzt']}" in least
    # its main source, the untitled wire; the titled Kurier article by its title
    assert WIRE_WORDS in least and WIRE_META in least and KURIER_TITLE in least
    copied = out[out.index("Most copied passages") : out.index("Least original articles")]
    assert WIRE_WORDS in copied and WIRE_META in copied  # first printed by the wire
    never_named_by_id(out, ids)


def test_show_names_the_article_its_sources_and_other_occurrences(store: dict) -> None:
    ids = store["ids"]
    result = runner.invoke(app, ["show", ids["flood-jetzt"], "--db", str(store["db"])])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == JETZT_WORDS
    assert f"first printed by {WIRE_WORDS} · {WIRE_META}" in out
    assert f"Main source: {WIRE_WORDS} · {WIRE_META}" in out
    assert f"{KURIER_TITLE} · Ramsetal-Kurier · 2025-01-09 09:14" in out  # also printed there
    assert f"id {ids['flood-jetzt']}" in out and f"id {ids['flood-wire']}" in out
    never_named_by_id(out, ids)
    # JSON: every field as before, plus labels
    as_json = runner.invoke(app, ["show", ids["flood-jetzt"], "--db", str(store["db"]), "--json"])
    view = json.loads(as_json.stdout)
    assert (view["id"], view["title"]) == (ids["flood-jetzt"], None)
    assert view["label"] == f"{JETZT_WORDS} · NachrichtenJetzt · 2025-01-09 07:31"
    main = view["main_source"]
    assert main["id"] == ids["flood-wire"] and main["label"] == f"{WIRE_WORDS} · {WIRE_META}"
    assert {"id", "title", "outlet", "published", "similarity", "shared_chars"} <= set(main)
    others = [o for p in view["passages"] for o in p["others"]]
    assert all(o["label"] and {"id", "title", "outlet", "published"} <= set(o) for o in others)


def test_stories_table_names_no_article_by_id(store: dict) -> None:
    result = runner.invoke(app, ["stories", "--db", str(store["db"])])
    assert result.exit_code == 0, result.output
    assert "Brackenfeld (nwa) – Nach tagelangem" in result.stdout  # the flood story's label
    never_named_by_id(result.stdout, store["ids"])


def test_compare_header_names_both_articles(store: dict, tmp_path: Path) -> None:
    records = {}
    for line in store["corpus"].read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        records[record["id"]] = record
    ids = store["ids"]
    a, b = tmp_path / "wire.jsonl", tmp_path / "kurier.json"
    a.write_text(json.dumps(records[ids["flood-wire"]], ensure_ascii=False), encoding="utf-8")
    b.write_text(json.dumps([records[ids["flood-kurier"]]], ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    head = result.stdout.split("Same story")[0]
    assert f"a  {WIRE_WORDS}" in head and f"b  {KURIER_TITLE}" in head
    assert f"{WIRE_META} · {a} · id {ids['flood-wire']} · " in head
    assert f"Ramsetal-Kurier · 2025-01-09 09:14 · {b} · id {ids['flood-kurier']}" in head
    never_named_by_id(head, ids)


def test_report_html_names_articles_with_ids_as_tooltips(store: dict) -> None:
    html = (store["out"] / "report.html").read_text(encoding="utf-8")
    ids = store["ids"]
    assert f'<span class="name" title="{ids["flood-jetzt"]}">{JETZT_WORDS}</span>' in html
    assert f'<span class="name" title="{ids["flood-wire"]}">{WIRE_WORDS}</span>' in html
    assert WIRE_META in html
    never_named_by_id(visible(html), ids)


def test_web_pages_name_articles_with_ids_in_links_and_tooltips(store: dict) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from wiretrace.web.app import create_app

    client = TestClient(create_app(store["db"], read_only=True), base_url="http://localhost")
    ids = store["ids"]
    wire, jetzt = ids["flood-wire"], ids["flood-jetzt"]
    link = f'<a href="/articles/{quote(wire, safe="")}" title="{wire}">{WIRE_WORDS}</a>'
    flood = client.get("/api/stories", params={"q": "Katastrophenfall"}).json()["items"][0]
    story = client.get(f"/stories/{flood['story_id']}").text
    assert link in story and WIRE_META in story  # earliest source
    assert f'title="{jetzt}">{JETZT_WORDS}</a>' in story  # the articles table
    article = client.get(f"/articles/{quote(jetzt, safe='')}").text
    assert f'<h1 title="{jetzt}">{JETZT_WORDS}</h1>' in article
    assert f"Main source: {link}" in article and f"({WIRE_META})" in article
    assert f'title="{ids["flood-kurier"]}">{KURIER_TITLE}</a>' in article  # also printed there
    assert f"/compare?a={quote(wire, safe='')}&amp;b={quote(jetzt, safe='')}" in article
    articles = client.get("/articles").text
    assert f'title="{jetzt}">{JETZT_WORDS}</a>' in articles and link in articles
    groups = client.get("/groups").text
    assert link in groups and WIRE_META in groups  # first printed by
    gid = client.get(f"/api/articles/{quote(jetzt, safe='')}").json()["passages"][0]["group"]
    group = client.get(f"/groups/{gid}").text
    assert link in group and f'title="{jetzt}">{JETZT_WORDS}</a>' in group
    compare = client.get("/compare", params={"a": wire, "b": jetzt}).text
    assert link in compare and f'title="{jetzt}">{JETZT_WORDS}</a>' in compare
    stories = client.get("/").text
    for html in (story, article, articles, groups, group, compare, stories):
        never_named_by_id(visible(html), ids)
    # the API keeps its fields
    api = client.get(f"/api/stories/{flood['story_id']}").json()
    assert api["earliest"]["id"] == wire and api["earliest"]["title"] is None
