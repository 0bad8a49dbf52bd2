"""ASGI middleware refusing request bodies over a size limit with 413.

Checks the declared ``Content-Length`` first and then counts the bytes actually received (a
chunked body has no length), so no handler ever sees more than ``max_body`` bytes.
"""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Wrap an ASGI app: bodies over ``max_body`` bytes get ``413`` with an error object."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_body:
                    await self._refuse(send)
                    return
        declared_length = any(name == b"content-length" for name, _ in scope.get("headers", ()))
        if declared_length:
            await self.app(scope, self._counted(receive), send)
            return
        # No declared length (chunked): read the body first, at most max_body bytes, so that an
        # oversized one is refused before the app sees any of it.
        messages = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self.max_body:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> dict[str, Any]:
            message = next(replay, None)
            return message if message is not None else await receive()

        await self.app(scope, replayed, send)

    def _counted(self, receive: Any) -> Any:
        """``receive`` that fails once more bytes arrive than the (checked) declared length
        allowed: a client that lies about its length is cut off."""
        received = 0

        async def counted() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge(f"request body over {self.max_body} bytes")
            return message

        return counted

    async def _refuse(self, send: Any) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "too_large",
                    "message": f"request body over {self.max_body:,} bytes",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
