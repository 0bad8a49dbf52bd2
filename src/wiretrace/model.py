"""The vocabulary of wiretrace: small frozen dataclasses shared by every layer.

Offsets everywhere are ``[start, end)`` in Unicode code points of ``Article.text`` exactly as
read (decoded UTF-8, nothing stripped), so ``article.text[span.start:span.end]`` is always the
text a span claims.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    ``text`` is the body exactly as read; every offset refers to it. ``published`` is an ISO 8601
    string when known (a date, or a date and time with or without an offset: the precision the
    source had). ``path`` is the file it came from (None for in-memory articles). ``author`` is
    the byline when the input names one; ``teaser_only`` marks a feed entry that carried only
    its summary, not the full article.
    """

    id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    lang: str | None = None
    path: str | None = None
    author: str | None = None
    teaser_only: bool = False


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character range ``[start, end)`` in code points; invariant ``0 <= start <= end``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True, order=True)
class Passage:
    """Text shared by two articles: span ``a`` in the first, span ``b`` in the second.

    ``similarity`` in [0, 1] measures how close the two sides are (1 = identical after
    normalisation of case, quotes, dashes and whitespace).
    """

    a: Span
    b: Span
    similarity: float


@dataclass(frozen=True, slots=True)
class SameStory:
    """Same-story judgement for a pair: ``score`` in [0, 1] and a verdict.

    ``verdict`` is ``"same"``, ``"related"`` or ``"different"``; ``features`` are the named values
    the score was computed from, so users can see why.
    """

    score: float
    verdict: str
    features: dict[str, float]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything ``wiretrace compare`` reports about two articles.

    ``coverage_a`` is the share of ``a``'s characters (in [0, 1]) inside reused passages; likewise b.
    Passages are sorted by their start in ``a``.
    """

    a: Article
    b: Article
    same_story: SameStory
    coverage_a: float
    coverage_b: float
    passages: tuple[Passage, ...]
