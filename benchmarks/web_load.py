"""`wiretrace serve` under load: page render times and `POST /api/compare` latency.

    python benchmarks/web_load.py --db /tmp/web-news.db [--clients 20] [--requests 30] [--settings F]
        [--embeddings] [--workers N]

Starts `python -m wiretrace serve --read-only` on a free loopback port (127.0.0.1 only) and:

1. Pages: each page kind (stories list with and without a search, a story, the articles list
   with a search, an article with a main source, a reuse group, the compare view of a stored
   pair of 3,000-6,000-character articles) requested 10 times in a row; the server's own time per request (its
   ``Server-Timing`` header), median and max, and the client-side wall time.
2. Compare: ``--clients`` threads, each with one keep-alive connection, send ``--requests``
   ``POST /api/compare`` each, back to back (a closed loop: every client waits for its answer
   before sending the next), each a different pair of two ~4,000-character texts (stored
   articles sharing text, cut to 4,000 characters; the example pair when the store has none).
   Latency percentiles over all requests and the throughput. With ``--interval S`` each client
   sends one request every S seconds instead (an open loop: users who read between requests). Bounded: at most
   clients x requests requests and ``--max-seconds`` of sending.

With ``--fill-stories`` the stories tables of a *copy* of the store (story clustering may not
have filled them) are filled with stand-in stories (each article with its main source's
group) so the story pages have something to render. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fill_stories(db: Path) -> None:
    """Stand-in stories: every article joins the story of its main source's main source …"""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT a.aid, s.sources, a.outlet, a.lang, a.published, a.title FROM articles a"
        " LEFT JOIN article_stats s ON s.aid = a.aid ORDER BY a.aid"
    ).fetchall()
    parent = {aid: (json.loads(src or "[]") or [[aid]])[0][0] for aid, src, *_ in rows}
    info = {r[0]: r[2:] for r in rows}

    def root(aid: int) -> int:
        seen = set()
        while parent.get(aid, aid) != aid and aid not in seen:
            seen.add(aid)
            aid = parent[aid]
        return aid

    stories: dict[int, list[int]] = {}
    for aid in parent:
        stories.setdefault(root(aid), []).append(aid)
    conn.execute("DELETE FROM story_members")
    conn.execute("DELETE FROM stories")
    for sid, members in enumerate(sorted(stories.values(), key=lambda m: m[0]), start=1):
        dates = sorted(info[m][2] for m in members if info[m][2])
        conn.execute(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                sid,
                info[members[0]][3] or str(members[0]),
                len(members),
                dates[0] if dates else None,
                dates[-1] if dates else None,
                json.dumps(sorted({info[m][0] for m in members if info[m][0]})),
                json.dumps(sorted({info[m][1] for m in members if info[m][1]})),
            ),
        )
        conn.executemany(
            "INSERT INTO story_members VALUES (?, ?, 1.0)", [(m, sid) for m in members]
        )
    conn.commit()
    conn.close()


