"""Read rows of the open listing format from JSON Lines, CSV or XLSX, keeping row numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sidestream.interop.csv_cells import read_cell

FORMATS = ("jsonl", "csv", "xlsx")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row as read: its number in the file, its fields, or why it could not be read."""

    number: int
    data: dict[str, Any] | None
    error: str | None = None
    field: str = "(row)"


def detect_format(name: str) -> str:
    """The format implied by a file name's extension."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("csv", "xlsx"):
        return suffix
    raise ValueError(f"cannot tell the format of '{name}': use .jsonl, .csv or .xlsx")


#: What ends a line of JSON Lines: a newline, CR LF or a lone CR (as a text file is read), not
#: the other characters ``str.splitlines`` takes (U+2028, U+0085, form feed), which JSON allows
#: inside a string and our own export writes unescaped.
_LINE_END = re.compile(r"\r\n|\r|\n")


def read_rows(source: Path | IO[bytes], fmt: str, strict: bool = True) -> Iterator[RawRow]:
    """Yield the rows of ``source`` in format ``fmt`` (jsonl, csv or xlsx). ``strict=False``
    keeps a ``properties`` cell that is not JSON as its text (for a reader that ignores it with
    a warning) instead of failing the row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}'; expected one of {', '.join(FORMATS)}")
    raw = source.read_bytes() if isinstance(source, Path) else source.read()
    if fmt == "xlsx":
        yield from _xlsx_rows(raw, strict)
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start})") from None
    if fmt == "jsonl":  # lines end as Python's universal newlines end them, not at U+2028
        yield from json_lines(_LINE_END.split(text))
    else:
        yield from _csv_rows(text, strict)


