"""The main job: ingest articles into a store, find reused text across them, derive results.

``analyze(articles, db_path)`` runs four restartable stages, each committing what it finished:

1. **ingest**: new articles (by id; same id with the same text is skipped, with another text
   reported) are prepared once to compute their sentence anchors and agency credits, then
   stored together with them in batches (one transaction each). Exact copies (same content
   hash as a stored article) are marked ``duplicate_of`` at once.
2. **candidates**: pairs of articles sharing enough non-boilerplate anchors, computed over the
   whole store (a pure function of the stored anchors; cheap).
3. **align**: only candidate pairs not aligned before are aligned (in worker processes); pairs
   that are no longer candidates are dropped. Because alignment is a pure function of the two
   texts and the candidates of the whole store, an incremental run ends in the same state as a
   run over everything from scratch.
4. **derive**: originality, sources, whole-article copies and passage groups are recomputed
   from all stored pairs in one transaction.

Killing the process at any point leaves a consistent store; running again finishes the job.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import multiprocessing
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

import numpy as np

from wiretrace.errors import InputError
from wiretrace.model import Article
from wiretrace.report.corpus import ArticleInfo, PassageGroup, article_stats, passage_groups
from wiretrace.reuse.align import align_near_duplicates, align_prepared
from wiretrace.reuse.anchors import AnchorSettings, sentence_anchors
from wiretrace.reuse.candidates import candidate_pairs
from wiretrace.reuse.prepared import PreparedText, prepare
from wiretrace.settings import Settings
from wiretrace.store.db import NewArticle, Store
from wiretrace.text.credits import agency_credits

Progress = Callable[[str, int, int | None], None]
"""``progress(stage, done, total)``; total is None while unknown."""

_INGEST_BATCH = 500
_FINGERPRINT_CHUNK = 32
_ALIGN_CHUNK = 64
_WRITE_BATCH = 2000


@dataclass
class AnalyzeSummary:
    """What a run did. Counts are articles or pairs; ``seconds`` per stage."""

    run: int
    added: int = 0
    unchanged: int = 0
    exact_duplicates: int = 0
    skipped: int = 0
    articles: int = 0
    candidates: int = 0
    aligned_now: int = 0
    dropped_pairs: int = 0
    pairs_with_passages: int = 0
    groups: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def content_hash(text: str) -> str:
    """Hex SHA-256 of the UTF-8 text (whole-article identity)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _anchor_settings(settings: Settings) -> AnchorSettings:
    c = settings.corpus
    return AnchorSettings(bands=c.anchor_bands, rows=c.anchor_rows, min_stems=c.anchor_min_stems)


# --- worker processes ----------------------------------------------------------------------

_settings: Settings | None = None
_db_path: str | None = None
_conn: sqlite3.Connection | None = None


def _init_worker(settings: Settings, db_path: str | None) -> None:
    global _settings, _db_path, _conn
    _settings, _db_path, _conn = settings, db_path, None
    _prepared_from_store.cache_clear()


Fingerprint = tuple[np.ndarray, np.ndarray, PreparedText, tuple[str, ...]]


def _fingerprint(text: str) -> Fingerprint:
    """Anchors (keys, sentence of each key), the prepared text (without the text itself and its
    word list, which alignment does not need) and the agency credits of a text."""
    assert _settings is not None
    p = prepare(text, _settings.align)
    anchors = sentence_anchors(p, _anchor_settings(_settings))
    # Without the text (the caller has it) and the word list: less to send between processes.
    slim = dataclasses.replace(p, text="", tokens=dataclasses.replace(p.tokens, vocabulary=()))
    return anchors.keys, anchors.sentences, slim, agency_credits(text)


def _fingerprint_chunk(texts: list[str]) -> list[Fingerprint]:
    return [_fingerprint(t) for t in texts]


# Texts prepared during this run's ingest, by article key: the align stage (forked workers
# inherit it) then prepares only articles stored by earlier runs. Bounded by a token budget
# (about 40 bytes a token, so ~1.2 GB): beyond it articles are prepared again when aligned.
_preloaded: dict[int, PreparedText] = {}
_preloaded_tokens = [0]
_PRELOAD_TOKEN_BUDGET = 30_000_000


