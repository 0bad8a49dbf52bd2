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

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from wiretrace import __version__
from wiretrace.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.progress import Progress
    from rich.text import Text

    from wiretrace.eval.pan import PlagdetReport
    from wiretrace.io.discover import InputStats
    from wiretrace.model import Comparison
    from wiretrace.pipeline import AnalyzeSummary
    from wiretrace.report.names import ArticleName
    from wiretrace.report.overview import CorpusOverview
    from wiretrace.settings import Settings
    from wiretrace.store.db import Store

app = typer.Typer(
    help="Find which news articles tell the same story and which text they share.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
eval_app = typer.Typer(
    help="Score the aligner on evaluation corpora.", no_args_is_help=True, add_completion=False
)
app.add_typer(eval_app, name="eval")

_VERDICT_STYLE = {"same": "bold green", "related": "bold yellow", "different": "bold red"}
_A_STYLE = "red strike"  # words of a changed or missing in b
_B_STYLE = "bold green"  # words of b changed or missing in a
_A_MARKS = ("[-", "-]")  # the same, when there is no colour (git --word-diff style)
_B_MARKS = ("{+", "+}")


# --- helpers ----------------------------------------------------------------------------------


def _fail(error: InputError | str, code: int = 2) -> NoReturn:
    """One line on stderr, then exit (2 = bad input)."""
    print(f"wiretrace: {error}", file=sys.stderr, flush=True)
    raise typer.Exit(code)


def _usage(ctx: typer.Context, message: str) -> NoReturn:
    """A usage error: typer prints the usage and the message, and exits with code 2."""
    ctx.fail(message)
    raise AssertionError("unreachable")  # pragma: no cover - fail() raises


def _load_settings(path: Path | None) -> Settings:
    from wiretrace.settings import load_settings

    return load_settings(path)


def _progress(console: Console) -> Progress:
    """A progress bar on ``console`` (stderr); silent when stderr is not a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _version(value: bool) -> None:
    if value:
        print(f"wiretrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Find which news articles tell the same story and which text they share.

    Exit codes: 0 ok, 1 some inputs skipped (batch mode), 2 bad input or usage.
    """


# --- compare ----------------------------------------------------------------------------------


def _date_order_option() -> Any:
    return typer.Option(
        "--date-order",
        case_sensitive=False,
        help="Numeric dates like 3/4/2021: day first (DMY, default) or month first (MDY).",
        rich_help_panel="Reading the input",
    )


def _encoding_option() -> Any:
    return typer.Option(
        "--encoding",
        metavar="NAME",
        help="Read every input file in this encoding (default: UTF-8, a BOM's, or detected).",
        rich_help_panel="Reading the input",
    )


def _max_chars_option() -> Any:
    return typer.Option(
        "--max-chars",
        min=1,
        help="Cut longer article texts here, with a warning.",
        rich_help_panel="Reading the input",
    )


def _agency_option() -> Any:
    return typer.Option(
        "--agency",
        metavar="NAME",
        help="Also look for credits of this agency (repeatable; e.g. a regional agency).",
    )


def _with_agencies(settings: Settings, agencies: list[str] | None) -> Settings:
    """``settings`` with ``agencies`` added to the agency names credits are looked for."""
    if not agencies:
        return settings
    import dataclasses

    names = tuple(sorted(set(settings.corpus.agencies) | set(agencies)))
    return dataclasses.replace(
        settings, corpus=dataclasses.replace(settings.corpus, agencies=names)
    )


class DateOrderChoice(StrEnum):
    DMY = "DMY"
    MDY = "MDY"


def _read_options(
    encoding: str | None,
    date_order: DateOrderChoice,
    max_chars: int,
    on_warning: Any,
    fields: Any = None,
) -> Any:
    """The readers' options from the CLI flags; an unknown encoding is a usage error (exit 2)."""
    import codecs

    from wiretrace.io.fields import FieldNames, ReadOptions

    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            _fail(f"--encoding: unknown encoding {encoding!r}")
    return ReadOptions(
        fields=fields or FieldNames(),
        date_order=date_order.value,  # type: ignore[arg-type]
        encoding=encoding,
        max_chars=max_chars,
        on_warning=on_warning,
    )


class _FirstWarnings:
    """Prints the first warning of each kind on stderr as it happens (the rest are counted
    in the summary), so that even ``--quiet`` shows once what was read other than given."""

    def __init__(self) -> None:
        self.kinds: set[str] = set()

    def __call__(self, warning: Any) -> None:
        if warning.kind in self.kinds:
            return
        self.kinds.add(warning.kind)
        print(f"wiretrace: {warning}", file=sys.stderr, flush=True)


@app.command()
def compare(
    ctx: typer.Context,
    a: Annotated[
        Path | None,
        typer.Argument(
            help="First article: a file in any format analyze reads (its first article, or"
            " FILE#ID for the article with that id).",
            metavar="A",
            show_default=False,
        ),
    ] = None,
    b: Annotated[
        Path | None, typer.Argument(help="Second article, like A.", show_default=False, metavar="B")
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the comparison as JSON (see README).")
    ] = False,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings", help="TOML file overriding settings (\\[align], \\[same_story] tables)."
        ),
    ] = None,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours; mark differences as [-a-] {+b+}.")
    ] = False,
    pairs: Annotated[
        Path | None,
        typer.Option(
            "--pairs",
            help="Batch mode: file with one pair per line (two paths, or two ids with --corpus).",
        ),
    ] = None,
    base_dir: Annotated[
        Path | None,
        typer.Option(
            "--base-dir",
            help="Batch: resolve relative paths here (default: the pairs file's folder).",
        ),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus", help="Batch: pairs name article ids of this JSON lines/JSON file."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", min=1, help="Batch: worker processes (default: all CPUs)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Batch: write the JSON lines here instead of stdout."),
    ] = None,
    date_order: Annotated[DateOrderChoice, _date_order_option()] = DateOrderChoice.DMY,
    encoding: Annotated[str | None, _encoding_option()] = None,
    max_chars: Annotated[int, _max_chars_option()] = 2_000_000,
    agency: Annotated[list[str] | None, _agency_option()] = None,
) -> None:
    """Compare two articles: same-story verdict, coverage and the passages they share.

    With --pairs, compare many pairs and write one JSON record per pair (JSON lines, input
    order); bad pairs are reported on stderr and skipped (exit code 1).
    """
    if pairs is not None:
        if a is not None or b is not None:
            _usage(ctx, "give either two articles A B or --pairs FILE, not both")
        if base_dir is not None and corpus is not None:
            _usage(ctx, "--base-dir and --corpus cannot be combined")
        try:
            settings = _load_settings(settings_file)
        except InputError as err:
            _fail(err)
        options = _read_options(encoding, date_order, max_chars, _FirstWarnings())
        settings = _with_agencies(settings, agency)
        code = _compare_batch(pairs, base_dir, corpus, jobs, out, settings, options)
        raise typer.Exit(code)
    if a is None or b is None:
        _usage(ctx, "compare needs two articles A B (or --pairs FILE)")
    for name, value in (("--base-dir", base_dir), ("--corpus", corpus), ("--jobs", jobs)):
        if value is not None:
            _usage(ctx, f"{name} only applies to batch mode (--pairs)")
    if out is not None:
        _usage(ctx, "--out only applies to batch mode (--pairs); redirect stdout instead")
    options = _read_options(encoding, date_order, max_chars, _print_warning)
    _compare_two(a, b, json_out, settings_file, no_color, options, agency)


