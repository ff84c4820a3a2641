"""Tolerant JSON Lines reader for the contract commands: every row with an id is kept.

A file we have never seen may hold things our own files do not. A row is dropped only when it
cannot be answered at all: the line is not a JSON object, or it has no ``id``. Everything else
that is wrong is *repaired or ignored with a warning* naming the line and the field:

* unknown keys are ignored;
* ``null`` / empty values count as missing (silently);
* an invalid ``waste_code`` gives way to the first valid code it holds, or to its sub-chapter
  or chapter as a family hint (:func:`sidestream.matching.schemas.parse_waste_code`);
* an invalid NACE code, number, coordinate, date, period, kind or visibility is treated as
  missing; ``lat`` without ``lon`` (and the reverse) drops both; ``quantity`` without a unit is
  dropped; ``available_from`` after ``available_to`` drops both;
* a missing title is replaced by the description (or the code's wording, or the id).

The listing fields are the canonical ones of :class:`sidestream.interop.listing.Listing` (the
open listing format v1); this module only decides what to keep. Strict validation with errors
remains the job of the import path and the REST API.
"""

from __future__ import annotations

import math
import re
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol
from pydantic import ValidationError

from sidestream.interop.input_lines import LineProblem, free_text, row_id
from sidestream.interop.listing import COLUMNS
from sidestream.matching.schemas import (
    Listing,
    SectorRequest,
    code_wording,
    parse_nace,
    parse_waste_code,
)
from sidestream.matching.table import amount_of, implied_kind
from sidestream.registry.properties import NUMERIC_RANGES, property_errors
from sidestream.taxonomy.kinds import Kind
from sidestream.taxonomy.units import MAX_QUANTITY

#: The open listing format v1 fields, in their published order.
LISTING_FIELDS: tuple[str, ...] = tuple(COLUMNS)
#: Fields of a ``recommend-sectors`` line.
SECTOR_FIELDS: tuple[str, ...] = (
    "id", "description", "waste_code", "donor_nace", "temperature_c", "kind", "top",
)  # fmt: skip
#: Keys read as the description of a ``recommend-sectors`` line when ``description`` is missing.
DESCRIPTION_ALIASES: tuple[str, ...] = ("text", "title", "material", "waste_description")
#: Longest description the engine reads (the canonical listing's limit); the rest is cut.
MAX_DESCRIPTION = 20000
MAX_TITLE = 300


#: Digit groups of an amount written with thousands separators: "1,500.5", "1.000.000,5".
_COMMA_THOUSANDS = re.compile(r"-?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")
_DOT_GROUPS = re.compile(r"-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?")
#: The reading that depends on the language: one comma or one dot before three digits.
_ONE_GROUP = re.compile(r"-?[1-9]\d{0,2}[.,]\d{3}")


def _number(value: Any, amount: bool = False, decimal_comma: bool = False) -> float | None:
    """A finite number from JSON or text; a comma may mark decimals ("55,7"). An ``amount``
    (quantity, price) may also group thousands with spaces ("1 000"), commas ("1,500.5") or
    dots ("1.000.000", "1.000,5"). One comma or one dot before three digits depends on the
    language: "1,500" is 1500 and "1.500" 1.5 as English writes them, the reverse in a listing
    whose language writes decimal commas (``decimal_comma``). A coordinate or temperature is
    never grouped ("55,123" is 55.123)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if amount:
            text = re.sub(r"(?<=\d)[\s\u00a0\u202f'](?=\d)", "", text)
            if _COMMA_THOUSANDS.fullmatch(text) and ("." in text or not decimal_comma):
                text = text.replace(",", "")  # 1,500.5 always; 1,500 unless decimal commas
            elif _DOT_GROUPS.fullmatch(text) and (
                "," in text or decimal_comma or text.count(".") > 1
            ):
                text = text.replace(".", "")  # 1.000,5 and 1.000.000 always; 1.500 by language
        value = text.replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # an integer of 309 digits or more
        return None
    return number if math.isfinite(number) else None


def _decimal_comma(language: Any) -> bool:
    """Whether a listing's language writes decimal commas (da, de, sv, sl, ...; CLDR)."""
    try:
        return get_decimal_symbol(Locale.parse(str(language).strip().replace("-", "_"))) == ","
    except (ValueError, TypeError, UnknownLocaleError):
        return False


