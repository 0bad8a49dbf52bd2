"""Read-only queries behind the web app, the HTTP API and ``report.html``: lists of articles,
stories and reuse groups with filters and pagination, and single records by id.

Every function takes an open :class:`~wiretrace.store.db.Store` (read-only is enough), runs
SELECT statements only, and returns plain dicts ready for JSON (the same field names as the
records of :mod:`wiretrace.report.export`) or small dataclasses. Offsets are ``[start, end)``
in code points of the article text exactly as stored; shares are in [0, 1].

Filters are the same everywhere: ``outlet`` (exact name), ``lang`` (code as stored),
``since``/``until`` (ISO dates ``YYYY-MM-DD``, inclusive, compared with the first ten
characters of ``published``), and ``q`` (words that must all occur in the title or the first
500 characters of the text: the store's FTS5 index, schema 3).

Example::

    >>> with Store.open("wiretrace.db", read_only=True) as store:     # doctest: +SKIP
    ...     page = list_stories(store, StoryFilter(q="Hochwasser"), limit=10)
    ...     print(page.total, [s["label"] for s in page.items])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wiretrace.report.export import reuse_fields
from wiretrace.times import parse_time, publication_key

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.store.db import Store

__all__ = [
    "ArticleFilter",
    "Page",
    "StoryFilter",
    "article_aid",
    "article_record",
    "fts_query",
    "group_record",
    "list_articles",
    "list_groups",
    "list_stories",
    "outlets_and_languages",
    "story_detail",
    "timeline",
]

LEAD_CHARS = 500  # characters of the text in the FTS index (store schema 3)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Filters for lists; None or empty means "any"."""

    outlet: str | None = None
    lang: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    q: str | None = None  # words, all required (title or lead)


