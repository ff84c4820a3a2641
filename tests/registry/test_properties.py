"""Known stream properties are checked on the way in, never on the way out."""

from __future__ import annotations

import datetime as dt

import pytest

from sidestream.registry.properties import check_properties
from sidestream.registry.schemas import StreamCreate, StreamOut


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"temperature_c": 1501}, "properties.temperature_c must be a number from -50 to 1500"),
        ({"moisture_pct": -1}, "properties.moisture_pct"),
        ({"moisture_pct": True}, "properties.moisture_pct"),
        ({"moisture_pct": "NaN"}, "properties.moisture_pct"),
        ({"water_quality": "sparkling"}, "properties.water_quality must be one of potable"),
        ({"density_kg_m3": 0}, "properties.density_kg_m3"),
        (
            {"lower_heating_value_mj_kg": 180},
            "properties.lower_heating_value_mj_kg must be a number from 0 to 120",
        ),
    ],
)
def test_bad_known_properties_are_named(properties: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        check_properties(properties)


def test_good_and_unknown_properties_pass() -> None:
    check_properties({"temperature_c": "85", "moisture_pct": 0, "water_quality": "cooling",
                      "composition": {"CaO": 0.4}})  # fmt: skip
    assert StreamCreate(direction="offer", title="Heat", properties={"temperature_c": 85})


def test_a_stored_stream_is_read_even_if_the_rules_tightened() -> None:
    now = dt.datetime(2026, 1, 1)
    stored = StreamOut(
        id=1, external_id="x", organisation_id=None, site_id=None, hazardous=False,
        code_source=None, annual_amount=None, annual_unit=None, status="active", version=1,
        created_at=now, updated_at=now, direction="offer", title="Slag heat",
        properties={"temperature_c": 1600},
    )  # fmt: skip
    assert stored.properties == {"temperature_c": 1600}
