"""The same-story combiner: a small logistic model over named pair features.

``p = 1 / (1 + exp(-(intercept + sum(weight[f] * feature[f]))))``, then rescaled linearly so
that a pair with every feature 0 (nothing in common) scores 0 and one with every feature 1
(identical articles) scores 1: ``score = (p - p_min) / (p_max - p_min)``, clipped to [0, 1]. The
rescaling is monotone and linear in ``p``, so it changes no ranking and no correlation. It is fitted
(:func:`fit`) with soft targets ``(4 - overall) / 3`` from human ratings on a 1 (same story) to 4
(unrelated) scale, so a score reads as "expected similarity on that scale, mapped to [0, 1]":
0.5 is a rating of 2.5. L2 regularisation keeps weights small on small training sets.

The weights ship with the package in ``same_story_model.json`` (written by
``benchmarks/same_story.py --write``): one model with embeddings (``full``) and one without
(``lexical``: shared text and key terms only, so neither lemmas nor embeddings are needed), each
``{"features": [...], "weights": [...], "intercept": float, "l2": float, "trained_on": str}``,
and the ``gate``: ``{"below": float, "above": float}``. A pair whose ``lexical`` score is at or
below ``below`` or at or above ``above`` is scored by ``lexical`` alone; only the pairs in between
(and pairs in two languages) pay for embeddings (see :class:`SameStoryModel`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).with_name("same_story_model.json")


@dataclass(frozen=True, slots=True)
class Combiner:
    """A fitted logistic model: named features, their weights and the intercept."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float

    def _range(self) -> tuple[float, float]:
        low = self.intercept + sum(min(w, 0.0) for w in self.weights)
        high = self.intercept + sum(max(w, 0.0) for w in self.weights)
        return _sigmoid(low), _sigmoid(high)

    def score(self, values: Mapping[str, float]) -> float:
        """The score in [0, 1] of one pair's feature values (missing features count as 0)."""
        pairs = zip(self.features, self.weights, strict=True)
        z = self.intercept + sum(w * values.get(f, 0.0) for f, w in pairs)
        low, high = self._range()
        return min(1.0, max(0.0, (_sigmoid(z) - low) / (high - low)))

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """Scores of many pairs; ``matrix`` has one column per feature, in :attr:`features` order."""
        z = np.asarray(matrix, dtype=np.float64) @ np.asarray(self.weights) + self.intercept
        low, high = self._range()
        return np.clip((1.0 / (1.0 + np.exp(-z)) - low) / (high - low), 0.0, 1.0)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def fit(
    matrix: np.ndarray,
    targets: np.ndarray,
    features: Sequence[str],
    l2: float = 1.0,
    iterations: int = 50,
) -> Combiner:
    """Fit a :class:`Combiner` by L2-regularised logistic regression with soft targets.

    ``matrix`` (n, len(features)) holds feature values, ``targets`` (n,) values in [0, 1]
    (``(4 - overall) / 3`` for ratings 1-4). Newton's method on the cross-entropy; the intercept
    is not penalised. Deterministic.
    """
    x = np.asarray(matrix, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    penalty = np.diag(np.r_[np.full(d, l2), 0.0])
    w = np.zeros(d + 1)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        gradient = xb.T @ (p - y) + penalty @ w
        hessian = (xb.T * (p * (1.0 - p))) @ xb + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-10:
            break
    return Combiner(tuple(features), tuple(float(v) for v in w[:-1]), float(w[-1]))


def to_dict(c: Combiner, l2: float, trained_on: str) -> dict[str, object]:
    """The JSON form of a combiner (see the module docstring)."""
    return {
        "features": list(c.features),
        "weights": [round(w, 6) for w in c.weights],
        "intercept": round(c.intercept, 6),
        "l2": l2,
        "trained_on": trained_on,
    }


@cache
def shipped(kind: str = "full") -> Combiner:
    """The combiner shipped with the package: ``"full"`` or ``"lexical"`` (no embeddings)."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))[kind]
    return Combiner(tuple(data["features"]), tuple(data["weights"]), float(data["intercept"]))


@dataclass(frozen=True, slots=True)
class SameStoryModel:
    """The two combiners of the same-story score and the gate between them.

    ``lexical`` scores every pair first (features that cost microseconds); when that score is
    at or below ``gate_below`` or at or above ``gate_above`` the pair's verdict is clear without
    embeddings and it is the score. Otherwise ``full`` scores the pair, embeddings included. The
    gate was chosen so that on the calibration ratings no verdict differs from the ``full``
    model's (see BENCHMARKS.md).
    """

    full: Combiner
    lexical: Combiner
    gate_below: float
    gate_above: float

    def needs_embeddings(self, lexical_score: float) -> bool:
        """Whether a pair with this ``lexical`` score is in the band only embeddings decide."""
        return self.gate_below < lexical_score < self.gate_above


@cache
def shipped_model() -> SameStoryModel:
    """Both shipped combiners and the shipped gate (see :class:`SameStoryModel`)."""
    gate = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["gate"]
    return SameStoryModel(
        shipped("full"), shipped("lexical"), float(gate["below"]), float(gate["above"])
    )
