"""The optimiser's network plan of a region or network, as the pages show it.

``optimize.service.optimize_network`` does the work; this module only remembers its answer per
visibility scope until a stream, organisation or network changes, so the region pages stay fast.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidestream.access.policy import Viewer
from sidestream.errors import InvalidInput
from sidestream.optimize.service import NetworkOptimisation, optimize_network
from sidestream.registry.models import Network, NetworkMember, Organisation, Stream

#: The whole region: every located stream the viewer may see.
WORLD = (-180.0, -90.0, 180.0, 90.0)
CACHE_SIZE = 16

_plans: OrderedDict[Hashable, NetworkOptimisation | None] = OrderedDict()
_lock = threading.Lock()


def _scope(viewer: Viewer) -> Hashable:
    """Viewers with the same scope see the same streams in the same detail."""
    return "all" if viewer.superuser else (viewer.insider_orgs, viewer.peer_orgs)


def _fingerprint(session: Session) -> tuple[object, ...]:
    streams = session.execute(select(func.count(Stream.id), func.max(Stream.updated_at))).one()
    return (
        *streams,
        session.scalar(select(func.max(Organisation.updated_at))),
        session.scalar(select(func.max(Network.updated_at))),
        session.scalar(select(func.count()).select_from(NetworkMember)),
    )


def network_plan(
    session: Session, viewer: Viewer, network_id: int | None = None, carbon_price: float = 0.0
) -> NetworkOptimisation | None:
    """The best allocation of a network (or the whole region) for ``viewer``; ``None`` when
    there is no feasible exchange. ``carbon_price`` is EUR per tonne of CO2e."""
    key = (_scope(viewer), network_id, carbon_price, _fingerprint(session))
    with _lock:
        if key in _plans:
            _plans.move_to_end(key)
            return _plans[key]
    try:
        plan: NetworkOptimisation | None = optimize_network(
            session,
            network_id,
            bbox=None if network_id is not None else WORLD,
            viewer=viewer,
            carbon_price=carbon_price,
        )
    except InvalidInput:
        plan = None
    with _lock:
        _plans[key] = plan
        while len(_plans) > CACHE_SIZE:
            _plans.popitem(last=False)
    return plan
