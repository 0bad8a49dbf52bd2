"""Same-story score on all 596 rated German pairs, cross-validated with folds grouped by article.

    python benchmarks/same_story_grouped.py

Issue 15's measure of a score that generalises: ``../shared/data/semeval22-de`` (120 pairs) and
``semeval22-de-train`` (476 pairs) together, five folds in which no article is on both sides
(pairs sharing an article, directly or through other pairs, stay in one fold: connected
components of the pair graph, dealt to folds largest first). The combiners of the shipped model
(``full``: reuse, key terms, body embedding; ``lexical``: reuse, key terms) are fitted on four
folds and score the fifth. Printed per pair type (de-de, de-en): Pearson r against
``4 - overall`` for each combiner cross-validated this way, and for the shipped model as it is
(fitted on the 120 pairs of semeval22-de: in-sample there, out of sample on the 476 others).
Uses the functions of ``benchmarks/same_story.py``. Skips if the data is absent.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import same_story as base  # noqa: E402

DATA = base.ROOT.parent / "shared" / "data"
FOLDS = 5


def grouped_folds(rows: list[dict], folds: int = FOLDS) -> np.ndarray:
    """Fold of each pair: connected components of the article graph, largest first, each to the
    fold with the fewest pairs so far (ties: the lowest fold)."""
    from wiretrace.reuse.components import UnionFind

    uf = UnionFind()
    for r in rows:
        uf.union(r["id1"], r["id2"])
    members: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        members.setdefault(uf.find(r["id1"]), []).append(i)
    sizes = [0] * folds
    fold = np.zeros(len(rows), dtype=int)
    for group in sorted(members.values(), key=lambda g: (-len(g), g[0])):
        k = min(range(folds), key=lambda j: (sizes[j], j))
        fold[group] = k
        sizes[k] += len(group)
    return fold


def main() -> int:
    folders = [DATA / "semeval22-de", DATA / "semeval22-de-train"]
    if not all((f / "pairs.csv").exists() for f in folders):
        print("skipped: the SemEval folders are not in ../shared/data")
        return 0
    from wiretrace.stories.model import shipped

    articles, rows, source = {}, [], []
    for folder in folders:
        a, r = base.load(folder)
        articles.update(a)
        rows += r
        source += [folder.name] * len(r)
    table, _profs, _shared = base.pair_feature_table(articles, rows)
    kinds = [f"{r['lang1']}-{r['lang2']}" for r in rows]
    target = (4.0 - np.array([float(r["overall"]) for r in rows])) / 3.0
    fold = grouped_folds(rows)
    ids = {
        k: {x for r, f in zip(rows, fold, strict=True) if f == k for x in (r["id1"], r["id2"])}
        for k in range(FOLDS)
    }
    shared_articles = sum(len(ids[i] & ids[j]) for i in range(FOLDS) for j in range(i + 1, FOLDS))
    print(f"{len(rows)} pairs, {len(articles)} articles; fold sizes {np.bincount(fold).tolist()};"
          f" articles in two folds: {shared_articles}")

    def pearson(values: np.ndarray, mask: np.ndarray | None = None) -> str:
        out = []
        for kind in sorted(set(kinds)):
            m = np.array([k == kind for k in kinds]) & (mask if mask is not None else True)
            if m.sum() > 2:
                r = statistics.correlation(list(values[m]), list(target[m]))
                out.append(f"{kind} {r:6.3f} ({int(m.sum())})")
        return "   ".join(out)

    for name, names in base.MODELS.items():
        matrix = np.array([[f[n] for n in names] for f in table])
        scores = base.cross_validated(matrix, target, fold, names)
        print(f"cv grouped {name:8} {pearson(scores)}")
        as_shipped = shipped(name).scores(matrix)
        for folder in ("semeval22-de", "semeval22-de-train"):
            mask = np.array([s == folder for s in source])
            what = "in sample" if folder == "semeval22-de" else "out of sample"
            print(f"   shipped {name} on {folder} ({what}): {pearson(as_shipped, mask)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