def _print_warning(warning: Any) -> None:
    print(f"wiretrace: {warning}", file=sys.stderr, flush=True)


def _compare_two(
    a: Path,
    b: Path,
    json_out: bool,
    settings_file: Path | None,
    no_color: bool,
    options: Any,
    agencies: list[str] | None = None,
) -> None:
    from wiretrace.report.batch import read_article_file

    try:
        settings = _with_agencies(_load_settings(settings_file), agencies)
        article_a = read_article_file(a, options)
        article_b = read_article_file(b, options)
    except InputError as err:
        _fail(err)

    from wiretrace.report.compare import compare_prepared, comparison_to_dict
    from wiretrace.reuse.prepared import prepare

    pa = prepare(article_a.text, settings.align)
    pb = prepare(article_b.text, settings.align)
    result = compare_prepared(article_a, article_b, pa, pb, settings)
    if json_out:
        import json

        record = comparison_to_dict(result, agencies=settings.corpus.agencies)
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    console = Console(no_color=no_color or None, highlight=False)
    _render_comparison(console, result, pa.tokens, pb.tokens, settings, marks=no_color)


def _side_text(
    text: str, start: int, end: int, spans: list[tuple[int, int]], style: str, marks: tuple | None
) -> Text:
    """``text[start:end]`` with the given absolute spans styled (or bracketed by ``marks``)."""
    from rich.text import Text

    out = Text()
    pos = start
    for s, e in spans:
        s, e = max(s, pos), min(e, end)  # edits lie inside the passage; clip to be safe
        if e <= s:
            continue
        out.append(text[pos:s])
        if marks is None:
            out.append(text[s:e], style=style)
        else:
            out.append(f"{marks[0]}{text[s:e]}{marks[1]}")
        pos = e
    out.append(text[pos:end])
    return out


