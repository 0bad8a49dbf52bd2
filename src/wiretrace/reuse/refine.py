"""Token-level boundary refinement of sentence-level passage candidates.

Sentence seeds find reuse robustly but place boundaries only at sentence boundaries as each
text's segmentation sees them, and the two copies are often segmented differently (a heading
glued to the next sentence in one copy, a re-wrapped line in the other). Where the two sides
share most of their words, an exact word alignment (longest common subsequence of normalised
tokens, rapidfuzz's bit-parallel Indel) tells precisely where the shared text starts and ends,
and where one candidate in fact holds two reuses separated by unrelated text.

All functions are pure; token indices are into ``PreparedText.tokens``.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Indel

from wiretrace.model import Span
from wiretrace.reuse.prepared import PreparedText


def matched_blocks(
    a: PreparedText, a_range: tuple[int, int], b: PreparedText, b_range: tuple[int, int]
) -> np.ndarray:
    """Equal runs of the token alignment of two token ranges, as rows (a_start, b_start, length)."""
    ids_a = a.tokens.ids[a_range[0] : a_range[1]].tolist()
    ids_b = b.tokens.ids[b_range[0] : b_range[1]].tolist()
    blocks = [
        (blk.a + a_range[0], blk.b + b_range[0], blk.size)
        for blk in Indel.opcodes(ids_a, ids_b).as_matching_blocks()
        if blk.size > 0
    ]
    return np.asarray(blocks, dtype=np.int64).reshape(-1, 3)


def dense_segments(blocks: np.ndarray, max_gap: int, min_block: int) -> list[np.ndarray]:
    """Split matched blocks into segments wherever both texts jump more than ``max_gap`` tokens.

    Blocks shorter than ``min_block`` tokens (stray function-word matches) are ignored.
    """
    blocks = blocks[blocks[:, 2] >= min_block]
    if len(blocks) == 0:
        return []
    end_a = blocks[:-1, 0] + blocks[:-1, 2]
    end_b = blocks[:-1, 1] + blocks[:-1, 2]
    gap_a = blocks[1:, 0] - end_a
    gap_b = blocks[1:, 1] - end_b
    cut = np.nonzero((gap_a > max_gap) | (gap_b > max_gap))[0] + 1
    return np.split(blocks, cut)


def _sentence_offsets(p: PreparedText, first: int, last: int) -> tuple[int, int]:
    """Words between the sentence start and token ``first``, and after ``last`` to its end."""
    s0, s1 = p.sentence_of_token[first], p.sentence_of_token[last]
    before = first - int(p.sentence_tokens[s0, 0]) if s0 >= 0 else 0
    after = int(p.sentence_tokens[s1, 1]) - 1 - last if s1 >= 0 else 0
    return before, after


def refined_spans(
    a: PreparedText, b: PreparedText, blocks: np.ndarray, snap_tokens: int
) -> tuple[Span, Span]:
    """Character spans from the first to the last matched block, snapped to sentence edges.

    An end moves to its sentence boundary on both sides when both sides have just a few
    unmatched words there (see ``_should_snap``): an edited sentence opening ("Man sei
    übereingekommen" / "Man habe vereinbart") still belongs to the passage. When one side
    already sits on its boundary the other side's extra words are not part of the reuse.
    Punctuation after the last word of a sentence is always included.
    """
    a0, b0 = int(blocks[0, 0]), int(blocks[0, 1])
    a1 = int(blocks[-1, 0] + blocks[-1, 2]) - 1
    b1 = int(blocks[-1, 1] + blocks[-1, 2]) - 1
    before_a, after_a = _sentence_offsets(a, a0, a1)
    before_b, after_b = _sentence_offsets(b, b0, b1)
    snap_start = _should_snap(before_a, before_b, snap_tokens)
    snap_end = _should_snap(after_a, after_b, snap_tokens)
    return (
        Span(_start(a, a0, before_a, snap_start), _end(a, a1, after_a, snap_end)),
        Span(_start(b, b0, before_b, snap_start), _end(b, b1, after_b, snap_end)),
    )


def _should_snap(extra_a: int, extra_b: int, snap_tokens: int) -> bool:
    """Whether unmatched words between a passage end and the sentence edge belong to it.

    Both sides must have some (a side already on its boundary means the other side's words were
    added, not edited); the fewer side at most ``snap_tokens``, the other at most twice that (an
    edited opening may also carry an inserted phrase).
    """
    if extra_a <= 0 or extra_b <= 0:
        return False
    return min(extra_a, extra_b) <= snap_tokens and max(extra_a, extra_b) <= 2 * snap_tokens


def _start(p: PreparedText, token: int, before: int, snap: bool) -> int:
    if before == 0 or snap:
        sent = p.sentence_of_token[token]
        if sent >= 0:
            return int(p.sentences[sent, 0])
    return int(p.tokens.starts[token])


def _end(p: PreparedText, token: int, after: int, snap: bool) -> int:
    if after == 0 or snap:
        sent = p.sentence_of_token[token]
        if sent >= 0:
            return int(p.sentences[sent, 1])
    return int(p.tokens.ends[token])
