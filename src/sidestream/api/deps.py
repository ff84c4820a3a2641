"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request: committed on success, rolled back on error.

    Routes declare it with ``Depends(get_session, scope="function")`` so the commit happens
    before the response is sent: a write that fails to commit is never reported as done.
    """
    session: Session = request.app.state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