def _render_comparison(
    console: Console, c: Comparison, tokens_a: Any, tokens_b: Any, settings: Settings, marks: bool
) -> None:
    from rich.padding import Padding
    from rich.text import Text

    from wiretrace.report.diff import passage_edits
    from wiretrace.report.names import name_of_article

    plain = marks or not console.is_terminal or console.no_color
    for side, art in (("a", c.a), ("b", c.b)):
        name = name_of_article(art)
        line = Text()
        line.append(f"{side}  ", style="bold")
        line.append(name.name, style="bold")
        console.print(line, soft_wrap=plain)
        # The path names a text file; an article of a JSON file has an id of its own too.
        own_id = art.path is None or Path(art.path).stem != art.id
        facts = [name.meta, art.path, f"id {art.id}" if own_id else "", f"{len(art.text):,} chars"]
        console.print(
            "   " + " · ".join(x for x in facts if x), style="dim", soft_wrap=plain, markup=False
        )
    console.print()

    s = c.same_story
    verdict = Text("Same story: ")
    verdict.append(s.verdict, style=_VERDICT_STYLE.get(s.verdict, "bold"))
    verdict.append(f"  score {s.score:.2f}")
    if s.features:
        feats = " · ".join(f"{k} {v:.2f}" for k, v in s.features.items())
        verdict.append(f"   ({feats})", style="dim")
    console.print(verdict, soft_wrap=plain)
    console.print(
        f"Coverage: a {c.coverage_a:.1%} · b {c.coverage_b:.1%} of the text is in shared passages",
        soft_wrap=plain,
    )
    n = len(c.passages)
    if n == 0:
        console.print(
            "No shared passages (passages shorter than "
            f"{settings.align.min_passage_chars} characters on either side are not reported).",
            soft_wrap=plain,
        )
        return
    console.print(f"{n} shared passage{'s' if n != 1 else ''}", end="")
    if plain:
        console.print(": differences marked [-only in a-] and {+only in b+}", soft_wrap=True)
    else:
        legend = Text(": differences ")
        legend.append("struck through in a", style=_A_STYLE)
        legend.append(", ")
        legend.append("bold in b", style=_B_STYLE)
        console.print(legend)

    for i, p in enumerate(c.passages, start=1):
        edits = passage_edits(tokens_a, tokens_b, p)
        spans_a = [(e.a.start, e.a.end) for e in edits if e.kind != "insert"]
        spans_b = [(e.b.start, e.b.end) for e in edits if e.kind != "delete"]
        console.print()
        console.print(
            f"[{i}] a {p.a.start}–{p.a.end} ↔ b {p.b.start}–{p.b.end} · similarity {p.similarity:.2f}",
            style="bold",
            markup=False,
            soft_wrap=plain,
        )
        sides = (
            ("a", c.a.text, p.a, spans_a, _A_STYLE, _A_MARKS),
            ("b", c.b.text, p.b, spans_b, _B_STYLE, _B_MARKS),
        )
        for label, text, span, spans, style, side_marks in sides:
            body = _side_text(
                text, span.start, span.end, spans, style, side_marks if plain else None
            )
            console.print(Text(f"  {label}:", style="bold cyan"))
            if plain:
                # No wrapping off-terminal: each line of the text, indented, exactly as it is.
                for line in body.split("\n", allow_blank=True):
                    console.print(Text("    ") + line, soft_wrap=True)
            else:
                console.print(Padding(body, (0, 0, 0, 4)))


