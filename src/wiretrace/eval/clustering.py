"""Agreement of two clusterings of the same items: pairwise F1, BCubed F1, adjusted Rand index.

A clustering is a dict ``item -> cluster label`` (labels of any hashable type; only equality
matters). ``predicted`` is scored against ``truth``; both must cover the same items (a
ValueError names the difference otherwise). All functions are pure and need no third-party
package.

- **Pairwise** precision/recall/F1 (Manning et al., *Introduction to IR*, 16.3): over all
  unordered item pairs, a pair is a true positive if both clusterings put it together.
  Precision = TP / pairs together in ``predicted``, recall = TP / pairs together in ``truth``.
  With no pair together on a side its measure is 1 (nothing claimed, nothing missed).
- **BCubed** (Bagga and Baldwin, 1998; Amigó et al., 2009): per item, precision is the share
  of its predicted cluster that shares its true cluster, recall the share of its true cluster
  that shares its predicted cluster; both averaged over items, F1 their harmonic mean.
- **Adjusted Rand index** (Hubert and Arabie, 1985): the Rand index corrected for chance,
  1 for identical clusterings, about 0 for random ones, negative when worse than chance.

Example::

    >>> truth = {"a": 1, "b": 1, "c": 2, "d": 2}
    >>> pairwise_scores(truth, {"a": "x", "b": "x", "c": "x", "d": "y"})
    (0.3333333333333333, 0.5, 0.4)
    >>> adjusted_rand_index(truth, truth)
    1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping


def _check(truth: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> None:
    if truth.keys() != predicted.keys():
        only_t = sorted(map(str, truth.keys() - predicted.keys()))[:3]
        only_p = sorted(map(str, predicted.keys() - truth.keys()))[:3]
        raise ValueError(
            f"the clusterings cover different items (only in truth: {only_t}, "
            f"only in predicted: {only_p})"
        )


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def _contingency(
    truth: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]
) -> tuple[Counter, Counter, Counter]:
    """Counts of items per (true, predicted) label pair, per true label, per predicted label."""
    joint = Counter((truth[i], predicted[i]) for i in truth)
    return joint, Counter(truth.values()), Counter(predicted.values())


def pairwise_scores(
    truth: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]
) -> tuple[float, float, float]:
    """Pairwise (precision, recall, F1) of ``predicted`` against ``truth``."""
    _check(truth, predicted)
    joint, by_truth, by_predicted = _contingency(truth, predicted)
    together_both = sum(_pairs(n) for n in joint.values())
    together_predicted = sum(_pairs(n) for n in by_predicted.values())
    together_truth = sum(_pairs(n) for n in by_truth.values())
    precision = together_both / together_predicted if together_predicted else 1.0
    recall = together_both / together_truth if together_truth else 1.0
    return precision, recall, _f1(precision, recall)


def bcubed_scores(
    truth: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]
) -> tuple[float, float, float]:
    """BCubed (precision, recall, F1) of ``predicted`` against ``truth``, averaged over items."""
    _check(truth, predicted)
    if not truth:
        return 1.0, 1.0, 1.0
    joint, by_truth, by_predicted = _contingency(truth, predicted)
    # Every item of one (true, predicted) cell has the same per-item precision and recall.
    precision = sum(n * n / by_predicted[p] for (_, p), n in joint.items()) / len(truth)
    recall = sum(n * n / by_truth[t] for (t, _), n in joint.items()) / len(truth)
    return precision, recall, _f1(precision, recall)


def adjusted_rand_index(
    truth: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]
) -> float:
    """Adjusted Rand index of two clusterings (symmetric); 1.0 when both are identical, also in
    the degenerate cases where chance agreement is already perfect (e.g. all singletons)."""
    _check(truth, predicted)
    joint, by_truth, by_predicted = _contingency(truth, predicted)
    index = sum(_pairs(n) for n in joint.values())
    sum_truth = sum(_pairs(n) for n in by_truth.values())
    sum_predicted = sum(_pairs(n) for n in by_predicted.values())
    total = _pairs(len(truth))
    if total == 0:
        return 1.0
    expected = sum_truth * sum_predicted / total
    maximum = (sum_truth + sum_predicted) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
