"""Pairwise alignment of reused passages (work in progress: API fixed, algorithm being written)."""

from __future__ import annotations

from dataclasses import dataclass

from wiretrace.model import Passage


@dataclass(frozen=True)
class PreparedText:
    text: str


def prepare(text: str) -> PreparedText:
    return PreparedText(text)


def align_prepared(a: PreparedText, b: PreparedText) -> list[Passage]:
    return []


def align_pair(text_a: str, text_b: str) -> list[Passage]:
    return align_prepared(prepare(text_a), prepare(text_b))