def _compare_batch(
    pairs_file: Path,
    base_dir: Path | None,
    corpus_file: Path | None,
    jobs: int | None,
    out: Path | None,
    settings: Settings,
    options: Any,
) -> int:
    """Run batch mode; return the exit code (0, or 1 if anything was skipped)."""
    import dataclasses
    import json

    from rich.console import Console

    from wiretrace.io.fields import print_warning
    from wiretrace.report.batch import compare_pairs, read_pairs_file

    skipped = 0

    def warn(error: InputError) -> None:
        nonlocal skipped
        skipped += 1
        print(f"wiretrace: {error}", file=sys.stderr, flush=True)

    try:
        refs, bad_lines = read_pairs_file(pairs_file)
    except InputError as err:
        _fail(err)
    corpus = None
    if corpus_file is not None:
        from wiretrace.io.readers import read_articles

        corpus_errors: list[InputError] = []
        corpus = {}
        for article in read_articles(corpus_file, corpus_errors.append, options):
            corpus[article.id] = article
        if not corpus:  # nothing usable: the corpus itself is bad
            for err in corpus_errors[:-1]:
                print(f"wiretrace: {err}", file=sys.stderr)
            _fail(
                corpus_errors[-1] if corpus_errors else InputError(str(corpus_file), "no articles")
            )
        for err in corpus_errors:
            warn(err)
    for err in bad_lines:
        warn(err)

    try:
        sink = sys.stdout if out is None else out.open("w", encoding="utf-8", newline="\n")
    except OSError as exc:
        _fail(InputError(str(out), f"cannot write: {exc.strerror or exc}"))
    stderr = Console(stderr=True)
    progress = _progress(stderr)
    compared = 0
    try:
        with progress:
            task = progress.add_task("comparing", total=len(refs))
            for outcome in compare_pairs(
                refs,
                base_dir=base_dir if base_dir is not None else pairs_file.parent,
                corpus=corpus,
                corpus_name=str(corpus_file),
                settings=settings,
                jobs=jobs,
                progress=lambda done, _total: progress.update(task, completed=done),
                read_options=dataclasses.replace(options, on_warning=print_warning),
            ):
                if outcome.error is not None:
                    warn(outcome.error)
                    continue
                sink.write(json.dumps(outcome.record, ensure_ascii=False) + "\n")
                compared += 1
    finally:
        if out is not None:
            sink.close()
        else:
            sink.flush()
    if skipped:
        listed = len(refs) + len(bad_lines)
        print(
            f"wiretrace: {compared} of {listed} pairs compared; {skipped} problem(s) reported above",
            file=sys.stderr,
        )
    return 1 if skipped else 0


def _read_store(db: Path) -> Store:
    """The store at ``db`` opened read-only, or a one-line error (exit code 2)."""
    from wiretrace.errors import StoreError
    from wiretrace.store.db import Store

    try:
        return Store.open(db, read_only=True)
    except StoreError as err:
        _fail(err)


@contextmanager
def _storage_errors(db: Path) -> Iterator[None]:
    """A store or its storage failing inside the block (not a store, disk full, read-only,
    I/O error) is one line naming the store and the cause, exit code 2."""
    import sqlite3

    from wiretrace.errors import StoreError
    from wiretrace.store.db import storage_error

    try:
        yield
    except StoreError as err:
        _fail(err)
    except sqlite3.Error as exc:
        _fail(storage_error(str(db), exc))


@contextmanager
def _stdout_errors() -> Iterator[None]:
    """Writing to stdout failing inside the block: a closed pipe (``| head``) ends the command
    quietly, as Unix tools do; anything else (``> /dev/full``: no space left) is one line.
    Either way exit code 2, and stdout is pointed at /dev/null so that Python's own last
    flush at exit does not fail again with a traceback."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(2) from None
    except SystemExit as exc:  # rich's Console quits with 1 on a broken pipe: same as above
        if isinstance(exc.__context__, BrokenPipeError):
            raise typer.Exit(2) from None
        raise
    except OSError as exc:
        _silence_stdout()
        _fail(f"stdout: cannot write: {exc.strerror or exc}")


def _silence_stdout() -> None:
    from contextlib import suppress

    with suppress(OSError, ValueError):  # ValueError: a stdout without a descriptor
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# --- analyze and export ------------------------------------------------------------------------

_DEFAULT_DB = Path("wiretrace.db")
_OUT_FILES = (
    ("articles", "articles.jsonl"),
    ("passages", "passages.jsonl"),
    ("pairs", "pairs.jsonl"),
    ("stories", "stories.jsonl"),
)
_GLOB_CHARS = frozenset("*?[")


def _missing(path: str) -> bool:
    """Whether ``path`` does not exist; a path that cannot be looked at (a folder without
    permission on the way) is not "missing": the readers report it as it is."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


