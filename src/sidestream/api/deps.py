"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from sidestream.db import begin_writing

#: Methods that change nothing: their transactions begin as readers.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request: committed on success, rolled back on error.

    Routes declare it with ``Depends(get_session, scope="function")`` so the commit happens
    before the response is sent: a write that fails to commit is never reported as done. A
    request of any other method than GET, HEAD or OPTIONS begins as a writer
    (:func:`sidestream.db.begin_writing`): simultaneous changes on SQLite wait for each other
    rather than fail.
    """
    session: Session = request.app.state.sessions()
    try:
        if request.method not in SAFE_METHODS:
            begin_writing(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
