"""A two-column Sankey layout drawn as SVG on the server (no script needed to read it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    """A box in one column."""

    label: str
    value: float
    x: float
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class Link:
    """A band from a left node to a right node."""

    source: str
    target: str
    value: float
    path: str
    width: float


@dataclass(frozen=True, slots=True)
class Sankey:
    """A laid-out diagram of ``width`` x ``height`` pixels."""

    left: list[Node]
    right: list[Node]
    links: list[Link]
    width: float
    height: float
    node_width: float


def layout(
    flows: dict[tuple[str, str], float],
    width: float = 720,
    height: float = 320,
    node_width: float = 14,
    padding: float = 10,
) -> Sankey:
    """Lay out ``(source, target) -> value`` flows, biggest nodes on top."""
    flows = {k: v for k, v in flows.items() if v > 0}
    out_total: dict[str, float] = defaultdict(float)
    in_total: dict[str, float] = defaultdict(float)
    for (src, dst), value in flows.items():
        out_total[src] += value
        in_total[dst] += value
    total = sum(flows.values())
    if not total:
        return Sankey([], [], [], width, height, node_width)
    rows = max(len(out_total), len(in_total))
    scale = (height - padding * (rows - 1)) / total
    left = _column(out_total, 0, scale, padding)
    right = _column(in_total, width - node_width, scale, padding)
    lpos = {n.label: n for n in left}
    rpos = {n.label: n for n in right}
    lnext = {n.label: n.y for n in left}
    rnext = {n.label: n.y for n in right}
    order = sorted(flows, key=lambda k: (lpos[k[0]].y, rpos[k[1]].y))
    links = []
    x0, x1 = node_width, width - node_width
    mid = (x0 + x1) / 2
    for src, dst in order:
        band = flows[(src, dst)] * scale
        y0 = lnext[src] + band / 2
        y1 = rnext[dst] + band / 2
        lnext[src] += band
        rnext[dst] += band
        path = f"M{x0:.1f},{y0:.1f}C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        links.append(Link(src, dst, flows[(src, dst)], path, max(band, 1.0)))
    return Sankey(left, right, links, width, height, node_width)


def _column(totals: dict[str, float], x: float, scale: float, padding: float) -> list[Node]:
    nodes = []
    y = 0.0
    for label, value in sorted(totals.items(), key=lambda kv: -kv[1]):
        h = value * scale
        nodes.append(Node(label, value, x, y, h))
        y += h + padding
    return nodes
