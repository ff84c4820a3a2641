"""The open listing format v1: one stream a row, in JSON Lines, CSV or XLSX."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from sidestream.input_rules import InputRules
from sidestream.registry.schemas import StreamFields
from sidestream.taxonomy.nace import normalise_nace

FORMAT_VERSION = "1"
SCHEMA_ID = "https://sidestream.example/schemas/listing-v1.json"


class Listing(StreamFields, InputRules):
    """One listing (an offer or a need) in the open listing format v1."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        coerce_numbers_to_str=True,  # a spreadsheet's number in a text column: id 3, code 20108
        title="Sidestream open listing v1",
        json_schema_extra={"$id": SCHEMA_ID},
    )

    id: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="stable identifier chosen by the publisher; re-importing it updates"
    )
    organisation: str | None = Field(None, max_length=200, description="organisation name")
    organisation_nace: str | None = Field(None, description="NACE Rev. 2, e.g. 2351 or 23.51")

    @field_validator("organisation_nace")
    @classmethod
    def _valid_nace(cls, v: str | None) -> str | None:
        return normalise_nace(v) if v not in (None, "") else None

    @field_validator("waste_code", "organisation_nace", mode="before")
    @classmethod
    def _lost_zero(cls, v: Any, info: ValidationInfo) -> Any:
        """A code written as a number (a spreadsheet cell, a JSON number) has lost its leading
        zero: ``20108`` is LoW 02 01 08, ``141`` NACE 01.41, as ``match-files`` reads them."""
        digits = 6 if info.field_name == "waste_code" else 4
        if isinstance(v, int) and not isinstance(v, bool) and len(str(v)) == digits - 1:
            return f"0{v}"
        return v


#: Column order of CSV/XLSX files; the same names as the JSON keys.
COLUMNS: list[str] = [
    "id",
    "direction",
    "title",
    "kind",
    "description",
    "language",
    "waste_code",
    "product_code",
    "organisation",
    "organisation_nace",
    "quantity",
    "unit",
    "period",
    "lat",
    "lon",
    "properties",
    "available_from",
    "available_to",
    "price_eur_per_unit",
    "visibility",
]


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of one listing."""
    schema = Listing.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_json_schema(path: Path) -> None:
    """Write the JSON Schema to ``path`` (the copy published in ``docs/``)."""
    path.write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
