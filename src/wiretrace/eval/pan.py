"""Run the aligner over a PAN text-alignment corpus and score it with PlagDet.

Corpus layout (PAN 2013): ``src/`` and ``susp/`` hold the documents; every other folder with a
``pairs`` file is a subset. Each ``pairs`` line is ``suspicious-documentX.txt source-documentY.txt``
and the subset folder holds the truth of that pair in ``suspicious-documentX-source-documentY.xml``,
whose ``<feature name="plagiarism" this_offset= this_length= source_reference= source_offset=
source_length= />`` elements are the cases. Offsets and lengths are code points of the documents
decoded as UTF-8 (read with ``newline=""``, nothing stripped).
"""

from __future__ import annotations

import multiprocessing
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from wiretrace.errors import InputError
from wiretrace.eval.plagdet import Case, PlagdetScore, score
from wiretrace.model import Passage, Span
from wiretrace.reuse.align import PreparedText, align_prepared, prepare
from wiretrace.settings import AlignSettings

Aligner = Callable[[str, str], list[Passage]]
"""``(susp_text, src_text) -> passages`` with ``a`` in susp and ``b`` in src; must be picklable."""

Progress = Callable[[int, int], None]
"""``progress(done_pairs, total_pairs)``, called in the calling process after each chunk."""

SRC_DIR = "src"
SUSP_DIR = "susp"
PAIRS_FILE = "pairs"
TRUTH_FEATURE = "plagiarism"
DETECTION_FEATURE = "detected-plagiarism"
_CACHE_DOCS = 64  # documents kept per worker (text and prepared form)
_MAX_CHUNK = 64  # pairs per task sent to a worker


@dataclass(frozen=True, slots=True)
class CorpusPair:
    """One listed pair: document file names (in ``susp/``, ``src/``) and its truth file."""

    subset: str
    susp: str
    src: str
    truth: Path

    @property
    def key(self) -> tuple[str, str]:
        """The pair key used for scoring: ``(susp, src)`` file names."""
        return (self.susp, self.src)


@dataclass(frozen=True)
class PlagdetReport:
    """Scores of one run: per subset (own cases and detections), overall (all pairs pooled).

    ``pairs`` is the number of pairs aligned, ``seconds`` the wall time of the whole run
    (reading, aligning and scoring), ``jobs`` the worker processes used.
    """

    subsets: dict[str, PlagdetScore]
    overall: PlagdetScore
    pairs: int
    seconds: float
    jobs: int

    @property
    def pairs_per_second(self) -> float:
        """Throughput of the whole run, in pairs per wall-clock second."""
        return self.pairs / self.seconds if self.seconds > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every number in the report."""
        return {
            "subsets": {name: asdict(s) for name, s in self.subsets.items()},
            "overall": asdict(self.overall),
            "pairs": self.pairs,
            "seconds": self.seconds,
            "pairs_per_second": self.pairs_per_second,
            "jobs": self.jobs,
        }


# --- reading the corpus -------------------------------------------------------------------


def read_text(path: Path | str) -> str:
    """A document exactly as PAN offsets index it: UTF-8, no newline translation."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise InputError(str(path), f"not valid UTF-8 ({e.reason} at byte {e.start})") from e
    except OSError as e:
        raise InputError(str(path), e.strerror or str(e)) from e


def find_subsets(corpus_dir: Path | str) -> list[str]:
    """Names of the subset folders (those holding a ``pairs`` file), sorted."""
    root = Path(corpus_dir)
    if not root.is_dir():
        raise InputError(str(root), "corpus directory not found")
    for docs in (SRC_DIR, SUSP_DIR):
        if not (root / docs).is_dir():
            raise InputError(str(root), f"no {docs}/ folder: not a PAN text-alignment corpus")
    names = sorted(p.parent.name for p in root.glob(f"*/{PAIRS_FILE}") if p.is_file())
    if not names:
        raise InputError(str(root), f"no subset folders (folders with a {PAIRS_FILE!r} file)")
    return names


def truth_name(susp: str, src: str) -> str:
    """File name of a pair's truth (and detection) XML: ``<susp stem>-<src stem>.xml``."""
    return f"{Path(susp).stem}-{Path(src).stem}.xml"


