"""Speed of one comparison: in-process alignment of a typical pair, and CLI cold start.

    python benchmarks/speed.py [--repeat N] [--cold-repeat N]

Times two pairs: the canonical pair in ../shared/examples when present (real agency copy,
~3-4k characters each; else the bundled fictional pair in examples/pair), whose same-story
verdict is clear from shared text and key terms, so no embedding model is loaded; and the
canonical regional article against examples/putin-syria-earlier.txt (same actors, another
meeting, no shared text), which the gate sends to the embeddings. For each: in-process medians of
prepare, align and the whole ``compare`` (the articles' profiles and embeddings recomputed every
time, as for articles never seen before), and the median wall time of
``python -m wiretrace compare A B --json`` in a new process. Exits 0.
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


EARLIER = ROOT / "examples" / "putin-syria-earlier.txt"


def example_pair() -> tuple[Path, Path]:
    """The pair to time: the shared canonical pair if present, else the bundled one."""
    if (SHARED_PAIR / "moskau-regional-dpa.txt").exists():
        return SHARED_PAIR / "moskau-regional-dpa.txt", SHARED_PAIR / "moskau-huffpost.txt"
    return BUNDLED_PAIR / "agency.txt", BUNDLED_PAIR / "rewrite.txt"


def clear_caches() -> None:
    """Forget every article's profile and embeddings (time articles never seen before)."""
    from wiretrace.stories.score import clear_caches as clear

    clear()


def time_in_process(a: str, b: str, repeat: int) -> dict[str, float]:
    """Median milliseconds of prepare (both texts), align, and full compare of one pair."""
    from wiretrace import Article, compare
    from wiretrace.reuse.align import align_prepared, prepare

    compare(Article("a", a), Article("b", b))  # warm imports (and the models the pair needs)
    prep, align, full = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        pa, pb = prepare(a), prepare(b)
        t1 = time.perf_counter()
        align_prepared(pa, pb)
        clear_caches()  # time the articles' profiles (and embeddings, if needed) too
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
    from wiretrace import Article, compare

    canonical_a, canonical_b = example_pair()
    for path_a, path_b in ((canonical_a, canonical_b), (canonical_a, EARLIER)):
        a = path_a.read_text(encoding="utf-8-sig")
        b = path_b.read_text(encoding="utf-8-sig")
        result = compare(Article("a", a), Article("b", b)).same_story
        embedded = "embeddings used" if "embedding_body" in result.features else "no embeddings"
        print(
            f"pair: {path_a.name} ({len(a)} chars) vs {path_b.name} ({len(b)} chars): "
            f"{result.verdict} {result.score:.2f}, {embedded}"
        )
        for name, value in time_in_process(a, b, args.repeat).items():
            print(f"{name:>12}: {value:7.2f} ms (median of {args.repeat})")
        cold = time_cold_start(path_a, path_b, args.cold_repeat)
        print(
            f"  cold start: {cold:7.3f} s  (median of {args.cold_repeat}, wiretrace compare --json)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
