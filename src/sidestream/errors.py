"""Domain errors raised by services and translated by the API, CLI and web layers."""

from __future__ import annotations

from pydantic import BaseModel


class SidestreamError(Exception):
    """Base of all domain errors."""


class NotFound(SidestreamError):
    """The requested object does not exist (or is not visible to the caller)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!s} not found")
        self.what = what
        self.key = key


class Conflict(SidestreamError):
    """The change conflicts with stored data: a duplicate or a stale version."""

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class InvalidInput(SidestreamError):
    """Input broke a business rule; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ErrorBody(BaseModel):
    """The JSON body of an error answer other than a 422 (whose ``detail`` lists the fields):
    401, 403, 404, 429 and 503."""

    detail: str


class ConflictBody(ErrorBody):
    """The JSON body of a 409: ``current_version`` is the stored version when the version
    sent was stale, else null (a duplicate)."""

    current_version: int | None
