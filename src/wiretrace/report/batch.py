"""Compare many pairs of articles: the library half of ``wiretrace compare --pairs``.

A *pairs file* lists one pair per line: two whitespace-separated references, either file paths
(relative to a base directory) or article ids of a corpus. Blank lines and lines whose first
non-blank character is ``#`` are skipped. :func:`read_pairs_file` parses it;
:func:`compare_pairs` compares every pair on worker processes and yields one
:class:`PairOutcome` per pair **in input order**, each carrying the ``compare --json`` record
(:func:`~wiretrace.report.compare.comparison_to_dict`) or the reason the pair was skipped.

Every worker caches ``prepare()`` per path (or id), so an article named in many pairs is read
and prepared once per worker. A bad pair never stops the run: it becomes an outcome with an
:class:`~wiretrace.errors.InputError` naming the pairs file and line.

Example::

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "x.txt").write_text("Die Präsidenten trafen sich am Donnerstag in Moskau.")
    >>> _ = (d / "pairs.txt").write_text("# a comment\\nx.txt x.txt\\nx.txt missing.txt\\n")
    >>> pairs, bad = read_pairs_file(d / "pairs.txt")
    >>> [(o.pair.line, o.error is None) for o in compare_pairs(pairs, base_dir=d, jobs=1)]
    [(2, True), (3, False)]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from wiretrace.errors import InputError
from wiretrace.model import Article
from wiretrace.settings import Settings

__all__ = ["PairOutcome", "PairRef", "compare_pairs", "read_article_file", "read_pairs_file"]

Progress = Callable[[int, int], None]
"""``progress(done_pairs, total_pairs)``, called in the calling process as results arrive."""

_CACHE_ARTICLES = 256  # prepared articles kept per worker
_MAX_CHUNK = 32  # pairs per task sent to a worker


@dataclass(frozen=True, slots=True)
class PairRef:
    """One pair as listed: the pairs file (``source``), its 1-based ``line`` and the two refs."""

    source: str
    line: int
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """The result of one pair: ``record`` (the JSON schema dict) or ``error`` (why skipped)."""

    pair: PairRef
    record: dict[str, Any] | None
    error: InputError | None


def read_article_file(path: str | os.PathLike[str], options: Any = None) -> Article:
    """One article from a file, read as ``wiretrace analyze`` reads it.

    Every format of :func:`wiretrace.io.discover.read_file` (text, HTML, JSON, JSON lines,
    CSV, feeds, WARC), with the same encodings, field names and dates (``options``, a
    :class:`~wiretrace.io.fields.ReadOptions`). A file holding several articles gives its first
    one, or the one named after a ``#``: ``corpus.jsonl#flood-wire`` (when no file of that
    whole name exists).

    Raises InputError (missing, a directory, empty, binary, too large, malformed, no such id).
    """
    from wiretrace.io.discover import read_file

    p = Path(path)
    wanted: str | None = None
    name = os.fspath(path)
    if "#" in name and not os.path.lexists(name):
        file_part, wanted = name.rsplit("#", 1)
        p = Path(file_part)
    articles = read_file(p, None, options)
    try:
        for article in articles:
            if wanted is None or article.id == wanted:
                return article
    finally:
        close = getattr(articles, "close", None)
        if close is not None:
            close()  # a JSON lines reader holds the file open until closed
    if wanted is not None:
        raise InputError(str(p), f"no article with id {wanted!r}")
    raise InputError(str(p), "no articles")  # pragma: no cover - readers raise on no articles


def read_pairs_file(path: str | os.PathLike[str]) -> tuple[list[PairRef], list[InputError]]:
    """The pairs listed in ``path`` in file order, and one error per malformed line.

    Raises InputError if the file itself is unusable (missing, a directory, not UTF-8, too big).
    """
    from wiretrace.io.readers import read_text_article

    source = str(path)
    try:
        text = read_text_article(path).text
    except InputError as err:
        if err.reason.startswith("empty file"):
            return [], []  # an empty pairs file lists no pairs; that is not an error
        raise
    pairs: list[PairRef] = []
    errors: list[InputError] = []
    for n, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) != 2:
            reason = f"expected two whitespace-separated paths or ids, got {len(fields)} fields"
            errors.append(InputError(source, reason, n))
            continue
        pairs.append(PairRef(source, n, fields[0], fields[1]))
    return pairs, errors


# --- the workers ----------------------------------------------------------------------------

_settings: Settings = Settings()
_base_dir: Path | None = None
_corpus: Mapping[str, Article] | None = None
_corpus_name: str = ""
_read_options: Any = None


def _init_worker(
    settings: Settings,
    base_dir: Path | None,
    corpus: Mapping[str, Article] | None,
    corpus_name: str,
    read_options: Any = None,
) -> None:
    """Set this process's inputs and empty its cache."""
    global _settings, _base_dir, _corpus, _corpus_name, _read_options
    _settings, _base_dir, _corpus, _corpus_name = settings, base_dir, corpus, corpus_name
    _read_options = read_options
    _prepared.cache_clear()


