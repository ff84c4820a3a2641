"""SQLAlchemy models of the registry."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sidestream.db import Base, Timestamped


class Organisation(Timestamped, Base):
    """A company or public body taking part in symbiosis."""

    __tablename__ = "organisation"
    #: Matching's change check reads these columns only (migration 0004).
    __table_args__ = (Index("ix_organisation_change_state", "id", "version", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    nace: Mapped[str | None] = mapped_column(String(4), index=True)
    size_class: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    sites: Mapped[list[Site]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Site.id"
    )
    streams: Mapped[list[Stream]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Site(Timestamped, Base):
    """A physical location of an organisation."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="sites")

    __mapper_args__ = {"version_id_col": version}


class NetworkMember(Base):
    """Membership of an organisation in a network."""

    __tablename__ = "network_member"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )


class Network(Timestamped, Base):
    """A symbiosis network: an industrial park, a region or a cluster, run by a facilitator."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="region")
    description: Mapped[str | None] = mapped_column(Text)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    members: Mapped[list[Organisation]] = relationship(
        secondary="network_member", order_by="Organisation.name"
    )
    facilitator: Mapped[Organisation | None] = relationship(foreign_keys=[facilitator_id])

    __mapper_args__ = {"version_id_col": version}


class Stream(Timestamped, Base):
    """An offer or a need of one organisation: material, energy, water, capacity, ..."""

    __tablename__ = "stream"
    __table_args__ = (
        UniqueConstraint("external_id"),
        Index(  # matching's change check reads only these columns (migration 0004)
            "ix_stream_change_state",
            "status",
            "id",
            "version",
            "updated_at",
            "organisation_id",
            "visibility",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    direction: Mapped[str] = mapped_column(String(5), index=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    waste_code: Mapped[str | None] = mapped_column(String(6), index=True)
    hazardous: Mapped[bool] = mapped_column(Boolean, default=False)
    code_source: Mapped[str | None] = mapped_column(String(100))
    product_code: Mapped[str | None] = mapped_column(String(20))
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(30))
    period: Mapped[str | None] = mapped_column(String(12))
    annual_amount: Mapped[float | None] = mapped_column(Float)
    annual_unit: Mapped[str | None] = mapped_column(String(10))
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    available_from: Mapped[date | None] = mapped_column(Date)
    available_to: Mapped[date | None] = mapped_column(Date)
    price_eur_per_unit: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    organisation: Mapped[Organisation | None] = relationship(back_populates="streams")
    site: Mapped[Site | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def organisation_nace(self) -> str | None:
        """The NACE class of the organisation the stream belongs to, if it states one."""
        return self.organisation.nace if self.organisation else None
