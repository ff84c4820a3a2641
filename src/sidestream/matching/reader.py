"""Tolerant JSON Lines reader for the CLI: valid rows in, row-level errors out.

Small on purpose, so that it can be swapped for the full open-listing-format parser of
``sidestream.interop`` later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class RowError:
    """A rejected input line: where, which field, why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


def read_rows(
    lines: Iterable[str], model: type[Model], **fixed: object
) -> tuple[list[tuple[int, Model]], list[RowError]]:
    """Parse JSON Lines into ``model`` objects; blank lines are skipped.

    ``fixed`` pins field values (e.g. ``direction="offer"``): a row stating another value is an
    error. Returns ``(line number, object)`` pairs and the errors.
    """
    rows: list[tuple[int, Model]] = []
    errors: list[RowError] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(RowError(number, "(line)", f"invalid JSON ({exc.msg})"))
            continue
        if not isinstance(data, dict):
            errors.append(RowError(number, "(line)", "expected a JSON object"))
            continue
        wrong = [k for k, v in fixed.items() if k in data and data[k] != v]
        if wrong:
            errors.append(RowError(number, wrong[0], f"must be '{fixed[wrong[0]]}' in this file"))
            continue
        try:
            rows.append((number, model.model_validate({**fixed, **data})))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "(row)"
                message = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    message = "unknown field"
                errors.append(RowError(number, field, message))
    return rows, errors
