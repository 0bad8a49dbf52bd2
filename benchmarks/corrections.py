"""Corrections and removals on news-de: their cost, and that the store equals a fresh run.

    python benchmarks/corrections.py [--jobs 2] [--n 10] [--seed 7] [--no-stories]

1. A store of all of ../shared/data/news-de/articles.jsonl (timed, as ``analyze`` runs it).
2. ``--n`` articles drawn at random (seeded) are removed (``wiretrace remove``; timed).
3. ``--n`` other articles are corrected: their last paragraph dropped and a sentence added,
   then stored with ``--update`` (timed).
4. A fresh store of the articles as they now are (the corrected texts, without the removed
   ones), in the same order; every result a user sees (pairs with their passages, article
   stats, passage groups, and the stories: the partition of ids and each story's row) is
   compared with the store of steps 1-3. Prints the differences (none expected).

Skips when the corpus is absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-de" / "articles.jsonl"


def _results(db: Path) -> dict[str, object]:
    """Every result a user sees, keyed by article ids (store keys differ between stores)."""
    conn = sqlite3.connect(db)
    ids = dict(conn.execute("SELECT aid, id FROM articles"))
    pairs = []
    for a, b, passages, mapped in conn.execute("SELECT a, b, passages, mapped FROM pairs"):
        rows = json.loads(passages)
        if ids[a] > ids[b]:
            a, b = b, a
            rows = sorted([b0, b1, a0, a1, sim] for a0, a1, b0, b1, sim in rows)
        pairs.append((ids[a], ids[b], rows, mapped))
    stats = sorted(
        (ids[aid], reused, bp, orig, [[ids[s], n, sim] for s, n, sim in json.loads(src)])
        for aid, reused, bp, orig, src, _ in conn.execute("SELECT * FROM article_stats")
    )
    members: dict[int, list] = {}
    for gid, aid, start, end in conn.execute("SELECT * FROM group_members"):
        members.setdefault(gid, []).append((ids[aid], start, end))
    groups = sorted(
        (n, ids[e], bp, sorted(members[g]))
        for g, n, e, bp in conn.execute("SELECT gid, members, earliest, boilerplate FROM groups")
    )
    story: dict[int, list[str]] = {}
    for sid, aid in conn.execute("SELECT story_id, aid FROM story_members"):
        story.setdefault(sid, []).append(ids[aid])
    rows = {r[0]: r[1:] for r in conn.execute("SELECT * FROM stories")}
    stories = sorted((sorted(m), rows.get(sid)) for sid, m in story.items())
    conn.close()
    return {"pairs": sorted(pairs), "stats": stats, "groups": groups, "stories": stories}


def _corrected(text: str) -> str:
    paragraphs = text.split("\n")
    kept = paragraphs[:-1] if len(paragraphs) > 1 else paragraphs
    return "\n".join(kept) + "\nKorrektur: In einer früheren Fassung stand eine falsche Zahl."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-stories", action="store_true")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} not found")
        return
    from wiretrace.io.readers import read_jsonl_articles
    from wiretrace.pipeline import analyze
    from wiretrace.settings import Settings

    settings = Settings()
    if args.no_stories:
        settings = dataclasses.replace(
            settings, stories=dataclasses.replace(settings.stories, enabled=False)
        )
    articles = list(read_jsonl_articles(CORPUS))
    rng = random.Random(args.seed)
    picked = rng.sample(range(len(articles)), 2 * args.n)
    removed = {articles[i].id for i in picked[: args.n]}
    fixed = {
        articles[i].id: dataclasses.replace(articles[i], text=_corrected(articles[i].text))
        for i in picked[args.n :]
    }
    with tempfile.TemporaryDirectory() as tmp:
        db, fresh = Path(tmp) / "w.db", Path(tmp) / "fresh.db"
        t = time.perf_counter()
        analyze(articles, str(db), settings=settings, jobs=args.jobs)
        print(f"full run: {len(articles):,} articles in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        s = analyze([], str(db), settings=settings, jobs=args.jobs, remove=sorted(removed))
        print(f"remove {s.removed} articles: {time.perf_counter() - t:.1f} s {_stages(s)}")
        t = time.perf_counter()
        s = analyze(list(fixed.values()), str(db), settings=settings, jobs=args.jobs, update=True)
        print(f"update {s.replaced} articles: {time.perf_counter() - t:.1f} s {_stages(s)}")
        now = [fixed.get(a.id, a) for a in articles if a.id not in removed]
        t = time.perf_counter()
        analyze(now, str(fresh), settings=settings, jobs=args.jobs)
        print(f"fresh run over the articles as they now are: {time.perf_counter() - t:.1f} s")
        mine, theirs = _results(db), _results(fresh)
        for kind in mine:
            a, b = mine[kind], theirs[kind]
            same = a == b
            detail = "" if same else f" ({len(a)} vs {len(b)}; {sum(x != y for x, y in zip(a, b, strict=False))} differ)"  # type: ignore[arg-type]
            print(f"  {kind}: {'equal' if same else 'DIFFERENT'} ({len(a):,}){detail}")  # type: ignore[arg-type]


def _stages(summary: object) -> str:
    seconds = getattr(summary, "seconds", {})
    return "(" + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items() if v >= 0.05) + ")"


if __name__ == "__main__":
    main()
