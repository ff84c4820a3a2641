"""Domain errors: a broken rule names the path of its field; several are reported together."""

import pytest

from sidestream.errors import CheckAll, FieldError, InvalidInput, as_loc


def test_a_field_is_a_path():
    assert as_loc("site_id") == ("site_id",)
    assert as_loc("changes.0.amount") == ("changes", 0, "amount")  # a position, as pydantic's
    assert as_loc(("assumptions", "price.carbon.eu_ets")) == ("assumptions", "price.carbon.eu_ets")
    exc = InvalidInput(("assumptions", "price.carbon.eu_ets"), "must be positive")
    assert (exc.field, exc.message) == ("assumptions.price.carbon.eu_ets", "must be positive")
    assert exc.errors == (FieldError(("assumptions", "price.carbon.eu_ets"), "must be positive"),)
    assert exc.errors[0].type == "value_error"


def test_every_broken_rule_is_kept_and_raised_once():
    every = CheckAll()
    for value in (1, -1, -2):
        with every.check():
            if value < 0:
                raise InvalidInput(f"values.{-value}", "must not be negative")
    every.add("total", "must be positive")
    with pytest.raises(InvalidInput) as err:
        every.done()
    assert [e.loc for e in err.value.errors] == [("values", 1), ("values", 2), ("total",)]
    assert err.value.field == "values.1"  # the first, for a caller that shows one
    assert str(err.value) == (
        "values.1: must not be negative; values.2: must not be negative; total: must be positive"
    )
    CheckAll().done()  # nothing broken: nothing raised