StoryFilter = ArticleFilter


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: ``items`` (dicts), the ``total`` matching, and the page bounds."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
        }


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression requiring every word of ``text`` (the last one as a prefix),
    each quoted so that user input is never FTS syntax; None when ``text`` has no words."""
    words = _WORD.findall(text or "")
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _has_fts(store: Store) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles_fts'"
    ).fetchone()
    return row is not None


def _article_where(f: ArticleFilter, store: Store, alias: str = "a") -> tuple[list[str], list]:
    """SQL conditions (on articles ``alias``) and parameters for a filter."""
    where: list[str] = []
    params: list[Any] = []
    if f.outlet:
        where.append(f"{alias}.outlet = ?")
        params.append(f.outlet)
    if f.lang:
        where.append(f"{alias}.lang = ?")
        params.append(f.lang)
    if f.since:
        where.append(f"substr({alias}.published, 1, 10) >= ?")
        params.append(f.since[:10])
    if f.until:
        where.append(f"substr({alias}.published, 1, 10) <= ?")
        params.append(f.until[:10])
    match = fts_query(f.q or "")
    if match is not None:
        if _has_fts(store):
            where.append(
                f"{alias}.aid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
            )
            params.append(match)
        else:  # a store opened read-only before its upgrade: slower, same meaning
            for w in _WORD.findall(f.q or ""):
                where.append(
                    f"(coalesce({alias}.title, '') || ' ' || substr({alias}.text, 1, {LEAD_CHARS}))"
                    " LIKE ?"
                )
                params.append(f"%{w}%")
    return where, params


# --- articles --------------------------------------------------------------------------------

_ARTICLE_COLUMNS = (
    "a.aid, a.id, a.outlet, a.published, a.title, a.url, a.lang, a.chars, a.agencies,"
    " s.reused_chars, s.boilerplate_chars, s.originality, s.sources,"
    " coalesce(s.duplicate_of, a.duplicate_of), m.story_id"
)
_ARTICLE_FROM = (
    " FROM articles a LEFT JOIN article_stats s ON s.aid = a.aid"
    " LEFT JOIN story_members m ON m.aid = a.aid"
)


def _ids(store: Store, aids: set[int]) -> dict[int, str]:
    if not aids:
        return {}
    marks = ",".join("?" * len(aids))
    return dict(
        store.conn.execute(f"SELECT aid, id FROM articles WHERE aid IN ({marks})", list(aids))
    )


def _article_dicts(store: Store, rows: list[tuple]) -> list[dict[str, Any]]:
    """Article records (the fields of ``export.article_records``, plus ``lang`` and the real
    ``story_id``) from rows of ``_ARTICLE_COLUMNS``."""
    parsed = [(row, json.loads(row[12] or "[]")) for row in rows]
    wanted = {source[0] for _, sources in parsed for source in sources}
    wanted |= {row[13] for row, _ in parsed if row[13] is not None}
    ids = _ids(store, wanted)
    out = []
    for row, sources in parsed:
        (_aid, id_, outlet, published, title, url, lang, chars, agencies) = row[:9]
        reused, boilerplate, originality, _, duplicate_of, story_id = row[9:]
        out.append(
            {
                "id": id_,
                "outlet": outlet,
                "published": published,
                "title": title,
                "url": url,
                "lang": lang,
                "chars": chars,
                **reuse_fields(
                    reused, boilerplate, originality, duplicate_of, agencies, sources, ids
                ),
                "story_id": story_id,
            }
        )
    return out


def article_aid(store: Store, article_id: str) -> int | None:
    """The store key of the article with id ``article_id``, or None."""
    row = store.conn.execute("SELECT aid FROM articles WHERE id = ?", (article_id,)).fetchone()
    return None if row is None else int(row[0])


def article_record(store: Store, article_id: str) -> dict[str, Any] | None:
    """The record of one article (see :func:`list_articles`), or None for an unknown id."""
    rows = store.conn.execute(
        f"SELECT {_ARTICLE_COLUMNS}{_ARTICLE_FROM} WHERE a.id = ?", (article_id,)
    ).fetchall()
    return _article_dicts(store, rows)[0] if rows else None


def list_articles(
    store: Store, f: ArticleFilter | None = None, limit: int = 50, offset: int = 0
) -> Page:
    """Articles matching ``f``, newest first (unknown dates last, then store order).

    Each item: ``id, outlet, published, title, url, lang, chars, reused_chars,
    boilerplate_chars, originality, duplicate_of, agencies, sources, story_id``.
    """
    where, params = _article_where(f or ArticleFilter(), store)
    cond = f" WHERE {' AND '.join(where)}" if where else ""
    total = store.conn.execute(f"SELECT count(*) FROM articles a{cond}", params).fetchone()[0]
    rows = store.conn.execute(
        f"SELECT {_ARTICLE_COLUMNS}{_ARTICLE_FROM}{cond}"
        " ORDER BY a.published IS NULL, a.published DESC, a.aid LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return Page(_article_dicts(store, rows), total, limit, offset)


def outlets_and_languages(store: Store) -> tuple[list[str], list[str]]:
    """Every outlet and language in the store (sorted), for filter menus."""
    outlets = [
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY outlet"
        )
    ]
    langs = [
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT lang FROM articles WHERE lang IS NOT NULL ORDER BY lang"
        )
    ]
    return outlets, langs


# --- stories ---------------------------------------------------------------------------------


def _story_dict(row: tuple) -> dict[str, Any]:
    story_id, label, articles, first, last, outlets, languages = row
    return {
        "story_id": story_id,
        "label": label,
        "articles": articles,
        "first_published": first,
        "last_published": last,
        "outlets": json.loads(outlets or "[]"),
        "languages": json.loads(languages or "[]"),
    }


_STORY_COLUMNS = (
    "st.story_id, st.label, st.articles, st.first_published, st.last_published, st.outlets,"
    " st.languages"
)


def list_stories(
    store: Store,
    f: ArticleFilter | None = None,
    limit: int = 50,
    offset: int = 0,
    order: str = "newest",
) -> Page:
    """Stories with at least one article matching ``f``; ``order`` is ``"newest"`` (latest
    article first, unknown dates last) or ``"largest"`` (most articles first).

    Each item: ``story_id, label, articles, first_published, last_published, outlets,
    languages`` (the ``stories`` table; empty until story clustering has run).
    """
    where, params = _article_where(f or ArticleFilter(), store)
    cond = ""
    if where:
        cond = (
            " WHERE st.story_id IN (SELECT m.story_id FROM story_members m"
            f" JOIN articles a ON a.aid = m.aid WHERE {' AND '.join(where)})"
        )
    total = store.conn.execute(f"SELECT count(*) FROM stories st{cond}", params).fetchone()[0]
    sort = (
        "st.articles DESC, st.story_id"
        if order == "largest"
        else "st.last_published IS NULL, st.last_published DESC, st.story_id"
    )
    rows = store.conn.execute(
        f"SELECT {_STORY_COLUMNS} FROM stories st{cond} ORDER BY {sort} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return Page([_story_dict(r) for r in rows], total, limit, offset)


def timeline(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """Where each article sits in time, by outlet, for a small chart.

    Returns ``{"outlets": [name, ...]`` (in order of first publication), ``"start"``,
    ``"end"`` (the ``published`` of the first and last article, None without dates), ``"points": [{"id", "outlet", "row", "x",
    "published"}]}`` where ``row`` indexes ``outlets`` and ``x`` in [0, 1] is the position
    between start and end (0.5 when all share one time). Articles without a date are left out.
    """
    dated = []
    for a in articles:
        t = parse_time(a.get("published"))
        if t is not None:
            dated.append((t, a))
    dated.sort(key=lambda ta: (ta[0], ta[1]["id"]))
    outlets: list[str] = []
    for _, a in dated:
        name = a.get("outlet") or "(no outlet)"
        if name not in outlets:
            outlets.append(name)
    if not dated:
        return {"outlets": [], "start": None, "end": None, "points": []}
    t0, t1 = dated[0][0], dated[-1][0]
    span = (t1 - t0).total_seconds()
    points = [
        {
            "id": a["id"],
            "outlet": a.get("outlet") or "(no outlet)",
            "row": outlets.index(a.get("outlet") or "(no outlet)"),
            "x": 0.5 if span <= 0 else round((t - t0).total_seconds() / span, 4),
            "published": a.get("published"),
        }
        for t, a in dated
    ]
    # The ends as published (with their own offsets), like every other date on the pages.
    start, end = dated[0][1]["published"], dated[-1][1]["published"]
    return {"outlets": outlets, "start": start, "end": end, "points": points}


def story_detail(store: Store, story_id: int, group_limit: int = 50) -> dict[str, Any] | None:
    """One story: its record plus ``members`` (article records with ``score``, earliest first),
    ``earliest`` (the first article published, its record), ``agencies`` (``{name: articles
    crediting it}``), ``timeline`` (see :func:`timeline`), ``flow`` (``[{"from", "to",
    "chars"}]``: each member whose main source is in the story, with the characters it shares
    with it: the flow of text from source to copy) and ``groups`` (reuse groups with at
    least two members in the story: ``group, articles, in_story, earliest, boilerplate, chars,
    text``, most members in the story first, at most ``group_limit``). None if unknown."""
    row = store.conn.execute(
        f"SELECT {_STORY_COLUMNS} FROM stories st WHERE st.story_id = ?", (story_id,)
    ).fetchone()
    if row is None:
        return None
    story = _story_dict(row)
    rows = store.conn.execute(
        f"SELECT {_ARTICLE_COLUMNS}, m.score{_ARTICLE_FROM} WHERE m.story_id = ?", (story_id,)
    ).fetchall()
    members = _article_dicts(store, [r[:-1] for r in rows])
    for m, r in zip(members, rows, strict=True):
        m["score"] = r[-1]
    members.sort(key=lambda m: publication_key(parse_time(m["published"]), m["id"]))
    agencies: dict[str, int] = {}
    for m in members:
        for name in m["agencies"]:
            agencies[name] = agencies.get(name, 0) + 1
    groups = store.conn.execute(
        "SELECT g.gid, g.members, e.id, g.boilerplate, g.chars, count(DISTINCT gm.aid) AS n"
        " FROM group_members gm JOIN story_members m ON m.aid = gm.aid AND m.story_id = ?"
        " JOIN groups g ON g.gid = gm.gid JOIN articles e ON e.aid = g.earliest"
        " GROUP BY g.gid HAVING n >= 2 ORDER BY n DESC, g.gid LIMIT ?",
        (story_id, group_limit),
    ).fetchall()
    story["members"] = members
    story["earliest"] = members[0] if members else None
    story["agencies"] = dict(sorted(agencies.items(), key=lambda kv: (-kv[1], kv[0])))
    story["timeline"] = timeline(members)
    in_story = {m["id"] for m in members}
    story["flow"] = [
        {"from": m["sources"][0]["id"], "to": m["id"], "chars": m["sources"][0]["shared_chars"]}
        for m in members
        if m["sources"] and m["sources"][0]["id"] in in_story
    ]
    story["groups"] = [
        {
            "group": gid,
            "articles": n_all,
            "in_story": n,
            "earliest": earliest,
            "boilerplate": bool(bp),
            "chars": chars,
            "text": _group_text(store, gid),
        }
        for gid, n_all, earliest, bp, chars, n in groups
    ]
    return story


# --- reuse groups ----------------------------------------------------------------------------


def _group_text(store: Store, gid: int) -> str:
    """The earliest article's (first) span of group ``gid``."""
    row = store.conn.execute(
        "SELECT gm.aid, gm.start, gm.end FROM groups g JOIN group_members gm"
        " ON gm.gid = g.gid AND gm.aid = g.earliest WHERE g.gid = ? ORDER BY gm.start LIMIT 1",
        (gid,),
    ).fetchone()
    if row is None:
        return ""
    aid, start, end = row
    (text,) = store.conn.execute(
        "SELECT substr(text, ?, ?) FROM articles WHERE aid = ?", (start + 1, end - start, aid)
    ).fetchone()
    return text


