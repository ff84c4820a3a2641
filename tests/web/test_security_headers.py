"""Security headers on every response; a CSP the pages keep to; the API docs still work."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from sidestream.api.app import create_app
from sidestream.api.security_headers import TILE_ORIGIN, SecurityHeadersMiddleware
from sidestream.config import get_settings

WEB = Path(__file__).resolve().parents[2] / "src" / "sidestream"

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https://tile.openstreetmap.org; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


def _assert_common(headers: Mapping[str, str]) -> None:
    for name, value in COMMON.items():
        assert headers.get(name) == value, name


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/region", 200),
        ("/cases", 200),
        ("/login", 200),
        ("/streams/999999", 404),
        ("/api/v1/organisations", 200),
        ("/api/v1/streams/999999", 404),
        ("/api/v1/openapi.json", 200),
        ("/static/app.js", 200),
        ("/static/no-such-file.js", 404),
    ],
)
def test_every_response_has_the_security_headers(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    _assert_common(response.headers)
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert "strict-transport-security" not in response.headers  # the default URL is http://


def test_error_answers_and_redirects_have_them_too(client: TestClient) -> None:
    refused = client.post("/api/v1/organisations", json={"name": "X", "country": "dk"})
    assert refused.status_code == 401
    invalid = client.get("/api/v1/streams", params={"limit": "many"})
    assert invalid.status_code == 422
    redirect = client.get("/start", follow_redirects=False)
    assert redirect.status_code == 303
    for response in (refused, invalid, redirect):
        _assert_common(response.headers)
        assert response.headers["content-security-policy"] == PAGE_CSP


def test_the_api_reference_is_served_from_our_own_files(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', docs.text)
    assert scripts == ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"]
    assert 'data-openapi-url="/api/v1/openapi.json"' in docs.text
    assert "<script>" not in docs.text and "https://" not in docs.text  # no inline code, no CDN
    _assert_common(docs.headers)
    assert docs.headers["content-security-policy"] == PAGE_CSP
    for path in scripts:
        assert client.get(path).status_code == 200, path
    assert client.get("/redoc").status_code == 404  # one reference, not two


def test_hsts_only_when_the_public_url_is_https(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIDESTREAM_PUBLIC_URL", "https://sidestream.example.org")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(engine)) as client:
            for path in ("/", "/api/v1/organisations", "/docs"):
                response = client.get(path)
                assert response.headers["strict-transport-security"] == "max-age=31536000"
                _assert_common(response.headers)
    finally:
        get_settings.cache_clear()


def _tiny_app(https: bool = False) -> TestClient:
    async def own(_request: Request) -> Response:
        return PlainTextResponse("x", headers={"X-Frame-Options": "SAMEORIGIN"})

    async def stream(_request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"a", b"b", b"c"):
                yield part

        return StreamingResponse(chunks(), media_type="text/plain")

    app = Starlette(routes=[Route("/own", own), Route("/stream", stream)])
    return TestClient(SecurityHeadersMiddleware(app, https=https))


def test_a_header_the_route_sets_is_kept_and_streams_get_headers() -> None:
    client = _tiny_app(https=True)
    own = client.get("/own")
    assert own.headers["x-frame-options"] == "SAMEORIGIN"
    assert own.headers["content-security-policy"] == PAGE_CSP
    assert own.headers.get_list("x-frame-options") == ["SAMEORIGIN"]  # not doubled
    streamed = client.get("/stream")
    assert streamed.text == "abc"
    _assert_common(streamed.headers)
    assert streamed.headers["content-security-policy"] == PAGE_CSP
    assert streamed.headers["strict-transport-security"] == "max-age=31536000"


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _templates() -> list[Path]:
    found = sorted(WEB.rglob("templates/**/*.html"))
    assert len(found) > 20
    return found


def test_templates_have_no_inline_scripts_or_handlers() -> None:
    """The CSP blocks inline scripts, ``on…=`` attributes and ``javascript:`` links."""
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        handler = INLINE_HANDLER.search(text)
        assert not handler, f"{template}: inline handler {handler.group(0)[-40:]!r}"
        assert "javascript:" not in text.lower(), template
        for attrs in SCRIPT_TAG.findall(text):
            assert "src=" in attrs or 'type="application/json"' in attrs, f"{template}: {attrs}"


def test_network_selects_wait_for_their_button(client: TestClient) -> None:
    # a select that sent its form on every change took a keyboard user through each network,
    # a page load each (WCAG 3.2.2): the choice is sent by the Show button
    html = client.get("/region").text
    assert re.search(r'<select id="network"[^>]*>', html) and "autosubmit" not in html
    assert "onchange" not in html
    assert re.search(r'<button class="btn secondary" type="submit">Show</button>', html)
    pipeline = (WEB / "web" / "templates" / "region" / "pipeline.html").read_text()
    assert "autosubmit" not in pipeline and "<noscript>" not in pipeline
    app_js = client.get("/static/app.js").text
    assert "autosubmit" not in app_js and "reachableTables" in app_js


def test_the_map_tile_server_is_allowed_by_the_csp() -> None:
    maps = (WEB / "web" / "static" / "maps.js").read_text(encoding="utf-8")
    tiles = re.findall(r'tileLayer\("([^"]+)"', maps)
    assert tiles, "maps.js no longer names its tile server: update TILE_ORIGIN"
    assert all(url.startswith(TILE_ORIGIN + "/") for url in tiles), tiles
    assert "locate(" not in maps and "geolocation" not in maps  # geolocation=() holds


def test_an_unhandled_error_answers_500_with_the_headers(engine: Engine) -> None:
    app = create_app(engine)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/broken")
    assert answer.status_code == 500 and answer.text == "Internal Server Error"
    assert "a bug" not in answer.text
    _assert_common(answer.headers)
    assert answer.headers["content-security-policy"] == PAGE_CSP
    with TestClient(app) as client, pytest.raises(RuntimeError, match="a bug"):
        client.get("/broken")  # still raised to the server, which logs it
