"""Document-level near-duplicates on news-de: wiretrace's exact join vs datasketch MinHashLSH.

    pip install datasketch && python benchmarks/near_duplicates.py

Both sides get the same input: every article's set of 5-word shingles (hashes of normalised
tokens, wiretrace's tokenizer). datasketch: MinHash with 128 permutations, MinHashLSH with
threshold 0.5, every article inserted, then queried. wiretrace: `similar_pairs` (exact prefix-
filtered Jaccard join, threshold 0.5). Reports wall time of each end to end (tokenising and
shingling counted once for each), and checks that wiretrace finds every pair datasketch
reports whose exact Jaccard is >= 0.5. Skips without the corpus or without datasketch.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-de" / "articles.jsonl"
THRESHOLD = 0.5


def main() -> int:
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} not found")
        return 0
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("skipped: datasketch is not installed (pip install datasketch)")
        return 0
    import numpy as np

    from wiretrace.reuse.near_duplicates import shingle_hashes, similar_pairs
    from wiretrace.text.tokens import tokenize

    texts = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8")]

    def shingle_sets() -> list[np.ndarray]:
        return [shingle_hashes(tokenize(text).ids, 5) for text in texts]

    t0 = time.perf_counter()
    sets = shingle_sets()
    t_shingles = time.perf_counter() - t0
    pairs, jaccard = similar_pairs(sets, THRESHOLD)
    t_ours = time.perf_counter() - t0
    ours = {tuple(p) for p in pairs.tolist()}

    t1 = time.perf_counter()
    sets2 = shingle_sets()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=128)
    hashes = []
    for i, s in enumerate(sets2):
        m = MinHash(num_perm=128)
        m.update_batch([int(x).to_bytes(8, "little") for x in s.tolist()])
        hashes.append(m)
        lsh.insert(i, m)
    found = set()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j != i:
                found.add((min(i, j), max(i, j)))
    t_theirs = time.perf_counter() - t1

    def exact(i: int, j: int) -> float:
        inter = len(np.intersect1d(sets[i], sets[j], assume_unique=True))
        union = len(sets[i]) + len(sets[j]) - inter
        return inter / union if union else 0.0

    theirs_true = {p for p in found if exact(*p) >= THRESHOLD}
    missing = theirs_true - ours
    print(f"articles {len(texts):,}; shingling {t_shingles:.1f} s (in both timings)")
    print(f"wiretrace exact join: {len(ours):,} pairs with Jaccard >= {THRESHOLD}, {t_ours:.1f} s")
    print(
        f"datasketch MinHashLSH: {len(found):,} pairs reported, {len(theirs_true):,} of them with "
        f"Jaccard >= {THRESHOLD}, {t_theirs:.1f} s"
    )
    print(f"pairs datasketch finds (Jaccard >= {THRESHOLD}) that wiretrace misses: {len(missing)}")
    print(f"pairs wiretrace finds that datasketch misses: {len(ours - found):,}")
    return 0 if not missing else 1


if __name__ == "__main__":
    raise SystemExit(main())
