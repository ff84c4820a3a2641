"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import Select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sidestream.api.schemas import Page
from sidestream.db import begin_writing, is_contention, paginate

#: Methods that change nothing: their transactions begin as readers.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The page size and start of a list (docs/api.md, Lists; default 50 and 0).
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, description="items to skip")]
Row = TypeVar("Row")
Shown = TypeVar("Shown")


def page_of(
    db: Session, stmt: Select[tuple[Row]], view: Callable[[Row], Shown], limit: int, offset: int
) -> Page[Shown]:
    """One page of a query's objects, each as ``view`` shows it, in the list envelope
    (``{items, total, limit, offset}``, docs/api.md)."""
    items, total = paginate(db, stmt, limit, offset)
    return Page(items=[view(i) for i in items], total=total, limit=limit, offset=offset)


@contextmanager
def body_errors() -> Iterator[None]:
    """Answer a service's ``ValidationError`` of the fields a body sets (an update checked
    together with the stored fields it leaves alone) as FastAPI answers the body's own
    errors: a 422 with every error, each at ``["body", field, ...]``, so a PATCH is answered
    as the POST of the same fields is."""
    try:
        yield
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None


Endpoint = TypeVar("Endpoint", bound=Callable[..., object])
log = logging.getLogger(__name__)


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark a route that takes a body but changes nothing (a plan, a valuation, a suggestion):
    its transaction begins as a reader, as a GET's does, and never holds the write lock (an
    optimisation runs for up to a minute). Put it below the route's decorator."""
    endpoint.reads_only = True  # type: ignore[attr-defined]
    return endpoint


def writes(method: str, endpoint: object) -> bool:
    """Whether a request of ``method`` to ``endpoint`` may write: any method but GET, HEAD or
    OPTIONS, unless its route :func:`reads_only`."""
    return method not in SAFE_METHODS and not getattr(endpoint, "reads_only", False)


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request: committed on success, rolled back on error.

    Routes declare it with ``Depends(get_session, scope="function")`` so the commit happens
    before the response is sent: a write that fails to commit is never reported as done. A
    request that may write (any method but GET, HEAD or OPTIONS, unless its route
    :func:`reads_only`) begins as a writer (:func:`sidestream.db.begin_writing`):
    simultaneous changes on SQLite wait for each other rather than fail. A reader's only
    write is bookkeeping (a token's last use, to five minutes); when another writer took the
    database meanwhile it is left to a later request rather than fail the answer.
    """
    session: Session = request.app.state.sessions()
    writing = writes(request.method, request.scope.get("endpoint"))
    try:
        if writing:
            begin_writing(session)
        else:  # its bookkeeping is written at the end, not by the first query after it
            session.autoflush = False
        yield session
        try:
            session.commit()
        except OperationalError as exc:
            if writing or not is_contention(exc):
                raise
            log.info("a reader's bookkeeping was left to a later request: %s", exc.orig)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
