"""Pairwise alignment: every passage two texts share, verbatim or edited, with exact spans.

Two phases, as everywhere in wiretrace: cheap seeds first (sentence pairs with enough shared
rare content stems), expensive work only around them (clustering seeds into passages,
validating whole fragments, resolving overlaps, measuring token-level similarity). Cost is
linear in the texts plus the number of sentence pairs that share vocabulary.

Example::

    >>> a = "Die Präsidenten trafen sich in Moskau. Es ging um Syrien und die Opposition dort."
    >>> b = "Ganz anders. Die Präsidenten trafen sich in Moskau. Es ging um Syrien und die Opposition."
    >>> [(b[p.b.start:p.b.end]) for p in align_pair(a, b, AlignSettings(min_passage_chars=20))]
    ['Die Präsidenten trafen sich in Moskau. Es ging um Syrien und die Opposition.']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from wiretrace.model import Passage, Span
from wiretrace.reuse.extend import Fragment, extend_seeds, grow_fragment
from wiretrace.reuse.prepared import PreparedText, prepare
from wiretrace.reuse.refine import dense_segments, matched_blocks, refined_spans
from wiretrace.reuse.vectors import SentenceSimilarities, pair_space
from wiretrace.settings import AlignSettings
from wiretrace.text.tokens import token_range

__all__ = ["ALIGNMENT_RULES_VERSION", "PreparedText", "align_pair", "align_prepared", "prepare"]

# Bumped whenever align_prepared or align_near_duplicates report other passages for the same
# texts and settings, so that a store's pairs aligned by an older wiretrace are aligned again
# (a store keeps the rules its pairs were aligned with; see pipeline._align).
ALIGNMENT_RULES_VERSION = 1


def _seeds(sims: SentenceSimilarities, settings: AlignSettings) -> tuple[np.ndarray, np.ndarray]:
    """Sentence pairs (k, 2) similar enough to seed a passage, and their cosines (k,)."""
    ok = (sims.cosine > settings.seed_cosine) & (sims.dice > settings.seed_dice)
    return np.column_stack([sims.rows[ok], sims.cols[ok]]), sims.cosine[ok]


def _min_cosine(settings: AlignSettings) -> float:
    """The cosine below which a sentence pair can change nothing: it cannot seed (seeds need
    more than ``seed_cosine``), cannot join a fragment by growing (needs ``grow_cosine``), and
    as a rival it cannot stop a sentence from joining (that needs ``dominance_ratio`` times
    the rival's cosine to exceed a joiner's, which is at least ``grow_cosine``)."""
    bound = min(settings.seed_cosine, settings.grow_cosine)
    if settings.dominance_ratio > 1.0:
        bound = min(bound, settings.grow_cosine / settings.dominance_ratio)
    return max(bound, 0.0)


def _char_span(p: PreparedText, s0: int, s1: int) -> Span:
    return Span(int(p.sentences[s0, 0]), int(p.sentences[s1 - 1, 1]))


def _span_ids(p: PreparedText, span: Span) -> np.ndarray:
    """Normalised token ids of the words inside a character span."""
    t0, t1 = token_range(p.tokens, span.start, span.end)
    return p.tokens.ids[t0:t1]


def _token_similarity(ia: np.ndarray, ib: np.ndarray) -> float:
    """Indel similarity in [0, 1] of two normalised token sequences."""
    return float(Indel.normalized_similarity(ia.tolist(), ib.tolist()))


@dataclass(frozen=True, slots=True)
class _SpanWords:
    """The words inside a character span of a prepared text: their normalised ids and the
    keys of their two-word sequences (see :func:`_bigram_keys`)."""

    text: PreparedText
    first: int  # token index of the first word
    ids: np.ndarray
    bigrams: np.ndarray

    @classmethod
    def of(cls, p: PreparedText, span: Span) -> _SpanWords:
        t0, t1 = token_range(p.tokens, span.start, span.end)
        ids = p.tokens.ids[t0:t1]
        return cls(p, t0, ids, _bigram_keys(ids))

    def fact_bigrams(self) -> np.ndarray:
        """Per two-word sequence, whether both its words are facts here: they start with a
        capital letter or a digit (names and figures)."""
        text, starts = self.text.text, self.text.tokens.starts
        fact = np.fromiter(
            (
                text[s].isupper() or text[s].isdigit()
                for s in starts[self.first : self.first + len(self.ids)].tolist()
            ),
            dtype=bool,
            count=len(self.ids),
        )
        return fact[:-1] & fact[1:]


def _shared_phrasing(a: _SpanWords, b: _SpanWords, shared: np.ndarray) -> int:
    """How many of the two-word sequences ``shared`` by both sides are phrasing, not facts: a
    sequence counts unless both its words start with a capital letter or a digit wherever it
    occurs on both sides ("Landesamt Nord", "4.180 Wohnungen" at a sentence start are facts two
    reports share without copying; "meldete am" is phrasing)."""
    if shared.size == 0:
        return 0
    phrasing = np.union1d(a.bigrams[~a.fact_bigrams()], b.bigrams[~b.fact_bigrams()])
    return int(np.isin(shared, phrasing, assume_unique=True).sum())


def _bigram_keys(ids: np.ndarray) -> np.ndarray:
    """One 64-bit key per pair of neighbouring token ids (uint64 hashes; the multiply wraps,
    and a collision of two different pairs is as unlikely as one of two words' hashes); empty
    for fewer than two words."""
    return (ids[:-1] * np.uint64(0x9E3779B97F4A7C15)) ^ ids[1:]


@dataclass(frozen=True, slots=True)
class _Candidate:
    a: Span
    b: Span
    quality: float


def _resolve_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the best candidates so that no two overlap in a or in b (one reuse, one passage)."""
    kept: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: (-c.quality, c.a.start, c.b.start)):
        if all(c.a.end <= k.a.start or k.a.end <= c.a.start for k in kept) and all(
            c.b.end <= k.b.start or k.b.end <= c.b.start for k in kept
        ):
            kept.append(c)
    return kept


