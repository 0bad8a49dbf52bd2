"""Corpus mode on PAN 2013: recall that `analyze` keeps without being told the pairs.

    python benchmarks/pan13_corpus.py [--jobs 2] [--corpus ../shared/data/pan13-train]

Every source and suspicious document of the corpus goes into one store (no outlets, no
dates); `analyze` finds candidate pairs itself. The passages it stored for the official pairs
are then scored with PlagDet per subset and compared with pairwise mode (the aligner run on
exactly the listed pairs). Also reports the longest passage found on any pair of the
no-plagiarism subset, and each one over 200 characters with the labels two readers gave it
(``benchmarks/labels/pan13-passages.jsonl``: the subset's pairs were not built from each
other, but some share text of a common third source). Skips when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "pan13-train"
LABELS = Path(__file__).resolve().parent / "labels" / "pan13-passages.jsonl"
LONG = 200  # characters: the bar for passages on no-plagiarism pairs


def _labels_of(susp: str, src: str, susp_span: tuple[int, int]) -> list[str] | None:
    """The readers' labels of a labelled passage on this pair overlapping ``susp_span``."""
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        (s0, s1), (a0, a1) = rec["susp_span"], susp_span
        if rec["susp"] == susp and rec["src"] == src and s0 < a1 and a0 < s1:
            return rec["labels"]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} not found")
        return 0
    from wiretrace.eval.pan import read_pairs, read_text, read_truth, run_plagdet
    from wiretrace.eval.plagdet import Case, score
    from wiretrace.model import Article, Span
    from wiretrace.pipeline import analyze
    from wiretrace.settings import Settings

    docs = [
        Article(id=f"{folder}/{p.name}", text=read_text(p))
        for folder in ("src", "susp")
        for p in sorted((args.corpus / folder).glob("*.txt"))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "pan.db")
        t0 = time.perf_counter()
        # Reuse only: story clustering is not what this measures.
        no_stories = Settings().with_overrides({"stories": {"enabled": False}})
        summary = analyze(docs, db, settings=no_stories, jobs=args.jobs)
        seconds = time.perf_counter() - t0
        conn = sqlite3.connect(db)
        key = {id_: aid for aid, id_ in conn.execute("SELECT aid, id FROM articles")}
        stored = {
            (a, b): json.loads(p) for a, b, p in conn.execute("SELECT a, b, passages FROM pairs")
        }
        conn.close()
    print(
        f"corpus mode: {len(docs):,} documents analysed in {seconds:.1f} s; "
        f"{summary.candidates:,} candidate pairs, {summary.pairs_with_passages:,} with passages"
    )
    pairs = read_pairs(args.corpus)
    by_subset: dict[str, tuple[list, list]] = {}
    longest_negative = 0
    long_negatives: list[tuple[int, str, str, tuple[int, int]]] = []
    for pair in pairs:
        cases = read_truth(pair.truth, pair.susp, pair.src)
        s, r = key[f"susp/{pair.susp}"], key[f"src/{pair.src}"]
        rows = stored.get((min(s, r), max(s, r)), [])
        dets = []
        for a0, a1, b0, b1, _ in rows:
            susp, src = (Span(a0, a1), Span(b0, b1)) if s < r else (Span(b0, b1), Span(a0, a1))
            dets.append(Case(pair.key, susp, src))
            if pair.subset.startswith("01"):
                longest_negative = max(longest_negative, len(susp), len(src))
                if max(len(susp), len(src)) > LONG:
                    span = (susp.start, susp.end)
                    long_negatives.append((max(len(susp), len(src)), pair.susp, pair.src, span))
        subset_cases, subset_dets = by_subset.setdefault(pair.subset, ([], []))
        subset_cases.extend(cases)
        subset_dets.extend(dets)
    pairwise = run_plagdet(args.corpus, jobs=args.jobs)
    print(f"{'subset':28} {'corpus R':>9} {'pairwise R':>10} {'ratio':>6} {'corpus PlagDet':>15}")
    all_cases, all_dets = [], []
    for name, (cases, dets) in by_subset.items():
        all_cases += cases
        all_dets += dets
        corpus_score = score(cases, dets)
        pw = pairwise.subsets[name]
        ratio = corpus_score.recall / pw.recall if pw.recall else float("nan")
        print(
            f"{name:28} {corpus_score.recall:9.4f} {pw.recall:10.4f} {ratio:6.3f} "
            f"{corpus_score.plagdet:15.4f}"
        )
    overall = score(all_cases, all_dets)
    ratio = overall.recall / pairwise.overall.recall
    print(
        f"{'overall':28} {overall.recall:9.4f} {pairwise.overall.recall:10.4f} {ratio:6.3f} "
        f"{overall.plagdet:15.4f}"
    )
    print(f"longest passage on a no-plagiarism pair: {longest_negative} characters")
    for length, susp_name, src_name, span in sorted(long_negatives, reverse=True):
        labels = _labels_of(susp_name, src_name, span)
        said = " and ".join(labels) if labels else "not labelled"
        print(f"   {length} characters, {susp_name} - {src_name}: readers said {said}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
