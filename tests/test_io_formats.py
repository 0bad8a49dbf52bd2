"""CSV, HTML and WARC readers and input discovery (wiretrace.io).

Every fixture is built here, in tmp_path, from tiny fictional content: HTML pages written by
hand, WARC files written with warcio's WARCWriter (then truncated or damaged on purpose).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from wiretrace.errors import InputError
from wiretrace.io import csv_reader, discover, readers
from wiretrace.io.csv_reader import CsvColumns, read_csv_articles
from wiretrace.io.discover import InputStats, input_format, iter_input_articles
from wiretrace.io.fields import InputWarning, ReadOptions
from wiretrace.io.html_reader import NO_MAIN_TEXT, read_html_article
from wiretrace.io.warc_reader import read_warc_articles

# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading files must never touch the network (trafilatura has fetch functions)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


class Errors(list):
    """Lenient on_error callback that records every error."""

    def __call__(self, error: InputError) -> None:
        assert isinstance(error, InputError)
        self.append(error)

    @property
    def messages(self) -> list[str]:
        return [str(e) for e in self]


PARAGRAPHS = [
    "Nach tagelangem Regen hat der Fluss Brack weite Teile der Brackenfelder Altstadt unter "
    "Wasser gesetzt. Die Feuerwehr war mit mehr als 200 Einsatzkräften vor Ort.",
    "„Wir haben so etwas seit Jahrzehnten nicht erlebt“, sagte Bürgermeisterin Ilse Kammerer "
    "am Donnerstag. Mehrere Straßen wurden gesperrt, die Schulen bleiben bis Montag zu.",
    "Der Wetterdienst erwartet für das Wochenende weiteren Regen. Anwohner sollen Keller räumen "
    "und Sandsäcke bereithalten.",
]


def page(
    title: str = "Hochwasser in Brackenfeld",
    paragraphs: list[str] = PARAGRAPHS,
    *,
    published: str | None = "2015-11-26T14:03:00+01:00",
    site: str | None = "Brackenfelder Bote",
    lang: str | None = "de-DE",
) -> bytes:
    """A small news page: navigation, one article, footer."""
    meta = [f'<meta property="og:title" content="{title}">']
    if site:
        meta.append(f'<meta property="og:site_name" content="{site}">')
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    lang_attr = f' lang="{lang}"' if lang else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html>\n<html{lang_attr}>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{title} | {site or 'Startseite'}</title>\n" + "\n".join(meta) + "\n</head>\n"
        "<body>\n<nav><a href='/'>Start</a> <a href='/lokales'>Lokales</a></nav>\n"
        f"<article>\n<h1>{title}</h1>\n{body}\n</article>\n"
        "<footer>Impressum · Datenschutz</footer>\n</body>\n</html>\n"
    ).encode()


EMPTY_PAGE = b"<!DOCTYPE html><html><head><title>Leer</title></head><body></body></html>"


def trafilatura_text(data: bytes) -> str:
    """What trafilatura itself extracts with the reader's settings (for the offsets rule)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        trafilatura.load_html(data),
        favor_precision=True,
        include_comments=False,
        with_metadata=True,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    return doc.text


# WARC building ------------------------------------------------------------------------------

WARC_DATE = "2015-11-27T08:00:00Z"


def response(
    uri: str,
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    headers: list[tuple[str, str]] | None = None,
    rec_type: str = "response",
) -> dict:
    return {
        "uri": uri,
        "body": body,
        "status": status,
        "content_type": content_type,
        "headers": headers or [],
        "rec_type": rec_type,
    }