def _refined(a: PreparedText, b: PreparedText, f: Fragment, settings: AlignSettings) -> _Candidate:
    """The fragment with word-exact boundaries where its two sides share most of their words.

    Blocks of equal words are grouped into segments (gaps <= ``refine_max_gap_tokens``); the
    segments touching the fragment's own sentences, plus any joined to them through the margin,
    give the new extent. Heavily rewritten fragments (matched share below
    ``refine_min_density``) keep their sentence-level spans.
    """
    margin = settings.refine_margin_tokens
    core_a = (int(a.sentence_tokens[f.a0, 0]), int(a.sentence_tokens[f.a1 - 1, 1]))
    core_b = (int(b.sentence_tokens[f.b0, 0]), int(b.sentence_tokens[f.b1 - 1, 1]))
    a_range = (max(0, core_a[0] - margin), min(len(a.tokens), core_a[1] + margin))
    b_range = (max(0, core_b[0] - margin), min(len(b.tokens), core_b[1] + margin))
    blocks = matched_blocks(a, a_range, b, b_range)
    # Outside the fragment's own sentences only long runs count: a missed first sentence of a
    # verbatim copy gives long runs, while stray shared phrases of neighbouring text do not.
    in_core = (
        (blocks[:, 0] >= core_a[0])
        & (blocks[:, 0] < core_a[1])
        & (blocks[:, 1] >= core_b[0])
        & (blocks[:, 1] < core_b[1])
    )
    blocks = blocks[in_core | (blocks[:, 2] >= settings.refine_margin_min_block)]
    segments = [
        seg
        for seg in dense_segments(blocks, settings.refine_max_gap_tokens, settings.refine_min_block)
        if seg[0, 0] < core_a[1]
        and seg[-1, 0] + seg[-1, 2] > core_a[0]
        and seg[0, 1] < core_b[1]
        and seg[-1, 1] + seg[-1, 2] > core_b[0]
    ]
    quality = f.cosine * (f.a1 - f.a0 + f.b1 - f.b0)
    if segments:
        kept = np.concatenate(segments)
        len_a = int(kept[-1, 0] + kept[-1, 2] - kept[0, 0])
        len_b = int(kept[-1, 1] + kept[-1, 2] - kept[0, 1])
        if 2 * int(kept[:, 2].sum()) / (len_a + len_b) >= settings.refine_min_density:
            span_a, span_b = refined_spans(a, b, kept, settings.refine_snap_tokens)
            return _Candidate(span_a, span_b, quality)
    return _Candidate(_char_span(a, f.a0, f.a1), _char_span(b, f.b0, f.b1), quality)


