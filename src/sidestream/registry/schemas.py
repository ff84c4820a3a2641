"""Pydantic schemas of the registry: what the API, importers and services exchange."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from babel import Locale
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from sidestream.input_rules import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    InputRules,
    located_errors,
)
from sidestream.registry.properties import property_errors
from sidestream.taxonomy.kinds import (
    Direction,
    Kind,
    NetworkKind,
    Period,
    SizeClass,
    Status,
    Visibility,
)
from sidestream.taxonomy.nace import normalise_nace
from sidestream.taxonomy.units import MAX_QUANTITY, parse_unit
from sidestream.taxonomy.waste_codes import lookup_waste_code

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

#: How a report names a party the viewer may not know (``policy.sees_side``): no organisation
#: may be called so, or its rows would be added to the undisclosed parties' (and theirs to its).
UNDISCLOSED = "(not disclosed)"


def _not_reserved(name: str) -> str:
    if name.casefold() == UNDISCLOSED.casefold():
        raise ValueError(f"'{name}' is how reports name an undisclosed party: choose another name")
    return name


OrganisationName = Annotated[Name, AfterValidator(_not_reserved)]
#: ISO 3166-1 alpha-2 country codes (and XK, Kosovo): the two-letter territories of Babel's
#: CLDR data without its unions, pseudo-locales and exceptionally reserved codes.
COUNTRIES = frozenset(
    code for code in Locale("en").territories if len(code) == 2 and code.isalpha()
) - {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}


Country = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[A-Z]{2}$"),
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


def _nace(value: str | None) -> str | None:
    """Validate an optional NACE code to its compact form."""
    return normalise_nace(value) if value not in (None, "") else None


def _missing_coordinate(located: SiteBase | StreamFields) -> tuple[str]:
    """Where "lat and lon must be given together" goes: the coordinate left out."""
    return ("lat",) if located.lat is None else ("lon",)


class _KeepsRequired(InputRules):
    """Mixin of partial updates: a field the stored object requires may be left out, not set
    to null (named in a 422 rather than refused by the database)."""

    REQUIRED: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        nulls = [
            n for n in self.REQUIRED if n in self.model_fields_set and getattr(self, n) is None
        ]
        if nulls:
            raise located_errors(type(self).__name__, {(n,): f"{n} cannot be null" for n in nulls})
        return self


class _NaceChecked(BaseModel):
    """Mixin validating the ``nace`` field with python-stdnum."""

    @field_validator("nace", check_fields=False)
    @classmethod
    def _check_nace(cls, v: str | None) -> str | None:
        return _nace(v)


#: The longest website stored (the column's length), ``https://`` included.
WEBSITE_MAX_LENGTH = 300
#: A scheme written before the address ("https://", "ftp://"); "javascript:alert(1)" has
#: none and is read as a host, which it is not.
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")


class _UserWritten(InputRules):
    """Mixin of what a user writes of an organisation: ``country`` must be a country and
    ``website`` a web address (not checked again when a stored organisation is read back)."""

    @field_validator("country", check_fields=False)
    @classmethod
    def _check_country(cls, v: str | None) -> str | None:
        if v is not None and v not in COUNTRIES:
            raise ValueError(f"'{v}' is not an ISO 3166 country code (e.g. DK, SE, FI)")
        return v

    @field_validator("website", check_fields=False)
    @classmethod
    def _check_website(cls, v: str | None) -> str | None:
        return web_address(v) if v and v.strip() else None


def web_address(text: str) -> str:
    """An organisation's website as an http(s) address: ``www.argo.dk`` is read as
    ``https://www.argo.dk``; another scheme (``javascript:``, ``data:``, ``ftp:``), a host
    without a dot, a user before the host, a port that is no port, a space or an invisible
    character, or more than ``WEBSITE_MAX_LENGTH`` characters once read, is refused, as a page
    or API client would make it a link."""
    written = text.strip()
    address = written if _SCHEME.match(written) else f"https://{written}"
    parts = urlsplit(address)
    labels = (parts.hostname or "").split(".")
    named = len(labels) > 1 and all(labels) and parts.username is None  # no "user@" before it
    if parts.scheme.lower() not in ("http", "https") or not named:
        raise ValueError(f"'{written}' is not a web address such as https://www.example.com")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is no port
    except ValueError:
        raise ValueError(f"'{written}' is not a web address: its port is no number") from None
    if not address.isprintable() or any(c.isspace() for c in address):
        raise ValueError(f"'{written}' is not a web address: it contains a space")
    if len(address) > WEBSITE_MAX_LENGTH:
        raise ValueError(
            f"'{written[:40]}…' is not a web address of at most {WEBSITE_MAX_LENGTH} characters"
        )
    return address


class OrganisationBase(_NaceChecked):
    """Fields of an organisation that a user supplies."""

    model_config = ConfigDict(extra="forbid")

    name: OrganisationName
    nace: str | None = Field(None, description="NACE Rev. 2 code, e.g. 2351 or 23.51")
    size_class: SizeClass | None = None
    country: Country | None = Field(None, description="ISO 3166-1 alpha-2 country code")
    description: str | None = Field(None, max_length=5000)
    website: str | None = Field(None, max_length=WEBSITE_MAX_LENGTH)


class OrganisationCreate(OrganisationBase, _UserWritten):
    """A new organisation."""


class OrganisationUpdate(_NaceChecked, _UserWritten, _KeepsRequired):
    """A partial update; ``version`` must be the version the client last read."""

    REQUIRED = ("name",)

    model_config = ConfigDict(extra="forbid")

    version: int
    name: OrganisationName | None = None
    nace: str | None = None
    size_class: SizeClass | None = None
    country: Country | None = None
    description: str | None = Field(None, max_length=5000)
    website: str | None = Field(None, max_length=WEBSITE_MAX_LENGTH)


class OrganisationOut(OrganisationBase):
    """An organisation as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    created_at: datetime
    updated_at: datetime


