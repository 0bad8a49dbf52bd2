"""Precision of reported passages on German news: labelled passages of ../shared/data/news-de.

    python benchmarks/news_precision.py [--corpus ../shared/data/news-de/articles.jsonl]

PAN 2013 measures plagiarism with synthetic obfuscation; news reuse is agency copy and its
rewrites. This benchmark asks, on real news, how many of the passages the aligner reports are
reused text at all, rather than two wordings of the same facts.

The labels (``benchmarks/labels/news-de-passages.jsonl``, article ids and offsets only, no text)
are passages that ``wiretrace analyze`` reported on news-de, sampled at random within strata
of passage similarity: samples 1 and 2 (320 passages) from a store built at commit f820862
(with ``min_shared_bigrams`` but before ``min_phrasing``), sample 3 (120 passages, held out
from every threshold choice) from a store built at commit 58df06e (with the first phrasing
rule, before names and numbers stopped counting as phrasing). Two readers labelled each sample independently, blind to
the scores, each passage as ``reuse`` (shared wording, possibly edited), ``quote_only``,
``same_facts`` (the same facts in each outlet's own words) or ``unrelated``; see the labels'
README for who the readers were and how they agreed. A passage counts as reuse when both readers
said ``reuse`` and as not reuse when neither did; the few they split on are left out.

For each labelled passage the pair is aligned again with the current code and default
settings; the passage is *still reported* when a reported passage overlaps it on both sides.
Printed per stratum: reuse passages still reported, non-reuse passages still reported. Then a
precision estimate over all passages of the store, weighting each stratum by its size there
(the labels' README lists the sizes). The stratum of similarity >= 0.9 was not labelled and
is counted as reuse, so the estimate is an upper bound for it. Sample 3 is reported on its
own: per stratum, and the precision of its two strata in its store (every sampled passage was
reported there) against what the current code still reports. Skips when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "benchmarks" / "labels" / "news-de-passages.jsonl"
CORPUS = ROOT.parent / "shared" / "data" / "news-de" / "articles.jsonl"
# Passages per similarity stratum in the store the samples were drawn from (18,344 in all).
STRATUM_SIZES = {"0.0-0.3": 3477, "0.3-0.5": 4498, "0.5-0.7": 3024, "0.7-0.9": 2815}
UNLABELLED_REUSE = 4530  # passages with similarity >= 0.9, counted as reuse
# Sample 3's store (commit 58df06e): passages per stratum it was drawn from.
HELD_OUT_SAMPLE = 3
HELD_OUT_STRATUM_SIZES = {"0.0-0.3": 1660, "0.3-0.5": 4498}


def _overlaps(span: tuple[int, int], other: tuple[int, int]) -> bool:
    return span[0] < other[1] and other[0] < span[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"skipped: {args.corpus} not found")
        return 0
    from wiretrace.io.readers import read_jsonl_articles
    from wiretrace.reuse.align import align_prepared, prepare

    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    wanted = {x for rec in labels for x in (rec["a"], rec["b"])}
    texts = {a.id: a.text for a in read_jsonl_articles(args.corpus) if a.id in wanted}
    counts: dict[str, Counter[tuple[str, bool]]] = {s: Counter() for s in STRATUM_SIZES}
    by_sample: Counter[tuple[int, str, str, bool]] = Counter()
    split = 0
    for rec in labels:
        first, second = (label == "reuse" for label in rec["labels"])
        if first != second:
            split += 1
            continue
        passages = align_prepared(prepare(texts[rec["a"]]), prepare(texts[rec["b"]]))
        reported = any(
            _overlaps((p.a.start, p.a.end), tuple(rec["a_span"]))
            and _overlaps((p.b.start, p.b.end), tuple(rec["b_span"]))
            for p in passages
        )
        kind = "reuse" if first else "not reuse"
        if rec["sample"] != HELD_OUT_SAMPLE:
            counts[rec["stratum"]][kind, reported] += 1
        by_sample[rec["sample"], rec["stratum"], kind, reported] += 1
    print(f"{len(labels)} labelled passages, {split} left out (the readers split on them)")
    print("samples 1 and 2:")
    print(f"{'similarity':>10} {'reuse still reported':>21} {'not reuse still reported':>25}")
    weighted = Counter({("reuse", True): UNLABELLED_REUSE, ("reuse", "all"): UNLABELLED_REUSE})
    for stratum, c in counts.items():
        pos, neg = (
            c["reuse", True] + c["reuse", False],
            c["not reuse", True] + c["not reuse", False],
        )
        print(
            f"{stratum:>10} {c['reuse', True]:>14} of {pos:<4} {c['not reuse', True]:>18} of {neg:<4}"
        )
        weight = STRATUM_SIZES[stratum] / (pos + neg)
        for kind in ("reuse", "not reuse"):
            weighted[kind, True] += weight * c[kind, True]
            weighted[kind, "all"] += weight * (c[kind, True] + c[kind, False])
    for sample in sorted({k[0] for k in by_sample} - {HELD_OUT_SAMPLE}):
        for stratum in ("0.0-0.3",):
            line = [f"sample {sample}, similarity {stratum}:"]
            for kind in ("reuse", "not reuse"):
                still = by_sample[sample, stratum, kind, True]
                line.append(f"{kind} {still} of {still + by_sample[sample, stratum, kind, False]}")
            print(" ".join(line), "still reported")
    kept = weighted["reuse", True] + weighted["not reuse", True]
    print(
        f"estimated precision of reported passages: {weighted['reuse', True] / kept:.3f} "
        f"(all sampled passages: {weighted['reuse', 'all'] / (weighted['reuse', 'all'] + weighted['not reuse', 'all']):.3f}); "
        f"reuse passages kept {weighted['reuse', True] / weighted['reuse', 'all']:.3f}, "
        f"non-reuse passages dropped {1 - weighted['not reuse', True] / weighted['not reuse', 'all']:.3f}"
    )
    _print_held_out(by_sample)
    return 0


def _print_held_out(by_sample: Counter[tuple[int, str, str, bool]]) -> None:
    """Sample 3: still reported per stratum, and its strata's precision before and now."""
    print(f"sample {HELD_OUT_SAMPLE} (held out; all reported by the code it was drawn from):")
    before = Counter[str]()
    now = Counter[str]()
    for stratum, size in HELD_OUT_STRATUM_SIZES.items():
        c = {
            (kind, rep): by_sample[HELD_OUT_SAMPLE, stratum, kind, rep]
            for kind in ("reuse", "not reuse")
            for rep in (True, False)
        }
        pos, neg = (
            c["reuse", True] + c["reuse", False],
            c["not reuse", True] + c["not reuse", False],
        )
        if pos + neg == 0:
            continue
        print(
            f"{stratum:>10} {c['reuse', True]:>14} of {pos:<4} {c['not reuse', True]:>18} of {neg:<4}"
        )
        weight = size / (pos + neg)
        before["reuse"] += weight * pos
        before["all"] += weight * (pos + neg)
        now["reuse"] += weight * c["reuse", True]
        now["all"] += weight * (c["reuse", True] + c["not reuse", True])
    if before["all"] and now["all"]:
        print(
            f"precision of these strata: {before['reuse'] / before['all']:.3f} when sampled,"
            f" {now['reuse'] / now['all']:.3f} now; reuse passages kept"
            f" {now['reuse'] / before['reuse']:.3f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
