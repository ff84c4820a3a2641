"""The stream form: what to ask for each kind of stream, and turning answers into a stream.

A company is asked only what matters for the kind it picked (tonnes and moisture for biomass,
temperature and MWh for heat, cubic metres and quality for water). Validation is the
registry's: the answers become a ``StreamCreate`` and its errors come back beside the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sidestream.messages import N_
from sidestream.registry.models import Stream
from sidestream.registry.properties import NUMERIC_RANGES
from sidestream.registry.schemas import StreamCreate
from sidestream.taxonomy.kinds import Direction, Kind, Period, Status, Visibility
from sidestream.taxonomy.units import CAPACITY_FORM_UNITS
from sidestream.web.forms import Gettext, clean, field_errors, read_number
from sidestream.web.i18n import format_editable


@dataclass(frozen=True, slots=True)
class PropertyField:
    """A kind-specific property, stored in the stream's ``properties``."""

    name: str
    label: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    #: Asked of offers only (hidden, and not kept, when the stream is a need).
    offers_only: bool = False


@dataclass(frozen=True, slots=True)
class KindForm:
    """What the form asks for one kind."""

    label: str
    icon: str
    units: tuple[str, ...] = ()
    properties: tuple[PropertyField, ...] = ()
    example: str = ""
    unit_hint: str = ""
    #: Whether the form asks how often the amount recurs: not for a capacity, whose unit says
    #: whether it is space free at one time (m2) or a throughput (t/day).
    periodic: bool = True
    measured: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "measured", bool(self.units))


def _temperature(label: str, hint: str) -> PropertyField:
    """The ``temperature_c`` field, labelled and explained for a kind, in the registry's range."""
    return PropertyField("temperature_c", label, "°C", *NUMERIC_RANGES["temperature_c"], hint=hint)


#: Where an offered material goes today if nobody takes it, as the form asks it (routes of
#: ``registry.properties.AVOIDED_DISPOSAL_ROUTES``; the API takes the others too).
AVOIDED_DISPOSAL_CHOICES: tuple[tuple[str, str], ...] = (
    ("landfill", N_("Landfill")),
    ("incineration", N_("Incineration")),
    ("composting", N_("Composting")),
    ("anaerobic_digestion", N_("A biogas plant (anaerobic digestion)")),
    ("none", N_("It is used or sold today: nothing is disposed of")),
)

