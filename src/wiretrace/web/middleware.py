"""The ASGI layers around every request of ``wiretrace serve`` (plain ASGI, no per-request task).

From the outside in (see ``create_app``):

- :class:`SecurityHeaders`: every response, whatever answered it, carries a strict
  Content-Security-Policy (scripts, styles, images and requests from this server only; no inline
  script or style; no framing; no ``<base>``; forms post here only), ``nosniff``, a referrer
  policy and ``X-Frame-Options``; and ``Server-Timing`` (the app's time).
- :class:`CatchAll`: an exception nobody handled is logged with its traceback and answered with
  the error object (500) or the error page, never with a plain-text 500.
- :class:`AllowedHosts`: a request whose ``Host`` is not in the allow-list gets 400 before
  anything else runs. A page in a browser can make the browser send requests to
  ``127.0.0.1:8000`` under a name it controls (DNS rebinding) and read the answers as its own;
  the ``Host`` header still carries that name, so refusing unknown names closes the hole.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]

log = logging.getLogger("wiretrace.web")

# Names a browser on this machine uses for a server on this machine; any port.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
# Addresses that mean "every interface": not a name anyone sends in Host.
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none';"
    " base-uri 'none'"
)
_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


def error_body(code: str, message: str) -> bytes:
    """The documented error object, ``{"error": {"code", "message"}}``, as JSON bytes."""
    return json.dumps({"error": {"code": code, "message": message}}).encode()


async def send_json(send: Any, status: int, body: bytes, close: bool = False) -> None:
    """A complete JSON response on ``send``."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add the security headers and ``Server-Timing`` to every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - t0) * 1000
                headers = [(k, v) for k, v in message.get("headers", ()) if k not in _NAMES]
                headers += _HEADERS
                headers.append((b"server-timing", b"app;dur=%.1f" % ms))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_NAMES = {name for name, _ in _HEADERS}


Render = Callable[[Scope, int, str, str], Awaitable[Any]]


class CatchAll:
    """Answer an unhandled exception with ``render(scope, 500, "internal_error", message)`` (an
    ASGI app: the error object under /api/, the error page elsewhere) and log its traceback.
    After the response has started nothing can be answered any more: the exception goes on to
    the server, which closes the connection."""

    def __init__(self, app: Any, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = await self.render(
                scope, 500, "internal_error", "unexpected error on the server (it is logged there)"
            )
            await response(scope, receive, send)


def host_name(header: str) -> str:
    """The name in a ``Host`` header, lower case, without port or IPv6 brackets
    (``[::1]:8000`` -> ``::1``, ``Example.org:80`` -> ``example.org``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def allowed_hosts(bound: str | None, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The names :class:`AllowedHosts` lets through: the loopback names, the address the server
    is bound to (unless it is a wildcard such as 0.0.0.0), and ``extra`` (``--allow-host``;
    ``*`` lets every name through)."""
    names = list(LOOPBACK_HOSTS)
    if bound is not None and bound.strip() not in WILDCARD_ADDRESSES:
        names.append(host_name(bound))
    names += [host_name(x) if x != "*" else "*" for x in extra]
    return tuple(dict.fromkeys(names))


class AllowedHosts:
    """Refuse requests whose ``Host`` header names no allowed host with 400 and the error
    object (code ``bad_host``); any port is accepted. A request without ``Host`` is refused
    too. Runs inside :class:`~wiretrace.web.limits.BodyLimit`, whose draining lets every
    client read the refusal."""

    def __init__(self, app: Any, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.any = "*" in self.hosts

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.any:
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope.get("headers", ()) if k == b"host"), None)
        name = host_name(header.decode("latin-1")) if header is not None else None
        if name in self.hosts:
            await self.app(scope, receive, send)
            return
        shown = "no Host header" if header is None else f"Host {header.decode('latin-1')!r}"
        message = (
            f"{shown} is not allowed; this server answers to "
            f"{', '.join(sorted(self.hosts))} (wiretrace serve --allow-host NAME adds a name)"
        )
        await send_json(send, 400, error_body("bad_host", message))
