"""Same-story score against human ratings: ../shared/data/semeval22-de (120 German pairs).

    python benchmarks/same_story.py

Prints Pearson's r between the score and ``4 - overall`` (1 = same story ... 4 = unrelated) for
de-de and de-en pairs, and the verdicts per rating band. Skips if the data is absent.
"""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "semeval22-de"
BANDS = [("b1 <=1.5", 0.0, 1.5), ("b2", 1.5, 2.5), ("b3", 2.5, 3.5), ("b4 >3.5", 3.5, 5.0)]


def main() -> int:
    if not (DATA / "pairs.csv").exists():
        print(f"skipped: {DATA} not found")
        return 0
    from wiretrace import Article, compare

    articles = {}
    with open(DATA / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            articles[o["id"]] = Article(o["id"], o["text"] or "", title=o.get("title"))
    with open(DATA / "pairs.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    results: dict[str, list[tuple[float, float, str]]] = {}
    for r in rows:
        c = compare(articles[r["id1"]], articles[r["id2"]])
        kind = f"{r['lang1']}-{r['lang2']}"
        results.setdefault(kind, []).append(
            (c.same_story.score, float(r["overall"]), c.same_story.verdict)
        )
    for kind, res in sorted(results.items()):
        scores = [s for s, _, _ in res]
        target = [4.0 - o for _, o, _ in res]
        r = statistics.correlation(scores, target)
        print(f"{kind}: {len(res)} pairs, Pearson r(score, 4 - overall) = {r:.3f}")
        for name, lo, hi in BANDS:
            verdicts = [v for _, o, v in res if lo < o <= hi]
            counts = {v: verdicts.count(v) for v in ("same", "related", "different")}
            print(f"   {name:9} {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
