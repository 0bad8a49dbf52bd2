"""Word-level differences inside an aligned passage, as character spans of both sides.

Used to highlight edits ("betonte" -> "sagte", an inserted "mit mehr als 130 Toten", a teaser
inserted into a paragraph). Tokens are compared by normalised form, so quote styles, case and
line wrapping are not differences; the spans still point into the original texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from wiretrace.model import Passage, Span
from wiretrace.text.tokens import Tokens, token_range


@dataclass(frozen=True, slots=True)
class Edit:
    """One difference: ``kind`` is "replace", "delete" (only in a) or "insert" (only in b).

    ``a``/``b`` are the character spans of the changed words in each text (empty spans, at the
    position of the change, for pure insertions or deletions).
    """

    kind: str
    a: Span
    b: Span


def _chars(tokens: Tokens, lo: int, hi: int, fallback: int) -> Span:
    """Span from the start of token lo to the end of token hi - 1 (empty at fallback if none)."""
    if hi <= lo:
        return Span(fallback, fallback)
    return Span(int(tokens.starts[lo]), int(tokens.ends[hi - 1]))


def passage_edits(tokens_a: Tokens, tokens_b: Tokens, passage: Passage) -> list[Edit]:
    """Word-level edits turning passage side a into side b, in text order."""
    a0, a1 = token_range(tokens_a, passage.a.start, passage.a.end)
    b0, b1 = token_range(tokens_b, passage.b.start, passage.b.end)
    ids_a = tokens_a.ids[a0:a1].tolist()
    ids_b = tokens_b.ids[b0:b1].tolist()
    edits: list[Edit] = []
    # Indel opcodes (no substitutions) merged: a delete next to an insert becomes a replace.
    ops = [op for op in Indel.opcodes(ids_a, ids_b) if op.tag != "equal"]
    merged: list[list[int]] = []
    for op in ops:
        if merged and merged[-1][1] == op.src_start and merged[-1][3] == op.dest_start:
            merged[-1][1], merged[-1][3] = op.src_end, op.dest_end
        else:
            merged.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    for sa, ea, sb, eb in merged:
        pos_a = int(tokens_a.starts[a0 + sa]) if a0 + sa < a1 else passage.a.end
        pos_b = int(tokens_b.starts[b0 + sb]) if b0 + sb < b1 else passage.b.end
        span_a = _chars(tokens_a, a0 + sa, a0 + ea, pos_a)
        span_b = _chars(tokens_b, b0 + sb, b0 + eb, pos_b)
        kind = "replace" if ea > sa and eb > sb else ("delete" if ea > sa else "insert")
        edits.append(Edit(kind, span_a, span_b))
    return edits


def uncovered(length: int, spans: list[Span]) -> list[Span]:
    """The parts of ``[0, length)`` outside every span (what a side has that the other lacks)."""
    out: list[Span] = []
    pos = 0
    for s in sorted(spans):
        if s.start > pos:
            out.append(Span(pos, s.start))
        pos = max(pos, s.end)
    if pos < length:
        out.append(Span(pos, length))
    return out