class RecordKind(StrEnum):
    articles = "articles"
    passages = "passages"
    pairs = "pairs"
    stories = "stories"
    outlets = "outlets"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _column_option(field: str) -> Any:
    return typer.Option(
        f"--{field}-column",
        metavar="NAME",
        help=f"CSV/JSON input: the column or field holding the article {field}.",
        rich_help_panel="Reading the input",
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
    import os

    from wiretrace.report.html import render_report

    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_report(store), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}" if value in (0.0, 1.0) else f"{value:.1%}"


def _named(name: ArticleName, with_id: bool = False) -> Text:
    """An article for a table cell: its name, and below it (dim) outlet and date, and with
    ``with_id`` its id (what ``wiretrace show`` takes) on a line of its own."""
    from rich.text import Text

    cell = Text(name.name)
    if name.meta:
        cell.append("\n" + name.meta, style="dim")
    if with_id:
        cell.append(f"\nid {name.id}", style="dim")
    return cell


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
    """Remove articles from a store; every result is brought up to date as if they had never
    been added. Unknown ids are reported (exit code 1); the others are still removed.
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


@app.command()
def export(
    ctx: typer.Context,
    what: Annotated[
        RecordKind,
        typer.Option("--what", help="Which records: articles, passages (reuse groups) or pairs."),
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
    """Write a store's results (articles, passages or pairs) as JSON lines, CSV or Parquet."""
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
    """How much of each outlet is agency copy, text from other outlets, and its own; and
    from which outlets it takes text."""
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


# --- show and serve ---------------------------------------------------------------------------


