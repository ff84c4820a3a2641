"""The error answers of the API's routes in its OpenAPI document (docs/api.md, Errors).

Every route of an :class:`ApiRouter` lists the answers its kind of route gives (see
:func:`route_errors`); a route adds those its service gives beside them with ``responses=``
(``CONFLICT``, ``FORBIDDEN``, ``NOT_FOUND``, ``THROTTLED``, ``UNAUTHENTICATED``; a 422 of its
own shape, as the import's report). The bodies are those the handlers of
``sidestream.api.app`` send: ``ErrorBody``, ``ConflictBody`` and, for a 422, ``InputErrorBody``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant, get_flat_params

from sidestream.access.deps import current_viewer
from sidestream.api.deps import SAFE_METHODS, get_session, writes
from sidestream.errors import ConflictBody, ErrorBody, InputErrorBody

Responses = dict[int | str, dict[str, Any]]


def _retry_after(when: str) -> dict[str, Any]:
    return {"Retry-After": {"description": when, "schema": {"type": "integer"}}}


INVALID: Responses = {
    422: {
        "model": InputErrorBody,
        "description": "Bad input: every error, each at the place its value was sent "
        "(`loc`: `body`, `query` or `path`, then the field); `type` is pydantic's for a "
        "malformed value and `value_error` for a broken rule",
    }
}
UNAUTHENTICATED: Responses = {
    401: {
        "model": ErrorBody,
        "description": "Not logged in where a login or API token is needed, or an invalid, "
        "revoked or malformed token",
        "headers": {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    }
}
FORBIDDEN: Responses = {
    403: {
        "model": ErrorBody,
        "description": "Not allowed: the access policy, a read-only token, or a change sent "
        "with a session cookie but without its CSRF token",
    }
}
NOT_FOUND: Responses = {
    404: {"model": ErrorBody, "description": "No such object, or none that you may see"}
}
CONFLICT: Responses = {
    409: {
        "model": ConflictBody,
        "description": "The version sent is stale (``current_version`` is the stored one), or "
        "the object would duplicate a stored one; nothing was changed",
    }
}
THROTTLED: Responses = {
    429: {
        "model": ErrorBody,
        "description": "Too many failed attempts",
        "headers": _retry_after("seconds to wait before trying again"),
    }
}
BUSY: Responses = {
    503: {
        "model": ErrorBody,
        "description": "The database was busy with another change; nothing was saved: send "
        "the same request again",
        "headers": _retry_after("seconds to wait (1)"),
    }
}


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    """The endpoint and every dependency it calls, nested ones included."""
    found = {dependant.call} if dependant.call is not None else set()
    for inner in dependant.dependencies:
        found |= _calls(inner)
    return found


def _takes_input(dependant: Dependant) -> bool:
    """Whether a route reads parameters (path, query, header, cookie) or a body, as FastAPI
    judges when it lists a 422."""
    return bool(get_flat_params(dependant)) or _has_body(dependant)


def _has_body(dependant: Dependant) -> bool:
    return bool(dependant.body_params) or any(map(_has_body, dependant.dependencies))


def route_errors(path: str, endpoint: Callable[..., Any], methods: Collection[str]) -> Responses:
    """The error answers a route gives by its kind: 401 when it reads the caller (a bad
    token), 403 when it also changes data (a cookie session's CSRF token, the access
    policy), 404 when its path names an object (an unknown id), 422 when it takes input
    (in the body that ``sidestream.api.app`` sends for FastAPI's errors and the services'
    alike) and 503 when it writes."""
    dependant = get_dependant(path=path, call=endpoint)
    calls = _calls(dependant)
    changes = not set(methods) <= SAFE_METHODS
    errors: Responses = dict(INVALID) if _takes_input(dependant) else {}
    if current_viewer in calls:
        errors |= UNAUTHENTICATED | (FORBIDDEN if changes else {})
    if "{" in path:
        errors |= NOT_FOUND
    if get_session in calls and any(writes(m, endpoint) for m in methods):
        errors |= BUSY
    return errors


class ApiRouter(APIRouter):
    """An ``APIRouter`` whose routes document the error answers of :func:`route_errors`
    beside the ``responses`` each route declares."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        """Add a route with its error answers documented."""
        methods = kwargs.get("methods") or ["GET"]
        errors = route_errors(self.prefix + path, endpoint, methods)
        responses = errors | (kwargs.get("responses") or {})
        kwargs["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))
        super().add_api_route(path, endpoint, **kwargs)