def _check_doc(root: Path, folder: str, name: str, pairs_path: Path, line: int) -> None:
    """Raise unless ``name`` is a plain file name present in ``root/folder``."""
    if Path(name).name != name or name in (".", ".."):
        raise InputError(str(pairs_path), f"{name!r} is not a plain file name", line)
    if not (root / folder / name).is_file():
        raise InputError(str(pairs_path), f"{folder}/{name} not found", line)


def read_subset_pairs(corpus_dir: Path | str, subset: str) -> list[CorpusPair]:
    """The pairs of one subset in file order, checking that documents and truth files exist."""
    root = Path(corpus_dir)
    pairs_path = root / subset / PAIRS_FILE
    text = read_text(pairs_path)
    pairs: list[CorpusPair] = []
    seen: set[tuple[str, str]] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise InputError(str(pairs_path), "expected '<suspicious doc> <source doc>'", n)
        susp, src = fields
        _check_doc(root, SUSP_DIR, susp, pairs_path, n)
        _check_doc(root, SRC_DIR, src, pairs_path, n)
        truth = root / subset / truth_name(susp, src)
        if not truth.is_file():
            raise InputError(str(pairs_path), f"truth file {truth.name} not found", n)
        if (susp, src) in seen:
            raise InputError(str(pairs_path), f"pair {susp} {src} listed twice", n)
        seen.add((susp, src))
        pairs.append(CorpusPair(subset, susp, src, truth))
    return pairs


def read_pairs(
    corpus_dir: Path | str, subsets: Sequence[str] | None = None, limit: int | None = None
) -> list[CorpusPair]:
    """Pairs of the chosen subsets (all by default), subset by subset in file order.

    ``limit`` keeps only the first ``limit`` pairs of each subset (a quick, still mixed run).
    """
    available = find_subsets(corpus_dir)
    chosen = list(available) if subsets is None else list(subsets)
    for name in chosen:
        if name not in available:
            raise InputError(str(corpus_dir), f"no subset {name!r} (have {', '.join(available)})")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    pairs: list[CorpusPair] = []
    for name in chosen:
        pairs.extend(read_subset_pairs(corpus_dir, name)[:limit])
    if not pairs:
        raise InputError(str(corpus_dir), "no pairs to evaluate")
    return pairs


def _int_attr(feature: ET.Element, name: str, path: Path) -> int:
    """A non-negative integer attribute of a feature element."""
    value = feature.get(name)
    if value is None:
        raise InputError(str(path), f"feature without {name}")
    try:
        number = int(value)
    except ValueError:
        raise InputError(str(path), f"{name}={value!r} is not an integer") from None
    if number < 0:
        raise InputError(str(path), f"{name}={number} is negative")
    return number


def _parse_xml(path: Path) -> ET.Element:
    """The root element of an XML file, errors as InputError with the line."""
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        line, _column = e.position
        raise InputError(str(path), f"malformed XML: {e.msg}", line) from e
    except OSError as e:
        raise InputError(str(path), e.strerror or str(e)) from e


def read_truth(path: Path | str, susp: str, src: str, feature: str = TRUTH_FEATURE) -> list[Case]:
    """The cases of pair ``(susp, src)``: its ``<feature name=feature>`` elements, in file order.

    Only features with that name count (``about``, ``md5`` … are metadata). The document's
    ``reference`` must be ``susp`` and each feature's ``source_reference`` must be ``src``.
    Pass ``feature="detected-plagiarism"`` to read detections written by :func:`write_detections`.
    """
    path = Path(path)
    root = _parse_xml(path)
    if root.tag != "document":
        raise InputError(str(path), f"root element is <{root.tag}>, expected <document>")
    if root.get("reference") != susp:
        raise InputError(
            str(path), f"document reference={root.get('reference')!r}, expected {susp!r}"
        )
    cases: list[Case] = []
    for el in root.iter("feature"):
        if el.get("name") != feature:
            continue
        if el.get("source_reference") != src:
            got = el.get("source_reference")
            raise InputError(str(path), f"source_reference={got!r}, expected {src!r}")
        start, length = _int_attr(el, "this_offset", path), _int_attr(el, "this_length", path)
        s_start, s_len = _int_attr(el, "source_offset", path), _int_attr(el, "source_length", path)
        cases.append(Case((susp, src), Span(start, start + length), Span(s_start, s_start + s_len)))
    return cases


# --- writing detections -------------------------------------------------------------------


