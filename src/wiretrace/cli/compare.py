"""``wiretrace compare``: two articles, or many pairs in batch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wiretrace.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.text import Text

    from wiretrace.model import Comparison
    from wiretrace.settings import Settings
from wiretrace.cli.common import (
    _A_MARKS,
    _A_STYLE,
    _B_MARKS,
    _B_STYLE,
    _VERDICT_STYLE,
    DateOrderChoice,
    _agency_option,
    _date_order_option,
    _encoding_option,
    _fail,
    _FirstWarnings,
    _load_settings,
    _max_chars_option,
    _print_warning,
    _progress,
    _read_options,
    _usage,
    _with_agencies,
    app,
)


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
    from wiretrace.report.provenance import describe, relation_of

    relation, credits_a, credits_b = relation_of(c.a, c.b, settings.corpus.agencies)

    def credited(found: Any) -> str:
        text = ", ".join(found.text) or "none"
        return text + (f" (pictures: {', '.join(found.image)})" if found.image else "")

    console.print(
        f"Credits: a {credited(credits_a)} · b {credited(credits_b)}", soft_wrap=plain, markup=False
    )
    console.print(f"Relation: {describe(relation)}", soft_wrap=plain, markup=False)
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

