"""Online story clustering on synthetic embeddings (the pair score is given by the test)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from wiretrace.settings import StoriesSettings
from wiretrace.stories.cluster import Item, Story, assign

T0 = datetime(2025, 3, 1, 8, 0)


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=float)
    return v / np.linalg.norm(v)


def _topic_score(topics: dict[int, str]):
    return lambda a, b: 0.9 if topics[a] == topics[b] else 0.1


def test_articles_join_the_story_of_their_topic_and_open_new_ones_otherwise() -> None:
    topics = {1: "flood", 2: "flood", 3: "election", 4: "flood", 5: "election"}
    items = [
        Item(1, T0, _unit(1, 0.1, 0)),
        Item(2, T0 + timedelta(hours=2), _unit(0.9, 0.2, 0)),
        Item(3, T0 + timedelta(hours=3), _unit(0, 1, 0.1)),
        Item(4, T0 + timedelta(days=1), _unit(1, 0, 0.1)),
        Item(5, None, _unit(0.1, 1, 0)),  # undated: still clustered
    ]
    stories: list[Story] = []
    placed = {p.key: p for p in assign(items, stories, _topic_score(topics))}
    assert placed[1].story_id == placed[2].story_id == placed[4].story_id
    assert placed[3].story_id == placed[5].story_id != placed[1].story_id
    assert [p.new_story for p in (placed[1], placed[2], placed[3])] == [True, False, True]
    assert len(stories) == 2


def test_a_story_ends_when_nothing_joins_it_within_the_window() -> None:
    topics = {1: "x", 2: "x", 3: "x"}
    e = _unit(1, 0, 0)
    items = [Item(1, T0, e), Item(2, T0 + timedelta(days=2), e), Item(3, T0 + timedelta(days=9), e)]
    placed = assign(items, [], _topic_score(topics), StoriesSettings(window_days=3))
    ids = [p.story_id for p in sorted(placed, key=lambda p: p.key)]
    assert ids[0] == ids[1] != ids[2]


def test_embedding_similarity_alone_does_not_join_without_the_pair_score() -> None:
    e = _unit(1, 0, 0)
    placed = assign([Item(1, T0, e), Item(2, T0, e)], [], lambda a, b: 0.2)
    assert placed[0].story_id != placed[1].story_id


def test_adding_articles_later_extends_stories_without_moving_placed_ones() -> None:
    topics = {1: "a", 2: "b", 3: "a", 4: "b"}
    first = [Item(1, T0, _unit(1, 0)), Item(2, T0, _unit(0, 1))]
    stories: list[Story] = []
    before = assign(first, stories, _topic_score(topics))
    later = [Item(3, T0 + timedelta(hours=5), _unit(1, 0.1)), Item(4, T0, _unit(0.1, 1))]
    after = assign(later, stories, _topic_score(topics))
    story_of = {p.key: p.story_id for p in before + after}
    assert story_of[3] == story_of[1] and story_of[4] == story_of[2]
    assert {p.key for p in after} == {3, 4}


def test_a_story_does_not_chain_past_its_maximum_span() -> None:
    # One article a day on the same topic for three weeks: stories of at most a week each.
    e = _unit(1, 0, 0)
    items = [Item(k, T0 + timedelta(days=k), e) for k in range(21)]
    topics = dict.fromkeys(range(21), "same politicians")
    placed = assign(items, [], _topic_score(topics), StoriesSettings(max_span_days=7))
    by_story: dict[int, list[int]] = {}
    for p in placed:
        by_story.setdefault(p.story_id, []).append(p.key)
    assert len(by_story) == 3
    assert all(max(keys) - min(keys) <= 7 for keys in by_story.values())
