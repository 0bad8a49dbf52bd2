"""Article readers: plain text, JSON lines and JSON files -> :class:`~wiretrace.model.Article`.

Offsets are sacred (see DESIGN.md), so readers hand over the text *exactly as stored*: bytes are
decoded as strict UTF-8 and nothing is translated or stripped, with one exception, a leading
UTF-8 byte order mark (U+FEFF), which is an encoding artefact and not part of the text.
In particular line endings are kept as they are (``\\r\\n`` stays ``\\r\\n``; this is the
equivalent of ``open(..., newline="")``), and leading or trailing whitespace is kept, so
``article.text`` equals the file's bytes decoded, minus the BOM.

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
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from wiretrace.errors import InputError
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

_BOM = b"\xef\xbb\xbf"
_OPTIONAL_STR_FIELDS = ("title", "outlet", "url", "lang")


class _BadRecord(Exception):
    """A JSON record is unusable; ``args[0]`` is the reason. Turned into InputError by callers."""


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


def _decode(data: bytes, *, offset: int = 0) -> str:
    """Decode strict UTF-8; on failure raise _BadRecord naming the byte offset (+ ``offset``)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadRecord(
            f"not valid UTF-8 at byte offset {exc.start + offset} ({exc.reason})"
        ) from None


def _decode_file(data: bytes, source: str) -> str:
    """Decode a whole file: reject binary content, strip one leading UTF-8 BOM, strict UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, "looks like UTF-16 (byte order mark); convert it to UTF-8")
    nul = data.find(b"\x00")
    if nul != -1:
        raise InputError(source, f"binary content (NUL byte at byte offset {nul}), not text")
    skip = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return _decode(data[skip:], offset=skip)
    except _BadRecord as exc:
        raise InputError(source, str(exc)) from None


def read_text_article(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Article:
    """Read one plain-text article file.

    The file must be UTF-8. ``text`` is the decoded content exactly as stored (line endings,
    indentation and surrounding whitespace kept; a leading BOM removed), so offsets into it are
    offsets into the file's text. ``id`` is the file name stem, ``path`` is ``str(path)``.

    ``max_bytes`` defaults to :data:`MAX_ARTICLE_BYTES`; larger files are refused before reading.

    Raises:
        InputError: missing file, a directory, permission denied, a file larger than the limit,
            an empty or whitespace-only file, binary content (NUL bytes), UTF-16, or invalid
            UTF-8 (with the byte offset of the first bad byte).
    """
    p = Path(path)
    source = str(path)
    limit = MAX_ARTICLE_BYTES if max_bytes is None else max_bytes
    st = _check_file(p, limit, "MAX_ARTICLE_BYTES")
    if st.st_size == 0:
        raise InputError(source, "empty file")
    text = _decode_file(_read_bytes(p, limit, "MAX_ARTICLE_BYTES"), source)
    if not text.strip():
        raise InputError(source, "empty file (only whitespace)")
    return Article(id=p.stem, text=text, path=source)


# --------------------------------------------------------------------------------------------
# records


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__  # pragma: no cover - json only produces the types above


def _check_encodable(field: str, value: str) -> str:
    # json.loads accepts "\ud800" escapes and yields lone surrogates that cannot be written back
    # as UTF-8 (store, writers) - refuse them here, where the line number is still known.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _BadRecord(
            f"field '{field}' contains an unpaired surrogate at character {exc.start}"
        ) from None
    return value


def _optional_str(record: dict[str, Any], field: str) -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _BadRecord(f"field '{field}' must be a string or null, got {_json_type(value)}")
    return _check_encodable(field, value)


def _parse_published(record: dict[str, Any]) -> str | None:
    value = _optional_str(record, "published")
    if value is None:
        return None
    candidate = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        datetime.fromisoformat(candidate)
    except ValueError:
        raise _BadRecord(
            f"field 'published' is not an ISO 8601 date or datetime: {value!r}"
        ) from None
    return value  # kept exactly as given


def _record_id(record: dict[str, Any], default_id: str) -> str:
    value = record.get("id")
    if value is None:
        return default_id
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        if not value:
            raise _BadRecord("field 'id' is an empty string")
        return _check_encodable("id", value)
    raise _BadRecord(f"field 'id' must be a string or an integer, got {_json_type(value)}")


def _article_from_record(record: Any, default_id: str, source: str) -> Article:
    """Validate one parsed JSON value and build an Article; raise _BadRecord with the reason.

    Known fields: ``id, text, title, outlet, published, url, lang``; only ``text`` is required.
    Other keys are ignored (feeds carry all sorts of extras).
    """
    if not isinstance(record, dict):
        raise _BadRecord(f"expected a JSON object, got {_json_type(record)}")
    if "text" not in record or record["text"] is None:
        raise _BadRecord("missing required field 'text'")
    text = record["text"]
    if not isinstance(text, str):
        raise _BadRecord(f"field 'text' must be a string, got {_json_type(text)}")
    if not text.strip():
        raise _BadRecord("field 'text' is empty")
    fields = {name: _optional_str(record, name) for name in _OPTIONAL_STR_FIELDS}
    return Article(
        id=_record_id(record, default_id),
        text=_check_encodable("text", text),
        published=_parse_published(record),
        path=source,
        **fields,
    )


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


def _iter_raw_lines(fh: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, raw bytes)``; ``None`` instead of bytes for a line over ``limit``.

    Reads with a bounded ``readline`` so one runaway line cannot exhaust memory; the rest of an
    overlong line is skipped in chunks.
    """
    lineno = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while True:
                rest = fh.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None
        else:
            yield lineno, raw


