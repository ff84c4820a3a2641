"""The other domains' engines as the pages use them: the classifier and impact accounting.

Each function calls the domain's public service and returns its own schema; the pages never
reach into a domain's internals.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sidestream.classify.schemas import Classification
from sidestream.classify.service import classify_stream
from sidestream.errors import InvalidInput
from sidestream.impact.accounting import account_exchange
from sidestream.impact.schemas import ImpactResult
from sidestream.impact.service import Side, pair_terms
from sidestream.taxonomy.kinds import PHYSICAL_KINDS


def classify(text: str, nace: str | None, top: int = 4) -> Classification | None:
    """Code and kind suggestions for a description; ``None`` when the text gives nothing."""
    try:
        return classify_stream(text, top=top, nace=nace)
    except ValueError:
        return None


def impact(
    offer: Side, need: Side | None, amount: float, distance_km: float
) -> ImpactResult | None:
    """Yearly benefit of sending ``amount`` (t, MWh or m3) from ``offer`` to ``need``, valued
    as a match and a network plan value it (``impact.service.pair_terms``); ``None`` where not
    defined."""
    terms = pair_terms(offer, need)
    if terms["kind"] not in PHYSICAL_KINDS or amount <= 0:
        return None
    return _impact(tuple(sorted(terms.items())), amount, distance_km)  # as the plan values it


@lru_cache(maxsize=4096)
def _impact(
    terms: tuple[tuple[str, Any], ...], amount: float, distance_km: float
) -> ImpactResult | None:
    try:
        return account_exchange({**dict(terms), "amount": amount, "distance_km": distance_km})
    except (InvalidInput, ValueError):
        return None
