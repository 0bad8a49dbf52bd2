"""What the commands share: the Typer apps, option factories, errors and output helpers."""

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

    from wiretrace.report.names import ArticleName
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



def _print_warning(warning: Any) -> None:
    print(f"wiretrace: {warning}", file=sys.stderr, flush=True)



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

