"""Impact reports of a network or an organisation: realised and potential, with sources.

Realised impact follows the deliveries recorded on exchanges (one row per exchange and
delivery year); potential impact is the optimiser's proposed allocation of the network (one
row per flow, per year). Totals are sums of the rows; an organisation's group counts the
indicators of every link it takes part in and the EUR of its own side.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sidestream.access.errors import Forbidden
from sidestream.access.policy import SYSTEM, Viewer
from sidestream.db import utcnow
from sidestream.errors import InvalidInput
from sidestream.exchanges import service as exchanges
from sidestream.exchanges.models import Exchange
from sidestream.exchanges.schemas import Answer
from sidestream.impact.accounting import account_exchange
from sidestream.impact.schemas import FactorUsed, ImpactResult
from sidestream.impact.service import pair_terms
from sidestream.interop.csv_cells import safe_cell
from sidestream.matching.scoring import place_distance_km
from sidestream.matching.service import stream_listing
from sidestream.optimize.service import optimize_network
from sidestream.registry import service as registry
from sidestream.registry.models import NetworkMember, Organisation, Stream
from sidestream.registry.schemas import UNDISCLOSED
from sidestream.reports.schemas import (
    INDICATORS,
    Basis,
    DeliveryCounts,
    GroupTotals,
    Report,
    ReportRow,
    Totals,
)
from sidestream.taxonomy.kinds import CANONICAL_UNIT
from sidestream.taxonomy.units import MAX_QUANTITY


class _Collector:
    """Rows, the factors they used and warnings, as the report is assembled."""

    def __init__(self) -> None:
        self.rows: list[ReportRow] = []
        self.factors: dict[str, FactorUsed] = {}
        self.warnings: list[str] = []
        self.deliveries = DeliveryCounts()
        self._of_row: list[ImpactResult] = []  # what valued each row: its factors, warnings

    def keep_rows(self, wanted: Callable[[ReportRow], bool]) -> None:
        """Keep the rows ``wanted`` accepts, and of the factors and valuation warnings only
        theirs: a company's report names no factor or warning of another company's link."""
        pairs = list(zip(self.rows, self._of_row, strict=True))
        kept = [(row, impact) for row, impact in pairs if wanted(row)]
        theirs = {w for _, impact in kept for w in impact.warnings}
        others = {w for row, impact in pairs if not wanted(row) for w in impact.warnings}
        self.rows, self._of_row = [r for r, _ in kept], [i for _, i in kept]
        self.warnings = [w for w in self.warnings if w in theirs or w not in others]
        self.factors = {f.id: f for _, impact in kept for f in impact.factors}

    def add(
        self,
        basis: Basis,
        year: int | None,
        link: str,
        parties: tuple[str, str],
        result: Row,
        confirmed: float | None = None,
    ) -> None:
        impact, kind, amount = result
        self.factors.update({f.id: f for f in impact.factors})
        self.warnings.extend(w for w in impact.warnings if w not in self.warnings)
        eco = impact.economics
        self.rows.append(
            ReportRow(
                basis=basis,
                year=year,
                link=link,
                supplier=parties[0],
                receiver=parties[1],
                kind=kind,
                amount=amount,
                unit=CANONICAL_UNIT[kind],
                **impact.indicators.model_dump(),
                supplier_eur=eco.supplier_net_eur,
                receiver_eur=eco.receiver_net_eur,
                net_eur=eco.total_net_eur,
                confirmed_amount=confirmed,
            )
        )
        self._of_row.append(impact)


Row = tuple[ImpactResult, str, float]


def _realised(
    session: Session, viewer: Viewer, orgs: set[int], out: _Collector, *, both: bool
) -> None:
    """Rows of the visible exchanges with deliveries that involve one of ``orgs`` (``both``:
    exchanges between two of them, as a network counts its own)."""
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    for ex in exchanges.list_exchanges(session, viewer):
        parties = {ex.offer_org_id, ex.need_org_id} - {None}  # a deleted company: the other
        if not ex.deliveries or not (parties and parties <= orgs if both else parties & orgs):
            continue
        _realised_exchange(session, viewer, ex, names, out)


def _realised_exchange(
    session: Session, viewer: Viewer, ex: Exchange, names: dict[int, str], out: _Collector
) -> None:
    """The realised rows of one exchange (one per delivery year); a party the viewer may not
    know (as the exchange's own view decides) is named :data:`UNDISCLOSED`."""
    offer = session.get(Stream, ex.offer_stream_id) if ex.offer_stream_id else None
    need = session.get(Stream, ex.need_stream_id) if ex.need_stream_id else None
    counted, _ = exchanges.counting_basis(session, ex)
    terms = ex.valuation_terms  # kept when a side was deleted
    if terms is None and counted is not None:  # else as the sides are now
        terms = pair_terms(offer, need) if offer else {"kind": counted.kind, "waste_code": None}
        terms |= {"distance_km": place_distance_km(offer, need) or 0.0}
    kind = terms["kind"] if terms else None
    if terms is None or kind not in CANONICAL_UNIT:
        out.warnings.append(f"exchange {ex.id}: no indicators for its kind ({kind})")
        return
    per_year: dict[int, float] = defaultdict(float)
    confirmed: dict[int, float] = defaultdict(float)
    for d in ex.deliveries:
        if d.answer == Answer.disputed:
            out.deliveries.disputed += 1
            out.warnings.append(f"exchange {ex.id}, delivery {d.id}: disputed, left out")
            continue
        try:
            annual = exchanges.delivered_amount(counted, d.quantity, d.unit, kind)
        except ValueError as exc:
            out.warnings.append(f"exchange {ex.id}, delivery {d.id}: {exc}")
            continue
        amount = annual.amount if annual else 0.0
        per_year[d.delivered_on.year] += amount
        out.deliveries.first_on = min(out.deliveries.first_on or d.delivered_on, d.delivered_on)
        out.deliveries.last_on = max(out.deliveries.last_on or d.delivered_on, d.delivered_on)
        if d.answer == Answer.confirmed:
            out.deliveries.confirmed += 1
            confirmed[d.delivered_on.year] += amount
        else:
            out.deliveries.awaiting += 1
    price = ex.agreed_price_eur_per_unit
    if price is not None and ex.agreed_unit not in (None, CANONICAL_UNIT[kind]):
        try:  # a price per kg is a price per t, a thousand times larger
            per = exchanges.delivered_amount(counted, 1.0, ex.agreed_unit, kind)
        except ValueError:  # agreed before units were checked
            per = None
        if per is None or per.amount <= 0:
            out.warnings.append(f"exchange {ex.id}: price per {ex.agreed_unit} not applied")
            price = None
        else:
            price = price / per.amount
    seen = exchanges.exchange_view(session, viewer, ex)
    parties = (
        names.get(seen.offer_org_id, UNDISCLOSED) if seen.offer_org_id else UNDISCLOSED,
        names.get(seen.need_org_id, UNDISCLOSED) if seen.need_org_id else UNDISCLOSED,
    )
    for year, amount in sorted(per_year.items()):
        try:  # kept terms may name a category a later factor set no longer has
            impact = account_exchange(
                {**terms, "amount": amount, "transfer_price_eur_per_unit": price or 0.0}
            )
        except InvalidInput as exc:
            out.warnings.append(f"exchange {ex.id}, {year}: not valued: {exc}")
            continue
        except ValidationError:  # each delivery fits; their sum is beyond any year's figure
            out.warnings.append(
                f"exchange {ex.id}, {year}: not valued: {amount:.3g} {CANONICAL_UNIT[kind]} "
                f"delivered is more than a year's figures hold ({MAX_QUANTITY:.0e})"
            )
            continue
        row = (impact, kind, amount)
        out.add("realised", year, f"exchange {ex.id}", parties, row, confirmed[year])


def exchange_realised_rows(
    session: Session, exchange_id: int, viewer: Viewer = SYSTEM
) -> list[ReportRow]:
    """The realised rows of one exchange (from its deliveries), as the reports show them.

    Only the realised basis: no optimisation is run. The exchange must be visible to
    ``viewer`` (``NotFound`` otherwise, like ``exchanges.service.get_exchange``).
    """
    ex = exchanges.get_exchange(session, viewer, exchange_id)
    if not ex.deliveries:
        return []
    org_ids = [o for o in (ex.offer_org_id, ex.need_org_id) if o is not None]
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        ).all()
    )
    out = _Collector()
    _realised_exchange(session, viewer, ex, names, out)
    return out.rows