def _compare_bodies(db: Path, n: int) -> list[dict]:
    """``n`` request bodies of two ~4,000-character texts sharing text."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT x.text, y.text FROM pairs p JOIN articles x ON x.aid = p.a"
        " JOIN articles y ON y.aid = p.b WHERE p.passages != '[]' AND p.mapped = 0"
        " AND x.chars BETWEEN 4000 AND 6000 AND y.chars BETWEEN 4000 AND 6000"
        " ORDER BY p.a, p.b LIMIT ?",
        (n,),
    ).fetchall()
    conn.close()
    if not rows:
        a = (ROOT / "examples/pair/agency.txt").read_text(encoding="utf-8")
        b = (ROOT / "examples/pair/rewrite.txt").read_text(encoding="utf-8")
        rows = [((a + "\n\n" + a)[: 4000 - i], (b + "\n\n" + b)[: 4000 - i]) for i in range(n)]
    bodies = [{"a": x[:4000], "b": y[:4000]} for x, y in rows]
    return [bodies[i % len(bodies)] for i in range(n)]


def _pages(db: Path, base: str) -> dict[str, str]:
    conn = sqlite3.connect(db)
    q = conn.execute
    article = q(
        "SELECT a.id FROM articles a JOIN article_stats s ON s.aid = a.aid"
        " WHERE s.sources != '[]' ORDER BY a.chars DESC LIMIT 1 OFFSET 100"
    ).fetchone()
    story = q("SELECT story_id FROM stories ORDER BY articles DESC LIMIT 1").fetchone()
    group = q("SELECT gid FROM groups ORDER BY members DESC LIMIT 1").fetchone()
    pair = q(
        "SELECT x.id, y.id FROM pairs p JOIN articles x ON x.aid = p.a"
        " JOIN articles y ON y.aid = p.b WHERE p.passages != '[]' AND p.mapped = 0"
        " AND x.chars BETWEEN 3000 AND 6000 AND y.chars BETWEEN 3000 AND 6000 LIMIT 1"
    ).fetchone()
    word = q("SELECT title FROM articles WHERE title IS NOT NULL LIMIT 1 OFFSET 500").fetchone()
    conn.close()
    search = quote((word[0] or "Berlin").split()[0]) if word else "Berlin"
    pages = {
        "stories": "/",
        "stories, search": f"/?q={search}",
        "articles, search": f"/articles?q={search}",
    }
    if story:
        pages["story (largest)"] = f"/stories/{story[0]}"
    if article:
        pages["article"] = f"/articles/{quote(article[0], safe='')}"
    if group:
        pages["reuse group (largest)"] = f"/groups/{group[0]}"
    if pair:
        pages["compare (stored pair, 3-6k chars)"] = (
            f"/compare?a={quote(pair[0], safe='')}&b={quote(pair[1], safe='')}"
        )
    return {name: base + path for name, path in pages.items()}


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="per client")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument(
        "--interval",
        type=float,
        default=0.0,
        help="each client sends one request every this many seconds (0: back to back)",
    )
    parser.add_argument("--fill-stories", action="store_true")
    parser.add_argument("--settings", help="a settings TOML passed to `wiretrace serve`")
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help='requests ask for the embedding model ("embeddings": true; default: the API\'s'
        " fast lexical score)",
    )
    parser.add_argument("--workers", type=int, help="server processes (default: the server's)")
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"no store at {args.db}")
    tmp = Path(tempfile.mkdtemp(prefix="wt-web-load-"))
    db = args.db
    if args.fill_stories:
        db = tmp / "with-stories.db"
        shutil.copy(args.db, db)
        _fill_stories(db)
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wiretrace",
            "serve",
            "--db",
            str(db),
            "--read-only",
            "--port",
            str(port),
            *(["--settings", str(args.settings)] if args.settings else []),
            *(["--workers", str(args.workers)] if args.workers else []),
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    result: dict = {}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/robots.txt", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("server did not start")
                time.sleep(0.2)
        with httpx.Client(timeout=30) as client:
            pages = {}
            for name, url in _pages(db, base).items():
                server_ms, wall_ms = [], []
                for _ in range(10):
                    t0 = time.perf_counter()
                    r = client.get(url)
                    wall_ms.append((time.perf_counter() - t0) * 1000)
                    r.raise_for_status()
                    server_ms.append(float(r.headers["server-timing"].split("dur=")[1]))
                pages[name] = {
                    "server_ms_median": round(statistics.median(server_ms), 1),
                    "server_ms_max": round(max(server_ms), 1),
                    "wall_ms_median": round(statistics.median(wall_ms), 1),
                    "bytes": len(r.content),
                }
            result["pages"] = pages

        bodies = [
            {**b, "embeddings": args.embeddings}
            for b in _compare_bodies(db, args.clients * args.requests)
        ]
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop_at = time.monotonic() + args.max_seconds

        def client_loop(k: int) -> None:
            with httpx.Client(timeout=30) as c:
                start = time.monotonic() + k * args.interval / max(args.clients, 1)
                for i in range(args.requests):
                    if args.interval:
                        time.sleep(max(0.0, start + i * args.interval - time.monotonic()))
                    if time.monotonic() > stop_at:
                        return
                    body = bodies[k * args.requests + i]
                    t0 = time.perf_counter()
                    r = c.post(base + "/api/compare", json=body)
                    dt = (time.perf_counter() - t0) * 1000
                    with lock:
                        latencies.append(dt)
                        if r.status_code != 200:
                            errors[0] += 1

        # one warm-up request (imports, first preparation), not counted
        httpx.post(base + "/api/compare", json=bodies[0], timeout=30)
        threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(args.clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        result["compare"] = {
            "clients": args.clients,
            "interval_s": args.interval,
            "embeddings": args.embeddings,
            "requests": len(latencies),
            "errors": errors[0],
            "text_chars": [len(bodies[0]["a"]), len(bodies[0]["b"])],
            "p50_ms": round(_pct(latencies, 0.50), 1),
            "p95_ms": round(_pct(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1),
            "throughput_per_s": round(len(latencies) / wall, 1),
        }
        # the same requests one at a time: the service time without queueing
        single = []
        with httpx.Client(timeout=30) as c:
            for body in bodies[:50]:
                t0 = time.perf_counter()
                c.post(base + "/api/compare", json=body)
                single.append((time.perf_counter() - t0) * 1000)
        result["compare_one_client"] = {
            "requests": len(single),
            "p50_ms": round(_pct(single, 0.50), 1),
            "p95_ms": round(_pct(single, 0.95), 1),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
