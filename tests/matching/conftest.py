"""Fixtures for the matching tests: small offer/need listings."""

from __future__ import annotations

import pytest

from sidestream.matching.schemas import Listing


def listing(id: str, direction: str, title: str, **fields: object) -> Listing:
    """A listing with only the fields a test cares about."""
    return Listing(id=id, direction=direction, title=title, **fields)


@pytest.fixture
def heat_offer() -> Listing:
    return listing(
        "heat", "offer", "Waste heat from cooling", kind="energy", quantity=20, unit="GWh",
        properties={"temperature_c": 60}, lat=60.20, lon=24.90,
    )  # fmt: skip


@pytest.fixture
def ash_offer() -> Listing:
    return listing(
        "ash", "offer", "Coal fly ash", waste_code="10 01 02", organisation_nace="35.11",
        quantity=5000, unit="t", period="per-year", lat=60.20, lon=24.90,
    )  # fmt: skip
