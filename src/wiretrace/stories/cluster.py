"""Online story clustering: articles, in publication order, each join the best story or open one.

A story keeps the sum of its members' embeddings (its centroid direction) and the time of its
latest member. For each new article:

1. **candidates**: stories still *active* (latest member at most ``window_days`` before the
   article, first member at most ``max_span_days``; undated articles and stories are always
   active) whose centroid has cosine at least
   ``min_cosine`` with the article's embedding; the ``max_candidates`` best of them;
2. **join score** of a candidate: the best same-story pair score between the article and the
   candidate's ``members_checked`` members closest to it in embedding space (the caller's
   ``pair_score``, a calibrated same-story score, not a bare cosine);
3. the article joins the candidate with the best join score if it is at least
   ``join_threshold``; otherwise it opens a new story.

Articles once placed are never moved, so adding articles later extends stories without
re-clustering everything: :func:`assign` takes the stories built so far and returns only the
placements of the new articles. Pure apart from calling ``pair_score``; deterministic (ties by
story id, then article key).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from wiretrace.settings import StoriesSettings
from wiretrace.times import publication_key


@dataclass(frozen=True, slots=True)
class Item:
    """An article to place: its key, publication time (None if unknown) and unit embedding."""

    key: int
    time: datetime | None
    embedding: np.ndarray


@dataclass
class Story:
    """A story under construction: member keys, their embeddings (rows of a matrix that grows
    by doubling), first/last time."""

    story_id: int
    members: list[int] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    _matrix: np.ndarray | None = None

    @property
    def embeddings(self) -> np.ndarray:
        """Member embeddings, one row per member (a view)."""
        if self._matrix is None:
            return np.zeros((0, 0))
        return self._matrix[: len(self.members)]

    def add(self, item: Item) -> None:
        n = len(self.members)
        if self._matrix is None:
            self._matrix = np.zeros((4, len(item.embedding)), dtype=np.float32)
        elif n == len(self._matrix):
            self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
        self._matrix[n] = item.embedding
        self.members.append(item.key)
        if item.time is not None:
            self.first = item.time if self.first is None else min(self.first, item.time)
            self.last = item.time if self.last is None else max(self.last, item.time)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an article went: its story and the join score (1.0 for a story's first article)."""

    key: int
    story_id: int
    score: float
    new_story: bool


def publication_order(items: Sequence[Item]) -> list[Item]:
    """Dated articles by time, then undated ones; ties by key."""
    return sorted(items, key=lambda i: publication_key(i.time, i.key))


def _seconds(t: datetime | None) -> float:
    return np.nan if t is None else t.timestamp()


class _Index:
    """Stories as arrays (centroid sums, norms, first/last times) for vectorised lookups."""

    def __init__(self, stories: list[Story], dim: int) -> None:
        cap = max(16, 2 * len(stories))
        self.n = 0
        self.sums = np.zeros((cap, dim))
        self.first = np.full(cap, np.nan)
        self.last = np.full(cap, np.nan)
        for st in stories:
            self.append(st.embeddings.sum(axis=0), st)

    def append(self, vector: np.ndarray, st: Story) -> None:
        if self.n == len(self.sums):
            grow = len(self.sums)
            self.sums = np.vstack([self.sums, np.zeros_like(self.sums)])
            self.first = np.r_[self.first, np.full(grow, np.nan)]
            self.last = np.r_[self.last, np.full(grow, np.nan)]
        self.sums[self.n] = vector
        self.update_times(self.n, st)
        self.n += 1

    def update_times(self, k: int, st: Story) -> None:
        self.first[k], self.last[k] = _seconds(st.first), _seconds(st.last)

    def active(self, t: float, window: float, span: float) -> np.ndarray:
        first, last = self.first[: self.n], self.last[: self.n]
        if np.isnan(t):
            return np.arange(self.n)
        with np.errstate(invalid="ignore"):
            near = (np.abs(t - last) <= window) | ((first <= t) & (t <= last))
            keep = np.isnan(last) | (near & (t - first <= span))
        return np.flatnonzero(keep)


def assign(
    items: Sequence[Item],
    stories: list[Story],
    pair_score: Callable[[int, int], float],
    settings: StoriesSettings | None = None,
) -> list[Placement]:
    """Place ``items`` (in publication order) into ``stories`` (extended in place; new stories
    get ids after the largest existing one). ``pair_score(new_key, member_key)`` in [0, 1]."""
    s = settings or StoriesSettings()
    if not items:
        return []
    window = s.window_days * 86400.0
    next_id = max((st.story_id for st in stories), default=0) + 1
    index = _Index(stories, len(items[0].embedding))
    out: list[Placement] = []
    for item in publication_order(items):
        best: tuple[float, int] | None = None  # (score, index into stories)
        active = index.active(_seconds(item.time), window, s.max_span_days * 86400.0)
        if len(active):
            sums = index.sums[active]
            norms = np.linalg.norm(sums, axis=1)
            cos = sums @ item.embedding / np.where(norms > 0, norms, 1.0)
            ok = cos >= s.min_cosine
            # Best centroids first; ties by story id (stories are kept in id order).
            ranked = active[ok][np.lexsort((active[ok], -cos[ok]))][: s.max_candidates]
            for k in ranked.tolist():
                st = stories[k]
                member_cos = st.embeddings @ item.embedding
                closest = np.argsort(-member_cos, kind="stable")[: s.members_checked]
                score = max(pair_score(item.key, st.members[i]) for i in closest.tolist())
                if best is None or score > best[0]:
                    best = (score, k)
        if best is not None and best[0] >= s.join_threshold:
            k = best[1]
            stories[k].add(item)
            index.sums[k] += item.embedding
            index.update_times(k, stories[k])
            out.append(Placement(item.key, stories[k].story_id, round(best[0], 4), False))
        else:
            st = Story(next_id)
            next_id += 1
            st.add(item)
            stories.append(st)
            index.append(item.embedding.copy(), st)
            out.append(Placement(item.key, st.story_id, 1.0, True))
    return out
