"""Build the demo region from the documented symbioses in ``demo/data``."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidestream.access.demo import DemoAccount, create_demo_accounts
from sidestream.exchanges.models import Delivery, Exchange
from sidestream.exchanges.schemas import Answer, Stage
from sidestream.interop.readers import read_rows
from sidestream.interop.service import ImportReport, import_listings
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Stream
from sidestream.registry.schemas import NetworkCreate, OrganisationCreate, SiteCreate


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo loader created."""

    organisations: int
    sites: int
    networks: int
    streams: int
    accounts: tuple[DemoAccount, ...] = ()
    exchanges: int = 0
    deliveries: int = 0


#: The demo's deliveries (illustrative): each documented exchange's yearly amount in monthly
#: loads from January 2025, the receiver confirming every load but the last, which awaits it.
DELIVERY_MONTHS = 18
FIRST_MONTH = date(2025, 1, 28)


def _data_file(name: str):  # type: ignore[no-untyped-def]
    return resources.files("sidestream.demo").joinpath("data", name)


def region() -> dict[str, Any]:
    """The demo region description (sources, networks, organisations with sites)."""
    return json.loads(_data_file("region.json").read_text(encoding="utf-8"))


def is_loaded(session: Session) -> bool:
    """True when the database already holds organisations."""
    return bool(session.scalar(select(func.count()).select_from(Organisation)))


def load_demo(session: Session, progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Load the demo region into an empty database; the caller commits."""
    if is_loaded(session):
        raise RuntimeError("the database is not empty; use --reset to rebuild the demo region")
    data = region()
    orgs: dict[str, Organisation] = {}
    sites = 0
    for item in data["organisations"]:
        fields = {
            k: item.get(k)
            for k in ("name", "nace", "size_class", "country", "description", "website")
        }
        org = registry.create_organisation(session, OrganisationCreate(**fields))
        orgs[org.name] = org
        for site in item.get("sites", []):
            registry.create_site(session, org.id, SiteCreate(**site))
            sites += 1
    for net in data["networks"]:
        facilitator = orgs[net["facilitator"]].id if net.get("facilitator") else None
        registry.create_network(
            session,
            NetworkCreate(
                name=net["name"],
                kind=net["kind"],
                description=net.get("description"),
                facilitator_id=facilitator,
                member_ids=[orgs[m].id for m in net["members"]],
            ),
        )
    with _data_file("streams.jsonl").open("rb") as fh:
        report: ImportReport = import_listings(session, read_rows(fh, "jsonl"), progress=progress)
    if report.errors:
        first = report.errors[0]
        raise RuntimeError(f"demo data row {first.row}: {first.field}: {first.message}")
    accounts = tuple(create_demo_accounts(session))
    exchanges = _exchanges(session, data.get("exchanges", []))
    return DemoSummary(
        len(orgs),
        sites,
        len(data["networks"]),
        report.created,
        accounts,
        len(exchanges),
        sum(len(e.deliveries) for e in exchanges),
    )


def _exchanges(session: Session, items: Sequence[dict[str, Any]]) -> list[Exchange]:
    """The documented exchanges of ``region.json`` as running exchanges with deliveries: the
    smaller of the two streams' yearly amounts at the offer's stated price."""
    refs = {ref for item in items for ref in (item["offer"], item["need"])}
    by_ref = {
        s.external_id: s
        for s in session.scalars(select(Stream).where(Stream.external_id.in_(refs)))
    }
    made = []
    for item in items:
        offer, need = by_ref[item["offer"]], by_ref[item["need"]]
        yearly = min(offer.annual_amount or 0.0, need.annual_amount or 0.0)
        ex = Exchange(
            offer_org_id=offer.organisation_id,
            need_org_id=need.organisation_id,
            offer_stream_id=offer.id,
            need_stream_id=need.id,
            status=Stage.active,
            agreed_quantity=yearly,
            agreed_unit=offer.annual_unit,
            agreed_period="per-year",
            agreed_price_eur_per_unit=offer.price_eur_per_unit,
            started_on=FIRST_MONTH.replace(day=1),
        )
        for month in range(DELIVERY_MONTHS):
            day = FIRST_MONTH.replace(year=2025 + month // 12, month=month % 12 + 1)
            load = Delivery(
                recorded_by_org_id=offer.organisation_id,
                delivered_on=day,
                quantity=round(yearly / 12, 1 if yearly < 1200 else None),  # as weighed
                unit=offer.annual_unit,
                document_ref=f"{item['offer']}-{day:%Y-%m}",
            )
            if month < DELIVERY_MONTHS - 1:
                load.answer = Answer.confirmed
                load.answered_at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(3)
            ex.deliveries.append(load)
        session.add(ex)
        made.append(ex)
    session.flush()
    return made
