"""A small analysed store for the web and report tests: the bundled corpus as ``analyze``
stores it (its stories are those of ``examples/truth.json``, tested in test_pipeline), plus
helpers."""

from __future__ import annotations

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
    """Analyse the example corpus into ``folder/web.db`` (cached per folder) and return it;
    without ``with_stories`` the stories tables are emptied (the pages must say so)."""
    db = folder / "web.db"
    if db.exists():
        return db
    analyze(iter_input_articles([str(CORPUS)]), str(db), jobs=1)
    if not with_stories:
        conn = sqlite3.connect(db)
        conn.execute("DELETE FROM story_members")
        conn.execute("DELETE FROM stories")
        conn.commit()
        conn.close()
    return db


def copy_store(db: Path, to: Path) -> Path:
    shutil.copy(db, to)
    return to
