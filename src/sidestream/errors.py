"""Domain errors raised by services and translated by the API, CLI and web layers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import BaseModel, Field


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


#: The ``type`` of a broken business rule in a 422's ``detail`` (pydantic's own for a rule a
#: validator checks: a service's rule and a model's read alike).
BUSINESS_RULE = "value_error"

#: Where a value lies in the input: field names and list positions, outermost first
#: (``("changes", 0, "amount")``, ``("assumptions", "price.carbon.eu_ets")``).
Loc = tuple[str | int, ...]


def as_loc(field: str | Sequence[str | int]) -> Loc:
    """A field's path: a name is split at its dots (``changes.0.amount`` ->
    ``("changes", 0, "amount")``, a position read as a number); a sequence is kept as given,
    for a name that holds dots itself (a factor id such as ``price.carbon.eu_ets``)."""
    if isinstance(field, str):
        return tuple(int(p) if p.isascii() and p.isdigit() else p for p in field.split("."))
    return tuple(field)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One broken rule: the field's path (:data:`Loc`), the reason and its kind (pydantic's
    error type where a service validated a value with a model, else :data:`BUSINESS_RULE`)."""

    loc: Loc
    message: str
    type: str = BUSINESS_RULE

    @property
    def field(self) -> str:
        """The path written with dots (``changes.0.amount``)."""
        return ".".join(str(p) for p in self.loc)


class InvalidInput(SidestreamError):
    """Input broke business rules: ``errors`` holds each, its field and the reason (one for
    ``InvalidInput(field, message)``, several for :meth:`of`); ``field`` and ``message`` are
    the first's.

    ``field`` is a name, dotted for a nested one (``properties.density_kg_m3``,
    ``changes.0.amount``), or a sequence of parts for a name with dots in it (see
    :func:`as_loc`). The API answers each error at the place the value was sent
    (``sidestream.api.app``)."""

    def __init__(self, field: str | Sequence[str | int], message: str) -> None:
        self._init((FieldError(as_loc(field), message),))

    def _init(self, errors: tuple[FieldError, ...]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors
        self.field = errors[0].field
        self.message = errors[0].message

    @staticmethod
    def of(errors: Iterable[FieldError]) -> InvalidInput:
        """One error reporting every one of ``errors`` (at least one)."""
        found = tuple(errors)
        if not found:
            raise ValueError("InvalidInput.of needs at least one error")
        exc = InvalidInput.__new__(InvalidInput)
        exc._init(found)
        return exc


class CheckAll:
    """Runs independent checks and reports every broken rule at once: each check's
    ``InvalidInput`` is kept, and :meth:`done` raises them together.

    ``every = CheckAll()``; for each item ``with every.check(): rule(item)``; then
    ``every.done()``.
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        """Run one check; its ``InvalidInput`` is kept rather than raised."""
        try:
            yield
        except InvalidInput as exc:
            self.errors.extend(exc.errors)

    def add(self, field: str | Sequence[str | int], message: str) -> None:
        """Keep one broken rule."""
        self.errors.append(FieldError(as_loc(field), message))

    def done(self) -> None:
        """Raise every kept error as one ``InvalidInput``; nothing when there is none."""
        if self.errors:
            raise InvalidInput.of(self.errors)


class InputError(BaseModel):
    """One error of a 422 answer: where the bad value was sent, why, and the kind of error."""

    loc: list[str | int] = Field(
        description="where the value was sent: `body`, `query` or `path`, then the field's "
        'name and, inside it, its keys and positions (`["body", "changes", 0, '
        '"target"]`); the field alone (`["amount"]`) for a rule on stored data, no value '
        "the request sent"
    )
    msg: str = Field(description="the reason, in English")
    type: str = Field(
        description="pydantic's error type for a malformed value (`missing`, "
        "`greater_than_equal`, `extra_forbidden` ...); `value_error` for a broken rule "
        "(an unknown `site_id`, a forbidden status move, a unit that does not fit)"
    )


class InputErrorBody(BaseModel):
    """The JSON body of a 422: every error of the request, each at its field."""

    detail: list[InputError]


class ErrorBody(BaseModel):
    """The JSON body of an error answer other than a 422 (whose ``detail`` lists the fields:
    ``InputErrorBody``): 401, 403, 404, 429 and 503."""

    detail: str


class ConflictBody(ErrorBody):
    """The JSON body of a 409: ``current_version`` is the stored version when the version
    sent was stale, else null (a duplicate)."""

    current_version: int | None