@app.command()
def show(
    article_id: Annotated[
        str, typer.Argument(help="The article's id, as stored.", metavar="ID", show_default=False)
    ],
    db: Annotated[Path, typer.Option("--db", help="The store to read.")] = _DEFAULT_DB,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the article view as JSON (see README).")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours; mark added/cut lines with + and -.")
    ] = False,
) -> None:
    """One stored article: its reused passages and what it added and cut against its main source."""
    from wiretrace.report.article_view import article_view, article_view_to_dict

    store = _read_store(db)
    with _storage_errors(db), store:
        view = article_view(store, article_id)
    if view is None:
        _fail(f"{db}: no article with id {article_id!r}")
    if json_out:
        import json

        with _stdout_errors():
            print(json.dumps(article_view_to_dict(view), ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    console = Console(no_color=no_color or None, highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160, no_color=True)
    with _stdout_errors():
        _render_show(console, view)


def _render_show(console: Console, view: Any) -> None:
    from rich.text import Text

    r = view.record
    names = view.names
    console.print(Text(names[r["id"]].name, style="bold"), soft_wrap=True)
    facts = [r["outlet"] or "(no outlet)", names[r["id"]].when or "(no date)"]
    facts.append(f"{r['chars']:,} chars")
    if r["originality"] is not None:
        facts.append(f"originality {_share(r['originality'])}")
    if r["agencies"]:
        facts.append("credits " + ", ".join(r["agencies"]))
    if r["duplicate_of"]:
        facts.append(f"copy of {names[r['duplicate_of']].label}")
    if r["story_id"] is not None:
        facts.append(f"story {r['story_id']}")
    facts.append(f"id {r['id']}")
    console.print(" · ".join(facts), style="dim", soft_wrap=True, markup=False)
    console.print()
    n = len(view.passages)
    console.print(f"{n} reused passage{'s' if n != 1 else ''}", style="bold")
    for p in view.passages:
        first = "here" if p.earliest == r["id"] else f"by {names[p.earliest].label}"
        line = f"  group {p.group}  {p.start}–{p.end}  first printed {first}"
        line += " (boilerplate)" if p.boilerplate else ""
        console.print(line, soft_wrap=True, markup=False)
        console.print(f"    also in {len(p.others)}:", style="dim", soft_wrap=True)
        for o in p.others[:4]:
            console.print(f"      {names[o.id].label}", style="dim", soft_wrap=True, markup=False)
        if len(p.others) > 4:
            console.print(f"      and {len(p.others) - 4} more", style="dim", soft_wrap=True)
    m = view.main_source
    console.print()
    if m is None:
        console.print("No source: no earlier article shares text with this one.")
        return
    source = names[m.source["id"]]
    console.print(f"Main source: {source.label}", style="bold", soft_wrap=True, markup=False)
    console.print(
        f"  {m.shared_chars:,} chars shared"
        + (f", similarity {m.source['similarity']:.2f}" if m.source["similarity"] else "")
        + f" · id {source.id}",
        style="dim",
        soft_wrap=True,
        markup=False,
    )
    console.print(f"Added here ({m.added_chars:,} chars):", style="bold green")
    for s in m.added:
        console.print(
            Text("  + " + _one_line(view.text[s.start : s.end]), style="green"), soft_wrap=True
        )
    console.print(f"Cut from the source ({m.cut_chars:,} chars):", style="bold red")
    for s in m.cut:
        console.print(
            Text("  - " + _one_line(m.source_text[s.start : s.end]), style="red"), soft_wrap=True
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())


@app.command()
def serve(
    db: Annotated[Path, typer.Option("--db", help="The store to browse.")] = _DEFAULT_DB,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (other machines: 0.0.0.0).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Refuse writes (POST /api/articles gets 403).")
    ] = False,
    max_body: Annotated[
        int, typer.Option("--max-body", min=1, help="Largest request body in bytes (else 413).")
    ] = 10_000_000,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="TOML file overriding settings of the compare views and POST /api/compare"
            " (\\[align], \\[same_story] tables; e.g. embeddings = false for speed), and of"
            " POST /api/articles: give the store's own \\[align] and \\[corpus] settings, or"
            " the first POST redoes the store under the server's.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes (default: one per CPU core). Each loads its own copy of"
            " the embedding model (about 120 MB) when a comparison first needs it.",
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Also answer requests whose Host header names NAME (repeatable; any port;"
            " * for any name). Loopback names and the --host address are always allowed;"
            " other names get 400 (DNS rebinding).",
        ),
    ] = None,
) -> None:
    """Browse stories, articles and reused text in a web browser; HTTP API under /api/."""
    from wiretrace.errors import StoreError

    try:
        import uvicorn  # noqa: F401  (here for the message below; the server imports it)

        from wiretrace.web.app import create_app
    except ImportError as exc:  # pragma: no cover - dependencies of the package
        _fail(f"serve needs fastapi, uvicorn and jinja2 ({exc})")
    from wiretrace.web.middleware import allowed_hosts
    from wiretrace.web.processes import listen, run_processes, run_server

    hosts = allowed_hosts(host, allow_host or ())
    try:
        settings = _load_settings(settings_file)
        with _storage_errors(db):
            web = create_app(
                db, read_only=read_only, max_body=max_body, settings=settings, hosts=hosts
            )
    except (InputError, StoreError) as err:
        _fail(err)
    try:
        sock = listen(host, port)
    except OSError as err:
        reason = (err.strerror or str(err)).lower()
        _fail(f"cannot listen on {host}:{port}: {reason}")
    workers = workers or os.cpu_count() or 1
    print(
        f"wiretrace: serving {db} on http://{host}:{port}/ with {workers} process"
        f"{'es' if workers > 1 else ''} (Ctrl-C stops)",
        file=sys.stderr,
    )
    if workers == 1:
        run_server(web, sock)
        return
    # Worker processes build their own app from these (checked above, in this process).
    from wiretrace.web.app import serve_environment

    os.environ.update(serve_environment(db, read_only, max_body, settings_file, hosts))
    run_processes(sock, workers)


# --- watch ------------------------------------------------------------------------------------


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
    """Make the store one compact file (the write-ahead log folded in), or copy it into one:
    for backups and moving a store (see README)."""
    from wiretrace.store.db import vacuum as vacuum_store

    if into is not None and into.resolve() == db.resolve():
        _fail(InputError(str(into), "--into must be another file than the store"))
    with _storage_errors(db):
        vacuum_store(db, into)
    result = into or db
    print(f"wiretrace: {result}: one file, {result.stat().st_size:,} bytes", file=sys.stderr)


# --- eval -------------------------------------------------------------------------------------


