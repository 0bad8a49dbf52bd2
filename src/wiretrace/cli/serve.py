"""``wiretrace serve``: the web app and HTTP API."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from wiretrace.cli.common import (
    _DEFAULT_DB,
    _fail,
    _load_settings,
    _storage_errors,
    app,
)
from wiretrace.errors import InputError


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

