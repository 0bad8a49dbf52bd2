"""The outlet view as two pictures a journalist reads at a glance, drawn as inline SVG.

:func:`shares_svg`: one stacked bar per outlet, its text split into agency copy, text from
other outlets and its own. :func:`flow_svg`: a heatmap of who takes text from whom (rows take
from columns; darker = more characters). Both take the records of
:func:`wiretrace.report.outlets.outlet_records`, show the numbers on hover (``<title>``) and
need no script, font, image or style sheet: presentation attributes only, so they pass a
strict Content-Security-Policy and stay inside a self-contained report.html (inline SVG in
HTML needs no namespace declaration, so the page names no outside address at all). Every text is
escaped here (the result is safe to insert as markup).

>>> rows = [{"outlet": "Kurier", "articles": 2, "chars": 1000, "agency_share": 0.5,
...          "reused_share": 0.1, "original_share": 0.4, "reused_from": [{"outlet": "nwa", "chars": 600}]}]
>>> "Kurier: 50% agency copy" in shares_svg(rows)
True
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

__all__ = ["COLOURS", "flow_svg", "shares_svg"]

#: Agency copy, text from other outlets, own text.
COLOURS = ("#c0392b", "#e6a23c", "#2e7d5b")
_ROW, _LABEL, _WIDTH = 22, 210, 420


def _label(text: str, limit: int = 30) -> str:
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def shares_svg(records: list[dict[str, Any]], top: int = 20) -> str:
    """Stacked bars of the ``top`` outlets with most articles (see the module docs)."""
    rows = [r for r in records if r.get("original_share") is not None][:top]
    height = _ROW * len(rows) + 30
    out = [
        f'<svg class="outlet-shares" width="{_LABEL + _WIDTH + 10}"'
        f' height="{height}" viewBox="0 0 {_LABEL + _WIDTH + 10} {height}" role="img"'
        ' aria-label="Share of agency copy, text from other outlets and own text per outlet">'
    ]
    for i, r in enumerate(rows):
        y = i * _ROW
        out.append(
            f'<text x="{_LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12"'
            f' fill="#1d232b">{_label(r["outlet"])}</text>'
        )
        x = float(_LABEL)
        parts = (
            ("agency copy", r["agency_share"]),
            ("from other outlets", r["reused_share"]),
            ("own text", r["original_share"]),
        )
        for (name, share), colour in zip(parts, COLOURS, strict=True):
            w = max(share, 0.0) * _WIDTH
            if w <= 0:
                continue
            tip = escape(f"{r['outlet']}: {share:.0%} {name} ({r['articles']} articles)")
            out.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{_ROW - 6}"'
                f' fill="{colour}"><title>{tip}</title></rect>'
            )
            x += w
    y = _ROW * len(rows) + 12
    x = float(_LABEL)
    for name, colour in zip(("agency copy", "from other outlets", "own text"), COLOURS, strict=True):
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        out.append(
            f'<text x="{x + 16}" y="{y + 10}" font-size="11" fill="#5c6773">{escape(name)}</text>'
        )
        x += 140
    out.append("</svg>")
    return "".join(out)


def flow_svg(records: list[dict[str, Any]], top: int = 15) -> str:
    """A heatmap of the text the ``top`` outlets take from each other (see the module docs)."""
    names = [r["outlet"] for r in records[:top]]
    index = {n: i for i, n in enumerate(names)}
    cells = [
        (index[r["outlet"]], index[f["outlet"]], f["chars"], r["outlet"], f["outlet"])
        for r in records[:top]
        for f in r["reused_from"]
        if f["outlet"] in index
    ]
    peak = max((c for _, _, c, _, _ in cells), default=1)
    size, n = 22, len(names)
    top_margin = 150
    width, height = _LABEL + size * n + 10, top_margin + size * n + 10
    out = [
        f'<svg class="outlet-flow" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        ' aria-label="Characters each outlet (row) took from each other outlet (column)">'
    ]
    for i, name in enumerate(names):
        y = top_margin + i * size
        out.append(
            f'<text x="{_LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12"'
            f' fill="#1d232b">{_label(name)}</text>'
        )
        x = _LABEL + i * size + 15
        out.append(
            f'<text x="{x}" y="{top_margin - 6}" font-size="12" fill="#1d232b"'
            f' transform="rotate(-60 {x} {top_margin - 6})">{_label(name, 24)}</text>'
        )
        for j in range(n):
            out.append(
                f'<rect x="{_LABEL + j * size}" y="{y}" width="{size - 2}" height="{size - 2}"'
                ' fill="#f2f4f6"/>'
            )
    for i, j, chars, taker, giver in cells:
        level = math.log1p(chars) / math.log1p(peak)
        opacity = 0.15 + 0.85 * level
        tip = escape(f"{taker} took {chars:,} characters from {giver}")
        out.append(
            f'<rect x="{_LABEL + j * size}" y="{top_margin + i * size}" width="{size - 2}"'
            f' height="{size - 2}" fill="#1f5fa8" fill-opacity="{opacity:.2f}">'
            f"<title>{tip}</title></rect>"
        )
    out.append("</svg>")
    return "".join(out)