def _potential(
    session: Session,
    viewer: Viewer,
    network_id: int,
    out: _Collector,
    carbon_price: float | None = None,
    claimed: dict[int, int | None] | None = None,
) -> None:
    """Rows of the optimiser's allocation of a network (``carbon_price`` EUR/t CO2e; ``None``:
    the factor set's default). ``claimed``: an organisation's stream id -> the network whose
    plan already counts it (``None``: not yet); links of a claimed stream are left out (a stream
    in two networks' plans is counted once), and its streams planned here are claimed for
    ``network_id``."""
    try:
        result = optimize_network(session, network_id, viewer=viewer, carbon_price=carbon_price)
    except InvalidInput as exc:
        out.warnings.append(f"network {network_id}: no potential: {exc.message}")
        return
    owners = {u.id: u.organisation for u in [*result.allocation.offers, *result.allocation.needs]}
    prices = {s.arc_id: s.transfer_price_eur_per_unit for s in result.sharing.links}
    planned: set[int] = set()
    for flow in result.allocation.flows:
        ids = (int(flow.offer), int(flow.need))
        if claimed is not None and (earlier := {claimed[i] for i in ids if claimed.get(i)}):
            out.warnings.append(
                f"network {network_id}: link {flow.arc_id} left out: its stream is counted in"
                f" the plan of network {min(earlier)}"
            )
            continue
        planned.update(ids)
        offer, need = (session.get(Stream, i) for i in ids)
        listing = stream_listing(viewer, offer) if offer else None
        if listing is None:
            continue
        terms = pair_terms(listing, stream_listing(viewer, need) if need else None)
        kind = terms["kind"]
        impact = account_exchange(
            {
                **terms,
                "amount": flow.amount,
                "distance_km": flow.distance_km,
                "transfer_price_eur_per_unit": prices.get(flow.arc_id, 0.0),
            }
        )
        parties = (owners[flow.offer], owners[flow.need])
        out.add("potential", None, flow.arc_id, parties, (impact, kind, flow.amount))
    if claimed is not None:
        claimed.update({i: network_id for i in planned if i in claimed})


