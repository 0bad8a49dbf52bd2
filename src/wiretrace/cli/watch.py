"""``wiretrace watch``: news feeds polled into a store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from wiretrace.cli.common import (
    _DEFAULT_DB,
    DateOrderChoice,
    _fail,
    _FirstWarnings,
    _load_settings,
    _read_options,
    _usage,
    app,
)
from wiretrace.errors import InputError


@app.command()
def watch(
    ctx: typer.Context,
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Feed URLs (RSS, Atom, JSON Feed) and OPML files (local paths or URLs) listing"
            " feeds in <outline xmlUrl=...>.",
            metavar="FEED_URL|OPML_FILE",
            show_default=False,
        ),
    ],
    db: Annotated[
        Path, typer.Option("--db", help="The store (created if missing; new entries are added).")
    ] = _DEFAULT_DB,
    every: Annotated[
        str, typer.Option("--every", metavar="INTERVAL", help="Time between polls: 30s, 10m, 1h.")
    ] = "10m",
    once: Annotated[
        bool, typer.Option("--once", help="Poll once and exit (for cron and tests).")
    ] = False,
    fetch_pages: Annotated[
        bool,
        typer.Option(
            "--fetch-pages",
            help="Take each new entry's text from its linked page (main text); the entry's own"
            " text if the page cannot be had.",
        ),
    ] = False,
    delay: Annotated[
        float, typer.Option("--delay", min=0.0, help="Seconds between two requests to one host.")
    ] = 1.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds before a request is given up.")
    ] = 20.0,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings", help="TOML file overriding settings (\\[align], \\[corpus] tables)."
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Worker processes (default: all CPUs).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No line per poll; problems only.")
    ] = False,
) -> None:
    """Poll news feeds into the store and analyse the new entries after each poll.

    Prints one line per poll; every failure is one line on stderr, and the feed is tried
    again next poll. Ctrl-C stops. Exit codes: 0 stopped after a poll (--once: and nothing
    failed), 1 --once and something failed, 2 bad usage or store, 130 stopped before any
    poll completed.
    """
    from wiretrace.errors import StoreError
    from wiretrace.store.db import Store
    from wiretrace.watch.feeds import read_opml_file
    from wiretrace.watch.http import Fetcher
    from wiretrace.watch.poll import MIN_INTERVAL, Watcher, is_url, parse_interval, run_polls

    try:
        interval = parse_interval(every)
    except ValueError as exc:
        _usage(ctx, f"--every: {exc}")
    if not once and interval < MIN_INTERVAL:
        _usage(ctx, f"--every: at least {MIN_INTERVAL:g}s between polls (or --once)")
    for source in sources:  # a typo in a file name: stop before the store is touched
        if not is_url(source):
            try:
                read_opml_file(source)
            except InputError as err:
                _fail(f"{err} (give feed URLs as http:// or https://, or OPML files)")
    try:
        settings = _load_settings(settings_file)
        Store.check(db)
    except (InputError, StoreError) as err:
        _fail(err)
    if not db.absolute().parent.is_dir():
        _fail(InputError(str(db), "--db: no such folder"))
    options = _read_options(None, DateOrderChoice.DMY, 2_000_000, _FirstWarnings())
    watcher = Watcher(
        sources,
        db,
        fetcher=Fetcher(delay=delay, timeout=timeout),
        fetch_pages=fetch_pages,
        settings=settings,
        jobs=jobs,
        options=options,
    )

    def on_report(report: Any) -> None:
        for line in report.problems:
            print(f"wiretrace: {line}", file=sys.stderr, flush=True)
        for line in report.notes:
            print(f"wiretrace: note: {line}", file=sys.stderr, flush=True)
        if not quiet:
            print(_poll_line(report), flush=True)

    if not quiet:
        every_text = "once" if once else f"every {every} (Ctrl-C stops)"
        print(
            f"wiretrace: watching {len(watcher.sources)} source"
            f"{'' if len(watcher.sources) == 1 else 's'} into {db}, {every_text}",
            file=sys.stderr,
            flush=True,
        )
    run = run_polls(watcher.poll, every=interval, once=once, on_report=on_report)
    if run.interrupted:
        done = f"after {run.polls} poll{'' if run.polls == 1 else 's'}"
        print(f"wiretrace: stopped {done}; state in {watcher.state_file}", file=sys.stderr)
        raise typer.Exit(0 if run.polls else 130)
    raise typer.Exit(0 if run.last is None or run.last.ok else 1)



def _poll_line(report: Any) -> str:
    """One line per poll: new articles and stories, feed outcomes, which feeds gave what."""
    when = report.started.replace("T", " ").replace("+00:00", " UTC")
    summary = report.summary
    parts = [f"poll {report.number} ({when}, {report.seconds:.1f} s): {report.added} new article"
             f"{'' if report.added == 1 else 's'}"]
    if summary is not None:
        parts[0] += f", {summary.new_stories} new stor{'y' if summary.new_stories == 1 else 'ies'}"
        parts[0] += f" (store: {summary.articles} articles, {summary.stories} stories)"
    elif report.analyze_error:
        parts[0] += " (analysis failed)"
    outcomes = [
        ("new", "with new entries"),
        ("nothing-new", "nothing new"),
        ("unchanged", "unchanged"),
        ("error", "failed"),
        ("disallowed", "disallowed by robots.txt"),
    ]
    counts = [f"{report.count(key)} {label}" for key, label in outcomes if report.count(key)]
    parts.append(f"{len(report.feeds)} feeds: " + (", ".join(counts) or "none"))
    gave = [f"+{f.new} {f.url}" for f in report.feeds if f.new]
    if gave:
        parts.append(" ".join(gave))
    failed = [f.url for f in report.feeds if f.outcome in ("error", "disallowed")]
    if failed:
        parts.append("failed: " + " ".join(failed))
    pages = sum(f.pages for f in report.feeds)
    fallbacks = sum(f.page_fallbacks for f in report.feeds)
    if pages or fallbacks:
        parts.append(f"pages: {pages} used, {fallbacks} kept the feed's text")
    return "; ".join(parts)

