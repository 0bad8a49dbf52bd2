"""The ``wiretrace`` command line: argument handling and rendering over the library, nothing else.

Commands::

    wiretrace compare A B [--json] [--settings FILE.toml] [--no-color]
    wiretrace compare --pairs FILE [--base-dir DIR | --corpus ARTICLES.jsonl] [--jobs N] [--out FILE]
    wiretrace analyze INPUT... [--db PATH] [--out DIR] [--jobs N] [--settings FILE.toml]
                      [--text-column NAME --id-column NAME ...] [--quiet]
    wiretrace export [--db PATH] --what articles|passages|pairs [--format jsonl|csv|parquet]
                     [--out FILE] [--excel]
    wiretrace show ID [--db PATH] [--json]
    wiretrace serve [--db PATH] [--host 127.0.0.1] [--port 8000] [--read-only] [--max-body BYTES]
    wiretrace watch FEED_URL|OPML_FILE... [--db PATH] [--every 10m] [--once] [--fetch-pages]
                    [--delay 1] [--timeout 20] [--settings FILE.toml] [--jobs N] [--quiet]
    wiretrace remove ID... [--db PATH]
    wiretrace vacuum [--db PATH] [--into FILE]
    wiretrace eval plagdet CORPUS_DIR [--out DIR] [--jobs N] [--subset NAME ...] [--limit N] [--json]
    wiretrace --version

Exit codes: 0 ok; 1 some inputs were skipped (batch mode, analyze, remove), or a ``watch --once``
poll had failures; 2 bad input or usage, an unusable store, or storage that failed (disk full,
read-only, I/O error; also stdout); 130 interrupted (``analyze``, ``remove``; ``watch`` before
its first poll completed). Every error is one line on stderr,
``wiretrace: <file>[:<line>]: <reason>``.

Heavy modules (numpy, rapidfuzz, the aligner) are imported inside the commands so that start-up
stays cheap; keep it that way (``python -X importtime -m wiretrace --help``).
"""

from __future__ import annotations

import sys

# Importing the command modules registers their commands on ``app``.
from wiretrace.cli import analyze, compare, evaluate, records, serve, show, watch  # noqa: F401
from wiretrace.cli.common import _missing, app, eval_app

__all__ = ["_missing", "app", "eval_app", "main"]


def main() -> None:
    """Console-script entry point (``wiretrace``)."""
    try:
        app(prog_name="wiretrace")
    except BrokenPipeError:  # e.g. `wiretrace compare --pairs p.txt | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)

