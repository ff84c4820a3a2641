"""Resource kinds, stream directions, periods, visibility and status vocabularies."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    """Whether a stream is offered or needed."""

    offer = "offer"
    need = "need"


class Kind(StrEnum):
    """What a stream is made of."""

    material = "material"
    energy = "energy"
    water = "water"
    capacity = "capacity"
    service = "service"
    knowledge = "knowledge"


#: Kinds made of matter or carried by it: the documented exchanges of the case library are all
#: of these, and a knowledge pattern that names no kind applies to them only.
PHYSICAL_KINDS: tuple[Kind, ...] = (Kind.material, Kind.energy, Kind.water)


class Period(StrEnum):
    """How the quantity of a stream recurs."""

    one_off = "one-off"
    continuous = "continuous"
    per_year = "per-year"
    per_month = "per-month"
    per_week = "per-week"
    per_day = "per-day"


class Visibility(StrEnum):
    """Who may see a stream (enforced by the access policy)."""

    public = "public"
    network = "network"
    anonymous = "anonymous"
    private = "private"


class Status(StrEnum):
    """Life-cycle of a listing."""

    draft = "draft"
    active = "active"
    paused = "paused"
    closed = "closed"


class SizeClass(StrEnum):
    """EU SME size classes (Recommendation 2003/361/EC)."""

    micro = "micro"
    small = "small"
    medium = "medium"
    large = "large"


class NetworkKind(StrEnum):
    """What sort of symbiosis network."""

    park = "park"
    region = "region"
    cluster = "cluster"


#: CPA divisions whose products are of a kind other than material (35 electricity, gas, steam
#: and hot water; 36 natural water and its treatment and supply).
CPA_KINDS: dict[str, Kind] = {"35": Kind.energy, "36": Kind.water}


def kind_of_product(product_code: str | None) -> Kind | None:
    """The kind a CPA product code implies (``'35.30.11'`` steam: energy), else None."""
    digits = "".join(ch for ch in product_code or "" if ch.isdigit())
    return CPA_KINDS.get(digits[:2])


#: Canonical annual unit for kinds measured in amounts; other kinds keep their own unit.
CANONICAL_UNIT: dict[str, str] = {Kind.material: "t", Kind.energy: "MWh", Kind.water: "m3"}
