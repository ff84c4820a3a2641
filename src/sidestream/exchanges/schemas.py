"""Pydantic schemas of introductions, exchanges and deliveries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sidestream.input_rules import InputRules
from sidestream.taxonomy.kinds import Period
from sidestream.taxonomy.units import MAX_QUANTITY, measures_amount


def _known_unit(field: str, value: str | None) -> str | None:
    """``value`` stripped, or ``ValueError`` naming ``field`` when it is not a unit."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise ValueError(f"{field}: give a unit such as t, m3, MWh")
    if not measures_amount(text):
        raise ValueError(
            f"{field}: '{value}' is no unit of an amount (use e.g. t, kg, m3, MWh; not a rate)"
        )
    return text


class Stage(StrEnum):
    """Life-cycle of an exchange: introduced → negotiating → agreed → active → ended, or failed."""

    introduced = "introduced"
    negotiating = "negotiating"
    agreed = "agreed"
    active = "active"
    ended = "ended"
    failed = "failed"


class Barrier(StrEnum):
    """Why an exchange failed (the barriers named in the industrial-symbiosis literature)."""

    economic = "economic"
    technical = "technical"
    regulatory = "regulatory"
    trust = "trust"  # trust and confidentiality
    logistics = "logistics"
    quality = "quality"
    quantity = "quantity"
    organisational = "organisational"


class IntroductionCreate(InputRules):
    """Ask to be introduced about one of your streams and a counterpart stream."""

    model_config = ConfigDict(extra="forbid")

    offer_stream_id: int
    need_stream_id: int
    message: str | None = Field(None, max_length=2000)


class FacilitatorIntroductionCreate(IntroductionCreate):
    """Introduce an offer and a need of two member companies of your network; both accept
    before either learns who the other is. ``message`` reaches both before that: name
    neither company in it."""


class Introducer(BaseModel):
    """The facilitator who introduced the pair: the network and its facilitating organisation
    (``None`` where they were deleted since)."""

    network_id: int | None
    network: str | None
    organisation_id: int | None
    organisation: str | None


class Contact(BaseModel):
    """The counterpart, revealed once both sides agreed."""

    organisation_id: int | None
    organisation: str | None
    emails: list[str]


#: Where an introduction stands.
IntroductionStatus = Literal["pending", "accepted", "declined", "withdrawn"]


class IntroductionOut(BaseModel):
    """An introduction as one party, a facilitator or an admin sees it."""

    id: int
    status: IntroductionStatus
    my_side: str | None = Field(
        description="requester, responder, or null for facilitators (in an introduction by a "
        "facilitator the offer's company is the requester side, the need's the responder)"
    )
    introduced_by: Introducer | None = Field(
        None, description="the network facilitator who introduced the pair; null for a request"
    )
    awaiting: list[str] = Field(
        default_factory=list,
        description="while pending, the sides whose acceptance is awaited (requester, responder)",
    )
    message: str | None
    offer: dict[str, Any] | None = Field(description="listing view of the offer")
    need: dict[str, Any] | None = Field(description="listing view of the need")
    counterpart: Contact | None = Field(description="only after both sides agreed")
    exchange_id: int | None
    created_at: datetime
    decided_at: datetime | None


class ExchangeUpdate(InputRules):
    """Move an exchange on and/or set its terms; ``version`` is the version last read."""

    model_config = ConfigDict(extra="forbid")

    version: int
    status: Stage | None = None
    agreed_quantity: float | None = Field(None, gt=0, le=MAX_QUANTITY, allow_inf_nan=False)
    agreed_unit: str | None = Field(None, max_length=30)
    agreed_period: Period | None = None
    agreed_price_eur_per_unit: float | None = Field(
        None,
        ge=-MAX_QUANTITY,
        le=MAX_QUANTITY,
        allow_inf_nan=False,
        description="negative: a gate fee",
    )
    failure_reason: Barrier | None = None
    failure_note: str | None = Field(None, max_length=2000)

    @field_validator("agreed_unit")
    @classmethod
    def _unit(cls, value: str | None) -> str | None:
        return _known_unit("agreed_unit", value)


class DeliveryFields(InputRules):
    """The fields of a delivery."""

    delivered_on: date
    quantity: float
    unit: str
    document_ref: str | None = Field(None, max_length=200, description="e.g. waste transfer note")


#: The earliest delivery date accepted (earlier dates are typing errors: "1900-01-01").
FIRST_DELIVERY = date(2000, 1, 1)


class DeliveryCreate(DeliveryFields):
    """One delivery recorded by a party."""

    model_config = ConfigDict(extra="forbid")

    quantity: float = Field(gt=0, le=MAX_QUANTITY, allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=30)

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        return _known_unit("unit", value) or value

    @field_validator("delivered_on")
    @classmethod
    def _happened(cls, value: date) -> date:
        latest = date.today() + timedelta(days=1)  # a day's grace for time zones
        if value > latest:
            raise ValueError(f"delivered_on: {value} is in the future; record a delivery once made")
        if value < FIRST_DELIVERY:
            raise ValueError(f"delivered_on: {value} is before {FIRST_DELIVERY}")
        return value


class Answer(StrEnum):
    """What the party that did not record a delivery says of it."""

    confirmed = "confirmed"
    disputed = "disputed"


class DeliveryAnswer(InputRules):
    """The other party's answer to a recorded delivery (a dispute says why in ``note``)."""

    model_config = ConfigDict(extra="forbid")

    answer: Answer
    note: str | None = Field(None, max_length=500, description="why it is disputed")
    version: int = Field(ge=1, description="the delivery's version you read (a stale one: 409)")


class DeliveryOut(DeliveryFields):
    """A recorded delivery (as stored: the input checks are not applied again)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    recorded_by_org_id: int | None
    created_at: datetime
    answer: Answer | None = Field(
        None, description="the other party's: confirmed, disputed, or none yet"
    )
    answered_at: datetime | None = None
    answer_note: str | None = None
    version: int = Field(description="send it back with an answer")


class ExchangeOut(BaseModel):
    """An exchange as its parties, their facilitators and admins see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    introduction_id: int | None
    offer_org_id: int | None
    need_org_id: int | None
    offer_stream_id: int | None
    need_stream_id: int | None
    status: Stage
    agreed_quantity: float | None
    agreed_unit: str | None
    agreed_period: str | None
    agreed_price_eur_per_unit: float | None
    terms_agreed_by: Literal["offer", "need"] | None = Field(
        description="the side that agreed to the terms as they stand; the exchange is agreed "
        "when the other side agrees to them too"
    )
    failure_reason: Barrier | None
    failure_note: str | None
    started_on: date | None
    ended_on: date | None
    version: int
    deliveries: list[DeliveryOut]


class Pipeline(BaseModel):
    """A facilitator's view of a network: introductions and exchanges by status."""

    network_id: int
    introductions: dict[str, int]
    exchanges: dict[str, int]
    failure_reasons: dict[str, int]
    delivered: dict[str, float] = Field(
        description="total delivered (deliveries not disputed) in t, MWh or m3 (a delivery in "
        "kg or tons counts in t); a capacity or service in the unit recorded"
    )


class AuditEntryOut(BaseModel):
    """One audit-log entry."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    payload_hash: str
    prev_hash: str
    entry_hash: str


class AuditVerdict(BaseModel):
    """The outcome of verifying the audit chain."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool
    entries: int
    head: str
    broken_at: int | None
    reason: str | None
