"""Records of a store's results, as plain dicts ready for JSON lines, CSV or Parquet.

Three kinds of record, each a generator reading a :class:`~wiretrace.store.db.Store` (opened
read-only is enough) so that a store of millions of articles is exported in bounded memory:

* :func:`article_records`: one per article, in store order (``aid``), with its originality,
  sources and whole-article copies;
* :func:`passage_records`: one per reuse group (a passage printed in several articles);
* :func:`pair_records`: one per pair of articles sharing at least one passage, in the
  ``wiretrace compare --json`` schema (without ``same_story``: same-story scores for corpus
  pairs arrive with the story clustering, issue 4).

Units: offsets are ``[start, end)`` in Unicode code points of the article text exactly as
stored (as read), so ``a_text == text[a_start:a_end]``; ``chars`` are code points; shares are
in [0, 1]. The record layouts (field names, types) are documented in the README; Arrow types
for Parquet are given by :func:`arrow_schema`.

The derived results (article_stats, groups) are those of the last finished ``analyze`` run;
an article ingested by a run that was killed before its derive stage has ``null`` statistics
until ``analyze`` runs again.

Example::

    >>> from wiretrace.store.db import Store
    >>> store = Store.open("wiretrace.db", read_only=True)      # doctest: +SKIP
    >>> next(article_records(store))["originality"]              # doctest: +SKIP
    1.0

This module only reads: it runs SELECT statements on ``store.conn`` and never writes.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from wiretrace.report.spans import covered_chars, subtract

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow

    from wiretrace.store.db import Store

__all__ = [
    "KINDS",
    "arrow_schema",
    "article_records",
    "pair_records",
    "passage_records",
    "records",
    "snapshot",
]

#: The record kinds, as named by ``wiretrace export --what``.
KINDS: tuple[str, ...] = ("articles", "passages", "pairs", "stories", "outlets")

_FETCH = 500  # rows fetched from SQLite at a time
_PAIR_BATCH = 200  # pairs whose texts are loaded together


def _article_ids(store: Store) -> dict[int, str]:
    """``{aid: id}`` of every article (ids only: texts are never all loaded)."""
    return dict(store.conn.execute("SELECT aid, id FROM articles"))


def _rows(store: Store, sql: str, params: tuple = ()) -> Iterator[tuple]:
    cur = store.conn.execute(sql, params)
    while rows := cur.fetchmany(_FETCH):
        yield from rows


class _TextCache:
    """The text of recently used articles (a few at a time, never the whole store)."""

    def __init__(self, store: Store, size: int = 64) -> None:
        self.store = store
        self.size = size
        self.cache: OrderedDict[int, str] = OrderedDict()

    def __getitem__(self, aid: int) -> str:
        text = self.cache.get(aid)
        if text is None:
            text = self.store.texts([aid])[aid]
            self.cache[aid] = text
            if len(self.cache) > self.size:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(aid)
        return text


@contextmanager
def snapshot(store: Store) -> Iterator[None]:
    """Read everything inside one read transaction: one consistent state of the store, even
    while an ``analyze`` run commits new results (WAL readers see the last commit before their
    first read). Without it each query sees the latest commit on its own."""
    if store.conn.in_transaction:
        yield
        return
    store.conn.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        store.conn.execute("COMMIT")  # nothing was written; ends the read transaction


# --- articles --------------------------------------------------------------------------------


def reuse_fields(
    reused: int | None,
    boilerplate: int | None,
    originality: float | None,
    duplicate_of: int | None,
    agencies: str | None,
    sources: list[list[Any]],
    ids: dict[int, str],
) -> dict[str, Any]:
    """The reuse fields of an article record, ``reused_chars`` to ``sources``, with store keys
    turned into article ids by ``ids`` (sources whose key it lacks are left out).

    ``sources`` rows are ``[aid, shared_chars, similarity]``; rows ``[aid, shared_chars]``, left
    by an older wiretrace until the next ``analyze`` re-derives them, give ``similarity`` None."""
    return {
        "reused_chars": reused,
        "boilerplate_chars": boilerplate,
        "originality": originality,
        "duplicate_of": ids.get(duplicate_of) if duplicate_of is not None else None,
        "agencies": json.loads(agencies) if agencies else [],
        "sources": [
            {"id": ids[src[0]], "shared_chars": src[1], "similarity": _at(src, 2)}
            for src in sources
            if src[0] in ids
        ],
    }


def _shares(
    aid: int,
    chars: int,
    reused: int | None,
    boilerplate: int | None,
    originality: float | None,
    from_agencies: dict[int, int],
) -> dict[str, float | None]:
    """``agency_share``, ``reused_share`` and ``original_share`` of an article: its text
    (boilerplate excluded) split into agency copy, text from other outlets and its own; they
    sum to 1, and ``original_share`` is its originality. Agency copy is counted only where the
    article reused it (an agency's own wire is original)."""
    if reused is None or boilerplate is None or originality is None:
        return {"agency_share": None, "reused_share": None, "original_share": None}
    base = max(chars - boilerplate, 1)
    agency = min(from_agencies.get(aid, 0), reused) / base
    reused_share = max(reused / base - agency, 0.0)
    return {
        "agency_share": round(agency, 4),
        "reused_share": round(reused_share, 4),
        "original_share": round(1.0 - agency - reused_share, 4),
    }


def _at(row: list[Any], i: int) -> Any:
    return row[i] if len(row) > i else None


def article_records(store: Store) -> Iterator[dict[str, Any]]:
    """One record per article, in store order (``aid``).

    Fields: ``id, outlet, published, title, url, lang, author`` (as read; None when unknown),
    ``teaser_only`` (a feed entry stored with only its summary), ``chars``
    (length in code points), ``reused_chars`` (code points found in articles published no later
    than this one, boilerplate excluded), ``boilerplate_chars``, ``originality`` (in [0, 1]:
    ``1 - reused_chars / (chars - boilerplate_chars)``), ``duplicate_of`` (id of the earliest
    article this one is a whole-article copy of, or None), ``agencies`` (agency credits found in
    the text, e.g. ``["dpa"]``; picture credits such as ``Foto: dpa`` are not among them but
    in ``image_credits``), ``sources`` (``[{"id", "shared_chars", "similarity"}]``,
    possible sources, the one this article took most text from first: most shared characters
    weighted by the passages' token similarity), ``story_id`` (the story it belongs to; None
    before stories were computed), ``image_credits`` (agencies credited for its pictures) and
    ``agency_share``, ``reused_share``, ``original_share`` (its text split into agency copy,
    text taken from other outlets and its own, boilerplate excluded, summing to 1:
    :func:`_shares`).
    """
    ids = _article_ids(store)
    from_agencies = agency_chars(store)
    sql = (
        "SELECT a.aid, a.id, a.outlet, a.published, a.title, a.url, a.chars, a.agencies,"
        " s.reused_chars, s.boilerplate_chars, s.originality, s.sources,"
        f" coalesce(s.duplicate_of, a.duplicate_of), m.story_id, a.lang, {store.article_extras('a.')}"
        " FROM articles a LEFT JOIN article_stats s ON s.aid = a.aid"
        " LEFT JOIN story_members m ON m.aid = a.aid ORDER BY a.aid"
    )
    for row in _rows(store, sql):
        (_, id_, outlet, published, title, url, chars, agencies) = row[:8]
        reused, boilerplate, originality, sources, duplicate_of, story_id = row[8:14]
        lang, author, teaser_only, image_credits = row[14:18]
        shares = _shares(row[0], chars, reused, boilerplate, originality, from_agencies)
        yield {
            "id": id_,
            "outlet": outlet,
            "published": published,
            "title": title,
            "url": url,
            "lang": lang,
            "author": author,
            "teaser_only": bool(teaser_only),
            "chars": chars,
            **reuse_fields(
                reused,
                boilerplate,
                originality,
                duplicate_of,
                agencies,
                json.loads(sources or "[]"),
                ids,
            ),
            "story_id": story_id,
            "image_credits": json.loads(image_credits or "[]"),
            **shares,
        }


# --- passages (reuse groups) -----------------------------------------------------------------


def _sides(store: Store) -> dict[int, Any]:
    from wiretrace.report.provenance import sides_of

    return sides_of(store.article_rows())


def group_origins(store: Store) -> dict[int, tuple[dict[str, str | None], int]]:
    """``{gid: (source, best witness key)}`` of every reuse group
    (:func:`wiretrace.report.provenance.group_origin`)."""
    from wiretrace.report.provenance import group_origin

    sides = _sides(store)
    pair_passages = {
        (a, b): json.loads(p) for a, b, p in store.conn.execute("SELECT a, b, passages FROM pairs")
    }
    spans_of: dict[int, list[tuple[int, int, int]]] = {}
    for gid, aid, start, end in store.conn.execute(
        "SELECT gid, aid, start, end FROM group_members ORDER BY gid, aid, start"
    ):
        spans_of.setdefault(gid, []).append((aid, start, end))
    out = {}
    for gid, earliest in store.conn.execute("SELECT gid, earliest FROM groups"):
        spans = spans_of.get(gid, [])
        printers = sorted({aid for aid, _, _ in spans}, key=lambda a: (a != earliest, a))
        if printers:
            out[gid] = group_origin(printers, sides, _similarity_in(spans, pair_passages))
    return out


def _similarity_in(
    spans: list[tuple[int, int, int]], pair_passages: dict[tuple[int, int], list[list[Any]]]
) -> dict[tuple[int, int], float]:
    """Mean token similarity of each aligned pair of a group's printers, over their passages
    inside the group's spans (weighted by length)."""
    mine: dict[int, list[tuple[int, int]]] = {}
    for aid, start, end in spans:
        mine.setdefault(aid, []).append((start, end))
    out = {}
    for a in mine:
        for b in mine:
            rows = pair_passages.get((a, b)) if a < b else None
            if not rows:
                continue
            inside = [
                r
                for r in rows
                if any(r[0] < e and s < r[1] for s, e in mine[a])
                and any(r[2] < e and s < r[3] for s, e in mine[b])
            ]
            weight = sum(max(r[1] - r[0], 1) for r in inside)
            if weight:
                out[(a, b)] = sum(max(r[1] - r[0], 1) * r[4] for r in inside) / weight
    return out


def agency_chars(store: Store) -> dict[int, int]:
    """Per article, its characters inside reuse groups whose source is an agency (credited,
    a wire's own copy other than the article itself, or an unknown wire), boilerplate
    excluded: the agency copy it prints."""
    origins = group_origins(store)
    ids = _article_ids(store)
    boilerplate = store.stored_boilerplate_spans()
    spans: dict[int, list[tuple[int, int]]] = {}
    for gid, aid, start, end in store.conn.execute(
        "SELECT m.gid, m.aid, m.start, m.end FROM group_members m JOIN groups g"
        " ON g.gid = m.gid WHERE g.boilerplate = 0"
    ):
        source = origins.get(gid, ({"kind": None}, 0))[0]
        kind = source.get("kind")
        if kind in ("agency", "unknown wire") or (kind == "article" and source["name"] != ids[aid]):
            spans.setdefault(aid, []).append((start, end))
    return {
        aid: covered_chars(subtract(sorted(found), sorted(boilerplate.get(aid, []))))
        for aid, found in spans.items()
    }


def passage_records(store: Store) -> Iterator[dict[str, Any]]:
    """One record per reuse group, largest first (the store's group order).

    Fields: ``group`` (number, 1 = most articles), ``articles`` (how many articles print it),
    ``members`` (``[{"id", "start", "end"}]``, every span of it, by article then start),
    ``earliest`` (id of the article that published it first), ``boilerplate`` (True for
    outlet furniture such as teasers, excluded from originality), ``chars`` (median length of
    the members' spans, code points), ``text`` (the earliest article's span; its first span
    when it holds several), ``source`` (``{"kind", "name"}``: where the text came from, see
    :func:`wiretrace.report.provenance.group_origin`: a member that is a wire's own copy, a
    credited agency, an ``"unknown wire"``, or ``{"kind": null}`` when the evidence does not
    say) and ``best_witness`` (the member whose version is closest to all others).
    """
    ids = _article_ids(store)
    texts = _TextCache(store)
    origins = group_origins(store)
    groups = _rows(
        store, "SELECT gid, members, earliest, boilerplate, chars FROM groups ORDER BY gid"
    )
    members = _rows(
        store, "SELECT gid, aid, start, end FROM group_members ORDER BY gid, aid, start"
    )
    pending = next(members, None)
    for gid, count, earliest, boilerplate, chars in groups:
        spans = []
        while pending is not None and pending[0] < gid:  # members of a missing group: skip
            pending = next(members, None)
        while pending is not None and pending[0] == gid:
            spans.append(pending[1:])
            pending = next(members, None)
        first = next(((s, e) for aid, s, e in spans if aid == earliest), None)
        text = texts[earliest][first[0] : first[1]] if first else ""
        source, witness = origins.get(gid, ({"kind": None, "name": None}, earliest))
        yield {
            "group": gid,
            "articles": count,
            "members": [{"id": ids[aid], "start": s, "end": e} for aid, s, e in spans],
            "earliest": ids[earliest],
            "boilerplate": bool(boilerplate),
            "chars": chars,
            "text": text,
            "source": source,
            "best_witness": ids[witness],
        }


# --- stories ---------------------------------------------------------------------------------


def story_records(store: Store) -> Iterator[dict[str, Any]]:
    """One record per story, largest first (ties: earliest first, then story id).

    Fields: ``story_id``, ``label`` (the title, or the opening words, of its first article),
    ``articles`` (member ids in publication order), ``outlets`` and ``languages`` (distinct,
    sorted), ``first_published`` and ``last_published`` (None when no member is dated).
    """
    ids = _article_ids(store)
    members: dict[int, list[int]] = {}
    for story_id, aid in _rows(
        store,
        "SELECT m.story_id, m.aid FROM story_members m JOIN articles a ON a.aid = m.aid"
        " ORDER BY m.story_id, a.published IS NULL, a.published, a.id",
    ):
        members.setdefault(story_id, []).append(aid)
    for story_id, label, _, first, last, outlets, languages in _rows(
        store,
        "SELECT story_id, label, articles, first_published, last_published, outlets, languages"
        " FROM stories ORDER BY articles DESC, first_published IS NULL, first_published,"
        " story_id",
    ):
        yield {
            "story_id": story_id,
            "label": label,
            "articles": [ids[aid] for aid in members.get(story_id, [])],
            "outlets": json.loads(outlets),
            "languages": json.loads(languages),
            "first_published": first,
            "last_published": last,
        }


# --- pairs -----------------------------------------------------------------------------------


def pair_records(store: Store) -> Iterator[dict[str, Any]]:
    """One record per pair of articles sharing at least one passage, in store order ``(a, b)``.

    The ``wiretrace compare --json`` schema: ``a`` and ``b`` (``{id, path, chars}``),
    ``coverage`` (``{a, b}``: share of each article's code points inside the passages),
    ``passages`` (sorted by ``a_start``; ``similarity`` in [0, 1]; ``a_text`` and ``b_text``
    the spans' text), ``shared_anchors`` (the anchor keys that made the pair a candidate) and
    ``mapped`` (true when one side is a near-duplicate whose passages were carried over from
    its representative's pair rather than aligned) and ``relation`` (who took the text from
    whom: :func:`wiretrace.report.provenance.pair_relation`, with the other members of the
    passages' reuse groups as third articles).
    There is no ``same_story`` object yet. Texts are loaded per batch of pairs.
    """
    from wiretrace.report.provenance import pair_relation

    sides = _sides(store)
    groups_of: dict[int, set[int]] = {}
    members: dict[int, set[int]] = {}
    for gid, aid in store.conn.execute("SELECT DISTINCT gid, aid FROM group_members"):
        groups_of.setdefault(aid, set()).add(gid)
        members.setdefault(gid, set()).add(aid)

    def others(a: int, b: int) -> list[Any]:
        common = groups_of.get(a, set()) & groups_of.get(b, set())
        third = set().union(*(members[g] for g in common)) - {a, b} if common else set()
        return [sides[x] for x in sorted(third)]

    sql = (
        "SELECT p.a, p.b, p.shared_anchors, p.passages, x.id, x.path, x.chars,"
        " y.id, y.path, y.chars, p.mapped FROM pairs p"
        " JOIN articles x ON x.aid = p.a JOIN articles y ON y.aid = p.b ORDER BY p.a, p.b"
    )
    cur = store.conn.execute(sql)
    while rows := cur.fetchmany(_PAIR_BATCH):
        parsed = [(row, json.loads(row[3])) for row in rows]
        parsed = [(row, passages) for row, passages in parsed if passages]
        texts = store.texts({aid for row, _ in parsed for aid in row[:2]})
        for row, passages in parsed:
            a, b, shared, _, a_id, a_path, a_chars, b_id, b_path, b_chars, mapped = row
            ta, tb = texts[a], texts[b]
            passages.sort(key=lambda p: (p[0], p[2]))
            yield {
                "a": {"id": a_id, "path": a_path, "chars": a_chars},
                "b": {"id": b_id, "path": b_path, "chars": b_chars},
                "coverage": {
                    "a": round(
                        covered_chars([(p[0], p[1]) for p in passages]) / max(a_chars, 1), 4
                    ),
                    "b": round(
                        covered_chars([(p[2], p[3]) for p in passages]) / max(b_chars, 1), 4
                    ),
                },
                "passages": [
                    {
                        "a_start": a0,
                        "a_end": a1,
                        "b_start": b0,
                        "b_end": b1,
                        "similarity": sim,
                        "a_text": ta[a0:a1],
                        "b_text": tb[b0:b1],
                    }
                    for a0, a1, b0, b1, sim in passages
                ],
                "shared_anchors": shared,
                "mapped": bool(mapped),
                "relation": pair_relation(sides[a], sides[b], others(a, b)).to_dict(),
            }


def _outlet_records(store: Store) -> Iterator[dict[str, Any]]:
    from wiretrace.report.outlets import outlet_records

    yield from outlet_records(store)


def records(store: Store, what: str) -> Iterator[dict[str, Any]]:
    """The records of one kind (one of :data:`KINDS`)."""
    builders = {
        "articles": article_records,
        "passages": passage_records,
        "pairs": pair_records,
        "stories": story_records,
        "outlets": _outlet_records,
    }
    if what not in builders:
        raise ValueError(f"unknown record kind {what!r}; expected one of {', '.join(KINDS)}")
    return builders[what](store)


def arrow_schema(what: str) -> pyarrow.Schema:
    """The Parquet (Arrow) schema of a record kind: nested fields as Arrow lists and structs.

    Explicit rather than inferred, so that every file of a kind has the same schema even when a
    column is empty or all null (``duplicate_of``, ``story_id``).
    """
    import pyarrow as pa

    side = pa.struct([("id", pa.string()), ("path", pa.string()), ("chars", pa.int64())])
    schemas = {
        "articles": pa.schema(
            [
                ("id", pa.string()),
                ("outlet", pa.string()),
                ("published", pa.string()),
                ("title", pa.string()),
                ("url", pa.string()),
                ("lang", pa.string()),
                ("author", pa.string()),
                ("teaser_only", pa.bool_()),
                ("chars", pa.int64()),
                ("reused_chars", pa.int64()),
                ("boilerplate_chars", pa.int64()),
                ("originality", pa.float64()),
                ("duplicate_of", pa.string()),
                ("agencies", pa.list_(pa.string())),
                (
                    "sources",
                    pa.list_(
                        pa.struct(
                            [
                                ("id", pa.string()),
                                ("shared_chars", pa.int64()),
                                ("similarity", pa.float64()),
                            ]
                        )
                    ),
                ),
                ("story_id", pa.int64()),
                ("image_credits", pa.list_(pa.string())),
                ("agency_share", pa.float64()),
                ("reused_share", pa.float64()),
                ("original_share", pa.float64()),
            ]
        ),
        "passages": pa.schema(
            [
                ("group", pa.int64()),
                ("articles", pa.int64()),
                (
                    "members",
                    pa.list_(
                        pa.struct([("id", pa.string()), ("start", pa.int64()), ("end", pa.int64())])
                    ),
                ),
                ("earliest", pa.string()),
                ("boilerplate", pa.bool_()),
                ("chars", pa.int64()),
                ("text", pa.string()),
                ("source", pa.struct([("kind", pa.string()), ("name", pa.string())])),
                ("best_witness", pa.string()),
            ]
        ),
        "outlets": pa.schema(
            [
                ("outlet", pa.string()),
                ("articles", pa.int64()),
                ("chars", pa.int64()),
                ("agency_share", pa.float64()),
                ("reused_share", pa.float64()),
                ("original_share", pa.float64()),
                (
                    "reused_from",
                    pa.list_(pa.struct([("outlet", pa.string()), ("chars", pa.int64())])),
                ),
            ]
        ),
        "stories": pa.schema(
            [
                ("story_id", pa.int64()),
                ("label", pa.string()),
                ("articles", pa.list_(pa.string())),
                ("outlets", pa.list_(pa.string())),
                ("languages", pa.list_(pa.string())),
                ("first_published", pa.string()),
                ("last_published", pa.string()),
            ]
        ),
        "pairs": pa.schema(
            [
                ("a", side),
                ("b", side),
                ("coverage", pa.struct([("a", pa.float64()), ("b", pa.float64())])),
                (
                    "passages",
                    pa.list_(
                        pa.struct(
                            [
                                ("a_start", pa.int64()),
                                ("a_end", pa.int64()),
                                ("b_start", pa.int64()),
                                ("b_end", pa.int64()),
                                ("similarity", pa.float64()),
                                ("a_text", pa.string()),
                                ("b_text", pa.string()),
                            ]
                        )
                    ),
                ),
                ("shared_anchors", pa.int64()),
                ("mapped", pa.bool_()),
                (
                    "relation",
                    pa.struct(
                        [
                            ("kind", pa.string()),
                            ("source", pa.string()),
                            ("evidence", pa.list_(pa.string())),
                            ("confidence", pa.float64()),
                        ]
                    ),
                ),
            ]
        ),
    }
    if what not in schemas:
        raise ValueError(f"unknown record kind {what!r}; expected one of {', '.join(KINDS)}")
    return schemas[what]
