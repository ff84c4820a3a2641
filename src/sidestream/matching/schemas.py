"""Input and output shapes of the matching engine (Pydantic, shared by CLI and API)."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    computed_field,
    field_validator,
    model_validator,
)

from sidestream.input_rules import MAX_DESCRIPTION_LENGTH, InputRules
from sidestream.messages import N_, Phrase
from sidestream.registry.properties import NUMERIC_RANGES, check_properties
from sidestream.taxonomy.kinds import Direction, Kind, Period, Visibility
from sidestream.taxonomy.nace import compact_nace, normalise_nace
from sidestream.taxonomy.units import MAX_QUANTITY
from sidestream.taxonomy.waste_codes import (
    chapters,
    lookup_code_or_family,
    lookup_waste_code,
    normalise_waste_code,
    sub_chapters,
    waste_codes,
)

_NACE_FIELD = re.compile(r"\d{2,4}(\s*/\s*\d{2,4})*")


def clean_nace(raw: str) -> str:
    """Accept ``2351``, ``23.51``, ``C23.51`` or alternatives ``0110/0120``; return digits.

    Raises ``ValueError`` when the text is not a NACE code. Existence is not checked so that
    codes used in documented cases (e.g. ``0149``) stay usable.
    """
    text = str(raw).strip().upper()
    if text[:1].isalpha():
        text = text[1:]
    text = text.replace(".", "").strip()
    if not _NACE_FIELD.fullmatch(text):
        raise ValueError(f"'{raw}' is not a NACE code such as 2351 or 23.51")
    return text


def parse_waste_code(raw: object) -> tuple[str | None, str | None]:
    """Lenient LoW code: ``(usable code or family, note)``; the note says what was done.

    Returns a six-digit code of the List of Waste when one can be found (``'10 01 02*'``,
    ``'200108/200125'`` -> the first valid one, a JSON number that lost its leading zero or
    gained a ``.0``), else
    the code's sub-chapter (4 digits) or chapter (2 digits) as a family hint (a code from an
    older list, ``'1001'``), else ``None``. ``note`` is ``None`` when the value was clean.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, (list, tuple)):
        raw = "/".join(str(x) for x in raw)
    if isinstance(raw, float) and raw.is_integer() and 0 < raw < 1e6:
        raw = int(raw)  # a spreadsheet's number, as NACE codes are read: 100102.0
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None, f"expected a text such as '10 01 02', got {type(raw).__name__}; ignored"
    text = str(raw)
    entries = waste_codes()
    whole = normalise_waste_code(text)
    if whole in entries:
        return whole, None
    parts = [normalise_waste_code(p) for p in re.split(r"[/;,|+&]|\s{2,}|\bor\b|\band\b", text)]
    parts = [p for p in parts if p]
    if len(parts) == 1 and len(parts[0]) == 5 and "0" + parts[0] in entries:
        return "0" + parts[0], f"'{text}' read as 0{parts[0]} (leading zero restored)"
    for part in parts:
        if part in entries:
            return part, f"'{text}' holds several codes; used {part}"
    for part in parts:
        for family, names in ((part[:4], sub_chapters()), (part[:2], chapters())):
            if len(part) >= len(family) and family in names:
                level = "sub-chapter" if len(family) == 4 else "chapter"
                why = (
                    f"is a LoW {level}, not a six-digit code"
                    if part == family
                    else "is not in the European List of Waste"
                )
                return family, f"'{text}' {why}; used {level} {family} as a hint"
    return None, f"'{text}' is not a List of Waste code; ignored"


def code_wording(code: str | None) -> str:
    """The LoW wording of a code, sub-chapter or chapter ('' when unknown)."""
    if not code:
        return ""
    if len(code) == 6:
        entry = waste_codes().get(code)
        return entry.description if entry else ""
    return (sub_chapters() if len(code) == 4 else chapters()).get(code, "")