@eval_app.command("plagdet")
def eval_plagdet(
    corpus_dir: Annotated[
        Path, typer.Argument(help="PAN 2013 text-alignment corpus (src/, susp/, subset folders).")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write PAN detection XML here (one folder per subset)."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Worker processes (default: all CPUs).")
    ] = None,
    subset: Annotated[
        list[str] | None,
        typer.Option("--subset", help="Only this subset (repeat for several; default: all)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N pairs of each subset.")
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option("--settings", help="TOML file overriding \\[align] settings."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the scores as JSON instead of a table.")
    ] = False,
) -> None:
    """Align every pair of a PAN corpus; print recall, precision, granularity and PlagDet."""
    import json

    from rich.console import Console

    from wiretrace.eval.pan import run_plagdet

    try:
        settings = _load_settings(settings_file)
    except InputError as err:
        _fail(err)
    progress = _progress(Console(stderr=True))
    try:
        with progress:
            task = progress.add_task("aligning", total=None)
            report = run_plagdet(
                corpus_dir,
                out_dir=out,
                jobs=jobs,
                subsets=subset or None,
                limit=limit,
                settings=settings.align,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except InputError as err:
        _fail(err)
    if json_out:
        print(json.dumps(report.to_dict(), indent=2))
        return
    console = Console(highlight=False)
    if not console.is_terminal:  # files and pipes: never squeeze the table into 80 columns
        console = Console(highlight=False, width=200)
    _render_plagdet(console, report)


def _render_plagdet(console: Console, report: PlagdetReport) -> None:
    from rich.table import Table

    # No box and single spaces between columns: the seven columns fit 80 terminal columns.
    table = Table(box=None, padding=(0, 1), collapse_padding=True, pad_edge=False)
    table.add_column("subset", no_wrap=True)
    for name in ("cases", "detections", "recall", "precision", "granularity", "plagdet"):
        table.add_column(name, justify="right")
    rows = [*report.subsets.items(), ("overall", report.overall)]
    for i, (name, s) in enumerate(rows):
        table.add_row(
            name,
            str(s.cases),
            str(s.detections),
            f"{s.recall:.4f}",
            f"{s.precision:.4f}",
            f"{s.granularity:.4f}",
            f"{s.plagdet:.4f}",
            style="bold" if i == len(rows) - 1 else None,
            end_section=i == len(rows) - 2,
        )
    console.print(table)
    console.print(
        f"{report.pairs} pairs in {report.seconds:.1f} s wall "
        f"({report.pairs_per_second:.1f} pairs/s, {report.jobs} job{'s' if report.jobs != 1 else ''})"
    )


@eval_app.command("pairs")
def eval_pairs(
    pairs_file: Annotated[
        Path, typer.Argument(help="CSV with a header: id1, id2 and a rating column.")
    ],
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Articles named by the ids (.jsonl/.json/folder).")
    ],
    column: Annotated[
        str, typer.Option("--column", help="The rating column (default: overall).")
    ] = "overall",
    high_is_similar: Annotated[
        bool,
        typer.Option(
            "--high-is-similar",
            help="High ratings mean similar (default: low means similar, as in SemEval 1-4).",
        ),
    ] = False,
    settings_file: Annotated[
        Path | None,
        typer.Option("--settings", help="TOML file overriding settings (\\[same_story], ...)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Correlate the same-story score with your ratings of article pairs (Pearson, Spearman)."""
    import json

    from wiretrace.eval.pairs import evaluate_pairs, read_rated_pairs
    from wiretrace.io.readers import load_corpus

    try:
        settings = _load_settings(settings_file)
        pairs = read_rated_pairs(pairs_file, column)
        articles = load_corpus(corpus)
        report = evaluate_pairs(pairs, articles, not high_is_similar, str(pairs_file), settings)
    except InputError as err:
        _fail(err)
    if json_out:
        print(json.dumps(report.to_dict()))
        return
    sign = "" if high_is_similar else "-"
    print(f"pairs     {report.n}")
    print(f"pearson   {report.pearson:.4f}   (score vs {sign}{column})")
    print(f"spearman  {report.spearman:.4f}")


def main() -> None:
    """Console-script entry point (``wiretrace``)."""
    try:
        app(prog_name="wiretrace")
    except BrokenPipeError:  # e.g. `wiretrace compare --pairs p.txt | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
