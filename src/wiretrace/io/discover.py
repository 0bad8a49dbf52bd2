"""Many inputs -> one stream of articles: files, folders (recursive) and glob patterns.

:func:`iter_input_articles` is the input side of ``wiretrace analyze``. Each input is

* a **file**: read by its suffix (see below); a file named explicitly with any other suffix is
  read as plain text, as ``wiretrace compare`` does;
* a **folder**: walked recursively in name order (deterministic), skipping hidden files and
  folders (names starting with ``.``); files with an unsupported suffix are skipped silently and
  counted in :attr:`InputStats.skipped_unsupported`;
* a **glob pattern** (an input containing ``*``, ``?`` or ``[``, e.g. ``data/**/*.html``):
  expanded with :func:`glob.glob` (``recursive=True``; hidden names only match when the pattern
  names them), matches in sorted order; matched folders are walked, matched files with an
  unsupported suffix skipped and counted as in a folder.

Suffixes (case-insensitive): ``.txt`` (one article), ``.json`` (also JSON Feed),
``.jsonl``/``.ndjson``, ``.csv``/``.tsv``, ``.html``/``.htm`` (one article),
``.warc``/``.warc.gz``, and feeds ``.rss``/``.atom``/``.xml`` (RSS or Atom, recognised by
content: an ``.xml`` file that is not a feed is skipped in a folder and an error when named).
A file named explicitly with another suffix is looked at: a feed or an HTML page is read as
one, anything else as plain text. A file reached twice (overlapping inputs) is read once.

Every reader takes the same :class:`~wiretrace.io.fields.ReadOptions` (field names, date
order, encoding, longest text); warnings (an unreadable date, removed control characters, a
detected encoding, a cut text, a teaser-only feed entry) are counted per kind in
:class:`InputStats` with the first of each, and passed on to the options' handler.

Ids. Record formats keep their readers' ids (the record's ``id``, else ``"{stem}:{n}"``; the
target URI for WARC pages). One-article files found inside a folder or by a glob get their path
relative to that folder (or to the pattern's fixed leading folder), without the suffix and with
``/`` separators (``2015/11/hochwasser``), so that equal file names in different folders do not
collide; directly inside the folder that is just the stem, as for an explicitly named file.
An id met again later in this iteration is an error for that record (lenient: it is skipped);
duplicates against articles stored earlier are the caller's business.

Errors follow :mod:`wiretrace.io.readers`: with ``on_error=None`` the first
:class:`~wiretrace.errors.InputError` is raised; otherwise every error (an input that matches
nothing, a folder that cannot be listed, a bad file, line or record) is passed to ``on_error``
and reading goes on. :class:`InputStats` counts what happened.

Example::

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a.txt").write_text("Hollande in Moskau.")
    >>> _ = (root / "notes.pdf").write_bytes(b"%PDF")
    >>> stats = InputStats()
    >>> [a.id for a in iter_input_articles([str(root)], stats=stats)]
    ['a']
    >>> stats.files_read, stats.articles, stats.skipped_unsupported
    (1, 1, 1)
"""

from __future__ import annotations

import dataclasses
import glob
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wiretrace.errors import InputError
from wiretrace.io.csv_reader import CSV_SUFFIXES, CsvColumns, read_csv_articles
from wiretrace.io.decoding import binary_signature
from wiretrace.io.feed_reader import FEED_SUFFIXES, feed_articles, looks_like_feed
from wiretrace.io.fields import InputWarning, ReadOptions
from wiretrace.io.html_reader import HTML_SUFFIXES, read_html_article
from wiretrace.io.readers import (
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    MAX_JSON_BYTES,
    ErrorHandler,
    _check_file,
    _read_bytes,
    _report,
    read_json_articles,
    read_jsonl_articles,
    read_text_article,
)
from wiretrace.io.warc_reader import read_warc_articles
from wiretrace.model import Article

__all__ = [
    "SUPPORTED_SUFFIXES",
    "InputStats",
    "input_format",
    "iter_input_articles",
    "read_file",
    "sniff_format",
]

