"""`wiretrace analyze` on the German news corpus: full run, incremental run, scaling.

    python benchmarks/analyze_news.py [--jobs 2] [--replicate 1] [--hold-out 100] [--no-stories]
                                      [--upgrade]

1. Full run: all articles of ../shared/data/news-de/articles.jsonl except the last
   ``--hold-out`` ones (in file order) into a fresh store; wall time per stage (the
   ``stories`` stage is story clustering; ``--no-stories`` measures reuse detection alone).
2. Incremental run: the held-out articles added to that store; wall time.
Each run happens in a new process, as each `wiretrace analyze` command does (wall time of
``analyze`` there, without the interpreter's start).
With ``--upgrade`` a last run adds nothing to a store whose rule records were removed, as on
the first run of a wiretrace whose fingerprint and alignment rules changed: every article is
fingerprinted again and every pair aligned again.
With ``--replicate K`` the corpus is repeated K times, each copy with new ids and light random
edits (a few words dropped or swapped per article), to measure scaling. Peak RSS is that of this
process and its worker processes. Skips when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-de" / "articles.jsonl"


def _edited(text: str, rng: random.Random) -> str:
    """A light random edit: drop two words and swap two neighbouring words."""
    words = text.split(" ")
    for _ in range(2):
        if len(words) > 10:
            del words[rng.randrange(len(words))]
    if len(words) > 10:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def corpus(replicate: int) -> list:
    from wiretrace.model import Article

    base = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    out = []
    rng = random.Random(20210101)
    for copy in range(replicate):
        for o in base:
            text = o["text"] if copy == 0 else _edited(o["text"], rng)
            out.append(
                Article(
                    id=o["id"] if copy == 0 else f"{o['id']}#{copy}",
                    text=text,
                    # Copies get outlets of their own: a corpus four times as large, not every
                    # outlet printing each of its articles four times (which is boilerplate).
                    outlet=o.get("outlet") if copy == 0 else f"{o.get('outlet')}#{copy}",
                    published=o.get("published"),
                    url=o.get("url"),
                )
            )
    return out


def _rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--replicate", type=int, default=1)
    parser.add_argument("--hold-out", type=int, default=100)
    parser.add_argument("--db", help="store path (default: a temporary file)")
    parser.add_argument(
        "--upgrade", action="store_true", help="time a run that redoes fingerprints and pairs"
    )
    parser.add_argument(
        "--no-stories", action="store_true", help="reuse only: skip story clustering"
    )
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} not found")
        return 0
    from wiretrace.settings import Settings

    articles = corpus(args.replicate)
    head, tail = (
        articles[: len(articles) - args.hold_out],
        articles[len(articles) - args.hold_out :],
    )
    chars = sum(len(a.text) for a in head)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "news.db")
        settings = Settings()
        if args.no_stories:
            settings = settings.with_overrides({"stories": {"enabled": False}})
        # Each run in a new process, as each `wiretrace analyze` command is: this one holds
        # the corpus, and a run after another in one process would inherit its heap.
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:  # it starts workers itself
            wall, full = pool.submit(_timed_analyze, head, db, settings, args.jobs).result()
        print(f"full run: {len(head):,} articles, {chars / 1e6:.1f} M chars, {wall:.1f} s wall")
        print("   stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in full.seconds.items()))
        print(
            f"   candidates {full.candidates:,}, pairs with passages {full.pairs_with_passages:,},"
            f" groups {full.groups:,}"
        )
        print(
            f"   near-duplicate pairs {full.near_duplicates:,}, articles collapsed"
            f" {full.collapsed:,}, mapped pairs {full.mapped_pairs:,}"
        )
        if tail:
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                wall, inc = pool.submit(_timed_analyze, tail, db, settings, args.jobs).result()
            print(f"incremental: +{len(tail)} articles in {wall:.2f} s wall")
            print("   stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in inc.seconds.items()))
            print(f"   newly aligned pairs {inc.aligned_now}")
        if args.upgrade:
            with sqlite3.connect(db) as conn:  # as a wiretrace with other rules finds it
                conn.execute(
                    "DELETE FROM meta WHERE key IN ('fingerprint_rules', 'alignment_rules')"
                )
            conn.close()
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                wall, up = pool.submit(_timed_analyze, [], db, settings, args.jobs).result()
            print(
                f"upgrade: {up.refingerprinted:,} articles fingerprinted and"
                f" {up.realigned_for_rules:,} pairs aligned again in {wall:.1f} s wall"
            )
            print("   stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in up.seconds.items()))
        print(f"peak RSS {_rss_mb():.0f} MB (largest of this process and its workers)")
    return 0


def _timed_analyze(articles: list, db: str, settings: object, jobs: int) -> tuple[float, object]:
    from wiretrace.pipeline import analyze

    t0 = time.perf_counter()
    summary = analyze(iter_list(articles), db, settings=settings, jobs=jobs)
    return time.perf_counter() - t0, summary


def iter_list(items: list) -> Iterator:
    yield from items


if __name__ == "__main__":
    raise SystemExit(main())
