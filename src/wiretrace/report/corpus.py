"""Corpus-level reuse analysis from aligned pairs (pure functions; no I/O).

From every aligned pair of a store this derives, per article, how much of its text is found in
articles published no later than it (its *reused* share; what remains is its originality),
which articles those are (its sources), whether it is a whole-article copy of an earlier one,
and, across articles, the groups of passages that are the same text printed in several places.

Publication order: an article is a possible source of another when it was published no later
than the other (same day counts both ways, since day-precise dates cannot tell who was first)
or when either date is unknown. Boilerplate text (outlet teasers, paywall notices) is excluded
from both the reused share and the base of originality.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from wiretrace.report.spans import covered_chars, subtract
from wiretrace.reuse.components import UnionFind
from wiretrace.times import parse_time, publication_key

PassageTuple = tuple[int, int, int, int, float]  # a_start, a_end, b_start, b_end, similarity


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What the derivation needs of an article: key, id, outlet, date (ISO) and length."""

    aid: int
    id: str
    outlet: str | None
    published: str | None
    chars: int


@dataclass(frozen=True, slots=True)
class ArticleStats:
    """Per-article results; chars are code points, ``originality`` in [0, 1].

    ``sources`` are ``(aid, shared_chars, similarity)`` of possible sources: the characters of
    this article (boilerplate excluded) in passages shared with the source, and those passages'
    mean token similarity in [0, 1] weighted by their characters. The source this article took
    most text from comes first: most ``shared_chars * similarity``, so a verbatim copy of an
    agency text outranks a longer rewrite of it (ties: the earlier published first, then by
    article id);
    ``duplicate_of`` the earliest article it is a whole-article copy of (or None).
    """

    aid: int
    reused_chars: int
    boilerplate_chars: int
    originality: float
    sources: tuple[tuple[int, int, float], ...]
    duplicate_of: int | None


@dataclass(frozen=True, slots=True)
class PassageGroup:
    """One text printed in several articles: members ``(aid, start, end)`` sorted by aid."""

    gid: int
    members: tuple[tuple[int, int, int], ...]
    earliest: int
    boilerplate: bool
    articles: int


