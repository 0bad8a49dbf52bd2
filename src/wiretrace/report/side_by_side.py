"""Two compared articles cut into display segments, for a side-by-side view.

Each side's text is tiled by :class:`Piece` s: outside any shared passage, inside passage
``i`` (the index in ``Comparison.passages``, so both sides of one passage get the same number
and colour), and inside a passage, whether the words differ from the other side (the
word-level edits of :func:`~wiretrace.report.diff.passage_edits`).

Offsets are ``[start, end)`` in code points of each article's text exactly as given.

Example::

    >>> from wiretrace.io.readers import read_text_article
    >>> a = read_text_article("examples/pair/agency.txt")           # doctest: +SKIP
    >>> view = side_by_side(a, read_text_article("examples/pair/rewrite.txt"))  # doctest: +SKIP
    >>> [(p.passage, p.changed) for p in view.pieces_b[:3]]          # doctest: +SKIP
    [(0, False), (0, True), (0, False)]
"""

from __future__ import annotations

from dataclasses import dataclass

from wiretrace.model import Article, Comparison
from wiretrace.report.compare import compare_prepared
from wiretrace.report.diff import Edit, passage_edits
from wiretrace.reuse.prepared import prepare
from wiretrace.settings import Settings

__all__ = ["Piece", "SideBySide", "side_by_side"]


@dataclass(frozen=True, slots=True)
class Piece:
    """``[start, end)`` of one side: in passage ``passage`` (None: outside every passage),
    ``changed`` when these words differ from the other side (only inside a passage)."""

    start: int
    end: int
    passage: int | None
    changed: bool


@dataclass(frozen=True, slots=True)
class SideBySide:
    """The comparison, each side's pieces, and the edits inside each passage."""

    comparison: Comparison
    pieces_a: tuple[Piece, ...]
    pieces_b: tuple[Piece, ...]
    edits: tuple[tuple[Edit, ...], ...]


def _pieces(
    length: int, passages: list[tuple[int, int]], changed: list[list[tuple[int, int]]]
) -> list[Piece]:
    out: list[Piece] = []
    pos = 0
    for i, (start, end) in enumerate(passages):  # passages never overlap on one side
        if start > pos:
            out.append(Piece(pos, start, None, False))
        pos = max(pos, start)
        for s, e in sorted(changed[i]):
            s, e = max(s, pos), min(e, end)
            if e <= s:
                continue
            if s > pos:
                out.append(Piece(pos, s, i, False))
            out.append(Piece(s, e, i, True))
            pos = e
        if end > pos:
            out.append(Piece(pos, end, i, False))
        pos = max(pos, end)
    if length > pos:
        out.append(Piece(pos, length, None, False))
    return out


def side_by_side(a: Article, b: Article, settings: Settings | None = None) -> SideBySide:
    """Compare ``a`` and ``b`` (as :func:`wiretrace.compare`) and cut both texts into pieces."""
    settings = settings or Settings()
    pa, pb = prepare(a.text, settings.align), prepare(b.text, settings.align)
    c = compare_prepared(a, b, pa, pb, settings)
    edits = [tuple(passage_edits(pa.tokens, pb.tokens, p)) for p in c.passages]
    order_b = sorted(range(len(c.passages)), key=lambda i: c.passages[i].b.start)
    pieces_a = _pieces(
        len(a.text),
        [(p.a.start, p.a.end) for p in c.passages],
        [[(e.a.start, e.a.end) for e in es if e.kind != "insert"] for es in edits],
    )
    raw_b = _pieces(
        len(b.text),
        [(c.passages[i].b.start, c.passages[i].b.end) for i in order_b],
        [[(e.b.start, e.b.end) for e in edits[i] if e.kind != "delete"] for i in order_b],
    )
    pieces_b = [
        Piece(p.start, p.end, None if p.passage is None else order_b[p.passage], p.changed)
        for p in raw_b
    ]
    return SideBySide(c, tuple(pieces_a), tuple(pieces_b), tuple(edits))
