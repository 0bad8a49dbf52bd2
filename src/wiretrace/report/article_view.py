"""One stored article as a reader sees it: its text cut into segments, every reused passage
with where else it was printed, and what it added and cut compared with its main source.

Library behind the web app's article page, ``GET /api/articles/{id}`` and ``wiretrace show``.
Reads a :class:`~wiretrace.store.db.Store` (SELECT only) and tokenises two texts at most.

Units: offsets are ``[start, end)`` in code points of the article text exactly as stored, so
``text[start:end]`` is always the text a span claims.

Example::

    >>> with Store.open("wiretrace.db", read_only=True) as store:    # doctest: +SKIP
    ...     view = article_view(store, "flood-jetzt")
    >>> view.main_source.source["id"], view.main_source.added_chars    # doctest: +SKIP
    ('flood-wire', 212)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wiretrace.model import Passage, Span
from wiretrace.report.browse import article_record
from wiretrace.report.diff import Edit, passage_edits, uncovered
from wiretrace.report.names import ArticleNames, article_names, name_of
from wiretrace.report.spans import covered_chars
from wiretrace.text.tokens import tokenize

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.store.db import Store

__all__ = [
    "ArticleView",
    "Occurrence",
    "ReusedPassage",
    "Segment",
    "SourceDiff",
    "article_view",
    "article_view_to_dict",
    "segments",
]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where else a passage was printed: article ``id`` (with title, outlet, date) and span."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ReusedPassage:
    """A span of this article that belongs to reuse group ``group``.

    ``earliest`` is the id of the article that printed the group's text first (this one, when
    it is the origin); ``others`` every span of the group in other articles; ``boilerplate``
    marks outlet furniture (teasers …) that does not count against originality.
    """

    group: int
    start: int
    end: int
    earliest: str
    boilerplate: bool
    others: tuple[Occurrence, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch ``[start, end)`` of the text covered by the same set of reuse ``groups``
    (empty: text found nowhere else). Segments tile the whole text in order."""

    start: int
    end: int
    groups: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SourceDiff:
    """This article against its main source (the earlier article it shares most text with).

    ``passages`` are oriented source -> this article (``a`` = source, ``b`` = this), sorted by
    ``b``; ``edits[i]`` the word-level edits inside passage i
    (:func:`~wiretrace.report.diff.passage_edits`).
    ``added`` are the spans of this article's text not in the source: stretches outside every
    shared passage plus words inserted or changed inside them; ``cut`` the same for the
    source's text (what this article left out or changed). Spans holding no letter or digit
    (the blank lines between passages) are left out.
    """

    source: dict[str, Any]
    shared_chars: int
    passages: tuple[Passage, ...]
    edits: tuple[tuple[Edit, ...], ...]
    added: tuple[Span, ...]
    cut: tuple[Span, ...]
    source_text: str

    @property
    def added_chars(self) -> int:
        return covered_chars((s.start, s.end) for s in self.added)

    @property
    def cut_chars(self) -> int:
        return covered_chars((s.start, s.end) for s in self.cut)


@dataclass(frozen=True, slots=True)
class ArticleView:
    """Everything the article page shows: ``record`` (the article record of
    :func:`~wiretrace.report.browse.article_record`), ``text``, ``passages`` (sorted by start),
    ``segments`` (tiling the text), ``main_source`` (None without a source) and ``names``,
    how to name this article and every article the view refers to
    (:mod:`wiretrace.report.names`: ``view.names[id].label``)."""

    record: dict[str, Any]
    text: str
    passages: tuple[ReusedPassage, ...]
    segments: tuple[Segment, ...]
    main_source: SourceDiff | None
    names: ArticleNames = field(default_factory=ArticleNames)