class SiteBase(BaseModel):
    """Fields of a site."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: Name
    address: str | None = Field(None, max_length=300)
    lat: Latitude | None = None
    lon: Longitude | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> SiteBase:
        if (self.lat is None) != (self.lon is None):
            raise located_errors(
                "site", {_missing_coordinate(self): "lat and lon must be given together"}
            )
        return self


class SiteCreate(SiteBase, InputRules):
    """A new site of an organisation."""


class SiteUpdate(_KeepsRequired):
    """A partial update of a site."""

    REQUIRED = ("name",)

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    version: int
    name: Name | None = None
    address: str | None = Field(None, max_length=300)
    lat: Latitude | None = None
    lon: Longitude | None = None


class SiteOut(SiteBase):
    """A site as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    version: int


class NetworkBase(BaseModel):
    """Fields of a network."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: NetworkKind = NetworkKind.region
    description: str | None = Field(None, max_length=5000)
    facilitator_id: int | None = None


class NetworkCreate(NetworkBase, InputRules):
    """A new network, optionally with its first members."""

    member_ids: list[int] = Field(default_factory=list)


class NetworkUpdate(_KeepsRequired):
    """A partial update of a network; ``member_ids`` replaces the member list when given."""

    REQUIRED = ("name", "kind")

    model_config = ConfigDict(extra="forbid")

    version: int
    name: Name | None = None
    kind: NetworkKind | None = None
    description: str | None = Field(None, max_length=5000)
    facilitator_id: int | None = None
    member_ids: list[int] | None = None


class NetworkOut(NetworkBase):
    """A network as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    member_ids: list[int]


Title = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TITLE_LENGTH)]


class StreamFields(BaseModel):
    """The descriptive fields of a stream shared by the API and the open listing format."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    direction: Direction
    title: Title
    kind: Kind = Kind.material
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    waste_code: str | None = Field(None, description="six-digit List of Waste code")
    product_code: str | None = Field(None, max_length=20)
    quantity: float | None = Field(None, ge=0, le=MAX_QUANTITY)
    unit: str | None = Field(None, max_length=30)
    period: Period | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    available_from: date | None = None
    available_to: date | None = None
    price_eur_per_unit: float | None = Field(
        None,
        ge=-MAX_QUANTITY,
        le=MAX_QUANTITY,
        description="price per unit; negative means a gate fee paid by the offerer",
    )
    visibility: Visibility = Visibility.public

    @field_validator("waste_code")
    @classmethod
    def _valid_code(cls, v: str | None) -> str | None:
        return lookup_waste_code(v).code if v not in (None, "") else None

    @field_validator("unit")
    @classmethod
    def _valid_unit(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        parse_unit(v)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> StreamFields:
        errors: dict[tuple[str, ...], str] = {}
        if (self.lat is None) != (self.lon is None):
            errors[_missing_coordinate(self)] = "lat and lon must be given together"
        if self.quantity is not None and not self.unit:
            errors[("unit",)] = "unit is required when quantity is given"
        if self.available_from and self.available_to and self.available_to < self.available_from:
            errors[("available_to",)] = "available_to is before available_from"
        errors |= {("properties", k): m for k, m in property_errors(self.properties).items()}
        if errors:
            raise located_errors("stream", errors)
        return self


class StreamCreate(StreamFields, InputRules):
    """A new stream registered through the API."""

    external_id: str | None = Field(None, max_length=100)
    organisation_id: int | None = None
    site_id: int | None = None
    status: Status = Status.active


class StreamUpdate(_KeepsRequired):
    """A partial update of a stream; ``version`` must be the version the client last read.

    Each field is checked here; the service then checks the whole updated stream against
    :class:`StreamFields`, so an update can never store what a creation would refuse.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    version: int
    direction: Direction | None = None
    title: Title | None = None
    kind: Kind | None = None
    description: str | None = None
    language: str | None = None
    waste_code: str | None = None
    product_code: str | None = None
    quantity: float | None = Field(None, ge=0, le=MAX_QUANTITY)
    unit: str | None = None
    period: Period | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    properties: dict[str, Any] | None = None
    available_from: date | None = None
    available_to: date | None = None
    price_eur_per_unit: float | None = Field(None, ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    visibility: Visibility | None = None
    status: Status | None = None
    site_id: int | None = None

    REQUIRED = ("direction", "title", "kind", "visibility", "status")


class StreamOut(StreamFields):
    """A stream as stored, with its derived fields."""

    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: int
    external_id: str
    organisation_id: int | None
    site_id: int | None
    hazardous: bool
    code_source: str | None
    annual_amount: float | None
    annual_unit: str | None
    status: Status
    version: int
    created_at: datetime
    updated_at: datetime

    @field_validator("waste_code")
    @classmethod
    def _valid_code(cls, v: str | None) -> str | None:
        return v  # stored codes were validated on the way in

    @model_validator(mode="after")
    def _consistent(self) -> StreamOut:
        return self  # stored streams were checked on the way in; rules may tighten later