#: Every file ending read by suffix (lower case); ``.warc.gz`` is matched as a whole.
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt",
    *sorted(JSON_SUFFIXES),
    *sorted(JSONL_SUFFIXES),
    *sorted(CSV_SUFFIXES),
    *sorted(HTML_SUFFIXES),
    ".warc",
    ".warc.gz",
    *sorted(FEED_SUFFIXES),
)

_GLOB_CHARS = frozenset("*?[")


@dataclass(slots=True)
class InputStats:
    """What :func:`iter_input_articles` did; complete once the iteration has finished.

    ``files_read``: files handed to a reader (including ones that turned out bad);
    ``articles``: articles yielded; ``errors``: errors reported (each one reached ``on_error``,
    or was raised in strict mode); ``skipped_unsupported``: files in folders or glob matches
    skipped for their suffix, with ``skipped_suffixes`` counting them per suffix (``""`` for
    files without one).
    """

    files_read: int = 0
    articles: int = 0
    errors: int = 0
    skipped_unsupported: int = 0
    skipped_suffixes: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    first_warning: dict[str, str] = field(default_factory=dict)
    field_maps: dict[str, set[str]] = field(default_factory=dict)

    def note_warning(self, warning: InputWarning) -> None:
        """Count a warning under its kind, keeping the first of each kind as the example."""
        self.warnings[warning.kind] = self.warnings.get(warning.kind, 0) + 1
        self.first_warning.setdefault(warning.kind, str(warning))

    def note_fields(self, source: str, mapping: dict[str, str]) -> None:
        """Record which input field fed which article field (only where the names differ)."""
        renamed = [
            f"{name} -> {field}" for field, name in mapping.items() if name.strip().lower() != field
        ]
        if renamed:
            self.field_maps.setdefault(", ".join(renamed), set()).add(source)


def input_format(path: str | os.PathLike[str]) -> str | None:
    """The format a file is read as, by suffix: ``"text"``, ``"json"``, ``"jsonl"``,
    ``"csv"``, ``"html"``, ``"warc"``; None for an unsupported suffix."""
    name = os.fspath(path).lower()
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    suffix = os.path.splitext(name)[1]
    if suffix == ".txt":
        return "text"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix == ".xml":
        return "xml"
    if suffix in FEED_SUFFIXES:
        return "feed"
    return None


_HTML_START = (b"<!doctype html", b"<html")


def sniff_format(path: Path, kind: str | None) -> str | None:
    """The format of a file whose suffix does not decide it, from its first 4 KB.

    ``kind`` is :func:`input_format`'s answer: ``"xml"`` becomes ``"feed"`` or None (not a
    feed); None (an unknown suffix) becomes ``"feed"``, ``"html"`` or ``"text"``. Other kinds
    are returned as they are. An unreadable file is left to its reader to report.
    """
    if kind not in (None, "xml"):
        return kind
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "text" if kind is None else "feed"
    if looks_like_feed(head):
        return "feed"
    if kind == "xml":
        return None
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if binary_signature(head) is None and start.startswith(_HTML_START):
        return "html"
    return "text"


def _feed_file(path: Path, on_error: ErrorHandler | None, options: ReadOptions) -> Iterator[Article]:
    source = str(path)
    try:
        _check_file(path, MAX_JSON_BYTES, "MAX_JSON_BYTES")
        data = _read_bytes(path, MAX_JSON_BYTES, "MAX_JSON_BYTES")
    except InputError as err:
        _report(err, on_error)
        return
    yield from feed_articles(data, source, path.stem, on_error, options)


