"""Input lines of the command-line contract (``classify``, ``recommend-sectors``,
``match-files``): JSON objects with their line numbers, read from JSON Lines, from CSV or XLSX
with the same column names, or from stdin; their ids; and the problems found on a line.

One rule for all three commands: a line is answered when it is a JSON object with an id;
everything else about it is repaired or ignored with a warning by the command's own reader.
"""

from __future__ import annotations

import codecs
import io
import math
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from sidestream.interop.readers import RawRow, json_lines, read_rows


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A problem on an input line: where, which field, why; ``warning`` = the row was kept."""

    line: int
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"line {self.line}: {kind}{self.field}: {self.message}"


def json_objects(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | LineProblem]]:
    """``(line number, object)`` for each non-blank line of JSON Lines, or a ``LineProblem``
    for a line that is not a JSON object (``readers.json_lines``)."""
    return (_numbered(row) for row in json_lines(lines))


def _numbered(row: RawRow) -> tuple[int, dict[str, Any] | LineProblem]:
    if row.data is None:
        return row.number, LineProblem(row.number, row.field, row.error or "unreadable")
    return row.number, row.data


def row_id(data: dict[str, Any], line: int) -> str | LineProblem:
    """The id a row is read under (text), or the problem that leaves it unanswerable."""
    raw = data.get("id")
    if raw is None:
        return LineProblem(line, "id", "missing; the line cannot be answered without one")
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return LineProblem(line, "id", f"expected a string or number, got {type(raw).__name__}")
    text = str(raw).strip()
    return text or LineProblem(line, "id", "empty; the line cannot be answered without one")


def repeated_id(first_lines: dict[str, int], read: str, line: int) -> LineProblem | None:
    """The warning for an id read on an earlier line (``first_lines`` keeps each id's first
    line): both lines are answered, under the same id."""
    first = first_lines.setdefault(read, line)
    if first == line:
        return None
    return LineProblem(
        line, "id", f"{read!r} repeats line {first}; both are answered under the same id", True
    )


def free_text(value: Any) -> str | None:
    """Free text from a JSON value: strings as they are, numbers and lists of strings joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(x, (str, int, float)) for x in value):
        return " ".join(str(x) for x in value)
    return None


def given_id(raw: Any, read: str) -> str | int | float:
    """The id to write back: as the input gave it (a string, or a finite number, so that a
    caller joins on the same JSON value), else ``read``, the text the row was read under."""
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return raw  # an integer of any length: no float conversion on the way
    if isinstance(raw, float) and math.isfinite(raw):
        return raw
    return read


def read_input(path: str) -> tuple[list[tuple[int, dict[str, Any] | LineProblem]], int | None]:
    """The objects of an input file (JSON Lines; CSV or XLSX by their extension, with the same
    column names, numbered by row) or of stdin (``-``, JSON Lines), and the first line of JSON
    Lines holding bytes that are not UTF-8 (read as U+FFFD, so the line is still answered),
    else None. Raises ``ValueError`` naming the file and why when it cannot be read at all
    (missing, a folder, UTF-16 text, a CSV that is not UTF-8)."""
    try:
        fmt = Path(path).suffix.lower().lstrip(".") if path != "-" else "jsonl"
        if fmt in ("csv", "xlsx"):
            return [_numbered(row) for row in read_rows(Path(path), fmt, strict=False)], None
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # PowerShell's ">"
            raise ValueError("the text is UTF-16: save it as UTF-8")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:  # not UTF-8, a broken spreadsheet
        raise ValueError(f"{path}: cannot read ({exc})") from None
    try:
        raw.decode("utf-8")
        not_utf8 = None
    except UnicodeDecodeError as exc:
        not_utf8 = raw.count(b"\n", 0, exc.start) + 1
    lines = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="replace")
    return list(json_objects(lines)), not_utf8


def read_input_or_stop(path: str) -> list[tuple[int, dict[str, Any] | LineProblem]]:
    """``read_input`` for a command: a file that cannot be read is named on stderr and stops
    the command with exit code 2 (no traceback); bytes that are not UTF-8 are a warning."""
    try:
        objects, not_utf8 = read_input(path)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if not_utf8 is not None:
        typer.echo(f"{path}: line {not_utf8}: warning: bytes that are not UTF-8 were read as"
                   " U+FFFD (\ufffd); save the file as UTF-8", err=True)  # fmt: skip
    return objects
