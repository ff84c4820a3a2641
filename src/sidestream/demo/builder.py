"""Build the demo region from the documented symbioses in ``demo/data``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidestream.access.demo import DemoAccount, create_demo_accounts
from sidestream.interop.readers import read_rows
from sidestream.interop.service import ImportReport, import_listings
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation
from sidestream.registry.schemas import NetworkCreate, OrganisationCreate, SiteCreate


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo loader created."""

    organisations: int
    sites: int
    networks: int
    streams: int
    accounts: tuple[DemoAccount, ...] = ()


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
    return DemoSummary(len(orgs), sites, len(data["networks"]), report.created, accounts)
