"""HTTP security headers on every response (a pure ASGI middleware, safe for streaming).

The web pages get a strict Content-Security-Policy: scripts only from our own origin (no inline
scripts or ``on…=`` handlers; ``<script type="application/json">`` data blocks are not executed
and so are fine), inline styles allowed (``style=`` attributes, Leaflet and htmx set styles),
images from our origin, ``data:``/``blob:`` and the map tile server; the API reference at
``/docs`` keeps to the same policy (Swagger UI is served from ``/static``).
``Strict-Transport-Security`` is sent only when
``SIDESTREAM_PUBLIC_URL`` is ``https://``. A header a route sets itself is left as it is. An
unhandled error gets its plain 500 answer here, so it carries the headers too.
See docs/security.md, "Security headers".
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sidestream.config import get_settings

#: The map tiles of ``static/maps.js`` (fixed there, not a setting). Without internet or with
#: this origin blocked the maps still draw their vector markers.
TILE_ORIGIN = "https://tile.openstreetmap.org"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {TILE_ORIGIN}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

BASE_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    # No page uses the browser's camera, microphone or location (maps.js never calls locate()).
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

HSTS = "max-age=31536000"


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = {**BASE_HEADERS, "Content-Security-Policy": CONTENT_SECURITY_POLICY}
        if https:
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])  # optional in ASGI
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # An unhandled error: answer the 500 here, with the headers, before Starlette's
            # outermost error middleware (which then only logs the exception it re-raises).
            if not started:
                await PlainTextResponse("Internal Server Error", status_code=500)(
                    scope, receive, send_with_headers
                )
            raise


def add_security_headers(app: FastAPI) -> None:
    """Install the middleware on ``app`` (HSTS from ``SIDESTREAM_PUBLIC_URL``)."""
    app.add_middleware(
        SecurityHeadersMiddleware, https=get_settings().public_url.startswith("https://")
    )
