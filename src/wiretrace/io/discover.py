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

Suffixes (case-insensitive): ``.txt`` (one article), ``.json``, ``.jsonl``/``.ndjson``,
``.csv``/``.tsv``, ``.html``/``.htm`` (one article), ``.warc``/``.warc.gz``. A file reached
twice (overlapping inputs) is read once.

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
from wiretrace.io.html_reader import HTML_SUFFIXES, read_html_article
from wiretrace.io.readers import (
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    ErrorHandler,
    read_json_articles,
    read_jsonl_articles,
    read_text_article,
)
from wiretrace.io.warc_reader import read_warc_articles
from wiretrace.model import Article

__all__ = ["SUPPORTED_SUFFIXES", "InputStats", "input_format", "iter_input_articles"]

#: Every file ending read by suffix (lower case); ``.warc.gz`` is matched as a whole.
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt",
    *sorted(JSON_SUFFIXES),
    *sorted(JSONL_SUFFIXES),
    *sorted(CSV_SUFFIXES),
    *sorted(HTML_SUFFIXES),
    ".warc",
    ".warc.gz",
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
    return None


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
        self, on_error: ErrorHandler | None, csv_columns: CsvColumns | None, stats: InputStats
    ) -> None:
        self.on_error = on_error
        self.csv_columns = csv_columns
        self.stats = stats
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
        on_error = self.report
        if kind in ("text", "html"):
            reader = read_text_article if kind == "text" else read_html_article
            try:
                article = reader(path)
            except InputError as err:
                self.report(err)
                return
            article_id = _relative_id(path, base)
            if article_id != article.id:
                article = dataclasses.replace(article, id=article_id)
            yield article
        elif kind == "json":
            yield from read_json_articles(path, on_error)
        elif kind == "jsonl":
            yield from read_jsonl_articles(path, on_error)
        elif kind == "csv":
            yield from read_csv_articles(path, on_error, self.csv_columns)
        else:
            yield from read_warc_articles(path, on_error)


def iter_input_articles(
    inputs: Sequence[str | os.PathLike[str]],
    on_error: ErrorHandler | None = None,
    csv_columns: CsvColumns | None = None,
    *,
    stats: InputStats | None = None,
) -> Iterator[Article]:
    """Stream the articles of every input (files, folders, glob patterns), in input order.

    See the module docs for how inputs are expanded, which files are read, the ids and the
    errors. ``csv_columns`` applies to every CSV file. Pass ``stats`` (an :class:`InputStats`)
    to read the counts once iteration has finished; they are updated as it goes.

    The iteration is lazy: nothing is read before the first ``next()``.
    """
    run = _Run(on_error, csv_columns, stats if stats is not None else InputStats())
    for raw in inputs:
        yield from run.expand(os.fspath(raw))
