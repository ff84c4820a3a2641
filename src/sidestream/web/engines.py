"""The other domains' engines as the pages use them: the classifier and impact accounting.

Each function calls the domain's public service and returns its own schema; the pages never
reach into a domain's internals.
"""

from __future__ import annotations

from functools import lru_cache

from sidestream.classify.schemas import Classification
from sidestream.classify.service import classify_stream
from sidestream.errors import InvalidInput
from sidestream.impact.accounting import account_exchange
from sidestream.impact.schemas import ImpactResult
from sidestream.taxonomy.kinds import PHYSICAL_KINDS


def classify(text: str, nace: str | None, top: int = 4) -> Classification | None:
    """Code and kind suggestions for a description; ``None`` when the text gives nothing."""
    try:
        return classify_stream(text, top=top, nace=nace)
    except ValueError:
        return None


def impact(
    kind: str, amount: float, waste_code: str | None, distance_km: float
) -> ImpactResult | None:
    """Yearly benefit of an exchange of ``amount`` (t, MWh or m3); ``None`` where not defined."""
    if kind not in PHYSICAL_KINDS or amount <= 0:
        return None
    return _impact(kind, round(amount, 3), waste_code, round(distance_km, 1))


@lru_cache(maxsize=4096)
def _impact(
    kind: str, amount: float, waste_code: str | None, distance_km: float
) -> ImpactResult | None:
    try:
        return account_exchange(
            {"kind": kind, "amount": amount, "waste_code": waste_code, "distance_km": distance_km}
        )
    except (InvalidInput, ValueError):
        return None
