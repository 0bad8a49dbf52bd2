"""The main job: ingest articles into a store, find reused text across them, derive results.

``analyze(articles, db_path)`` runs restartable stages, each committing what it finished:

0. **fingerprint again**, only when the store's articles were fingerprinted with other rules
   (other anchor settings, or an older wiretrace): every stored article's anchors and keys are
   computed again, so that new articles' anchors are comparable with them.
1. **ingest**: new articles (by id; same id with the same text is skipped, with another text
   reported) are prepared once to compute their sentence anchors, near-duplicate keys and
   agency credits, then stored together with them in batches (one transaction each). Exact
   copies (same content hash as a stored article) are marked ``duplicate_of`` at once.
2. **near-duplicates**: pairs sharing a document key are verified with their exact shingle
   Jaccard (only pairs never verified before); articles at or above ``collapse_jaccard`` form
   sets of copies, each represented by its earliest article (see ``reuse.collapse``).
3. **candidates**: pairs of representatives sharing enough non-boilerplate anchors, computed
   over the whole store (a pure function of the stored anchors; cheap).
4. **align**: only pairs not aligned before are aligned (in worker processes): candidate pairs,
   and each copy with its representative; pairs no longer wanted are dropped. The store records
   the rules its pairs were aligned with; under other rules every pair is aligned again. Because
   alignment is a pure function of the two texts and the wanted pairs a pure function of the
   whole store, an incremental run ends in the same state as a run over everything at once.
5. **derive**: the representatives' passages are mapped onto their copies (stored as mapped
   pairs); originality, sources, whole-article copies and passage groups are recomputed from
   all pairs in one transaction.
6. **stories**: articles not yet in a story are profiled (key terms, title-and-lead embedding,
   kept in the store) and placed, in publication order, into the stories built so far or new
   ones (``stories.cluster``); placed articles are never moved, so later runs extend stories.

Killing the process at any point leaves a consistent store; running again finishes the job.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import islice

import numpy as np

from wiretrace.errors import InputError
from wiretrace.model import Article
from wiretrace.report.corpus import (
    ArticleInfo,
    PassageGroup,
    article_stats,
    passage_groups,
)
from wiretrace.report.provenance import derived_pairs, sides_of
from wiretrace.reuse.align import ALIGNMENT_RULES_VERSION, align_near_duplicates, align_prepared
from wiretrace.reuse.anchors import AnchorSettings, sentence_anchors
from wiretrace.reuse.candidate_update import update_candidates
from wiretrace.reuse.candidates import (
    Candidates,
    boilerplate_sentences,
    candidate_pairs,
    is_member,
)
from wiretrace.reuse.collapse import (
    OffsetMap,
    char_blocks,
    document_keys,
    duplicate_candidates,
    jaccard,
    map_passages,
    representatives,
)
from wiretrace.reuse.components import UnionFind
from wiretrace.reuse.near_duplicates import shingles, text_shingles
from wiretrace.reuse.prepared import PreparedText, prepare
from wiretrace.settings import Settings
from wiretrace.store.db import NewArticle, Store, storage_error
from wiretrace.store.lock import writer_lock
from wiretrace.store.place import connect
from wiretrace.stories.cluster import Item, Story, assign
from wiretrace.stories.corpus import PairScorer, corpus_combiner, corpus_profiles, story_row
from wiretrace.stories.features import ArticleProfile
from wiretrace.text.credits import CREDIT_RULES_VERSION, find_credits
from wiretrace.times import parse_time, publication_key

Progress = Callable[[str, int, int | None], None]
"""``progress(stage, done, total)``; total is None while unknown."""

_INGEST_BATCH = 500
_FINGERPRINT_CHUNK = 32
_ALIGN_CHUNK = 64
_WRITE_BATCH = 2000
_STORY_CHUNK = 64


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
    near_duplicates: int = 0
    stories: int = 0
    new_stories: int = 0
    story_warnings: dict[str, int] = field(default_factory=dict)
    """Articles placed with less evidence, by reason (no date: the time is neutral; no title;
    language not recognised: key terms and the embedding only)."""
    collapsed: int = 0
    mapped_pairs: int = 0
    dropped_pairs: int = 0
    refingerprinted: int = 0
    """Stored articles fingerprinted again because the store's fingerprints were computed with
    other rules (other anchor settings, or an older wiretrace)."""
    realigned_for_rules: int = 0
    """Pairs aligned again because the store's pairs were aligned with other rules (other
    alignment settings, or an older wiretrace); 0 when the rules were the same."""
    pairs_with_passages: int = 0
    groups: int = 0
    removed: int = 0
    """Articles removed by id (``remove``)."""
    recredited: int = 0
    """Stored articles whose agency credits were found again (other ``agencies`` names, or
    an older wiretrace's credit rules)."""
    replaced: int = 0
    """Stored articles replaced by a new text under the same id (``update``)."""
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


def _init_pool_worker(settings: Settings, db_path: str | None) -> None:
    """The initializer of a worker process of the pool (see :func:`_pool_map`)."""
    _init_worker(settings, db_path)
    _exit_with_parent()


def _exit_with_parent() -> None:
    """Make this worker process end as soon as the run that started it does, however that
    ends: a worker of a killed run would otherwise finish its chunk, fail to send the result
    (a BrokenPipeError traceback on the terminal) and only then exit. On Linux the kernel
    sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere a thread checks
    every 0.1 s whether the parent is gone."""
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, 9) != 0:  # 9: SIGKILL
            raise OSError
    except (OSError, AttributeError):
        import threading

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.1)
            os._exit(0)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(0)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What ingest computes per text: sentence anchors (keys, sentence of each key), the
    prepared text (without its word list, stems and content flags, which alignment does not
    read, and without the text itself, which the caller has and must put back before
    aligning: see ``_preload``), agency credits, the shingle set and its near-duplicate
    document keys."""

    keys: np.ndarray
    sentences: np.ndarray
    prepared: PreparedText
    agencies: tuple[str, ...]
    shingles: np.ndarray
    document_keys: np.ndarray
    image_credits: tuple[str, ...] = ()


def _fingerprint(text: str) -> Fingerprint:
    assert _settings is not None
    p = prepare(text, _settings.align)
    anchors = sentence_anchors(p, _anchor_settings(_settings))
    sh = shingles(p)
    # Only what alignment reads: not the text (the caller has it), nor the word list and the
    # per-token stems and content flags (they made the anchors above). About half the bytes to
    # send between processes and to keep until the align stage.
    empty = np.zeros(0, dtype=np.uint64)
    slim = dataclasses.replace(
        p,
        text="",
        tokens=dataclasses.replace(p.tokens, vocabulary=(), vocabulary_index=None),
        stems=empty,
        content=empty.astype(bool),
    )
    credits = find_credits(text, _settings.corpus.agencies)
    return Fingerprint(
        anchors.keys,
        anchors.sentences,
        slim,
        credits.text,
        sh,
        document_keys(sh),
        credits.image,
    )


def _credit_rules(settings: Settings) -> str:
    """What decides an article's stored agency credits: the rules' version, extra names."""
    return json.dumps(
        {"version": CREDIT_RULES_VERSION, "agencies": sorted(set(settings.corpus.agencies))},
        sort_keys=True,
    )


def _recredit(store: Store, settings: Settings) -> int:
    """Find every stored article's credits again when the store's were found with other
    rules (other ``--agency`` names, or an older wiretrace); returns how many articles.
    Credits are a cheap pure function of the text: one transaction, nothing else redone."""
    rules = _credit_rules(settings)
    if store.credit_rules() == rules:
        return 0
    aids = [r["aid"] for r in store.article_rows()]
    rows = []
    for chunk in _chunks(aids, 500):
        for aid, text in store.texts(chunk).items():
            found = find_credits(text, settings.corpus.agencies)
            rows.append((aid, found.text, found.image))
    with store.transaction():
        store.set_credits(rows, rules)
    return len(rows)


def _fingerprint_chunk(texts: list[str]) -> list[Fingerprint]:
    return [_fingerprint(t) for t in texts]


def _fingerprint_stored_chunk(aids: list[int]) -> list[Fingerprint]:
    """Fingerprints of stored articles, read through this process's own connection."""
    marks = ",".join("?" * len(aids))
    texts = dict(_reader().execute(f"SELECT aid, text FROM articles WHERE aid IN ({marks})", aids))
    return [_fingerprint(texts[aid]) for aid in aids]


