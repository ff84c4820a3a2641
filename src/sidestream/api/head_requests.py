"""HEAD answered as GET without the body (a pure ASGI middleware).

FastAPI's routes answer only the methods they declare, so ``HEAD /`` and ``HEAD /api/v1/...``
were 405: uptime monitors and link checkers that ask with HEAD reported the site as broken.
HTTP (RFC 9110, 9.3.2) wants the same status and headers as a GET, without content; GET
routes change nothing, and the request's transaction begins as a reader either way.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    """Runs a HEAD request as a GET and sends the response's start (status, headers, the
    length a GET would have) without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
