"""Heat pumps: whether one can lift a heat stream to a use's temperature, and at what COP.

A stream colder than a use needs (35 °C cooling water for a 55 °C district heating network)
can still serve it through a heat pump, which adds electricity: per MWh of waste heat taken,
``1 / (COP - 1)`` MWh of electricity, and ``COP / (COP - 1)`` MWh delivered.

The COP is a share of the Carnot COP between the sink and source temperatures, each widened
by a heat-exchanger approach. Arpagaus et al. (2018), "High temperature heat pumps: market
overview, state of the art, research status, refrigerants, and application potentials",
Energy 152:985–1010, find the COPs of industrial heat pumps at about 40–60 % of Carnot
(mean about 45 %) and single-stage lifts mostly up to 40–60 K; beyond ``MAX_LIFT_K`` this
model says no heat pump fits.
"""

from __future__ import annotations

#: Real COP as a share of the Carnot COP (Arpagaus et al. 2018: about 45 % on average).
CARNOT_SHARE = 0.45
#: Temperature difference across each heat exchanger (evaporator and condenser), K.
APPROACH_K = 5.0
#: Largest source-to-sink lift one single-stage industrial heat pump is taken to manage, K.
MAX_LIFT_K = 50.0


def heat_pump_cop(source_c: float, sink_c: float) -> float | None:
    """COP of a heat pump lifting heat from ``source_c`` to ``sink_c`` (°C); ``None`` when no
    lift is needed (the source is hot enough) or the lift exceeds ``MAX_LIFT_K``."""
    lift = sink_c - source_c
    if lift <= 0 or lift > MAX_LIFT_K:
        return None
    hot_k = sink_c + APPROACH_K + 273.15
    return CARNOT_SHARE * hot_k / (lift + 2 * APPROACH_K)


def electricity_per_heat(cop: float) -> float:
    """MWh of electricity per MWh of waste heat the heat pump takes in."""
    return 1.0 / (cop - 1.0)


def delivered_per_heat(cop: float) -> float:
    """MWh of heat delivered per MWh of waste heat taken in (the waste heat plus electricity)."""
    return cop / (cop - 1.0)