def read_file(
    path: Path,
    on_error: ErrorHandler | None = None,
    options: ReadOptions | None = None,
    *,
    kind: str | None = None,
    article_id: str | None = None,
) -> Iterator[Article]:
    """The articles of one file, read by its format (``kind``, else by suffix and content).

    ``article_id`` names a one-article file's article (text, HTML; default: the file stem).
    Errors go to ``on_error`` (strict mode: raised), warnings to ``options``.
    """
    opts = options or ReadOptions()
    if kind is None:
        kind = sniff_format(path, input_format(path))
        if kind is None:
            _report(InputError(str(path), "an XML file that is not an RSS or Atom feed"), on_error)
            return
    if kind in ("text", "html"):
        try:
            if kind == "text":
                article = read_text_article(path, options=opts)
            else:
                article = read_html_article(path, options=opts)
        except InputError as err:
            _report(err, on_error)
            return
        if article_id is not None and article_id != article.id:
            article = dataclasses.replace(article, id=article_id)
        yield article
    elif kind == "json":
        yield from read_json_articles(path, on_error, opts)
    elif kind == "jsonl":
        yield from read_jsonl_articles(path, on_error, opts)
    elif kind == "csv":
        yield from read_csv_articles(path, on_error, options=opts)
    elif kind == "feed":
        yield from _feed_file(path, on_error, opts)
    else:
        yield from read_warc_articles(path, on_error, opts)


def _suffix_label(name: str) -> str:
    lower = name.lower()
    return ".warc.gz" if lower.endswith(".warc.gz") else os.path.splitext(lower)[1]


def _relative_id(path: Path, base: Path | None) -> str:
    """Id of a one-article file: path relative to ``base`` without the suffix, else the stem."""
    if base is None:
        return path.stem
    try:
        rel = path.relative_to(base)
    except ValueError:
        return path.stem
    return rel.with_name(path.stem).as_posix()


def _through_a_loop(path: str) -> bool:
    """Whether ``path`` passes through the same folder twice (via a symbolic link)."""
    seen: set[str] = set()
    for parent in Path(path).parents:
        real = os.path.realpath(parent)
        if real in seen:
            return True
        seen.add(real)
    return False