def json_lines(lines: Iterable[str]) -> Iterator[RawRow]:
    """The rows of JSON Lines, numbered from 1: each non-blank line's object, or why it is not
    one (a byte-order mark and surrounding blanks are ignored). Text that is not valid Unicode
    (a lone surrogate written as a JSON escape) is read with U+FFFD in its place."""
    for number, line in enumerate(lines, start=1):
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            obj = json.loads(text)
            if "\\ud" in text or "\\uD" in text:  # an escaped surrogate, maybe unpaired
                obj = valid_text(obj)
        except json.JSONDecodeError as exc:
            yield RawRow(number, None, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield RawRow(number, None, "invalid JSON (nested too deeply)")
            continue
        except ValueError as exc:  # e.g. an integer longer than Python converts
            yield RawRow(number, None, f"invalid JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            yield RawRow(number, None, "each line must be a JSON object")
            continue
        yield RawRow(number, obj)


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(value: Any) -> Any:
    """``value`` with every string made valid Unicode: surrogate pairs joined, lone ones
    replaced by U+FFFD (dicts and lists are walked)."""
    if isinstance(value, str):
        if not _SURROGATE.search(value):
            return value
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {valid_text(k): valid_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [valid_text(v) for v in value]
    return value


def _cells_to_fields(cells: dict[str, Any], strict: bool = True) -> dict[str, Any]:
    """Drop empty cells and decode the JSON-valued ``properties`` column (not strict: a cell
    that is not JSON is kept as text)."""
    out: dict[str, Any] = {}
    for key, value in cells.items():
        if key is None or value is None or (isinstance(value, str) and not value.strip()):
            continue
        key, value = str(key).strip(), read_cell(value)
        if key == "properties" and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                if strict:
                    raise ValueError('must be a JSON object, e.g. {"moisture_pct": 40}') from None
        out[key] = value
    return out


def _one_column_each(header: Iterable[Any]) -> None:
    """Refuse a header naming a column twice: one of the two cells would be lost unseen."""
    names = [str(h).strip() for h in header if h is not None and str(h).strip()]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"the header names {', '.join(twice)} more than once")


#: Columns holding amounts, which a file separated by semicolons or tabs (saved where the comma
#: may be the decimal sign) writes as "12,5", "1.234,5" or "1 234,5".
_AMOUNT_COLUMNS = frozenset({"quantity", "price_eur_per_unit"})
#: Coordinates are never grouped: their one separator is the decimal sign ("55,662").
_COORDINATE_COLUMNS = frozenset({"lat", "lon"})
_ONE_COMMA = re.compile(r"-?\d+,\d+")
_DECIMAL_COMMA = re.compile(r"-?(\d{1,3}([. \u00a0\u202f]\d{3})+|\d*),\d+")
#: "1,234.5": grouped by commas, a decimal point.
_DECIMAL_POINT_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+\.\d+")
#: "12.500" (and in a tab-separated file "1,500", which a semicolon says is 1.5): one group of
#: thousands, or decimals written with the other sign? Not read either way. "0.500" is no group.
_ONE_GROUP = {
    ";": re.compile(r"-?(?!0\.)\d{1,3}\.\d{3}"),
    "\t": re.compile(r"-?(?!0[.,])\d{1,3}[.,]\d{3}"),
}
#: "1.234.567" (and in a tab-separated file "1,234,567"): grouped thousands only.
_GROUPS = {
    ";": re.compile(r"-?\d{1,3}(\.\d{3}){2,}"),
    "\t": re.compile(r"-?\d{1,3}(\.\d{3}){2,}|-?\d{1,3}(,\d{3}){2,}"),
}


def _plain_amount(cell: str, delimiter: str) -> str:
    """An amount written with a decimal comma or grouped thousands, as a decimal point reads it:
    ``12,5`` -> ``12.5``, ``1.234,5``, ``1 234,5``, ``1,234.5`` and ``1.234.567,89`` ->
    ``1234.5`` ...; a single group (``12.500``) and any other text as it is."""
    text = cell.strip()
    if _ONE_GROUP[delimiter].fullmatch(text):
        return cell
    if _GROUPS[delimiter].fullmatch(text):
        return re.sub(r"[.,]", "", text)
    if _DECIMAL_POINT_GROUPED.fullmatch(text):
        return text.replace(",", "")
    if not _DECIMAL_COMMA.fullmatch(text):
        return cell
    return re.sub(r"[. \u00a0\u202f]", "", text).replace(",", ".")


def _plain_cell(cell: str, column: str | None, delimiter: str) -> str:
    """A number cell of a file separated by semicolons or tabs as a decimal point reads it."""
    if column in _AMOUNT_COLUMNS:
        return _plain_amount(cell, delimiter)
    if column in _COORDINATE_COLUMNS and _ONE_COMMA.fullmatch(cell.strip()):
        return cell.strip().replace(",", ".")
    return cell


def _csv_rows(text: str, strict: bool = True) -> Iterator[RawRow]:
    """Rows of a CSV; in a file separated by semicolons or tabs, numbers with a decimal comma
    or grouped thousands are read, and (``strict``) an amount of one group ("12.500") is a row
    error rather than a guess; the lenient reading leaves it to the listing's language."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() or None for h in next(reader, [])]
        _one_column_each(header)
        plain = delimiter in _ONE_GROUP
        amounts = [i for i, h in enumerate(header) if h in _AMOUNT_COLUMNS and plain and strict]
        for number, values in enumerate(reader, start=2):
            unsure = next((i for i in amounts if _one_group(delimiter, values, i)), None)
            if unsure is not None:  # stored 1000 times too small, or too large, if guessed
                yield RawRow(number, None, _unsure_message(values[unsure].strip()), header[unsure])
                continue
            cells = [
                _plain_cell(v, header[i] if i < len(header) else None, delimiter) if plain else v
                for i, v in enumerate(values)
            ]
            yield from _table_rows(header, [(number, cells, ())], strict, str)
    except csv.Error as exc:  # a cell over the csv module's limit, a NUL byte
        raise ValueError(f"cannot read the CSV after row {reader.line_num}: {exc}") from None


def _one_group(delimiter: str, values: list[str], column: int) -> bool:
    return column < len(values) and bool(_ONE_GROUP[delimiter].fullmatch(values[column].strip()))


#: The separators of a grouped number and what each is called.
_SIGNS = {".": "point", ",": "comma"}


def _unsure_message(cell: str) -> str:
    sign, other = (".", ",") if "." in cell else (",", ".")
    return (f"'{cell}' may be {cell.replace(sign, '')} or {cell.replace(sign, other)}: "
            f"write it without the {_SIGNS[sign]}, or with a decimal {_SIGNS[other]}")  # fmt: skip


def _delimiter(text: str) -> str:
    """The CSV's separator, read from its header: a comma, else a semicolon (what a spreadsheet
    writes where a comma is the decimal sign: Danish, German, Swedish...) or a tab."""
    header = text.split("\n", 1)[0]
    return next((d for d in (",", ";", "\t") if d in header), ",")


def _xlsx_rows(raw: bytes, strict: bool = True) -> Iterator[RawRow]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ValueError(f"cannot read the spreadsheet: {exc}") from None
    sheet = book.worksheets[0]
    _no_listings_beyond(book.worksheets[1:])
    uncomputed = _uncomputed_formulas(sheet)
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else None for h in next(rows, ())]
    _one_column_each(header)
    numbered = (
        (number, [_cell(v) for v in values], uncomputed.get(number, ()))
        for number, values in enumerate(rows, start=2)
    )
    yield from _table_rows(header, numbered, strict, get_column_letter)


#: The columns every listing has: a sheet whose header names them holds listings.
_REQUIRED_COLUMNS = frozenset({"id", "direction", "title"})


def _no_listings_beyond(sheets: Sequence[Any]) -> None:
    """Raise ``ValueError`` when a sheet after the first is laid out as listings (its header
    names ``id``, ``direction`` and ``title``): its rows would be left out unseen. Other sheets
    (instructions, lookups) are not read."""
    laid_out = []
    for sheet in sheets:
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        if {str(v).strip() for v in first if v is not None} >= _REQUIRED_COLUMNS:
            hidden = getattr(sheet, "sheet_state", "visible") != "visible"
            laid_out.append(f"'{sheet.title}'" + (" (hidden)" if hidden else ""))
    if laid_out:
        names = ", ".join(laid_out)
        which = f"sheet {names} is" if len(laid_out) == 1 else f"sheets {names} are"
        raise ValueError(f"listings are read from the first sheet only, and {which} laid out "
                         "as listings: move their rows to the first sheet, or save each sheet "
                         "as a file of its own")  # fmt: skip


#: A cell of a sheet's XML: its attributes and what it holds.
_XML_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_XML_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
#: A value element with nothing in it (or none at all): what a formula no spreadsheet
#: computed carries.
_NO_VALUE = re.compile(rb"<v\s*/>|<v>\s*</v>")


def _uncomputed_formulas(sheet: Any) -> dict[int, tuple[int, ...]]:
    """Row number -> columns (from 1) of the formulas no spreadsheet computed (written by a
    program: the formula with an empty value, which reads as an empty cell). One pass over the
    sheet's XML, none when it holds no formula; a formula a spreadsheet computed as an empty
    text is typed as text (``t="str"``) and is not one of them."""
    from openpyxl.utils import column_index_from_string

    with sheet.parent._archive.open(sheet._worksheet_path) as fh:  # read-only sheets keep it
        xml = fh.read()
    if b"<f" not in xml:
        return {}
    found: dict[int, tuple[int, ...]] = {}
    for attrs, inner in _XML_CELL.findall(xml):
        computed = b"<v" in inner and not _NO_VALUE.search(inner)
        text_result = b't="str"' in attrs  # a computed empty text keeps its type
        if b"<f" in inner and not computed and not text_result and (ref := _XML_REF.search(attrs)):
            column, row = column_index_from_string(ref[1].decode()), int(ref[2])
            found[row] = (*found.get(row, ()), column)
    return found


def _table_rows(
    header: Sequence[str | None],
    rows: Iterable[tuple[int, Sequence[Any], Sequence[int]]],
    strict: bool,
    label: Callable[[int], str],
) -> Iterator[RawRow]:
    """The rows of a spreadsheet or CSV: its number, its cells and the columns holding a
    formula with no computed value. A cell no header names (under an empty header cell or
    beyond the last) is a row error, as a formula without a value is: either would be lost
    unseen; read leniently, such a cell is named ``column <label(n)>``, a field the reader
    does not know, and so is a formula without a computed value (its cell is left empty): the
    row is still answered."""
    why = "a formula without a computed value"
    for number, values, uncomputed in rows:
        if uncomputed and strict:
            first = uncomputed[0]
            name = header[first - 1] if first <= len(header) else None
            help = "(open and save the file in a spreadsheet program)"
            yield RawRow(number, None, f"{why} {help}", name or f"column {label(first)}")
            continue
        headless = _headless(header, values)
        if headless is not None and strict:
            msg = f"the cell in column {label(headless)} has no header name"
            yield RawRow(number, None, msg)
            continue
        cells = _named(header, values, label)
        for column in uncomputed:  # read leniently: the value is unknown, the row answered
            name = (header[column - 1] if column <= len(header) else None) or (
                f"column {label(column)}"
            )
            cells.pop(name, None)
            cells[f"{name} ({why})"] = "?"
        try:
            data = _cells_to_fields(cells, strict)
        except ValueError as exc:
            yield RawRow(number, None, str(exc), "properties")
            continue
        if data:
            yield RawRow(number, data)


def _headless(header: Sequence[str | None], values: Sequence[Any]) -> int | None:
    """The first column (from 1) holding a value but no header name (an empty header cell,
    or a cell beyond the header's last), else None."""
    for column, value in enumerate(values, start=1):
        name = header[column - 1] if column <= len(header) else None
        empty = value is None or (isinstance(value, str) and not value.strip())
        if not empty and not name:
            return column
    return None


def _named(
    header: Sequence[str | None], values: Sequence[Any], label: Callable[[int], str]
) -> dict[str, Any]:
    """A row's cells by header name; a cell without one under ``column <label(n)>`` (empty
    ones are left out later, as every empty cell is)."""
    names = [*header, *[None] * (len(values) - len(header))]
    return {
        (name or f"column {label(n)}"): value
        for n, (name, value) in enumerate(zip(names, values, strict=False), start=1)
    }


def _cell(value: Any) -> Any:
    """Spreadsheet dates become ISO dates; other cells pass through."""
    return value.isoformat()[:10] if hasattr(value, "isoformat") else value
