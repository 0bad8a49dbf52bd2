"""Same-story score of two articles: named features combined by a small fitted model.

The features are described in :mod:`wiretrace.stories.features` (shared text, lemma overlap,
capitalised key terms, names, multilingual embeddings, publication time), the combiner in
:mod:`wiretrace.stories.model`. The verdict is ``same`` at or above
``SameStorySettings.same_threshold``, ``related`` at or above ``related_threshold``, else
``different``; both thresholds are calibrated on human ratings (see BENCHMARKS.md).

With ``SameStorySettings.embeddings = False`` no embedding model is loaded and a combiner fitted
without the embedding features is used (faster start, somewhat less accurate, no help across
languages).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from wiretrace.model import Article, Passage, SameStory
from wiretrace.settings import SameStorySettings
from wiretrace.stories.features import ArticleProfile, pair_features, profile, reuse_features
from wiretrace.stories.model import shipped

_WORD_EVIDENCE = ("reuse", "lexical", "key_terms", "entities")


@lru_cache(maxsize=256)
def cached_profile(article: Article, embeddings: bool) -> ArticleProfile:
    """:func:`wiretrace.stories.features.profile`, remembered for the last 256 articles (batch
    comparisons name the same article in many pairs)."""
    return profile(article, embeddings)


def _known_different(x: str | None, y: str | None) -> bool:
    return x is not None and y is not None and x != y


def verdict_of(score: float, settings: SameStorySettings) -> str:
    """``same``, ``related`` or ``different`` for a score, by the settings' thresholds."""
    if score >= settings.same_threshold:
        return "same"
    if score >= settings.related_threshold:
        return "related"
    return "different"


def same_story(
    a: Article,
    b: Article,
    passages: Sequence[Passage],
    settings: SameStorySettings | None = None,
) -> SameStory:
    """Score in [0, 1], verdict and every feature value for two articles and their shared
    passages (as found by the aligner). Symmetric up to rounding."""
    settings = settings or SameStorySettings()
    pa = cached_profile(a, settings.embeddings)
    pb = cached_profile(b, settings.embeddings)
    return same_story_of_profiles(a, b, pa, pb, passages, settings)


def same_story_of_profiles(
    a: Article,
    b: Article,
    pa: ArticleProfile,
    pb: ArticleProfile,
    passages: Sequence[Passage],
    settings: SameStorySettings | None = None,
) -> SameStory:
    """:func:`same_story` with the articles' profiles already computed (e.g. batched by
    :func:`wiretrace.stories.features.profiles`, with embeddings iff ``settings.embeddings``)."""
    settings = settings or SameStorySettings()
    reuse, coverage = reuse_features(passages, len(a.text), len(b.text))
    features = pair_features(pa, pb, reuse, coverage)
    combiner = shipped("full" if settings.embeddings else "lexical")
    score = combiner.score(features)
    if not (a.text.strip() and b.text.strip()):
        score = 0.0  # nothing to compare: no evidence either way, so no claim of a story
    elif not _known_different(a.lang, b.lang) and not any(features[k] for k in _WORD_EVIDENCE):
        # Two texts that share not a single content word or name do not tell one story,
        # whatever the embeddings say (they rate any two texts of gibberish, lists or
        # boilerplate alike), unless the articles say they are in different languages (then
        # the embeddings are the evidence; a guessed language is not trusted for this).
        score = 0.0
    return SameStory(
        round(score, 4),
        verdict_of(score, settings),
        {k: round(v, 4) for k, v in features.items()},
    )