@lru_cache(maxsize=2048)
def _prepared_from_store(aid: int) -> PreparedText:
    global _conn
    assert _settings is not None and _db_path is not None
    if _conn is None:
        _conn = sqlite3.connect(f"file:{os.path.abspath(_db_path)}?mode=ro", uri=True)
    (text,) = _conn.execute("SELECT text FROM articles WHERE aid = ?", (aid,)).fetchone()
    return prepare(text, _settings.align)


def _prepared(aid: int) -> PreparedText:
    found = _preloaded.get(aid)
    return found if found is not None else _prepared_from_store(aid)


def _align_chunk(
    pairs: list[tuple[int, int, int, bool, bool]],
) -> list[tuple[int, int, int, str]]:
    """Align candidate pairs ``(a, b, shared, swap, near_copy)``; passages as JSON ``[[a0, a1,
    b0, b1, sim]]`` with a's spans first. With ``swap`` the texts are aligned as (b, a), so
    that every pair is aligned in the order of its article ids whatever order the store holds
    them in. Near-copies (most anchors shared) try the one-pass whole-text alignment first."""
    assert _settings is not None
    out = []
    for a, b, shared, swap, near_copy in pairs:
        first, second = (b, a) if swap else (a, b)
        found = None
        if near_copy:
            found = align_near_duplicates(_prepared(first), _prepared(second), _settings.align)
        if found is None:
            found = align_prepared(_prepared(first), _prepared(second), _settings.align)
        if swap:  # found is oriented (b, a): put a's spans first again
            rows = sorted([p.b.start, p.b.end, p.a.start, p.a.end, p.similarity] for p in found)
        else:
            rows = [[p.a.start, p.a.end, p.b.start, p.b.end, p.similarity] for p in found]
        out.append((a, b, shared, json.dumps(rows)))
    return out


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _pool_map(
    func: Callable, chunks: Iterable[list], jobs: int, settings: Settings, db: str | None
) -> Iterator:
    """Results of ``func`` over chunks, in order; in this process when ``jobs == 1``."""
    if jobs == 1:
        _init_worker(settings, db)
        yield from map(func, chunks)
        return
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(settings, db)) as pool:
        yield from pool.imap(func, chunks)


# --- stages --------------------------------------------------------------------------------


def _ingest(
    store: Store,
    articles: Iterable[Article],
    run: int,
    settings: Settings,
    jobs: int,
    summary: AnalyzeSummary,
    on_error: Callable[[InputError], None],
    progress: Progress | None,
) -> None:
    known_ids, known_hashes = store.known_articles()

    def new_articles() -> Iterator[tuple[Article, str]]:
        for article in articles:
            h = content_hash(article.text)
            if article.id in known_ids:
                if known_ids[article.id] == h:
                    summary.unchanged += 1
                else:
                    summary.skipped += 1
                    on_error(
                        InputError(
                            article.path or article.id,
                            f"article id {article.id!r} is already stored with a different text;"
                            " give it a new id to add it",
                        )
                    )
                continue
            known_ids[article.id] = h
            yield article, h

    # One worker pool for the whole ingest: chunks of texts stream to the workers while this
    # process stores the results of earlier chunks, committing every _INGEST_BATCH articles.
    pending: deque[list[tuple[Article, str]]] = deque()

    def text_chunks() -> Iterator[list[str]]:
        for chunk in _chunks(new_articles(), _FINGERPRINT_CHUNK):
            pending.append(chunk)
            yield [a.text for a, _ in chunk]

    done, in_tx = 0, 0
    try:
        for results in _pool_map(_fingerprint_chunk, text_chunks(), jobs, settings, None):
            chunk = pending.popleft()
            if in_tx == 0:
                store.begin()
            for (article, h), (keys, sents, prepared, agencies) in zip(chunk, results, strict=True):
                dup = known_hashes.get(h)
                if dup is not None:
                    summary.exact_duplicates += 1
                row = NewArticle(article, h, agencies, dup, keys, sents, prepared.sentences)
                (aid,) = store.add_articles([row], run)
                known_hashes.setdefault(h, aid)
                if _preloaded_tokens[0] < _PRELOAD_TOKEN_BUDGET:
                    _preloaded[aid] = dataclasses.replace(prepared, text=article.text)
                    _preloaded_tokens[0] += len(prepared.tokens)
            in_tx += len(chunk)
            done += len(chunk)
            if in_tx >= _INGEST_BATCH:
                store.commit()
                summary.added += in_tx
                in_tx = 0
            if progress:
                progress("ingest", done, None)
        if in_tx:
            store.commit()
            summary.added += in_tx
            in_tx = 0
    finally:
        if in_tx:  # interrupted inside a batch: nothing of it is kept
            store.rollback()


