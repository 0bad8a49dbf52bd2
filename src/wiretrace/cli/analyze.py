"""``wiretrace analyze`` (the main job) and ``wiretrace remove``, with the run summary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wiretrace.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.progress import Progress

    from wiretrace.io.discover import InputStats
    from wiretrace.pipeline import AnalyzeSummary
    from wiretrace.report.overview import CorpusOverview
    from wiretrace.settings import Settings
    from wiretrace.store.db import Store
from wiretrace.cli.common import (
    _DEFAULT_DB,
    _GLOB_CHARS,
    _OUT_FILES,
    DateOrderChoice,
    _agency_option,
    _column_option,
    _date_order_option,
    _encoding_option,
    _fail,
    _FirstWarnings,
    _load_settings,
    _max_chars_option,
    _missing,
    _named,
    _read_options,
    _share,
    _storage_errors,
    _with_agencies,
    app,
)


@app.command()
def analyze(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (recursive) or glob patterns: .txt .json .jsonl .ndjson .csv "
            ".tsv .html .htm .warc .warc.gz .rss .atom .xml (feeds)",
            metavar="INPUT",
            show_default=False,
        ),
    ],
    db: Annotated[
        Path, typer.Option("--db", help="The store (created if missing; new articles are added).")
    ] = _DEFAULT_DB,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Also write articles.jsonl, passages.jsonl, pairs.jsonl, stories.jsonl and report.html"
            " here.",
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Worker processes (default: all CPUs).")
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings", help="TOML file overriding settings (\\[align], \\[corpus] tables)."
        ),
    ] = None,
    text_column: Annotated[str | None, _column_option("text")] = None,
    id_column: Annotated[str | None, _column_option("id")] = None,
    title_column: Annotated[str | None, _column_option("title")] = None,
    outlet_column: Annotated[str | None, _column_option("outlet")] = None,
    published_column: Annotated[str | None, _column_option("published")] = None,
    url_column: Annotated[str | None, _column_option("url")] = None,
    lang_column: Annotated[str | None, _column_option("lang")] = None,
    author_column: Annotated[str | None, _column_option("author")] = None,
    date_order: Annotated[DateOrderChoice, _date_order_option()] = DateOrderChoice.DMY,
    encoding: Annotated[str | None, _encoding_option()] = None,
    max_chars: Annotated[int, _max_chars_option()] = 2_000_000,
    agency: Annotated[list[str] | None, _agency_option()] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="An id stored with another text: replace the stored article (a correction).",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress and no summary; problems only.")
    ] = False,
) -> None:
    """Find reused text across many articles and how original each one is (the main job).

    Adds the articles to the store, compares the new ones with everything stored and prints
    a summary. Bad files, lines or records are reported on stderr and skipped (exit code 1).
    """

    from wiretrace.errors import StoreError
    from wiretrace.io.fields import FieldNames
    from wiretrace.report.overview import corpus_overview
    from wiretrace.store.db import Store

    try:
        settings = _with_agencies(_load_settings(settings_file), agency)
    except InputError as err:
        _fail(err)
    missing = [raw for raw in inputs if not _GLOB_CHARS.intersection(raw) and _missing(raw)]
    for raw in missing:  # a typo: stop before a store is created or touched
        print(f"wiretrace: {raw}: no such file or directory", file=sys.stderr)
    if missing:
        raise typer.Exit(2)
    if out is not None and out.exists() and not out.is_dir():
        _fail(InputError(str(out), "--out must be a folder, this is a file"))
    columns = FieldNames(
        id=id_column,
        text=text_column,
        title=title_column,
        outlet=outlet_column,
        published=published_column,
        url=url_column,
        lang=lang_column,
        author=author_column,
    )
    options = _read_options(encoding, date_order, max_chars, _FirstWarnings(), columns)
    try:
        summary, stats = _run_analyze(inputs, db, settings, jobs, options, quiet, update=update)
    except StoreError as err:
        _fail(err)
    except KeyboardInterrupt:
        _fail(f"{db}: interrupted; the store holds what was finished, run again to complete", 130)
    skipped = stats.errors + summary.skipped

    written: list[Path] = []
    try:
        with _storage_errors(db), Store.open(db, read_only=True) as store:
            if out is not None:
                written = _export_folder(store, out)
            overview = None if quiet else corpus_overview(store)
    except OSError as exc:
        _fail(InputError(str(exc.filename or out), f"cannot write: {exc.strerror or exc}"))
    if overview is not None:
        from rich.console import Console

        console = Console(highlight=False)
        if not console.is_terminal:  # files and pipes: never squeeze the tables into 80 columns
            console = Console(highlight=False, width=160)
        _render_analyze(console, summary, stats, overview, skipped, db, written)
    raise typer.Exit(1 if skipped else 0)



def _run_analyze(
    inputs: list[str],
    db: Path,
    settings: Settings,
    jobs: int | None,
    options: Any,
    quiet: bool,
    *,
    update: bool = False,
    remove: list[str] | None = None,
) -> tuple[AnalyzeSummary, InputStats]:
    from rich.console import Console

    from wiretrace.io.discover import InputStats, iter_input_articles
    from wiretrace.pipeline import analyze as run_pipeline

    def report(error: InputError) -> None:
        print(f"wiretrace: {error}", file=sys.stderr, flush=True)

    stats = InputStats()
    articles = iter_input_articles(inputs, on_error=report, stats=stats, options=options)
    progress = _stage_progress(Console(stderr=True), quiet)
    tasks: dict[str, Any] = {}
    labels = {
        "fingerprint": "fingerprinting stored articles again (other rules)",
        "ingest": "reading and indexing",
        "align": "aligning candidate pairs",
        "waiting": "waiting for another run on this store to finish",
    }

    def on_progress(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(labels.get(stage, stage), total=total)
        progress.update(tasks[stage], completed=done, total=total)

    with progress:
        summary = run_pipeline(
            articles,
            str(db),
            settings=settings,
            jobs=jobs,
            inputs=[str(i) for i in inputs] or ["remove", *(remove or [])],
            on_error=report,
            progress=on_progress,
            update=update,
            remove=remove or (),
        )
    return summary, stats



def _stage_progress(console: Console, quiet: bool) -> Progress:
    """Progress of the analyze stages on stderr: a bar when the total is known, else a count."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    )



