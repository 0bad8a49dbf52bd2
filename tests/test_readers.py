"""Tests for wiretrace.io.readers: text, JSON lines and JSON article readers."""

from __future__ import annotations

import json
import pathlib
from pathlib import Path

import pytest

from wiretrace.errors import InputError
from wiretrace.io import readers
from wiretrace.io.fields import FieldNames, InputWarning, ReadOptions
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
    assert_error(info.value, path, "binary content (a PNG image)")


def test_text_mostly_control_bytes_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(b"Hollande" + b"\x00\x01\x02" * 40)
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "binary content (120 control characters")


def test_text_stray_control_bytes_removed_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(b"Hollande\x00 traf Putin\x0c in Moskau.\r\nZweite Zeile.")
    warnings: list[InputWarning] = []
    article = read_text_article(path, options=ReadOptions(on_warning=warnings.append))
    assert article.text == "Hollande traf Putin in Moskau.\r\nZweite Zeile."
    assert [(w.kind, w.reason) for w in warnings] == [
        ("control", "2 control character(s) removed from the text")
    ]


def test_text_windows_1252_is_detected_and_said(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text = "Der Präsident sagte: „Wir müssen die Straße sperren.“"
    path.write_bytes(text.encode("cp1252"))
    warnings: list[InputWarning] = []
    article = read_text_article(path, options=ReadOptions(on_warning=warnings.append))
    assert article.text == text
    assert [w.reason for w in warnings] == ["decoded as cp1252 (detected; --encoding forces one)"]


def test_text_forced_encoding(tmp_path: Path) -> None:
    path = tmp_path / "greek.txt"
    path.write_bytes("Αθήνα".encode("iso8859-7"))
    article = read_text_article(path, options=ReadOptions(encoding="iso8859-7"))
    assert article.text == "Αθήνα"
    with pytest.raises(InputError) as info:
        read_text_article(path, options=ReadOptions(encoding="no-such-codec"))
    assert_error(info.value, path, "unknown encoding 'no-such-codec'")


def test_text_over_max_chars_is_cut_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Wort " * 50, encoding="utf-8")
    warnings: list[InputWarning] = []
    options = ReadOptions(max_chars=42, on_warning=warnings.append)
    article = read_text_article(path, options=options)
    assert article.text == ("Wort " * 50)[:42]
    assert [w.kind for w in warnings] == ["cut"]
    assert "cut at 42" in warnings[0].reason


def test_text_undecodable_offset_counts_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfab\xff")
    with pytest.raises(InputError) as info:
        read_text_article(path)
    assert_error(info.value, path, "not valid UTF-8 at byte offset 5")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_text_utf16_and_utf32_are_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "u16.txt"
    text = "Hollande traf Putin in Moskau, die Gespräche dauerten Stunden."
    path.write_bytes(text.encode(encoding))
    assert read_text_article(path, options=ReadOptions(on_warning=lambda w: None)).text == text


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
        ('{"title": "no text"}', "no text field (looked for text, body, content"),
        ('{"title": "t", "note": 1}', "fields found: 'title', 'note'"),
        ('{"text": null}', "field 'text' (text) is empty"),
        ('{"text": ""}', "field 'text' (text) is empty"),
        ('{"text": "  \\n"}', "field 'text' (text) is empty"),
        ('{"body": "  "}', "field 'body' (text) is empty"),
        ('{"text": 5}', "field 'text' (text) must be a string, got number"),
        ('{"text": "a", "id": true}', "field 'id' (id) must be a string or an integer, got boolean"),
        ('{"text": "a", "id": 1.5}', "field 'id' (id) must be a string or an integer, got number"),
        ('{"text": "a", "id": ""}', "field 'id' (id) is empty"),
        ('{"text": "a", "id": "x\\u0000y"}', "field 'id' (id) contains control characters"),
        ('{"text": "\\ud800"}', "has no readable characters"),
    ],
)
def test_jsonl_bad_line_strict(tmp_path: Path, line: str, fragment: str) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", {"text": "good"}, line)
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, fragment, line=2)


@pytest.mark.parametrize(
    ("line", "kind", "fragment", "expected"),
    [
        ('{"text": "a", "title": 3}', "field", "field 'title' (title) must be a string", {}),
        ('{"text": "a", "lang": {"x": 1}}', "field", "field 'lang' (lang) must be a string", {}),
        ('{"text": "a", "published": "yesterday"}', "date", "cannot read date 'yesterday'", {}),
        ('{"text": "a", "published": 2015}', "date", "cannot read date 2015", {}),
        ('{"text": "a\\u0000b"}', "control", "1 control character(s) removed", {"text": "ab"}),
    ],
)
def test_jsonl_unreadable_optional_field_never_costs_the_article(
    tmp_path: Path, line: str, kind: str, fragment: str, expected: dict[str, str]
) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", {"text": "good"}, line)
    warnings: list[InputWarning] = []
    articles = list(read_jsonl_articles(path, options=ReadOptions(on_warning=warnings.append)))
    assert [a.id for a in articles] == ["feed:1", "feed:2"]
    assert [(w.kind, w.line) for w in warnings] == [(kind, 2)]
    assert fragment in warnings[0].reason
    assert warnings[0].reason.endswith(("left empty", "stored undated", "from the text"))
    for field, value in expected.items():
        assert getattr(articles[1], field) == value