# Bumped whenever _fingerprint computes other anchors, keys, sentence spans or credits for the
# same text and settings, so that stores of an older wiretrace are fingerprinted again.
FINGERPRINT_RULES_VERSION = 1


def _fingerprint_rules(settings: Settings) -> str:
    """What decides an article's stored fingerprint: the version and the settings it reads."""
    return json.dumps(
        {
            "version": FINGERPRINT_RULES_VERSION,
            "anchors": dataclasses.asdict(_anchor_settings(settings)),
            "stem_length": settings.align.stem_length,
            "min_sentence_tokens": settings.align.min_sentence_tokens,
        },
        sort_keys=True,
    )


# Texts prepared during this run's ingest, by article key: the align stage (forked workers
# inherit it) then prepares only articles stored by earlier runs. Bounded by a token budget
# (about 40 bytes a token, so ~1.2 GB): beyond it articles are prepared again when aligned.
_preloaded: dict[int, PreparedText] = {}
_preloaded_tokens = [0]
_PRELOAD_TOKEN_BUDGET = 30_000_000
# Shingle sets of this run's articles, for verifying near-duplicate candidates (8 bytes a word).
_shingles_now: dict[int, np.ndarray] = {}


def _preload(aid: int, slim: PreparedText, text: str) -> None:
    """Keep an article prepared in this run (``slim``, without its text) for the align stage,
    while the token budget lasts."""
    if _preloaded_tokens[0] < _PRELOAD_TOKEN_BUDGET:
        _preloaded[aid] = dataclasses.replace(slim, text=text)
        _preloaded_tokens[0] += len(slim.tokens)


@lru_cache(maxsize=2048)
def _prepared_from_store(aid: int) -> PreparedText:
    assert _settings is not None
    (text,) = _reader().execute("SELECT text FROM articles WHERE aid = ?", (aid,)).fetchone()
    return prepare(text, _settings.align)


def _reader() -> sqlite3.Connection:
    """This process's read-only connection to the store (opened on first use)."""
    global _conn
    assert _db_path is not None
    if _conn is None:
        _conn = connect(_db_path, "ro", 30.0)
    return _conn


def _close_reader() -> None:
    """Close this process's read-only connection (opened when work ran in-process, jobs=1):
    an open reader would keep the write-ahead log from being folded into the store file."""
    global _conn
    if _conn is not None:
        _conn.close()
        _conn = None
    _prepared_from_store.cache_clear()


def _prepared(aid: int) -> PreparedText:
    found = _preloaded.get(aid)
    return found if found is not None else _prepared_from_store(aid)


AlignTask = tuple[int, int, int, bool, bool, bool]
"""``(a, b, shared, swap, near_copy, copy_of_representative)``."""


