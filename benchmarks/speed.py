"""Speed of one comparison: in-process alignment of a typical pair, and CLI cold start.

    python benchmarks/speed.py [--repeat N]

Uses the canonical pair in ../shared/examples when present (real agency copy, ~3-4k characters
each), else the bundled fictional pair in examples/pair. Prints medians; exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_PAIR = ROOT.parent / "shared" / "examples"
BUNDLED_PAIR = ROOT / "examples" / "pair"


def example_pair() -> tuple[Path, Path]:
    """The pair to time: the shared canonical pair if present, else the bundled one."""
    if (SHARED_PAIR / "moskau-regional-dpa.txt").exists():
        return SHARED_PAIR / "moskau-regional-dpa.txt", SHARED_PAIR / "moskau-huffpost.txt"
    return BUNDLED_PAIR / "agency.txt", BUNDLED_PAIR / "rewrite.txt"


def time_in_process(a: str, b: str, repeat: int) -> dict[str, float]:
    """Median milliseconds of prepare (both texts), align, and full compare of one pair."""
    from wiretrace import Article, compare
    from wiretrace.reuse.align import align_prepared, prepare
    from wiretrace.stories.score import cached_profile

    compare(Article("a", a), Article("b", b))  # warm caches and imports
    prep, align, full = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        pa, pb = prepare(a), prepare(b)
        t1 = time.perf_counter()
        align_prepared(pa, pb)
        cached_profile.cache_clear()  # time the articles' profiles (embeddings) too
        t2 = time.perf_counter()
        compare(Article("a", a), Article("b", b))
        t3 = time.perf_counter()
        prep.append(t1 - t0)
        align.append(t2 - t1)
        full.append(t3 - t2)
    ms = 1000.0
    return {
        "prepare_ms": statistics.median(prep) * ms,
        "align_ms": statistics.median(align) * ms,
        "compare_ms": statistics.median(full) * ms,
    }


def time_cold_start(path_a: Path, path_b: Path, repeat: int) -> float:
    """Median wall seconds of `wiretrace compare A B --json` in a new process."""
    cmd = [sys.executable, "-m", "wiretrace", "compare", str(path_a), str(path_b), "--json"]
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="in-process repetitions")
    parser.add_argument("--cold-repeat", type=int, default=7, help="CLI cold-start repetitions")
    args = parser.parse_args()
    path_a, path_b = example_pair()
    a = path_a.read_text(encoding="utf-8-sig")
    b = path_b.read_text(encoding="utf-8-sig")
    print(f"pair: {path_a.name} ({len(a)} chars) vs {path_b.name} ({len(b)} chars)")
    for name, value in time_in_process(a, b, args.repeat).items():
        print(f"{name:>12}: {value:7.2f} ms (median of {args.repeat})")
    cold = time_cold_start(path_a, path_b, args.cold_repeat)
    print(f"  cold start: {cold:7.3f} s  (median of {args.cold_repeat}, wiretrace compare --json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