def segments(length: int, spans: list[tuple[int, int, int]]) -> list[Segment]:
    """Cut ``[0, length)`` at every boundary of ``spans`` (``(start, end, group)``; may
    overlap); each piece lists the groups covering it."""
    cuts = {0, length}
    for s, e, _ in spans:
        cuts.update((max(0, min(s, length)), max(0, min(e, length))))
    bounds = sorted(cuts)
    out = []
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        if hi <= lo:
            continue
        groups = tuple(sorted({g for s, e, g in spans if s <= lo and e >= hi}))
        out.append(Segment(lo, hi, groups))
    return out


def _meaningful(text: str, spans: list[Span]) -> tuple[Span, ...]:
    """Spans trimmed of surrounding whitespace; those without a letter or digit dropped."""
    out = []
    for s in spans:
        piece = text[s.start : s.end]
        if not any(ch.isalnum() for ch in piece):
            continue
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        out.append(Span(s.start + lead, s.end - trail))
    return tuple(out)


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in sorted(spans):
        if out and s.start <= out[-1].end:
            if s.end > out[-1].end:
                out[-1] = Span(out[-1].start, s.end)
        else:
            out.append(s)
    return out


def source_diff(
    text: str, source_text: str, passages: list[Passage], source: dict[str, Any], shared: int
) -> SourceDiff:
    """Added and cut text of ``text`` against ``source_text`` given their shared ``passages``
    (oriented ``a`` = source, ``b`` = this article)."""
    passages = sorted(passages, key=lambda p: (p.b.start, p.a.start))
    tokens_src, tokens_this = tokenize(source_text), tokenize(text)
    edits = [tuple(passage_edits(tokens_src, tokens_this, p)) for p in passages]
    flat = [e for per_passage in edits for e in per_passage]
    added = uncovered(len(text), [p.b for p in passages])
    added += [e.b for e in flat if e.kind != "delete" and e.b.end > e.b.start]
    cut = uncovered(len(source_text), [p.a for p in passages])
    cut += [e.a for e in flat if e.kind != "insert" and e.a.end > e.a.start]
    return SourceDiff(
        source=source,
        shared_chars=shared,
        passages=tuple(passages),
        edits=tuple(edits),
        added=_meaningful(text, _merge(added)),
        cut=_meaningful(source_text, _merge(cut)),
        source_text=source_text,
    )


def article_view(store: Store, article_id: str) -> ArticleView | None:
    """The view of the stored article ``article_id``; None if there is none."""
    record = article_record(store, article_id)
    if record is None:
        return None
    q = store.conn.execute
    aid, text = q("SELECT aid, text FROM articles WHERE id = ?", (article_id,)).fetchone()
    own = q(
        "SELECT gm.gid, gm.start, gm.end, e.id, g.boilerplate FROM group_members gm"
        " JOIN groups g ON g.gid = gm.gid JOIN articles e ON e.aid = g.earliest"
        " WHERE gm.aid = ? ORDER BY gm.start, gm.gid",
        (aid,),
    ).fetchall()
    others: dict[int, list[Occurrence]] = {}
    gids = sorted({row[0] for row in own})
    for i in range(0, len(gids), 500):
        chunk = gids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for gid, id_, title, outlet, published, s, e in q(
            "SELECT gm.gid, a.id, a.title, a.outlet, a.published, gm.start, gm.end"
            " FROM group_members gm JOIN articles a ON a.aid = gm.aid"
            f" WHERE gm.gid IN ({marks}) AND gm.aid != ? ORDER BY gm.gid, gm.aid, gm.start",
            [*chunk, aid],
        ):
            others.setdefault(gid, []).append(Occurrence(id_, title, outlet, published, s, e))
    passages = tuple(
        ReusedPassage(gid, s, e, earliest, bool(bp), tuple(others.get(gid, ())))
        for gid, s, e, earliest, bp in own
    )
    segs = tuple(segments(len(text), [(p.start, p.end, p.group) for p in passages]))
    main = None
    if record["sources"]:
        first = record["sources"][0]
        main = _main_source(store, aid, first, text)
    names = article_names(
        store,
        [p.earliest for p in passages]
        + [o.id for p in passages for o in p.others]
        + [s["id"] for s in record["sources"]]
        + [record["duplicate_of"]],
    )
    names[article_id] = name_of(
        article_id, record["title"], text, record["outlet"], record["published"]
    )
    return ArticleView(record, text, passages, segs, main, names)


