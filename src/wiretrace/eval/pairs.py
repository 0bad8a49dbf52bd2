"""How well the same-story score agrees with human ratings of article pairs.

The library side of ``wiretrace eval pairs PAIRS.csv --corpus ARTICLES.jsonl``. The pairs file
is CSV with a header row naming at least ``id1``, ``id2`` and a rating column (``overall`` by
default, as in SemEval-2022 Task 8). Ratings are numbers; by default a *low* rating means
similar (SemEval: 1 = same story ... 4 = unrelated), so the score is correlated with the negated
rating and a good score gives a correlation near +1. Articles come from a corpus file (see
:func:`wiretrace.io.readers.load_corpus`).

Example::

    >>> pearson([1.0, 2.0, 3.0], [2.0, 4.0, 6.5]) > 0.99
    True
    >>> spearman([1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    -1.0
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wiretrace.errors import InputError
from wiretrace.model import Article


@dataclass(frozen=True, slots=True)
class RatedPair:
    """One rated pair: article ids, the rating as read, and its 1-based line in the file."""

    id1: str
    id2: str
    rating: float
    line: int


@dataclass(frozen=True, slots=True)
class PairsReport:
    """Agreement of scores with ratings: Pearson's r and Spearman's rho over ``n`` pairs.

    ``scores`` and ``targets`` (the ratings, negated when low means similar) are in the order of
    the pairs file; correlations are NaN when fewer than two pairs or a constant column.
    """

    n: int
    pearson: float
    spearman: float
    scores: tuple[float, ...]
    targets: tuple[float, ...]

    def to_dict(self) -> dict[str, float | int | None]:
        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 4)

        return {"n": self.n, "pearson": num(self.pearson), "spearman": num(self.spearman)}


def read_rated_pairs(path: str | Path, column: str = "overall") -> list[RatedPair]:
    """Rated pairs of a CSV file with columns ``id1``, ``id2`` and ``column`` (others ignored).

    Raises:
        InputError: unreadable file, no header, a missing column, an empty id or a rating that
            is not a number (naming the file and line).
    """
    source = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            if not header:
                raise InputError(source, "empty file: expected a header row with id1,id2,...")
            missing = [c for c in ("id1", "id2", column) if c not in header]
            if missing:
                raise InputError(
                    source,
                    f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                    f"(the header has: {', '.join(header)})",
                )
            pairs = []
            for row in reader:
                line = reader.line_num
                id1, id2 = (row.get("id1") or "").strip(), (row.get("id2") or "").strip()
                if not id1 or not id2:
                    raise InputError(source, "empty id1 or id2", line)
                raw = (row.get(column) or "").strip()
                try:
                    rating = float(raw)
                except ValueError:
                    raise InputError(source, f"{column} is not a number: {raw!r}", line) from None
                if math.isnan(rating):
                    raise InputError(source, f"{column} is not a number: {raw!r}", line)
                pairs.append(RatedPair(id1, id2, rating, line))
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(source, f"not a UTF-8 CSV file: {exc}") from exc
    if not pairs:
        raise InputError(source, "no pairs (only a header row)")
    return pairs


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their mean rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson's correlation coefficient; NaN for fewer than two values or a constant input."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2 or len(a) != len(b):
        return math.nan
    a, b = a - a.mean(), b - b.mean()
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denominator if denominator > 0 else math.nan


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson of the ranks, ties averaged)."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2 or len(a) != len(b):
        return math.nan
    return pearson(_ranks(a), _ranks(b))


def evaluate_pairs(
    pairs: Sequence[RatedPair],
    corpus: dict[str, Article],
    low_is_similar: bool = True,
    source: str = "pairs",
    settings=None,
) -> PairsReport:
    """Score every pair with the same-story score and correlate the scores with the ratings.

    Article profiles (lemmas, names, embeddings) are computed once per article, embeddings in
    one batch. Raises InputError for an id not in ``corpus`` (naming ``source`` and the line).
    """
    from wiretrace.reuse.align import align_prepared
    from wiretrace.reuse.prepared import prepare
    from wiretrace.settings import Settings
    from wiretrace.stories.features import profiles
    from wiretrace.stories.score import same_story_of_profiles

    settings = settings or Settings()
    for p in pairs:
        for aid in (p.id1, p.id2):
            if aid not in corpus:
                raise InputError(source, f"unknown article id {aid!r} (not in the corpus)", p.line)
    ids = list(dict.fromkeys(aid for p in pairs for aid in (p.id1, p.id2)))
    profs = dict(
        zip(ids, profiles([corpus[i] for i in ids], settings.same_story.embeddings), strict=True)
    )
    prepared = {i: prepare(corpus[i].text, settings.align) for i in ids}
    scores = []
    for p in pairs:
        passages = align_prepared(prepared[p.id1], prepared[p.id2], settings.align)
        result = same_story_of_profiles(
            corpus[p.id1], corpus[p.id2], profs[p.id1], profs[p.id2], passages, settings.same_story
        )
        scores.append(result.score)
    targets = [-p.rating if low_is_similar else p.rating for p in pairs]
    return PairsReport(
        len(pairs),
        pearson(scores, targets),
        spearman(scores, targets),
        tuple(scores),
        tuple(targets),
    )
