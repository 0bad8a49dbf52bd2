"""``wiretrace serve``'s app through FastAPI's TestClient: pages, the HTTP API, errors, limits,
read-only mode and escaping; plus the store's full-text index (schema 3)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402
from webstore import XSS_TEXT, XSS_TITLE, build_store, copy_store  # noqa: E402

from wiretrace.io.readers import load_corpus, read_text_article  # noqa: E402
from wiretrace.model import Article  # noqa: E402
from wiretrace.pipeline import analyze  # noqa: E402
from wiretrace.report.compare import compare, comparison_to_dict  # noqa: E402
from wiretrace.settings import Settings  # noqa: E402
from wiretrace.store.db import Store  # noqa: E402
from wiretrace.store.schema import SCHEMA_VERSION  # noqa: E402
from wiretrace.web.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# The app answers loopback names only (Host allow-list); TestClient would say "testserver".
LOCAL = "http://localhost"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db, read_only=True), base_url=LOCAL)


@pytest.fixture()
def writable(db: Path, tmp_path: Path) -> TestClient:
    return TestClient(
        create_app(copy_store(db, tmp_path / "w.db"), max_body=200_000), base_url=LOCAL
    )


# --- pages -------------------------------------------------------------------------------------


def test_stories_list_is_newest_first_with_filters(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "Ramse" in r.text and 'id="stories"' in r.text
    html = client.get("/", params={"lang": "en"}).text
    assert "flood" not in html.lower() or "Continental" in html  # English articles only
    api = client.get("/api/stories").json()
    lasts = [s["last_published"] for s in api["items"] if s["last_published"]]
    assert lasts == sorted(lasts, reverse=True)
    assert api["total"] == len(api["items"]) > 3


def test_story_filters_outlet_language_dates_and_search(client: TestClient) -> None:
    every = client.get("/api/stories").json()["total"]
    by_outlet = client.get("/api/stories", params={"outlet": "Ramsetal-Kurier"}).json()
    assert 0 < by_outlet["total"] < every
    assert all("Ramsetal-Kurier" in s["outlets"] for s in by_outlet["items"])
    english = client.get("/api/stories", params={"lang": "en"}).json()
    assert english["items"] and all("en" in s["languages"] for s in english["items"])
    found = client.get("/api/stories", params={"q": "Katastrophenfall"}).json()
    assert [s["articles"] for s in found["items"]] == [5]  # the flood story
    prefix = client.get("/api/stories", params={"q": "katastrophenf"}).json()
    assert prefix["total"] == 1
    assert client.get("/api/stories", params={"since": "2099-01-01"}).json()["total"] == 0
    assert client.get("/api/stories", params={"q": 'AND OR "*'}).status_code == 200


def test_story_page_shows_timeline_earliest_source_groups_and_originality(
    client: TestClient,
) -> None:
    flood = client.get("/api/stories", params={"q": "Katastrophenfall"}).json()["items"][0]
    story = client.get(f"/api/stories/{flood['story_id']}").json()
    assert story["earliest"]["id"] == "flood-wire"
    assert story["groups"] and all(g["in_story"] >= 2 for g in story["groups"])
    assert {p["outlet"] for p in story["timeline"]["points"]} == set(story["outlets"])
    html = client.get(f"/stories/{flood['story_id']}").text
    assert "<svg" in html and "Earliest source" in html and "flood-wire" in html
    assert "0.8%" in html  # flood-jetzt's originality


def test_article_page_highlights_every_reused_passage(client: TestClient) -> None:
    view = client.get("/api/articles/flood-jetzt").json()
    assert view["main_source"]["id"] == "flood-wire"
    assert view["passages"] and all(p["others"] for p in view["passages"])
    html = client.get("/articles/flood-jetzt").text
    for p in view["passages"]:
        assert f'href="#g{p["group"]}"' in html and f'id="g{p["group"]}"' in html
    assert "Added here" in html and "Cut from the source" in html
    assert "/compare?a=flood-wire&amp;b=flood-jetzt" in html


def test_compare_page_of_stored_articles_marks_passages_and_edits(client: TestClient) -> None:
    html = client.get("/compare", params={"a": "flood-wire", "b": "flood-jetzt"}).text
    assert 'data-passage="0"' in html and '<mark class="chg">' in html
    assert 'id="verdict"' in html and "same" in html


def test_compare_form_takes_two_pasted_texts(client: TestClient) -> None:
    a = (ROOT / "examples/pair/agency.txt").read_text(encoding="utf-8")
    b = (ROOT / "examples/pair/rewrite.txt").read_text(encoding="utf-8")
    r = client.post("/compare", data={"a_text": a, "b_text": b})
    assert r.status_code == 200 and 'data-passage="0"' in r.text
    assert client.post("/compare", data={"a_text": a, "b_text": " "}).status_code == 422


def test_unknown_pages_are_404_pages(client: TestClient) -> None:
    for url in ("/articles/no-such-id", "/stories/999", "/groups/999", "/nothing"):
        r = client.get(url)
        assert r.status_code == 404 and "<html" in r.text
    assert client.get("/compare", params={"a": "flood-wire", "b": "nope"}).status_code == 404


def test_ids_with_slashes_and_plus_signs_are_reachable(db: Path, tmp_path: Path) -> None:
    store = copy_store(db, tmp_path / "ids.db")
    app = TestClient(create_app(store), base_url=LOCAL)
    body = {"articles": [{"id": "2015/11/a+b=", "text": "Ein kurzer Text über den Deich. " * 5}]}
    assert app.post("/api/articles", json=body).status_code == 201
    assert app.get("/api/articles/2015%2F11%2Fa%2Bb%3D").json()["id"] == "2015/11/a+b="
    assert app.get("/articles/2015%2F11%2Fa%2Bb%3D").status_code == 200


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_paginate(client: TestClient) -> None:
    first = client.get("/api/articles", params={"limit": 5}).json()
    second = client.get("/api/articles", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == second["total"] == 13
    assert len(first["items"]) == 5 and first["limit"] == 5 and second["offset"] == 5
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    groups = client.get("/api/groups", params={"limit": 2}).json()
    assert len(groups["items"]) == 2 and groups["total"] >= 2
    one = client.get(f"/api/groups/{groups['items'][0]['group']}").json()
    assert one["members"] and one["text"]


def test_api_article_offsets_point_at_their_text(client: TestClient) -> None:
    view = client.get("/api/articles/flood-jetzt").json()
    text = view["text"]
    wire = client.get("/api/articles/flood-wire").json()["text"]
    for added in view["main_source"]["added"]:
        assert text[added["start"] : added["end"]] == added["text"]
    for cut in view["main_source"]["cut"]:
        assert wire[cut["start"] : cut["end"]] == cut["text"]


def test_api_compare_returns_the_compare_json(client: TestClient) -> None:
    a = read_text_article(ROOT / "examples/pair/agency.txt")
    b = read_text_article(ROOT / "examples/pair/rewrite.txt")
    r = client.post("/api/compare", json={"a": {"text": a.text, "id": "agency"}, "b": b.text})
    assert r.status_code == 200
    got = r.json()
    want = comparison_to_dict(compare(a, b))
    assert got["passages"] == want["passages"] and got["same_story"] == want["same_story"]
    assert got["a"]["id"] == "agency" and got["b"]["id"] == "b"


def test_api_compare_uses_embeddings_only_when_asked(client: TestClient) -> None:
    """Fast by default (the lexical score); ``"embeddings": true`` gives the score of
    ``wiretrace compare``, here for a German report and its English version (two languages:
    the embeddings decide)."""
    corpus = load_corpus(ROOT / "examples/corpus.jsonl")
    # As the API gets them: text and id only.
    de, en = (Article(x.id, x.text) for x in (corpus["flood-wire"], corpus["flood-en"]))
    body = {"a": {"text": de.text, "id": de.id}, "b": {"text": en.text, "id": en.id}}
    fast = client.post("/api/compare", json=body).json()["same_story"]
    lexical = Settings().with_overrides({"same_story": {"embeddings": False}})
    assert fast == comparison_to_dict(compare(de, en, lexical))["same_story"]
    assert "embedding_body" not in fast["features"]
    accurate = client.post("/api/compare", json={**body, "embeddings": True}).json()
    assert accurate["same_story"] == comparison_to_dict(compare(de, en))["same_story"]
    assert "embedding_body" in accurate["same_story"]["features"]


def test_api_errors_are_consistent_objects(client: TestClient) -> None:
    cases = [
        client.get("/api/articles/no-such-id"),
        client.get("/api/stories/999"),
        client.get("/api/groups/999"),
        client.get("/api/articles", params={"limit": 0}),
        client.post(
            "/api/compare", content=b"{not json", headers={"content-type": "application/json"}
        ),
        client.post("/api/compare", json={"a": "only one side"}),
    ]
    assert [r.status_code for r in cases] == [404, 404, 404, 422, 422, 422]
    for r in cases:
        error = r.json()["error"]
        assert set(error) == {"code", "message"} and error["message"]
    assert "malformed JSON" in cases[4].json()["error"]["message"]


def test_read_only_refuses_writes(client: TestClient) -> None:
    r = client.post("/api/articles", json={"articles": [{"id": "x", "text": "Ein Text."}]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "read_only"


def test_oversized_bodies_get_413(writable: TestClient) -> None:
    big = {"a": "x" * 300_000, "b": "y"}
    r = writable.post("/api/compare", json=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(4):
            yield b"x" * 100_000

    r = writable.post(
        "/api/compare", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


def test_added_articles_are_analysed_incrementally(writable: TestClient) -> None:
    wire = writable.get("/api/articles/flood-wire").json()["text"]
    body = {
        "articles": [
            {
                "id": "flood-copy",
                "text": "Eigener Vorspann. " + wire[:900],
                "outlet": "Testblatt",
                "published": "2025-01-10T08:00:00+01:00",
                "title": "Kopie",
            }
        ]
    }
    r = writable.post("/api/articles", json=body)
    assert r.status_code == 201 and r.json()["added"] == 1
    # The server runs with the store's own settings: nothing stored is redone.
    assert (r.json()["refingerprinted"], r.json()["realigned_for_rules"]) == (0, 0)
    view = writable.get("/api/articles/flood-copy").json()
    assert view["main_source"]["id"] in {"flood-wire", "flood-kurier", "flood-jetzt"}
    assert view["originality"] < 0.2
    again = writable.post("/api/articles", json=body).json()
    assert again["added"] == 0 and again["unchanged"] == 1
    found = writable.get("/api/articles", params={"q": "Kopie"}).json()
    assert [a["id"] for a in found["items"]] == ["flood-copy"]  # the FTS trigger indexed it
    # A correction: refused without "update", replaces the stored text with it; dates in any
    # known form are read as the file readers read them.
    body["articles"][0] |= {"text": "Eigener Vorspann, berichtigt. " + wire[:900],
                            "published": "Fri, 10 Jan 2025 08:30:00 +0100", "title": "Korrigiert"}
    refused = writable.post("/api/articles", json=body).json()
    assert refused["skipped"] == 1 and "--update" in refused["problems"][0]
    fixed = writable.post("/api/articles", json=body | {"update": True}).json()
    assert (fixed["replaced"], fixed["added"]) == (1, 1)
    view = writable.get("/api/articles/flood-copy").json()
    assert view["published"] == "2025-01-10T08:30:00+01:00"
    assert view["text"].startswith("Eigener Vorspann, berichtigt.")
    found = writable.get("/api/articles", params={"q": "Korrigiert"}).json()
    assert [a["id"] for a in found["items"]] == ["flood-copy"]
    assert writable.get("/api/articles", params={"q": "Kopie"}).json()["items"] == []


def test_titles_and_texts_are_escaped(writable: TestClient) -> None:
    # an untitled article is named by its first words, its id is a tooltip: both escaped too
    untitled = 'xss2"><i>'
    body = {
        "articles": [
            {"id": "xss", "title": XSS_TITLE, "text": XSS_TEXT},
            {"id": untitled, "text": XSS_TEXT + " Ein zweiter Text."},
        ]
    }
    assert writable.post("/api/articles", json=body).status_code == 201
    quoted = "xss2%22%3E%3Ci%3E"
    for url in (
        "/articles/xss",
        f"/articles/{quoted}",
        "/articles",
        "/compare?a=xss&b=flood-wire",
        f"/compare?a={quoted}&b=xss",
    ):
        html = writable.get(url).text
        assert "<script>window" not in html and "<img src" not in html
        assert "&lt;script&gt;" in html
        assert untitled not in html
    assert 'title="xss2&#34;&gt;&lt;i&gt;"' in writable.get("/articles").text


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/articles", "/api/stories", "/api/groups", "/api/compare"):
        assert path in paths
    assert "post" in paths["/api/articles"]


def test_no_endpoint_serves_files(client: TestClient) -> None:
    for url in ("/../../etc/passwd", "/static/../../etc/passwd", "/articles/../../etc/passwd"):
        r = client.get(url)
        assert "root:" not in r.text


# --- store schema 3: the full-text index ------------------------------------------------------


def test_migration_3_backfills_the_index_of_an_older_store(db: Path, tmp_path: Path) -> None:
    old = copy_store(db, tmp_path / "old.db")
    conn = sqlite3.connect(old)
    conn.executescript(
        "DROP TABLE articles_fts; DROP TABLE candidate_state;"
        " DROP TABLE boilerplate_spans;"
        " ALTER TABLE articles DROP COLUMN author; ALTER TABLE articles DROP COLUMN teaser_only;"
        " ALTER TABLE articles DROP COLUMN image_credits;"
        " ALTER TABLE runs DROP COLUMN removed; ALTER TABLE runs DROP COLUMN replaced;"
        " UPDATE meta SET value = '2' WHERE key = 'schema_version';"
    )
    conn.close()
    Store.open(old).close()  # upgrades
    conn = sqlite3.connect(old)
    (n,) = conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Katastrophenfall'"
    ).fetchone()
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert n >= 1 and version == (str(SCHEMA_VERSION),)
    conn.close()
    # Version 5 indexes new articles without the version-3 trigger, each once.
    late = Article(id="late", text="Der Zwergbiber Ottokar ist zurück im Gehege. " * 4)
    analyze([late], str(old), jobs=1)
    conn = sqlite3.connect(old)
    found = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Ottokar'")
    (aid,) = conn.execute("SELECT aid FROM articles WHERE id = 'late'").fetchone()
    assert found.fetchall() == [(aid,)]
    conn.close()


def test_the_outlets_page_draws_shares_and_flow_without_trusting_names(writable: TestClient) -> None:
    page = writable.get("/outlets")
    assert page.status_code == 200
    assert page.text.count("<svg") == 2 and "NachrichtenJetzt" in page.text
    assert 'href="/outlets"' in writable.get("/").text
    hostile = '<script>document.title="PWNED"</script>'
    body = {"articles": [{"id": "evil", "text": "Ein Text über gar nichts Besonderes hier.", "outlet": hostile}]}
    assert writable.post("/api/articles", json=body).status_code == 201
    page = writable.get("/outlets").text
    assert hostile not in page and "&lt;script&gt;" in page


def test_the_story_page_draws_the_flow_of_text(client: TestClient) -> None:
    stories = client.get("/api/stories", params={"limit": 50}).json()["items"]
    flood = next(s for s in stories if "flood-wire" in json.dumps(client.get(f"/api/stories/{s['story_id']}").json()))
    story = client.get(f"/api/stories/{flood['story_id']}").json()
    assert {f["to"] for f in story["flow"] if f["from"] == "flood-wire"} >= {"flood-jetzt", "flood-kurier"}
    page = client.get(f"/stories/{flood['story_id']}").text
    assert page.count('class="flow"') == len(story["flow"]) and "took" in page


def test_the_compare_page_says_who_took_the_text_from_whom(client: TestClient) -> None:
    page = client.get("/compare", params={"a": "flood-wire", "b": "flood-jetzt"}).text
    assert 'id="relation"' in page and "b took the text from a" in page