def _export_folder(store: Store, out: Path) -> list[Path]:
    """articles.jsonl, passages.jsonl and pairs.jsonl of the store, from one snapshot."""
    from wiretrace.io.writers import write_records
    from wiretrace.report.export import records, snapshot

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with snapshot(store):
        for what, name in _OUT_FILES:
            write_records(records(store, what), out / name, "jsonl")
            written.append(out / name)
        written.append(_write_report_html(store, out / "report.html"))
    return written



def _write_report_html(store: Store, path: Path) -> Path:
    """report.html, written under a temporary name and renamed when complete."""

    from wiretrace.report.html import render_report

    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_report(store), encoding="utf-8")
    os.replace(tmp, path)
    return path



def _render_analyze(
    console: Console,
    summary: AnalyzeSummary,
    stats: InputStats,
    overview: CorpusOverview,
    skipped: int,
    db: Path,
    written: list[Path],
) -> None:
    from rich.table import Table

    def table(title: str, header: bool = True) -> Table:
        return Table(
            title=title,
            title_justify="left",
            title_style="bold",
            box=None,
            pad_edge=False,
            show_header=header,
        )

    counts = table("Articles", header=False)
    counts.add_column("", no_wrap=True)
    counts.add_column("", justify="right")
    counts.add_row("read from the input", f"{stats.articles:,}")
    counts.add_row("added to the store", f"{summary.added:,}")
    counts.add_row("already stored (same id and text)", f"{summary.unchanged:,}")
    if summary.replaced:
        counts.add_row("replaced (same id, corrected text: --update)", f"{summary.replaced:,}")
    counts.add_row("exact duplicates (same text, other id)", f"{summary.exact_duplicates:,}")
    counts.add_row("skipped (problems reported above)", f"{skipped:,}")
    if stats.skipped_unsupported:
        kinds = ", ".join(f"{k or '(none)'} {n}" for k, n in sorted(stats.skipped_suffixes.items()))
        counts.add_row("files of other types ignored", f"{stats.skipped_unsupported:,} ({kinds})")
    counts.add_row("in the store now", f"{overview.articles:,}", style="bold")
    console.print(counts)
    _render_input_notes(console, stats)
    if summary.added == 0:
        if stats.articles == 0:
            console.print("No articles were read from the input.")
        elif summary.unchanged == stats.articles:
            console.print("Nothing new added: every article read was already in the store.")
        else:
            console.print("Nothing new added.")
    console.print()

    reuse = table("Reuse", header=False)
    reuse.add_column("", no_wrap=True)
    reuse.add_column("", justify="right")
    reuse.add_row("article pairs sharing text", f"{overview.pairs_with_passages:,}")
    reuse.add_row(
        "reuse groups (passages in several articles)",
        f"{overview.groups:,} ({overview.boilerplate_groups:,} boilerplate)",
    )
    reuse.add_row(
        "near-duplicate articles collapsed onto an earlier one",
        f"{summary.collapsed:,} ({summary.mapped_pairs:,} pairs mapped)",
    )
    reuse.add_row("pairs aligned in this run", f"{summary.aligned_now:,}")
    reuse.add_row(
        "stories (same event, any outlet or language)",
        f"{summary.stories:,} ({summary.new_stories:,} new in this run)",
    )
    console.print(reuse)
    if summary.refingerprinted:
        console.print(
            f"note: the store's {summary.refingerprinted:,} articles had been fingerprinted"
            " with other rules (other anchor settings or an older wiretrace) and were"
            " fingerprinted again"
        )
    if summary.realigned_for_rules:
        console.print(
            f"note: the store's {summary.realigned_for_rules:,} article pairs had been aligned"
            " with other rules (other alignment settings or an older wiretrace) and were"
            " aligned again"
        )
    for reason, n in summary.story_warnings.items():
        console.print(f"note: {n:,} article(s) placed in stories {reason}")
    console.print()

    if overview.top_outlets:
        outlets = table(f"Outlets (top {len(overview.top_outlets)} by articles)")
        outlets.add_column("outlet")
        outlets.add_column("articles", justify="right")
        outlets.add_column("mean originality", justify="right")
        for line in overview.top_outlets:
            outlets.add_row(
                line.outlet or "(no outlet)", f"{line.articles:,}", _share(line.mean_originality)
            )
        console.print(outlets)
        console.print()

    names = overview.names
    if overview.most_copied:
        copied = table("Most copied passages (boilerplate excluded)")
        copied.add_column("group", justify="right")
        copied.add_column("articles", justify="right")
        copied.add_column("first printed by")
        copied.add_column("text", overflow="ellipsis")
        for i, p in enumerate(overview.most_copied):
            if i:
                copied.add_row()  # a blank line between rows of two-line cells
            copied.add_row(str(p.group), str(p.articles), _named(names[p.earliest]), p.text)
        console.print(copied)
        console.print()

    if overview.least_original:
        least = table("Least original articles")
        least.add_column("article")
        least.add_column("originality", justify="right")
        least.add_column("main source")
        for i, a in enumerate(overview.least_original):
            if i:
                least.add_row()
            least.add_row(
                _named(names[a.id], with_id=True),
                _share(a.originality),
                "-" if a.main_source is None else _named(names[a.main_source]),
            )
        console.print(least)
        console.print()

    seconds = sum(summary.seconds.values())
    console.print(f"Store: {db} · {seconds:.1f} s", highlight=False)
    for path in written:
        console.print(f"Wrote {path}", highlight=False)