def _outlet_codes(rows: list[dict]) -> dict[int, int]:
    """Small integer per outlet; articles without outlet each get a code of their own."""
    codes: dict[str, int] = {}
    out = {}
    for r in rows:
        outlet = r["outlet"]
        if outlet:
            out[r["aid"]] = codes.setdefault(outlet, len(codes))
    for r in rows:
        if r["aid"] not in out:
            out[r["aid"]] = len(codes) + r["aid"]
    return out


def _boilerplate_spans(
    store: Store, aids: np.ndarray, keys: np.ndarray, sentences: np.ndarray, bp_keys: np.ndarray
) -> dict[int, list[tuple[int, int]]]:
    """Character spans of sentences at least half of whose anchor keys are boilerplate."""
    if len(bp_keys) == 0 or len(keys) == 0:
        return {}
    hit = np.isin(keys, bp_keys)
    span = int(sentences.max()) + 1
    code = aids * span + sentences
    all_codes, all_counts = np.unique(code, return_counts=True)
    bp_codes, bp_counts = np.unique(code[hit], return_counts=True)
    total = all_counts[np.searchsorted(all_codes, bp_codes)]
    chosen = bp_codes[bp_counts * 2 >= total]
    out: dict[int, list[tuple[int, int]]] = {}
    owners = chosen // span  # sorted, since chosen is
    article_ids, firsts = np.unique(owners, return_index=True)
    bounds = np.r_[firsts, len(chosen)]
    for k, aid in enumerate(article_ids.tolist()):
        spans = store.sentence_spans(aid)
        sents = (chosen[bounds[k] : bounds[k + 1]] % span).tolist()
        out[aid] = [(int(spans[s, 0]), int(spans[s, 1])) for s in sents if s < len(spans)]
    return out


def analyze(
    articles: Iterable[Article],
    db_path: str,
    settings: Settings | None = None,
    jobs: int | None = None,
    inputs: list[str] | None = None,
    on_error: Callable[[InputError], None] | None = None,
    progress: Progress | None = None,
) -> AnalyzeSummary:
    """Add ``articles`` to the store at ``db_path`` and bring all results up to date."""
    settings = settings or Settings()
    jobs = max(1, jobs or os.cpu_count() or 1)
    errors = on_error or (lambda e: None)
    store = Store.open(db_path)
    _preloaded.clear()
    _preloaded_tokens[0] = 0
    run = store.start_run(inputs or [])
    finished = False
    try:
        summary = AnalyzeSummary(run=run)
        t0 = time.perf_counter()
        _ingest(store, articles, run, settings, jobs, summary, errors, progress)
        t1 = time.perf_counter()
        rows = store.article_rows()
        summary.articles = len(rows)
        aids, keys, sentences = store.anchors()
        c = settings.corpus
        cands = candidate_pairs(
            aids,
            keys,
            _outlet_codes(rows),
            c.max_df,
            c.max_outlet_df,
            c.min_shared_anchors,
            sentences,
            c.min_sentence_anchors,
        )
        summary.candidates = len(cands.pairs)
        t2 = time.perf_counter()
        _align(store, rows, aids, cands.pairs, cands.shared, settings, jobs, summary, progress)
        t3 = time.perf_counter()
        bp = _boilerplate_spans(store, aids, keys, sentences, cands.boilerplate_keys)
        _derive(store, rows, bp, settings, summary)
        t4 = time.perf_counter()
        summary.seconds = {
            "ingest": t1 - t0,
            "candidates": t2 - t1,
            "align": t3 - t2,
            "derive": t4 - t3,
        }
        store.finish_run(run, "done", summary.added, summary.skipped)
        finished = True
        return summary
    finally:
        _preloaded.clear()
        if not finished:  # interrupted or failed: say so in the runs table, then close
            with contextlib.suppress(sqlite3.Error):
                store.finish_run(run, "interrupted", 0, 0)
        store.close()


