"""Agency credits on news-de against labels of two blind readers: precision and recall.

    python benchmarks/credits.py                       # evaluate (the default: eval)
    python benchmarks/credits.py sample [--n 210 --holdout 60 --seed 16]
    python benchmarks/credits.py locate READER_FILE --reader A|B
    python benchmarks/credits.py show ID               # one article, for a reader

The labels (``benchmarks/labels/news-de-credits.jsonl``: article ids, agencies, kinds and
character offsets, no text) were made by two readers working independently by
``benchmarks/labels/CREDITS-GUIDELINE.md`` on a seeded random sample of news-de articles
(``benchmarks/labels/credits-sample.txt``, its ``dev`` part and a ``holdout`` part that was not
looked at while the rules were written). The unit is one (article, agency, kind) with kind
``text`` or ``image``. ``eval`` prints, per part and for text and image credits, the readers'
agreement (Cohen's kappa over every agency either reader or wiretrace named in an article,
and the share of units both gave) and wiretrace's precision and recall against each reader and
against their consensus (units both readers agree on; a unit only one gave is left out).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "news-de" / "articles.jsonl"
SAMPLE = ROOT / "benchmarks" / "labels" / "credits-sample.txt"
LABELS = ROOT / "benchmarks" / "labels" / "news-de-credits.jsonl"


def _texts(ids: set[str] | None = None) -> dict[str, str]:
    out = {}
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if ids is None or r["id"] in ids:
                out[r["id"]] = r["text"]
    return out


def _sample_parts() -> dict[str, str]:
    parts = {}
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            part, article_id = line.split("\t")
            parts[article_id] = part
    return parts


def cmd_sample(args: argparse.Namespace) -> None:
    ids = list(_texts())
    rng = random.Random(args.seed)
    picked = rng.sample(ids, args.n)
    lines = [f"# news-de articles for credit labels: seed {args.seed}, {args.n} drawn at random"]
    lines += [f"{'holdout' if i < args.holdout else 'dev'}\t{a}" for i, a in enumerate(picked)]
    SAMPLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {SAMPLE} ({args.n} ids, {args.holdout} held out)")


def cmd_show(args: argparse.Namespace) -> None:
    print(_texts({args.id})[args.id])


def cmd_locate(args: argparse.Namespace) -> None:
    """A reader's file (quotes) -> labels (offsets) appended to LABELS, replacing the reader's."""
    raw = [json.loads(line) for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    parts = _sample_parts()
    texts = _texts(set(parts))
    out, problems = [], 0
    for record in raw:
        text = texts.get(record["id"])
        if text is None:
            print(f"not in the sample: {record['id']}", file=sys.stderr)
            problems += 1
            continue
        credits = []
        for c in record.get("credits", []):
            start, n = -1, 0
            while n < max(1, int(c.get("occurrence", 1))):
                start = text.find(c["quote"], start + 1)
                if start < 0:
                    break
                n += 1
            if start < 0:
                print(f"{record['id']}: quote not found: {c['quote'][:40]!r}", file=sys.stderr)
                problems += 1
                continue
            credits.append(
                {"agency": c["agency"], "kind": c["kind"], "span": [start, start + len(c["quote"])]}
            )
        out.append({"id": record["id"], "reader": args.reader, "credits": credits})
    kept = []
    if LABELS.exists():
        kept = [
            line for line in LABELS.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line)["reader"] != args.reader
        ]
    lines = kept + [json.dumps(r, ensure_ascii=False) for r in out]
    LABELS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(out)} articles of reader {args.reader} located, {problems} problems")


def _kappa(pairs: list[tuple[bool, bool]]) -> float:
    n = len(pairs)
    if n == 0:
        return float("nan")
    agree = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n
    pb = sum(b for _, b in pairs) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (agree - expected) / (1 - expected) if expected < 1 else 1.0


def _pr(found: set, truth: set) -> tuple[float, float, int, int, int]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    return precision, recall, tp, len(found), len(truth)


def cmd_eval(args: argparse.Namespace) -> None:
    if not CORPUS.exists() or not LABELS.exists():
        print(f"skipped: needs {CORPUS} and {LABELS}")
        return
    sys.path.insert(0, str(ROOT / "src"))
    from wiretrace.text.credits import find_credits

    parts = _sample_parts()
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_reader: dict[str, dict[str, set]] = {}
    for r in labels:
        by_reader.setdefault(r["reader"], {})[r["id"]] = {
            (r["id"], c["agency"], c["kind"]) for c in r["credits"]
        }
    readers = sorted(by_reader)
    texts = _texts(set(parts))
    for part in ("dev", "holdout", "all"):
        ids = [a for a, p in parts.items() if part in ("all", p)]
        ids = [a for a in ids if all(a in by_reader[r] for r in readers)]
        if not ids:
            continue
        mine = set()
        for a in ids:
            found = find_credits(texts[a])
            mine |= {(a, agency, c.kind) for c in found.found for agency in [c.agency]}
        print(f"== {part}: {len(ids)} articles labelled by readers {', '.join(readers)}")
        for kind in ("text", "image"):
            sets = {r: {u for a in ids for u in by_reader[r][a] if u[2] == kind} for r in readers}
            found = {u for u in mine if u[2] == kind}
            universe = set().union(*sets.values()) | found
            if len(readers) == 2:
                ra, rb = sets[readers[0]], sets[readers[1]]
                kappa = _kappa([(u in ra, u in rb) for u in universe])
                both = len(ra & rb) / len(ra | rb) if ra | rb else 1.0
                print(f"  {kind} credits: readers gave {len(ra)} and {len(rb)}, {len(ra & rb)} the same"
                      f" ({both:.0%} of the union); kappa {kappa:.3f}")
                consensus = ra & rb
                disputed = ra ^ rb
                p, r, tp, nf, nt = _pr({u for u in found if u not in disputed}, consensus)
                print(f"    vs consensus: precision {p:.3f} recall {r:.3f} ({tp} of {nf} found, {nt} true)")
            for reader in readers:
                p, r, tp, nf, nt = _pr(found, sets[reader])
                print(f"    vs reader {reader}: precision {p:.3f} recall {r:.3f} ({tp} of {nf} found, {nt} true)")
        if args.verbose:
            consensus_all = set.intersection(*[{u for a in ids for u in by_reader[r][a]} for r in readers])
            for u in sorted((mine - consensus_all) | (consensus_all - mine)):
                print("   ", "extra" if u in mine else "missed", u)
    print(Counter(p for p in parts.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    s = sub.add_parser("sample")
    s.add_argument("--n", type=int, default=210)
    s.add_argument("--holdout", type=int, default=60)
    s.add_argument("--seed", type=int, default=16)
    s.set_defaults(run=cmd_sample)
    sh = sub.add_parser("show")
    sh.add_argument("id")
    sh.set_defaults(run=cmd_show)
    loc = sub.add_parser("locate")
    loc.add_argument("file")
    loc.add_argument("--reader", required=True)
    loc.set_defaults(run=cmd_locate)
    ev = sub.add_parser("eval")
    ev.add_argument("--verbose", action="store_true")
    ev.set_defaults(run=cmd_eval)
    args = parser.parse_args()
    if args.command is None:
        args = parser.parse_args(["eval"])
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} not found")
        return
    args.run(args)


if __name__ == "__main__":
    main()