class _Notes:
    def __init__(self, line: int) -> None:
        self.line = line
        self.items: list[LineProblem] = []

    def __call__(self, field: str, message: str) -> None:
        self.items.append(LineProblem(self.line, field, message, warning=True))


def _date_problem(value: Any, parser_says: str) -> str:
    """What is wrong with a date as a person reads it: the form expected, and for text written
    as a date ("2025-02-30") the parser's reason ("day value is outside expected range")."""
    reason = parser_says.split(", ", 1)[-1] if "," in parser_says else ""
    looks_like_one = isinstance(value, str) and value.count("-") == 2
    return f"expected a date such as 2025-01-31, got {value!r}" + (
        f" ({reason})" if looks_like_one and reason else ""
    )


def _known_fields(
    data: dict[str, Any], fields: tuple[str, ...], warn: _Notes, keep: tuple[str, ...] = ()
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key == "id":
            continue
        if key not in fields:
            if key not in keep:
                warn(str(key), "unknown field, ignored")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        clean[key] = value
    return clean


#: How files write a period, read as the format's value (after lower case, with spaces and
#: underscores read as hyphens).
PERIOD_WORDS: dict[str, str] = {
    **dict.fromkeys(("yearly", "annual", "annually", "year", "a-year", "per-annum", "p.a.",
                     "pa", "/year", "/yr", "/a", "per-yr"), "per-year"),
    **dict.fromkeys(("monthly", "month", "a-month", "/month"), "per-month"),
    **dict.fromkeys(("weekly", "week", "a-week", "/week"), "per-week"),
    **dict.fromkeys(("daily", "day", "a-day", "/day"), "per-day"),
    **dict.fromkeys(("once", "one-time", "onetime", "single", "oneoff", "batch"), "one-off"),
    **dict.fromkeys(("continuously", "constant", "permanent"), "continuous"),
}  # fmt: skip


def _enumerations(clean: dict[str, Any]) -> None:
    """``kind``, ``visibility``, ``direction`` and ``period`` as the format writes them: case,
    surrounding spaces and word separators ignored ("Energy", "per year"), periods' common
    words read ("yearly", "once"); what stays unknown is left for validation to report."""
    for key in ("kind", "visibility", "direction", "period"):
        if isinstance(clean.get(key), str):
            value = re.sub(r"[\s_]+", "-", clean[key].strip().lower())
            clean[key] = PERIOD_WORDS.get(value, value) if key == "period" else value


def _repair_listing(clean: dict[str, Any], warn: _Notes) -> str | None:
    """Fix or drop the fields the engine cannot use; returns the LoW family hint, if any."""
    family = None
    if "waste_code" in clean:
        code, note = parse_waste_code(clean.pop("waste_code"))
        if note:
            warn("waste_code", note)
        if code and len(code) == 6:
            clean["waste_code"] = code
        else:
            family = code
    if "organisation_nace" in clean:
        nace, note = parse_nace(clean.pop("organisation_nace"))
        if note:
            warn("organisation_nace", note)
        if nace:
            clean["organisation_nace"] = nace
    for key, limit in (("lat", 90.0), ("lon", 180.0)):
        if key in clean:
            value = _number(clean[key])
            if value is None or abs(value) > limit:
                warn(key, f"{clean[key]!r} is not a {'latitude' if key == 'lat' else 'longitude'}"
                     f" (-{limit:.0f} to {limit:.0f}); location ignored")  # fmt: skip
                clean.pop(key)
            else:
                clean[key] = value
    if ("lat" in clean) != ("lon" in clean):
        given = "lat" if "lat" in clean else "lon"
        warn(given, "given without " + ("lon" if given == "lat" else "lat") + "; location ignored")
        clean.pop(given)
    decimal_comma = "language" in clean and _decimal_comma(clean["language"])
    for key in ("quantity", "price_eur_per_unit"):
        if key in clean:
            raw = clean[key]
            value = _number(raw, amount=True, decimal_comma=decimal_comma)
            if value is None or (key == "quantity" and value < 0):
                warn(key, f"{raw!r} is not a {'non-negative ' * (key == 'quantity')}"
                     "number; ignored")  # fmt: skip
                clean.pop(key)
                continue
            if (
                "language" not in clean
                and isinstance(raw, str)
                and _ONE_GROUP.fullmatch(raw.strip())
            ):
                warn(key, f"{raw!r} read as {value:g} as English writes it (a listing"
                     " stating a language of decimal commas reads it the other way)")  # fmt: skip
            clean[key] = value
    if "quantity" in clean and "unit" not in clean:
        warn("quantity", "given without a unit; ignored")
        clean.pop("quantity")
    if "properties" in clean and not isinstance(clean["properties"], dict):
        warn("properties", f"expected an object, got {type(clean['properties']).__name__}; ignored")
        clean.pop("properties")
    if bad := property_errors(clean.get("properties")):  # a known property the platform reads
        clean["properties"] = {k: v for k, v in clean["properties"].items() if k not in bad}
        for key, message in bad.items():
            warn(f"properties.{key}", f"{message.removeprefix(f'properties.{key} ')}; ignored")
    for key, limit in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION)):
        if key in clean:
            text = free_text(clean[key])
            if text is None:
                warn(key, f"expected text, got {type(clean[key]).__name__}; ignored")
                clean.pop(key)
            elif len(text) > limit:
                warn(key, f"{len(text)} characters; only the first {limit} are read")
                clean[key] = text[:limit]
            else:
                clean[key] = text
    if not str(clean.get("title", "")).strip():
        fallback = (clean.get("description") or "").strip()[:MAX_TITLE] or code_wording(
            clean.get("waste_code") or family
        )
        used = "the description or code wording is used" if fallback else "nothing to match on"
        warn("title", f"missing; {used}")
        clean["title"] = fallback or "(untitled)"
    return family