@lru_cache(maxsize=_CACHE_ARTICLES)
def _prepared(ref: str) -> tuple[Article, Any]:
    """The article a reference names and its prepared body, cached per reference."""
    from wiretrace.reuse.prepared import prepare

    if _corpus is not None:
        article = _corpus.get(ref)
        if article is None:
            raise InputError(_corpus_name, f"unknown id {ref!r}")
    else:
        path = Path(ref)
        if _base_dir is not None and not path.is_absolute():
            path = _base_dir / path
        article = read_article_file(path, _read_options)
    return article, prepare(article.text, _settings.align)


def _compare_one(pair: PairRef) -> tuple[dict[str, Any] | None, tuple[str, int, str] | None]:
    from wiretrace.report.compare import compare_prepared, comparison_to_dict

    try:
        a, pa = _prepared(pair.a)
        b, pb = _prepared(pair.b)
    except InputError as err:
        # InputError does not pickle (its __init__ takes three arguments): carry plain fields.
        reason = f"{err.reason} (not in {err.source})" if _corpus is not None else str(err)
        return None, (pair.source, pair.line, reason)
    result = compare_prepared(a, b, pa, pb, _settings)
    return comparison_to_dict(result, agencies=_settings.corpus.agencies), None


def _compare_chunk(
    chunk: list[PairRef],
) -> list[tuple[dict[str, Any] | None, tuple[str, int, str] | None]]:
    return [_compare_one(p) for p in chunk]


def _outcomes(pairs: Sequence[PairRef], jobs: int, initargs: tuple[Any, ...]) -> Iterator[Any]:
    """Per-pair raw results in input order, in this process when ``jobs == 1``."""
    if jobs == 1:
        _init_worker(*initargs)
        try:
            for p in pairs:
                yield _compare_one(p)
        finally:
            _init_worker(Settings(), None, None, "")
        return
    chunk = max(1, min(_MAX_CHUNK, len(pairs) // (jobs * 8)))
    batches = [list(pairs[i : i + chunk]) for i in range(0, len(pairs), chunk)]
    with multiprocessing.Pool(jobs, initializer=_init_worker, initargs=initargs) as pool:
        for results in pool.imap(_compare_chunk, batches):
            yield from results


def compare_pairs(
    pairs: Sequence[PairRef],
    *,
    base_dir: str | os.PathLike[str] | None = None,
    corpus: Mapping[str, Article] | None = None,
    corpus_name: str = "corpus",
    settings: Settings | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    read_options: Any = None,
) -> Iterator[PairOutcome]:
    """Compare every pair; yield one :class:`PairOutcome` per pair, in the order of ``pairs``.

    With ``corpus`` (articles by id), refs are ids; otherwise they are paths of plain-text
    article files, relative ones resolved against ``base_dir`` (default: the working directory).
    ``jobs`` worker processes (default ``os.cpu_count()``, at most one per pair; 1 runs in this
    process). A pair naming a missing, unreadable or unknown article yields an outcome whose
    ``error`` is an InputError with the pairs file as source and the pair's line.
    ``read_options`` (a :class:`~wiretrace.io.fields.ReadOptions` without a custom warning
    handler: it goes to the worker processes) sets how files are read.
    """
    settings = settings or Settings()
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(pairs)))
    root = Path(base_dir) if base_dir is not None else None
    initargs = (settings, root, corpus, corpus_name, read_options)
    for done, (pair, (record, failure)) in enumerate(
        zip(pairs, _outcomes(pairs, jobs, initargs), strict=True), start=1
    ):
        error = None if failure is None else InputError(failure[0], failure[2], failure[1])
        yield PairOutcome(pair, record, error)
        if progress is not None:
            progress(done, len(pairs))
