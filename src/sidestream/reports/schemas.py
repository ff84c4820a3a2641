"""Pydantic shapes of impact reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from sidestream.impact.schemas import FactorUsed

Basis = Literal["realised", "potential"]
INDICATORS = (
    "virgin_resources_saved_t",
    "water_saved_m3",
    "energy_saved_mwh",
    "waste_diverted_t",
    "co2e_avoided_t",
)


class Totals(BaseModel):
    """The five indicators and EUR summed over some rows."""

    #: Distinct links (exchanges or optimised flows) behind the totals.
    links: int = 0
    virgin_resources_saved_t: float = 0.0
    water_saved_m3: float = 0.0
    energy_saved_mwh: float = 0.0
    waste_diverted_t: float = 0.0
    co2e_avoided_t: float = 0.0
    net_eur: float = 0.0


class ReportRow(BaseModel):
    """One link: an exchange's deliveries in one year, or one flow of the optimised allocation."""

    basis: Basis
    year: int | None = Field(description="delivery year; none for potential (per year)")
    link: str = Field(description="'exchange <id>' or the optimiser's arc id")
    supplier: str
    receiver: str
    kind: str
    amount: float
    unit: str
    virgin_resources_saved_t: float
    water_saved_m3: float
    energy_saved_mwh: float
    waste_diverted_t: float
    co2e_avoided_t: float
    supplier_eur: float
    receiver_eur: float
    net_eur: float
    confirmed_amount: float | None = Field(
        None,
        description="realised rows: how much of ``amount`` the party that did not record the "
        "deliveries has confirmed (disputed deliveries are not counted at all)",
    )


class DeliveryCounts(BaseModel):
    """The deliveries behind a report's realised rows, by the other party's answer."""

    confirmed: int = 0
    awaiting: int = Field(0, description="recorded by one party, not yet answered by the other")
    disputed: int = Field(0, description="left out of the figures")
    first_on: date | None = Field(None, description="the earliest delivery counted")
    last_on: date | None = Field(
        None, description="the latest delivery counted: realised figures cover first to last"
    )


class GroupTotals(BaseModel):
    """Totals of one basis for one year or one organisation."""

    basis: Basis
    key: str
    totals: Totals


class Report(BaseModel):
    """Realised and potential impact of a network or an organisation, with its sources."""

    scope: Literal["network", "organisation"]
    id: int
    name: str
    generated_at: datetime
    rows: list[ReportRow]
    totals: dict[str, Totals]
    by_year: list[GroupTotals]
    by_organisation: list[GroupTotals] = Field(
        description="indicators of the links an organisation takes part in; EUR its own side"
    )
    deliveries: DeliveryCounts = Field(default_factory=DeliveryCounts)
    factors: list[FactorUsed]
    warnings: list[str]