def _sum(rows: Iterable[ReportRow], side: str | None = None) -> Totals:
    t = Totals()
    links: set[str] = set()
    for r in rows:
        links.add(r.link)  # an exchange delivering in two years is one link
        t.links = len(links)
        for name in INDICATORS:
            setattr(t, name, getattr(t, name) + getattr(r, name))
        t.net_eur += r.net_eur if side is None else getattr(r, f"{side}_eur")
    return t


def _report(scope: str, key: int, name: str, out: _Collector, orgs: set[str] | None) -> Report:
    bases: list[Basis] = ["realised", "potential"]
    rows = out.rows

    def total(rows: list[ReportRow]) -> Totals:  # an organisation counts its own EUR
        return _org_totals(rows, name) if scope == "organisation" else _sum(rows)

    by_year = [
        GroupTotals(basis=b, key=str(y) if y else "per year", totals=total(rs))
        for b in bases
        for y, rs in _groups([r for r in rows if r.basis == b], lambda r: r.year).items()
    ]
    by_org = []
    for b in bases:
        mine = [r for r in rows if r.basis == b]
        for org in sorted({r.supplier for r in mine} | {r.receiver for r in mine}):
            if orgs is None or org in orgs:
                by_org.append(GroupTotals(basis=b, key=org, totals=_org_totals(mine, org)))

    return Report(
        scope=scope,  # type: ignore[arg-type]
        id=key,
        name=name,
        generated_at=utcnow(),
        rows=rows,
        totals={b: total([r for r in rows if r.basis == b]) for b in bases},
        by_year=by_year,
        by_organisation=by_org,
        deliveries=out.deliveries,
        factors=sorted(out.factors.values(), key=lambda f: f.id),
        warnings=out.warnings,
    )


