"""``wiretrace show``: one stored article, what it reused, added and cut."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
from wiretrace.cli.common import (
    _DEFAULT_DB,
    _fail,
    _read_store,
    _share,
    _stdout_errors,
    _storage_errors,
    app,
)


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

