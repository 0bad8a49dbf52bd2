"""PlagDet, the PAN text-alignment measure (Potthast et al., COLING 2010).

Cases ``S`` (the truth) and detections ``R`` are aligned passage pairs of a document pair, each
read as the set of characters it covers in *both* documents: ``|s| = len(s.susp) + len(s.src)``,
counted in code points. A detection ``r`` *detects* a case ``s`` iff both belong to the same
document pair and they share at least one character in the suspicious document **and** at least
one in the source document; then ``s ⊓ r = s ∩ r``, otherwise ``s ⊓ r = ∅``.

- ``recall    = 1/|S| · Σ_s |∪_r (s ⊓ r)| / |s|``  (macro average over cases)
- ``precision = 1/|R| · Σ_r |∪_s (s ⊓ r)| / |r|``  (macro average over detections)
- ``granularity`` = mean, over the cases detected by at least one detection, of the number of
  detections that detect them (``>= 1``; 1 when no case is detected)
- ``plagdet = F1(precision, recall) / log2(1 + granularity)``

Edge conventions: no cases and no detections scores 1 everywhere; exactly one of the two empty
gives ``recall = precision = plagdet = 0`` (granularity 1). A case or detection covering no
character at all (both spans empty) contributes 0 to its average.

All ratios are fractions in ``[0, 1]``; granularity is a count (``>= 1``). Scoring is interval
arithmetic per document pair, so it is linear in the input apart from the cases × detections
overlap test inside each pair.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from wiretrace.model import Passage, Span

PairKey = Hashable
"""Identifies a document pair, e.g. ``("suspicious-document00001.txt", "source-…txt")``."""


@dataclass(frozen=True, slots=True)
class Case:
    """One aligned passage pair of document pair ``pair``: ``susp`` reuses ``src``.

    Used both for truth cases and for detections. Spans are ``[start, end)`` in code points of
    the suspicious and the source document respectively.
    """

    pair: PairKey
    susp: Span
    src: Span

    @classmethod
    def from_passage(cls, pair: PairKey, passage: Passage) -> Case:
        """A detection from an aligner passage (``passage.a`` in susp, ``passage.b`` in src)."""
        return cls(pair, passage.a, passage.b)

    def __len__(self) -> int:
        """Characters covered in both documents: ``len(susp) + len(src)``."""
        return len(self.susp) + len(self.src)


Detection = Case
"""A detection has the same shape as a case."""


@dataclass(frozen=True, slots=True)
class PlagdetScore:
    """PlagDet of a set of cases and detections.

    ``recall``, ``precision`` and ``plagdet`` are fractions in ``[0, 1]``; ``granularity`` is
    the mean number of detections per detected case (``>= 1``); ``cases`` and ``detections``
    are the counts scored.
    """

    recall: float
    precision: float
    granularity: float
    plagdet: float
    cases: int
    detections: int


def _overlaps(x: Span, y: Span) -> bool:
    """True iff the half-open spans share at least one character."""
    return max(x.start, y.start) < min(x.end, y.end)


def _detects(case: Case, det: Case) -> bool:
    """The PAN rule: same pair, overlap in the suspicious **and** in the source document."""
    return _overlaps(case.susp, det.susp) and _overlaps(case.src, det.src)


def covered(span: Span, others: Iterable[Span]) -> int:
    """Characters of ``span`` inside the union of ``others`` (code points)."""
    clipped = sorted(
        (max(o.start, span.start), min(o.end, span.end))
        for o in others
        if max(o.start, span.start) < min(o.end, span.end)
    )
    total = 0
    cur_start, cur_end = -1, -1
    for start, end in clipped:
        if start > cur_end:
            total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    return total + cur_end - cur_start


def _coverage(item: Case, partners: Sequence[Case]) -> float:
    """``|∪_p (item ∩ p)| / |item|`` over the given partners, 0 for an empty item."""
    size = len(item)
    if size == 0 or not partners:
        return 0.0
    hit = covered(item.susp, (p.susp for p in partners)) + covered(
        item.src, (p.src for p in partners)
    )
    return hit / size


@dataclass(slots=True)
class _Sums:
    """Running sums over document pairs: coverage ratios and detected-case counts."""

    recall: float = 0.0
    precision: float = 0.0
    detected_cases: int = 0
    detecting_links: int = 0


def _score_pair(cases: Sequence[Case], dets: Sequence[Case], sums: _Sums) -> None:
    """Add one document pair's recall/precision ratios and granularity counts to ``sums``."""
    if not cases or not dets:
        return
    by_det: list[list[Case]] = [[] for _ in dets]
    for case in cases:
        hits: list[Case] = []
        for i, det in enumerate(dets):
            if _detects(case, det):
                hits.append(det)
                by_det[i].append(case)
        if hits:
            sums.detected_cases += 1
            sums.detecting_links += len(hits)
            sums.recall += _coverage(case, hits)
    for det, hit_cases in zip(dets, by_det, strict=True):
        sums.precision += _coverage(det, hit_cases)


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def combine(recall: float, precision: float, granularity: float) -> float:
    """``plagdet = F1(precision, recall) / log2(1 + granularity)``."""
    return f1(precision, recall) / math.log2(1 + granularity)


def score(cases: Iterable[Case], detections: Iterable[Case]) -> PlagdetScore:
    """PlagDet of ``detections`` against ``cases`` (see the module docstring for definitions).

    Detections and cases are matched only within the same ``pair`` key; detections on pairs
    with no cases only lower precision.
    """
    case_list, det_list = list(cases), list(detections)
    n_cases, n_dets = len(case_list), len(det_list)
    if n_cases == 0 and n_dets == 0:
        return PlagdetScore(1.0, 1.0, 1.0, 1.0, 0, 0)
    groups: defaultdict[PairKey, tuple[list[Case], list[Case]]] = defaultdict(lambda: ([], []))
    for case in case_list:
        groups[case.pair][0].append(case)
    for det in det_list:
        groups[det.pair][1].append(det)
    sums = _Sums()
    for pair_cases, pair_dets in groups.values():
        _score_pair(pair_cases, pair_dets, sums)
    rec = sums.recall / n_cases if n_cases else 0.0
    prec = sums.precision / n_dets if n_dets else 0.0
    gran = sums.detecting_links / sums.detected_cases if sums.detected_cases else 1.0
    return PlagdetScore(rec, prec, gran, combine(rec, prec, gran), n_cases, n_dets)


def recall(cases: Iterable[Case], detections: Iterable[Case]) -> float:
    """Macro-averaged character recall over cases, in ``[0, 1]``."""
    return score(cases, detections).recall


def precision(cases: Iterable[Case], detections: Iterable[Case]) -> float:
    """Macro-averaged character precision over detections, in ``[0, 1]``."""
    return score(cases, detections).precision


def granularity(cases: Iterable[Case], detections: Iterable[Case]) -> float:
    """Mean number of detections per detected case (``>= 1``)."""
    return score(cases, detections).granularity


def plagdet(cases: Iterable[Case], detections: Iterable[Case]) -> float:
    """The PlagDet score, in ``[0, 1]``."""
    return score(cases, detections).plagdet
