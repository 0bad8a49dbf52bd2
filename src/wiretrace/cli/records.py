"""``wiretrace export``, ``outlets``, ``stories`` and ``vacuum``: a store's records."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from wiretrace.cli.common import (
    _DEFAULT_DB,
    ExportFormat,
    RecordKind,
    _fail,
    _read_store,
    _share,
    _stdout_errors,
    _storage_errors,
    _usage,
    app,
)
from wiretrace.errors import InputError


@app.command()
def export(
    ctx: typer.Context,
    what: Annotated[
        RecordKind,
        typer.Option("--what", help="Which records: articles, passages (reuse groups), pairs, stories or outlets."),
    ],
    db: Annotated[Path, typer.Option("--db", help="The store to read.")] = _DEFAULT_DB,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="Output format (parquet needs --out).")
    ] = ExportFormat.jsonl,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write to this file (atomically) instead of stdout."),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="CSV for Excel: UTF-8 with a byte order mark and ';' between cells"
            " (umlauts intact when the file is opened by double-click).",
        ),
    ] = False,
) -> None:
    """Write a store's records (articles, passages, pairs, stories, outlets) as JSON lines, CSV or Parquet."""
    from wiretrace.io.writers import write_records, write_records_to
    from wiretrace.report.export import arrow_schema, records, snapshot

    if fmt is ExportFormat.parquet and out is None:
        _usage(ctx, "--format parquet needs --out FILE (Parquet is not written to stdout)")
    if excel and fmt is not ExportFormat.csv:
        _usage(ctx, "--excel applies to --format csv only")
    if out is not None and out.is_dir():
        _fail(InputError(str(out), "--out is a folder; give a file name"))
    store = _read_store(db)
    with _storage_errors(db), store, snapshot(store):
        rows = records(store, what.value)
        if out is None:
            with _stdout_errors():
                if excel and hasattr(sys.stdout, "buffer"):
                    # UTF-8 whatever the console's encoding, and the rows' own \r\n line ends.
                    import io

                    sys.stdout.flush()
                    sink = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
                    write_records_to(rows, sink, fmt.value, excel=True)
                    sink.flush()
                    sink.detach()
                    return
                write_records_to(rows, sys.stdout, fmt.value, excel=excel)
            return
        schema = arrow_schema(what.value) if fmt is ExportFormat.parquet else None
        try:
            write_records(rows, out, fmt.value, schema=schema, excel=excel)
        except OSError as exc:
            _fail(InputError(str(out), f"cannot write: {exc.strerror or exc}"))



@app.command()
def outlets(
    db: Annotated[Path, typer.Option("--db", help="The store to read.")] = _DEFAULT_DB,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Show this many outlets (0: all).")
    ] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per outlet (export --what outlets).")
    ] = False,
) -> None:
    """Per outlet: agency copy, text from other outlets, its own, and whom it takes from."""
    import json

    from rich.console import Console
    from rich.table import Table

    from wiretrace.report.export import snapshot
    from wiretrace.report.outlets import outlet_records

    store = _read_store(db)
    with _storage_errors(db), store, snapshot(store):
        rows = outlet_records(store)
    shown = rows[:limit] if limit else rows
    if as_json:
        with _stdout_errors():
            for r in shown:
                sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)
    if not shown:
        console.print(f"No articles in {db} yet: run `wiretrace analyze` on it.")
        return
    view = Table(title=f"Outlets in {db}", title_justify="left", box=None, pad_edge=False)
    for name in ("outlet", "articles", "agency copy", "from other outlets", "own", "takes most from"):
        view.add_column(name, justify="left" if name in ("outlet", "takes most from") else "right")
    for r in shown:
        top = ", ".join(f"{f['outlet']} ({f['chars']:,})" for f in r["reused_from"][:2])
        view.add_row(
            r["outlet"],
            f"{r['articles']:,}",
            _share(r["agency_share"]),
            _share(r["reused_share"]),
            _share(r["original_share"]),
            top or "-",
        )
    console.print(view)



@app.command()
def stories(
    db: Annotated[Path, typer.Option("--db", help="The store to read.")] = _DEFAULT_DB,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Show this many stories (0: all).")
    ] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per story (stories.jsonl schema).")
    ] = False,
) -> None:
    """List the stories of a store, largest first: label, articles, outlets, languages, dates."""
    import json
    from itertools import islice

    from rich.console import Console
    from rich.table import Table

    from wiretrace.report.export import snapshot, story_records

    store = _read_store(db)
    with _storage_errors(db), store, snapshot(store):
        rows = story_records(store)
        shown = list(islice(rows, limit) if limit else rows)
    if as_json:
        with _stdout_errors():
            for r in shown:
                sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    from wiretrace.report.names import first_words

    console = Console(highlight=False)
    if not console.is_terminal:  # files and pipes: never squeeze the labels into 80 columns
        console = Console(highlight=False, width=160)
    if not shown:
        console.print(f"No stories in {db} yet: run `wiretrace analyze` on it.")
        return
    view = Table(title=f"Stories in {db}", title_justify="left", box=None, pad_edge=False)
    for name, justify in (
        ("story", "right"),
        ("articles", "right"),
        ("outlets", "right"),
        ("lang", "left"),
        ("first", "left"),
        ("last", "left"),
    ):
        width = {"first": 10, "last": 10, "lang": 5}.get(name, len(name))
        view.add_column(name, justify=justify, no_wrap=True, min_width=width)
    view.add_column("label", overflow="ellipsis", no_wrap=True)  # about 60: first_words
    for r in shown:
        view.add_row(
            str(r["story_id"]),
            str(len(r["articles"])),
            str(len(r["outlets"])),
            ", ".join(r["languages"]) or "-",
            (r["first_published"] or "-")[:10],
            (r["last_published"] or "-")[:10],
            first_words(r["label"]),
        )
    with _stdout_errors():
        console.print(view)



@app.command()
def vacuum(
    db: Annotated[Path, typer.Option("--db", help="The store.")] = _DEFAULT_DB,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Write a compacted single-file copy here (a new file) instead; the store"
            " is only read.",
        ),
    ] = None,
) -> None:
    """Make the store one compact file, or copy it into one (backups, moving a store).

    The write-ahead log is folded in; see README, "Backing up and moving a store".
    """
    from wiretrace.store.db import vacuum as vacuum_store

    if into is not None and into.resolve() == db.resolve():
        _fail(InputError(str(into), "--into must be another file than the store"))
    with _storage_errors(db):
        vacuum_store(db, into)
    result = into or db
    print(f"wiretrace: {result}: one file, {result.stat().st_size:,} bytes", file=sys.stderr)

