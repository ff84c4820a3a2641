"""A boolean is not a number at any input boundary (pydantic would read true as 1)."""

import pytest
from pydantic import ValidationError

from sidestream.exchanges.schemas import DeliveryCreate, ExchangeUpdate
from sidestream.impact.schemas import Exchange
from sidestream.interop.listing import Listing
from sidestream.optimize.schemas import NetworkProblem
from sidestream.registry.schemas import StreamUpdate

ROW = {"id": "a", "direction": "offer", "title": "Sawdust", "quantity": 5, "unit": "t"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("quantity", True), ("lat", False), ("price_eur_per_unit", True)],
)
def test_an_import_row_refuses_a_boolean_for_a_number(field, value):
    row = {**ROW, "lat": 55.0, "lon": 11.0, field: value}
    with pytest.raises(ValidationError) as err:
        Listing.model_validate(row)
    (problem,) = err.value.errors()
    assert problem["loc"] == (field,)
    assert f"must be a number, not {str(value).lower()}" in problem["msg"]


def test_numbers_written_as_text_are_still_read():
    assert Listing.model_validate({**ROW, "quantity": "12.5"}).quantity == 12.5


def test_a_density_of_true_is_refused():
    with pytest.raises(ValidationError, match="density_kg_m3 must be a positive number"):
        Listing.model_validate({**ROW, "properties": {"density_kg_m3": True}})


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (StreamUpdate, {"version": True}, "version"),
        (ExchangeUpdate, {"version": 1, "agreed_quantity": True}, "agreed_quantity"),
        (DeliveryCreate, {"delivered_on": "2025-01-01", "quantity": True, "unit": "t"}, "quantity"),
        (Exchange, {"kind": "material", "amount": True, "unit": "t"}, "amount"),
    ],
)
def test_api_bodies_refuse_a_boolean_for_a_number(model, data, field):
    """Each body is valid but for the boolean: its error is the only one."""
    with pytest.raises(ValidationError) as err:
        model.model_validate(data)
    assert [(e["loc"], e["msg"]) for e in err.value.errors()] == [
        ((field,), f"must be a number, not {str(data[field]).lower()}")
    ]


def test_an_optimiser_file_refuses_a_boolean_for_a_number():
    problem = {
        "offers": [{"id": "s", "amount": True, "unit": "t"}],
        "needs": [{"id": "d", "amount": 5, "unit": "t"}],
        "arcs": [{"offer": "s", "need": "d", "unit_benefit_eur": 1, "gain": False}],
        "carbon_price_eur_per_t": True,  # beside the nested ones: reported together (a KeyError)
    }
    with pytest.raises(ValidationError) as err:
        NetworkProblem.model_validate(problem)
    assert [(e["loc"], e["msg"]) for e in err.value.errors()] == [
        (("carbon_price_eur_per_t",), "must be a number, not true"),
        (("offers", 0, "amount"), "must be a number, not true"),
        (("arcs", 0, "gain"), "must be a number, not false"),
    ]


def test_a_boolean_is_reported_with_the_rows_other_problems():
    with pytest.raises(ValidationError) as err:
        Listing.model_validate({**ROW, "quantity": True, "direction": "sideways"})
    assert sorted(e["loc"][0] for e in err.value.errors()) == ["direction", "quantity"]


def test_text_with_a_nul_is_refused_on_its_field():
    """SQLite stored it; PostgreSQL refused it with an error naming no field."""
    from sidestream.registry.schemas import OrganisationCreate

    with pytest.raises(ValidationError) as err:
        OrganisationCreate.model_validate({"name": "Acme\x00Steel"})
    assert [(e["loc"], e["msg"]) for e in err.value.errors()] == [
        (("name",), "must not contain NUL characters (binary data?)")
    ]
    with pytest.raises(ValidationError) as err:
        Listing.model_validate({**ROW, "title": "Saw\x00dust"})
    assert err.value.errors()[0]["loc"] == ("title",)


def test_lists_of_numbers_and_the_listings_of_a_match_request_keep_the_rules():
    from sidestream.matching.api import MatchRequest
    from sidestream.optimize.api import OptimizeRequest
    from sidestream.registry.schemas import NetworkCreate

    with pytest.raises(ValidationError, match="must be a number, not true"):
        NetworkCreate.model_validate({"name": "Park", "member_ids": [True]})
    with pytest.raises(ValidationError, match="must be a number, not true"):
        OptimizeRequest.model_validate({"carbon_price": True})
    offer = {"id": "a", "direction": "offer", "title": "Sawdust", "quantity": True, "unit": "t"}
    with pytest.raises(ValidationError) as err:
        MatchRequest.model_validate({"offers": [offer], "needs": []})
    assert err.value.errors()[0]["loc"] == ("offers", 0, "quantity")


def test_what_is_already_stored_is_still_answered():
    """Output models do not keep the input rules: a name with a NUL that SQLite stored before
    the rule must not turn every list of networks into an error."""
    from sidestream.registry.schemas import NetworkOut

    out = NetworkOut(id=1, name="Old\x00Park", version=1, member_ids=[])
    assert out.name == "Old\x00Park"


@pytest.mark.parametrize("value", [10**20, 1e20, -(2**63) - 1])
def test_an_id_beyond_what_the_database_stores_is_refused_on_its_field(value):
    """A body id of 1e20 reached the database and came back as a 422 naming no field."""
    from sidestream.exchanges.schemas import IntroductionCreate

    with pytest.raises(ValidationError) as refused:
        IntroductionCreate(offer_stream_id=value, need_stream_id=1)
    (error,) = refused.value.errors()
    assert error["loc"] == ("offer_stream_id",) and "below 2^63" in error["msg"]
    assert IntroductionCreate(offer_stream_id=2**63 - 1, need_stream_id=1)  # stored ids fit
    assert ExchangeUpdate(version=1, agreed_quantity=1e20 / 1e9)  # a fraction field: its own rule


def test_properties_hold_only_what_json_stores():
    """NaN inside properties was stored by SQLite, refused by PostgreSQL naming no field, and
    exported as a line no JSON parser reads."""
    for props, said in (({"x": float("nan")}, "x must be a finite number, not nan"),
                        ({"deep": {"y": [1, float("inf")]}}, "deep.y.1 must be a finite"),
                        ({"note": "a\x00b"}, "note must not contain NUL"),
                        ({"a\x00b": 1}, "a\\0b must not contain NUL")):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            StreamUpdate(version=1, properties=props)
        (error,) = refused.value.errors()
        assert error["loc"] == ("properties",) and said in error["msg"]
        row = {"id": "x", "direction": "offer", "title": "Ash", "properties": props}
        with pytest.raises(ValidationError):
            Listing.model_validate(row)
    assert StreamUpdate(version=1, properties={"moisture_pct": 12.5, "tags": ["a", 1]})


def test_braces_in_a_message_are_written_once():
    # located_errors escaped them for formatting that never happens: '{{x}}' reached users
    from sidestream.registry.schemas import StreamCreate

    row = {"direction": "offer", "title": "x", "properties": {"water_quality": "{x}"}}
    with pytest.raises(ValidationError) as raised:
        StreamCreate.model_validate(row)
    assert "not '{x}'" in raised.value.errors()[0]["msg"]
