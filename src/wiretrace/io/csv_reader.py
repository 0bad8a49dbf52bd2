"""CSV/TSV files -> :class:`~wiretrace.model.Article`, one article per row, streamed.

The first non-blank row is the header. Which column feeds which article field is set by
:class:`~wiretrace.io.fields.FieldNames` (``CsvColumns`` is its old name); by default a field
takes the first column named like it or one of its aliases (case-insensitive, surrounding
spaces ignored: :data:`~wiretrace.io.fields.DEFAULT_ALIASES`), and each row becomes an article
by the rules every record format shares (:func:`~wiretrace.io.fields.article_from_values`:
dates in any known form, an unreadable optional field left empty with a warning).
The delimiter is ``\\t`` for ``.tsv`` files and otherwise sniffed from the header line
(``,`` ``;`` or tab: the one occurring most often outside quotes; ``,`` on a tie).

Offsets are sacred: ``text`` is the field's value exactly as the CSV parser returns it (quotes
removed, doubled quotes undone, everything else kept: leading spaces, line breaks inside quoted
fields as written, ``\\r\\n`` included). Other fields are metadata and are stripped; an empty
cell is treated as missing.

The encoding is UTF-8, a BOM's, a forced or a detected one (Windows-1252 as German Excel
writes it; :class:`~wiretrace.io.readers.DecodedLines`). It is read line by line, so memory is
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
    >>> _ = p.write_text("Headline;Body;pubDate\\nGipfel;Hollande in Moskau.;26.11.2015\\n")
    >>> [(a.id, a.title, a.published) for a in read_csv_articles(p)]
    [('feed:1', 'Gipfel', '2015-11-26')]
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from wiretrace.errors import InputError
from wiretrace.io import readers
from wiretrace.io.fields import (
    DEFAULT_ALIASES,
    FieldNames,
    MissingField,
    ReadOptions,
    article_from_values,
    resolve_fields,
)
from wiretrace.io.readers import (
    DecodedLines,
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

#: The old name of :class:`~wiretrace.io.fields.FieldNames` (it now applies to JSON too).
CsvColumns = FieldNames

_DELIMITERS = (",", ";", "\t")


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
    """Decoded lines for :mod:`csv`, tracking line numbers and the problems of bad lines.

    A line with invalid bytes is handed on with replacement characters (so the CSV structure
    survives) and its number recorded in ``bad`` with the reason, for the row that contains
    it to be reported. A line longer than the field limit is handed on as an empty line.
    """

    def __init__(self, lines: DecodedLines) -> None:
        self._lines = iter(lines)
        self.lineno = 0
        self.bad: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        lineno, text, problem = next(self._lines)
        self.lineno = lineno
        if problem is not None:
            self.bad.setdefault(lineno, problem)
        return "\n" if text is None else text


def _resolve_columns(header: list[str], columns: FieldNames, source: str) -> dict[str, str]:
    """Map article fields to column names; raise InputError when text is unmapped."""
    try:
        mapping = resolve_fields(header, columns)
    except MissingField as exc:
        raise InputError(source, str(exc).replace("field ", "column ", 1), 1) from None
    if "text" not in mapping:
        tried = ", ".join(DEFAULT_ALIASES["text"])
        found = ", ".join(repr(h.strip()) for h in header) or "none"
        raise InputError(
            source,
            f"no text column (looked for: {tried}; set one with --text-column); "
            f"columns found: {found}",
            1,
        )
    return mapping


def _article_from_row(
    row: list[str],
    header: list[str],
    mapping: dict[str, str],
    default_id: str,
    source: str,
    line: int,
    options: ReadOptions,
) -> Article:
    if len(row) != len(header):
        raise _BadRecord(f"row has {len(row)} fields, the header has {len(header)}")
    values: dict[str, str] = {}
    for name, value in zip(header, row, strict=True):
        values.setdefault(name, value)  # a repeated column name: the first one counts
    # Metadata cells are stripped and an empty one is missing; the text is kept as parsed.
    values = {k: (v if k == mapping["text"] else v.strip()) for k, v in values.items()}
    values = {k: v for k, v in values.items() if v != "" or k == mapping["text"]}
    return article_from_values(values, default_id, source, line, options, mapping=mapping)


def _csv_articles(
    path: Path, on_error: ErrorHandler | None, options: ReadOptions
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
        try:
            try:
                lines = _Lines(DecodedLines(fh, source, options, limit))
            except InputError as err:
                _report(err, on_error)
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
            try:
                header = next(csv.reader([header_line], delimiter=delimiter))
            except (csv.Error, StopIteration) as exc:
                reason = f"malformed CSV header: {exc or 'no fields'}"
                _report(InputError(source, reason, header_lineno), on_error)
                return
            try:
                mapping = _resolve_columns(header, options.fields, source)
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
                    article = _article_from_row(
                        row, header, mapping, f"{stem}:{rowno}", source, start, options
                    )
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
    columns: FieldNames | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """Stream articles from a CSV (or ``.tsv``) file with a header row, in file order.

    ``options.fields`` (or ``columns``, which overrides it) maps article fields to column
    names. ``id`` defaults to ``"{file stem}:{row number}"`` (data rows counted from 1, header
    and blank lines not counted); ``published`` is read in any known form
    (:mod:`wiretrace.io.dates`) and stored as ISO 8601, an unreadable one leaves the article
    undated with a warning; ``path`` of every article is ``str(path)``.

    Errors (see the module docs for strict and lenient mode): a file that is missing, unusable,
    empty or has no text column (one error for the file, nothing yielded); a row (reported with
    the line it starts on) with bytes invalid in the file's encoding, a different number of
    fields than the header, an empty text, or an id used earlier in the file.
    Problems with the file itself are detected when this is called; the header and rows are
    read while iterating.
    """
    opts = options or ReadOptions()
    if columns is not None:
        import dataclasses

        opts = dataclasses.replace(opts, fields=columns)
    return _streamed(path, on_error, lambda p, handler: _csv_articles(p, handler, opts))