KIND_FORMS: dict[str, KindForm] = {
    Kind.material: KindForm(
        N_("Material"),
        "▣",
        ("t", "kg", "m3"),
        (
            PropertyField(
                "moisture_pct",
                N_("Moisture"),
                "%",
                *NUMERIC_RANGES["moisture_pct"],
                hint=N_("For biomass, sludge or food residues; leave empty if unknown."),
            ),
            PropertyField(
                "dry_matter_pct",
                N_("Dry matter"),
                "%",
                *NUMERIC_RANGES["dry_matter_pct"],
                hint=N_("Instead of moisture, as slurries and digestate are described."),
            ),
            PropertyField(
                "lower_heating_value_mj_kg",
                N_("Heating value"),
                "MJ/kg",
                *NUMERIC_RANGES["lower_heating_value_mj_kg"],
                hint=N_(
                    "For a fuel (refuse-derived fuel, wood, tyres, solvents): its lower heating"
                    " value as delivered. A cement or lime works that takes it is credited"
                    " with the coal it no longer burns."
                ),
                offers_only=True,
            ),
            PropertyField(
                "avoided_disposal",
                N_("Where it goes today"),
                choices=AVOIDED_DISPOSAL_CHOICES,
                hint=N_(
                    "If nobody takes it. An exchange saves what that costs and emits; leave"
                    " empty for the usual route of its waste code."
                ),
                offers_only=True,
            ),
        ),
        N_("Example: 400 tonnes a year of wood chips from our sawmill, about 35 % moisture."),
    ),
    Kind.energy: KindForm(
        N_("Energy"),
        "♨",
        ("MWh", "kWh", "GJ", "kW"),
        (
            _temperature(
                N_("Temperature"), N_("The temperature of the heat carrier (water, steam, air).")
            ),
        ),
        N_("Example: 2 000 MWh a year of cooling water at 60 °C from our compressors."),
        N_("Use kW for a continuous power; it is turned into MWh a year."),
    ),
    Kind.water: KindForm(
        N_("Water"),
        "≈",
        ("m3", "l"),
        (
            PropertyField(
                "water_quality",
                N_("Quality"),
                choices=(
                    ("potable", N_("Drinking water quality")),
                    ("process", N_("Process water")),
                    ("cooling", N_("Cooling water")),
                    ("grey", N_("Grey water, lightly used")),
                    ("waste", N_("Waste water, needs treatment")),
                ),
            ),
            PropertyField(
                "water_network",
                N_("Connected to"),
                choices=(
                    ("public", N_("The public network: mains water, or the sewer")),
                    ("own", N_("Our own intake or outlet: a river, lake, the sea or a well")),
                ),
                hint=N_(
                    "For a need: where its water comes from today (water no longer bought is"
                    " a saving). For an offer: where the water goes if nobody takes it."
                ),
            ),
            _temperature(
                N_("Temperature"),
                N_("How warm the water is; for a need of cooling water, the warmest it can use."),
            ),
        ),
        N_("Example: 15 000 m3 a year of clean cooling water at 25 °C."),
    ),
    Kind.capacity: KindForm(
        N_("Capacity"),
        "▤",
        CAPACITY_FORM_UNITS,
        (
            _temperature(
                N_("Temperature kept"),
                N_(
                    "For cold or frozen storage: the temperature the space keeps (for a need,"
                    " the temperature the goods must be kept at)."
                ),
            ),
        ),
        example=N_("Example: 500 m2 of covered storage free from May, or a half-used truck route."),
        unit_hint=N_(
            "The space (m2, m3, pallet places) or tonnage free at one time, or the throughput"
            " free (t/day, t/year, m3/day) of a treatment or processing line; leave empty for a"
            " route or a machine."
        ),
        periodic=False,
    ),
    Kind.service: KindForm(
        N_("Service"),
        "⚙",
        example=N_("Example: we can shred and bale plastic film for neighbours."),
    ),
    Kind.knowledge: KindForm(
        N_("Knowledge"),
        "✎",
        example=N_("Example: experience with permits for using ash in road building."),
    ),
}

PERIOD_LABELS: dict[str, str] = {
    Period.per_year: N_("per year"),
    Period.per_month: N_("per month"),
    Period.per_week: N_("per week"),
    Period.per_day: N_("per day"),
    Period.one_off: N_("once (one batch)"),
    Period.continuous: N_("continuously (a rate, e.g. kW)"),
}

#: Who may see a stream: a short name and a plain explanation, in the order offered.
VISIBILITY_CHOICES: dict[str, tuple[str, str]] = {
    Visibility.public: (
        N_("Public"),
        N_("Everyone sees it with your company's name, place and amount."),
    ),
    Visibility.network: (
        N_("Network only"),
        N_("Only companies in your symbiosis network and its facilitator see it."),
    ),
    Visibility.anonymous: (
        N_("Anonymous"),
        N_(
            "Everyone sees the material, a rough amount and a 10 km square, but not who you "
            "are. You decide whom to reveal yourself to when someone asks for an introduction."
        ),
    ),
    Visibility.private: (
        N_("Private"),
        N_("Only your company and your network's facilitator see it."),
    ),
}

#: A stream's life-cycle as its page names it.
STATUS_LABELS: dict[str, str] = {
    Status.draft: N_("Draft"),
    Status.active: N_("Active"),
    Status.paused: N_("Paused"),
    Status.closed: N_("Closed"),
}

DIRECTION_LABELS: dict[str, str] = {
    Direction.offer: N_("We have this left over"),
    Direction.need: N_("We need this"),
}