def _model_fix(clean: dict[str, Any], message: str, warn: _Notes) -> bool:
    """Repair a cross-field error of :class:`Listing` by dropping the fields involved."""
    for keys, words in (
        (("lat", "lon"), "lat and lon"),
        (("quantity",), "unit is required"),
        (("available_from", "available_to"), "available_"),
    ):
        if words in message and any(k in clean for k in keys):
            warn("/".join(keys), f"{message}; ignored")
            for k in keys:
                clean.pop(k, None)
            return True
    return False


def tolerant_listing(
    data: dict[str, Any], line: int, direction: str
) -> tuple[Listing | None, list[LineProblem]]:
    """Build a :class:`Listing` from a JSON object, repairing what can be repaired.

    Returns ``(listing, warnings)``, or ``(None, [error])`` when the row has no usable id.
    """
    read_id = row_id(data, line)
    if isinstance(read_id, LineProblem):
        return None, [read_id]
    warn = _Notes(line)
    clean = _known_fields(data, LISTING_FIELDS, warn)
    _enumerations(clean)
    if clean.get("direction", direction) != direction:
        warn("direction", f"{clean['direction']!r} in a file of {direction}s; read as {direction}")
    clean["direction"] = direction
    family = _repair_listing(clean, warn)
    for _ in range(len(LISTING_FIELDS) + 3):
        try:
            listing = Listing.model_validate({"id": read_id, **clean})
            kind = implied_kind(listing)
            compared = kind not in (Kind.service, Kind.knowledge)  # their amounts never are
            amount = (
                amount_of(listing, kind)
                if compared and listing.quantity is not None and listing.unit
                else ()
            )
            if amount is None and listing.period == "continuous":
                warn("unit", f"{listing.unit!r} is not a rate: a continuous stream is given per"
                     " hour or day (t/h, m3/day) or in power (kW, MW); the quantity is not"
                     " compared")  # fmt: skip
            elif amount is None:
                warn("unit", f"{listing.unit!r} gives no amount to compare for a listing of kind"
                     f" {kind or 'material'} (t, MWh or m3; for a capacity m2, m3, t, pallet"
                     " places or a throughput); the quantity is not compared")  # fmt: skip
            elif amount and amount[0] > MAX_QUANTITY:  # 1e12 Mt/s is 3e25 t a year
                warn("quantity", f"{listing.quantity:g} {listing.unit} is {amount[0]:.3g}"
                     f" {amount[1]} a year, over {MAX_QUANTITY:.0e}; not compared")  # fmt: skip
                listing = listing.model_copy(update={"quantity": None})
            return listing.with_waste_family(family), warn.items
        except ValidationError as exc:
            progressed = False
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else ""
                message = err["msg"].removeprefix("Value error, ")
                if err["type"].startswith("date_"):  # pydantic's words are about its parsing
                    message = _date_problem(err["input"], message)
                if field in clean and field not in ("direction", "title"):
                    warn(field, f"{message}; ignored")
                    clean.pop(field)
                    progressed = True
                elif not field:
                    progressed = _model_fix(clean, message, warn) or progressed
            if not progressed:
                break
    listing = Listing(id=read_id, direction=direction, title=clean.get("title") or read_id)
    warn("(row)", "could not be read; matched on its title only")
    return listing.with_waste_family(family), warn.items


