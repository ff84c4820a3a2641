"""What the facilitator's region page shows: sites on a map, flows, pipeline and indicators."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sidestream.access.policy import Viewer, coarse_location, sees_identity
from sidestream.messages import N_
from sidestream.optimize.schemas import Allocation
from sidestream.registry.models import Stream
from sidestream.taxonomy.nace import nace_title
from sidestream.web import engines
from sidestream.web.sankey import Sankey, layout

#: The five indicators: field of ``impact.schemas.Indicators`` -> label and unit.
INDICATORS: dict[str, tuple[str, str]] = {
    "virgin_resources_saved_t": (N_("Resources saved"), "t"),
    "water_saved_m3": (N_("Water saved"), "m3"),
    "energy_saved_mwh": (N_("Energy saved"), "MWh"),
    "waste_diverted_t": (N_("Waste diverted"), "t"),
    "co2e_avoided_t": (N_("CO2 avoided"), "t CO2e"),
}


def map_points(streams: Sequence[Stream], viewer: Viewer) -> list[dict[str, Any]]:
    """One point per located stream; anonymous ones without a name, at a coarse place."""
    points = []
    for s in streams:
        if s.lat is None or s.lon is None:
            continue
        full = sees_identity(viewer, s)
        lat, lon = (s.lat, s.lon) if full else coarse_location(s.lat, s.lon)
        points.append(
            {
                "lat": lat,
                "lon": lon,
                "kind": s.kind,
                "direction": s.direction,
                "title": s.title,
                "org": s.organisation.name if full and s.organisation else None,
                "url": f"/streams/{s.id}" if full else None,
            }
        )
    return points


def flow_lines(
    allocation: Allocation, streams: dict[int, Stream], viewer: Viewer
) -> list[dict[str, Any]]:
    """The optimised flows as lines between the offering and the receiving place."""
    lines = []
    for flow in allocation.flows:
        offer, need = streams[int(flow.offer)], streams[int(flow.need)]
        ends = [_place(offer, viewer), _place(need, viewer)]
        if None in ends[0] or None in ends[1]:
            continue
        lines.append({"from": ends[0], "to": ends[1], "kind": offer.kind, "title": offer.title})
    return lines


def _place(stream: Stream, viewer: Viewer) -> tuple[float | None, float | None]:
    if sees_identity(viewer, stream):
        return stream.lat, stream.lon
    return coarse_location(stream.lat, stream.lon)


def _sector(stream: Stream, viewer: Viewer, lang: str) -> str:
    """The supplying or receiving industry, unless the viewer may not know who it is."""
    nace = stream.organisation.nace if stream.organisation else None
    if not nace or not sees_identity(viewer, stream):
        return "—"
    label = nace_title(nace[:2], lang)
    return label if len(label) <= 38 else label[:36] + "…"


def sankeys(
    allocation: Allocation, streams: dict[int, Stream], viewer: Viewer, lang: str = "en"
) -> dict[str, tuple[Sankey, str]]:
    """Per kind, the optimised flows from supplying to receiving sectors (named in ``lang``),
    and their unit."""
    flows: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    units: dict[str, str] = {}
    for flow in allocation.flows:
        offer, need = streams[int(flow.offer)], streams[int(flow.need)]
        ends = (_sector(offer, viewer, lang), _sector(need, viewer, lang) + " ")
        flows[offer.kind][ends] += flow.amount
        units[offer.kind] = flow.unit
    return {
        kind: (layout(f, width=960, height=300), units[kind]) for kind, f in sorted(flows.items())
    }


@dataclass(frozen=True, slots=True)
class ExchangeCounts:
    """Introductions and exchanges the viewer may follow."""

    introductions: int
    accepted: int
    running: int


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the opportunity pipeline; ``count`` is None where the viewer may not see it."""

    label: str
    count: int | None
    note: str = ""


def pipeline(
    listed: int, candidate_links: int, plan_flows: int, progress: ExchangeCounts | None
) -> list[Stage]:
    """From listings to running exchanges; introductions only for those who may follow them."""
    hidden = N_("Log in as the network's facilitator to follow introductions.")
    return [
        Stage(N_("Offers and needs listed"), listed),
        Stage(N_("Candidate links"), candidate_links),
        Stage(N_("In the best network plan"), plan_flows),
        Stage(
            N_("Introductions made"),
            progress.introductions if progress else None,
            "" if progress else hidden,
        ),
        Stage(N_("Introductions accepted"), progress.accepted if progress else None),
        Stage(N_("Exchanges running"), progress.running if progress else None),
    ]


def indicators(allocation: Allocation, streams: dict[int, Stream]) -> dict[str, dict[str, float]]:
    """The five indicators of the best plan, per indicator and kind of stream."""
    out: dict[str, dict[str, float]] = {name: defaultdict(float) for name in INDICATORS}
    for flow in allocation.flows:
        offer = streams[int(flow.offer)]
        result = engines.impact(offer, streams.get(int(flow.need)), flow.amount, flow.distance_km)
        if result is None:
            continue
        for name in INDICATORS:
            out[name][offer.kind] += getattr(result.indicators, name)
    return {name: dict(by_kind) for name, by_kind in out.items()}