def detections_xml(susp: str, src: str, passages: Sequence[Passage]) -> str:
    """PAN detection XML for one pair: one ``detected-plagiarism`` feature per passage."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<document reference={quoteattr(susp)}>"]
    for p in passages:
        lines.append(
            f'<feature name="{DETECTION_FEATURE}" this_offset="{p.a.start}"'
            f' this_length="{len(p.a)}" source_reference={quoteattr(src)}'
            f' source_offset="{p.b.start}" source_length="{len(p.b)}" />'
        )
    lines.append("</document>")
    return "\n".join(lines) + "\n"


def write_detections(path: Path | str, susp: str, src: str, passages: Sequence[Passage]) -> None:
    """Write :func:`detections_xml` to ``path`` (UTF-8), creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(detections_xml(susp, src, passages), encoding="utf-8")


# --- the aligning workers -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """One aligned pair: index in the pair list, passages, document lengths (code points)."""

    index: int
    passages: list[Passage]
    susp_len: int
    src_len: int


@dataclass(frozen=True, slots=True)
class _Failure:
    """An InputError raised in a worker, carried back as plain fields (it does not pickle)."""

    source: str
    reason: str
    line: int | None


_Task = tuple[int, str, str]  # (pair index, susp path, src path)
_aligner: Aligner | None = None
_settings: AlignSettings | None = None


@lru_cache(maxsize=_CACHE_DOCS)
def _cached_text(path: str) -> str:
    """``read_text`` cached per document path in this process."""
    return read_text(path)


@lru_cache(maxsize=_CACHE_DOCS)
def _cached_prepared(path: str) -> PreparedText:
    """``prepare`` of a document, cached per path in this process."""
    return prepare(_cached_text(path), _settings)


def _init_worker(aligner: Aligner | None, settings: AlignSettings | None = None) -> None:
    """Set this process's aligner (None = prepare/align_prepared with ``settings``) and empty
    its caches."""
    global _aligner, _settings
    _aligner = aligner
    _settings = settings
    _cached_text.cache_clear()
    _cached_prepared.cache_clear()


def _align_one(task: _Task) -> AlignedPair:
    """Align one pair with the process's aligner."""
    index, susp_path, src_path = task
    susp_len, src_len = len(_cached_text(susp_path)), len(_cached_text(src_path))
    if _aligner is None:
        passages = align_prepared(
            _cached_prepared(susp_path), _cached_prepared(src_path), _settings
        )
    else:
        passages = _aligner(_cached_text(susp_path), _cached_text(src_path))
    return AlignedPair(index, list(passages), susp_len, src_len)


def _align_chunk(chunk: list[_Task]) -> list[AlignedPair] | _Failure:
    """Align a chunk of pairs; an InputError becomes a picklable :class:`_Failure`."""
    try:
        return [_align_one(task) for task in chunk]
    except InputError as e:
        return _Failure(e.source, e.reason, e.line)