def tolerant_sector_request(
    data: dict[str, Any], line: int
) -> tuple[SectorRequest | None, list[LineProblem]]:
    """Build a :class:`SectorRequest` from a JSON object, repairing what can be repaired."""
    read_id = row_id(data, line)
    if isinstance(read_id, LineProblem):
        return None, [read_id]
    warn = _Notes(line)
    clean = _known_fields(data, SECTOR_FIELDS, warn, keep=DESCRIPTION_ALIASES)
    description = ""
    if "description" in clean:
        text = free_text(clean["description"])
        if text is None:
            warn("description", f"expected text, got {type(clean['description']).__name__}")
        description = text or ""
    if not description.strip():
        for alias in DESCRIPTION_ALIASES:
            text = free_text(data.get(alias))
            if text and text.strip():
                warn(alias, "unknown field, read as the description")
                description = text
                break
            if alias in data:
                warn(alias, "unknown field, ignored")
    else:
        for alias in DESCRIPTION_ALIASES:
            if alias in data:
                warn(alias, "unknown field, ignored")
    if len(description) > MAX_DESCRIPTION:
        warn("description", f"{len(description)} characters; only the first"
             f" {MAX_DESCRIPTION} are read")  # fmt: skip
        description = description[:MAX_DESCRIPTION]
    code, note = parse_waste_code(clean.get("waste_code"))
    if note:
        warn("waste_code", note)
    nace, note = parse_nace(clean.get("donor_nace"))
    if note:
        warn("donor_nace", note)
    temperature = None
    if clean.get("temperature_c") not in (None, ""):
        low, high = NUMERIC_RANGES["temperature_c"]
        value = _number(clean["temperature_c"])
        if value is None or not low <= value <= high:
            warn("temperature_c", f"{clean['temperature_c']!r} is not a number from {low:g} to"
                 f" {high:g}; ignored")  # fmt: skip
        else:
            temperature = value
    kind = None
    if clean.get("kind") not in (None, ""):
        given = clean["kind"]
        _enumerations(clean)
        kinds = [k.value for k in Kind]
        kind = Kind(clean["kind"]) if clean["kind"] in kinds else None
        if kind is None:
            warn("kind", f"{given!r} is not one of {', '.join(kinds)}; ignored")
    if "top" in clean:  # a field of the API's request; a file's lines share the command's
        warn("top", "the command's --top applies to every line; ignored")
    if not description.strip() and not code:
        warn("description", "missing; ranked on the donor's industry and sector frequency only")
    request = SectorRequest.model_construct(
        id=read_id, description=description, waste_code=code, donor_nace=nace,
        temperature_c=temperature, kind=kind,
    )  # fmt: skip
    return request, warn.items