def _by_component(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs ordered so that pairs among the same articles (one agency story printed by many
    outlets) come together: a worker then prepares each article once, not once per pair."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return sorted(pairs, key=lambda p: (find(p[0]), p))


def _align(
    store: Store,
    rows: list[dict],
    anchor_aids: np.ndarray,
    pairs: np.ndarray,
    shared: np.ndarray,
    settings: Settings,
    jobs: int,
    summary: AnalyzeSummary,
    progress: Progress | None,
) -> None:
    wanted = {
        (int(a), int(b)): int(s) for (a, b), s in zip(pairs.tolist(), shared.tolist(), strict=True)
    }
    stored = store.pair_keys()
    stale = sorted(stored - wanted.keys())
    todo = sorted(wanted.keys() - stored)
    if stale:
        with store.transaction():
            store.delete_pairs(stale)
    summary.dropped_pairs = len(stale)
    ids = {r["aid"]: r["id"] for r in rows}
    key_counts = np.bincount(anchor_aids, minlength=max(ids) + 1) if len(anchor_aids) else None

    def near_copy(a: int, b: int) -> bool:
        if key_counts is None:
            return False
        most = max(int(key_counts[a]), int(key_counts[b]))
        return most > 0 and wanted[(a, b)] >= settings.corpus.near_copy_share * most

    tasks = [
        (a, b, wanted[(a, b)], ids[a] > ids[b], near_copy(a, b)) for a, b in _by_component(todo)
    ]
    done = 0
    buffer: list[tuple[int, int, int, str]] = []
    for result in _pool_map(_align_chunk, _chunks(tasks, _ALIGN_CHUNK), jobs, settings, store.path):
        buffer.extend(result)
        done += len(result)
        if len(buffer) >= _WRITE_BATCH:
            with store.transaction():
                store.put_pairs(buffer)
            buffer = []
        if progress:
            progress("align", done, len(tasks))
    if buffer:
        with store.transaction():
            store.put_pairs(buffer)
    summary.aligned_now = len(tasks)


def _median_chars(group: PassageGroup) -> int:
    lengths = sorted(e - s for _, s, e in group.members)
    return lengths[len(lengths) // 2]


def _derive(
    store: Store,
    rows: list[dict],
    boilerplate: dict[int, list[tuple[int, int]]],
    settings: Settings,
    summary: AnalyzeSummary,
) -> None:
    infos = [ArticleInfo(r["aid"], r["id"], r["outlet"], r["published"], r["chars"]) for r in rows]
    pairs = []
    for a, b, _, passages_json in store.pairs():
        passages = [tuple(p) for p in json.loads(passages_json)]
        if passages:
            pairs.append((a, b, passages))
    summary.pairs_with_passages = len(pairs)
    stats = article_stats(infos, pairs, boilerplate, settings.corpus.duplicate_coverage)
    exact = {r["aid"]: r["duplicate_of"] for r in rows}
    groups = passage_groups(infos, pairs, boilerplate)
    summary.groups = len(groups)
    with store.transaction():
        store.replace_derived(
            (
                (
                    s.aid,
                    s.reused_chars,
                    s.boilerplate_chars,
                    s.originality,
                    json.dumps([[a, n] for a, n in s.sources]),
                    exact[s.aid] if exact[s.aid] is not None else s.duplicate_of,
                )
                for s in stats
            ),
            ((g.gid, g.articles, g.earliest, int(g.boilerplate), _median_chars(g)) for g in groups),
            ((g.gid, aid, s, e) for g in groups for aid, s, e in g.members),
        )
