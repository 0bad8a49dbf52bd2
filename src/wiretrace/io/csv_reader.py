"""CSV/TSV files -> :class:`~wiretrace.model.Article`, one article per row, streamed.

The first non-blank row is the header. Which column feeds which article field is set by
:class:`CsvColumns`; by default a field takes the column named like it (case-insensitive,
surrounding spaces ignored), and ``text`` and ``published`` also take common aliases.
The delimiter is ``\\t`` for ``.tsv`` files and otherwise sniffed from the header line
(``,`` ``;`` or tab: the one occurring most often outside quotes; ``,`` on a tie).

Offsets are sacred: ``text`` is the field's value exactly as the CSV parser returns it (quotes
removed, doubled quotes undone, everything else kept: leading spaces, line breaks inside quoted
fields as written, ``\\r\\n`` included). Other fields are metadata and are stripped; an empty
cell is treated as missing.

The file must be UTF-8 (a leading BOM is ignored). It is read line by line, so memory is
bounded by the largest row; one field may hold up to
:data:`~wiretrace.io.readers.MAX_ARTICLE_BYTES` characters (the module raises Python's
``csv.field_size_limit`` to at least that).

Errors follow :mod:`wiretrace.io.readers`: ``on_error=None`` raises the first
:class:`~wiretrace.errors.InputError`; a callable receives each error and reading goes on.
A row error names the line the row starts on (rows may span lines). A file without a text
column is one error for the file (lenient: reported once, nothing yielded) listing the columns
it has.

Example::

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "feed.csv"
    >>> _ = p.write_text("id;Body;date\\n7;Hollande in Moskau.;2015-11-26\\n", encoding="utf-8")
    >>> [(a.id, a.text, a.published) for a in read_csv_articles(p)]
    [('7', 'Hollande in Moskau.', '2015-11-26')]
"""

from __future__ import annotations

import csv
import dataclasses
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from wiretrace.errors import InputError
from wiretrace.io import readers
from wiretrace.io.readers import (
    ErrorHandler,
    _BadRecord,
    _Dedup,
    _open_binary,
    _report,
    _streamed,
)
from wiretrace.model import Article

__all__ = ["CSV_SUFFIXES", "DEFAULT_ALIASES", "CsvColumns", "read_csv_articles"]

#: File suffixes (lower case) read as CSV; ``.tsv`` files are always tab-separated.
CSV_SUFFIXES: frozenset[str] = frozenset({".csv", ".tsv"})

#: Column names tried (case-insensitively, in this order) for a field not set in CsvColumns.
DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "text": ("text", "body", "content", "article", "fulltext"),
    "title": ("title",),
    "outlet": ("outlet",),
    "published": ("published", "date", "pubdate", "published_at"),
    "url": ("url",),
    "lang": ("lang",),
}

_DELIMITERS = (",", ";", "\t")
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class CsvColumns:
    """Which CSV column feeds each article field (column names, matched case-insensitively).

    ``None`` (the default) means: the column named like the field, or for ``text`` and
    ``published`` the first of their aliases present (see :data:`DEFAULT_ALIASES`); a field
    without such a column is left empty (``text`` is required). A name given explicitly must
    exist in the header, or the file is an error.
    """

    id: str | None = None
    text: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    lang: str | None = None


def _raise_field_size_limit() -> None:
    # csv's default limit (131072 characters) is far below a long article; the limit is
    # process-wide, so only ever raise it. It is a C long: cap it for 32-bit platforms.
    wanted = min(max(readers.MAX_ARTICLE_BYTES, 1), sys.maxsize, 2**31 - 1)
    if csv.field_size_limit() < wanted:
        csv.field_size_limit(wanted)


def _sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter occurring most often outside double quotes (ties: first wins)."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equal counts
    return best if counts[best] else ","


class _Lines:
    """Iterates a binary file as decoded lines for :mod:`csv`, tracking line numbers.

    Invalid UTF-8 does not stop reading: the line is decoded with replacement characters (so the
    CSV structure survives) and its number is recorded in ``bad`` with the reason, for the row
    that contains it to be reported. A line longer than the field limit is cut off the same way.
    """

    def __init__(self, fh: IO[bytes], limit: int) -> None:
        self._fh = fh
        self._limit = limit
        self.lineno = 0
        self.bad: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self._fh.readline(self._limit + 1)
        if not raw:
            raise StopIteration
        self.lineno += 1
        if self.lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) > self._limit and not raw.endswith(b"\n"):
            while True:  # skip the rest of the runaway line in bounded chunks
                rest = self._fh.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            self.bad.setdefault(
                self.lineno, f"line is longer than {self._limit} bytes (see MAX_ARTICLE_BYTES)"
            )
            return "\n"
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.bad.setdefault(
                self.lineno, f"not valid UTF-8 at byte {exc.start} of line {self.lineno}"
            )
            return raw.decode("utf-8", errors="replace")


