"""Article readers: plain text, JSON lines and JSON files -> :class:`~wiretrace.model.Article`.

Offsets are sacred (see DESIGN.md), so readers hand over the text *as read*: bytes are decoded
(:mod:`wiretrace.io.decoding`: UTF-8, a byte order mark's encoding, or a detected one) and
control characters removed, and nothing else is translated or stripped. In particular line
endings are kept as they are (``\\r\\n`` stays ``\\r\\n``; this is the equivalent of
``open(..., newline="")``), and leading or trailing whitespace is kept.

Records (JSON, JSON lines) are turned into articles by
:func:`wiretrace.io.fields.article_from_values`: field names by alias or as set in
:class:`~wiretrace.io.fields.FieldNames`, dates in every form of :mod:`wiretrace.io.dates`, and
an optional field that cannot be read left empty with a warning instead of costing the article.
Readers take a :class:`~wiretrace.io.fields.ReadOptions` (fields, date order, encoding, longest
text, where warnings go).

Every problem a user can cause is reported as one :class:`~wiretrace.errors.InputError` naming
the file (and, for JSON lines, the 1-based line) and a one-line reason.

Error modes. The record readers (:func:`read_jsonl_articles`, :func:`read_json_articles`,
:func:`read_articles`) take ``on_error``:

* ``None`` (strict, the default): the first error is raised.
* a callable (lenient): each error is passed to it and reading goes on with the next line or item;
  when the file itself is unusable (missing, a directory, unreadable, malformed JSON array) the
  error is passed on and nothing is yielded. In lenient mode no ``InputError`` escapes.

Example::

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "feed.jsonl"
    >>> _ = p.write_text('{"text": "Hollande in Moskau."}\\n{"id": 7, "text": "Putin"}\\n')
    >>> [(a.id, a.text) for a in read_articles(p)]
    [('feed:1', 'Hollande in Moskau.'), ('7', 'Putin')]
    >>> _ = p.write_text('{"body": "Putin", "pubDate": "26. November 2015"}\\n')
    >>> [(a.id, a.published) for a in read_articles(p)]
    [('feed:1', '2015-11-26')]
"""

from __future__ import annotations

import codecs
import io
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from wiretrace.errors import InputError
from wiretrace.io.decoding import (
    SNIFF_BYTES,
    binary_signature,
    check_control_share,
    clean_text,
    decode_bytes,
    sniff_encoding,
)
from wiretrace.io.fields import BadRecord, ReadOptions, article_from_values
from wiretrace.io.fields import json_type as _json_type
from wiretrace.model import Article

__all__ = [
    "JSONL_SUFFIXES",
    "JSON_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "MAX_JSON_BYTES",
    "ErrorHandler",
    "load_corpus",
    "read_articles",
    "read_json_articles",
    "read_jsonl_articles",
    "read_text_article",
    "ReadOptions",
]

#: Largest plain-text article file, and longest JSON line, accepted (bytes). Checked via ``stat``
#: before reading, so an oversized file is refused without being loaded. Read at call time, so
#: it can be changed (or monkeypatched in tests) module-wide.
MAX_ARTICLE_BYTES: int = 50 * 1024 * 1024

#: Largest ``.json`` file accepted (bytes). A JSON array has to be parsed whole; bigger
#: collections belong in JSON lines, which are streamed line by line.
MAX_JSON_BYTES: int = 512 * 1024 * 1024

#: File suffixes (lower case) read as JSON lines; ``JSON_SUFFIXES`` as a JSON array or object.
JSONL_SUFFIXES: frozenset[str] = frozenset({".jsonl", ".ndjson"})
JSON_SUFFIXES: frozenset[str] = frozenset({".json"})

#: Lenient-mode callback: receives each error, reading continues afterwards.
ErrorHandler = Callable[[InputError], None]



#: A record is unusable; ``args[0]`` is the reason. Turned into InputError by callers.
_BadRecord = BadRecord

#: Keys under which a JSON object holds its array of articles (API dumps, NewsAPI).
_ARRAY_KEYS = ("articles", "items", "data", "results", "entries", "docs", "records", "news")


# --------------------------------------------------------------------------------------------
# files


def _limit_reason(size: int, limit: int, name: str) -> str:
    return f"file is too large ({size} bytes; the limit is {limit} bytes, see {name})"


