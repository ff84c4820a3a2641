"""Pydantic I/O schemas of impact accounting: one exchange in, indicators and economics out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sidestream.input_rules import InputRules
from sidestream.registry.properties import NUMERIC_RANGES
from sidestream.taxonomy.units import MAX_QUANTITY
from sidestream.taxonomy.waste_codes import lookup_code_or_family

Payer = Literal["supplier", "receiver"]

#: The longest transport an exchange is accounted for: half the Earth's circumference.
MAX_DISTANCE_KM = 20_000.0


class Exchange(InputRules):
    """One flow from a supplier to a receiver, in its canonical annual amount.

    ``amount`` is per year in ``unit`` (t for material, MWh for energy, m3 for water; other
    units of the same dimension are converted). Everything left out is filled from the LoW
    mapping and the factor set, and reported back in the result's ``assumptions``.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: Literal["material", "energy", "water"]
    amount: float = Field(ge=0, le=MAX_QUANTITY, description="annual amount in `unit`")
    unit: str | None = Field(None, description="defaults to t / MWh / m3 by kind")
    waste_code: str | None = Field(None, description="six-digit LoW code, spaces allowed")
    material_category: str | None = Field(
        None, description="DEFRA material category, e.g. 'Plastics: average plastics'"
    )
    substitutes: str | None = Field(
        None,
        description="what the receiver stops buying: a DEFRA material category, or "
        "'natural_gas_heat' | 'natural_gas' (a fuel for a fuel) | 'district_heat' | "
        "'electricity' | 'water_supply'; 'coal_industrial' for a material burnt in place of "
        "coal (by `lower_heating_value_mj_kg`); 'none' for a "
        "material whose use replaces nothing the factor set can value; 'unknown' where what the "
        "receiver uses it in place of is not known (counted as 0)",
    )
    substitution_ratio: float = Field(
        1.0, ge=0, le=MAX_QUANTITY, description="virgin units replaced per unit"
    )
    lower_heating_value_mj_kg: float | None = Field(
        None,
        gt=0,
        le=NUMERIC_RANGES["lower_heating_value_mj_kg"][1],
        description="a material burnt in place of a fuel ('coal_industrial'): its energy as "
        "delivered, MJ/kg, which says how much fuel it replaces (none given: none counted)",
    )
    secondary_route: Literal["re_used", "closed_loop_source", "open_loop_source"] | None = Field(
        None, description="charge the DEFRA burden of the secondary material as processing"
    )
    avoided_disposal: str | None = Field(
        None, description="route the supplier no longer pays for; 'none' for no disposal avoided"
    )
    distance_km: float = Field(0.0, ge=0, le=MAX_DISTANCE_KM)
    vehicle: str | None = Field(None, description="key of vehicles.csv; default hgv / pipe")
    virgin_price_eur_per_unit: float | None = Field(
        None, ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="overrides the factor"
    )
    gate_fee_eur_per_unit: float | None = Field(
        None, ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="overrides the factor"
    )
    transport_cost_eur_per_tkm: float | None = Field(
        None, ge=0, le=MAX_QUANTITY, description="quoted rate"
    )
    transfer_price_eur_per_unit: float = Field(
        0.0, ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="paid by receiver to supplier"
    )
    processing_cost_eur_per_unit: float = Field(0.0, ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    processing_co2e_kg_per_unit: float = Field(
        0.0, ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="may be negative"
    )
    processing_energy_mwh_per_unit: float = Field(
        0.0, ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="energy used (+) or made (-)"
    )
    heat_pump_cop: float | None = Field(
        None,
        gt=1,
        le=MAX_QUANTITY,
        description="energy: a heat pump lifts the heat to the receiver's temperature at this "
        "COP; its grid electricity, 1/(COP-1) per unit, is charged as processing",
    )
    transport_paid_by: Payer = "receiver"
    processing_paid_by: Payer = "receiver"

    @field_validator("waste_code")
    @classmethod
    def _known_code(cls, v: str | None) -> str | None:
        return lookup_code_or_family(v) if v and v.strip() else None


class Indicators(BaseModel):
    """The five indicators of the Danish baseline, per year."""

    virgin_resources_saved_t: float
    water_saved_m3: float
    energy_saved_mwh: float
    waste_diverted_t: float
    co2e_avoided_t: float


class CarbonBreakdown(BaseModel):
    """Avoided burden terms in t CO2e per year; ``co2e_avoided_t`` = first two minus last two."""

    substitution_t: float
    avoided_disposal_t: float
    transport_t: float
    processing_t: float


class Economics(BaseModel):
    """EUR per year; ``supplier_net_eur + receiver_net_eur == total_net_eur``."""

    avoided_purchase_eur: float
    avoided_disposal_fee_eur: float
    transport_cost_eur: float
    processing_cost_eur: float
    transfer_eur: float
    supplier_net_eur: float
    receiver_net_eur: float
    total_net_eur: float


class FactorUsed(BaseModel):
    """A factor the result depends on, as the UI shows it."""

    id: str
    role: str
    value: float
    unit: str
    year: int
    source: str
    citation: str
    version: str
    overridden: bool = False


class ImpactResult(BaseModel):
    """Indicators, carbon breakdown, economics and the provenance of every number."""

    indicators: Indicators
    carbon: CarbonBreakdown
    economics: Economics
    factors: list[FactorUsed]
    assumptions: dict[str, object]
    factor_set_version: str
    warnings: list[str] = Field(default_factory=list)
