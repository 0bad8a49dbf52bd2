"""The figures ``wiretrace analyze`` prints after a run, read from a store (read-only SQL).

:func:`corpus_overview` gathers what the summary tables show: articles and groups in the store,
the outlets with most articles and their mean originality, the most copied passages and the
least original articles, and the names (:mod:`wiretrace.report.names`) of every article these
lists refer to. Rendering is the CLI's and report.html's business; this module only queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wiretrace.report.names import ArticleNames, article_names

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.store.db import Store

__all__ = ["CopiedPassage", "CorpusOverview", "LeastOriginal", "OutletLine", "corpus_overview"]


@dataclass(frozen=True, slots=True)
class OutletLine:
    """An outlet (None: articles without one), its article count and mean originality."""

    outlet: str | None
    articles: int
    mean_originality: float | None


@dataclass(frozen=True, slots=True)
class CopiedPassage:
    """A reuse group: members (articles), the earliest article's id and outlet, its text's start."""

    group: int
    articles: int
    earliest: str
    earliest_outlet: str | None
    text: str


@dataclass(frozen=True, slots=True)
class LeastOriginal:
    """An article with low originality and the source it shares most text with (or None)."""

    id: str
    outlet: str | None
    originality: float
    main_source: str | None


@dataclass(frozen=True, slots=True)
class CorpusOverview:
    """What a store holds after an analyze run (see the module docs); ``names`` names every
    article id the lists hold (``names[id].label`` …)."""

    articles: int
    outlets: int
    pairs_with_passages: int
    groups: int
    boilerplate_groups: int
    top_outlets: tuple[OutletLine, ...]
    most_copied: tuple[CopiedPassage, ...]
    least_original: tuple[LeastOriginal, ...]
    names: ArticleNames = field(default_factory=ArticleNames)


def corpus_overview(store: Store, top: int = 10, text_chars: int = 80) -> CorpusOverview:
    """The overview of ``store``: ``top`` lines per list, passage texts cut to ``text_chars``.

    Most copied passages are the non-boilerplate groups with most articles (ties: group
    number); least original articles are ordered by originality, then store order.
    """
    q = store.conn.execute
    articles = q("SELECT count(*) FROM articles").fetchone()[0]
    outlets = q("SELECT count(DISTINCT outlet) FROM articles").fetchone()[0]
    pairs = q("SELECT count(*) FROM pairs WHERE passages != '[]'").fetchone()[0]
    groups, boilerplate = q("SELECT count(*), coalesce(sum(boilerplate), 0) FROM groups").fetchone()
    top_outlets = tuple(
        OutletLine(outlet, n, mean)
        for outlet, n, mean in q(
            "SELECT a.outlet, count(*) AS n, avg(s.originality) FROM articles a"
            " LEFT JOIN article_stats s ON s.aid = a.aid GROUP BY a.outlet"
            " ORDER BY n DESC, a.outlet IS NULL, a.outlet LIMIT ?",
            (top,),
        )
    )
    most_copied = []
    for gid, n, earliest_id, outlet, aid in q(
        "SELECT g.gid, g.members, a.id, a.outlet, a.aid FROM groups g"
        " JOIN articles a ON a.aid = g.earliest WHERE g.boilerplate = 0"
        " ORDER BY g.members DESC, g.gid LIMIT ?",
        (top,),
    ).fetchall():
        span = q(
            "SELECT start, end FROM group_members WHERE gid = ? AND aid = ? ORDER BY start LIMIT 1",
            (gid, aid),
        ).fetchone()
        text = ""
        if span is not None:
            text = store.texts([aid])[aid][span[0] : span[1]]
        most_copied.append(CopiedPassage(gid, n, earliest_id, outlet, _excerpt(text, text_chars)))
    rows = q(
        "SELECT a.id, a.outlet, s.originality, s.sources FROM article_stats s"
        " JOIN articles a ON a.aid = s.aid ORDER BY s.originality, s.aid LIMIT ?",
        (top,),
    ).fetchall()
    least = []
    for id_, outlet, originality, sources_json in rows:
        sources = json.loads(sources_json or "[]")
        main = None
        if sources:
            found = q("SELECT id FROM articles WHERE aid = ?", (sources[0][0],)).fetchone()
            main = found[0] if found else None
        least.append(LeastOriginal(id_, outlet, originality, main))
    ids = [p.earliest for p in most_copied]
    ids += [x for a in least for x in (a.id, a.main_source)]
    return CorpusOverview(
        articles,
        outlets,
        pairs,
        groups,
        boilerplate,
        top_outlets,
        tuple(most_copied),
        tuple(least),
        article_names(store, ids),
    )


def _excerpt(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text`` on one line (whitespace runs collapsed)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