def _org_totals(rows: list[ReportRow], org: str) -> Totals:
    """Indicators of every link ``org`` takes part in; EUR of its own side of each."""
    totals = _sum(r for r in rows if org in (r.supplier, r.receiver))
    totals.net_eur = _sum((r for r in rows if r.supplier == org), "supplier").net_eur
    totals.net_eur += _sum((r for r in rows if r.receiver == org), "receiver").net_eur
    return totals


def _groups(rows: list[ReportRow], key):  # type: ignore[no-untyped-def]
    groups: dict[object, list[ReportRow]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))


def network_report(
    session: Session,
    network_id: int,
    viewer: Viewer = SYSTEM,
    carbon_price: float | None = None,
) -> Report:
    """Realised and potential impact of a network (its facilitator, members, admins); the
    potential is the optimiser's plan at ``carbon_price`` (``None``: the default price)."""
    net = registry.get_network(session, network_id)
    members = set(registry.network_member_ids(session, network_id))
    if not (
        viewer.superuser or network_id in viewer.facilitated_networks or members & set(viewer.roles)
    ):
        raise Forbidden(f"only the facilitator and members of network {network_id} see its report")
    out = _Collector()
    _realised(session, viewer, members, out, both=True)
    _potential(session, viewer, network_id, out, carbon_price)
    return _report("network", net.id, net.name, out, None)


def organisation_report(session: Session, org_id: int, viewer: Viewer = SYSTEM) -> Report:
    """Realised and potential impact of an organisation across its networks."""
    org = registry.get_organisation(session, org_id)
    if not (viewer.superuser or org_id in viewer.insider_orgs):
        raise Forbidden(f"only members and facilitators of organisation {org_id} see its report")
    out = _Collector()
    _realised(session, viewer, {org_id}, out, both=False)
    networks = select(NetworkMember.network_id).where(NetworkMember.organisation_id == org_id)
    claimed: dict[int, int | None] = dict.fromkeys(
        session.scalars(select(Stream.id).where(Stream.organisation_id == org_id))
    )
    for network_id in session.scalars(networks.order_by(NetworkMember.network_id)):
        _potential(session, viewer, network_id, out, claimed=claimed)
    out.keep_rows(lambda r: org.name in (r.supplier, r.receiver))
    return _report("organisation", org.id, org.name, out, {org.name})


def report_csv(report: Report) -> str:
    """The report's rows as CSV, then the deliveries behind the realised rows by the other
    party's answer (with the first and last delivery counted), then the factors used with
    their sources, then the warnings (what was left out or counted as 0; blocks parted by a
    blank line)."""
    buf = io.StringIO()
    fields = list(ReportRow.model_fields)
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in r.model_dump().items()} for r in report.rows)
    buf.write("\n")
    counts = report.deliveries.model_dump()
    dw = csv.DictWriter(buf, fieldnames=[f"deliveries_{k}" for k in counts], lineterminator="\n")
    dw.writeheader()
    dw.writerow({f"deliveries_{k}": v for k, v in counts.items()})
    buf.write("\n")
    factor_fields = ["id", "value", "unit", "year", "source", "citation", "version"]
    fw = csv.DictWriter(buf, fieldnames=factor_fields, extrasaction="ignore", lineterminator="\n")
    fw.writeheader()
    fw.writerows({k: safe_cell(v) for k, v in f.model_dump().items()} for f in report.factors)
    buf.write("\n")
    ww = csv.writer(buf, lineterminator="\n")
    ww.writerow(["warning"])
    ww.writerows([safe_cell(w)] for w in report.warnings)
    return buf.getvalue()
