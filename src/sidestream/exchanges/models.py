"""SQLAlchemy models of exchanges: introductions, exchanges, deliveries and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sidestream.db import Base, Timestamped, UtcDateTime, utcnow


def _org_fk() -> Mapped[int | None]:
    return mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)


def _stream_fk() -> Mapped[int | None]:
    return mapped_column(ForeignKey("stream.id", ondelete="SET NULL"))


def _user_fk() -> Mapped[int | None]:
    return mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))


class Introduction(Timestamped, Base):
    """A double opt-in introduction about an offer and a need.

    Either one company asks (the requester; asking is its acceptance) and the other, the
    responder, answers; or a network's facilitator introduces two members (``introduced_by_*``;
    the offer's company is then the requester side, the need's the responder side) and both
    answer. Identities are revealed to the two sides only once both have accepted.
    """

    __tablename__ = "introduction"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_stream_id: Mapped[int | None] = _stream_fk()
    need_stream_id: Mapped[int | None] = _stream_fk()
    requester_org_id: Mapped[int | None] = _org_fk()
    responder_org_id: Mapped[int | None] = _org_fk()
    #: Who asked, or (an introduction by a facilitator) who answered for the requester side.
    requested_by: Mapped[int | None] = _user_fk()
    #: Who answered for the responder side (who withdrew a request).
    decided_by: Mapped[int | None] = _user_fk()
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    message: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: When each side agreed (``None``: its answer is awaited). A company's own request is its
    #: side's acceptance; an introduction by a facilitator awaits both sides.
    requester_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responder_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The facilitator who made the introduction: its network, organisation and user (all
    #: ``None`` for a company's own request).
    introduced_by_network_id: Mapped[int | None] = mapped_column(
        ForeignKey("network.id", ondelete="SET NULL")
    )
    introduced_by_org_id: Mapped[int | None] = _org_fk()
    introduced_by: Mapped[int | None] = _user_fk()
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def by_facilitator(self) -> bool:
        """Whether a network's facilitator made the introduction (not a company asking); it
        stays one after its network, organisation or user is deleted."""
        return any(
            x is not None
            for x in (self.introduced_by_network_id, self.introduced_by_org_id, self.introduced_by)
        )

    def awaiting(self) -> list[str]:
        """The sides (``requester``, ``responder``) whose acceptance is still awaited while
        the introduction is pending."""
        if self.status != "pending":
            return []
        return [
            side
            for side, at in (
                ("requester", self.requester_accepted_at),
                ("responder", self.responder_accepted_at),
            )
            if at is None
        ]

    def blind_id(self, direction: str) -> str:
        """The id the other side sees for this introduction's offer or need until it is
        accepted (the stream's own id would lead to its page and its owner)."""
        return f"introduction-{self.id}-{direction}"


class Exchange(Timestamped, Base):
    """An exchange between two organisations, from introduction to its end or failure."""

    __tablename__ = "exchange"

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int | None] = mapped_column(
        ForeignKey("introduction.id", ondelete="SET NULL"), unique=True
    )
    offer_org_id: Mapped[int | None] = _org_fk()
    need_org_id: Mapped[int | None] = _org_fk()
    offer_stream_id: Mapped[int | None] = _stream_fk()
    need_stream_id: Mapped[int | None] = _stream_fk()
    status: Mapped[str] = mapped_column(String(12), default="introduced", index=True)
    failure_reason: Mapped[str | None] = mapped_column(String(16))
    failure_note: Mapped[str | None] = mapped_column(Text)
    agreed_quantity: Mapped[float | None] = mapped_column(Float)
    agreed_unit: Mapped[str | None] = mapped_column(String(30))
    agreed_period: Mapped[str | None] = mapped_column(String(12))
    agreed_price_eur_per_unit: Mapped[float | None] = mapped_column(Float)
    #: The side ("offer" / "need") that agreed to the terms as they stand: the exchange is
    #: agreed when the other side agrees too; changing a term clears it.
    terms_agreed_by: Mapped[str | None] = mapped_column(String(5))
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: The terms its deliveries are valued by (``impact.service.pair_terms``), kept when its
    #: offer or need is deleted: a need deleted once it is met must not revalue what was
    #: delivered. ``None`` while both streams exist (their current terms count).
    valuation_terms: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="exchange", cascade="all, delete-orphan", order_by="Delivery.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Delivery(Base):
    """One delivery of an exchange, recorded by either party and confirmed or disputed by the
    other (``answer``; ``None`` while it awaits the other party's answer)."""

    __tablename__ = "delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(
        ForeignKey("exchange.id", ondelete="CASCADE"), index=True
    )
    recorded_by_org_id: Mapped[int | None] = _org_fk()
    recorded_by: Mapped[int | None] = _user_fk()
    delivered_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(30))
    document_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_by: Mapped[int | None] = _user_fk()
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __table_args__ = (CheckConstraint("answer IN ('confirmed', 'disputed')", name="answer"),)
    __mapper_args__ = {"version_id_col": version}

    exchange: Mapped[Exchange] = relationship(back_populates="deliveries")


class AuditEntry(Base):
    """One appended change: who, when, what, the payload's hash and the chained entry hash."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str] = mapped_column(String(40))
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row naming the last entry: locked by appenders, so the chain never forks,
    and compared by the verifier, so deleting the newest entries is detected."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