def _resolve_columns(header: list[str], columns: CsvColumns, source: str) -> dict[str, int]:
    """Map article fields to column indexes; raise InputError when text is unmapped."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name.strip().lower(), i)
    found = ", ".join(repr(h.strip()) for h in header) or "none"
    mapping: dict[str, int] = {}
    for field in dataclasses.fields(CsvColumns):
        wanted = getattr(columns, field.name)
        if wanted is not None:
            i = index.get(wanted.strip().lower())
            if i is None:
                raise InputError(
                    source,
                    f"column {wanted!r} (given for field '{field.name}') not found; "
                    f"columns found: {found}",
                    1,
                )
            mapping[field.name] = i
            continue
        for alias in DEFAULT_ALIASES[field.name]:
            if alias in index:
                mapping[field.name] = index[alias]
                break
    if "text" not in mapping:
        tried = ", ".join(DEFAULT_ALIASES["text"])
        raise InputError(
            source,
            f"no text column (looked for: {tried}; set one with the column mapping); "
            f"columns found: {found}",
            1,
        )
    return mapping


def _published(value: str, column: str) -> str:
    candidate = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        datetime.fromisoformat(candidate)
    except ValueError:
        raise _BadRecord(
            f"column {column!r} (published) is not an ISO 8601 date or datetime: {value!r}"
        ) from None
    return value


def _article_from_row(
    row: list[str],
    header: list[str],
    mapping: dict[str, int],
    default_id: str,
    source: str,
) -> Article:
    if len(row) != len(header):
        raise _BadRecord(f"row has {len(row)} fields, the header has {len(header)}")

    def name(field: str) -> str:
        return header[mapping[field]].strip()

    text = row[mapping["text"]]
    if not text.strip():
        raise _BadRecord(f"column {name('text')!r} (text) is empty")
    meta: dict[str, str | None] = {}
    for field in ("id", "title", "outlet", "published", "url", "lang"):
        value = row[mapping[field]].strip() if field in mapping else ""
        meta[field] = value or None
    if meta["published"] is not None:
        meta["published"] = _published(meta["published"], name("published"))
    return Article(
        id=meta["id"] or default_id,
        text=text,  # exactly as parsed: offsets refer to it
        title=meta["title"],
        outlet=meta["outlet"],
        published=meta["published"],
        url=meta["url"],
        lang=meta["lang"],
        path=source,
    )


def _csv_articles(
    path: Path, on_error: ErrorHandler | None, columns: CsvColumns
) -> Iterator[Article]:
    source = str(path)
    stem = path.stem
    limit = readers.MAX_ARTICLE_BYTES
    _raise_field_size_limit()
    try:
        fh = _open_binary(path)
    except InputError as err:
        _report(err, on_error)
        return
    with fh:
        lines = _Lines(fh, limit)
        try:
            head = fh.peek(4096)[:4096] if hasattr(fh, "peek") else b""
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                reason = "looks like UTF-16 (byte order mark); convert it to UTF-8"
                _report(InputError(source, reason), on_error)
                return
            if b"\x00" in head:
                reason = "binary content (NUL byte near the start), not CSV text"
                _report(InputError(source, reason), on_error)
                return
            # The header: first non-blank line (a header cell with a line break is not supported).
            header_line = ""
            for line in lines:
                if line.strip():
                    header_line = line
                    break
            if not header_line:
                _report(InputError(source, "empty file: no CSV header"), on_error)
                return
            header_lineno = lines.lineno
            if header_lineno in lines.bad:
                _report(InputError(source, lines.bad[header_lineno], header_lineno), on_error)
                return
            is_tsv = path.suffix.lower() == ".tsv"
            delimiter = "\t" if is_tsv else _sniff_delimiter(header_line)
            header = next(csv.reader([header_line], delimiter=delimiter))
            try:
                mapping = _resolve_columns(header, columns, source)
            except InputError as err:
                if header_lineno != 1:
                    err = InputError(err.source, err.reason, header_lineno)
                _report(err, on_error)
                return

            # strict: a stray quote after a closing quote, or a quoted field still open at the
            # end of the file, is an error for that row instead of silently merged rows.
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            dedup = _Dedup()
            rowno = 0
            any_rows = False
            while True:
                start = lines.lineno + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    reason = str(exc)
                    if reason == "unexpected end of data":
                        reason = "a quoted field is still open at the end of the file"
                    _report(InputError(source, f"malformed CSV: {reason}", start), on_error)
                    continue
                bad = [lines.bad[n] for n in range(start, lines.lineno + 1) if n in lines.bad]
                if not bad and (not row or (len(row) == 1 and not row[0].strip())):
                    continue  # blank lines are allowed anywhere
                any_rows = True
                rowno += 1
                try:
                    if bad:
                        raise _BadRecord(bad[0])
                    article = _article_from_row(row, header, mapping, f"{stem}:{rowno}", source)
                    dedup.check(article.id, f"line {start}")
                except _BadRecord as exc:
                    _report(InputError(source, str(exc), start), on_error)
                    continue
                yield article
        except OSError as exc:
            _report(InputError(source, f"cannot read file: {exc.strerror or exc}"), on_error)
            return
    if not any_rows:
        _report(InputError(source, "no data rows after the CSV header"), on_error)


def read_csv_articles(
    path: str | os.PathLike[str],
    on_error: ErrorHandler | None = None,
    columns: CsvColumns | None = None,
) -> Iterator[Article]:
    """Stream articles from a CSV (or ``.tsv``) file with a header row, in file order.

    ``columns`` maps article fields to column names (default :class:`CsvColumns()`, see there).
    ``id`` defaults to ``"{file stem}:{row number}"`` (data rows counted from 1, header and
    blank lines not counted); ``published`` must parse as ISO 8601 and is kept as given;
    ``path`` of every article is ``str(path)``.

    Errors (see the module docs for strict and lenient mode): a file that is missing, unusable,
    empty or has no text column (one error for the file, nothing yielded); a row (reported with
    the line it starts on) that is not valid UTF-8, has a different number of fields than the
    header, an empty text, a date that is not ISO 8601, or an id used earlier in the file.
    Problems with the file itself are detected when this is called; the header and rows are
    read while iterating.
    """
    return _streamed(
        path, on_error, lambda p, handler: _csv_articles(p, handler, columns or CsvColumns())
    )