def _jsonl_articles(path: Path, on_error: ErrorHandler | None) -> Iterator[Article]:
    source = str(path)
    stem = path.stem
    limit = MAX_ARTICLE_BYTES
    dedup = _Dedup()
    any_content = False
    try:
        fh = _open_binary(path)
    except InputError as err:
        _report(err, on_error)
        return
    with fh:
        try:
            for lineno, raw in _iter_raw_lines(fh, limit):
                if raw is None:
                    any_content = True
                    reason = f"line is longer than {limit} bytes (see MAX_ARTICLE_BYTES)"
                    _report(InputError(source, reason, lineno), on_error)
                    continue
                if lineno == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                if not raw.strip():
                    continue  # blank lines are allowed anywhere
                any_content = True
                try:
                    line = _decode(raw)
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise _BadRecord(
                            f"malformed JSON: {exc.msg} (column {exc.colno})"
                        ) from None
                    except RecursionError:
                        raise _BadRecord("malformed JSON: nested too deeply") from None
                    article = _article_from_record(record, f"{stem}:{lineno}", source)
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
    path: str | os.PathLike[str], on_error: ErrorHandler | None = None
) -> Iterator[Article]:
    """Stream articles from a JSON lines file (one JSON object per line), in file order.

    Each object may carry ``id, text, title, outlet, published, url, lang``; only ``text`` (a
    non-blank string, kept exactly as given) is required; other keys are ignored. ``id`` defaults
    to ``"{file stem}:{line number}"``; integer ids become strings. ``published`` must parse as
    ISO 8601 (a trailing ``Z`` is allowed) and is kept as given. Blank lines are skipped; a
    leading BOM is tolerated. ``path`` of every article is ``str(path)``.

    The file is read line by line (bytes, decoded per line), so memory stays bounded by the
    longest line, which may be at most :data:`MAX_ARTICLE_BYTES` bytes.

    A line is an error (reported with its 1-based number) if it is not valid UTF-8, is malformed
    JSON, is not an object, lacks ``text``, has a wrongly typed field, or repeats an id used
    earlier in the file. With ``on_error=None`` the first error raises :class:`InputError`;
    otherwise each error is passed to ``on_error`` and the line is skipped (see module docs).
    Problems with the file itself (missing, a directory...) are detected when this is called;
    line errors while iterating.
    """
    return _streamed(path, on_error, _jsonl_articles)


# --------------------------------------------------------------------------------------------
# JSON array / object


def _json_articles(
    source: str, stem: str, data: Any, on_error: ErrorHandler | None
) -> Iterator[Article]:
    if isinstance(data, dict):
        items: list[Any] = [data]
        default_ids = [stem]
    elif isinstance(data, list):
        if not data:
            _report(InputError(source, "empty JSON array: no articles"), on_error)
            return
        items = data
        default_ids = [f"{stem}:{i + 1}" for i in range(len(items))]
    else:
        reason = f"expected a JSON array of objects or one object, got {_json_type(data)}"
        _report(InputError(source, reason), on_error)
        return
    dedup = _Dedup()
    for index, (item, default_id) in enumerate(zip(items, default_ids, strict=True)):
        try:
            article = _article_from_record(item, default_id, source)
            dedup.check(article.id, f"item {index + 1}")
        except _BadRecord as exc:
            _report(InputError(source, f"item {index + 1}: {exc}"), on_error)
            continue
        yield article


def read_json_articles(
    path: str | os.PathLike[str], on_error: ErrorHandler | None = None
) -> Iterator[Article]:
    """Read articles from a JSON file holding an array of objects, or a single object.

    Fields and validation are those of :func:`read_jsonl_articles`. Default ids are
    ``"{file stem}:{index + 1}"`` for array items and ``"{file stem}"`` for a single object.
    Errors about one item name it (``item 3: ...``; the JSON parser gives no per-item line); a
    malformed file names the line and column of the syntax error. The whole file is parsed at
    once, so it may be at most :data:`MAX_JSON_BYTES` bytes; use JSON lines for more.
    ``on_error`` works as in :func:`read_jsonl_articles`. The file is read when this is called;
    articles are built while iterating.
    """
    p = Path(path)
    source = str(path)
    limit = MAX_JSON_BYTES
    try:
        st = _check_file(p, limit, "MAX_JSON_BYTES")
        if st.st_size == 0:
            raise InputError(source, "empty file")
        text = _decode_file(_read_bytes(p, limit, "MAX_JSON_BYTES"), source)
        if not text.strip():
            raise InputError(source, "empty file (only whitespace)")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                source, f"malformed JSON: {exc.msg} (column {exc.colno})", exc.lineno
            ) from None
        except RecursionError:
            raise InputError(source, "malformed JSON: nested too deeply") from None
    except InputError as err:
        _report(err, on_error)
        return iter(())
    return _json_articles(source, p.stem, data, on_error)


# --------------------------------------------------------------------------------------------
# dispatch


def read_articles(
    path: str | os.PathLike[str], on_error: ErrorHandler | None = None
) -> Iterator[Article]:
    """Read the articles in one file, choosing the reader by suffix (case-insensitive).

    ``.jsonl`` / ``.ndjson``: :func:`read_jsonl_articles`; ``.json``: :func:`read_json_articles`;
    anything else: one plain-text article (:func:`read_text_article`). ``on_error`` as in
    :func:`read_jsonl_articles` (for a text file a lenient caller gets the error and no article).
    """
    suffix = Path(path).suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return read_jsonl_articles(path, on_error)
    if suffix in JSON_SUFFIXES:
        return read_json_articles(path, on_error)
    try:
        article = read_text_article(path)
    except InputError as err:
        _report(err, on_error)
        return iter(())
    return iter((article,))


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
