"""Access errors: translated to 401, 403 and 429 by the API."""

from __future__ import annotations

from sidestream.errors import SidestreamError


class Unauthenticated(SidestreamError):
    """The request needs a logged-in user or an API token."""


class Forbidden(SidestreamError):
    """The caller is known but may not do this."""


class CsrfFailed(Forbidden):
    """A state-changing request without the session's CSRF token (forged, or an old form)."""

    def __init__(self) -> None:
        super().__init__("missing or wrong CSRF token")


class Throttled(SidestreamError):
    """Too many failed attempts; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
