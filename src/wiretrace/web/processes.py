"""``wiretrace serve --workers N``: several server processes sharing one listening socket.

uvicorn runs the processes; each builds the app from the ``WIRETRACE_SERVE_*`` variables (see
``web.app.app_from_environment``). The listening socket is ours (:func:`listen`), bound before
anything is announced, and made with protocol ``IPPROTO_TCP``: uvicorn (0.54) binds its own with
protocol number 0, accepted connections inherit that, and asyncio enables ``TCP_NODELAY`` only
on sockets that say ``IPPROTO_TCP``. Without it every keep-alive request after the first waited
about 40 ms for the client's delayed ACK (measured: 48 ms a request from one client against 4
ms with one process; uvicorn issue #3149).
"""

from __future__ import annotations

import contextlib
import socket


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening, for :func:`run_server` or
    :func:`run_processes`. Bound before the server announces anything, so that a busy port or
    an address not on this machine is an ``OSError`` here (uvicorn would log it and exit 1
    or 3 after the announcement). As uvicorn binds (``SO_REUSEADDR``; IPv6 for an address with
    a ``:``), but with protocol ``IPPROTO_TCP``, so that connections accepted on it get
    ``TCP_NODELAY`` from asyncio also when several processes share it."""
    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(2048)  # uvicorn's default backlog
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run_server(app: object, sock: socket.socket) -> None:
    """Serve ``app`` in this process on the listening ``sock`` until interrupted."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))  # type: ignore[arg-type]
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])


def run_processes(sock: socket.socket, workers: int) -> None:
    """Serve with ``workers`` processes on the listening ``sock`` until interrupted (the
    options are in the environment)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "wiretrace.web.app:app_from_environment",
        factory=True,
        workers=workers,
        log_level="warning",
    )
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[sock]).run()
