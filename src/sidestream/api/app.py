"""The FastAPI application: REST API under /api/v1, its reference at /docs, web pages at /."""

from __future__ import annotations

import json
from collections import deque

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

import sidestream
from sidestream.access.errors import CsrfFailed, Forbidden, Throttled, Unauthenticated
from sidestream.api.deps import SAFE_METHODS
from sidestream.api.head_requests import HeadAsGetMiddleware
from sidestream.api.security_headers import add_security_headers
from sidestream.db import get_engine, is_contention, session_factory
from sidestream.errors import (
    Conflict,
    ConflictBody,
    ErrorBody,
    InvalidInput,
    Loc,
    NotFound,
)
from sidestream.input_rules import MAX_STORED_INT
from sidestream.matching.knowledge import platform_knowledge_base
from sidestream.web.pages.common import PAGE, busy, forbidden, not_found
from sidestream.web.routes import static_files as web_static_files


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the application on ``engine`` (default: the configured database)."""
    app = FastAPI(
        title="Sidestream API",
        version=sidestream.__version__,
        description="Industrial symbiosis: organisations, sites, networks and side streams.",
        docs_url=None,  # served from our own files by sidestream.api.docs_page
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    platform_knowledge_base()  # a facilitator's invalid knowledge file stops the start here
    app.state.engine = engine or get_engine()
    app.state.sessions = session_factory(app.state.engine)
    _error_handlers(app)
    add_security_headers(app)
    app.add_middleware(HeadAsGetMiddleware)
    for router in _routers():
        app.include_router(router)
    app.mount("/static", web_static_files(), name="static")
    return app


def _routers() -> list:  # type: ignore[type-arg]
    """Every domain's API router (one line each)."""
    from sidestream.access.api import router as access_router
    from sidestream.access.web import router as access_web_router
    from sidestream.api.docs_page import router as docs_router
    from sidestream.classify.api import router as classify_router
    from sidestream.exchanges.api import router as exchanges_router
    from sidestream.impact.api import router as impact_router
    from sidestream.interop.api import router as interop_router
    from sidestream.matching.api import router as matching_router
    from sidestream.matching.streams_api import router as stream_matching_router
    from sidestream.optimize.api import router as optimize_router
    from sidestream.registry.api import router as registry_router
    from sidestream.reports.api import router as reports_router
    from sidestream.web.routes import router as web_router

    return [
        docs_router,
        interop_router,
        registry_router,
        access_router,
        exchanges_router,
        stream_matching_router,
        classify_router,
        matching_router,
        impact_router,
        optimize_router,
        reports_router,
        access_web_router,
        web_router,
    ]


def _too_large(request: Request) -> list[str]:
    """``["path" | "query", name]`` of the first address parameter holding an integer the
    database cannot store; empty when it lies elsewhere (in a body)."""
    for where, params in (("path", request.path_params), ("query", request.query_params)):
        for name, value in params.items():
            digits = str(value).strip().removeprefix("-")
            ascii_digits = digits.isascii() and digits.isdigit()  # "²" is a digit, no number
            if ascii_digits and len(digits) < 4300 and int(digits) > MAX_STORED_INT:
                return [where, name]
    return []


async def _json_body(request: Request) -> object:
    """The request's JSON body as sent (read once by the route, kept by the request); None
    for none, a form or a file."""
    try:
        return json.loads(await request.body()) if request.method not in SAFE_METHODS else None
    except (ValueError, RuntimeError, ClientDisconnect):  # no JSON, or no body left to read
        return None


def _sent_at(loc: Loc, request: Request, body: object) -> list[str | int]:
    """Where a service's field was sent, as FastAPI places a malformed value's error:
    ``["body", ...]`` when the body holds it, else ``["path", name]`` or ``["query", name]``,
    else ``["body", ..., name]`` inside the body's shallowest object holding it (a service
    names the fields of what it was given: ``amount`` of the ``changes`` of a pair's
    valuation); a bare path when the request holds it nowhere (a rule on stored data, such
    as a stream without an amount)."""
    head = loc[0] if loc else None
    if isinstance(head, str):
        if isinstance(body, dict) and head in body:
            return ["body", *loc]
        for where, params in (("path", request.path_params), ("query", request.query_params)):
            if head in params:
                return [where, *loc]
        inside = _holding(body, head)
        if inside is not None:
            return ["body", *inside, *loc]
    return list(loc)


def _holding(body: object, key: str) -> list[str | int] | None:
    """The path to the shallowest object inside a JSON ``body`` (not the body itself) with
    ``key`` among its keys, the first such in the order sent; None where there is none."""
    queue: deque[tuple[list[str | int], object]] = deque([([], body)])
    while queue:
        path, node = queue.popleft()
        if path and isinstance(node, dict) and key in node:
            return path
        inner = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        queue.extend(([*path, k], v) for k, v in inner if isinstance(v, dict | list))
    return None


def _from_a_browser_page(request: Request) -> bool:
    """A web page's form post (not an API call): outside /api and asking for HTML."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An error answer with the body its OpenAPI entry documents (``ErrorBody``)."""
    return JSONResponse(ErrorBody(detail=detail).model_dump(), status_code=status, headers=headers)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"}
        return _error(401, str(exc), headers)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if isinstance(exc, CsrfFailed) and _from_a_browser_page(request):
            from sidestream.access.web import FORM_EXPIRED  # web side, imported like its router

            return forbidden(request, FORM_EXPIRED)  # an old form: a page, not JSON
        return _error(403, str(exc))

    @app.exception_handler(Throttled)
    async def _throttled(_: Request, exc: Throttled) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)}
        return _error(429, str(exc), headers)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        if _from_a_browser_page(request):  # an id no stored object can have
            return not_found(request, PAGE)
        where = _too_large(request)
        if where and where[0] == "path":  # an id no stored object can have
            return _error(404, f"no {where[1]} {request.path_params[where[1]]}")
        msg = "a number or text is out of the range the database can store"
        return JSONResponse({"detail": [{"loc": where, "msg": msg, "type": "out_of_range"}]}, 422)

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> Response:
        if not is_contention(exc):
            raise exc  # a fault, not a wait: the server error it is
        if _from_a_browser_page(request):
            response: Response = busy(request)
        else:
            msg = "the database was busy with another change; nothing was saved: send it again"
            response = _error(503, msg)
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _from_a_browser_page(request):
            return not_found(request, PAGE)
        return await http_exception_handler(request, exc)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        body = ConflictBody(detail=str(exc), current_version=exc.current_version)
        return JSONResponse(body.model_dump(), status_code=409)

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        sent = await _json_body(request)
        errors = [
            {"loc": _sent_at(e.loc, request, sent), "msg": e.message, "type": e.type}
            for e in exc.errors
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if _from_a_browser_page(request):  # a page's address with an id or choice that is none
            return not_found(request, PAGE)
        errors = [
            {
                "loc": list(e["loc"]),
                "msg": e["msg"].removeprefix("Value error, "),
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)
