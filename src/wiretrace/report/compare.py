"""Compare two articles: shared passages, coverage and same-story verdict, plus its JSON form.

This is the library function behind ``wiretrace compare``; the CLI only renders its result.
"""

from __future__ import annotations

from typing import Any

from wiretrace.model import Article, Comparison
from wiretrace.report.spans import covered_chars
from wiretrace.reuse.align import align_prepared
from wiretrace.reuse.prepared import PreparedText, prepare
from wiretrace.settings import Settings
from wiretrace.stories.score import same_story


def compare_prepared(
    a: Article,
    b: Article,
    pa: PreparedText,
    pb: PreparedText,
    settings: Settings,
) -> Comparison:
    """Compare two articles whose bodies are already prepared (for batch reuse of ``prepare``)."""
    passages = align_prepared(pa, pb, settings.align)
    verdict = same_story(a, b, passages, settings.same_story)
    cov_a = covered_chars((p.a.start, p.a.end) for p in passages) / max(len(a.text), 1)
    cov_b = covered_chars((p.b.start, p.b.end) for p in passages) / max(len(b.text), 1)
    return Comparison(a, b, verdict, round(cov_a, 4), round(cov_b, 4), tuple(passages))


def compare(a: Article, b: Article, settings: Settings | None = None) -> Comparison:
    """Shared passages, coverage and same-story judgement of two articles."""
    settings = settings or Settings()
    pa = prepare(a.text, settings.align)
    pb = prepare(b.text, settings.align)
    return compare_prepared(a, b, pa, pb, settings)


def _side(article: Article) -> dict[str, Any]:
    return {"id": article.id, "path": article.path, "chars": len(article.text)}


def comparison_to_dict(
    c: Comparison, features: bool = True, agencies: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The documented ``compare --json`` schema (fields may be added, never renamed).

    ``a_text == a.text[a_start:a_end]`` for every passage; offsets are code points. Each side
    carries its ``credits`` and ``image_credits`` (sorted canonical agency names, see
    :mod:`wiretrace.text.credits`; ``agencies`` names agencies beyond the major ones);
    ``relation`` says who took the text from whom (:mod:`wiretrace.report.provenance`).
    """
    same: dict[str, Any] = {"score": c.same_story.score, "verdict": c.same_story.verdict}
    if features:
        same["features"] = dict(c.same_story.features)
    from wiretrace.report.provenance import relation_of

    relation, credits_a, credits_b = relation_of(c.a, c.b, agencies)
    sides = {}
    for name, article, found in (("a", c.a, credits_a), ("b", c.b, credits_b)):
        sides[name] = {
            **_side(article),
            "credits": list(found.text),
            "image_credits": list(found.image),
        }
    return {
        "a": sides["a"],
        "b": sides["b"],
        "relation": relation.to_dict(),
        "same_story": same,
        "coverage": {"a": c.coverage_a, "b": c.coverage_b},
        "passages": [
            {
                "a_start": p.a.start,
                "a_end": p.a.end,
                "b_start": p.b.start,
                "b_end": p.b.end,
                "similarity": p.similarity,
                "a_text": c.a.text[p.a.start : p.a.end],
                "b_text": c.b.text[p.b.start : p.b.end],
            }
            for p in c.passages
        ],
    }