def parse_nace(raw: object) -> tuple[str | None, str | None]:
    """Lenient NACE field: ``(digits, note)``; alternatives ``'011/012'`` are kept.

    Accepts classes, groups and divisions of NACE Rev. 2 or 2.1 (``2351``, ``23.51``,
    ``C23.51``); national extensions (``23.51Z``, ``23511``) are cut back to the NACE class.
    Returns ``(None, note)`` when nothing usable is found.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None, f"expected a NACE code such as 23.51, got {type(raw).__name__}; ignored"
    text = str(raw).strip()
    if (isinstance(raw, float) and raw.is_integer() and raw >= 1000) or _FOUR_DOT_ZERO.match(text):
        text = text[:4]  # a spreadsheet's number: 2700.0 or "2700.0"
    lost_zero = isinstance(raw, (int, float)) and 100 <= raw < 1000 and float(raw).is_integer()
    if lost_zero:
        text = f"0{int(raw)}"  # a number lost a class's leading zero: 141 is 01.41, not 14.1
    good: list[str] = []
    changed = lost_zero
    for part in re.split(r"[/;,|]", text):
        part = part.strip()
        if not part:
            continue
        if not any(c.isdigit() for c in part):  # a section letter alone says too little; n/a
            changed = True
            continue
        if _LOST_ZERO.fullmatch(part):  # a number or cell that lost its leading zero: 111, 1.11
            with contextlib.suppress(ValueError):
                good.append(normalise_nace("0" + part))
                changed = True
                continue
        try:
            good.append(normalise_nace(part))
            continue
        except ValueError:
            changed = True
        if re.fullmatch(r"\d{3}", part):  # 111: class 01.11 written as a number
            with contextlib.suppress(ValueError):
                good.append(normalise_nace("0" + part))
                continue
        padded = _padded_group(part)
        if padded:
            good.append(padded)
            continue
        digits = re.sub(r"\D", "", part)
        if len(digits) >= 4 and digits[:4] != part:  # national extension: 23.51Z, 23511
            with contextlib.suppress(ValueError):
                good.append(normalise_nace(digits[:4]))
    good = list(dict.fromkeys(good))
    if not good:
        return None, f"'{raw}' is not a NACE Rev. 2 or 2.1 code; ignored"
    value = "/".join(good)
    return value, (f"'{raw}' read as {value}" if changed else None)


_FOUR_DOT_ZERO = re.compile(r"\d{4}\.0+$")
#: A dotted code of divisions 01-09 without its leading zero (``1.11``, ``1.1``: NACE never
#: writes one digit before the dot). A JSON number of three digits is a class that lost its
#: zero (``141`` -> 01.41); three digits as text pad only when they are no group (``"111"``
#: -> 01.11, ``"141"`` stays group 14.1).
_LOST_ZERO = re.compile(r"\d\.\d{1,2}")


def _padded_group(part: str) -> str | None:
    """A group or division padded with zeros to four digits, as case libraries write them
    (``'0110'`` for group 01.1, ``'2700'`` and ``'C27.00'`` for division 27): its group or
    division code."""
    digits = compact_nace(part).replace(".", "")
    if not re.fullmatch(r"\d{4}", digits):
        return None
    for cut in (3, 2):
        if digits[cut:] == "0" * (4 - cut):
            with contextlib.suppress(ValueError):
                return normalise_nace(digits[:cut])
    return None


class Listing(BaseModel):
    """One stream in the open listing format v1 (offer or need), as the matching engine reads it.

    The fields are those of the canonical :class:`sidestream.interop.listing.Listing` (a test
    keeps the two in step). This model is slightly looser than the canonical one so that the
    engine can score what a file gives: NACE groups/divisions and alternatives (``011/012``)
    are allowed, ``kind`` may be missing (inferred from the unit), lengths are not capped. The
    tolerant line reader of the CLI (:mod:`sidestream.matching.reader`) repairs or drops bad
    fields with a warning before building it; an invalid LoW code whose sub-chapter or chapter
    is known is kept as ``waste_family``.
    """

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    id: str = Field(min_length=1)
    direction: Direction
    title: str = Field(min_length=1)
    kind: Kind | None = None
    description: str | None = None
    language: str | None = None
    waste_code: str | None = None
    product_code: str | None = None
    organisation: str | None = None
    organisation_nace: str | None = None
    quantity: float | None = Field(default=None, ge=0, le=MAX_QUANTITY)
    unit: str | None = None
    period: Period | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    properties: dict[str, Any] = Field(default_factory=dict)
    available_from: date | None = None
    available_to: date | None = None
    price_eur_per_unit: float | None = Field(default=None, ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    visibility: Visibility | None = None

    _waste_family: str | None = PrivateAttr(default=None)

    @property
    def waste_family(self) -> str | None:
        """The LoW code, or the sub-chapter/chapter hint kept from an invalid code."""
        return self.waste_code or self._waste_family

    def with_waste_family(self, family: str | None) -> Listing:
        """This listing with a family hint (2 or 4 digits) for a missing/invalid code."""
        self._waste_family = family
        return self

    @field_validator("waste_code")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        return lookup_waste_code(v).code if v not in (None, "") else None

    @field_validator("organisation_nace")
    @classmethod
    def _nace(cls, v: str | None) -> str | None:
        return clean_nace(v) if v not in (None, "") else None

    @field_validator("properties")
    @classmethod
    def _properties(cls, v: dict[str, Any]) -> dict[str, Any]:
        check_properties(v)  # the known ones, as the registry checks them (others kept)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Listing:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        if self.quantity is not None and not self.unit:
            raise ValueError("unit is required when quantity is given")
        if self.available_from and self.available_to and self.available_from > self.available_to:
            raise ValueError("available_from is after available_to")
        return self

    @property
    def text(self) -> str:
        """Title and description together, for reading and similarity: on two lines, so a
        phrase of the title ends with it ("Heat from our biogas plant"), and the embedding
        reads the line break as a space (a ". " between them moved it: cosine 0.92)."""
        return f"{self.title}\n{self.description}" if self.description else self.title


class SectorRequest(InputRules):
    """Input of ``recommend-sectors``: a stream to find receiving industries for.

    Validated as the API's body (unknown keys and codes refused); the command line's tolerant
    reader (:mod:`sidestream.matching.reader`) repairs a line and builds it unvalidated."""

    model_config = ConfigDict(coerce_numbers_to_str=True, extra="forbid")

    id: str = Field(default="", description="caller's identifier, echoed back")
    description: str = Field(default="", max_length=MAX_DESCRIPTION_LENGTH)
    waste_code: str | None = None
    donor_nace: str | None = None
    temperature_c: float | None = Field(
        default=None,
        strict=True,  # a number: true/false or "hot" are refused, not read as 1 or 0
        ge=NUMERIC_RANGES["temperature_c"][0],
        le=NUMERIC_RANGES["temperature_c"][1],
        description="heat: the stream's temperature; uses needing hotter heat are dropped or "
        "reached through a heat pump (else a temperature in the description is read)",
    )
    kind: Kind | None = Field(
        default=None, description="the stream's kind; patterns written for other kinds are skipped"
    )
    top: int = Field(default=10, ge=1, le=100)

    @field_validator("waste_code")
    @classmethod
    def _known_code(cls, v: str | None) -> str | None:
        return lookup_code_or_family(v) if v and v.strip() else None

    @field_validator("donor_nace")
    @classmethod
    def _known_nace(cls, v: str | None) -> str | None:
        digits, note = parse_nace(v)
        if v and v.strip() and digits is None:
            raise ValueError((note or f"'{v}' is not a NACE code").removesuffix("; ignored"))
        return digits

    @model_validator(mode="after")
    def _something_to_go_on(self) -> SectorRequest:
        if not self.description.strip() and not (self.waste_code or "").strip():
            raise ValueError("description (or waste_code) is required")
        return self


class ExchangeEvidence(BaseModel):
    """A documented exchange supporting a recommendation."""

    type: Literal["exchange"] = "exchange"
    case: str
    exchange_id: str
    donor: str
    receiver: str
    country: str
    material: str
    final_use: str
    similarity: float
    #: The receiver's NACE code as the source recorded it, where that is a division or group
    #: holding the recommended class rather than the class itself (``"21"``, ``"01.4"``).
    receiver_recorded_as: str | None = None


class HeatPumpLift(BaseModel):
    """A heat pump that lifts a stream to a use's temperature."""

    source_c: float
    sink_c: float
    cop: float