def _main_source(store: Store, aid: int, first: dict[str, Any], text: str) -> SourceDiff:
    """The diff against ``first``, the article record's first source (``id, shared_chars,
    similarity``)."""
    q = store.conn.execute
    source_id = first["id"]
    src_aid, src_text, title, outlet, published = q(
        "SELECT aid, text, title, outlet, published FROM articles WHERE id = ?", (source_id,)
    ).fetchone()
    a, b = min(aid, src_aid), max(aid, src_aid)
    row = q("SELECT passages FROM pairs WHERE a = ? AND b = ?", (a, b)).fetchone()
    raw = json.loads(row[0]) if row else []
    passages = []
    for a0, a1, b0, b1, sim in raw:
        this, src = (Span(a0, a1), Span(b0, b1)) if a == aid else (Span(b0, b1), Span(a0, a1))
        passages.append(Passage(src, this, sim))
    source = {
        "id": source_id,
        "title": title,
        "outlet": outlet,
        "published": published,
        "similarity": first["similarity"],
    }
    return source_diff(text, src_text, passages, source, first["shared_chars"])


def _span_dict(text: str, s: Span) -> dict[str, Any]:
    return {"start": s.start, "end": s.end, "text": text[s.start : s.end]}


def article_view_to_dict(view: ArticleView, with_text: bool = True) -> dict[str, Any]:
    """The JSON form (``GET /api/articles/{id}``, ``wiretrace show --json``): the article
    record, ``label`` (its name for a person: title or first words, outlet, date), ``text``,
    ``passages`` (``group, start, end, earliest, boilerplate, others``:
    ``[{id, title, outlet, published, label, start, end}]``), and ``main_source``: null or
    ``{id, title, outlet, published, similarity, label, shared_chars, added_chars, cut_chars,
    added: [{start, end, text}] (in this text), cut: [{start, end, text}] (in the source's
    text), passages: [{source_start, source_end, start, end, similarity, edits: [{kind,
    source_start, source_end, start, end}]}]}``."""
    out: dict[str, Any] = dict(view.record)
    out["label"] = view.names[view.record["id"]].label
    if with_text:
        out["text"] = view.text
    out["passages"] = [
        {
            "group": p.group,
            "start": p.start,
            "end": p.end,
            "earliest": p.earliest,
            "boilerplate": p.boilerplate,
            "others": [
                {
                    "id": o.id,
                    "title": o.title,
                    "outlet": o.outlet,
                    "published": o.published,
                    "label": view.names[o.id].label,
                    "start": o.start,
                    "end": o.end,
                }
                for o in p.others
            ],
        }
        for p in view.passages
    ]
    m = view.main_source
    if m is None:
        out["main_source"] = None
        return out
    out["main_source"] = {
        **m.source,
        "label": view.names[m.source["id"]].label,
        "shared_chars": m.shared_chars,
        "added_chars": m.added_chars,
        "cut_chars": m.cut_chars,
        "added": [_span_dict(view.text, s) for s in m.added],
        "cut": [_span_dict(m.source_text, s) for s in m.cut],
        "passages": [
            {
                "source_start": p.a.start,
                "source_end": p.a.end,
                "start": p.b.start,
                "end": p.b.end,
                "similarity": p.similarity,
                "edits": [
                    {
                        "kind": e.kind,
                        "source_start": e.a.start,
                        "source_end": e.a.end,
                        "start": e.b.start,
                        "end": e.b.end,
                    }
                    for e in edits
                ],
            }
            for p, edits in zip(m.passages, m.edits, strict=True)
        ],
    }
    return out