def _align_chunk(pairs: list[AlignTask]) -> list[tuple[int, int, int, str, bytes | None]]:
    """Align pairs ``(a, b, shared, swap, near_copy, copy)``; passages as JSON ``[[a0, a1,
    b0, b1, sim]]`` with a's spans first. With ``swap`` the texts are aligned as (b, a), so
    that every pair is aligned in the order of its article ids whatever order the store holds
    them in. Near-copies (most anchors shared) try the one-pass whole-text alignment first.
    For an article and its representative (``copy``) the runs of equal words are returned too
    (int64 rows a0, a1, b0, b1, as bytes), to map the representative's passages later."""
    assert _settings is not None
    out = []
    for a, b, shared, swap, near_copy, copy in pairs:
        first, second = (b, a) if swap else (a, b)
        pf, ps = _prepared(first), _prepared(second)
        found = None
        if near_copy or copy:
            found = align_near_duplicates(pf, ps, _settings.align)
        if found is None:
            found = align_prepared(pf, ps, _settings.align)
        blocks = None
        if copy:
            runs = char_blocks(pf, ps)
            blocks = np.ascontiguousarray(runs[:, [2, 3, 0, 1]] if swap else runs, "<i8")
        if swap:  # found is oriented (b, a): put a's spans first again
            rows = sorted([p.b.start, p.b.end, p.a.start, p.a.end, p.similarity] for p in found)
        else:
            rows = [[p.a.start, p.a.end, p.b.start, p.b.end, p.similarity] for p in found]
        out.append((a, b, shared, json.dumps(rows), None if blocks is None else blocks.tobytes()))
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
        _close_reader()  # an earlier stage's reader in this process: close it, not just drop it
        _init_worker(settings, db)
        yield from map(func, chunks)
        return
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(jobs, initializer=_init_pool_worker, initargs=(settings, db)) as pool:
        yield from pool.imap(func, chunks)


# --- stages --------------------------------------------------------------------------------


def _refingerprint(
    store: Store, settings: Settings, jobs: int, summary: AnalyzeSummary, progress: Progress | None
) -> None:
    """Fingerprint every stored article again when the store's fingerprints were computed with
    other rules (other anchor settings, or an older wiretrace): new articles' anchors must be
    comparable with the stored ones, and the results must equal a run over everything with
    these rules. The old rules record goes first, with everything computed from the old
    fingerprints; batches commit as they go and the new rules are recorded last, so a run
    killed halfway leaves a store that the next run, under any rules, fingerprints again."""
    rules = _fingerprint_rules(settings)
    if store.fingerprint_rules() == rules:
        return
    aids = [r["aid"] for r in store.article_rows()]
    if not aids:  # a new store: nothing to redo
        with store.transaction():
            store.finish_fingerprints(rules)
        return
    # Pairs go too: a pair's anchor count, and so the path its alignment took, come from the
    # fingerprints; the align stage aligns every wanted pair again.
    with store.transaction():
        store.begin_fingerprints()
    chunks = list(_chunks(aids, _FINGERPRINT_CHUNK))
    done = 0
    batch: list[tuple] = []
    # The workers read the texts themselves: no text travels to them, and this process's
    # connection stays in this thread (the pool feeds its workers from a thread of its own).
    results_of = _pool_map(_fingerprint_stored_chunk, chunks, jobs, settings, store.path)
    for chunk, results in zip(chunks, results_of, strict=True):
        # Prepared texts are kept for the align stage, as ingest keeps new articles (every
        # pair is aligned again), while the budget lasts: only then are the texts read here.
        texts = store.texts(chunk) if _preloaded_tokens[0] < _PRELOAD_TOKEN_BUDGET else {}
        for aid, f in zip(chunk, results, strict=True):
            batch.append(
                (aid, f.agencies, f.keys, f.sentences, f.prepared.sentences, f.document_keys)
            )
            # The near-duplicate check verifies every stored pair again: keep the shingles.
            _shingles_now[aid] = f.shingles
            if aid in texts:
                _preload(aid, f.prepared, texts[aid])
        done += len(chunk)
        if len(batch) >= _INGEST_BATCH:
            with store.transaction():
                store.set_fingerprints(batch)
            batch = []
        if progress:
            progress("fingerprint", done, len(aids))
    with store.transaction():
        store.set_fingerprints(batch)
        store.finish_fingerprints(rules)
    summary.refingerprinted = len(aids)


def _ingest(
    store: Store,
    articles: Iterable[Article],
    run: int,
    settings: Settings,
    jobs: int,
    summary: AnalyzeSummary,
    on_error: Callable[[InputError], None],
    progress: Progress | None,
    update: bool = False,
) -> None:
    known_ids, known_hashes = store.known_articles()
    stored_ids = set(known_ids)  # ids stored before this run: only those can be replaced
    replacing: set[str] = set()

    def new_articles() -> Iterator[tuple[Article, str]]:
        for article in articles:
            h = content_hash(article.text)
            if article.id in known_ids:
                if known_ids[article.id] == h:
                    summary.unchanged += 1
                    continue
                if not update or article.id not in stored_ids or article.id in replacing:
                    summary.skipped += 1
                    how = (
                        "; the input holds it twice"
                        if article.id in replacing or article.id not in stored_ids
                        else "; add --update to replace the stored text (a correction)"
                        " or give it a new id"
                    )
                    on_error(
                        InputError(
                            article.path or article.id,
                            f"article id {article.id!r} is already stored with a different"
                            f" text{how}",
                        )
                    )
                    continue
                replacing.add(article.id)
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
    first_aid = last_aid = 0  # articles of the open transaction, for the full-text index

    def commit() -> None:
        store.index_for_search(first_aid, last_aid)
        store.commit()

    try:
        for results in _pool_map(_fingerprint_chunk, text_chunks(), jobs, settings, None):
            chunk = pending.popleft()
            if in_tx == 0:
                store.begin()
                first_aid = 0
            old = store.aids_of([a.id for a, _ in chunk if a.id in replacing])
            if old:  # corrections: the stored versions go first, with what was derived
                _forget(store, list(old.values()), [a.published for a, _ in chunk if a.id in old])
                summary.replaced += len(old)
                for h in list(known_hashes):
                    if known_hashes[h] in old.values():
                        first = store.aids_with_hash(h)
                        if first:
                            known_hashes[h] = first[0]
                        else:
                            del known_hashes[h]
            for (article, h), f in zip(chunk, results, strict=True):
                dup = known_hashes.get(h)
                if dup is not None:
                    summary.exact_duplicates += 1
                row = NewArticle(
                    article,
                    h,
                    f.agencies,
                    dup,
                    f.keys,
                    f.sentences,
                    f.prepared.sentences,
                    f.document_keys,
                    f.image_credits,
                )
                (aid,) = store.add_articles([row], run, search_index=False)
                first_aid, last_aid = first_aid or aid, aid
                known_hashes.setdefault(h, aid)
                _shingles_now[aid] = f.shingles
                _preload(aid, f.prepared, article.text)
            in_tx += len(chunk)
            done += len(chunk)
            if in_tx >= _INGEST_BATCH:
                commit()
                summary.added += in_tx
                in_tx = 0
            if progress:
                progress("ingest", done, None)
        if in_tx:
            commit()
            summary.added += in_tx
            in_tx = 0
    finally:
        if in_tx:  # interrupted inside a batch: nothing of it is kept
            store.rollback()


