"""ASGI middleware refusing request bodies over a size limit with 413, and reading every body
before its response so that every client can read the response.

Checks the declared ``Content-Length`` first and then counts the bytes actually received (a
chunked body has no length, so it is read first, at most ``max_body`` bytes), so no handler
ever sees more than ``max_body`` bytes. (A client cannot send more than it declared: the HTTP
server ends the body at the declared length.)

Why read a body nobody wants: a server that answers before it has read the request and then
closes the connection (as it must for a ``Connection: close`` client such as ``urllib``)
leaves unread bytes in its socket, and the kernel then resets the connection; the client gets
"connection reset" instead of the answer (a 413, a 404, a 400). So before any response starts,
the rest of the body is read and dropped, up to ``drain_limit`` bytes (default: 4 x
``max_body``, at least 100 MB); beyond that, or for a client waiting for ``100 Continue`` that
has sent nothing yet, the response says ``Connection: close`` instead.
"""

from __future__ import annotations

from typing import Any

from wiretrace.web.middleware import error_body, send_json

Scope = dict[str, Any]
Message = dict[str, Any]


class _Body:
    """The request body as it is read: counted, and whether more is to come."""

    def __init__(self, receive: Any, pending: bool) -> None:
        self._receive = receive
        self.pending = pending
        self.received = 0

    async def receive(self) -> Message:
        message: Message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.pending = bool(message.get("more_body", False))
        else:  # http.disconnect: nothing more will come
            self.pending = False
        return message

    async def drain(self, limit: int) -> None:
        """Read and drop the rest of the body while at most ``limit`` bytes were read."""
        while self.pending and self.received <= limit:
            await self.receive()


class BodyLimit:
    """Wrap an ASGI app: bodies over ``max_body`` bytes get ``413`` with an error object; every
    response starts only after the request body is read (up to ``drain_limit`` bytes)."""

    def __init__(self, app: Any, max_body: int, drain_limit: int | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.drain_limit = drain_limit if drain_limit is not None else max(4 * max_body, 10**8)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        chunked = waits_for_continue = False
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"expect" and value.lower() == b"100-continue":
                waits_for_continue = True
        body = _Body(receive, pending=bool(declared) or (declared is None and chunked))
        drainable = declared is None or declared <= self.drain_limit

        async def send_after_body(message: Message) -> None:
            if message["type"] == "http.response.start" and body.pending:
                # A client waiting for "100 Continue" has sent nothing yet: nothing to drain.
                if drainable and not (waits_for_continue and body.received == 0):
                    await body.drain(self.drain_limit)
                if body.pending:
                    headers = [*message.get("headers", ()), (b"connection", b"close")]
                    message = {**message, "headers": headers}
            await send(message)

        if declared is not None and declared > self.max_body:
            await self._refuse(send_after_body)
            return
        if declared is not None or not body.pending:
            await self.app(scope, body.receive, send_after_body)
            return
        # No declared length (chunked): read the body first, at most max_body bytes, so that an
        # oversized one is refused before the app sees any of it.
        messages = []
        while True:
            message = await body.receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            if body.received > self.max_body:
                await self._refuse(send_after_body)
                return
            if not body.pending:
                break
        replay = iter(messages)

        async def replayed() -> Message:
            message = next(replay, None)
            return message if message is not None else await body.receive()

        await self.app(scope, replayed, send_after_body)

    async def _refuse(self, send: Any) -> None:
        message = f"request body over {self.max_body:,} bytes"
        await send_json(send, 413, error_body("too_large", message))
