"""Rules every input model keeps, beside its own: ``true`` and ``false`` are not numbers, a
whole number (an id, a count) fits the database's 64 bits, and text holds no NUL character.

Pydantic reads a boolean as 1 or 0 for a number field (an import row or API body with
``"quantity": true`` would store 1 t); a NUL is stored by SQLite and refused by PostgreSQL with
an error that names no field. Input models inherit :class:`InputRules`.
"""

from __future__ import annotations

import math
import types
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

#: The largest integer a database column of ids and counts stores (64 bits).
MAX_STORED_INT = 2**63 - 1

#: The longest title and description of a stream, stored or sent to the matching endpoints
#: (an unauthenticated 10 MB description kept a core busy for over a minute).
MAX_TITLE_LENGTH = 300
MAX_DESCRIPTION_LENGTH = 20_000


@cache
def _whole_numbers_only(annotation: Any) -> bool:
    """True when a field of this annotation takes integers and not fractions (ids, counts)."""
    leaves = set(_leaves(annotation))
    return int in leaves and float not in leaves


@cache
def _numbers_only(annotation: Any) -> bool:
    """True when a field of this annotation takes numbers and not booleans."""
    leaves = set(_leaves(annotation))
    return bool(leaves & {int, float}) and bool not in leaves


def _leaves(annotation: Any) -> list[Any]:
    """The plain types of an annotation (``Annotated`` and unions unwrapped)."""
    if get_origin(annotation) is Annotated:
        return _leaves(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


@cache
def _item_annotation(annotation: Any) -> Any:
    """The annotation of a list field's items (``list[int] | None`` -> ``int``), else None."""
    for leaf in _leaves(annotation):
        if get_origin(leaf) is list and get_args(leaf):
            return get_args(leaf)[0]
    return None


def _problem(value: Any, annotation: Any) -> PydanticCustomError | None:
    """Why ``value`` breaks a rule of every input model, for a field of ``annotation`` (a list
    is judged by its items)."""
    if isinstance(value, bool) and _numbers_only(annotation):
        return PydanticCustomError(
            "number_type", "must be a number, not {value}", {"value": str(value).lower()}
        )
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) > MAX_STORED_INT
        and _whole_numbers_only(annotation)
    ):
        return PydanticCustomError(
            "int_out_of_range", "must be a whole number below 2^63 (the largest stored)"
        )
    if isinstance(value, str) and "\x00" in value:
        return PydanticCustomError("string_nul", "must not contain NUL characters (binary data?)")
    if isinstance(value, list) and (item := _item_annotation(annotation)) is not None:
        return next((p for v in value if (p := _problem(v, item))), None)
    if isinstance(value, dict):  # free-form data (``properties``): stored as JSON
        return _nested_problem(value, "")
    return None


def _nested_problem(value: Any, path: str) -> PydanticCustomError | None:
    """Why a value inside free-form JSON data cannot be stored as JSON: a number that is not
    finite (JSON has no NaN; SQLite would keep it, PostgreSQL refuse it, an export write it as
    no JSON parser reads) or text with a NUL, named by its path (``x``, ``layers.0``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return PydanticCustomError(
            "finite_number",
            "{path} must be a finite number, not {value}",
            {"path": path, "value": value},
        )
    if isinstance(value, str) and "\x00" in value:
        return PydanticCustomError(
            "string_nul", "{path} must not contain NUL characters", {"path": path}
        )
    if isinstance(value, dict | list):
        for key, inner in value.items() if isinstance(value, dict) else enumerate(value):
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:  # a name PostgreSQL would refuse too
                return _nested_problem(key, where.replace("\x00", "\\0"))
            if (problem := _nested_problem(inner, where)) is not None:
                return problem
    return None


#: The error types pydantic knows; any other (ours, a validator's own) is passed on as custom.
_STANDARD_TYPES = frozenset(get_args(ErrorType))


def _passed_on(error: Any) -> Any:
    """A reported error as ``ValidationError.from_exception_data`` takes it back."""
    if error["type"] in _STANDARD_TYPES:
        return error
    # without a context pydantic does not format the message: braces stay as written
    return InitErrorDetails(
        type=PydanticCustomError(error["type"], error["msg"]),
        loc=error["loc"],
        input=error["input"],
    )


def located_errors(title: str, errors: dict[tuple[str, ...], str]) -> ValidationError:
    """Errors of a rule across fields, each on the field to correct (``loc`` -> message).

    A validator of the whole model raises this instead of ``ValueError``, whose error pydantic
    places on the model itself: the API then answered ``loc: ["body"]`` and an import row
    ``(row)`` for "lat and lon must be given together", naming no field."""
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("value_error", message),  # no context: not formatted
                loc=loc,
                input=None,
            )
            for loc, message in errors.items()
        ],
    )


class InputRules(BaseModel):
    """Base of input models: a boolean given for a number field, or text with a NUL, is an
    error on that field, reported with the model's other errors."""

    @model_validator(mode="wrap")
    @classmethod
    def _input_rules(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        fields = cls.model_fields
        bad = {
            key: problem
            for key, value in (data.items() if isinstance(data, dict) else ())
            if key in fields and (problem := _problem(value, fields[key].annotation))
        }
        if not bad:
            return handler(data)
        errors: list[Any] = [
            InitErrorDetails(type=problem, loc=(key,), input=data[key])
            for key, problem in bad.items()
        ]
        try:
            handler(data)
        except ValidationError as exc:
            errors += [
                _passed_on(e) for e in exc.errors() if not e["loc"] or e["loc"][0] not in bad
            ]
        raise ValidationError.from_exception_data(cls.__name__, errors)
