"""WARC crawls (``.warc``, ``.warc.gz``) -> :class:`~wiretrace.model.Article`, one per HTML page.

Every ``response`` record of an ``http(s)`` page with status 200 and an HTML content type
(``text/html``, ``application/xhtml+xml``) becomes one article through the HTML reader
(:func:`wiretrace.io.html_reader.extract_html_article`: trafilatura main text, title, date, site
name). Other records (``warcinfo``, ``request``, ``revisit``, ``metadata``, redirects, images,
...) are passed over silently.

Article fields: ``id`` and ``url`` are the record's ``WARC-Target-URI`` (the page address is
what users know a page by, and it is stable across re-crawls, unlike ``WARC-Record-ID``, a random
UUID). A URI met again later in the same file (a second fetch of a page) is reported as a
duplicate id for that record and skipped, like a repeated id in any other reader; across files
the caller (:mod:`wiretrace.io.discover`) does the same. ``published`` is the date found in the
page (with its time and zone where the page gives them), else the record's ``WARC-Date`` with
its time (the crawl time: an upper bound of the publication time). ``path`` is the WARC file.

Compression is recognised by content (gzip magic bytes), not by the file name. Gzip is decoded
here rather than by warcio, so that a truncated or corrupt stream is an error instead of a
silent early end, and so that ``.warc.gz`` files compressed as one whole gzip stream (not one
member per record) are read too.

Errors follow :mod:`wiretrace.io.readers` (``on_error=None`` raises the first
:class:`~wiretrace.errors.InputError`; a callable receives each one and reading goes on). They
name the file and the record, ``record N`` (1-based, counting every record of the file) with its
byte offset in the file (the offset of its gzip member for ``.warc.gz``, which is what
``warcio extract FILE OFFSET`` takes), its URI when known, and the reason:

* a page without main text, an undecodable HTTP body (bad ``Content-Encoding``), a page larger
  than :data:`~wiretrace.io.readers.MAX_ARTICLE_BYTES`, a duplicate URI: that record is skipped;
* a record that does not parse or does not decompress: reported once; reading resumes at the
  next gzip member (``.warc.gz``) or the next line starting with ``WARC/1.`` (``.warc``) that
  starts a readable record, so one damaged record costs only itself (record numbers after such
  a gap count the records read, they cannot know how many the damaged stretch held);
* the file ends inside a record (a truncated download): reported once, and the file ends there.

warcio (like trafilatura) is imported on first use.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import zlib
from bisect import bisect_right
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from wiretrace.errors import InputError
from wiretrace.io import readers
from wiretrace.io.dates import DateError, read_date
from wiretrace.io.fields import ReadOptions
from wiretrace.io.html_reader import cut_to_max_chars, extract_html_article
from wiretrace.io.readers import ErrorHandler, _BadRecord, _Dedup, _report, _streamed
from wiretrace.model import Article

__all__ = ["HTML_CONTENT_TYPES", "WARC_SUFFIXES", "read_warc_articles"]

#: File name endings (lower case) read as WARC files.
WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz")

#: HTTP media types (lower case, without parameters) read as HTML pages.
HTML_CONTENT_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})

_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK = 1 << 16
_PADDING = b"\x00\r\n\t "
_WARC_LINE = b"\nWARC/1."


class _StreamError(Exception):
    """The byte stream itself is unusable at ``raw_offset`` (corrupt or truncated gzip)."""

    def __init__(self, reason: str, raw_offset: int, *, truncated: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw_offset = raw_offset
        self.truncated = truncated


class _GzipMembers:
    """The decompressed bytes of the gzip members that follow ``start`` in ``fh``, as a stream.

    Records where each member starts (``members``: decompressed offset -> file offset) so that
    errors can name the member of a record. A corrupt member raises :class:`_StreamError` with
    its file offset; the file ending inside a member raises one with ``truncated=True``. Bytes
    decoded before an error are handed out first; the error comes with the next read and every
    read after it. Output per step is bounded (no gzip bomb can exhaust memory).
    """

    def __init__(self, fh: IO[bytes], start: int) -> None:
        fh.seek(start)
        self._fh = fh
        self._pending = b""
        self._raw_end = start  # file offset just past the last raw byte read
        self._d: Any = None  # zlib decompressor of the current member
        self._flushed = False  # the current member's decompressor was flushed at end of file
        self._member_start = start
        self._out = 0  # decompressed bytes produced so far
        self._done = False
        self._error: _StreamError | None = None
        self.members: list[tuple[int, int]] = []

    def raw_offset_of(self, out_offset: int) -> int:
        """File offset of the member holding decompressed offset ``out_offset``."""
        i = bisect_right(self.members, (out_offset, float("inf"))) - 1
        return self.members[i][1] if i >= 0 else self._member_start

    def _read_raw(self) -> bytes:
        data = self._fh.read(_BLOCK)
        self._raw_end += len(data)
        return data

    def _start_member(self) -> bool:
        """Begin the next member; False at a clean end of the file."""
        while len(self._pending) < 2:
            more = self._read_raw()
            if not more:
                break
            self._pending += more
        at = self._raw_end - len(self._pending)
        if not self._pending.startswith(_GZIP_MAGIC):
            # Some writers pad the end of a file; anything else after a member is damage.
            chunk = self._pending
            while chunk and not chunk.strip(_PADDING):
                chunk = self._read_raw()
            if not chunk:
                self._done = True
                return False
            raise _StreamError("data after a gzip member is not gzip", at)
        self._d = zlib.decompressobj(wbits=31)  # 31: gzip container, CRC checked
        self._member_start = at
        self.members.append((self._out, at))
        return True

    def _step(self, max_out: int) -> bytes:
        if self._d is None and not self._start_member():
            return b""
        if not self._pending:
            self._pending = self._read_raw()
        if self._pending:
            try:
                out = self._d.decompress(self._pending, max_out)
            except zlib.error as exc:
                raise _StreamError(f"gzip data is corrupt ({exc})", self._member_start) from None
            self._pending = b"" if self._d.eof else self._d.unconsumed_tail
        elif not self._flushed:
            # The file ended: take any output zlib still holds, then the member must be done.
            self._flushed = True
            out = self._d.flush()
        else:
            raise _StreamError(
                "the file ends inside a compressed record (truncated gzip stream)",
                self._member_start,
                truncated=True,
            )
        if self._d.eof:
            self._pending = self._d.unused_data + self._pending
            self._d = None
            self._flushed = False
        self._out += len(out)
        return out

    def read(self, size: int | None = -1) -> bytes:
        if self._error is not None:
            raise self._error
        want = size if size is not None and size >= 0 else None
        chunks: list[bytes] = []
        n = 0
        try:
            while not self._done and (want is None or n < want):
                piece = self._step(_BLOCK if want is None else min(want - n, _BLOCK))
                chunks.append(piece)
                n += len(piece)
        except _StreamError as exc:
            self._error = exc
            if not n:
                raise
        return b"".join(chunks)


def _warcio() -> tuple[Any, Any]:
    # Deliberately lazy, like trafilatura: only WARC input needs it.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    return ArchiveIterator, ArchiveLoadFailed


@contextlib.contextmanager
def _captured_stderr() -> Iterator[io.StringIO]:
    # warcio reports some problems by writing to sys.stderr (a body that fails to decompress, a
    # record not followed by blank lines) instead of raising. Capture them so that they become
    # one clear error (or are dropped when a real error follows anyway), not stray output.
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        yield buffer


def _find_next(fh: IO[bytes], start: int, pattern: bytes, skip: int) -> int | None:
    """File offset of the first ``pattern`` at or after ``start``, plus ``skip``; None if none."""
    fh.seek(start)
    offset = start
    tail = b""
    while True:
        chunk = fh.read(_BLOCK)
        if not chunk:
            return None
        data = tail + chunk
        i = data.find(pattern)
        if i != -1:
            return offset - len(tail) + i + skip
        tail = data[-(len(pattern) - 1) :]
        offset += len(chunk)


def _decode_html(body: bytes, content_type: str) -> bytes | str:
    """UTF-8 if valid; else the HTTP charset if it decodes; else bytes (trafilatura guesses)."""
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        pass
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            with contextlib.suppress(LookupError, UnicodeDecodeError):
                return body.decode(value.strip().strip("\"'"))
    return body


class _Truncated(Exception):
    """The file ends inside the current record."""


def _read_body(record: Any, limit: int) -> bytes:
    """The HTTP payload (Content-Encoding and chunking undone); raise _BadRecord on failure."""
    from warcio.bufferedreaders import BufferedReader

    encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    supported = BufferedReader.get_supported_decompressors()
    if encoding and encoding != "identity" and encoding not in supported:
        raise _BadRecord(f"cannot decode the HTTP body (Content-Encoding {encoding!r})")
    with _captured_stderr() as messages:
        try:
            stream = record.content_stream()
            body = stream.read(limit + 1)
        except _StreamError:
            raise
        except Exception as exc:  # warcio raises plain Exceptions for bad chunking/encodings
            raise _BadRecord(f"cannot decode the HTTP body: {exc}") from None
    if len(body) > limit:
        raise _BadRecord(f"HTML page is larger than {limit} bytes (see MAX_ARTICLE_BYTES)")
    # warcio does not raise on a bad compressed body: it complains on stderr (corrupt data
    # after a good start), passes the raw bytes on (corrupt from the start) or just stops
    # (incomplete data). Catch all three.
    label = f"cannot decode the HTTP body (Content-Encoding {encoding!r})"
    complaint = messages.getvalue().strip()
    if complaint:
        raise _BadRecord(f"{label}: {complaint.splitlines()[-1]}")
    if encoding in ("gzip", "x-gzip") and body.startswith(_GZIP_MAGIC):
        raise _BadRecord(f"{label}: not valid gzip data")
    decompressor = getattr(stream, "decompressor", None)
    if decompressor is not None and getattr(decompressor, "eof", True) is False:
        raise _BadRecord(f"{label}: the compressed data is incomplete")
    # A record cut short by the end of the file just reads as a shorter body: check that the
    # record's reader still expects bytes that the file no longer has.
    raw = record.raw_stream
    if getattr(raw, "limit", 0) > 0 and not raw.read(1):
        raise _Truncated
    return body


def _is_html_page(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not uri.lower().startswith(("http://", "https://")):
        return False
    if record.http_headers.get_statuscode() != "200":
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return content_type.split(";", 1)[0].strip().lower() in HTML_CONTENT_TYPES


@dataclass(slots=True)
class _Damage:
    """Why reading stopped inside a file: record number, reason, file offset of the damage."""

    recno: int
    reason: str
    offset: int
    uri: str | None = None
    truncated: bool = False


@dataclass(slots=True)
class _State:
    recno: int = 0  # records read so far in the file
    resyncing: bool = False  # after damage, until a record parses again


def _segment(
    fh: IO[bytes],
    gzipped: bool,
    start: int,
    state: _State,
    dedup: _Dedup,
    source: str,
    on_error: ErrorHandler | None,
    options: ReadOptions,
) -> Generator[Article, None, _Damage | None]:
    """Read records from file offset ``start`` on; return None at the end, else the damage."""
    archive_iterator, archive_load_failed = _warcio()
    limit = readers.MAX_ARTICLE_BYTES
    gz = _GzipMembers(fh, start) if gzipped else None
    if gz is None:
        fh.seek(start)
    it = archive_iterator(gz if gz is not None else fh)
    records = iter(it)

    def file_offset() -> int:
        # After next() warcio's offset is the current record's start (decompressed and
        # relative to ``start`` for gzip, where the record's member offset is looked up).
        at = getattr(it, "offset", 0) or 0
        return gz.raw_offset_of(at) if gz is not None else at

    last_offset = -1  # file offset of the last record read in this segment
    while True:
        try:
            with _captured_stderr():
                record = next(records)
        except StopIteration:
            return None
        except _StreamError as exc:
            # Damage in the member of the record just read (a cut-off gzip trailer, say) is
            # that record's; anything later belongs to the next one.
            n = state.recno if exc.raw_offset == last_offset else state.recno + 1
            return _Damage(n, exc.reason, exc.raw_offset, truncated=exc.truncated)
        except (
            archive_load_failed, ValueError, KeyError, IndexError, OSError, EOFError,
            AttributeError, TypeError,  # warcio on some damaged records (a header without a URI)
        ) as exc:
            detail = " ".join(str(exc).split())[:160] or type(exc).__name__
            return _Damage(state.recno + 1, f"not a readable WARC record: {detail}", file_offset())
        if record.format != "warc":
            reason = "not a WARC record (it does not start with a 'WARC/1.x' line)"
            return _Damage(state.recno + 1, reason, file_offset())
        state.recno += 1
        state.resyncing = False
        offset = last_offset = file_offset()
        if not _is_html_page(record):
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI")
        try:
            body = _read_body(record, limit)
            html = _decode_html(body, record.http_headers.get_header("Content-Type") or "")
            try:
                article = extract_html_article(
                    html, article_id=uri, source=source, url=uri, path=source,
                    date_order=options.date_order,
                )
            except InputError as err:
                raise _BadRecord(err.reason) from None
            if article.published is None:
                try:
                    crawled = read_date(record.rec_headers.get_header("WARC-Date") or "")
                except DateError:
                    crawled = None
                if crawled is not None:
                    article = dataclasses.replace(article, published=crawled)
            article = cut_to_max_chars(article, f"{source} ({uri})", options)
            dedup.check(article.id, f"record {state.recno}")
        except _BadRecord as exc:
            label = f"record {state.recno} at byte offset {offset} ({uri})"
            _report(InputError(source, f"{label}: {exc}"), on_error)
            continue
        except _Truncated:
            reason = "the file ends inside this record (truncated file)"
            return _Damage(state.recno, reason, offset, uri, truncated=True)
        except _StreamError as exc:
            return _Damage(state.recno, exc.reason, exc.raw_offset, uri, exc.truncated)
        yield article


def _resume_at(fh: IO[bytes], gzipped: bool, offset: int) -> int | None:
    """Where a record may start after damage at file offset ``offset``; None if nowhere."""
    if gzipped:
        return _find_next(fh, offset + 1, _GZIP_MAGIC + b"\x08", 0)
    return _find_next(fh, offset, _WARC_LINE, 1)  # a "WARC/1." line start, > offset


def _warc_articles(
    path: Path, on_error: ErrorHandler | None, options: ReadOptions
) -> Iterator[Article]:
    source = str(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        _report(InputError(source, f"cannot open file: {exc.strerror or exc}"), on_error)
        return
    with fh:
        try:
            head = fh.read(2)
        except OSError as exc:
            _report(InputError(source, f"cannot read file: {exc.strerror or exc}"), on_error)
            return
        if not head:
            _report(InputError(source, "empty file"), on_error)
            return
        gzipped = head == _GZIP_MAGIC
        state = _State()
        dedup = _Dedup()
        start: int | None = 0
        while start is not None:
            damage = yield from _segment(
                fh, gzipped, start, state, dedup, source, on_error, options
            )
            if damage is None:
                return
            # While hunting for the next readable record after damage, candidates that fail
            # too are the same damage: it is reported once.
            if not state.resyncing:
                uri = f" ({damage.uri})" if damage.uri else ""
                label = f"record {damage.recno} at byte offset {damage.offset}{uri}"
                _report(InputError(source, f"{label}: {damage.reason}"), on_error)
            if damage.truncated:
                return
            # The damaged record uses up its number (exact when one record is damaged).
            state.recno = max(state.recno, damage.recno)
            state.resyncing = True
            start = _resume_at(fh, gzipped, max(damage.offset, start))


def read_warc_articles(
    path: str | os.PathLike[str],
    on_error: ErrorHandler | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """Stream one article per HTML page of a WARC file (plain or gzip), in file order.

    See the module docs for which records are read, the article fields and the errors.
    Problems with the file itself (missing, a directory, ...) are detected when this is called;
    records are read while iterating.
    """
    opts = options or ReadOptions()
    return _streamed(path, on_error, lambda p, handler: _warc_articles(p, handler, opts))