def _forget(store: Store, aids: list[int], also_from: Iterable[str | None] = ()) -> None:
    """Remove stored articles so that every result ends as a run without them would leave it
    (call inside a transaction).

    The articles and every row naming them go (:meth:`Store.delete_articles`); exact
    duplicates of them point to the first remaining article with their text (as ingest
    would have marked them); the candidate state and the derive record are dropped, so that
    the next stages recount candidates, align the pairs now wanted (a copy whose
    representative left stands for itself) and derive every table again. Stories are placed
    online in publication order, so every article published at or after the earliest of the
    removed articles (and of ``also_from``, the dates of the versions replacing them) is taken
    out of its story and placed again by the stories stage: the earlier ones are placed as a
    run without the removed articles would have placed them.
    """
    if not aids:
        return
    gone = set(aids)
    rows = store.article_rows()
    hashes = {r["content_hash"] for r in rows if r["aid"] in gone}
    keys = [publication_key(parse_time(r["published"]), r["id"]) for r in rows if r["aid"] in gone]
    keys += [publication_key(parse_time(p), "") for p in also_from]
    earliest = min(keys)
    store.delete_articles(sorted(gone))
    for h in sorted(hashes):
        remaining = store.aids_with_hash(h)
        if remaining:
            store.set_duplicate_of(
                [(None, remaining[0])] + [(remaining[0], aid) for aid in remaining[1:]]
            )
    store.forget_whole_store_results()
    later = [
        r["aid"]
        for r in rows
        if r["aid"] not in gone
        and publication_key(parse_time(r["published"]), r["id"]) >= earliest
    ]
    store.unplace(later)


def _remove(
    store: Store,
    ids: list[str],
    summary: AnalyzeSummary,
    on_error: Callable[[InputError], None],
) -> None:
    """Remove the stored articles with these ids (one transaction; unknown ids reported)."""
    found = store.aids_of(ids)
    for article_id in ids:
        if article_id not in found:
            summary.skipped += 1
            on_error(InputError(article_id, "no stored article with this id"))
    with store.transaction():
        _forget(store, sorted(set(found.values())))
    summary.removed = len(set(found.values()))


def _order(rows: list[dict]) -> dict[int, tuple[bool, datetime, str | int]]:
    """Publication order of every article (see ``times.publication_key``)."""
    return {r["aid"]: publication_key(parse_time(r["published"]), r["id"]) for r in rows}


def _stored_shingles(store: Store, aids: Iterable[int]) -> dict[int, np.ndarray]:
    """Shingle sets of stored articles, from their texts."""
    return {aid: text_shingles(text) for aid, text in store.texts(aids).items()}


def _collapse(
    store: Store, rows: list[dict], settings: Settings, summary: AnalyzeSummary
) -> dict[int, int]:
    """Verify new near-duplicate candidates and return ``{copy: representative}``."""
    aids, keys, missing = store.document_keys()
    if missing:  # a store from schema 1: compute the keys once
        found = _stored_shingles(store, missing)
        _shingles_now.update(found)
        with store.transaction():
            store.set_document_keys((aid, document_keys(sh)) for aid, sh in found.items())
        aids, keys, _ = store.document_keys()
    known = store.near_duplicate_pairs()
    todo = [(a, b) for a, b in duplicate_candidates(aids, keys).tolist() if (a, b) not in known]
    # Shingle sets of this run's articles are at hand; those of stored ones are read.
    _shingles_now.update(
        _stored_shingles(store, {x for pair in todo for x in pair if x not in _shingles_now})
    )
    verified = [(a, b, jaccard(_shingles_now[a], _shingles_now[b])) for a, b in todo]
    if verified:
        with store.transaction():
            store.put_near_duplicates(verified)
    known.update(((a, b), j) for a, b, j in verified)
    edges = [pair for pair, j in known.items() if j >= settings.corpus.collapse_jaccard - 1e-12]
    summary.near_duplicates = len(edges)
    copies = representatives(edges, _order(rows))
    summary.collapsed = len(copies)
    return copies


def _not_copies(aids: np.ndarray, copies: dict[int, int]) -> np.ndarray | slice:
    """Index of the entries of ``aids`` that belong to no copy (everything when none is)."""
    if not copies:
        return slice(None)
    is_copy = np.zeros(max(int(aids.max(initial=0)), max(copies)) + 1, dtype=bool)
    is_copy[list(copies)] = True
    return ~is_copy[aids]


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


def _key_digest(keys: np.ndarray) -> str:
    """Hex SHA-256 of a key set (uint64, as stored): names the set a result was computed with."""
    return hashlib.sha256(np.ascontiguousarray(keys, "<u8").tobytes()).hexdigest()


