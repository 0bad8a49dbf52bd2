"""Writers for record streams (dicts): JSON lines, CSV and Parquet.

:func:`write_records` writes a file **atomically**: records go to a temporary file next to the
target, which replaces the target (``os.replace``) only once complete and flushed to disk. A run
killed half-way leaves the old file (or none), never half a file; the temporary file is removed
on an error (after a hard kill a ``.NAME.*.tmp`` file may remain next to the target).
:func:`write_records_to` streams JSON lines or CSV to an open text stream (stdout).

Formats:

* ``jsonl``: one JSON object per line, UTF-8 without ``\\u`` escapes (``ensure_ascii=False``),
  ``\\n`` line ends, keys in record order.
* ``csv``: RFC 4180 (comma, ``"`` quoting where needed, ``\\r\\n`` row ends, UTF-8 without BOM);
  the header is the first record's keys in their order. Nested values (lists, dicts) are JSON
  strings, booleans ``true``/``false``, None an empty cell; text is written exactly (line breaks
  stay inside quoted cells). With ``excel=True``: a text cell starting like a formula (``=``,
  ``+``, ``-``, ``@``) gets a leading ``'`` so that Excel shows it instead of running it, a UTF-8
  byte order mark first and ``;`` between
  cells, which is what Excel needs to open the file by double-click with umlauts and other
  non-ASCII letters intact and the cells in columns (in locales whose list separator is ``;``;
  elsewhere Excel's import dialog takes the separator). Read it back with ``encoding="utf-8-sig"``
  and ``delimiter=";"``.
* ``parquet`` (pyarrow, imported only when used): nested lists and dicts are real Arrow lists and
  structs, not JSON strings, so that they can be queried (DuckDB, pandas, Spark). The schema is
  the ``schema`` argument when given (see :func:`wiretrace.report.export.arrow_schema`), else
  inferred from the first batch of records. Written in row groups of ``batch_size`` records.

Example::

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> write_records([{"id": "a", "n": 1}, {"id": "ä", "n": 2}], out, "jsonl")
    2
    >>> out.read_text(encoding="utf-8")
    '{"id": "a", "n": 1}\\n{"id": "ä", "n": 2}\\n'
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow

__all__ = ["FORMATS", "TEXT_FORMATS", "write_records", "write_records_to"]

#: Every format :func:`write_records` writes.
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
#: Formats that can be streamed to a text stream such as stdout.
TEXT_FORMATS: tuple[str, ...] = ("jsonl", "csv")


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(allowed)}")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_records_to(
    records: Iterable[dict[str, Any]], stream: IO[str], fmt: str, *, excel: bool = False
) -> int:
    """Write ``records`` as ``jsonl`` or ``csv`` to a text stream; returns the record count.

    CSV needs at least one record for its header; with none, nothing is written. ``excel``
    (CSV only): a byte order mark (``\\ufeff``) first and ``;`` as the delimiter; the stream
    should encode UTF-8.
    """
    if excel and fmt != "csv":
        raise ValueError(f"excel applies to csv only, not {fmt!r}")
    _check_format(fmt, TEXT_FORMATS)
    n = 0
    if fmt == "jsonl":
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
        return n
    writer = None
    header: list[str] = []
    for record in records:
        if writer is None:
            header = list(record)
            if excel:
                stream.write("\ufeff")
            writer = csv.writer(stream, delimiter=";" if excel else ",")
            writer.writerow(header)
        cells = [_csv_cell(record.get(k)) for k in header]
        if excel:
            cells = [_inert(cell) for cell in cells]
        writer.writerow(cells)
        n += 1
    return n


#: Cell starts that Excel (and LibreOffice) run as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: Any) -> Any:
    """A text cell Excel would run as a formula, prefixed with ``'`` (shown as text; OWASP's
    advice against CSV injection: titles and texts come from untrusted pages). Numbers stay
    numbers: ``-0.5`` is a value, not a formula."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        try:
            float(cell)
        except ValueError:
            return "'" + cell
    return cell


def _write_parquet(
    records: Iterable[dict[str, Any]],
    path: str,
    schema: pyarrow.Schema | None,
    batch_size: int,
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    it = iter(records)
    n = 0
    writer = None
    try:
        while batch := list(islice(it, batch_size)):
            table = pa.Table.from_pylist(batch, schema=schema)
            if writer is None:
                schema = table.schema
                writer = pq.ParquetWriter(path, schema)
            writer.write_table(table)
            n += len(batch)
        if writer is None:  # no records: a valid, empty file (with the schema when known)
            empty = schema if schema is not None else pa.schema([])
            pq.write_table(empty.empty_table(), path)
    finally:
        if writer is not None:
            writer.close()
    return n


def write_records(
    records: Iterable[dict[str, Any]],
    path: str | os.PathLike[str],
    fmt: str,
    *,
    schema: pyarrow.Schema | None = None,
    batch_size: int = 2_000,
    excel: bool = False,
) -> int:
    """Write ``records`` to ``path`` in format ``fmt`` (``jsonl``, ``csv`` or ``parquet``),
    atomically; returns the number of records written. ``schema`` and ``batch_size`` apply to
    Parquet only, ``excel`` (byte order mark and ``;``, see the module docs) to CSV only.
    Raises ``OSError`` if the file cannot be written (the target is untouched).
    """
    _check_format(fmt, FORMATS)
    if excel and fmt != "csv":
        raise ValueError(f"excel applies to csv only, not {fmt!r}")
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        if fmt == "parquet":
            os.close(fd)
            n = _write_parquet(records, tmp, schema, batch_size)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        else:
            with open(fd, "w", encoding="utf-8", newline="") as fh:
                n = write_records_to(records, fh, fmt, excel=excel)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return n


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
