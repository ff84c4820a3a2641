"""HTTP security headers on every response (a pure ASGI middleware, safe for streaming).

The web pages get a strict Content-Security-Policy: scripts only from our own origin (no inline
scripts or ``on…=`` handlers; ``<script type="application/json">`` data blocks are not executed
and so are fine), inline styles allowed (``style=`` attributes, Leaflet and htmx set styles),
images from our origin, ``data:``/``blob:`` and the map tile server. FastAPI's Swagger UI and
ReDoc pages (an inline script, assets from a CDN) get a policy that restricts only framing,
plugins and ``<base>``. ``Strict-Transport-Security`` is sent only when
``SIDESTREAM_PUBLIC_URL`` is ``https://``. A header a route sets itself is left as it is.
See docs/security.md, "Security headers".
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
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

#: For /docs, /docs/oauth2-redirect and /redoc: FastAPI's pages run an inline script and load
#: scripts, styles, fonts and a favicon from CDNs whose addresses change with FastAPI releases,
#: so only what they never need is forbidden.
DOCS_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"

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

    def __init__(
        self, app: ASGIApp, *, https: bool = False, docs_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        common = dict(BASE_HEADERS)
        if https:
            common["Strict-Transport-Security"] = HSTS
        self.page_headers = {**common, "Content-Security-Policy": CONTENT_SECURITY_POLICY}
        self.docs_headers = {**common, "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        extra = self.docs_headers if path in self.docs_paths else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])  # optional in ASGI
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_security_headers(app: FastAPI) -> None:
    """Install the middleware on ``app`` (HSTS from ``SIDESTREAM_PUBLIC_URL``)."""
    docs = (app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
    app.add_middleware(
        SecurityHeadersMiddleware,
        https=get_settings().public_url.startswith("https://"),
        docs_paths=[p for p in docs if p],
    )