class PatternEvidence(BaseModel):
    """A curated pattern supporting a recommendation."""

    type: Literal["pattern"] = "pattern"
    pattern: str
    matched: str
    typical_use: str
    source: str
    heat_pump: HeatPumpLift | None = Field(
        default=None, description="the stream is colder than the use needs: lifted this way"
    )


class SectorRecommendation(BaseModel):
    """A receiving NACE class for a stream, with its score, reason and evidence."""

    nace: str
    label: str
    score: float
    why: str
    typical_uses: list[str] = Field(default_factory=list)
    evidence: list[ExchangeEvidence | PatternEvidence] = Field(default_factory=list)


#: What a component's detail says, alone, when its inputs are missing on a side (it then
#: scores the neutral 0.5).
LOCATION_MISSING = Phrase(N_("location missing on one side"))
QUANTITY_MISSING = Phrase(N_("quantity missing on one side"))
UNITS_DIFFER = Phrase(N_("quantities in different units"))
QUANTITY_UNREADABLE = Phrase(N_("a quantity's unit gives no amount to compare"))
NO_CONSTRAINTS = Phrase(N_("no property constraints stated"))
NO_WINDOWS = Phrase(N_("no availability windows given"))
_UNSTATED = frozenset(
    p.template
    for p in (
        LOCATION_MISSING,
        QUANTITY_MISSING,
        UNITS_DIFFER,
        QUANTITY_UNREADABLE,
        NO_CONSTRAINTS,
        NO_WINDOWS,
    )
)


class Reason(BaseModel):
    """One scoring component of a match: its score (0–1), weight and what it saw."""

    model_config = ConfigDict(frozen=True)

    component: str
    score: float
    weight: float
    detail: str
    #: The detail as phrases, for pages in other languages (asked for by the stored-stream
    #: service; not part of the JSON).
    phrases: tuple[Phrase, ...] = Field(default=(), exclude=True, repr=False)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stated(self) -> bool:
        """False when the component had nothing to compare (a location, quantity or temperature
        missing on a side, dates on neither): it then scores 0.5 and its detail says so."""
        return self.detail not in _UNSTATED

    def __eq__(self, other: object) -> bool:
        """Equal when the JSON is (a reason read back from the API equals the page's)."""
        if not isinstance(other, Reason):
            return NotImplemented
        return self.model_dump() == other.model_dump()


class Match(BaseModel):
    """A candidate partner for a listing."""

    need_id: str
    offer_id: str
    score: float
    reasons: list[Reason]
