"""Arithmetic on sets of character spans ``(start, end)``, half-open, in code points."""

from __future__ import annotations

from collections.abc import Iterable


def covered_chars(spans: Iterable[tuple[int, int]]) -> int:
    """Number of code points inside at least one span (overlaps counted once)."""
    total, end = 0, 0
    for s, e in sorted(spans):
        if e > end:
            total += e - max(s, end)
            end = e
    return total


def subtract(
    spans: Iterable[tuple[int, int]], cut: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Parts of ``spans`` outside every interval of ``cut``, in order."""
    out = []
    cuts = sorted(cut)
    for s, e in sorted(spans):
        pos = s
        for cs, ce in cuts:
            if ce <= pos or cs >= e:
                continue
            if cs > pos:
                out.append((pos, cs))
            pos = max(pos, ce)
        if pos < e:
            out.append((pos, e))
    return out
