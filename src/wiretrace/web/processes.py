"""``wiretrace serve --workers N``: several server processes sharing one listening socket.

uvicorn runs the processes; each builds the app from the ``WIRETRACE_SERVE_*`` variables (see
``web.app.app_from_environment``). The listening socket is re-wrapped first: uvicorn (0.54)
binds it with protocol number 0, accepted connections inherit that, and asyncio enables
``TCP_NODELAY`` only on sockets that say ``IPPROTO_TCP``. Without it every keep-alive request
after the first waited about 40 ms for the client's delayed ACK (measured: 48 ms a request
from one client against 4 ms with one process; uvicorn issue #3149).
"""

from __future__ import annotations

import contextlib
import socket


def tcp_socket(sock: socket.socket) -> socket.socket:
    """``sock`` as a socket object that reports ``IPPROTO_TCP`` (same descriptor), so that
    connections accepted on it get ``TCP_NODELAY`` from asyncio."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto != 0:
        return sock
    tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    tcp.set_inheritable(True)
    return tcp


def run_processes(host: str, port: int, workers: int) -> None:
    """Serve with ``workers`` processes until interrupted (the options are in the environment)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "wiretrace.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[tcp_socket(config.bind_socket())]).run()