def group_record(store: Store, gid: int) -> dict[str, Any] | None:
    """One reuse group (the ``passages.jsonl`` record), its members with their article's
    ``title``, ``outlet`` and ``published`` added; None if unknown."""
    row = store.conn.execute(
        "SELECT g.gid, g.members, e.id, g.boilerplate, g.chars FROM groups g"
        " JOIN articles e ON e.aid = g.earliest WHERE g.gid = ?",
        (gid,),
    ).fetchone()
    if row is None:
        return None
    gid, count, earliest, bp, chars = row
    members = [
        {"id": id_, "start": s, "end": e, "title": t, "outlet": o, "published": p}
        for id_, s, e, t, o, p in store.conn.execute(
            "SELECT a.id, gm.start, gm.end, a.title, a.outlet, a.published FROM group_members gm"
            " JOIN articles a ON a.aid = gm.aid WHERE gm.gid = ? ORDER BY gm.aid, gm.start",
            (gid,),
        )
    ]
    return {
        "group": gid,
        "articles": count,
        "members": members,
        "earliest": earliest,
        "boilerplate": bool(bp),
        "chars": chars,
        "text": _group_text(store, gid),
    }


def list_groups(
    store: Store, limit: int = 50, offset: int = 0, boilerplate: bool | None = None
) -> Page:
    """Reuse groups, most articles first: ``group, articles, earliest, boilerplate, chars,
    text`` (members are in :func:`group_record`). ``boilerplate`` False/True keeps only
    groups that are not / are outlet furniture."""
    cond, params = "", []
    if boilerplate is not None:
        cond, params = " WHERE g.boilerplate = ?", [int(boilerplate)]
    total = store.conn.execute(f"SELECT count(*) FROM groups g{cond}", params).fetchone()[0]
    rows = store.conn.execute(
        f"SELECT g.gid, g.members, e.id, g.boilerplate, g.chars FROM groups g"
        f" JOIN articles e ON e.aid = g.earliest{cond} ORDER BY g.members DESC, g.gid"
        " LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    items = [
        {
            "group": gid,
            "articles": n,
            "earliest": earliest,
            "boilerplate": bool(bp),
            "chars": chars,
            "text": _group_text(store, gid),
        }
        for gid, n, earliest, bp, chars in rows
    ]
    return Page(items, total, limit, offset)