def test_jsonl_field_aliases_and_dates(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        {"guid": "g1", "body": "Text eins", "headline": "Eins", "source": {"name": "Kurier"},
         "pubDate": "Tue, 14 May 2024 06:10:00 +0200", "link": "https://example.org/1",
         "language": "de-DE", "byline": "Anna Berg"},
        {"content": "Text zwei", "publisher": "Welle", "datePublished": "26. November 2015"},
        {"maintext": "Text drei", "timestamp": 1715666400000, "source_domain": "example.org"},
    )
    fields: list[tuple[str, dict[str, str]]] = []
    options = ReadOptions(on_fields=lambda source, m: fields.append((source, m)))
    got = [
        (a.id, a.text, a.title, a.outlet, a.published, a.url, a.lang, a.author)
        for a in read_jsonl_articles(path, options=options)
    ]
    assert got == [
        ("g1", "Text eins", "Eins", "Kurier", "2024-05-14T06:10:00+02:00",
         "https://example.org/1", "de", "Anna Berg"),
        ("feed:2", "Text zwei", None, "Welle", "2015-11-26", None, None, None),
        ("feed:3", "Text drei", None, "example.org", "2024-05-14T06:00:00+00:00", None, None, None),
    ]  # fmt: skip
    assert fields[0][1]["text"] == "body" and fields[0][1]["published"] == "pubDate"


def test_jsonl_explicit_field_names(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", {"Inhalt": "Text", "text": "not this"})
    options = ReadOptions(fields=FieldNames(text="inhalt"))
    assert [a.text for a in read_jsonl_articles(path, options=options)] == ["Text"]
    path = write_jsonl(tmp_path / "other.jsonl", {"text": "Text"})
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path, options=options))
    assert_error(info.value, path, "field 'inhalt' (given for text) not found", line=1)


def test_jsonl_utf16_lines(tmp_path: Path) -> None:
    path = tmp_path / "win.jsonl"
    path.write_bytes('{"text": "Grüße aus Moskau"}\r\n{"text": "Zweite"}\r\n'.encode("utf-16"))
    assert [a.text for a in read_jsonl_articles(path)] == ["Grüße aus Moskau", "Zweite"]


def test_json_object_holding_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "newsapi.json"
    path.write_text(json.dumps({"status": "ok", "articles": [
        {"source": {"id": None, "name": "Kurier"}, "title": "T", "content": "Text",
         "publishedAt": "2024-05-14T06:10:00Z"},
    ]}), encoding="utf-8")  # fmt: skip
    [article] = read_json_articles(path)
    assert (article.id, article.outlet, article.published) == (
        "newsapi:1", "Kurier", "2024-05-14T06:10:00Z"
    )


def test_jsonl_malformed_includes_json_message(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", '{"text": "a"')
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, "malformed JSON: Expecting ',' delimiter", line=1)


def test_jsonl_undecodable_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    # Mostly UTF-8 ("Grüße", "Tschüss"), one line in Latin-1: that line is the error, the
    # others are not garbled by reading the whole file as Windows-1252.
    path.write_bytes(
        '{"text": "Grüße"}\n'.encode() + b'{"text": "Pr\xe4sident"}\n'
        + '{"text": "Tschüss"}\n'.encode()
    )
    with pytest.raises(InputError) as info:
        list(read_jsonl_articles(path))
    assert_error(info.value, path, "not valid utf-8 at byte 12 of the line", line=2)
    articles, errors = collect(path)
    assert [a.text for a in articles] == ["Grüße", "Tschüss"]
    assert [e.line for e in errors] == [2]


def test_jsonl_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "Pr\xe4sident"}\n')
    warnings: list[InputWarning] = []
    options = ReadOptions(on_warning=warnings.append)
    assert [a.text for a in read_jsonl_articles(path, options=options)] == ["ok", "Präsident"]
    assert [w.kind for w in warnings] == ["encoding"]


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
        ("mixed:7", "x"),
        ("mixed:8", "sieben"),
    ]
    assert articles[2].published == "2015-11-26"
    assert [e.line for e in errors] == [2, 3, 4]
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
        (b"[\x00]", "empty JSON array"),
        ('[{"text": "Grüße '.encode() + b'\xff"}]', "not valid UTF-8 at byte offset 19"),
        (b"\x89PNG\r\n\x1a\n", "binary content (a PNG image)"),
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