#: Form fields in the order they appear (used to place messages beside the right field).
FIELDS = (
    "direction",
    "description",
    "title",
    "kind",
    "waste_code",
    "quantity",
    "unit",
    "period",
    "site_id",
    "visibility",
    "available_from",
    "available_to",
    "price_eur_per_unit",
)


#: The fields an edit of a stream changes: those the form shows (with the kind's properties).
#: Others (dates, price, an own place, a product code) are kept as stored.
EDITED = tuple(
    f for f in FIELDS if f not in ("available_from", "available_to", "price_eur_per_unit")
)

#: Properties some kind's form asks for: an edit replaces these and keeps any other property
#: (such as a density given through the API).
FORM_PROPERTIES = frozenset(p.name for form in KIND_FORMS.values() for p in form.properties)


def form_values(stream: Stream, lang: str) -> dict[str, Any]:
    """A stored stream as the form shows it, its numbers written for editing in ``lang``."""
    values: dict[str, Any] = {name: getattr(stream, name) for name in EDITED}
    values["quantity"] = format_editable(stream.quantity, lang)
    for name, value in (stream.properties or {}).items():
        if name in FORM_PROPERTIES:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            values[name] = format_editable(value, lang) if number else value
    return values


def stream_changes(data: StreamCreate, stream: Stream) -> dict[str, Any]:
    """What an edit checked by :func:`stream_input` changes in ``stream`` (the fields of a
    ``StreamUpdate`` but its version): the form's fields, blanks clearing them (a code kept
    keeps its source: the registry decides it anew only for another code); the text's language
    only when the text changed."""
    changes = {name: getattr(data, name) for name in EDITED}
    kept = {k: v for k, v in (stream.properties or {}).items() if k not in FORM_PROPERTIES}
    changes["properties"] = kept | data.properties
    if changes["site_id"] is None:  # a stream without a site keeps none
        del changes["site_id"]
    if (data.title, data.description) != (stream.title, stream.description):
        changes["language"] = data.language
    return changes


def kind_form(kind: str | None) -> KindForm:
    """The form of ``kind``; an unknown kind gets the material form."""
    return KIND_FORMS.get(kind or "", KIND_FORMS[Kind.material])


def stream_input(
    form: Mapping[str, Any],
    organisation_id: int,
    lang: str,
    gettext: Gettext,
    stored: Mapping[str, Any] | None = None,
) -> tuple[StreamCreate | None, dict[str, str]]:
    """Validate the posted form into a new stream of ``organisation_id`` or field messages.

    ``stored``: the properties of the stream being edited, whose choices stand even when the
    form does not offer them (the API takes more)."""
    values = clean(form, ("quantity", "price_eur_per_unit"), lang)
    spec = kind_form(values.get("kind"))
    properties, errors = _properties(values, spec, lang, gettext, stored or {})
    data = {name: values.get(name) for name in FIELDS}
    data |= {"organisation_id": organisation_id, "language": lang, "properties": properties}
    if not spec.measured or data.get("quantity") is None:  # a unit alone says nothing
        data.update(quantity=None, unit=None, period=None)
    elif not spec.periodic:
        data.update(period=None)
    data = {k: v for k, v in data.items() if v is not None}
    try:
        stream = StreamCreate(**data)
    except ValidationError as exc:
        return None, field_errors(
            exc, [*FIELDS, *(p.name for p in spec.properties)], gettext, lang
        ) | errors
    return (None, errors) if errors else (stream, {})


def _properties(
    values: Mapping[str, Any],
    spec: KindForm,
    lang: str,
    gettext: Gettext,
    stored: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The kind's properties as stored values, and a message for each unreadable one."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for prop in spec.properties:
        raw = values.get(prop.name)
        if raw is None or (prop.offers_only and values.get("direction") == Direction.need):
            continue
        if prop.choices:
            if raw in dict(prop.choices) or raw == stored.get(prop.name):
                out[prop.name] = raw
            else:
                errors[prop.name] = gettext("Please choose one of the options.")
            continue
        number, error = read_number(raw, lang, prop.minimum, prop.maximum, gettext)
        if error:
            errors[prop.name] = error
        else:
            out[prop.name] = number
    return out, errors