def article_stats(
    infos: list[ArticleInfo],
    pairs: list[tuple[int, int, list[PassageTuple]]],
    boilerplate: dict[int, list[tuple[int, int]]],
    duplicate_coverage: float = 0.9,
    only: set[int] | None = None,
    derived: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
) -> list[ArticleStats]:
    """Reused share, originality, sources and whole-article copies of every article (with
    ``only``, of those articles; ``pairs`` must then hold at least all of their pairs).

    ``derived`` holds ``(source, copy)`` pairs where the evidence says which took from which
    (:mod:`wiretrace.report.provenance`, e.g. an agency's own wire and an outlet's reprint of
    it): a copy is never a source of its source, also when their dates do not order them."""
    by_aid = {i.aid: i for i in infos}
    times = {i.aid: parse_time(i.published) for i in infos}

    def is_source(src: int, dst: int) -> bool:
        if (dst, src) in derived:
            return False
        ts, td = times[src], times[dst]
        return ts is None or td is None or ts <= td

    def order_key(aid: int) -> tuple[bool, datetime, str | int]:
        return publication_key(times[aid], by_aid[aid].id)

    # shared[x][y]: x's spans of the passages x shares with y, with their similarities.
    shared: dict[int, dict[int, list[tuple[int, int, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for a, b, passages in pairs:
        for a0, a1, b0, b1, sim in passages:
            shared[a][b].append((a0, a1, sim))
            shared[b][a].append((b0, b1, sim))
    out = []
    for info in infos:
        aid = info.aid
        if only is not None and aid not in only:
            continue
        bp = sorted(boilerplate.get(aid, []))
        bp_chars = covered_chars(bp)
        reused_spans: list[tuple[int, int]] = []
        sources = []
        duplicate_of = None
        for other, passages in shared.get(aid, {}).items():
            spans = [(s, e) for s, e, _ in passages]
            mine = covered_chars(spans)
            theirs = covered_chars([(s, e) for s, e, _ in shared[other][aid]])
            if (
                mine >= duplicate_coverage * info.chars
                and theirs >= duplicate_coverage * by_aid[other].chars
                and order_key(other) < order_key(aid)
                and (duplicate_of is None or order_key(other) < order_key(duplicate_of))
            ):
                duplicate_of = other
            if is_source(other, aid):
                # Each passage's parts outside boilerplate: they count as reused text, and
                # their lengths weight the passages' similarities.
                parts = [(subtract([(s, e)], bp), sim) for s, e, sim in passages]
                clean = [span for pieces, _ in parts for span in pieces]
                reused_spans.extend(clean)
                n = covered_chars(clean)
                if n:
                    sources.append((other, n, _mean_similarity(parts)))
        reused = covered_chars(reused_spans)
        base = max(info.chars - bp_chars, 1)
        originality = max(0.0, 1.0 - reused / base)
        # Equal evidence: a source the provenance evidence names (an agency's own wire) before
        # one of its reprints, then the earlier.
        sources.sort(key=lambda s: (-s[1] * s[2], (s[0], aid) not in derived, order_key(s[0])))
        out.append(
            ArticleStats(aid, reused, bp_chars, round(originality, 4), tuple(sources), duplicate_of)
        )
    return out


def _mean_similarity(parts: list[tuple[list[tuple[int, int]], float]]) -> float:
    """Similarity of passages, given as ``(their spans outside boilerplate, similarity)``,
    weighted by those spans' characters and rounded to 4 decimals (0.0 when no characters are
    left; callers only ask when some are)."""
    total = weighted = 0.0
    for pieces, sim in parts:
        n = covered_chars(pieces)
        total += n
        weighted += n * sim
    return round(weighted / total, 4) if total else 0.0


def passage_groups(
    infos: list[ArticleInfo],
    pairs: list[tuple[int, int, list[PassageTuple]]],
    boilerplate: dict[int, list[tuple[int, int]]],
    min_overlap: float = 0.5,
    boilerplate_outlet_share: float = 0.8,
    boilerplate_min_articles: int = 3,
) -> list[PassageGroup]:
    """Groups of passages that are one text printed in several articles.

    Within an article, passage spans overlapping by at least ``min_overlap`` of the *longer*
    one are one region (the same text). Each region hangs under a region of the earliest
    article it was aligned with, so a group is a tree rooted at an original text and its
    copies, copies of copies included. Connected components would not do: long passages
    between news tickers or roundups link many unrelated stories and chain everything into one
    giant component. A group is boilerplate when at least ``boilerplate_outlet_share`` of its
    articles (and at least ``boilerplate_min_articles``) come from one outlet, or when most of
    its text lies in boilerplate sentences.
    """
    by_aid = {i.aid: i for i in infos}
    times = {i.aid: parse_time(i.published) for i in infos}

    # Publication rank of every article (dated by time, then undated; ties by id): one integer
    # compare instead of building a (bool, datetime, id) key per comparison.
    ranked = sorted(by_aid, key=lambda a: publication_key(times[a], by_aid[a].id))
    rank = {aid: r for r, aid in enumerate(ranked)}

    def order_key(aid: int) -> int:
        return rank[aid]

    nodes: list[tuple[int, int, int]] = []
    links: list[tuple[int, int, int]] = []  # node, node, passage length (both sides)
    for a, b, passages in pairs:
        for a0, a1, b0, b1, _ in passages:
            nodes.append((a, a0, a1))
            nodes.append((b, b0, b1))
            links.append((len(nodes) - 2, len(nodes) - 1, a1 - a0 + b1 - b0))
    # 1. Regions: within an article, spans that are the same text.
    regions = UnionFind()
    per_article: dict[int, list[int]] = defaultdict(list)
    for idx, (aid, _, _) in enumerate(nodes):
        per_article[aid].append(idx)
    for idxs in per_article.values():
        idxs.sort(key=lambda i: (nodes[i][1], nodes[i][2]))
        active: list[int] = []
        for i in idxs:
            s, e = nodes[i][1], nodes[i][2]
            active = [j for j in active if nodes[j][2] > s]
            for j in active:
                overlap = min(e, nodes[j][2]) - s
                if overlap >= min_overlap * max(e - s, nodes[j][2] - nodes[j][1]):
                    regions.union(i, j)
            active.append(i)
    # 2. Each region hangs under one region of an earlier article it was aligned with (the
    # earliest such article; the longest passage among equals). Following these links from
    # later to earlier copies gives trees, one per original text: a long passage between two
    # tickers cannot tie together the unrelated stories each ticker carries.
    best: dict[int, tuple[int, int, int]] = {}
    for x, y, length in links:
        rx, ry = regions.find(x), regions.find(y)
        kx, ky = rank[nodes[rx][0]], rank[nodes[ry][0]]
        for child, parent, k_child, k_parent in ((rx, ry, kx, ky), (ry, rx, ky, kx)):
            if k_parent < k_child:
                offer = (k_parent, -length, parent)
                if child not in best or offer < best[child]:
                    best[child] = offer
    root_of: dict[int, int] = {}

    def root(region: int) -> int:
        path = []
        while region in best and region not in root_of:
            path.append(region)
            region = best[region][2]
        top = root_of.get(region, region)
        for r in path:
            root_of[r] = top
        return top

    # A region aligned only with later copies that already hang under an earlier original
    # (the outlet that printed a paragraph too, but was not the one the others copied it
    # from) joins that original's group instead of standing alone.
    partners: dict[int, set[int]] = defaultdict(set)
    for x, y, _ in links:
        rx, ry = regions.find(x), regions.find(y)
        partners[rx].add(ry)
        partners[ry].add(rx)
    changed = True
    while changed:
        changed = False
        root_of.clear()
        for r in sorted(partners, key=lambda r: (order_key(nodes[r][0]), r)):
            if r in best:
                continue
            mine = order_key(nodes[r][0])
            earlier = [t for t in {root(p) for p in partners[r]} if order_key(nodes[t][0]) < mine]
            if earlier:
                top = min(earlier, key=lambda t: (order_key(nodes[t][0]), t))
                best[r] = (order_key(nodes[top][0]), 0, top)
                changed = True

    components: dict[int, list[int]] = defaultdict(list)
    for idx in range(len(nodes)):
        components[root(regions.find(idx))].append(idx)
    groups = []
    for idxs in components.values():
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i in idxs:
            aid, s, e = nodes[i]
            spans[aid].append((s, e))
        members = []
        for aid in sorted(spans):
            merged: list[list[int]] = []
            for s, e in sorted(spans[aid]):
                if merged and s <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([s, e])
            members.extend((aid, s, e) for s, e in merged)
        articles = sorted(spans)
        if len(articles) < 2:
            continue  # a text found twice in one article only is no reuse across articles
        outlets = [by_aid[a].outlet for a in articles]
        top = max((outlets.count(o) for o in set(outlets) if o), default=0)
        member_chars = sum(e - s for _, s, e in members)
        bp_chars = sum(
            covered_chars(
                [
                    (max(s, bs), min(e, be))
                    for bs, be in boilerplate.get(aid, [])
                    if be > s and bs < e
                ]
            )
            for aid, s, e in members
        )
        is_bp = (
            len(articles) >= boilerplate_min_articles
            and top >= boilerplate_outlet_share * len(articles)
        ) or bp_chars * 2 > member_chars
        earliest = min(articles, key=rank.__getitem__)
        groups.append((members, earliest, is_bp, len(articles)))
    # Largest groups first; ties by the earliest member's id and span (not by store keys, which
    # depend on insertion order).
    groups.sort(key=lambda g: (-g[3], by_aid[g[1]].id, [m[1:] for m in g[0] if m[0] == g[1]]))
    return [
        PassageGroup(gid + 1, tuple(m), earliest, bp, n)
        for gid, (m, earliest, bp, n) in enumerate(groups)
    ]
