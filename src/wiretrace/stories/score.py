"""Same-story score of two articles: named features combined by a small fitted model.

The features are described in :mod:`wiretrace.stories.features` (shared text, lemma overlap,
capitalised key terms, names, multilingual embeddings, publication time), the combiners in
:mod:`wiretrace.stories.model`. The verdict is ``same`` at or above
``SameStorySettings.same_threshold``, ``related`` at or above ``related_threshold``, else
``different``; both thresholds are calibrated on human ratings (see BENCHMARKS.md).

Only what the score needs is computed. Every pair is first scored from its cheap features
(shared text and key terms, :data:`~wiretrace.stories.features.CHEAP_FEATURES`) by the
``lexical`` combiner; when that score is far from both verdict thresholds (the shipped gate,
:class:`~wiretrace.stories.model.SameStoryModel`) and both articles are in the same language,
it is the score, and no embedding model is loaded. Only the pairs in between, and pairs in two
languages, are embedded and scored by the ``full`` combiner. The reported features are the ones
computed: ``embedding_body`` is present exactly when the score used it. Lemma features
(``lexical``, ``rare_overlap``) and ``embedding_lead`` are no input of either combiner and are
only computed with ``SameStorySettings.all_features``.

With ``SameStorySettings.embeddings = False`` no embedding model is loaded and the ``lexical``
combiner scores every pair (less accurate, no help across languages).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from wiretrace.model import Article, Passage, SameStory
from wiretrace.settings import SameStorySettings
from wiretrace.stories.features import (
    CHEAP_FEATURES,
    FEATURES,
    ArticleProfile,
    body_vectors,
    content_words,
    lead_vectors,
    pair_features,
    profile,
    reuse_features,
)
from wiretrace.stories.model import SameStoryModel, shipped_model

_WORD_EVIDENCE = ("reuse", "key_terms", "entities")
_EMBEDDING_FEATURES = ("embedding_lead", "embedding_body")


@lru_cache(maxsize=256)
def cached_profile(article: Article, embeddings: bool, lemmas: bool = True) -> ArticleProfile:
    """:func:`wiretrace.stories.features.profile`, remembered for the last 256 articles (batch
    comparisons name the same article in many pairs)."""
    return profile(article, embeddings, lemmas)


_BODY_CACHE_SIZE = 256
_body_cache: OrderedDict[Article, np.ndarray] = OrderedDict()
_body_lock = threading.Lock()


def cached_body_vectors(articles: Sequence[Article]) -> list[np.ndarray]:
    """The articles' body embeddings (``embedding_body``), the missing ones computed in one batch
    (a sentence both articles of a pair share is embedded once); the last 256 are remembered."""
    with _body_lock:
        known = {a: _body_cache[a] for a in articles if a in _body_cache}
    missing = list(dict.fromkeys(a for a in articles if a not in known))
    if missing:
        computed = dict(zip(missing, body_vectors(missing), strict=True))
        known.update(computed)
        with _body_lock:
            _body_cache.update(computed)
            while len(_body_cache) > _BODY_CACHE_SIZE:
                _body_cache.popitem(last=False)
    return [known[a] for a in articles]


def clear_caches() -> None:
    """Forget every remembered profile and embedding (e.g. to time articles never seen)."""
    cached_profile.cache_clear()
    cached_lead_vector.cache_clear()
    with _body_lock:
        _body_cache.clear()


@lru_cache(maxsize=256)
def cached_lead_vector(article: Article) -> np.ndarray:
    """The article's title-and-lead embedding (``embedding_lead``), remembered for the last 256."""
    return lead_vectors([article])[0]


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
    """Score in [0, 1], verdict and the computed feature values for two articles and their
    shared passages (as found by the aligner). Symmetric up to rounding."""
    settings = settings or SameStorySettings()
    # Profiles without embeddings: they are computed below only for pairs that need them.
    pa = cached_profile(a, False, settings.all_features)
    pb = cached_profile(b, False, settings.all_features)
    return same_story_of_profiles(a, b, pa, pb, passages, settings)


def _cosine(x: np.ndarray, y: np.ndarray) -> float:
    from wiretrace.stories.embeddings import cosine

    return cosine(x, y)


def same_story_of_profiles(
    a: Article,
    b: Article,
    pa: ArticleProfile,
    pb: ArticleProfile,
    passages: Sequence[Passage],
    settings: SameStorySettings | None = None,
    model: SameStoryModel | None = None,
) -> SameStory:
    """:func:`same_story` with the articles' profiles already computed (e.g. batched by
    :func:`wiretrace.stories.features.profiles`; with lemmas if ``settings.all_features``).

    Embeddings the profiles hold are used when the score needs them, computed (and remembered
    per article) when it needs them and they are missing. ``model`` defaults to the shipped one
    (cross-validation passes combiners fitted on other pairs).
    """
    settings = settings or SameStorySettings()
    model = model or shipped_model()
    reuse, coverage = reuse_features(passages, len(a.text), len(b.text))
    names = FEATURES if settings.all_features else CHEAP_FEATURES
    features = pair_features(
        pa, pb, reuse, coverage, only=[n for n in names if n not in _EMBEDDING_FEATURES]
    )
    score = model.lexical.score(features)
    embedded = False
    if not (a.text.strip() and b.text.strip()):
        score = 0.0  # nothing to compare: no evidence either way, so no claim of a story
    elif (
        not _known_different(a.lang, b.lang)
        and not any(features[k] for k in _WORD_EVIDENCE)
        and not content_words(a) & content_words(b)
    ):
        # Two texts that share not a single content word or name do not tell one story,
        # whatever the embeddings say (they rate any two texts of gibberish, lists or
        # boilerplate alike), unless the articles say they are in different languages (then
        # the embeddings are the evidence; a guessed language is not trusted for this).
        score = 0.0
    elif settings.embeddings and (
        pa.lang is None or pa.lang != pb.lang or model.needs_embeddings(score)
    ):
        # Unclear from shared text and key terms, or two (possibly) different languages, where
        # key terms say little: the embeddings decide.
        features["embedding_body"] = _body_cosine(a, b, pa, pb)
        score = model.full.score(features)
        embedded = True
    if settings.all_features and settings.embeddings:
        if not embedded:
            features["embedding_body"] = _body_cosine(a, b, pa, pb)
        la = pa.lead_vector if pa.lead_vector is not None else cached_lead_vector(a)
        lb = pb.lead_vector if pb.lead_vector is not None else cached_lead_vector(b)
        features["embedding_lead"] = _cosine(la, lb)
    return SameStory(
        round(score, 4),
        verdict_of(score, settings),
        {k: round(features[k], 4) for k in FEATURES if k in features},
    )


def _body_cosine(a: Article, b: Article, pa: ArticleProfile, pb: ArticleProfile) -> float:
    if pa.body_vector is not None and pb.body_vector is not None:
        return _cosine(pa.body_vector, pb.body_vector)
    va, vb = cached_body_vectors([a, b])
    return _cosine(
        pa.body_vector if pa.body_vector is not None else va,
        pb.body_vector if pb.body_vector is not None else vb,
    )