def _check_file(path: Path, limit: int | None, limit_name: str) -> os.stat_result:
    """Stat ``path`` and refuse anything that is not a readable-looking regular file.

    Raises InputError for a missing path, a directory, a special file (FIFO, device: reading
    those could block or never end) and, when ``limit`` is given, a file larger than it.
    """
    source = str(path)
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(source, "no such file") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as exc:
        raise InputError(source, f"cannot access file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(source, "is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(source, "not a regular file")
    if limit is not None and st.st_size > limit:
        raise InputError(source, _limit_reason(st.st_size, limit, limit_name))
    return st


def _open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` for binary reading, turning OS errors into InputError."""
    source = str(path)
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as exc:
        raise InputError(source, f"cannot open file: {exc.strerror or exc}") from None


def _read_bytes(path: Path, limit: int, limit_name: str) -> bytes:
    """Read a whole (already stat-checked) file, never more than ``limit`` + 1 bytes."""
    source = str(path)
    with _open_binary(path) as fh:
        try:
            # limit + 1 so a file that grew after the stat is still caught without reading it all.
            data = fh.read(limit + 1)
        except OSError as exc:
            raise InputError(source, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(source, _limit_reason(len(data), limit, limit_name))
    return data


def _decode_file(data: bytes, source: str, options: ReadOptions) -> str:
    """Decode a whole file (:func:`~wiretrace.io.decoding.decode_bytes`), warning about a
    detected encoding and removed control characters."""
    decoded = decode_bytes(data, source, options.encoding)
    if decoded.detected:
        options.detected(source, decoded.encoding)
    if decoded.removed:
        options.warn(
            source, f"{decoded.removed} control character(s) removed from the text", kind="control"
        )
    return decoded.text


def read_text_article(
    path: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
    options: ReadOptions | None = None,
) -> Article:
    """Read one plain-text article file.

    ``text`` is the decoded content (UTF-8, else the encoding of a byte order mark, a detected
    or a forced one; control characters removed) with line endings, indentation and surrounding
    whitespace kept, so offsets into it are offsets into the file's text; a text longer than
    ``options.max_chars`` is cut there with a warning. ``id`` is the file name stem, ``path``
    is ``str(path)``.

    ``max_bytes`` defaults to :data:`MAX_ARTICLE_BYTES`; larger files are refused before reading.

    Raises:
        InputError: missing file, a directory, permission denied, a file larger than the limit,
            an empty or whitespace-only file, binary content, or bytes that no encoding fits.
    """
    opts = options or ReadOptions()
    p = Path(path)
    source = str(path)
    limit = MAX_ARTICLE_BYTES if max_bytes is None else max_bytes
    st = _check_file(p, limit, "MAX_ARTICLE_BYTES")
    if st.st_size == 0:
        raise InputError(source, "empty file")
    text = _decode_file(_read_bytes(p, limit, "MAX_ARTICLE_BYTES"), source, opts)
    if not text.strip():
        raise InputError(source, "empty file (only whitespace)")
    return Article(id=p.stem, text=opts.cut(text, source), path=source)


# --------------------------------------------------------------------------------------------
# records


def _article_from_record(
    record: Any, default_id: str, source: str, line: int | None, options: ReadOptions,
    label: str = "",
) -> Article:
    """Validate one parsed JSON value and build an Article; raise _BadRecord with the reason.

    Field names by alias or as set in ``options.fields``
    (:func:`~wiretrace.io.fields.article_from_values`); other keys are ignored (feeds carry all
    sorts of extras).
    """
    if not isinstance(record, dict):
        raise _BadRecord(f"expected a JSON object, got {_json_type(record)}")
    return article_from_values(record, default_id, source, line, options, label=label)


def _report(error: InputError, on_error: ErrorHandler | None) -> None:
    """Strict mode raises, lenient mode hands the error to the callback."""
    if on_error is None:
        raise error
    on_error(error)


class _Dedup:
    """Tracks ids seen in one file; ``where`` is how the first occurrence is named in messages."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def check(self, article_id: str, where: str) -> None:
        first = self._seen.get(article_id)
        if first is not None:
            raise _BadRecord(f"duplicate id {article_id!r} (first used on {first})")
        self._seen[article_id] = where


# --------------------------------------------------------------------------------------------
# JSON lines


class DecodedLines:
    """The lines of a file decoded in its encoding, for the line-based readers (JSON lines, CSV).

    The encoding is chosen from the first :data:`~wiretrace.io.decoding.SNIFF_BYTES` bytes
    (:func:`~wiretrace.io.decoding.sniff_encoding`: a BOM, UTF-8, a forced or a detected one;
    a detected one is reported once as a warning). Lines are read with a bounded ``readline``
    so one runaway line cannot exhaust memory. Iterating yields ``(line number, text,
    problem)``: ``text`` is the decoded line (invalid bytes replaced, so a CSV's structure
    survives) or None for a line over the limit (its rest is skipped), ``problem`` the reason
    the line is unusable or None. A leading BOM is not part of the first line.
    """

    def __init__(self, fh: IO[bytes], source: str, options: ReadOptions, limit: int) -> None:
        self.source = source
        self.limit = limit
        self.lineno = 0
        sample = fh.read(SNIFF_BYTES)
        kind = binary_signature(sample[:16])
        if kind is not None and options.encoding is None:
            raise InputError(source, f"binary content ({kind}), not text")
        complete = len(sample) < SNIFF_BYTES
        self.encoding, detected = sniff_encoding(sample, source, options.encoding, complete)
        head = sample.decode(self.encoding, errors="replace")
        check_control_share(head, clean_text(head)[1], source)
        fh.seek(0)
        if detected:
            options.detected(source, self.encoding)
        self._fh = fh
        # UTF-16 and UTF-32 do not keep b"\n" as the line end byte: read those as text.
        wide = self.encoding.startswith(("utf-16", "utf-32"))
        self._text: IO[str] | None = (
            io.TextIOWrapper(fh, encoding=self.encoding, errors="replace", newline="")
            if wide
            else None
        )
        self._codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding

    def __iter__(self) -> Iterator[tuple[int, str | None, str | None]]:
        return self._lines()

    def _lines(self) -> Iterator[tuple[int, str | None, str | None]]:
        limit = self.limit
        while True:
            if self._text is not None:
                line = self._text.readline(limit + 1)
                if not line:
                    return
                self.lineno += 1
                if self.lineno == 1:
                    line = line.removeprefix("\ufeff")
                if len(line) > limit and not line.endswith("\n"):
                    while True:
                        rest = self._text.readline(1 << 20)
                        if not rest or rest.endswith("\n"):
                            break
                    yield self.lineno, None, self._too_long()
                    continue
                problem = "not valid text in the file's encoding" if "\ufffd" in line else None
                yield self.lineno, line, problem
                continue
            raw = self._fh.readline(limit + 1)
            if not raw:
                return
            self.lineno += 1
            if self.lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if len(raw) > limit and not raw.endswith(b"\n"):
                while True:  # skip the rest of the runaway line in bounded chunks
                    rest = self._fh.readline(1 << 20)
                    if not rest or rest.endswith(b"\n"):
                        break
                yield self.lineno, None, self._too_long()
                continue
            try:
                yield self.lineno, raw.decode(self._codec), None
            except UnicodeDecodeError as exc:
                problem = f"not valid {self._codec} at byte {exc.start} of the line ({exc.reason})"
                yield self.lineno, raw.decode(self._codec, errors="replace"), problem

    def _too_long(self) -> str:
        return f"line is longer than {self.limit} bytes (see MAX_ARTICLE_BYTES)"


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadRecord(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise _BadRecord("malformed JSON: nested too deeply") from None


def _jsonl_articles(
    path: Path, on_error: ErrorHandler | None, options: ReadOptions
) -> Iterator[Article]:
    source = str(path)
    stem = path.stem
    dedup = _Dedup()
    any_content = False
    try:
        fh = _open_binary(path)
    except InputError as err:
        _report(err, on_error)
        return
    with fh:
        try:
            try:
                lines = DecodedLines(fh, source, options, MAX_ARTICLE_BYTES)
            except InputError as err:
                _report(err, on_error)
                return
            for lineno, line, problem in lines:
                if line is not None and not problem and not line.strip():
                    continue  # blank lines are allowed anywhere
                any_content = True
                try:
                    if problem is not None or line is None:
                        raise _BadRecord(problem or "unreadable line")
                    record = _parse_json(line)
                    article = _article_from_record(
                        record, f"{stem}:{lineno}", source, lineno, options
                    )
                    dedup.check(article.id, f"line {lineno}")
                except _BadRecord as exc:
                    _report(InputError(source, str(exc), lineno), on_error)
                    continue
                yield article
        except OSError as exc:
            _report(InputError(source, f"cannot read file: {exc.strerror or exc}"), on_error)
            return
    if not any_content:
        _report(InputError(source, "empty file: no JSON lines"), on_error)


def _streamed(
    path: str | os.PathLike[str],
    on_error: ErrorHandler | None,
    iterate: Callable[[Path, ErrorHandler | None], Iterator[Article]],
) -> Iterator[Article]:
    """Check the file now (missing, a directory, too large ...), then iterate its records
    lazily with ``iterate(path, on_error)``; a file error goes to ``on_error`` when given."""
    p = Path(path)
    try:
        _check_file(p, None, "MAX_ARTICLE_BYTES")
    except InputError as err:
        _report(err, on_error)
        return iter(())
    return iterate(p, on_error)


def read_jsonl_articles(
    path: str | os.PathLike[str],
    on_error: ErrorHandler | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """Stream articles from a JSON lines file (one JSON object per line), in file order.

    Each object is one article (:func:`~wiretrace.io.fields.article_from_values`: the text
    under ``text``, ``body``, ``content`` ... or the key set in ``options.fields``, kept as
    given less control characters; title, outlet, date, url, lang, author by their aliases;
    other keys ignored). ``id`` defaults to ``"{file stem}:{line number}"``; integer ids become
    strings. A date in any form of :mod:`wiretrace.io.dates` is stored as ISO 8601; one that
    cannot be read leaves the article undated with a warning. Blank lines are skipped; a
    leading BOM is tolerated; the encoding is detected (UTF-16 included). ``path`` of every
    article is ``str(path)``.

    The file is read line by line, so memory stays bounded by the longest line, which may be
    at most :data:`MAX_ARTICLE_BYTES` bytes.

    A line is an error (reported with its 1-based number) if it is not valid text, is
    malformed JSON, is not an object, has no usable text (the message names the fields it
    has), an id of the wrong type, or repeats an id used earlier in the file. With
    ``on_error=None`` the first error raises :class:`InputError`; otherwise each error is
    passed to ``on_error`` and the line is skipped (see module docs). Problems with the file
    itself (missing, a directory...) are detected when this is called; line errors while
    iterating.
    """
    opts = options or ReadOptions()
    return _streamed(path, on_error, lambda p, handler: _jsonl_articles(p, handler, opts))


# --------------------------------------------------------------------------------------------
# JSON array / object


def _record_list(data: dict[str, Any]) -> list[Any] | None:
    """The article array an object holds under a key like ``articles`` or ``items``, if it
    holds no article itself (no text field of its own)."""
    for key, value in data.items():
        if key.lower() in _ARRAY_KEYS and isinstance(value, list):
            return value
    return None


def _json_articles(
    source: str, stem: str, data: Any, on_error: ErrorHandler | None, options: ReadOptions
) -> Iterator[Article]:
    if isinstance(data, dict):
        from wiretrace.io.fields import MissingField, resolve_fields

        try:
            own_text = "text" in resolve_fields(list(data), options.fields)
        except MissingField:
            own_text = False
        listed = None if own_text else _record_list(data)
        if listed is not None:
            data = listed
    if isinstance(data, dict):
        items: list[Any] = [data]
        default_ids = [stem]
        labels = [""]
    elif isinstance(data, list):
        if not data:
            _report(InputError(source, "empty JSON array: no articles"), on_error)
            return
        items = data
        default_ids = [f"{stem}:{i + 1}" for i in range(len(items))]
        labels = [f"item {i + 1}: " for i in range(len(items))]
    else:
        reason = f"expected a JSON array of objects or one object, got {_json_type(data)}"
        _report(InputError(source, reason), on_error)
        return
    dedup = _Dedup()
    for index, (item, default_id) in enumerate(zip(items, default_ids, strict=True)):
        try:
            article = _article_from_record(item, default_id, source, None, options, labels[index])
            dedup.check(article.id, f"item {index + 1}")
        except _BadRecord as exc:
            _report(InputError(source, f"item {index + 1}: {exc}"), on_error)
            continue
        yield article


def load_json_file(path: Path, options: ReadOptions) -> Any:
    """A whole JSON file parsed (at most :data:`MAX_JSON_BYTES`); raise InputError."""
    source = str(path)
    limit = MAX_JSON_BYTES
    st = _check_file(path, limit, "MAX_JSON_BYTES")
    if st.st_size == 0:
        raise InputError(source, "empty file")
    text = _decode_file(_read_bytes(path, limit, "MAX_JSON_BYTES"), source, options)
    if not text.strip():
        raise InputError(source, "empty file (only whitespace)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, f"malformed JSON: {exc.msg} (column {exc.colno})", exc.lineno
        ) from None
    except RecursionError:
        raise InputError(source, "malformed JSON: nested too deeply") from None


def read_json_articles(
    path: str | os.PathLike[str],
    on_error: ErrorHandler | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """Read articles from a JSON file: an array of objects, a single object, an object holding
    its array under a key such as ``articles``, ``items`` or ``data`` (API dumps), or a JSON
    Feed (``"version": "https://jsonfeed.org/version/1..."``, read by
    :mod:`wiretrace.io.feed_reader`).

    Fields and validation are those of :func:`read_jsonl_articles`. Default ids are
    ``"{file stem}:{index + 1}"`` for array items and ``"{file stem}"`` for a single object.
    Errors about one item name it (``item 3: ...``; the JSON parser gives no per-item line); a
    malformed file names the line and column of the syntax error. The whole file is parsed at
    once, so it may be at most :data:`MAX_JSON_BYTES` bytes; use JSON lines for more.
    ``on_error`` works as in :func:`read_jsonl_articles`. The file is read when this is called;
    articles are built while iterating.
    """
    opts = options or ReadOptions()
    p = Path(path)
    source = str(path)
    try:
        data = load_json_file(p, opts)
    except InputError as err:
        _report(err, on_error)
        return iter(())
    from wiretrace.io.feed_reader import is_json_feed, json_feed_articles

    if is_json_feed(data):
        return json_feed_articles(data, source, p.stem, on_error, opts)
    return _json_articles(source, p.stem, data, on_error, opts)


# --------------------------------------------------------------------------------------------
# dispatch


def read_articles(
    path: str | os.PathLike[str],
    on_error: ErrorHandler | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """Read the articles in one file, choosing the reader by suffix and content.

    The formats of ``wiretrace analyze`` (:func:`wiretrace.io.discover.read_file`): JSON lines,
    JSON, CSV/TSV, HTML, WARC, feeds (RSS, Atom, JSON Feed), and plain text for anything else.
    ``on_error`` as in :func:`read_jsonl_articles` (for a one-article file a lenient caller gets
    the error and no article).
    """
    from wiretrace.io.discover import read_file

    return read_file(Path(path), on_error, options)


def _corpus_files(directory: Path) -> list[Path]:
    """Regular, non-hidden files directly inside ``directory``, sorted by name (deterministic)."""
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except PermissionError:
        raise InputError(str(directory), "permission denied") from None
    except OSError as exc:
        raise InputError(str(directory), f"cannot list directory: {exc.strerror or exc}") from None
    return [p for p in entries if not p.name.startswith(".") and p.is_file()]


def load_corpus(path: str | os.PathLike[str]) -> dict[str, Article]:
    """Load every article of a file, or of a directory's files, into a dict keyed by id (strict).

    A file is read with :func:`read_articles`. For a directory, its regular non-hidden files
    (not subdirectories) are read in name order, each by suffix. Insertion order is read order.

    Raises:
        InputError: the first problem found, including an id that occurs twice (within a file
            or across files) and a path that yields no articles at all.
    """
    p = Path(path)
    if p.is_dir():
        files = _corpus_files(p)
        if not files:
            raise InputError(str(path), "directory contains no article files")
    else:
        files = [p]
    corpus: dict[str, Article] = {}
    for file in files:
        _add_all(corpus, read_articles(file))
    if not corpus:  # pragma: no cover - every reader raises on an article-less file
        raise InputError(str(path), "no articles found")
    return corpus


def _add_all(corpus: dict[str, Article], articles: Iterable[Article]) -> None:
    for article in articles:
        previous = corpus.get(article.id)
        if previous is not None:
            raise InputError(
                article.path or "<memory>",
                f"duplicate id {article.id!r} (already read from {previous.path})",
            )
        corpus[article.id] = article
