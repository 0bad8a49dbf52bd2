"""Alignment of two long texts: time and peak memory grow with shared material, not length².

    python benchmarks/long_texts.py [--docs 400] [--shared 100]

Builds text a from PAN source documents [0, docs) and text b from [docs - shared, 2 * docs -
shared), so they share ``shared`` whole documents, then aligns them once. Needs
../shared/data/pan13-train (skips with a message otherwise).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "pan13-train" / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--shared", type=int, default=100)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} not found")
        return 0
    from wiretrace.reuse.align import align_pair

    files = sorted(CORPUS.iterdir())
    start_b = args.docs - args.shared

    def read(paths: list[Path]) -> str:
        return "".join(p.read_text(encoding="utf-8") for p in paths)

    a = read(files[: args.docs])
    b = read(files[start_b : start_b + args.docs])
    shared = len(read(files[start_b : args.docs]))
    t0 = time.perf_counter()
    passages = align_pair(a, b)
    seconds = time.perf_counter() - t0
    found = sum(len(p.b) for p in passages if p.b.end <= shared + 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"a {len(a):,} chars, b {len(b):,} chars, {shared:,} chars shared")
    print(f"aligned in {seconds:.2f} s, {len(passages)} passages, peak RSS {rss_mb:.0f} MB")
    print(f"shared stretch covered on b's side: {found / shared:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