def _glob_base(pattern: str) -> Path:
    """The leading folders of ``pattern`` that contain no glob characters."""
    parts = Path(pattern).parts
    fixed: list[str] = []
    for part in parts[:-1]:
        if _GLOB_CHARS.intersection(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


class _Run:
    """State of one iteration: error counting, files already read, ids already yielded."""

    def __init__(
        self, on_error: ErrorHandler | None, options: ReadOptions, stats: InputStats
    ) -> None:
        self.on_error = on_error
        self.stats = stats
        passed_on = options.on_warning

        def on_warning(warning: InputWarning) -> None:
            stats.note_warning(warning)
            passed_on(warning)

        self.options = dataclasses.replace(
            options, on_warning=on_warning, on_fields=stats.note_fields
        )
        self.seen_files: set[tuple[int, int] | str] = set()
        self.seen_dirs: set[tuple[int, int]] = set()
        self.ids: dict[str, str] = {}
        self.found = 0  # article files met, including ones already read via another input

    def report(self, error: InputError) -> None:
        self.stats.errors += 1
        if self.on_error is None:
            raise error
        self.on_error(error)

    # -- inputs --------------------------------------------------------------------------

    def expand(self, raw: str) -> Iterator[Article]:
        if _GLOB_CHARS.intersection(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if "**" in raw:
                # "**" follows links to folders, round a link loop until the path is too long
                # ("a/loop/loop/.../x.txt", one match per level): keep only loop-free paths.
                matches = [m for m in matches if not _through_a_loop(m)]
            if matches:
                base = _glob_base(raw)
                for match in matches:
                    p = Path(match)
                    if p.is_dir():
                        yield from self.walk(p, base)
                    else:
                        yield from self.file(p, base, explicit=False)
                return
            if not os.path.lexists(raw):  # else: a name that merely contains "[" or "*"
                self.report(InputError(raw, "no files match this pattern"))
                return
        p = Path(raw)
        try:
            st = p.stat()
        except (FileNotFoundError, NotADirectoryError):
            self.report(InputError(raw, "no such file or directory"))
            return
        except PermissionError:
            self.report(InputError(raw, "permission denied"))
            return
        except OSError as exc:
            self.report(InputError(raw, f"cannot access: {exc.strerror or exc}"))
            return
        if not stat.S_ISDIR(st.st_mode):
            yield from self.file(p, None, explicit=True)
            return
        if (st.st_dev, st.st_ino) in self.seen_dirs:
            return  # the same folder named twice: read once
        before = (self.found, self.stats.skipped_unsupported, self.stats.errors)
        yield from self.walk(p, p)
        if self.found == before[0] and self.stats.errors == before[2]:
            skipped = self.stats.skipped_unsupported - before[1]
            extra = f"; {skipped} other file(s) skipped" if skipped else ""
            kinds = " ".join(SUPPORTED_SUFFIXES)
            self.report(InputError(raw, f"folder contains no article files ({kinds}){extra}"))

    def walk(self, folder: Path, base: Path) -> Iterator[Article]:
        """Files under ``folder``, depth first, entries in name order; hidden ones skipped."""
        try:
            st = folder.stat()
            key = (st.st_dev, st.st_ino)
            if key in self.seen_dirs:  # a symlink loop, or a folder reached twice
                return
            self.seen_dirs.add(key)
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except PermissionError:
            self.report(InputError(str(folder), "permission denied (cannot list the folder)"))
            return
        except OSError as exc:
            self.report(InputError(str(folder), f"cannot list the folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows symlinks; a broken link is not a folder
            except OSError as exc:
                self.report(InputError(str(path), f"cannot access: {exc.strerror or exc}"))
                continue
            if is_dir:
                yield from self.walk(path, base)
            else:
                yield from self.file(path, base, explicit=False)

    # -- files ---------------------------------------------------------------------------

    def file(self, path: Path, base: Path | None, *, explicit: bool) -> Iterator[Article]:
        """Read one file by suffix (unsupported suffixes: skipped unless named explicitly)."""
        kind = input_format(path)
        if kind == "xml" or (kind is None and explicit):
            kind = sniff_format(path, kind)
        if kind is None and not explicit:
            label = _suffix_label(path.name)
            self.stats.skipped_unsupported += 1
            self.stats.skipped_suffixes[label] = self.stats.skipped_suffixes.get(label, 0) + 1
            return
        self.found += 1
        try:
            st = path.stat()
            key: tuple[int, int] | str = (st.st_dev, st.st_ino)
        except OSError:
            key = os.path.abspath(path)  # the reader reports the problem
        if key in self.seen_files:
            return
        self.seen_files.add(key)
        self.stats.files_read += 1
        source = str(path)
        for article in self.articles(path, kind or "text", base):
            first = self.ids.get(article.id)
            if first is not None:  # repeats inside one file are caught by its reader
                reason = f"duplicate id {article.id!r} (already read from {first})"
                self.report(InputError(source, reason))
                continue
            self.ids[article.id] = source
            self.stats.articles += 1
            yield article

    def articles(self, path: Path, kind: str, base: Path | None) -> Iterator[Article]:
        article_id = _relative_id(path, base) if kind in ("text", "html") else None
        yield from read_file(path, self.report, self.options, kind=kind, article_id=article_id)


def iter_input_articles(
    inputs: Sequence[str | os.PathLike[str]],
    on_error: ErrorHandler | None = None,
    csv_columns: CsvColumns | None = None,
    *,
    stats: InputStats | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """Stream the articles of every input (files, folders, glob patterns), in input order.

    See the module docs for how inputs are expanded, which files are read, the ids and the
    errors. ``options`` (:class:`~wiretrace.io.fields.ReadOptions`) apply to every file;
    ``csv_columns`` (the field names) overrides its ``fields``. Pass ``stats`` (an
    :class:`InputStats`) to read the counts once iteration has finished; they are updated as it
    goes.

    The iteration is lazy: nothing is read before the first ``next()``.
    """
    opts = options or ReadOptions()
    if csv_columns is not None:
        opts = dataclasses.replace(opts, fields=csv_columns)
    run = _Run(on_error, opts, stats if stats is not None else InputStats())
    for raw in inputs:
        yield from run.expand(os.fspath(raw))
