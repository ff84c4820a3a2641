"""The interactive API reference at ``/docs``: Swagger UI from our own static files.

Served without a CDN, so it works on a machine without internet and keeps the strict
Content-Security-Policy of every page (the start-up code is ``static/api-docs.js``, not an
inline script). The OpenAPI description itself is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} – API reference</title>
  <link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
  <main id="swagger-ui" data-openapi-url="{openapi_url}"></main>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI on the application's OpenAPI description."""
    app = request.app
    return HTMLResponse(
        PAGE.format(title=escape(app.title), openapi_url=escape(app.openapi_url or ""))
    )
