"""Who copied whom: the relation of two articles that share text, with its evidence.

Earliest-published is not "source": two outlets that both rewrote the same agency copy did not
copy each other, and a date without a time ties with any time that day. :func:`pair_relation`
says one of

* ``a_from_b`` / ``b_from_a``: one article took the text from the other;
* ``common_source``: both took it from a third, named in ``source`` when known (the agency both
  credit, or a third article both share the text with);
* ``undetermined``: the evidence does not decide (never a guess presented as fact);

with the ``evidence`` it rests on (readable strings) and a ``confidence`` in [0, 1]. The rules,
in order, each stated in the evidence when it decides:

1. **A wire's own copy.** An article whose outlet is a news agency (its name holds the name of an
   agency it credits, e.g. outlet "Nordwest-Agentur (nwa)" crediting ``nwa``) or a press office
   ("Press Office", "Pressestelle", "Pressemitteilung" ...) is a source by trade: an article of
   another outlet sharing its text took it from there (0.9; 0.95 when that article credits the
   agency).
2. **A credited common source.** Both credit the same agency for their text, and neither is
   that agency's own copy: ``common_source`` via the agency (0.9).
3. **A third article** that shares the same text with both and is a wire's own copy, or was
   published before both (beyond the dates' precision): ``common_source`` via that article
   (0.8 for a wire, 0.7 otherwise).
4. **Publication times** that differ by more than their precision (a date without a time
   stands for the whole day; a time for its minute): the later took from the earlier (0.6).
5. Otherwise ``undetermined`` (0).

>>> wire = Side("flood-wire", "2025-01-09T06:42:00+01:00", "Nordwest-Agentur (nwa)", ("nwa",))
>>> copy = Side("flood-jetzt", None, "NachrichtenJetzt", ("nwa",))
>>> pair_relation(wire, copy).kind
'b_from_a'
>>> regional = Side("regional", "2015-11-26", "Zeitung", ("dpa",))
>>> online = Side("online", "2015-11-27T04:36:00+01:00", "Online", ("AP", "dpa"))
>>> r = pair_relation(regional, online)
>>> r.kind, r.source
('common_source', 'dpa')
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from wiretrace.times import parse_time

__all__ = ["Relation", "Side", "derived_pairs", "pair_relation", "sides_of", "time_span"]

_PRESS_OFFICE = re.compile(
    r"press office|press release|pressestelle|pressemitteilung|presseportal|pressedienst|"
    r"newsroom|medienmitteilung|communiqué",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Side:
    """What the relation looks at of one article: ``id``, ``published`` (ISO 8601 or None),
    ``outlet`` and the agencies it credits for its text (``credits``)."""

    id: str
    published: str | None
    outlet: str | None
    credits: tuple[str, ...] = ()

    def wire_of(self) -> str | None:
        """The agency (or "press office") this article is the own copy of, if its outlet is one."""
        return _wire_of(self.outlet or "", self.credits)


@lru_cache(maxsize=4096)
def _wire_of(outlet: str, credits: tuple[str, ...]) -> str | None:
    # Cached: a corpus has few outlets and credit sets, and every pair asks for both sides.
    for agency in credits:
        if re.search(rf"(?<![\w-]){re.escape(agency)}(?![\w-])", outlet, re.IGNORECASE):
            return agency
    if _PRESS_OFFICE.search(outlet):
        return "press office"
    return None


def sides_of(rows: Sequence[dict[str, Any]]) -> dict[int, Side]:
    """The :class:`Side` of every stored article, by key, from ``Store.article_rows()``."""
    return {
        r["aid"]: Side(r["id"], r["published"], r["outlet"], tuple(json.loads(r["agencies"])))
        for r in rows
    }


@dataclass(frozen=True, slots=True)
class Relation:
    """``kind`` (``a_from_b``, ``b_from_a``, ``common_source``, ``undetermined``), the ``source``
    (an agency name or an article id for ``common_source``, the source article's id for the
    directed kinds, else None), the ``evidence`` and a ``confidence`` in [0, 1]."""

    kind: str
    source: str | None
    evidence: tuple[str, ...] = field(default_factory=tuple)
    confidence: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "source": self.source,
            "evidence": list(self.evidence),
            "confidence": self.confidence,
        }


@lru_cache(maxsize=65536)
def time_span(published: str | None) -> tuple[datetime, datetime] | None:
    """The interval a publication date stands for, in UTC: a whole day for a date alone, a
    minute for a time (seconds are rarely meaningful in feeds); None when unknown."""
    t = parse_time(published)
    if t is None or published is None:
        return None
    if "T" not in published and " " not in published.strip():
        return t, t + timedelta(days=1)
    return t, t + timedelta(minutes=1)


def _earlier(a: Side, b: Side) -> str | None:
    """``"a"`` or ``"b"`` when one was published before the other beyond both precisions."""
    sa, sb = time_span(a.published), time_span(b.published)
    if sa is None or sb is None:
        return None
    if sa[1] <= sb[0]:
        return "a"
    if sb[1] <= sa[0]:
        return "b"
    return None


def _when(s: Side) -> str:
    if s.published is None:
        return f"{s.id}: no date"
    precision = "day" if time_span(s.published) and "T" not in s.published else "minute"
    return f"{s.id}: published {s.published} (to the {precision})"


def pair_relation(a: Side, b: Side, others: Sequence[Side] = ()) -> Relation:
    """The relation of ``a`` and ``b`` (see the module docs); ``others`` are third articles
    that share the same text with both (members of the passages' reuse groups)."""
    times = (_when(a), _when(b))
    wire_a, wire_b = a.wire_of(), b.wire_of()
    if (wire_a is None) != (wire_b is None):
        src, other, kind = (a, b, "b_from_a") if wire_a else (b, a, "a_from_b")
        wire = wire_a or wire_b
        credited = wire in other.credits
        why = f"{src.id} is the own copy of {wire} (outlet {src.outlet!r})"
        if credited:
            why += f"; {other.id} credits {wire}"
        return Relation(kind, src.id, (why, *times), 0.95 if credited else 0.9)
    shared = sorted(set(a.credits) & set(b.credits))
    if shared and wire_a is None and wire_b is None:
        agency = shared[0]
        why = f"both credit {', '.join(shared)} for their text"
        return Relation("common_source", agency, (why, *times), 0.9)
    for third in others:
        if third.id in (a.id, b.id):
            continue
        wire = third.wire_of()
        if wire is not None:
            why = f"both share this text with {third.id}, the own copy of {wire}"
            return Relation("common_source", third.id, (why, *times, _when(third)), 0.8)
    for third in sorted(others, key=lambda s: time_span(s.published) or (datetime.max,)):
        if third.id in (a.id, b.id):
            continue
        if _earlier(third, a) == "a" and _earlier(third, b) == "a":
            why = f"both share this text with {third.id}, published before both"
            return Relation("common_source", third.id, (why, *times, _when(third)), 0.7)
    first = _earlier(a, b)
    if first is not None:
        src, later = (a, b) if first == "a" else (b, a)
        kind = "b_from_a" if first == "a" else "a_from_b"
        why = f"{src.id} was published before {later.id}, beyond the dates' precision"
        return Relation(kind, src.id, (why, *times), 0.6)
    why = "no credit, wire or third article decides, and the dates do not order the two"
    return Relation("undetermined", None, (why, *times), 0.0)


def derived_pairs(
    pairs: Sequence[tuple[int, int]], sides: dict[int, Side]
) -> set[tuple[int, int]]:
    """``(source, copy)`` for every pair of keys whose relation (without third articles) has a
    direction: which article took the text from which."""
    out: set[tuple[int, int]] = set()
    for a, b in pairs:
        relation = pair_relation(sides[a], sides[b])
        if relation.kind == "b_from_a":
            out.add((a, b))
        elif relation.kind == "a_from_b":
            out.add((b, a))
    return out


#: Three or more outlets printing a text within this many hours, none its source: a wire.
UNKNOWN_WIRE_HOURS = 6.0


def group_origin(
    members: Sequence[int],
    sides: dict[int, Side],
    similarity: dict[tuple[int, int], float],
) -> tuple[dict[str, str | None], int]:
    """Where a reused passage came from, and its best witness.

    ``members`` are the keys of the articles printing it (earliest first); ``similarity``
    holds the passages' mean token similarity of every pair of them that was aligned (keys
    ``(a, b)`` with ``a < b``). Returns ``({"kind", "name"}, best witness key)``: ``kind`` is
    ``"article"`` (a member that is a wire's own copy: ``name`` its id), ``"agency"`` (at least
    half of the members credit it for their text: ``name`` the agency), ``"unknown wire"``
    (three or more outlets print it within :data:`UNKNOWN_WIRE_HOURS` hours, none of them a
    source: an agency text not in the corpus) or None (the evidence does not say: the
    earliest printer is no more than that). The best witness is the member whose version is
    closest to all others (highest mean similarity; ties: the earliest).
    """
    for aid in members:
        if sides[aid].wire_of() is not None:
            return {"kind": "article", "name": sides[aid].id}, _best_witness(members, similarity)
    credited: dict[str, int] = {}
    for aid in members:
        for agency in sides[aid].credits:
            credited[agency] = credited.get(agency, 0) + 1
    if credited:
        agency, n = max(sorted(credited.items()), key=lambda kv: kv[1])
        if 2 * n >= len(members):
            return {"kind": "agency", "name": agency}, _best_witness(members, similarity)
    outlets = {sides[aid].outlet for aid in members if sides[aid].outlet}
    spans = [time_span(sides[aid].published) for aid in members]
    if len(outlets) >= 3 and all(s is not None for s in spans):
        first = min(s[0] for s in spans if s is not None)
        last = max(s[0] for s in spans if s is not None)
        if (last - first).total_seconds() <= UNKNOWN_WIRE_HOURS * 3600:
            return {"kind": "unknown wire", "name": None}, _best_witness(members, similarity)
    return {"kind": None, "name": None}, _best_witness(members, similarity)


def _best_witness(members: Sequence[int], similarity: dict[tuple[int, int], float]) -> int:
    best, best_score = members[0], -1.0
    for aid in members:
        others = [m for m in members if m != aid]
        if not others:
            return aid
        score = sum(similarity.get((min(aid, m), max(aid, m)), 0.0) for m in others) / len(others)
        if score > best_score + 1e-9:
            best, best_score = aid, score
    return best


def relation_of(
    a: object,
    b: object,
    agencies: Sequence[str] = (),
    display: dict[str, str] | None = None,
) -> tuple[Relation, object, object]:
    """The relation of two articles (``wiretrace.model.Article``) read on their own, as
    ``compare`` reports it, with each side's credits (:func:`wiretrace.text.credits.find_credits`;
    ``agencies`` names agencies beyond the major ones). ``display`` names the articles in the
    evidence (id -> a name a person reads); by default their ids."""
    from wiretrace.text.credits import find_credits

    credits_a = find_credits(a.text, agencies)  # type: ignore[attr-defined]
    credits_b = find_credits(b.text, agencies)  # type: ignore[attr-defined]
    named = display or {}
    sides = [
        Side(named.get(x.id, x.id), x.published, x.outlet, found.text)  # type: ignore[attr-defined]
        for x, found in ((a, credits_a), (b, credits_b))
    ]
    return pair_relation(*sides), credits_a, credits_b


def describe(relation: Relation) -> str:
    """One line a person reads: ``common source dpa (confidence 0.90): both credit dpa ...``."""
    kind = {
        "a_from_b": "a took the text from b",
        "b_from_a": "b took the text from a",
        "common_source": f"common source {relation.source}",
        "undetermined": "undetermined",
    }[relation.kind]
    why = relation.evidence[0] if relation.evidence else ""
    return f"{kind} (confidence {relation.confidence:.2f}): {why}"
