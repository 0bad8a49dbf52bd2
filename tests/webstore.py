"""A small analysed store for the web and report tests: the bundled corpus, with the stories
of ``examples/truth.json`` written into the stories tables (story clustering is not ours to
test here), plus helpers."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from wiretrace.io.discover import iter_input_articles
from wiretrace.pipeline import analyze

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus.jsonl"
TRUTH = ROOT / "examples" / "truth.json"

XSS_TITLE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
XSS_TEXT = (
    '<script>window.__xss = 3</script> Die Gemeinde Hollerdeich <img src=y onerror="window.'
    '__xss = 4">' + " meldet einen ruhigen Tag am Deich." * 8
)


def build_store(folder: Path, with_stories: bool = True) -> Path:
    """Analyse the example corpus into ``folder/web.db`` (cached per folder) and return it."""
    db = folder / "web.db"
    if db.exists():
        return db
    analyze(iter_input_articles([str(CORPUS)]), str(db), jobs=1)
    if with_stories:
        add_truth_stories(db)
    return db


def add_truth_stories(db: Path) -> None:
    """Fill stories/story_members from the ground truth's story lists."""
    conn = sqlite3.connect(db)
    ids = dict(conn.execute("SELECT id, aid FROM articles"))
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    for story_id, members in enumerate(truth["stories"], start=1):
        members = [m for m in members if m in ids]
        marks = ",".join("?" * len(members))
        rows = conn.execute(
            f"SELECT outlet, lang, published, title FROM articles WHERE id IN ({marks})"
            " ORDER BY published",
            members,
        ).fetchall()
        dates = sorted(r[2] for r in rows if r[2])
        conn.execute(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                story_id,
                rows[0][3] or members[0],
                len(members),
                dates[0] if dates else None,
                dates[-1] if dates else None,
                json.dumps(sorted({r[0] for r in rows if r[0]})),
                json.dumps(sorted({r[1] for r in rows if r[1]})),
            ),
        )
        conn.executemany(
            "INSERT INTO story_members VALUES (?, ?, ?)",
            [(ids[m], story_id, 0.9) for m in members],
        )
    conn.commit()
    conn.close()


def copy_store(db: Path, to: Path) -> Path:
    shutil.copy(db, to)
    return to
