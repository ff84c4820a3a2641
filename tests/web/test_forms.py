"""Onboarding and the stream form: saved in one go, or a clear message beside each field."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]+)</p>', html)
    assert found, f"no message beside {field}"
    return found.group(1)


def test_onboarding_creates_organisation_and_site(web: TestClient, csrf: str) -> None:
    response = web.post(
        "/start",
        data={
            "csrf_token": csrf,
            "name": "Fjord Dairy ApS",
            "nace": "10.51",
            "country": "dk",
            "lat": "55.68",
            "lon": "11.1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert re.fullmatch(r"/organisations/\d+/streams/new", response.headers["location"])
    form = web.get(response.headers["location"]).text
    assert "Fjord Dairy ApS" in form and "What do you have left over?" in form


def test_onboarding_shows_each_error_beside_its_field(web: TestClient, csrf: str) -> None:
    response = web.post(
        "/start", data={"csrf_token": csrf, "name": " ", "nace": "99.99.9", "country": "Denmark"}
    )
    assert response.status_code == 422
    html = response.text
    assert _error(html, "name") == "Please fill this in."
    assert "NACE" in _error(html, "nace")
    assert _error(html, "country") == "This does not have the expected form."  # a tampered choice
    assert 'aria-invalid="true"' in html
    assert 'value="99.99.9"' in html  # what was typed is kept
    assert 'id="site_name-error"' not in html  # optional: it takes the company's name


def test_a_business_typed_for_its_nace_code_is_answered_with_the_codes_it_names(
    web: TestClient, csrf: str
) -> None:
    # who knows their activity code? "Savværk" was "not a NACE code" and nothing more
    html = web.post("/start?lang=da", data={"csrf_token": csrf, "name": "Hansens Savværk ApS",
                                            "nace": "Savværk"}).text  # fmt: skip
    assert "Mente du 16.10 (Udsavning og høvling af træ)?" in _error(html, "nace")
    html = web.post("/start", data={"csrf_token": csrf, "name": "X", "nace": "99.99.9"}).text
    assert "Did you mean" not in _error(html, "nace")  # digits name no business


def test_a_whole_form_rule_goes_beside_the_field_it_names(web: TestClient, csrf: str) -> None:
    html = web.post(
        "/start", data={"csrf_token": csrf, "name": "Half Placed Ltd", "lat": "55.6"}
    ).text
    # beside the coordinate left out, the one to fill in
    assert "Give both latitude and longitude" in _error(html, "lon")


def test_onboarding_refuses_a_duplicate_name(web: TestClient, csrf: str) -> None:
    html = web.post("/start", data={"csrf_token": csrf, "name": "Ørsted Asnæs Power Station"}).text
    assert "already exists" in _error(html, "name")


def test_onboarding_errors_are_translated(web: TestClient, csrf: str) -> None:
    html = web.post("/start?lang=da", data={"csrf_token": csrf, "name": ""}).text
    assert _error(html, "name") == "Udfyld venligst dette felt."


def _new_org(web: TestClient, csrf: str, name: str) -> str:
    location = web.post(
        "/start",
        data={"csrf_token": csrf, "name": name, "lat": "55.66", "lon": "11.09"},
        follow_redirects=False,
    )
    return location.headers["location"]


def test_a_returning_user_sees_their_companies_first(web: TestClient, csrf: str) -> None:
    # after logging in they saw an empty "Tell us about your company" form, their company far
    # below it on a phone
    _new_org(web, csrf, "Returning Works ApS")
    page = web.get("/start").text
    assert "Tell us about your company" not in page
    mine = page.index("Returning Works ApS", page.index("<h1"))  # the header names it too
    assert page.index("Your companies") < mine < page.index("Register another company")


def test_the_suggestions_follow_a_change_of_kind(web: TestClient, csrf: str) -> None:
    # after "Use energy" the hint kept offering itself until the next pause in typing
    form = web.get(_new_org(web, csrf, "Kind Switch ApS")).text
    area = re.search(r'<textarea id="description"[^>]*>', form).group(0)
    assert 'hx-post="/streams/suggest"' in area and "change from:input[name=kind]" in area


def test_a_stream_is_saved_and_its_partners_shown(web: TestClient, csrf: str) -> None:
    url = _new_org(web, csrf, "Kalundborg Plaster Works")
    response = web.post(
        url,
        data={
            "csrf_token": csrf,
            "direction": "need",
            "description": "Gypsum for plasterboard production, dry, at least 90 % purity",
            "title": "Gypsum for plasterboard",
            "kind": "material",
            "waste_code": "100105",
            "quantity": "20.000",
            "unit": "t",
            "period": "per-year",
            "moisture_pct": "10",
            "visibility": "public",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = web.get(response.headers["location"], params={"lang": "da"}).text
    assert "Gypsum for plasterboard" in page
    assert "20 t/år" in page  # Danish grouping, annualised
    assert "FGD gypsum from flue-gas desulphurisation" in page  # the Asnæs offer next door


def test_a_small_amount_is_shown_with_its_decimals(web: TestClient, csrf: str) -> None:
    # 0.4 t a year was shown as "0 t/år", 12.5 as "12"
    url = _new_org(web, csrf, "Small Amounts ApS")
    form = {"csrf_token": csrf, "direction": "offer", "title": "Spent lubricant",
            "description": "Spent lubricant", "kind": "material", "unit": "t",
            "period": "per-year", "visibility": "public"}  # fmt: skip
    for typed, shown in (("0.4", "0,4 t/år"), ("12.5", "12,5 t/år")):
        saved = web.post(url, data=form | {"quantity": typed}, follow_redirects=False)
        assert saved.status_code == 303, saved.text
        page = web.get(saved.headers["location"], headers={"Accept-Language": "da"}).text
        assert shown in page, typed


def test_a_limit_is_written_as_the_page_writes_numbers(web: TestClient, csrf: str) -> None:
    # "Må højst være 1000000000000."
    url = _new_org(web, csrf, "Limits ApS")
    form = {"csrf_token": csrf, "direction": "offer", "title": "Slag", "description": "Slag",
            "kind": "material", "unit": "t", "period": "per-year", "visibility": "public",
            "quantity": "2000000000000"}  # fmt: skip
    html = web.post(url, data=form, headers={"Accept-Language": "da"}).text
    assert "1.000.000.000.000" in _error(html, "quantity")


def test_stream_form_messages_sit_beside_the_fields(web: TestClient, csrf: str) -> None:
    url = _new_org(web, csrf, "Messages Test Ltd")
    html = web.post(
        url,
        data={
            "csrf_token": csrf,
            "direction": "offer",
            "description": "wood chips",
            "title": "",
            "kind": "material",
            "quantity": "lots",
            "unit": "t",
            "period": "per-year",
            "moisture_pct": "150",
        },
    ).text
    assert _error(html, "title") == "Please fill this in."
    assert _error(html, "quantity") == "Please enter a number, for example 12.5."
    assert _error(html, "moisture_pct") == "Must be between 0 and 100."
    assert "wood chips" in html


def test_energy_needs_a_rate_when_continuous(web: TestClient, csrf: str) -> None:
    url = _new_org(web, csrf, "Rate Test Ltd")
    html = web.post(
        url,
        data={
            "csrf_token": csrf,
            "direction": "offer",
            "title": "Waste heat",
            "kind": "energy",
            "quantity": "500",
            "unit": "MWh",
            "period": "continuous",
            "temperature_c": "60",
        },
    ).text
    assert "continuous" in _error(html, "unit")


def test_the_form_offers_the_registry_property_rules() -> None:
    from sidestream.registry.properties import CHOICES, NUMERIC_RANGES
    from sidestream.web.stream_form import KIND_FORMS

    props = {p.name: p for form in KIND_FORMS.values() for p in form.properties}
    for name, (low, high) in NUMERIC_RANGES.items():
        assert (props[name].minimum, props[name].maximum) == (low, high)
    for name, allowed in CHOICES.items():  # water quality, where the water comes from...
        keys = tuple(key for key, _ in props[name].choices)
        if name == "avoided_disposal":  # ...the routes a company tells (the API takes all)
            assert set(keys) <= set(allowed) and "none" in keys
        else:
            assert keys == allowed


def test_a_capacity_states_its_space_without_a_period(web: TestClient, csrf: str) -> None:
    fields = web.get("/streams/fields", params={"kind": "capacity"}).text
    assert 'name="quantity"' in fields and "m2" in fields and 'name="period"' not in fields
    assert '<option value="t/day"' in fields  # a treatment line's free throughput
    assert '<option value="pallet" >pallet places</option>' in fields
    url = _new_org(web, csrf, "Cold Store Ltd")
    for title, quantity, unit in (
        ("Spare cold storage", "800", "m2"),
        ("Spare composting line", "20", "t/day"),
        ("Half-used truck route", "", "m2"),
        ("Spare racking", "300", "pallet"),
    ):
        response = web.post(
            url,
            data={"csrf_token": csrf, "direction": "offer", "title": title, "kind": "capacity",
                  "quantity": quantity, "unit": unit, "visibility": "public"},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, response.text
        page = web.get(response.headers["location"]).text
        shown = "pallet places" if unit == "pallet" else unit
        assert title in page and (f"{quantity} {shown}" in page) == bool(quantity), page
    response = web.post(
        url,
        data={"csrf_token": csrf, "direction": "offer", "title": "Spare freezer space",
              "kind": "capacity", "quantity": "200", "unit": "pallet", "temperature_c": "-25",
              "visibility": "public"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    assert "-25 °C" in web.get(response.headers["location"]).text  # the temperature kept
    assert 'name="temperature_c"' in web.get("/streams/fields", params={"kind": "water"}).text
    danish = web.get("/streams/fields", params={"kind": "capacity", "lang": "da"}).text
    assert '<option value="pallet" >pallepladser</option>' in danish


def test_validator_messages_are_shown_in_the_pages_language() -> None:
    """Each message shape the pages translate, built by the real validator that writes it."""
    from datetime import date, timedelta

    from pydantic import ValidationError

    from sidestream.exchanges.schemas import DeliveryCreate
    from sidestream.registry.schemas import OrganisationCreate, StreamCreate
    from sidestream.taxonomy.units import annualise
    from sidestream.web.forms import translated
    from sidestream.web.i18n import translations

    def message(model: type, **fields: object) -> str:
        try:
            model(**fields)
        except ValidationError as exc:
            return str(exc.errors()[0]["msg"])
        raise AssertionError(f"{model.__name__} accepted {fields}")

    def unit_error(unit: str) -> str:
        try:
            annualise(1, unit, None, "material")
        except ValueError as exc:
            return str(exc)
        raise AssertionError(unit)

    offer = {"direction": "offer", "title": "Ash"}
    later = (date.today() + timedelta(days=30)).isoformat()
    messages = [
        message(StreamCreate, **offer, unit="bananas", quantity=1),
        message(StreamCreate, **offer, waste_code="999999"),
        message(StreamCreate, **offer, waste_code="12"),
        message(StreamCreate, **offer, lat=5),
        message(StreamCreate, **offer, quantity=5),
        message(StreamCreate, **offer, available_from="2026-02-01", available_to="2026-01-01"),
        message(OrganisationCreate, name="x", nace="99.99.9"),
        message(OrganisationCreate, name=" (Not disclosed) "),
        message(DeliveryCreate, delivered_on=later, quantity=1, unit="t"),
        message(DeliveryCreate, delivered_on="1900-01-01", quantity=1, unit="t"),
        message(DeliveryCreate, delivered_on="2026-01-01", quantity=1, unit="t/day"),
        unit_error("m3"),
        unit_error("MWh"),
    ]
    danish = translations("da").gettext
    for english in messages:
        shown = translated(english, danish)
        assert shown != english.removeprefix("Value error, "), english
        assert "%(" not in shown, shown


def test_an_offer_says_where_it_goes_today_and_a_need_is_not_asked(
    web: TestClient, csrf: str
) -> None:
    url = _new_org(web, csrf, "Disposal Route Test Ltd")
    form = {
        "csrf_token": csrf,
        "direction": "offer",
        "description": "Fermentation broth residues from enzyme production",
        "title": "Spent fermentation broth",
        "kind": "material",
        "quantity": "5000",
        "unit": "t",
        "period": "per-year",
        "visibility": "public",
    }
    html = web.post(url, data=form | {"avoided_disposal": "dump"}).text
    assert _error(html, "avoided_disposal") == "Please choose one of the options."
    saved = web.post(url, data=form | {"avoided_disposal": "landfill"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = web.get(saved.headers["location"]).text
    assert re.search(r"If nobody takes it: <strong>Landfill</strong>", page)
    need = form | {"direction": "need", "title": "Broth wanted", "avoided_disposal": "landfill"}
    asked = web.post(url, data=need, follow_redirects=False)
    assert asked.status_code == 303, asked.text
    assert "If nobody takes it" not in web.get(asked.headers["location"]).text