#: How the summary names each kind of reading warning (see wiretrace.io.fields.InputWarning).
_WARNING_KINDS = {
    "date": "stored undated (date not readable)",
    "field": "with an optional field left empty (not readable)",
    "control": "with control characters removed",
    "cut": "cut at --max-chars",
    "encoding": "file(s) decoded from a detected encoding",
    "teaser": "feed entr(ies) with only a teaser (teaser_only)",
}



def _render_input_notes(console: Console, stats: InputStats) -> None:
    """What was read other than given (warnings, counted by kind with the first example) and
    which input fields became which article fields."""
    for kind, n in stats.warnings.items():
        what = _WARNING_KINDS.get(kind, kind)
        noun = "" if kind in ("encoding", "teaser") else ("article " if n == 1 else "articles ")
        console.print(f"note: {n:,} {noun}{what}; first: {stats.first_warning[kind]}", soft_wrap=True)
    for mapping, sources in sorted(stats.field_maps.items()):
        files = f"{len(sources):,} files" if len(sources) != 1 else next(iter(sources))
        console.print(f"note: fields read as {mapping} ({files})", soft_wrap=True)



@app.command()
def remove(
    ids: Annotated[
        list[str], typer.Argument(help="Ids of stored articles.", metavar="ID", show_default=False)
    ],
    db: Annotated[Path, typer.Option("--db", help="The store to remove them from.")] = _DEFAULT_DB,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Worker processes (default: all CPUs).")
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option("--settings", help="TOML file overriding settings (as for analyze)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress and no summary; problems only.")
    ] = False,
) -> None:
    """Remove articles from a store, as if they had never been added.

    Every result (pairs, groups, originality, sources, stories) is brought up to date. Unknown
    ids are reported (exit code 1); the others are still removed.
    """
    from wiretrace.errors import StoreError
    from wiretrace.io.fields import ReadOptions

    if not db.exists():
        _fail(InputError(str(db), "no such store"))
    try:
        settings = _load_settings(settings_file)
    except InputError as err:
        _fail(err)
    try:
        summary, _ = _run_analyze([], db, settings, jobs, ReadOptions(), quiet, remove=ids)
    except StoreError as err:
        _fail(err)
    except KeyboardInterrupt:
        _fail(f"{db}: interrupted; the store holds what was finished, run again to complete", 130)
    if not quiet:
        print(
            f"removed {summary.removed:,} article(s) from {db}; it now holds"
            f" {summary.articles:,} articles, {summary.pairs_with_passages:,} pairs sharing text"
            f" and {summary.stories:,} stories"
        )
    raise typer.Exit(1 if summary.skipped else 0)

