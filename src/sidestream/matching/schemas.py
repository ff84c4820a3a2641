"""Input and output shapes of the matching engine (Pydantic, shared by CLI and API)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sidestream.taxonomy.kinds import Direction, Kind, Period, Visibility
from sidestream.taxonomy.waste_codes import lookup_waste_code

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


class Listing(BaseModel):
    """One stream in the open listing format v1 (offer or need)."""

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
    quantity: float | None = Field(default=None, ge=0)
    unit: str | None = None
    period: Period | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    properties: dict[str, Any] = Field(default_factory=dict)
    available_from: date | None = None
    available_to: date | None = None
    price_eur_per_unit: float | None = None
    visibility: Visibility | None = None

    @field_validator("waste_code")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        return lookup_waste_code(v).code if v not in (None, "") else None

    @field_validator("organisation_nace")
    @classmethod
    def _nace(cls, v: str | None) -> str | None:
        return clean_nace(v) if v not in (None, "") else None

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
        """Title and description together, for text similarity."""
        return f"{self.title} {self.description or ''}".strip()


class SectorRequest(BaseModel):
    """Input of ``recommend-sectors``: a stream to find receiving industries for."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str = Field(default="", description="caller's identifier, echoed back")
    description: str = ""
    waste_code: str | None = None
    donor_nace: str | None = None
    top: int = Field(default=10, ge=1, le=100)

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


class PatternEvidence(BaseModel):
    """A curated pattern supporting a recommendation."""

    type: Literal["pattern"] = "pattern"
    pattern: str
    matched: str
    typical_use: str
    source: str


class SectorRecommendation(BaseModel):
    """A receiving NACE class for a stream, with its score, reason and evidence."""

    nace: str
    label: str
    score: float
    why: str
    typical_uses: list[str] = Field(default_factory=list)
    evidence: list[ExchangeEvidence | PatternEvidence] = Field(default_factory=list)


class Reason(BaseModel):
    """One scoring component of a match: its score (0–1), weight and what it saw."""

    component: str
    score: float
    weight: float
    detail: str


class Match(BaseModel):
    """A candidate partner for a listing."""

    need_id: str
    offer_id: str
    score: float
    reasons: list[Reason]
