"""Story clustering against human ratings: ../shared/data/semeval22-de (219 articles, 120 pairs).

    python benchmarks/story_clusters.py            # evaluate
    python benchmarks/story_clusters.py --write    # also refit the corpus model and write it
                                                   # (src/wiretrace/stories/corpus_model.json)

1. The corpus model (the pair score `analyze` clusters with: shared text, key terms and the
   title-and-lead embedding; see wiretrace.stories.corpus): Pearson's r between its score and
   ``4 - overall``, 5-fold cross-validated (folds as in benchmarks/same_story.py), de-de and
   de-en.
2. Clustering of all 219 articles with wiretrace.stories.cluster (publication order, the shipped
   corpus model as join decision, the default ClusterSettings): must-link recall (pairs rated
   <= 1.5 end in one story; bar 0.85) and cannot-link accuracy (pairs rated >= 3.5 end in
   different stories; bar 0.97), also for a few join thresholds around the default.

Single process, well under a minute. Skips if the data is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from same_story import DATA, FOLDS, L2, folds_of, load  # noqa: E402


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="refit and write the corpus model")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    if not (args.data / "pairs.csv").exists():
        print(f"skipped: {args.data} not found")
        return 0
    from wiretrace.reuse.align import align_pair
    from wiretrace.settings import Settings
    from wiretrace.stories import corpus as story_corpus
    from wiretrace.stories.cluster import Item, assign
    from wiretrace.stories.model import fit, to_dict

    articles, rows = load(args.data)
    ids = sorted(articles)
    key = {aid: k for k, aid in enumerate(ids)}
    profs, vectors = story_corpus.corpus_profiles([articles[i] for i in ids])
    profiles = dict(enumerate(profs))
    chars = {k: len(articles[i].text) for k, i in enumerate(ids)}
    passages: dict[tuple[int, int], list[tuple]] = {}

    def passages_of(a: int, b: int) -> None:
        x, y = min(a, b), max(a, b)
        if (x, y) not in passages:
            found = align_pair(articles[ids[x]].text, articles[ids[y]].text)
            passages[(x, y)] = [
                (p.a.start, p.a.end, p.b.start, p.b.end, p.similarity) for p in found
            ]

    names = story_corpus.CORPUS_FEATURES
    for r in rows:
        passages_of(key[r["id1"]], key[r["id2"]])
    probe = story_corpus.PairScorer(profiles, passages, chars, None)  # features only
    matrix = np.array(
        [[probe.features(key[r["id1"]], key[r["id2"]])[f] for f in names] for r in rows]
    )
    overall = np.array([float(r["overall"]) for r in rows])
    targets = (4.0 - overall) / 3.0
    kinds = [f"{r['lang1']}-{r['lang2']}" for r in rows]
    fold = folds_of(kinds, targets)
    cv = np.zeros(len(rows))
    for k in range(FOLDS):
        train = fold != k
        cv[~train] = fit(matrix[train], targets[train], names, l2=L2).scores(matrix[~train])
    print(f"corpus model {names}, 5-fold cross-validated Pearson vs 4 - overall:")
    for kind in ("de-de", "de-en"):
        sel = np.array([k == kind for k in kinds])
        single = ", ".join(
            f"{f} {pearson(matrix[sel, j], 4 - overall[sel]):.3f}" for j, f in enumerate(names)
        )
        print(
            f"  {kind} ({sel.sum()} pairs): cv {pearson(cv[sel], 4 - overall[sel]):.3f}"
            f"   single features: {single}"
        )
    model = fit(matrix, targets, names, l2=L2)
    if args.write:
        path = Path(story_corpus.__file__).with_name("corpus_model.json")
        path.write_text(
            json.dumps(to_dict(model, L2, "semeval22-de (120 pairs)"), indent=2) + "\n",
            encoding="utf-8",
        )
        print(f"wrote {path}")
    shipped = story_corpus.corpus_combiner()
    scorer = story_corpus.PairScorer(profiles, passages, chars, shipped)

    def score(a: int, b: int) -> float:
        passages_of(a, b)
        return scorer(a, b)

    items = [
        Item(k, profs[k].published.replace(tzinfo=None) if profs[k].published else None, vectors[k])
        for k in range(len(ids))
    ]
    must = [(key[r["id1"]], key[r["id2"]]) for r, o in zip(rows, overall, strict=True) if o <= 1.5]
    cannot = [
        (key[r["id1"]], key[r["id2"]]) for r, o in zip(rows, overall, strict=True) if o >= 3.5
    ]
    default = Settings().stories
    print(
        f"\nclustering all {len(ids)} articles (must-link pairs {len(must)}, cannot-link"
        f" {len(cannot)})"
    )
    # Honest figure: for each fold, cluster everything with a model fitted on the other folds
    # and count only that fold's rated pairs.
    hits_must, hits_cannot = [], []
    for k in range(FOLDS):
        train = fold != k
        held = story_corpus.PairScorer(
            profiles, passages, chars, fit(matrix[train], targets[train], names, l2=L2)
        )

        def held_score(a: int, b: int, held=held) -> float:
            passages_of(a, b)
            return held(a, b)

        placed = {p.key: p.story_id for p in assign(items, [], held_score, default)}
        for r, o, f in zip(rows, overall, fold, strict=True):
            if f != k:
                continue
            same = placed[key[r["id1"]]] == placed[key[r["id2"]]]
            if o <= 1.5:
                hits_must.append(same)
            elif o >= 3.5:
                hits_cannot.append(not same)
    print(
        f"  cross-validated (default settings): must-link recall {np.mean(hits_must):.3f},"
        f" cannot-link accuracy {np.mean(hits_cannot):.3f}"
    )
    print("  shipped model (fitted on all rated pairs: training figures):")
    for t in sorted({default.join_threshold, 0.3, 0.4, 0.45, 0.5, 0.6}):
        cs = replace(default, join_threshold=t)
        placed = {p.key: p.story_id for p in assign(items, [], score, cs)}
        recall = np.mean([placed[a] == placed[b] for a, b in must])
        accuracy = np.mean([placed[a] != placed[b] for a, b in cannot])
        mark = "  <- default" if t == default.join_threshold else ""
        print(
            f"    join >= {t:.2f}: stories {len(set(placed.values()))}, must-link recall"
            f" {recall:.3f}, cannot-link accuracy {accuracy:.3f}{mark}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
