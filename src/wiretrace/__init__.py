"""wiretrace: which news articles tell the same story, and which text they share.

The public API is deliberately small::

    >>> from wiretrace import Article, compare
    >>> a = Article(id="a", text="Die Präsidenten trafen sich am Donnerstag in Moskau zu Gesprächen.")
    >>> b = Article(id="b", text="Wie gemeldet: Die Präsidenten trafen sich am Donnerstag in Moskau.")
    >>> result = compare(a, b)
    >>> result.same_story.verdict in {"same", "related", "different"}
    True

Heavy modules are imported lazily so that ``wiretrace --help`` and single comparisons start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wiretrace.model import Article, Passage, Span

__version__ = "0.1.0"
__all__ = ["Article", "Passage", "Span", "align_pair", "compare", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.report.compare import compare
    from wiretrace.reuse.align import align_pair


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `import wiretrace` cheap (no numpy/rapidfuzz until needed).
    if name == "compare":
        from wiretrace.report.compare import compare

        return compare
    if name == "align_pair":
        from wiretrace.reuse.align import align_pair

        return align_pair
    raise AttributeError(f"module 'wiretrace' has no attribute {name!r}")
