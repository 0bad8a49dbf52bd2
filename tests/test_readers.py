"""Tests for wiretrace.io.readers: text, JSON lines and JSON article readers."""

from __future__ import annotations

import json
import pathlib
from pathlib import Path

import pytest

from wiretrace.errors import InputError
from wiretrace.io import readers
from wiretrace.io.readers import (
    load_corpus,
    read_articles,
    read_json_articles,
    read_jsonl_articles,
    read_text_article,
)
from wiretrace.model import Article

GERMAN = "Die Präsidenten trafen sich in Moskau. „Wir sind uns einig“, betonte Hollande.\n"


def write_jsonl(path: Path, *records: object) -> Path:
    """Write each record as one JSON line (strings are written verbatim)."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def collect(path: Path) -> tuple[list[Article], list[InputError]]:
    """Read ``path`` leniently; return (articles, errors)."""
    errors: list[InputError] = []
    articles = list(read_articles(path, on_error=errors.append))
    return articles, errors


def assert_error(err: InputError, path: Path, fragment: str, line: int | None = None) -> None:
    message = str(err)
    assert path.name in message
    assert fragment in err.reason, err.reason
    assert err.source == str(path)
    assert err.line == line
    if line is not None:
        assert f"{path.name}:{line}:" in message


# ---------------------------------------------------------------------------------- text files


def test_text_article_fields_and_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "dpa-moskau.txt"
    path.write_bytes(GERMAN.encode("utf-8"))
    article = read_text_article(path)
    assert article == Article(id="dpa-moskau", text=GERMAN, path=str(path))


def test_text_bom_removed_offsets_match_decoded_bytes(tmp_path: Path) -> None:
    body = "  Hollande\u00ad in Moskau\t\n\n"
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    article = read_text_article(path)
    assert article.text == body  # BOM gone, nothing else stripped (soft hyphen, spaces kept)
    assert article.text == path.read_bytes()[3:].decode("utf-8")
    start = article.text.index("Moskau")
    assert article.text[start : start + 6] == "Moskau"


def test_text_only_leading_bom_removed(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("x\ufeffy".encode())
    assert read_text_article(path).text == "x\ufeffy"


def test_text_crlf_preserved(tmp_path: Path) -> None:
    raw = "Zeile eins\r\nZeile zwei\r\nalt\rmac\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(raw.encode("utf-8"))
    article = read_text_article(path)
    assert article.text == raw
    assert len(article.text) == len(raw)


def test_text_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "no such file")


def test_text_directory(tmp_path: Path) -> None:
    path = tmp_path / "dir.txt"
    path.mkdir()
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "directory")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "empty file"), (b" \n\t\r\n", "only whitespace"), (b"\xef\xbb\xbf\n", "whitespace")],
)
def test_text_empty(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, fragment)


def test_text_binary_nul(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "NUL byte at byte offset 8")


def test_text_undecodable_names_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Präsident".encode("latin-1"))  # ä = 0xE4 at byte 2
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "not valid UTF-8 at byte offset 2")


def test_text_undecodable_offset_counts_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfab\xff")
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "byte offset 5")


def test_text_utf16_explained(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("Moskau".encode("utf-16"))
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "UTF-16")


def test_text_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 11)
    monkeypatch.setattr(readers, "MAX_ARTICLE_BYTES", 10)
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "too large (11 bytes")
    assert "MAX_ARTICLE_BYTES" in info.value.reason
    path.write_bytes(b"x" * 10)
    assert read_text_article(path).text == "x" * 10
    assert read_text_article(path, max_bytes=100).text == "x" * 10
    with pytest.raises(InputError):
        read_text_article(path, max_bytes=5)


def test_text_size_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 100)
    monkeypatch.setattr(readers, "MAX_ARTICLE_BYTES", 10)

    def no_open(self: Path, *args: object, **kwargs: object) -> object:
        raise AssertionError("oversized file was opened")

    monkeypatch.setattr(pathlib.Path, "open", no_open)
    with pytest.raises(InputError, match="too large"):
        read_text_article(path)


def test_text_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: the tests may run as root, where chmod 000 does not stop reading.
    path = tmp_path / "secret.txt"
    path.write_text("text", encoding="utf-8")
    real_open = pathlib.Path.open

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "open", denied)
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "permission denied")


# ---------------------------------------------------------------------------------- JSON lines


def test_jsonl_fields_and_defaults(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        {
            "id": "x1",
            "text": "Hollande\r\nin Moskau ",
            "title": "Treffen",
            "outlet": "dpa",
            "published": "2015-11-26T10:00:00Z",
            "url": "https://example.org/a",
            "lang": "de",
            "extra": [1, 2],
        },
        "",
        {"text": "zweite"},
        {"id": 42, "text": "dritte", "published": "2015-11-26"},
    )
    articles = list(read_jsonl_articles(path))
    assert articles == [
        Article(
            id="x1",
            text="Hollande\r\nin Moskau ",
            title="Treffen",
            outlet="dpa",
            published="2015-11-26T10:00:00Z",
            url="https://example.org/a",
            lang="de",
            path=str(path),
        ),
        Article(id="feed:3", text="zweite", path=str(path)),  # blank line 2 skipped, still counted
        Article(id="42", text="dritte", published="2015-11-26", path=str(path)),
    ]


def test_jsonl_streams_lazily(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "f.jsonl", {"text": "ok"}, "{broken")
    iterator = read_jsonl_articles(path)
    assert next(iterator).text == "ok"  # the bad line is not reached yet
    with pytest.raises(InputError):
        next(iterator)


def test_jsonl_bom_and_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "win.ndjson"
    path.write_bytes(b'\xef\xbb\xbf{"text": "a"}\r\n\r\n{"text": "b"}\r\n')
    articles = list(read_articles(path))
    assert [(a.id, a.text) for a in articles] == [("win:1", "a"), ("win:3", "b")]


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('{"text": "a",}', "malformed JSON"),
        ("[1, 2]", "expected a JSON object, got array"),
        ('"just a string"', "expected a JSON object, got string"),
        ('{"title": "no text"}', "missing required field 'text'"),
        ('{"text": null}', "missing required field 'text'"),
        ('{"text": ""}', "field 'text' is empty"),
        ('{"text": "  \\n"}', "field 'text' is empty"),
        ('{"text": 5}', "field 'text' must be a string, got number"),
        ('{"text": "a", "title": 3}', "field 'title' must be a string or null, got number"),
        ('{"text": "a", "lang": ["de"]}', "field 'lang' must be a string or null, got array"),
        ('{"text": "a", "id": true}', "field 'id' must be a string or an integer, got boolean"),
        ('{"text": "a", "id": 1.5}', "field 'id' must be a string or an integer, got number"),
        ('{"text": "a", "id": ""}', "field 'id' is an empty string"),
        ('{"text": "a", "published": "yesterday"}', "field 'published' is not an ISO 8601"),
        ('{"text": "a", "published": 2015}', "field 'published' must be a string"),
        ('{"text": "\\ud800"}', "unpaired surrogate"),
    ],
)
def test_jsonl_bad_line_strict(tmp_path: Path, line: str, fragment: str) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", {"text": "good"}, line)
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, fragment, line=2)


def test_jsonl_malformed_includes_json_message(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", '{"text": "a"')
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, "malformed JSON: Expecting ',' delimiter", line=1)


def test_jsonl_undecodable_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "Pr\xe4sident"}\n{"text": "also ok"}\n')
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, "not valid UTF-8 at byte offset 12", line=2)
    articles, errors = collect(path)
    assert [a.text for a in articles] == ["ok", "also ok"]
    assert [e.line for e in errors] == [2]


def test_jsonl_duplicate_id(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        {"id": "a", "text": "one"},
        {"id": "a", "text": "two"},
        {"id": "feed:1", "text": "collides with no one: line 1 had an explicit id"},
        {"text": "default id feed:4"},
        {"id": "feed:4", "text": "collides with the default id of line 4"},
    )
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, "duplicate id 'a' (first used on line 1)", line=2)
    articles, errors = collect(path)
    assert [a.text for a in articles] == [
        "one",
        "collides with no one: line 1 had an explicit id",
        "default id feed:4",
    ]
    assert [e.line for e in errors] == [2, 5]


def test_jsonl_lenient_collects_errors_and_yields_valid(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        {"text": "eins"},
        "not json",
        "[]",
        {"text": ""},
        "",
        {"text": "fünf", "id": 5},
        {"text": "x", "published": "26.11.2015"},
        {"text": "sieben"},
    )
    articles, errors = collect(path)
    assert [(a.id, a.text) for a in articles] == [
        ("mixed:1", "eins"),
        ("5", "fünf"),
        ("mixed:8", "sieben"),
    ]
    assert [e.line for e in errors] == [2, 3, 4, 7]
    assert all(str(e).startswith(f"{path}:{e.line}: ") for e in errors)


def test_jsonl_line_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_ARTICLE_BYTES", 30)
    path = write_jsonl(
        tmp_path / "long.jsonl", {"text": "short"}, {"text": "y" * 100}, {"text": "after"}
    )
    articles, errors = collect(path)
    assert [a.id for a in articles] == ["long:1", "long:3"]
    assert len(errors) == 1
    assert_error(errors[0], path, "longer than 30 bytes", line=2)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_jsonl_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, "empty file")


def test_jsonl_missing_file_raises_at_call(tmp_path: Path) -> None:
    path = tmp_path / "missing.jsonl"
    with pytest.raises(InputError) as info:
        read_jsonl_articles(path)  # no iteration needed
    assert_error(info.value, path, "no such file")
    articles, errors = collect(path)
    assert articles == []
    assert len(errors) == 1


def test_jsonl_directory(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.mkdir()
    with pytest.raises(InputError) as info:
        list(read_articles(path))
    assert_error(info.value, path, "directory")


# ---------------------------------------------------------------------------------- JSON files


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    records = [{"text": "a"}, {"id": 7, "text": "b", "outlet": "taz"}, {"text": "c"}]
    path.write_text(json.dumps(records), encoding="utf-8")
    articles = list(read_articles(path))
    assert [(a.id, a.text, a.outlet) for a in articles] == [
        ("batch:1", "a", None),
        ("7", "b", "taz"),
        ("batch:3", "c", None),
    ]
    assert all(a.path == str(path) for a in articles)


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"text": "solo", "lang": "de"}), encoding="utf-8")
    assert list(read_json_articles(path)) == [
        Article(id="one", text="solo", lang="de", path=str(path))
    ]


def test_json_array_bad_items(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    records = [{"text": "a"}, 3, {"text": "a", "id": "batch:1"}, {"title": "x"}, {"text": "e"}]
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_json_articles(path))
    assert_error(info.value, path, "item 2: expected a JSON object, got number")
    articles, errors = collect(path)
    assert [a.id for a in articles] == ["batch:1", "batch:5"]
    assert [e.reason.split(":")[0] for e in errors] == ["item 2", "item 3", "item 4"]
    assert "duplicate id 'batch:1' (first used on item 1)" in errors[1].reason


def test_json_malformed_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"text": "a"},\n  {"text": }\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_json_articles(path))
    assert_error(info.value, path, "malformed JSON: Expecting value", line=3)
    articles, errors = collect(path)
    assert articles == []
    assert len(errors) == 1


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty file"),
        (b"  \n", "only whitespace"),
        (b"[]", "empty JSON array"),
        (b'"text"', "expected a JSON array of objects or one object, got string"),
        (b"[\x00]", "NUL byte"),
        (b'[{"text": "\xff"}]', "not valid UTF-8 at byte offset 11"),
    ],
)
def test_json_file_errors(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        list(read_json_articles(path))
    assert_error(info.value, path, fragment)


def test_json_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf[{"text": "a\\r\\nb"}]')
    assert [a.text for a in read_json_articles(path)] == ["a\r\nb"]


def test_json_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"text": "z" * 50}]), encoding="utf-8")
    monkeypatch.setattr(readers, "MAX_JSON_BYTES", 20)
    with pytest.raises(InputError) as info:
        list(read_json_articles(path))
    assert_error(info.value, path, "too large")
    assert "MAX_JSON_BYTES" in info.value.reason


# ---------------------------------------------------------------------------------- dispatch


def test_read_articles_dispatch_by_suffix(tmp_path: Path) -> None:
    text = tmp_path / "story.md"
    text.write_text('{"text": "not parsed"}', encoding="utf-8")
    upper = write_jsonl(tmp_path / "feed.JSONL", {"text": "line"})
    assert [a.text for a in read_articles(text)] == ['{"text": "not parsed"}']
    assert [a.id for a in read_articles(upper)] == ["feed:1"]


def test_read_articles_text_lenient(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    articles, errors = collect(path)
    assert articles == []
    assert_error(errors[0], path, "empty file")


# ---------------------------------------------------------------------------------- corpus


def test_load_corpus_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", {"id": "a", "text": "1"}, {"id": "b", "text": "2"})
    corpus = load_corpus(path)
    assert list(corpus) == ["a", "b"]
    assert corpus["b"].text == "2"


def test_load_corpus_is_strict(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", {"text": "1"}, "oops")
    with pytest.raises(InputError) as info:
        load_corpus(path)
    assert_error(info.value, path, "malformed JSON", line=2)


def test_load_corpus_directory(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("bravo", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("ignored", encoding="utf-8")
    write_jsonl(tmp_path / "a.jsonl", {"id": "x", "text": "xray"})
    corpus = load_corpus(tmp_path)
    assert list(corpus) == ["x", "b"]


def test_load_corpus_duplicate_across_files(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("from text", encoding="utf-8")
    write_jsonl(tmp_path / "a.jsonl", {"id": "x", "text": "from lines"})
    with pytest.raises(InputError) as info:
        load_corpus(tmp_path)
    assert_error(info.value, tmp_path / "x.txt", "duplicate id 'x'")
    assert "a.jsonl" in info.value.reason


def test_load_corpus_empty_directory_and_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no article files"):
        load_corpus(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        load_corpus(tmp_path / "missing.jsonl")