def _boilerplate_spans(
    store: Store,
    aids: np.ndarray,
    keys: np.ndarray,
    sentences: np.ndarray,
    bp_keys: np.ndarray,
    previous_bp_keys: np.ndarray | None,
) -> tuple[str, dict[int, list[tuple[int, int]]], set[int] | None]:
    """Character spans of the boilerplate sentences of every article, the digest of
    ``bp_keys`` they depend on, and the articles whose spans were computed now (None: all).
    Spans kept by the last run (computed with ``previous_bp_keys``) are reused for every
    article that holds no key whose verdict changed since and that had its spans computed
    then."""
    kept = None
    if previous_bp_keys is not None:
        kept = store.boilerplate_spans(_key_digest(previous_bp_keys))
    redone = None
    if kept is None:
        redo = slice(None)
        kept = {}
    else:
        known = np.zeros(int(aids.max(initial=0)) + 1, dtype=bool)
        known[store.derived_articles()] = True
        changed = np.setxor1d(previous_bp_keys, bp_keys)
        touched = np.unique(aids[is_member(keys, changed)])
        known[touched] = False
        redo = ~known[aids]
        redone = set(np.flatnonzero(~known).tolist())
        kept = {aid: s for aid, s in kept.items() if known[aid]}
    found = boilerplate_sentences(aids[redo], keys[redo], sentences[redo], bp_keys)
    for aid, sents in found.items():
        spans = store.sentence_spans(aid)
        kept[aid] = [(int(spans[s, 0]), int(spans[s, 1])) for s in sents if s < len(spans)]
    return _key_digest(bp_keys), kept, redone


def _candidates(
    store: Store,
    rows: list[dict],
    aids: np.ndarray,
    keys: np.ndarray,
    sentences: np.ndarray,
    copies: dict[int, int],
    settings: Settings,
) -> tuple[Candidates, np.ndarray | None]:
    """Candidate pairs of the representatives (copies take no part: their representative
    stands for them), and the boilerplate keys of the last run's candidates (None when the
    store kept none). Updated from the last run's candidates when the store keeps them for the
    same rules (only the articles that joined or left are looked at), computed from all
    anchors otherwise; kept in the store for the next run."""
    c = settings.corpus
    rules = {
        "max_df": c.max_df,
        "max_outlet_df": c.max_outlet_df,
        "min_shared": c.min_shared_anchors,
        "min_sentence_shared": c.min_sentence_anchors,
        "min_sentence_pairs": c.min_sentence_pairs,
    }
    # The anchor settings decide the keys themselves: other keys, other candidates.
    rules_json = json.dumps({**rules, "anchors": dataclasses.asdict(_anchor_settings(settings))})
    members = np.array(sorted(r["aid"] for r in rows if r["aid"] not in copies), dtype=np.int64)
    outlets = _outlet_codes(rows)
    previous = store.candidate_state(rules_json)
    if previous is None:
        own = _not_copies(aids, copies)
        found = candidate_pairs(aids[own], keys[own], outlets, sentences=sentences[own], **rules)
        previous_bp = None
    else:
        before, *state = previous
        last = Candidates(*state)
        found = update_candidates(last, before, members, aids, keys, sentences, outlets, **rules)
        previous_bp = last.boilerplate_keys
    store.put_candidate_state(
        rules_json, members, found.pairs, found.shared, found.boilerplate_keys, found.unusable_keys
    )
    return found, previous_bp


