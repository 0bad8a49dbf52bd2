"""wiretrace.stories.score: the same-story score, its verdict and the features behind it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from wiretrace import Article, compare
from wiretrace.model import Passage, Span
from wiretrace.settings import SameStorySettings
from wiretrace.stories.features import FEATURES
from wiretrace.stories.score import same_story

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AGENCY = (EXAMPLES / "pair" / "agency.txt").read_text(encoding="utf-8")
REWRITE = (EXAMPLES / "pair" / "rewrite.txt").read_text(encoding="utf-8")
UNRELATED = (EXAMPLES / "unrelated-de.txt").read_text(encoding="utf-8")
# Documented in the README's output format; more may be added, these keep their names. These
# are always reported; the costly ones only when the score uses them or all are asked for.
DOCUMENTED_FEATURES = {"reuse", "coverage", "key_terms", "entities", "time"}
ALL_FEATURES = SameStorySettings(all_features=True)


def check_features(features: dict[str, float]) -> None:
    assert set(features) >= DOCUMENTED_FEATURES
    for name, value in features.items():
        assert isinstance(value, float) and 0.0 <= value <= 1.0, (name, value)


def test_identical_texts_are_the_same_story_with_score_one() -> None:
    result = compare(Article("a", AGENCY), Article("b", AGENCY))
    assert result.same_story.verdict == "same"
    assert result.same_story.score == pytest.approx(1.0, abs=1e-3)
    check_features(result.same_story.features)
    assert result.same_story.features["reuse"] == pytest.approx(1.0, abs=1e-3)
    assert result.same_story.features["key_terms"] == pytest.approx(1.0, abs=1e-3)
    everything = same_story(Article("a", AGENCY), Article("b", AGENCY), [], ALL_FEATURES)
    assert everything.features["lexical"] == pytest.approx(1.0, abs=1e-3)


def test_a_rewrite_of_the_same_wire_is_the_same_story() -> None:
    result = compare(Article("a", AGENCY), Article("b", REWRITE))
    assert result.same_story.verdict == "same" and result.same_story.score >= 0.9
    check_features(result.same_story.features)


def test_unrelated_articles_are_different() -> None:
    result = compare(Article("a", AGENCY), Article("b", UNRELATED))
    assert result.passages == ()
    assert result.same_story.verdict == "different" and result.same_story.score < 0.2
    check_features(result.same_story.features)
    assert result.same_story.features["reuse"] == 0.0
    assert result.same_story.features["coverage"] == 0.0


@pytest.mark.parametrize(("text_a", "text_b"), [("", ""), ("Hallo.", AGENCY), ("   \n", "x")])
def test_empty_or_tiny_texts_give_a_valid_low_score(text_a: str, text_b: str) -> None:
    result = compare(Article("a", text_a), Article("b", text_b))
    assert 0.0 <= result.same_story.score <= 1.0
    assert result.same_story.verdict == "different"
    check_features(result.same_story.features)


def test_shared_text_raises_the_score_as_documented() -> None:
    """``reuse = 1 - exp(-shared / 300)``, shared = characters of the shorter side in passages;
    more shared text, everything else equal, gives a higher score."""
    a, b = Article("a", AGENCY), Article("b", UNRELATED)
    nothing = same_story(a, b, [])
    one = same_story(a, b, [Passage(Span(0, 300), Span(0, 330), 1.0)])
    assert one.features["reuse"] == pytest.approx(1 - math.exp(-1), abs=1e-3)
    assert one.features["coverage"] == pytest.approx(
        max(300 / len(AGENCY), 330 / len(UNRELATED)), abs=1e-3
    )
    assert nothing.features["reuse"] == 0.0
    assert nothing.score < one.score
    more = same_story(a, b, [Passage(Span(0, 900), Span(0, 900), 1.0)])
    assert more.score > one.score


def test_verdict_follows_the_thresholds() -> None:
    a, b = Article("a", AGENCY), Article("b", REWRITE)
    score = same_story(a, b, []).score

    def verdict(**thresholds: float) -> str:
        return same_story(a, b, [], SameStorySettings(**thresholds)).verdict

    assert verdict(same_threshold=score - 0.01, related_threshold=0.0) == "same"
    assert verdict(same_threshold=score + 0.01, related_threshold=score - 0.01) == "related"
    assert verdict(same_threshold=0.99, related_threshold=score + 0.01) == "different"


def test_titles_count_as_evidence() -> None:
    """Lexical evidence includes the titles: matching titles raise the lexical feature."""
    a = "Der Stadtrat tagte am Abend und beriet lange über den Haushalt."
    b = "Am Dienstag kamen die Mitglieder zusammen, Streit gab es kaum."
    title = "Brackenfelder Stadtrat beschließt Haushalt"
    without = same_story(Article("a", a), Article("b", b), [], ALL_FEATURES)
    with_titles = same_story(
        Article("a", a, title=title), Article("b", b, title=title), [], ALL_FEATURES
    )
    assert with_titles.features["lexical"] > without.features["lexical"]
    assert with_titles.score >= without.score


def test_score_is_symmetric() -> None:
    ab = compare(Article("a", AGENCY), Article("b", REWRITE)).same_story
    ba = compare(Article("b", REWRITE), Article("a", AGENCY)).same_story
    assert ab.verdict == ba.verdict
    assert ab.score == pytest.approx(ba.score, abs=0.02)


def test_unused_costly_features_are_only_computed_when_asked_for() -> None:
    """By default a pair decided by shared text and key terms reports neither lemma nor
    embedding features (nothing loaded them); ``all_features`` reports every feature, the
    score unchanged."""
    a, b = Article("a", AGENCY), Article("b", REWRITE)
    default = same_story(a, b, [])
    assert not {"lexical", "rare_overlap", "embedding_lead"} & set(default.features)
    everything = same_story(a, b, [], ALL_FEATURES)
    assert set(everything.features) == set(FEATURES)
    check_features(everything.features)
    assert everything.score == default.score and everything.verdict == default.verdict
