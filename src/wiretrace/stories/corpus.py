"""Stories of a corpus: what the clustering needs per article and per pair (pure parts).

The corpus job (:mod:`wiretrace.pipeline`) profiles each new article once (lemmas, names, key
terms, the embedding of its title and lead; :func:`corpus_profiles`), keeps the embeddings in the
store, and places articles into stories with :func:`wiretrace.stories.cluster.assign`, whose
join decision is the same-story score of the pair (:class:`PairScorer`: the shipped model over
the pair's features, shared passages included). :func:`story_row` summarises a story for the
``stories`` table.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from wiretrace.model import Article
from wiretrace.stories.features import (
    ArticleProfile,
    key_terms,
    lead_of,
    pair_features,
    shared_text_features,
)
from wiretrace.stories.features import parse_time as features_time
from wiretrace.stories.model import Combiner
from wiretrace.text.stopwords import guess_language
from wiretrace.times import parse_time, publication_key

LEAD_CHARS = 200
"""Characters of title and lead embedded per article (the encoder's cost grows faster than
the text; a story's gist is in its first sentences)."""

CORPUS_FEATURES = ("reuse", "key_terms", "embedding_lead")
"""What the corpus model (``same_story_model.json``, entry ``corpus``) combines: cheap to
compute for every article of a large corpus, and across languages."""


def lead_text(article: Article) -> str:
    """Title and lead of an article, at most ``LEAD_CHARS`` characters."""
    text = " ".join(x for x in (article.title or "", lead_of(article.text)) if x)
    return text[:LEAD_CHARS]


def corpus_profiles(
    articles: Sequence[Article], vectors: np.ndarray | None = None
) -> tuple[list[ArticleProfile], np.ndarray]:
    """Profiles of ``articles`` for clustering, and their lead embeddings (unit float32 rows;
    computed in one batch unless ``vectors`` gives them, one row per article).

    Only what :data:`CORPUS_FEATURES` needs: key terms (title counted twice), the lead
    embedding, the publication time and the language; no lemmas (the dictionary lookups cost
    more than everything else together and the corpus model does not use them).
    """
    from wiretrace.stories.embeddings import embed

    if vectors is None:
        vectors = embed([lead_text(a) for a in articles])
    out = []
    for a, v in zip(articles, vectors, strict=True):
        title_terms = key_terms(a.title or "")
        out.append(
            ArticleProfile(
                lang=a.lang or guess_language(a.text[:2000]),
                title_lemmas=Counter(),
                body_lemmas=Counter(),
                key_terms=key_terms(a.text) + Counter({k: 2 * n for k, n in title_terms.items()}),
                entity_keys=Counter(),
                lead_vector=v,
                body_vector=None,
                published=features_time(a.published),
            )
        )
    return out, vectors


@cache
def corpus_combiner() -> Combiner:
    """The corpus model shipped with the package (``corpus_model.json``, written by
    ``benchmarks/story_clusters.py --write``)."""
    data = json.loads(Path(__file__).with_name("corpus_model.json").read_text(encoding="utf-8"))
    return Combiner(tuple(data["features"]), tuple(data["weights"]), float(data["intercept"]))


class PairScorer:
    """The same-story score of two articles from their corpus profiles and shared passages.

    ``passages[(a, b)]`` (``a < b``) holds passage rows ``(a0, a1, b0, b1, sim)``; ``chars``
    the article lengths; ``combiner`` the corpus model.
    """

    def __init__(
        self,
        profiles: dict[int, ArticleProfile],
        passages: dict[tuple[int, int], list[tuple]],
        chars: dict[int, int],
        combiner: Combiner | None,
    ) -> None:
        self.profiles = profiles
        self.passages = passages
        self.chars = chars
        self.combiner = combiner
        self._norms: dict[int, tuple[dict[str, float], float]] = {}

    def reuse(self, a: int, b: int) -> tuple[float, float]:
        x, y = min(a, b), max(a, b)
        rows = self.passages.get((x, y), [])
        return shared_text_features(
            sum(r[1] - r[0] for r in rows),
            sum(r[3] - r[2] for r in rows),
            self.chars.get(x, 1),
            self.chars.get(y, 1),
        )

    def features(self, a: int, b: int) -> dict[str, float]:
        """Every pair feature (as ``compare`` reports them)."""
        return pair_features(self.profiles[a], self.profiles[b], *self.reuse(a, b))

    def _terms(self, aid: int) -> tuple[dict[str, float], float]:
        found = self._norms.get(aid)
        if found is None:
            counts = {k: float(v) for k, v in self.profiles[aid].key_terms.items()}
            found = self._norms[aid] = (counts, math.sqrt(sum(v * v for v in counts.values())))
        return found

    def corpus_features(self, a: int, b: int) -> dict[str, float]:
        """Only :data:`CORPUS_FEATURES`, computed directly (what clustering asks millions of
        times); equal to the same entries of :meth:`features`."""
        (ta, na), (tb, nb) = self._terms(a), self._terms(b)
        if len(ta) > len(tb):
            ta, tb = tb, ta
        dot = sum(v * tb[k] for k, v in ta.items() if k in tb)
        va, vb = self.profiles[a].lead_vector, self.profiles[b].lead_vector
        emb = 0.0
        if va is not None and vb is not None:
            emb = min(1.0, max(0.0, float(va @ vb)))  # unit vectors (zero when empty)
        reuse, _ = self.reuse(a, b)
        return {
            "reuse": reuse,
            "key_terms": min(1.0, dot / (na * nb)) if na and nb else 0.0,
            "embedding_lead": emb,
        }

    def __call__(self, a: int, b: int) -> float:
        assert self.combiner is not None, "a scorer without a model gives features only"
        return self.combiner.score(self.corpus_features(a, b))


LABEL_CHARS = 120


def opening_words(text: str, limit: int = LABEL_CHARS) -> str:
    """The lead of ``text`` cut at a word boundary to at most ``limit`` characters, with an
    ellipsis when cut (a story label for articles without a title)."""
    lead = " ".join(lead_of(text).split())
    if len(lead) <= limit:
        return lead
    cut = lead[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def story_row(
    story_id: int,
    members: Iterable[dict],
    languages: dict[int, str | None],
    text_of: Callable[[int], str] | None = None,
) -> tuple[int, str, int, str | None, str | None, str, str]:
    """The ``stories`` row of a story from its members' article rows (``aid, id, title,
    outlet, published``): label = the title of its earliest member, else the opening words of
    its text (``text_of(aid)``), else its id."""

    rows = sorted(members, key=lambda r: publication_key(parse_time(r["published"]), r["id"]))
    first = rows[0]
    label = (first.get("title") or "").strip()
    if not label and text_of is not None:
        label = opening_words(text_of(first["aid"]))
    label = label or first["id"]
    dated = [r["published"] for r in rows if parse_time(r["published"]) is not None]
    outlets = sorted({r["outlet"] for r in rows if r["outlet"]})
    langs = sorted({lang for r in rows if (lang := languages.get(r["aid"]))})
    return (
        story_id,
        label[:200],
        len(rows),
        dated[0] if dated else None,
        dated[-1] if dated else None,
        json.dumps(outlets, ensure_ascii=False),
        json.dumps(langs),
    )