def _side_chars(p: PreparedText, ranges: list[tuple[int, int]]) -> int:
    return sum(int(p.sentences[e - 1, 1] - p.sentences[s, 0]) for s, e in ranges)


def _may_be_summary(
    a: PreparedText, b: PreparedText, fragments: list[Fragment], settings: AlignSettings
) -> bool:
    """Whether the summary clustering could change anything, judged from the normal result.

    It can only join passages that lie close together on one side and within
    ``summary_max_gap`` on the other, or stretch a passage of three or more sentences whose
    sides already differ in length by more than a factor of two. Most copies are neither, so
    the second clustering is skipped for them.
    """
    for f in fragments:
        chars_a = _side_chars(a, [(f.a0, f.a1)])
        chars_b = _side_chars(b, [(f.b0, f.b1)])
        long_side_sentences = max(f.a1 - f.a0, f.b1 - f.b0)
        if min(chars_a, chars_b) * 2 < max(chars_a, chars_b) and long_side_sentences >= 3:
            return True  # a summary condenses several sentences, not one or two
    near, wide = settings.max_gap + 1, settings.summary_max_gap + 1
    for i, f in enumerate(fragments):
        for g in fragments[i + 1 :]:
            gap_a = max(g.a0 - f.a1, f.a0 - g.a1, 0)
            gap_b = max(g.b0 - f.b1, f.b0 - g.b1, 0)
            if (gap_a <= near and gap_b <= wide) or (gap_b <= near and gap_a <= wide):
                return True
    return False


def _summary_fragments(
    a: PreparedText,
    b: PreparedText,
    fragments_with: Callable[[tuple[int, int], bool], list[Fragment]],
    settings: AlignSettings,
    fragments: list[Fragment],
) -> list[Fragment] | None:
    """Fragments for the case that one text summarises a longer passage of the other.

    A summary's sentences match sentences scattered over a long stretch of the original, so
    the normal gap splits one reuse into pieces. When clustering with the wide
    ``summary_max_gap`` on the longer side yields fragments whose shorter side is less than
    ``summary_ratio`` of the longer one, those fragments are taken instead (None otherwise).
    """
    # The longer side of what the normal clustering found is the one a summary would stretch.
    chars_a = sum(_side_chars(a, [(f.a0, f.a1)]) for f in fragments)
    chars_b = sum(_side_chars(b, [(f.b0, f.b1)]) for f in fragments)
    for wide_side in (1, 0) if not fragments else ((1,) if chars_b >= chars_a else (0,)):
        gaps = [settings.max_gap, settings.max_gap]
        gaps[wide_side] = settings.summary_max_gap
        found = fragments_with((gaps[0], gaps[1]), summary=True)
        if not found:
            continue
        chars_a = _side_chars(a, [(f.a0, f.a1) for f in found])
        chars_b = _side_chars(b, [(f.b0, f.b1) for f in found])
        short, long_ = (chars_a, chars_b) if wide_side == 1 else (chars_b, chars_a)
        if long_ > 0 and short / long_ < settings.summary_ratio:
            return found
    return None


