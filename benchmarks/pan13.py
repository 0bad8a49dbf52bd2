"""PAN 2013 text-alignment benchmark: align every pair of the training corpus, print PlagDet.

    python benchmarks/pan13.py [--corpus ../shared/data/pan13-train] [--jobs N] [--out DIR]
                               [--subset NAME ...] [--limit N] [--json FILE]

Prints recall, precision, granularity and plagdet per subset and overall (all pairs pooled),
then wall seconds and pairs per second. Exits 0 (also when the corpus is absent: it says so and
skips), 2 on a malformed corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wiretrace.errors import InputError
from wiretrace.eval.pan import PlagdetReport, run_plagdet
from wiretrace.eval.plagdet import PlagdetScore

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "pan13-train"
_HEADER = (
    f"{'subset':<28} {'cases':>6} {'dets':>6} {'recall':>7} {'prec':>7} {'gran':>6} {'plagdet':>8}"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description="PAN 2013 text-alignment benchmark (PlagDet).")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="PAN corpus directory")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: all CPUs)")
    ap.add_argument("--out", type=Path, default=None, help="write PAN detection XML here")
    ap.add_argument("--subset", action="append", default=None, help="only this subset (repeat)")
    ap.add_argument("--limit", type=int, default=None, help="first N pairs of each subset")
    ap.add_argument("--json", type=Path, default=None, help="dump the numbers to this JSON file")
    return ap.parse_args(argv)


def format_row(name: str, s: PlagdetScore) -> str:
    """One table row: counts, then recall/precision/plagdet as fractions and granularity."""
    return (
        f"{name:<28} {s.cases:>6} {s.detections:>6} {s.recall:>7.4f} {s.precision:>7.4f}"
        f" {s.granularity:>6.3f} {s.plagdet:>8.4f}"
    )


def format_report(report: PlagdetReport) -> str:
    """The result table plus a timing line."""
    rows = [_HEADER, "-" * len(_HEADER)]
    rows += [format_row(name, s) for name, s in report.subsets.items()]
    rows += ["-" * len(_HEADER), format_row("overall (pooled)", report.overall)]
    rows.append(
        f"\n{report.pairs} pairs in {report.seconds:.1f} s wall with {report.jobs} jobs"
        f" ({report.pairs_per_second:.1f} pairs/s)"
    )
    return "\n".join(rows)


def _progress(done: int, total: int) -> None:
    """A one-line progress counter on stderr."""
    print(f"\raligned {done}/{total} pairs", end="" if done < total else "\n", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit code (0 ok or skipped, 2 bad corpus)."""
    args = parse_args(argv)
    if not args.corpus.is_dir():
        print(f"skipped: PAN 2013 corpus not found at {args.corpus} (use --corpus DIR)")
        return 0
    try:
        report = run_plagdet(
            args.corpus,
            out_dir=args.out,
            jobs=args.jobs,
            progress=_progress if sys.stderr.isatty() else None,
            subsets=args.subset,
            limit=args.limit,
        )
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(format_report(report))
    if args.json is not None:
        data = {"corpus": str(args.corpus), **report.to_dict()}
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
