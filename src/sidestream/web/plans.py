"""The optimiser's network plan and a network's impact report, as the region pages show them.

``optimize.service.optimize_network`` and ``reports.service.network_report`` do the work; this
module only remembers their answers per visibility scope until a stream, organisation, network,
exchange or delivery changes, so the region pages stay fast.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidestream.access.policy import Viewer
from sidestream.errors import InvalidInput
from sidestream.exchanges.models import Delivery, Exchange
from sidestream.matching.service import streams_fingerprint, visibility_scope
from sidestream.optimize.service import NetworkOptimisation, optimize_network
from sidestream.registry.models import Network, NetworkMember
from sidestream.reports.schemas import Report
from sidestream.reports.service import network_report

#: The whole region: every located stream the viewer may see.
WORLD = (-180.0, -90.0, 180.0, 90.0)
#: The pages' best network plan weighs EUR only; a carbon price is a scenario beside it.
PLAN_CARBON_PRICE = 0.0
CACHE_SIZE = 16

_cache: OrderedDict[Hashable, NetworkOptimisation | Report | None] = OrderedDict()
_lock = threading.Lock()


def _fingerprint(session: Session) -> tuple[object, ...]:
    """The database, the matching service's streams fingerprint, and what changes a network."""
    return (
        id(session.get_bind()),
        *streams_fingerprint(session),
        session.scalar(select(func.max(Network.updated_at))),
        session.scalar(select(func.count()).select_from(NetworkMember)),
    )


def _remembered(key: Hashable) -> tuple[bool, NetworkOptimisation | Report | None]:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return True, _cache[key]
    return False, None


def _remember(key: Hashable, value: NetworkOptimisation | Report | None) -> None:
    with _lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def network_plan(
    session: Session,
    viewer: Viewer,
    network_id: int | None = None,
    carbon_price: float = PLAN_CARBON_PRICE,
) -> NetworkOptimisation | None:
    """The best allocation of a network (or the whole region) for ``viewer``; ``None`` when
    there is no feasible exchange. ``carbon_price`` is EUR per tonne of CO2e."""
    key = ("plan", visibility_scope(viewer), network_id, carbon_price, _fingerprint(session))
    found, plan = _remembered(key)
    if found:
        return plan  # type: ignore[return-value]
    try:
        plan = optimize_network(
            session,
            network_id,
            bbox=None if network_id is not None else WORLD,
            viewer=viewer,
            carbon_price=carbon_price,
        )
    except InvalidInput:
        plan = None
    _remember(key, plan)
    return plan


def impact_report(session: Session, viewer: Viewer, network_id: int) -> Report:
    """Realised and potential impact of a network (its facilitator; ``Forbidden`` otherwise).
    The potential is the same plan as :func:`network_plan`'s (no carbon price), so the pages'
    "best network plan" and their report's potential count the same exchanges."""
    deliveries = (  # an answer to a delivery changes what is counted, not how many
        session.scalar(select(func.count(Delivery.id))),
        session.scalar(select(func.max(Delivery.answered_at))),
        session.scalar(select(func.max(Exchange.updated_at))),
    )
    key = ("report", visibility_scope(viewer), network_id, _fingerprint(session), *deliveries)
    found, report = _remembered(key)
    if not found:
        report = network_report(session, network_id, viewer, carbon_price=PLAN_CARBON_PRICE)
        _remember(key, report)
    assert isinstance(report, Report)
    return report