def align_prepared(
    a: PreparedText, b: PreparedText, settings: AlignSettings | None = None
) -> list[Passage]:
    """Passages shared by two prepared texts, sorted by start in ``a``; spans never overlap."""
    settings = settings or AlignSettings()
    if len(a.sentences) == 0 or len(b.sentences) == 0:
        return []
    space = pair_space(a, b)
    sims = space.sentence_similarities(settings.max_pairs_per_term, _min_cosine(settings))
    seeds, weights = _seeds(sims, settings)
    if len(seeds) == 0:
        return []

    def fragments_with(gaps: tuple[int, int], summary: bool = False) -> list[Fragment]:
        found = extend_seeds(
            seeds,
            weights,
            gaps,
            space.fragment_cosine,
            settings.min_fragment_cosine,
            settings.dominance_ratio,
            settings.weak_edge_ratio,
            split_swaps=not summary,
        )
        return [
            grow_fragment(
                f,
                sims.best_partner,
                sims.shape,
                settings.grow_cosine,
                settings.grow_relative,
                settings.grow_window,
                settings.dominance_ratio,
            )
            for f in found
        ]

    fragments = fragments_with((settings.max_gap, settings.max_gap))
    if _may_be_summary(a, b, fragments, settings):
        summary = _summary_fragments(a, b, fragments_with, settings, fragments)
        if summary is not None:
            fragments = summary
    candidates = [_refined(a, b, f, settings) for f in fragments]
    passages: list[Passage] = []
    for c in _resolve_overlaps(candidates):
        if len(c.a) < settings.min_passage_chars or len(c.b) < settings.min_passage_chars:
            continue
        wa, wb = _SpanWords.of(a, c.a), _SpanWords.of(b, c.b)
        # Sides that share facts and names but hardly a phrase are two wordings, not reuse.
        shared = np.intersect1d(wa.bigrams, wb.bigrams)  # distinct two-word sequences in both
        if shared.size < settings.min_shared_bigrams:
            continue
        similarity = _token_similarity(wa.ids, wb.ids)
        if similarity < settings.phrasing_similarity:
            needed = settings.min_phrasing * min(len(wa.ids), len(wb.ids))
            if _shared_phrasing(wa, wb, shared) < needed:
                continue
        passages.append(Passage(c.a, c.b, round(similarity, 4)))
    passages.sort()
    return passages


def align_near_duplicates(
    a: PreparedText, b: PreparedText, settings: AlignSettings | None = None
) -> list[Passage] | None:
    """One word-level alignment of two whole texts that are near-copies of each other.

    The cheap path for whole-article copies (the same story in two feeds of one publisher, a
    re-published item): a single longest-common-subsequence pass instead of sentence seeding.
    Returns the passage from the first to the last shared run of words when the texts share
    at least ``refine_min_density`` of their words along it; otherwise None, and the caller
    runs :func:`align_prepared`.
    """
    settings = settings or AlignSettings()
    if len(a.tokens) == 0 or len(b.tokens) == 0 or len(a.sentences) == 0:
        return None
    blocks = matched_blocks(a, (0, len(a.tokens)), b, (0, len(b.tokens)))
    blocks = blocks[blocks[:, 2] >= settings.refine_min_block]
    if len(blocks) == 0:
        return None
    len_a = int(blocks[-1, 0] + blocks[-1, 2] - blocks[0, 0])
    len_b = int(blocks[-1, 1] + blocks[-1, 2] - blocks[0, 1])
    if 2 * int(blocks[:, 2].sum()) / (len_a + len_b) < settings.refine_min_density:
        return None
    span_a, span_b = refined_spans(a, b, blocks, settings.refine_snap_tokens)
    if len(span_a) < settings.min_passage_chars or len(span_b) < settings.min_passage_chars:
        return None
    similarity = _token_similarity(_span_ids(a, span_a), _span_ids(b, span_b))
    return [Passage(span_a, span_b, round(similarity, 4))]


def align_pair(text_a: str, text_b: str, settings: AlignSettings | None = None) -> list[Passage]:
    """Passages shared by two texts (see ``align_prepared``)."""
    settings = settings or AlignSettings()
    return align_prepared(prepare(text_a, settings), prepare(text_b, settings), settings)
