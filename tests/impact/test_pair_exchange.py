"""A matched pair is valued by what the receiver stops buying."""

from sidestream.impact.catalogue import category_for
from sidestream.impact.service import pair_exchange
from sidestream.matching.schemas import Listing


def _listing(**kw):
    base = {
        "id": "x",
        "title": "t",
        "kind": "material",
        "quantity": 1000,
        "unit": "t",
        "period": "per-year",
    }
    return Listing(**(base | kw))


def test_substitute_comes_from_the_needs_material():
    offer = _listing(direction="offer", waste_code="061099", title="Liquid fertiliser")
    need = _listing(direction="need", waste_code="100105", title="Gypsum", quantity=500)
    exchange, basis = pair_exchange(offer, need, 10.0)
    assert exchange.amount == 500 and "need" in basis
    assert exchange.substitutes == category_for("100105", "material").material_category


def test_without_a_need_code_the_offer_decides():
    offer = _listing(direction="offer", waste_code="100102")
    need = _listing(direction="need")
    exchange, _ = pair_exchange(offer, need, None)
    assert exchange.substitutes is None and exchange.waste_code == "100102"