def _chunks(tasks: list[_Task], jobs: int) -> list[list[_Task]]:
    """Tasks grouped by suspicious document (never split) and packed into chunks.

    Suspicious documents recur in ~3 pairs each against ~1.6 for sources in PAN 2013, so
    keeping a susp document's pairs in one chunk gives the per-worker caches most hits.
    """
    target = max(1, min(_MAX_CHUNK, len(tasks) // (jobs * 8)))
    chunks: list[list[_Task]] = []
    current: list[_Task] = []
    for _susp, group in groupby(sorted(tasks, key=lambda t: (t[1], t[2])), key=lambda t: t[1]):
        current.extend(group)
        if len(current) >= target:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def _effective_jobs(jobs: int | None, n_pairs: int) -> int:
    """Worker processes to use: ``jobs`` (default ``os.cpu_count()``), at most one per pair."""
    return max(1, min(jobs or os.cpu_count() or 1, n_pairs))


def _run_chunks(
    chunks: list[list[_Task]],
    jobs: int,
    aligner: Aligner | None,
    settings: AlignSettings | None = None,
) -> Iterator[list[AlignedPair] | _Failure]:
    """Chunk results in completion order, in this process when ``jobs == 1``."""
    if jobs == 1:
        _init_worker(aligner, settings)
        try:
            yield from map(_align_chunk, chunks)
        finally:
            _init_worker(None)
        return
    init_args = (aligner, settings)
    with multiprocessing.Pool(jobs, initializer=_init_worker, initargs=init_args) as pool:
        yield from pool.imap_unordered(_align_chunk, chunks)


def align_pairs(
    corpus_dir: Path | str,
    pairs: Sequence[CorpusPair],
    jobs: int | None = None,
    aligner: Aligner | None = None,
    progress: Progress | None = None,
    settings: AlignSettings | None = None,
) -> list[AlignedPair]:
    """Align every pair with ``jobs`` processes; results in the order of ``pairs``."""
    root = Path(corpus_dir)
    jobs = _effective_jobs(jobs, len(pairs))
    tasks = [
        (i, str(root / SUSP_DIR / p.susp), str(root / SRC_DIR / p.src)) for i, p in enumerate(pairs)
    ]
    results: list[AlignedPair | None] = [None] * len(pairs)
    done = 0
    for chunk_result in _run_chunks(_chunks(tasks, jobs), jobs, aligner, settings):
        if isinstance(chunk_result, _Failure):
            raise InputError(chunk_result.source, chunk_result.reason, chunk_result.line)
        for r in chunk_result:
            results[r.index] = r
        done += len(chunk_result)
        if progress is not None:
            progress(done, len(pairs))
    return [r for r in results if r is not None]


# --- scoring ------------------------------------------------------------------------------


def _check_cases(pair: CorpusPair, cases: list[Case], result: AlignedPair) -> None:
    """Raise if a truth case lies outside its documents (e.g. offsets counted in bytes)."""
    for case in cases:
        for side, span, size in (
            ("suspicious", case.susp, result.susp_len),
            ("source", case.src, result.src_len),
        ):
            if span.end > size:
                raise InputError(
                    str(pair.truth),
                    f"case [{span.start}, {span.end}) exceeds the {side} document"
                    f" ({size} code points)",
                )


def _score_subsets(
    pairs: Sequence[CorpusPair], cases: list[list[Case]], dets: list[list[Case]]
) -> dict[str, PlagdetScore]:
    """PlagDet of each subset on its own cases and detections, in order of first appearance."""
    by_subset: dict[str, tuple[list[Case], list[Case]]] = {}
    for pair, pair_cases, pair_dets in zip(pairs, cases, dets, strict=True):
        c, d = by_subset.setdefault(pair.subset, ([], []))
        c.extend(pair_cases)
        d.extend(pair_dets)
    return {name: score(c, d) for name, (c, d) in by_subset.items()}


def run_plagdet(
    corpus_dir: Path | str,
    out_dir: Path | str | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    subsets: Sequence[str] | None = None,
    limit: int | None = None,
    aligner: Aligner | None = None,
    settings: AlignSettings | None = None,
) -> PlagdetReport:
    """Align every pair of a PAN corpus and score the detections with PlagDet.

    ``jobs`` worker processes (default ``os.cpu_count()``; 1 runs in this process) each cache
    ``prepare()`` per document path. ``aligner`` replaces prepare/align_prepared with a
    picklable top-level ``(susp_text, src_text) -> list[Passage]``; ``settings`` tunes the
    default aligner. ``subsets`` and ``limit``
    (first pairs per subset) select a quick run. With ``out_dir``, detections are written as
    ``out_dir/<subset>/<truth file name>`` in PAN XML. Raises InputError on a bad corpus.
    """
    started = time.perf_counter()
    pairs = read_pairs(corpus_dir, subsets, limit)
    cases = [read_truth(p.truth, p.susp, p.src) for p in pairs]
    results = align_pairs(corpus_dir, pairs, jobs, aligner, progress, settings)
    dets: list[list[Case]] = []
    for pair, pair_cases, result in zip(pairs, cases, results, strict=True):
        _check_cases(pair, pair_cases, result)
        dets.append([Case.from_passage(pair.key, p) for p in result.passages])
        if out_dir is not None:
            out_path = Path(out_dir) / pair.subset / pair.truth.name
            write_detections(out_path, pair.susp, pair.src, result.passages)
    per_subset = _score_subsets(pairs, cases, dets)
    overall = score([c for cs in cases for c in cs], [d for ds in dets for d in ds])
    seconds = time.perf_counter() - started
    used_jobs = _effective_jobs(jobs, len(pairs))
    return PlagdetReport(per_subset, overall, len(pairs), seconds, used_jobs)
