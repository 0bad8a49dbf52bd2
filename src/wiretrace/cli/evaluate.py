"""``wiretrace eval``: scoring the aligner and the same-story score on labelled data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wiretrace.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from wiretrace.eval.pan import PlagdetReport
from wiretrace.cli.common import (
    _fail,
    _load_settings,
    _progress,
    eval_app,
)


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

