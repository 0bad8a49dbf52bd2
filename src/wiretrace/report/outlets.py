"""The outlet view: how much of each outlet is agency copy, text from other outlets, its own.

:func:`outlet_records` reads a store (read-only SQL) and gives one record per outlet: its
articles and characters (boilerplate excluded), the shares of agency copy, text reused from
other outlets and its own text (character-weighted over its articles, from each article's
``agency_share``, ``reused_share`` and ``original_share``: see
:func:`wiretrace.report.export.article_records`), and ``reused_from``: how many of its
characters it took from articles of each other outlet (an agency's own wire in the corpus
counts as its outlet): each article's taken characters (agency copy and text from other
outlets) count for the outlet of its main source, so that an outlet's ``reused_from`` adds up
to what it took (up to rounding). The outlet x outlet flow (who takes from whom) is these ``reused_from`` rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.store.db import Store

__all__ = ["NO_OUTLET", "outlet_records"]

#: How articles without an outlet are grouped.
NO_OUTLET = "(no outlet)"


def outlet_records(store: Store) -> list[dict[str, Any]]:
    """One record per outlet, most articles first (see the module docs).

    Fields: ``outlet``, ``articles``, ``chars`` (code points, boilerplate excluded),
    ``agency_share``, ``reused_share``, ``original_share`` (in [0, 1], summing to 1; None when
    the store has no article stats yet) and ``reused_from`` (``[{"outlet", "chars"}]``, the
    characters it took from each other outlet, largest first).
    """
    from wiretrace.report.export import article_records

    outlet_of: dict[str, str] = {}
    records = list(article_records(store))
    for r in records:
        outlet_of[r["id"]] = r["outlet"] or NO_OUTLET
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    flow: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in records:
        outlet = outlet_of[r["id"]]
        t = totals[outlet]
        t["articles"] += 1
        if r["original_share"] is None:
            continue
        base = max(r["chars"] - (r["boilerplate_chars"] or 0), 1)
        t["chars"] += base
        t["agency"] += r["agency_share"] * base
        t["reused"] += r["reused_share"] * base
        t["original"] += r["original_share"] * base
        # Who it took from: its main source (the one it took most text from; a wire before
        # the wire's reprints). Dividing among all possible sources would also credit sister
        # reprints of the same wire, which took nothing from each other.
        if r["sources"] and r["sources"][0]["id"] in outlet_of:
            taken = (r["agency_share"] + r["reused_share"]) * base
            flow[outlet][outlet_of[r["sources"][0]["id"]]] += taken
    out = []
    for outlet, t in totals.items():
        chars = t["chars"]
        shares = (
            {k: round(t[k] / chars, 4) for k in ("agency", "reused", "original")}
            if chars
            else {"agency": None, "reused": None, "original": None}
        )
        out.append(
            {
                "outlet": outlet,
                "articles": int(t["articles"]),
                "chars": int(round(chars)),
                "agency_share": shares["agency"],
                "reused_share": shares["reused"],
                "original_share": shares["original"],
                "reused_from": [
                    {"outlet": other, "chars": int(round(n))}
                    for other, n in sorted(flow[outlet].items(), key=lambda kv: (-kv[1], kv[0]))
                    if round(n) > 0
                ],
            }
        )
    out.sort(key=lambda r: (-r["articles"], r["outlet"]))
    return out