def analyze(
    articles: Iterable[Article],
    db_path: str,
    settings: Settings | None = None,
    jobs: int | None = None,
    inputs: list[str] | None = None,
    on_error: Callable[[InputError], None] | None = None,
    progress: Progress | None = None,
    *,
    update: bool = False,
    remove: Iterable[str] = (),
) -> AnalyzeSummary:
    """Add ``articles`` to the store at ``db_path`` and bring all results up to date.

    ``update``: an article whose id is stored with another text replaces the stored one (a
    correction); without it that is an error for the article. ``remove``: ids of stored
    articles to remove first (an unknown id is an error passed to ``on_error``). Either way
    every result (pairs, groups, originality, sources, stories) ends as a run over the articles
    as they now are would leave it (see :func:`_forget`).

    Runs on one store take turns (see ``store.lock``): a second run waits for the first,
    reporting ``progress("waiting", 0, None)`` once.
    """

    def waiting() -> None:
        if progress is not None:
            progress("waiting", 0, None)

    # A file that is no store, or a place that cannot be written, is refused before the
    # lock file is made and before any input is read.
    Store.check(db_path)
    try:
        with writer_lock(db_path, on_wait=waiting), _cyclic_gc_paused():
            return _analyze(
                articles, db_path, settings, jobs, inputs, on_error, progress, update, list(remove)
            )
    except (sqlite3.Error, OSError) as exc:
        # The storage failed (disk full, I/O error, the file made read-only meanwhile): every
        # transaction was rolled back, the store holds the steps finished before.
        raise storage_error(db_path, exc) from None


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (in this process and the workers it forks)
    while a run lasts.

    A run keeps a large heap of long-lived objects (prepared texts, anchors, every pair's
    passages); each full collection walks all of it and finds nothing, since the run makes
    no reference cycles worth collecting: its objects are freed by reference counting. On
    news-de the collections cost about a second of a full run (derive 1.5 -> 1.1 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyze(
    articles: Iterable[Article],
    db_path: str,
    settings: Settings | None,
    jobs: int | None,
    inputs: list[str] | None,
    on_error: Callable[[InputError], None] | None,
    progress: Progress | None,
    update: bool = False,
    remove: list[str] | None = None,
) -> AnalyzeSummary:
    settings = settings or Settings()
    jobs = max(1, jobs or os.cpu_count() or 1)
    errors = on_error or (lambda e: None)
    store = Store.open(db_path)
    _preloaded.clear()
    _preloaded_tokens[0] = 0
    _shingles_now.clear()
    run = store.start_run(inputs or [])
    finished = False
    try:
        summary = AnalyzeSummary(run=run)
        t_fp = time.perf_counter()
        _refingerprint(store, settings, jobs, summary, progress)
        summary.recredited = _recredit(store, settings)
        t0 = time.perf_counter()
        if remove:
            _remove(store, remove, summary, errors)
        # New keys start above the largest stored one (a removed article's key may be given
        # again: every row that named it went with it).
        first_new = store.max_aid() + 1
        _ingest(store, articles, run, settings, jobs, summary, errors, progress, update)
        t1 = time.perf_counter()
        rows = store.article_rows()
        summary.articles = len(rows)
        copies = _collapse(store, rows, settings, summary)
        _shingles_now.clear()
        t_dup = time.perf_counter()
        aids, keys, sentences = store.anchors()
        cands, previous_bp = _candidates(store, rows, aids, keys, sentences, copies, settings)
        summary.candidates = len(cands.pairs)
        t2 = time.perf_counter()
        realigned = _align(
            store,
            rows,
            aids,
            cands.pairs,
            cands.shared,
            copies,
            settings,
            jobs,
            summary,
            progress,
            first_new,
        )
        t3 = time.perf_counter()
        digest, spans, redone = _boilerplate_spans(
            store, aids, keys, sentences, cands.boilerplate_keys, previous_bp
        )
        dirty = None if redone is None or realigned is None else realigned | redone
        pairs = _derive(store, run, rows, copies, digest, spans, dirty, settings, summary)
        t4 = time.perf_counter()
        if settings.stories.enabled:
            _stories(store, rows, pairs, settings, jobs, summary, progress)
        t5 = time.perf_counter()
        summary.seconds = {
            "fingerprint again": t0 - t_fp,
            "ingest": t1 - t0,
            "near-duplicates": t_dup - t1,
            "candidates": t2 - t_dup,
            "align": t3 - t2,
            "derive": t4 - t3,
            "stories": t5 - t4,
        }
        store.finish_run(
            run, "done", summary.added, summary.skipped, summary.removed, summary.replaced
        )
        finished = True
        return summary
    finally:
        _preloaded.clear()
        _shingles_now.clear()
        _close_reader()
        if not finished:  # interrupted or failed: say so in the runs table, then close
            with contextlib.suppress(sqlite3.Error):
                store.finish_run(run, "interrupted", 0, 0)
        store.close()


def _by_component(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs ordered so that pairs among the same articles (one agency story printed by many
    outlets) come together: a worker then prepares each article once, not once per pair."""
    components = UnionFind()
    for a, b in pairs:
        components.union(a, b)
    return sorted(pairs, key=lambda p: (components.find(p[0]), p))


def _align(
    store: Store,
    rows: list[dict],
    anchor_aids: np.ndarray,
    pairs: np.ndarray,
    shared: np.ndarray,
    copies: dict[int, int],
    settings: Settings,
    jobs: int,
    summary: AnalyzeSummary,
    progress: Progress | None,
    first_new: int,
) -> set[int] | None:
    """Align the wanted pairs not aligned before, drop those no longer wanted; returns the
    articles of the pairs aligned or dropped, or None when every pair was aligned again
    because the store's pairs were aligned with other rules (then everything is dirty).
    Articles added by this run have keys from ``first_new`` on."""
    rules = _alignment_rules(settings)
    previous = store.alignment_rules()
    everything = previous != rules
    # Results to redo: pairs of other rules, or of a store from before the rules record.
    redo = everything and (previous is not None or store.has_pairs() or summary.refingerprinted > 0)
    if everything:
        # Pairs aligned with other rules are not what this run would align: an incremental
        # run must end where a run over everything with these rules ends. Forgetting them and
        # recording the rules in one transaction keeps a killed run resumable: the next run
        # sees these rules and aligns whatever is still missing.
        with store.transaction():
            store.realign_all(rules)
    wanted = {
        (int(a), int(b)): int(s) for (a, b), s in zip(pairs.tolist(), shared.tolist(), strict=True)
    }
    # Each copy is aligned with its representative, keeping the runs of equal words.
    with_blocks = {(min(c, r), max(c, r)) for c, r in copies.items()}
    for pair in with_blocks:
        wanted.setdefault(pair, 0)
    stored = store.pair_keys()
    stale = sorted(stored.keys() - wanted.keys())
    ids = {r["aid"]: r["id"] for r in rows}
    key_counts = np.bincount(anchor_aids, minlength=max(ids) + 1) if len(anchor_aids) else None

    def near_copy(a: int, b: int, shared: int) -> bool:
        if key_counts is None:
            return False
        most = max(int(key_counts[a]), int(key_counts[b]))
        return most > 0 and shared >= settings.corpus.near_copy_share * most

    todo = []
    recount = []  # kept pairs whose anchor count changed (a key became boilerplate, say)
    for p, shared in wanted.items():
        if p not in stored:
            todo.append(p)
            continue
        # How a pair is aligned: as a copy of its representative (whole-text pass first, runs
        # of equal words kept), and whether its anchor count sends it down the near-copy path
        # first. A stored pair aligned otherwise than a run over everything would align it now
        # is aligned again. Stored fingerprints never change under stored pairs (fingerprinting
        # again drops them), so the key counts are those the pair was aligned with.
        had_blocks, counted = stored[p]
        if (had_blocks, near_copy(*p, counted)) != (p in with_blocks, near_copy(*p, shared)):
            todo.append(p)
        elif counted != shared:
            recount.append((*p, shared))
    todo.sort()
    if stale or recount:
        with store.transaction():
            store.delete_pairs(stale)
            store.set_shared_anchors(recount)
    summary.dropped_pairs = len(stale)

    tasks = [
        (
            a,
            b,
            wanted[(a, b)],
            ids[a] > ids[b],
            near_copy(a, b, wanted[(a, b)]),
            (a, b) in with_blocks,
        )
        for a, b in _by_component(todo)
    ]
    done = 0
    buffer: list[tuple[int, int, int, str, bytes | None]] = []
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
    if everything:
        if redo:  # pairs of articles stored before this run, aligned now under these rules
            summary.realigned_for_rules = sum(a < first_new and b < first_new for a, b in todo)
        return None
    recounted = {x for a, b, _ in recount for x in (a, b)}
    return (
        {x for pair in stale for x in pair} | {x for a, b, *_ in tasks for x in (a, b)} | recounted
    )


def _alignment_rules(settings: Settings) -> str:
    """What decides the passages of a pair: the aligner's version and settings, and the share
    of anchors that sends a pair down the near-copy path first."""
    return json.dumps(
        {
            "version": ALIGNMENT_RULES_VERSION,
            "align": dataclasses.asdict(settings.align),
            "near_copy_share": settings.corpus.near_copy_share,
        },
        sort_keys=True,
    )


def _median_chars(group: PassageGroup) -> int:
    lengths = sorted(e - s for _, s, e in group.members)
    return lengths[len(lengths) // 2]


PairRows = list[tuple[int, int, int, list[tuple]]]


def _mapped_pairs(aligned: PairRows, copies: dict[int, int], blocks: dict) -> PairRows:
    """Passages of every pair involving a copy, carried over from its representative's pairs.

    ``aligned`` holds ``(a, b, shared, passages)`` of aligned pairs (representatives with each
    other and with their copies); ``blocks[(a, b)]`` the equal-word runs of a copy's pair with
    its representative. Returns ``(a, b, shared, passages)``, ``a < b``, for every pair of a
    copy with another article (of another set, or of its own set), never an aligned pair.
    """
    maps: dict[int, list[tuple[int, OffsetMap]]] = {}
    for c, r in sorted(copies.items()):
        runs = blocks.get((min(c, r), max(c, r)))
        if runs is None:
            continue
        maps.setdefault(r, []).append((c, OffsetMap(runs if r < c else runs[:, [2, 3, 0, 1]])))
    out: PairRows = []

    def emit(x: int, y: int, shared: int, passages: list[tuple]) -> None:
        if not passages:
            return
        if x > y:
            x, y = y, x
            passages = sorted((b0, b1, a0, a1, sim) for a0, a1, b0, b1, sim in passages)
        out.append((x, y, shared, passages))

    for a, b, shared, passages in aligned:
        if copies.get(a) == b or copies.get(b) == a:
            # A copy and its representative: the other copies of that set get this pair's
            # passages with the representative's side carried onto them.
            r, c = (a, b) if copies.get(b) == a else (b, a)
            oriented = (
                passages if r < c else [(b0, b1, a0, a1, s) for a0, a1, b0, b1, s in passages]
            )
            for other, m in maps.get(r, []):
                if other < c:
                    emit(other, c, shared, map_passages(oriented, m, None))
            continue
        xs = [(a, None), *maps.get(a, [])]
        ys = [(b, None), *maps.get(b, [])]
        for x, mx in xs:
            for y, my in ys:
                if mx is not None or my is not None:
                    emit(x, y, shared, map_passages(passages, mx, my))
    return out


def _derive(
    store: Store,
    run: int,
    rows: list[dict],
    copies: dict[int, int],
    boilerplate_digest: str,
    boilerplate: dict[int, list[tuple[int, int]]],
    changed: set[int] | None,
    settings: Settings,
    summary: AnalyzeSummary,
) -> list[tuple[int, int, list[tuple]]]:
    """Map passages onto copies and recompute the derived tables (with the ``boilerplate``
    spans per article, kept with ``boilerplate_digest``, the digest of their key set);
    returns every pair with passages ``(a, b, passage rows)``, aligned and mapped.

    Article stats depend only on an article's own pairs and boilerplate: when the tables were
    derived by the previous run with the same rules, only the stats of *dirty* articles are
    recomputed: new ones, ``changed`` (articles of pairs aligned or dropped now, articles whose
    boilerplate was recomputed) and the articles of mapped pairs that changed. Otherwise (the
    first run, an interrupted run in between, other rules, ``changed`` None) all are.
    """
    infos = [ArticleInfo(r["aid"], r["id"], r["outlet"], r["published"], r["chars"]) for r in rows]
    aligned: PairRows = []
    for a, b, shared, passages_json in store.pairs(mapped=False):
        aligned.append((a, b, shared, [tuple(p) for p in json.loads(passages_json)]))
    mapped = _mapped_pairs(aligned, copies, dict(((a, b), r) for a, b, r in store.pair_blocks()))
    summary.mapped_pairs = len(mapped)
    pairs = [(a, b, passages) for a, b, _, passages in aligned + mapped if passages]
    summary.pairs_with_passages = len(pairs)
    mapped_json = [(a, b, shared, json.dumps([list(p) for p in ps])) for a, b, shared, ps in mapped]

    def state_of(derived_by: int) -> str:  # what the derived tables were computed with
        # "sources": bumped when the layout of article_stats.sources changes, so that a store
        # derived by an older wiretrace has every article's stats recomputed, not just new ones.
        return json.dumps(
            {
                "run": derived_by,
                "duplicate_coverage": settings.corpus.duplicate_coverage,
                "sources": 2,
            }
        )

    dirty = None
    if changed is not None and store.derived_state() == state_of(run - 1):
        before = store.mapped_pair_passages()
        now = {(a, b): j for a, b, _, j in mapped_json}
        moved = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
        derived = set(store.derived_articles())
        dirty = changed | {x for p in moved for x in p} | {r["aid"] for r in rows} - derived
        pairs_now = [p for p in pairs if p[0] in dirty or p[1] in dirty]
    sides = sides_of(rows)
    scored = pairs if dirty is None else pairs_now
    stats = article_stats(
        infos,
        scored,
        boilerplate,
        settings.corpus.duplicate_coverage,
        only=dirty,
        derived=derived_pairs([(a, b) for a, b, _ in scored], sides),
    )
    exact = {r["aid"]: r["duplicate_of"] for r in rows}
    groups = passage_groups(infos, pairs, boilerplate)
    summary.groups = len(groups)
    with store.transaction():
        store.replace_boilerplate_spans(boilerplate_digest, boilerplate)
        store.replace_mapped_pairs(mapped_json)
        store.replace_derived(
            (
                (
                    s.aid,
                    s.reused_chars,
                    s.boilerplate_chars,
                    s.originality,
                    json.dumps([list(source) for source in s.sources]),
                    exact[s.aid] if exact[s.aid] is not None else s.duplicate_of,
                )
                for s in stats
            ),
            ((g.gid, g.articles, g.earliest, int(g.boilerplate), _median_chars(g)) for g in groups),
            ((g.gid, aid, s, e) for g in groups for aid, s, e in g.members),
            state_of(run),
            only=dirty,
        )
    return pairs


# --- stories -----------------------------------------------------------------------------------


def _story_profile_chunk(aids: list[int]) -> list[tuple[int, ArticleProfile, np.ndarray]]:
    """Corpus profiles and lead embeddings of stored articles (in a worker). An article that
    keeps its embedding from an earlier run (taken out of its story by a removal or a
    correction, to be placed again) is not embedded again: the model is deterministic, and
    embedding is most of the cost."""
    marks = ",".join("?" * len(aids))
    found: dict[int, Article] = {}
    kept: dict[int, np.ndarray] = {}
    for r in _reader().execute(
        f"SELECT aid, id, text, title, published, lang, embedding FROM articles"
        f" WHERE aid IN ({marks})",
        aids,
    ):
        found[r[0]] = Article(r[1], r[2], title=r[3], published=r[4], lang=r[5])
        if r[6] is not None:
            kept[r[0]] = np.frombuffer(r[6], dtype="<f4")
    out: dict[int, tuple[ArticleProfile, np.ndarray]] = {}
    fresh = [a for a in aids if a not in kept]
    if fresh:
        profs, vectors = corpus_profiles([found[a] for a in fresh])
        out.update(zip(fresh, zip(profs, vectors, strict=True), strict=True))
    again = [a for a in aids if a in kept]
    if again:
        stacked = np.stack([kept[a] for a in again])
        profs, vectors = corpus_profiles([found[a] for a in again], stacked)
        out.update(zip(again, zip(profs, vectors, strict=True), strict=True))
    return [(a, *out[a]) for a in aids]


def _stories(
    store: Store,
    rows: list[dict],
    pairs: list[tuple[int, int, list[tuple]]],
    settings: Settings,
    jobs: int,
    summary: AnalyzeSummary,
    progress: Progress | None,
) -> None:
    """Place every article not yet in a story (see the module docstring, stage 6); ``pairs``
    are all pairs with passages ``(a, b, passage rows)``, the evidence of shared text."""
    new = store.articles_without_story()
    by_aid = {r["aid"]: r for r in rows}
    members = store.story_members()
    if new:
        profiles: dict[int, ArticleProfile] = {}
        vectors: dict[int, np.ndarray] = {}
        done = 0
        for chunk in _pool_map(
            _story_profile_chunk, _chunks(new, _STORY_CHUNK), jobs, settings, store.path
        ):
            for aid, prof, vec in chunk:
                profiles[aid], vectors[aid] = prof, vec
            done += len(chunk)
            if progress:
                progress("stories", done, len(new))
        with store.transaction():
            store.set_embeddings((aid, vectors[aid]) for aid in new)
        # Stories so far, in story id order, with their members' embeddings.
        old = [aid for _, aid in members]
        known = store.embeddings(old)
        stories: list[Story] = []
        for story_id, aid in members:
            if not stories or stories[-1].story_id != story_id:
                stories.append(Story(story_id))
            t = parse_time(by_aid[aid]["published"])
            stories[-1].add(Item(aid, t, known[aid]))
        fresh = set(new)
        passages = {(a, b): shared for a, b, shared in pairs if a in fresh or b in fresh}

        def profile_of(aid: int) -> ArticleProfile:
            if aid not in profiles:  # an article placed by an earlier run
                article = store.article(aid)
                (p,), _ = corpus_profiles([article], known[aid][None, :])
                profiles[aid] = p
            return profiles[aid]

        chars = {r["aid"]: r["chars"] for r in rows}
        scorer = PairScorer(profiles, passages, chars, corpus_combiner())

        def score(a: int, b: int) -> float:
            profile_of(a), profile_of(b)
            return scorer(a, b)

        items = [Item(aid, parse_time(by_aid[aid]["published"]), vectors[aid]) for aid in new]
        placed = assign(items, stories, score, settings.stories)
        touched = {p.story_id for p in placed}
        languages = {aid: p.lang for aid, p in profiles.items()}
        story_members: dict[int, list[int]] = {}
        for st in stories:
            if st.story_id in touched:
                story_members[st.story_id] = st.members
        need_lang = [a for m in story_members.values() for a in m if a not in languages]
        languages.update(store.languages(need_lang))

        def text_of(aid: int) -> str:
            return store.texts([aid]).get(aid, "")

        with store.transaction():
            store.put_stories(
                story_row(sid, [by_aid[a] for a in m], languages, text_of)
                for sid, m in story_members.items()
            )
            store.add_story_members((p.key, p.story_id, p.score) for p in placed)
            store.set_languages((aid, languages[aid]) for aid in new if languages.get(aid))
        summary.new_stories = sum(p.new_story for p in placed)
        reasons = {
            "without a date (time left neutral)": sum(profiles[a].published is None for a in new),
            "without a title": sum(not (by_aid[a]["title"] or "").strip() for a in new),
            "in a language not recognised": sum(profiles[a].lang is None for a in new),
        }
        summary.story_warnings = {k: v for k, v in reasons.items() if v}
    stale = store.stale_stories()
    if stale:  # stories that lost members to a removal or correction: their rows anew
        _rewrite_stories(store, stale, by_aid)
    summary.stories = store.story_count()


def _rewrite_stories(store: Store, story_ids: list[int], by_aid: dict[int, dict]) -> None:
    """Write the rows of these stories again from their members (one transaction)."""
    members: dict[int, list[int]] = {}
    for story_id, aid in store.story_members():
        members.setdefault(story_id, []).append(aid)
    wanted = [sid for sid in story_ids if sid in members]
    languages = store.languages([a for sid in wanted for a in members[sid]])

    def text_of(aid: int) -> str:
        return store.texts([aid]).get(aid, "")

    with store.transaction():
        store.put_stories(
            story_row(sid, [by_aid[a] for a in members[sid]], languages, text_of)
            for sid in wanted
        )