def write_warc(path: Path, records: list[dict], *, compress: bool) -> list[int]:
    """Write a warcinfo record then ``records``; return every record's start offset."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=compress)
    offsets = [buf.tell()]
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "wiretrace-tests"}))
    for r in records:
        offsets.append(buf.tell())
        if r["rec_type"] == "request":
            http = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "bote.example")], is_http_request=True
            )
        else:
            http = StatusAndHeaders(
                r["status"],
                [("Content-Type", r["content_type"]), *r["headers"]],
                protocol="HTTP/1.1",
            )
        rec = writer.create_warc_record(
            r["uri"],
            r["rec_type"],
            payload=io.BytesIO(r["body"]),
            http_headers=http,
            warc_headers_dict={"WARC-Date": WARC_DATE},
        )
        writer.write_record(rec)
    path.write_bytes(buf.getvalue())
    return offsets


def crawl_records() -> list[dict]:
    """Record 1 is the warcinfo; these are records 2..9."""
    return [
        response("https://bote.example/", b"", rec_type="request"),  # 2 request: ignored
        response("https://bote.example/flut.html", page()),  # 3 article
        response(  # 4 article without a date in the page: the crawl day
            "https://www.kurier.example/brack.html",
            page("Brack über die Ufer", PARAGRAPHS[1:], published=None, site=None),
        ),
        response("https://bote.example/fehlt.html", page(), status="404 Not Found"),  # 5
        response("https://bote.example/logo.png", b"\x89PNG\r\n", content_type="image/png"),  # 6
        response("https://bote.example/leer.html", EMPTY_PAGE),  # 7 no main text: error
        response("https://bote.example/flut.html", page("Zweiter Abruf")),  # 8 duplicate URI
        response(
            "https://bote.example/wetter.html", page("Wetter", PARAGRAPHS[2:], site="Bote")
        ),  # 9
    ]


# --------------------------------------------------------------------------------------------
# HTML


def test_html_file_main_text_and_metadata(tmp_path: Path) -> None:
    data = page()
    p = tmp_path / "flut.html"
    p.write_bytes(data)
    a = read_html_article(p)
    assert a.id == "flut"
    assert a.path == str(p)
    assert a.text == trafilatura_text(data)  # exactly the extracted string, nothing stripped
    for paragraph in PARAGRAPHS:
        assert paragraph in a.text
    assert "Impressum" not in a.text and "Lokales" not in a.text
    assert a.title == "Hochwasser in Brackenfeld"
    assert a.outlet == "Brackenfelder Bote"
    assert a.published == "2015-11-26T14:03:00+01:00"  # the page's time and zone are kept
    assert a.lang == "de"
    assert a.url is None


def test_html_bytes_with_url_outlet_from_hostname(tmp_path: Path) -> None:
    data = page(site=None, published=None, lang=None)
    a = read_html_article(data, url="https://www.kurier.example/lokales/flut.html")
    assert a.id == "https://www.kurier.example/lokales/flut.html"
    assert a.url == "https://www.kurier.example/lokales/flut.html"
    assert a.outlet == "kurier.example"
    assert a.published is None
    assert a.lang is None
    assert a.path is None
    b = read_html_article(data, source="mem.html", article_id="x1")
    assert (b.id, b.text) == ("x1", a.text)


def test_html_date_from_url_but_not_from_body_text() -> None:
    text = ["Am 26. November 2015 trat die Brack über die Ufer. " + PARAGRAPHS[0], PARAGRAPHS[1]]
    data = page(paragraphs=text, published=None)
    assert read_html_article(data).published is None  # a date in the prose is no pub date
    dated = read_html_article(data, url="https://bote.example/2015/11/27/flut.html")
    assert dated.published == "2015-11-27"


@pytest.mark.parametrize(
    "data",
    [
        EMPTY_PAGE,
        b"",
        b"<html><head><title>Nur Skript</title></head><body><script>var a = 1;</script></body></html>",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00binary",
    ],
)
def test_html_without_main_text_is_an_input_error(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        read_html_article(data, source="leer.html")
    assert info.value.source == "leer.html"
    assert info.value.reason == NO_MAIN_TEXT


def test_html_extractor_failure_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "bare_extraction", explode)
    with pytest.raises(InputError) as info:
        read_html_article(page(), source="tief.html")
    assert str(info.value) == (
        "tief.html: cannot extract the HTML page (RecursionError: maximum recursion depth exceeded)"
    )


def test_html_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_html_article(tmp_path / "fehlt.html")
    empty = tmp_path / "leer.html"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        read_html_article(empty)
    big = tmp_path / "gross.html"
    big.write_bytes(page())
    monkeypatch.setattr(readers, "MAX_ARTICLE_BYTES", 100)
    with pytest.raises(InputError, match="too large"):
        read_html_article(big)


def test_heavy_libraries_are_imported_lazily() -> None:
    code = (
        "import sys, wiretrace.io.discover, wiretrace.io.html_reader, wiretrace.io.warc_reader\n"
        "heavy = [m for m in ('trafilatura', 'warcio', 'lxml', 'htmldate') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------------------
# CSV


def write_csv(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_csv_semicolons_bom_aliases_and_exact_text(tmp_path: Path) -> None:
    p = write_csv(
        tmp_path / "bote.csv",
        "ID;Title;Body;Date;Outlet\r\n"
        '1;Flut;"  Text mit ""Zitat"";\r\nund zweiter Zeile  ";2015-11-26;Bote\r\n'
        "\r\n"
        ";Wetter;   Regen kommt.;2015-11-27T10:00:00Z;\r\n",
        bom=True,
    )
    errors = Errors()
    articles = list(read_csv_articles(p, errors))
    assert errors == []
    assert [a.id for a in articles] == ["1", "bote:2"]  # default id: stem and data row number
    first, second = articles
    assert first.text == '  Text mit "Zitat";\r\nund zweiter Zeile  '  # nothing stripped
    assert (first.title, first.published, first.outlet) == ("Flut", "2015-11-26", "Bote")
    assert second.text == "   Regen kommt."
    assert (second.published, second.outlet) == ("2015-11-27T10:00:00Z", None)
    assert first.path == str(p)


def test_csv_comma_sniffed_despite_semicolons_in_quotes_and_tsv(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "a.csv", 'text,"id;x"\n"eins; zwei",7\n')
    assert [(a.id, a.text) for a in read_csv_articles(p)] == [("a:1", "eins; zwei")]
    t = write_csv(tmp_path / "b.tsv", "content\tid\nHallo, Welt; ja\tb1\n")
    assert [(a.id, a.text) for a in read_csv_articles(t)] == [("b1", "Hallo, Welt; ja")]


def test_csv_explicit_columns(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "m.csv", "nr,haupttext,datum,quelle\n5,Der Text.,2015-11-26,Bote\n")
    cols = CsvColumns(id="NR", text="haupttext", published="datum", outlet="quelle")
    [a] = read_csv_articles(p, columns=cols)
    assert (a.id, a.text, a.published, a.outlet) == ("5", "Der Text.", "2015-11-26", "Bote")
    with pytest.raises(InputError, match=r"column 'titel' \(given for title\) not found"):
        list(read_csv_articles(p, columns=CsvColumns(text="haupttext", title="titel")))


def test_csv_without_text_column_is_one_error_naming_the_columns(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "ohne.csv", "id;titel;datum\n1;a;2015-11-26\n2;b;2015-11-27\n")
    with pytest.raises(InputError) as info:
        list(read_csv_articles(p))
    assert info.value.source == str(p)
    assert "no text column" in info.value.reason
    assert "'id', 'titel', 'datum'" in info.value.reason
    errors = Errors()
    assert list(read_csv_articles(p, errors)) == []
    assert len(errors) == 1 and "no text column" in errors[0].reason


def test_csv_bad_rows_are_reported_with_their_start_line(tmp_path: Path) -> None:
    content = (
        b"id,text,published\n"  # line 1
        b'1,"gut,\nzwei Zeilen",2015-11-26\n'  # lines 2-3
        b"2,,2015-11-26\n"  # line 4: empty text
        b"3,kurz\n"  # line 5: wrong field count
        b'4,"noch\neine\nZeile",gestern\n'  # lines 6-8: a date nobody can read
        b"5,kaputt \xff text,\n"  # line 9: invalid UTF-8
        b"1,doppelt,\n"  # line 10: duplicate id
        b"6,Gr\xc3\xbc\xc3\x9fe,\n"  # line 11: UTF-8 ("Grüße"), so line 9 is the odd one
        b'7,"offen,2015\n'  # line 12: quote never closed
    )
    p = tmp_path / "rows.csv"
    p.write_bytes(content)
    errors = Errors()
    warnings: list[InputWarning] = []
    options = ReadOptions(on_warning=warnings.append)
    articles = list(read_csv_articles(p, errors, options=options))
    assert [a.id for a in articles] == ["1", "4", "6"]
    assert articles[0].text == "gut,\nzwei Zeilen"
    assert articles[1].published is None  # the date cannot be read: stored undated
    assert [(w.line, w.kind) for w in warnings] == [(6, "date")]
    assert "cannot read date 'gestern'; stored undated" in warnings[0].reason
    assert [(e.line, e.source) for e in errors] == [(n, str(p)) for n in (4, 5, 9, 10, 12)]
    reasons = [e.reason for e in errors]
    assert "'text'" in reasons[0] and "empty" in reasons[0]
    assert reasons[1] == "row has 2 fields, the header has 3"
    assert "not valid utf-8" in reasons[2]
    assert "duplicate id '1'" in reasons[3] and "line 2" in reasons[3]
    assert "still open at the end of the file" in reasons[4]
    with pytest.raises(InputError) as info:  # strict: the first bad row raises
        list(read_csv_articles(p))
    assert info.value.line == 4


def test_csv_huge_field(tmp_path: Path) -> None:
    text = "Wort " * 100_000  # 500,000 characters: beyond csv's default field size limit
    p = write_csv(tmp_path / "gross.csv", f'id,text\n1,"{text}"\n')
    [a] = read_csv_articles(p)
    assert a.text == text


def test_csv_overlong_line_is_a_row_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write_csv(tmp_path / "lang.csv", "id,text\n1," + "x" * 500 + "\n2,kurz\n")
    monkeypatch.setattr(readers, "MAX_ARTICLE_BYTES", 100)
    errors = Errors()
    assert [a.id for a in read_csv_articles(p, errors)] == ["2"]
    assert [(e.line, e.reason) for e in errors] == [
        (2, "line is longer than 100 bytes (see MAX_ARTICLE_BYTES)")
    ]


def test_csv_file_level_errors(tmp_path: Path) -> None:
    cases = {
        "empty.csv": (b"", "empty file"),
        "blank.csv": (b"\n\n", "no CSV header"),
        "header.csv": (b"id,text\n", "no data rows"),
        "binary.csv": (b"text\n" + bytes(range(32)) * 10 + b"\n", "binary content"),
        "zipped.csv": (b"PK\x03\x04text\n", "binary content (a ZIP archive"),
    }
    for name, (data, reason) in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        errors = Errors()
        assert list(read_csv_articles(p, errors)) == []
        assert len(errors) == 1 and reason in errors[0].reason, (name, errors.messages)
    errors = Errors()
    assert list(read_csv_articles(tmp_path / "missing.csv", errors)) == []
    assert errors[0].reason == "no such file"


@pytest.mark.parametrize(
    ("encoding", "expected_warnings"), [("utf-16", []), ("utf-8-sig", []), ("cp1252", ["encoding"])]
)
def test_csv_encodings(tmp_path: Path, encoding: str, expected_warnings: list[str]) -> None:
    # German Excel writes ";" and Windows-1252; other tools UTF-16 or UTF-8 with a BOM.
    content = "Überschrift;Text;Datum\r\nFlut;Die Ramse trat über die Ufer.;26.11.2015\r\n"
    p = tmp_path / "excel.csv"
    p.write_bytes(content.replace("Überschrift", "Headline").encode(encoding))
    warnings: list[InputWarning] = []
    [a] = read_csv_articles(p, options=ReadOptions(on_warning=warnings.append))
    assert (a.title, a.text, a.published) == ("Flut", "Die Ramse trat über die Ufer.", "2015-11-26")
    assert [w.kind for w in warnings] == expected_warnings


def test_csv_field_size_limit_is_only_raised() -> None:
    import csv

    before = csv.field_size_limit()
    csv_reader._raise_field_size_limit()
    assert csv.field_size_limit() >= max(before, readers.MAX_ARTICLE_BYTES)


# --------------------------------------------------------------------------------------------
# WARC


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_warc_html_responses_become_articles(
    tmp_path: Path, compress: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    offsets = write_warc(p, crawl_records(), compress=compress)
    errors = Errors()
    articles = list(read_warc_articles(p, errors))
    assert [a.id for a in articles] == [
        "https://bote.example/flut.html",
        "https://www.kurier.example/brack.html",
        "https://bote.example/wetter.html",
    ]
    flut, brack, wetter = articles
    assert flut.url == flut.id and flut.path == str(p)
    assert flut.text == trafilatura_text(page())
    assert (flut.title, flut.outlet, flut.published) == (
        "Hochwasser in Brackenfeld",
        "Brackenfelder Bote",
        "2015-11-26T14:03:00+01:00",
    )
    assert brack.published.startswith("2015-11-27T")  # no date in the page: the WARC-Date
    assert brack.outlet == "kurier.example"
    assert wetter.outlet == "Bote"
    assert [m.split(": ", 1)[1] for m in errors.messages] == [
        f"record 7 at byte offset {offsets[6]} (https://bote.example/leer.html): {NO_MAIN_TEXT}",
        f"record 8 at byte offset {offsets[7]} (https://bote.example/flut.html): "
        "duplicate id 'https://bote.example/flut.html' (first used on record 3)",
    ]
    assert capsys.readouterr().err == ""  # warcio's complaints never reach stderr
    with pytest.raises(InputError, match="record 7"):
        list(read_warc_articles(p))  # strict


def test_warc_truncated_gzip_is_reported_once_and_ends_the_file(tmp_path: Path) -> None:
    full = tmp_path / "full.warc.gz"
    offsets = write_warc(full, crawl_records(), compress=True)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(full.read_bytes()[: offsets[3] + 200])  # inside record 4's member
    errors = Errors()
    articles = list(read_warc_articles(cut, errors))
    assert [a.id for a in articles] == ["https://bote.example/flut.html"]
    assert len(errors) == 1
    assert errors[0].reason.startswith(f"record 4 at byte offset {offsets[3]}: ")
    assert "truncated" in errors[0].reason


def test_warc_truncated_plain_file(tmp_path: Path) -> None:
    full = tmp_path / "full.warc"
    offsets = write_warc(full, crawl_records()[:3], compress=False)
    cut = tmp_path / "cut.warc"
    cut.write_bytes(full.read_bytes()[: offsets[3] + 600])  # inside record 4's body
    errors = Errors()
    articles = list(read_warc_articles(cut, errors))
    assert [a.id for a in articles] == ["https://bote.example/flut.html"]
    assert len(errors) == 1 and "record 4" in errors[0].reason
    assert "truncated" in errors[0].reason


def test_warc_corrupt_gzip_member_is_skipped(tmp_path: Path) -> None:
    p = tmp_path / "damaged.warc.gz"
    offsets = write_warc(p, crawl_records(), compress=True)
    data = bytearray(p.read_bytes())
    for i in range(offsets[2] + 30, offsets[2] + 60):  # inside record 3's compressed data
        data[i] ^= 0x5A
    p.write_bytes(bytes(data))
    errors = Errors()
    articles = list(read_warc_articles(p, errors))
    # record 3 is lost, reading resumes with record 4
    assert [a.id for a in articles] == [
        "https://www.kurier.example/brack.html",
        "https://bote.example/flut.html",  # record 8 is no longer a duplicate
        "https://bote.example/wetter.html",
    ]
    assert errors[0].reason.startswith(f"record 3 at byte offset {offsets[2]}")
    assert "gzip data is corrupt" in errors[0].reason
    assert len(errors) == 2 and "record 7" in errors[1].reason  # numbering stays exact


def test_warc_bad_record_header_in_plain_file_resumes_at_next_record(tmp_path: Path) -> None:
    p = tmp_path / "bad.warc"
    offsets = write_warc(p, crawl_records(), compress=False)
    data = bytearray(p.read_bytes())
    assert data[offsets[3] : offsets[3] + 6] == b"WARC/1"
    data[offsets[3] : offsets[3] + 6] = b"XXXX/1"  # record 4's version line
    p.write_bytes(bytes(data))
    errors = Errors()
    ids = [a.id for a in read_warc_articles(p, errors)]
    assert ids == ["https://bote.example/flut.html", "https://bote.example/wetter.html"]
    assert errors[0].reason.startswith(f"record 4 at byte offset {offsets[3]}: ")
    assert "not a readable WARC record" in errors[0].reason
    assert [e.reason.split(" at ")[0] for e in errors[1:]] == ["record 7", "record 8"]


def test_warc_undecodable_http_body(tmp_path: Path) -> None:
    broken = gzip.compress(page())[:-40] + b"kaputt" * 5
    records = [
        response("https://bote.example/gz.html", broken, headers=[("Content-Encoding", "gzip")]),
        response(
            "https://bote.example/ok.html",
            gzip.compress(page("Gut")),
            headers=[("Content-Encoding", "gzip")],
        ),
        response(
            "https://bote.example/zstd.html",
            b"\x28\xb5\x2f\xfd",
            headers=[("Content-Encoding", "zstd")],
        ),
    ]
    p = tmp_path / "enc.warc.gz"
    write_warc(p, records, compress=True)
    errors = Errors()
    articles = list(read_warc_articles(p, errors))
    assert [a.title for a in articles] == ["Gut"]
    assert len(errors) == 2
    assert "record 2" in errors[0].reason and "cannot decode the HTTP body" in errors[0].reason
    assert "record 4" in errors[1].reason and "'zstd'" in errors[1].reason


def test_warc_whole_file_gzip_is_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.warc"
    write_warc(plain, crawl_records(), compress=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))  # one gzip member for all records
    assert [a.id for a in read_warc_articles(whole, Errors())] == [
        a.id for a in read_warc_articles(plain, Errors())
    ]


def test_warc_not_a_warc_and_empty(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc"
    junk.write_text("das ist keine WARC-Datei\n" * 5)
    errors = Errors()
    assert list(read_warc_articles(junk, errors)) == []
    assert len(errors) == 1 and "record 1 at byte offset 0: not a" in errors[0].reason
    junk_gz = tmp_path / "junk.warc.gz"
    junk_gz.write_bytes(gzip.compress(b"das ist keine WARC-Datei\n" * 5))
    errors = Errors()
    assert list(read_warc_articles(junk_gz, errors)) == []
    assert len(errors) == 1
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    errors = Errors()
    assert list(read_warc_articles(empty, errors)) == []
    assert errors.messages == [f"{empty}: empty file"]
    with pytest.raises(InputError, match="no such file"):
        list(read_warc_articles(tmp_path / "missing.warc"))


# --------------------------------------------------------------------------------------------
# discovery


def make_tree(root: Path) -> None:
    """A nested corpus folder with every format, hidden entries and unsupported files."""
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "other").mkdir()
    (root / ".hidden").mkdir()
    (root / "a.txt").write_text("  Erster Text, mit Leerzeichen vorn.\n", encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / "README").write_text("not an article")
    (root / ".secret.txt").write_text("hidden file")
    (root / ".hidden" / "x.txt").write_text("hidden folder")
    (root / "sub" / "x.txt").write_text("Text x in sub.")
    (root / "other" / "x.txt").write_text("Text x in other.")
    (root / "sub" / "feed.jsonl").write_text(
        json.dumps({"id": "j1", "text": "   JSON mit Leerzeichen  "}) + "\n"
    )
    (root / "sub" / "deeper" / "table.csv").write_text("id;body\nc1;  CSV-Text\n")
    (root / "sub" / "deeper" / "seite.html").write_bytes(page())
    (root / "sub" / "deeper" / "image.PNG").write_bytes(b"\x89PNG")
    write_warc(root / "sub" / "crawl.warc.gz", crawl_records()[1:3], compress=True)


def test_discover_folder_order_ids_and_stats(tmp_path: Path) -> None:
    make_tree(tmp_path)
    stats = InputStats()
    errors = Errors()
    articles = list(iter_input_articles([str(tmp_path)], errors, stats=stats))
    assert errors == []
    assert [a.id for a in articles] == [
        "a",
        "other/x",
        "https://bote.example/flut.html",
        "https://www.kurier.example/brack.html",
        "sub/deeper/seite",
        "c1",
        "j1",
        "sub/x",
    ]
    by_id = {a.id: a for a in articles}
    # offsets rule: texts exactly as the readers produced them
    assert by_id["a"].text == "  Erster Text, mit Leerzeichen vorn.\n"
    assert by_id["j1"].text == "   JSON mit Leerzeichen  "
    assert by_id["c1"].text == "  CSV-Text"
    assert by_id["sub/deeper/seite"].text == trafilatura_text(page())
    assert by_id["sub/x"].path == str(tmp_path / "sub" / "x.txt")
    assert stats == InputStats(
        files_read=7,
        articles=8,
        errors=0,
        skipped_unsupported=3,
        skipped_suffixes={".pdf": 1, "": 1, ".png": 1},
        field_maps={"body -> text": {str(tmp_path / "sub" / "deeper" / "table.csv")}},
    )
    again = [a.id for a in iter_input_articles([str(tmp_path)], errors)]
    assert again == [a.id for a in articles]  # deterministic


def test_discover_globs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    stats = InputStats()
    ids = [a.id for a in iter_input_articles(["**/*.jsonl", "sub/**/*.html"], stats=stats)]
    assert ids == ["j1", "deeper/seite"]  # glob ids relative to the pattern's fixed folder
    assert stats.files_read == 2
    stats = InputStats()
    ids = [a.id for a in iter_input_articles(["sub/*"], stats=stats)]
    assert ids == [
        "https://bote.example/flut.html",
        "https://www.kurier.example/brack.html",
        "deeper/seite",
        "c1",
        "j1",
        "x",
    ]
    assert stats.skipped_unsupported == 1  # deeper/image.PNG
    errors = Errors()
    assert list(iter_input_articles(["*.nothing", "missing.txt", "**/*.md"], errors)) == []
    assert [(e.source, e.reason) for e in errors] == [
        ("*.nothing", "no files match this pattern"),
        ("missing.txt", "no such file or directory"),
        ("**/*.md", "no files match this pattern"),
    ]


def test_discover_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        '{"id": "same", "text": "eins"}\n{"id": "other", "text": "zwei"}\n'
    )
    (tmp_path / "b.csv").write_text("id,text\nsame,drei\nnew,vier\n")
    errors = Errors()
    stats = InputStats()
    articles = list(iter_input_articles([str(tmp_path)], errors, stats=stats))
    assert [(a.id, a.text) for a in articles] == [
        ("same", "eins"),
        ("other", "zwei"),
        ("new", "vier"),
    ]
    assert errors.messages == [
        f"{tmp_path / 'b.csv'}: duplicate id 'same' (already read from {tmp_path / 'a.jsonl'})"
    ]
    assert (stats.errors, stats.articles) == (1, 3)
    with pytest.raises(InputError, match="duplicate id 'same'"):
        list(iter_input_articles([str(tmp_path)]))


def test_discover_explicit_files_and_repeats(tmp_path: Path) -> None:
    (tmp_path / "meldung.md").write_text("Eine Meldung als Markdown.")
    (tmp_path / "b.txt").write_text("Text b.")
    stats = InputStats()
    inputs = [str(tmp_path / "meldung.md"), str(tmp_path / "b.txt"), str(tmp_path)]
    articles = list(iter_input_articles(inputs, stats=stats))
    # a named file with another suffix is plain text; files reached twice are read once
    assert [a.id for a in articles] == ["meldung", "b"]
    assert (stats.files_read, stats.skipped_unsupported) == (2, 1)


def test_discover_empty_folder_and_unreadable_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "leer").mkdir()
    (tmp_path / "leer" / "bild.jpg").write_bytes(b"\xff\xd8")
    errors = Errors()
    assert list(iter_input_articles([str(tmp_path / "leer")], errors)) == []
    assert len(errors) == 1 and errors[0].reason.startswith("folder contains no article files")
    assert "1 other file(s) skipped" in errors[0].reason

    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.txt").write_text("Lesbarer Text.")
    (tmp_path / "ok" / "zu").mkdir()
    (tmp_path / "ok" / "zu" / "b.txt").write_text("Gesperrter Text.")
    (tmp_path / "ok" / "leer.txt").write_text("")
    real_scandir = os.scandir

    def scandir(path: object) -> object:  # root ignores chmod: simulate an unreadable folder
        if Path(os.fspath(path)).name == "zu":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    errors = Errors()
    stats = InputStats()
    ids = [a.id for a in iter_input_articles([str(tmp_path / "ok")], errors, stats=stats)]
    assert ids == ["a"]
    assert [(e.source, e.reason) for e in errors] == [
        (str(tmp_path / "ok" / "leer.txt"), "empty file"),
        (str(tmp_path / "ok" / "zu"), "permission denied (cannot list the folder)"),
    ]
    assert stats.errors == 2


def test_discover_lenient_reports_bad_files_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "1.jsonl").write_text('{"text": "gut"}\n[1, 2]\n')
    (tmp_path / "2.csv").write_text("id,titel\n1,x\n")
    (tmp_path / "3.html").write_bytes(EMPTY_PAGE)
    (tmp_path / "4.txt").write_text("Zum Schluss.")
    errors = Errors()
    stats = InputStats()
    ids = [a.id for a in iter_input_articles([str(tmp_path)], errors, stats=stats)]
    assert ids == ["1:1", "4"]
    assert [(Path(e.source).name, e.line) for e in errors] == [
        ("1.jsonl", 2),
        ("2.csv", 1),
        ("3.html", None),
    ]
    assert errors[2].reason == NO_MAIN_TEXT
    assert (stats.files_read, stats.articles, stats.errors) == (4, 2, 3)


def test_input_format_by_suffix() -> None:
    assert [
        input_format(n)
        for n in ("a.TXT", "b.json", "c.ndjson", "d.tsv", "e.htm", "f.WARC.GZ", "g.warc", "h.gz")
    ] == ["text", "json", "jsonl", "csv", "html", "warc", "warc", None]


def test_excel_csv_keeps_formula_like_cells_inert() -> None:
    import csv as _csv
    import io as _io

    from wiretrace.io.writers import write_records_to

    record = {"title": '=HYPERLINK("http://x")', "n": "-0.5", "t": "@SUM(A1)", "ok": "Ärger"}
    plain, excel = _io.StringIO(), _io.StringIO()
    write_records_to([record], plain, "csv")
    write_records_to([record], excel, "csv", excel=True)
    assert list(_csv.reader(_io.StringIO(plain.getvalue())))[1] == list(record.values())
    rows = list(_csv.reader(_io.StringIO(excel.getvalue().lstrip("\ufeff")), delimiter=";"))
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "-0.5", "'@SUM(A1)", "Ärger"]


def test_a_glob_through_a_folder_loop_reads_each_file_once_with_its_short_id(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("Ein Text über die Ramse.", encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    articles = list(iter_input_articles([str(tmp_path / "**" / "*.txt")]))
    assert [a.id for a in articles] == ["a/x"]


def test_an_html_page_whose_only_text_is_a_link_is_no_article(tmp_path: Path) -> None:
    p = tmp_path / "nav.html"
    p.write_text('<html><body><nav><a href="/">Home</a></nav></body></html>', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_html_article(p)
    assert NO_MAIN_TEXT in info.value.reason
