"""Avoided-burden accounting of one exchange: five indicators, carbon terms and economics.

CO2e avoided = substituted virgin supply + avoided disposal - transport - processing.
Every term is linear in the amount, so the per-unit values (:func:`unit_values`) are what the
network optimiser needs for a candidate arc.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sidestream.errors import CheckAll, InvalidInput
from sidestream.impact.catalogue import (
    Category,
    Substitute,
    category_for,
    disposal_factor_id,
    disposal_routes,
    fuel_substitute,
    material_factor_id,
    substitutes,
    vehicles,
)
from sidestream.impact.factors import Factor, FactorSet, load_factor_set
from sidestream.impact.heat_pump import delivered_per_heat, electricity_per_heat
from sidestream.impact.schemas import (
    CarbonBreakdown,
    Economics,
    Exchange,
    FactorUsed,
    ImpactResult,
    Indicators,
)
from sidestream.taxonomy.kinds import CANONICAL_UNIT
from sidestream.taxonomy.units import annualise

_FALLBACK_DISPOSAL_CATEGORY = "Commercial and industrial waste"
#: The warnings of a valuation that leaves a part out (the web pages say them in the
#: visitor's language: ``web.templating``).
NOT_VALUED = (
    "what this use replaces has no factor here: substitution counted as 0; set 'substitutes'"
    " to value it"
)
NO_SUBSTITUTE = "no substitute known for this stream: substitution counted as 0; set 'substitutes'"
#: ``substitutes`` of a link whose receiver's use of the material is not documented and whose
#: need does not ask for that very material: nothing is counted as replaced (no substitution,
#: no resources saved), with :data:`NO_SUBSTITUTE`.
UNKNOWN_USE = "unknown"
NO_VIRGIN_PRICE = (
    "no virgin price given: avoided purchase counted as 0; set virgin_price_eur_per_unit"
)
NO_HEATING_VALUE = (
    "no heating value given: the fuel this material replaces is counted as 0; set"
    " lower_heating_value_mj_kg"
)
NO_WASTE_CODE = (
    "no waste code: no disposal is counted as avoided (give the LoW code, or set "
    "'avoided_disposal', if the material would otherwise be disposed of)"
)


@dataclass
class _Ledger:
    """Collects the factors a result used and the warnings raised on the way."""

    factors: FactorSet
    used: dict[tuple[str, str], FactorUsed] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def value(self, factor_id: str, unit: str, role: str) -> float:
        """Factor ``factor_id`` in ``unit``, recorded under ``role``."""
        factor: Factor = self.factors[factor_id]
        self.used[(factor_id, role)] = FactorUsed(
            id=factor.id,
            role=role,
            value=factor.value,
            unit=factor.unit,
            year=factor.year,
            source=factor.source,
            citation=factor.citation,
            version=factor.version,
            overridden=factor.overridden,
        )
        return factor.value_in(unit)


@dataclass(frozen=True, slots=True)
class UnitValues:
    """Per-unit values of an exchange at zero transfer price (inputs of an optimiser arc)."""

    supplier_eur: float
    receiver_eur: float
    co2e_t: float

    @property
    def benefit_eur(self) -> float:
        """Net EUR per unit for both sides together."""
        return self.supplier_eur + self.receiver_eur


def account_exchange(
    exchange: Exchange | Mapping[str, object],
    factors: FactorSet | None = None,
    assumptions: Mapping[str, object] | None = None,
) -> ImpactResult:
    """Indicators, carbon breakdown and economics of one exchange, with every factor used.

    ``factors`` defaults to the shipped factor set; ``assumptions`` overrides factors by id
    (see :func:`sidestream.impact.factors.load_factor_set`). Raises ``InvalidInput`` naming
    the field of every unknown unit, substitute, route or vehicle (and every bad override);
    pydantic's ``ValidationError`` for a malformed mapping.
    """
    ex = exchange if isinstance(exchange, Exchange) else Exchange.model_validate(exchange)
    every = CheckAll()  # each part's rules are checked, and every broken one reported
    fs = factors or load_factor_set()
    with every.check():
        fs = fs.with_overrides(assumptions)
    ledger = _Ledger(fs)
    unit = CANONICAL_UNIT[ex.kind]
    amount = ex.amount
    with every.check():
        amount = _canonical_amount(ex, unit)
    category = category_for(ex.waste_code, ex.kind)
    resolved: dict[str, object] = {
        "unit": unit,
        "amount": amount,
        "mapping": {"code_prefix": category.code_prefix, "rationale": category.rationale},
    }

    sub_co2e = purchase = energy = replaced = 0.0
    with every.check():
        substitution = _material_substitution if ex.kind == "material" else _supply_substitution
        sub_co2e, purchase, energy, replaced = substitution(ex, amount, category, ledger, resolved)
    disposal_co2e = fee = diverted = 0.0
    with every.check():
        disposal_co2e, fee, diverted = _avoided_disposal(
            ex, amount, unit, category, ledger, resolved
        )
    transport_co2e = transport_eur = 0.0
    with every.check():
        transport_co2e, transport_eur = _transport(ex, amount, ledger, resolved)
    processing_co2e = amount * ex.processing_co2e_kg_per_unit / 1000.0
    if ex.secondary_route and ex.kind == "material":
        name = str(resolved.get("material_category") or resolved.get("substitutes") or "")
        fid = material_factor_id(name, ex.secondary_route)
        if fid in fs:
            processing_co2e += amount * ledger.value(fid, "t CO2e/t", "secondary material burden")
        else:
            ledger.warnings.append(f"no DEFRA '{ex.secondary_route}' factor for '{name}'")
    processing_eur = amount * ex.processing_cost_eur_per_unit
    energy -= amount * ex.processing_energy_mwh_per_unit
    if ex.heat_pump_cop is not None:
        with every.check():
            pumped_co2e, pumped_eur, electricity = _heat_pump(ex, amount, ledger, resolved)
            processing_co2e += pumped_co2e
            processing_eur += pumped_eur
            energy -= electricity
    every.done()

    transfer = amount * ex.transfer_price_eur_per_unit
    supplier = fee + transfer
    receiver = purchase - transfer
    if ex.transport_paid_by == "supplier":
        supplier -= transport_eur
    else:
        receiver -= transport_eur
    if ex.processing_paid_by == "supplier":
        supplier -= processing_eur
    else:
        receiver -= processing_eur

    resolved["overrides"] = dict(fs.overrides)
    return ImpactResult(
        indicators=Indicators(
            virgin_resources_saved_t=replaced if ex.kind == "material" else 0.0,
            water_saved_m3=replaced if ex.kind == "water" else 0.0,
            energy_saved_mwh=energy,
            waste_diverted_t=diverted,
            co2e_avoided_t=sub_co2e + disposal_co2e - transport_co2e - processing_co2e,
        ),
        carbon=CarbonBreakdown(
            substitution_t=sub_co2e,
            avoided_disposal_t=disposal_co2e,
            transport_t=transport_co2e,
            processing_t=processing_co2e,
        ),
        economics=Economics(
            avoided_purchase_eur=purchase,
            avoided_disposal_fee_eur=fee,
            transport_cost_eur=transport_eur,
            processing_cost_eur=processing_eur,
            transfer_eur=transfer,
            supplier_net_eur=supplier,
            receiver_net_eur=receiver,
            total_net_eur=supplier + receiver,
        ),
        factors=list(ledger.used.values()),
        assumptions=resolved,
        factor_set_version=fs.version,
        warnings=ledger.warnings,
    )


def unit_values(
    exchange: Exchange | Mapping[str, object],
    factors: FactorSet | None = None,
    assumptions: Mapping[str, object] | None = None,
) -> UnitValues:
    """Supplier EUR, receiver EUR and t CO2e per unit, at zero transfer price.

    The optimiser's arc coefficients: the DB layer calls this for each candidate pair.
    """
    ex = exchange if isinstance(exchange, Exchange) else Exchange.model_validate(exchange)
    one = ex.model_copy(
        update={"amount": 1.0, "unit": CANONICAL_UNIT[ex.kind], "transfer_price_eur_per_unit": 0}
    )
    result = account_exchange(one, factors, assumptions)
    return UnitValues(
        supplier_eur=result.economics.supplier_net_eur,
        receiver_eur=result.economics.receiver_net_eur,
        co2e_t=result.indicators.co2e_avoided_t,
    )


def _canonical_amount(ex: Exchange, unit: str) -> float:
    """The exchange's yearly amount in ``unit`` (its kind's), its unit read as the registry
    reads units (a ``ton`` is a metric tonne, ``t/year`` a yearly amount)."""
    if ex.unit is None or ex.unit == unit:
        return ex.amount
    try:
        annual = annualise(ex.amount, ex.unit, None, ex.kind)
    except ValueError:
        annual = None
    if annual is None or annual.unit != unit:
        raise InvalidInput("unit", f"'{ex.unit}' cannot be expressed in {unit}")
    return annual.amount


def _material_substitution(
    ex: Exchange, amount: float, category: Category, ledger: _Ledger, resolved: dict[str, object]
) -> tuple[float, float, float, float]:
    """CO2e avoided (t), avoided purchase (EUR), energy saved (MWh) and virgin tonnes replaced
    of replaced virgin use."""
    material = ex.material_category or category.material_category
    replaced = ex.substitutes or material
    resolved.update(material_category=material, substitutes=replaced)
    if fuel := fuel_substitute(replaced):
        return _fuel_substitution(ex, amount, fuel, ledger, resolved)
    virgin = amount * ex.substitution_ratio
    co2e = 0.0
    if replaced == "none":
        ledger.warnings.append(NOT_VALUED)
    elif replaced is None or replaced == UNKNOWN_USE:
        ledger.warnings.append(NO_SUBSTITUTE)
    else:
        fid = material_factor_id(replaced, "primary_material_production")
        if fid not in ledger.factors:
            raise InvalidInput(
                "substitutes", f"no DEFRA primary-production factor for material '{replaced}'"
            )
        co2e = virgin * ledger.value(fid, "t CO2e/t", "substituted virgin production")
    purchase = 0.0
    if ex.virgin_price_eur_per_unit is not None:
        purchase = virgin * ex.virgin_price_eur_per_unit
    elif replaced not in ("none", UNKNOWN_USE):
        ledger.warnings.append(NO_VIRGIN_PRICE)
    return co2e, purchase, 0.0, virgin


def _fuel_substitution(
    ex: Exchange, amount: float, fuel: Substitute, ledger: _Ledger, resolved: dict[str, object]
) -> tuple[float, float, float, float]:
    """A material burnt in place of ``fuel`` (refuse-derived fuel for a cement kiln's coal):
    the fuel is replaced by the material's energy (its lower heating value), counted with
    the fuel's combustion and well-to-tank factors; its tonnes from its own heating value.
    The material's own combustion is not counted (:data:`FUEL_KIND` rows say why)."""
    if ex.lower_heating_value_mj_kg is None:
        ledger.warnings.append(NO_HEATING_VALUE)
        return 0.0, 0.0, 0.0, 0.0
    energy = amount * ex.substitution_ratio * ex.lower_heating_value_mj_kg / 3.6  # GJ -> MWh
    resolved.update(substituted_input=energy)
    co2e = sum(
        energy * ledger.value(fid, "t CO2e/MWh", "substituted fuel")
        for fid in fuel.emission_factor_ids
    )
    tonnes = 0.0
    if fuel.heating_value_factor_id:
        tonnes = energy / ledger.value(fuel.heating_value_factor_id, "MWh/t", "fuel heating value")
    purchase = 0.0
    if ex.virgin_price_eur_per_unit is not None:
        purchase = tonnes * ex.virgin_price_eur_per_unit
    else:
        ledger.warnings.append(NO_VIRGIN_PRICE)
    return co2e, purchase, energy, tonnes


def _supply_substitution(
    ex: Exchange, amount: float, category: Category, ledger: _Ledger, resolved: dict[str, object]
) -> tuple[float, float, float, float]:
    """CO2e, avoided purchase, energy saved and units replaced when heat, power or mains water
    is replaced."""
    key = ex.substitutes or category.default_substitute
    delivered = amount * ex.substitution_ratio
    if ex.heat_pump_cop is not None:
        delivered *= delivered_per_heat(ex.heat_pump_cop)
    if key == "none":  # no factor; a price the user gives still counts, as for materials
        resolved.update(substitutes=key)
        ledger.warnings.append(NOT_VALUED)
        price = ex.virgin_price_eur_per_unit
        return 0.0, delivered * price if price is not None else 0.0, 0.0, delivered
    sub = substitutes().get(key or "")
    if sub is None or sub.kind != ex.kind:
        choices = sorted(k for k, s in substitutes().items() if s.kind == ex.kind)
        raise InvalidInput("substitutes", f"'{key}' is not one of {choices} for {ex.kind}")
    unit = CANONICAL_UNIT[ex.kind]
    efficiency = 1.0
    if sub.efficiency_factor_id:
        efficiency = ledger.value(sub.efficiency_factor_id, "dimensionless", "reference efficiency")
        if efficiency <= 0:
            raise InvalidInput(("assumptions", sub.efficiency_factor_id), "must be positive")
    supplied = delivered / efficiency
    resolved.update(substitutes=sub.key, substituted_input=supplied)
    co2e = sum(
        supplied * ledger.value(fid, f"t CO2e/{unit}", "substituted supply")
        for fid in sub.emission_factor_ids
    )
    if ex.virgin_price_eur_per_unit is not None:
        purchase = delivered * ex.virgin_price_eur_per_unit
    elif sub.price_factor_id:
        purchase = supplied * ledger.value(sub.price_factor_id, f"EUR/{unit}", "avoided purchase")
    else:
        purchase = 0.0
    return co2e, purchase, supplied if ex.kind == "energy" else 0.0, delivered


def _heat_pump(
    ex: Exchange, amount: float, ledger: _Ledger, resolved: dict[str, object]
) -> tuple[float, float, float]:
    """CO2e, cost and MWh of the grid electricity a heat pump adds to lift the heat."""
    if ex.kind != "energy":
        raise InvalidInput("heat_pump_cop", "applies to energy exchanges only")
    cop = ex.heat_pump_cop or 0.0
    electricity = amount * electricity_per_heat(cop)
    resolved["heat_pump"] = {
        "cop": round(cop, 2),
        "electricity_mwh": electricity,
        "delivered_mwh": amount * delivered_per_heat(cop),
    }
    sub = substitutes()["electricity"]
    co2e = sum(
        electricity * ledger.value(fid, "t CO2e/MWh", "heat pump electricity")
        for fid in sub.emission_factor_ids
    )
    price = ledger.value(sub.price_factor_id or "", "EUR/MWh", "heat pump electricity")
    return co2e, electricity * price, electricity


def _avoided_disposal(
    ex: Exchange,
    amount: float,
    unit: str,
    category: Category,
    ledger: _Ledger,
    resolved: dict[str, object],
) -> tuple[float, float, float]:
    """CO2e (t), gate fee (EUR) and tonnes diverted of the disposal the supplier avoids."""
    name = ex.avoided_disposal or category.default_disposal_route
    if ex.kind == "material" and not ex.waste_code and not ex.avoided_disposal:
        name = None  # not known to be waste: a product or by-product avoids no disposal
        ledger.warnings.append(NO_WASTE_CODE)
    resolved["avoided_disposal"] = name or "none"
    if name is None or name == "none":
        return 0.0, 0.0, 0.0
    route = disposal_routes().get(name)
    if route is None:
        raise InvalidInput(
            "avoided_disposal", f"'{name}' is not one of {[*disposal_routes(), 'none']}"
        )
    disposal_category = category.disposal_category or ex.material_category
    stated = ex.material_category  # the caller's material, where DEFRA has its disposal route
    if stated and disposal_factor_id(stated, route) in ledger.factors:
        disposal_category = stated
    fid = disposal_factor_id(disposal_category or _FALLBACK_DISPOSAL_CATEGORY, route)
    if fid not in ledger.factors and route.defra_column:
        ledger.warnings.append(
            f"DEFRA has no '{route.defra_column}' factor for '{disposal_category}': "
            f"'{_FALLBACK_DISPOSAL_CATEGORY}' used"
        )
        disposal_category = _FALLBACK_DISPOSAL_CATEGORY
        fid = disposal_factor_id(disposal_category, route)
    resolved["disposal_category"] = disposal_category
    co2e = 0.0
    if fid in ledger.factors:
        co2e = amount * ledger.value(fid, f"t CO2e/{unit}", "avoided disposal")
    else:
        ledger.warnings.append(f"no emission factor for disposal route '{name}': counted as 0")
    if ex.gate_fee_eur_per_unit is not None:
        fee = amount * ex.gate_fee_eur_per_unit
    elif route.gate_fee_factor_id:
        fee = amount * ledger.value(route.gate_fee_factor_id, f"EUR/{unit}", "avoided gate fee")
    else:
        fee = 0.0
    diverted = amount if route.diverts_waste and ex.kind == "material" else 0.0
    return co2e, fee, diverted


def _transport(
    ex: Exchange, amount: float, ledger: _Ledger, resolved: dict[str, object]
) -> tuple[float, float]:
    """CO2e (t) and cost (EUR) of moving the flow ``distance_km``."""
    name = ex.vehicle or ("hgv" if ex.kind == "material" else "pipe")
    vehicle = vehicles().get(name)
    if vehicle is None:
        raise InvalidInput("vehicle", f"'{name}' is not one of {sorted(vehicles())}")
    resolved["vehicle"] = name
    if vehicle.emission_factor_id is None or ex.distance_km == 0:
        return 0.0, 0.0
    if ex.kind == "energy":
        raise InvalidInput("vehicle", "energy travels by 'pipe' (pipeline or cable)")
    tonnes = amount
    if ex.kind == "water":
        tonnes = amount * ledger.value("density.water", "t/m3", "water density")
    tkm = tonnes * ex.distance_km
    resolved["tonne_km"] = tkm
    co2e = tkm * ledger.value(vehicle.emission_factor_id, "t CO2e/(t*km)", "transport")
    if ex.transport_cost_eur_per_tkm is not None:
        cost = tkm * ex.transport_cost_eur_per_tkm
    elif vehicle.cost_factor_id:
        cost = tkm * ledger.value(vehicle.cost_factor_id, "EUR/(t*km)", "transport cost")
    else:
        cost = 0.0
    return co2e, cost
