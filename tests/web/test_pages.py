"""Every page answers, shows what it is for, and speaks the visitor's language."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sidestream.web.i18n import COOKIE


def test_home_offers_two_doors_and_counts(web: TestClient) -> None:
    html = web.get("/").text
    assert 'href="/start"' in html and 'href="/region"' in html
    assert "organisations" in html and "64" in html


def test_start_page_asks_to_sign_up_first(web: TestClient) -> None:
    response = web.get("/start", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signup?next=/start"


def test_start_page_has_the_company_form(web: TestClient, csrf: str) -> None:
    html = web.get("/start").text
    assert 'name="name"' in html and 'id="pick-map"' in html
    assert f'name="csrf_token" value="{csrf}"' in html
    assert "You are not a member of a company yet" in html


def test_organisation_page_lists_its_streams(web: TestClient, ids: dict[str, int]) -> None:
    html = web.get(f"/organisations/{ids['org']}").text
    assert "FGD gypsum from flue-gas desulphurisation" in html
    assert f'href="/streams/{ids["offer"]}"' in html


def test_stream_page_shows_matches_with_reasons_distance_and_benefit(
    web: TestClient, ids: dict[str, int]
) -> None:
    html = web.get(f"/streams/{ids['offer']}").text
    assert "FGD gypsum to replace natural gypsum" in html  # the documented partner
    assert "Material fit" in html and 'class="bar"' in html
    # no temperatures or dates on either side: said so, not drawn as a half-full bar
    assert 'class="bar unstated"' in html and "not stated" in html
    assert re.search(r"Distance: <strong>[\d.,]+ km", html)
    assert "EUR/year" in html
    assert "Who could use this?" in html and "Manufacture of" in html
    assert "Ask for an introduction" not in html  # only the stream's own company asks


def test_a_heat_offer_page_names_who_could_use_it_with_a_heat_pump(web: TestClient, engine) -> None:
    from sqlalchemy import select

    from sidestream.db import session_scope
    from sidestream.registry.models import Stream

    with session_scope(engine) as session:
        heat = session.scalars(
            select(Stream.id).where(Stream.external_id == "kal-novo-surplus-heat")
        ).one()
    html = web.get(f"/streams/{heat}").text
    aside = html[html.index('id="sectors-h"') :]
    assert "Growing of vegetables" in aside  # greenhouses take 30 °C heat as it is
    assert re.search(r"with a heat pump from 30 to \d+ °C \(COP \d+\.\d\)", aside)
    assert "Treatment and disposal of non-hazardous" not in aside  # 'waste water' of a heat stream
    assert "Varme til fjernvarmenettet" in html and "a heat pump can lift it" in html
    # the benefit is shown with what makes it up: here the pump's electricity outweighs the gas
    terms = html[html.index("How the benefit is made up") :]
    assert "What it replaces: heat from a natural gas boiler" in terms
    assert "Processing (a heat pump's electricity)" in terms and "Below zero" in terms
    danish = web.get(f"/streams/{heat}", headers={"Accept-Language": "da"}).text
    assert re.search(r"med en varmepumpe fra 30 til \d+ °C \(COP \d+,\d\)", danish)


def test_who_could_use_this_shows_only_industries_with_evidence(web: TestClient, engine) -> None:
    from sqlalchemy import select

    from sidestream.db import session_scope
    from sidestream.registry.models import Stream

    with session_scope(engine) as session:
        store, need = (
            session.scalars(select(Stream.id).where(Stream.external_id == ext)).one()
            for ext in ("sot-marenor-coldstore", "kal-gyproc-gypsum-need")
        )
    html = web.get(f"/streams/{store}").text  # spare frozen storage: a pattern, no case
    aside = html[html.index('id="sectors-h"') : html.index("</aside>")]
    assert "Warehousing and storage" in aside and aside.count("<h3>") == 1
    assert "Sector suggestions are made for offers." in web.get(f"/streams/{need}").text
    with session_scope(engine) as session:
        hall = session.scalars(
            select(Stream.id).where(Stream.external_id == "dk-herning-hall")
        ).one()
    lonely = web.get(f"/streams/{hall}").text  # no partner and no known industry yet
    aside = lonely[lonely.index('id="sectors-h"') : lonely.index("</aside>")]
    assert "No industry in our knowledge base is known to use such a stream yet." in aside
    assert "NACE" not in aside  # no bare "frequent receiving sector" suggestions
    assert "No partner found yet. We keep looking as new companies join." in lonely
    assert "The industries on the right" not in lonely


def test_need_page_lists_offers(web: TestClient, ids: dict[str, int]) -> None:
    assert web.get(f"/streams/{ids['need']}").status_code == 200


def test_unknown_stream_is_a_friendly_404(web: TestClient) -> None:
    response = web.get("/streams/999999")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_kind_fields_ask_what_matters(web: TestClient) -> None:
    assert 'name="temperature_c"' in web.get("/streams/fields", params={"kind": "energy"}).text
    assert 'name="moisture_pct"' in web.get("/streams/fields", params={"kind": "material"}).text
    water = web.get("/streams/fields", params={"kind": "water"}).text
    assert 'name="water_quality"' in water and "m3" in water
    assert 'name="quantity"' not in web.get("/streams/fields", params={"kind": "knowledge"}).text


def test_classifier_suggests_codes_as_the_user_types(web: TestClient) -> None:
    html = web.post("/streams/suggest", data={"description": "sawdust and wood shavings"}).text
    assert 'name="waste_code"' in html and "030105" in html
    # the best code is said once; the list itself is no live region (it was re-read whole)
    said = re.search(r'id="suggestions-status" hx-swap-oob="innerHTML">([^<]*)', html)
    assert said and said.group(1).startswith("Suggested code: 03 01 05")


def test_a_mirror_entry_suggested_says_what_to_compare_it_with(web: TestClient) -> None:
    # the form showed 17 05 04 at 92 % with no word of its hazardous twin
    html = web.post("/streams/suggest", data={"description": "soil and stones"}).text
    assert "170504" in html and "compare with 17 05 03*" in html
    danish = web.post(
        "/streams/suggest", data={"description": "jord og sten"}, headers={"Accept-Language": "da"}
    ).text
    assert "17 05 03*" in danish and "compare with" not in danish


def test_classifier_suggests_the_kind(web: TestClient) -> None:
    html = web.post("/streams/suggest", data={"description": "surplus heat 60 C"}).text
    assert 'data-set-kind="energy"' in html


def test_case_library_searches_material_sector_and_country(web: TestClient) -> None:
    everything = web.get("/cases").text
    assert "cases found" in everything
    gypsum = web.get("/cases", params={"q": "gypsum"}).text
    assert "Gypsum" in gypsum or "gypsum" in gypsum
    danish = web.get("/cases", params={"country": "DK", "sector": "23"}).text
    assert "Saint-Gobain Gyproc" in danish or "Aalborg Portland" in danish
    nothing = web.get("/cases", params={"q": "zzzz-no-such-material"}).text
    assert "No case matches" in nothing
    from sidestream.taxonomy.nace import nace_title

    in_danish = web.get("/cases", params={"lang": "da"}).text
    web.cookies.clear()
    assert f">23 {nace_title('23', 'da')}<" in in_danish  # the sector filter in Danish
    assert "Manufacture of other non-metallic mineral products" not in in_danish


def test_case_library_finds_a_material_named_in_another_language(web: TestClient) -> None:
    # the Norwegian page suggested "myse" and "gips", which found nothing: the cases are English
    def found(q: str) -> str:
        page = web.get("/cases", params={"q": q}, headers={"HX-Request": "true"}).text
        return re.search(r"(\d+) cases? found", page).group(1)

    assert int(found("whey")) > 0
    for q in ("myse", "vassle", "valle", "sirotka"):  # "valle" is also in a name
        assert int(found(q)) >= int(found("whey")), q
    assert int(found("sadra")) > 0 and found("zzzz-no-such-material") == "0"


def test_case_search_answers_htmx_with_the_results_only(web: TestClient) -> None:
    html = web.get("/cases", params={"q": "ash"}, headers={"HX-Request": "true"}).text
    assert "<table>" in html and "<html" not in html
    # a screen reader hears the count, not the whole table again (the results were the live
    # region)
    status = re.search(r'<p id="results-status" hx-swap-oob="innerHTML">([^<]+)</p>', html)
    assert status and "cases found" in status.group(1)
    page = web.get("/cases").text
    assert '<p id="results-status" class="sr-only" role="status"></p>' in page
    assert 'id="results" aria-live' not in page and "hx-swap-oob" not in page


def test_region_page_has_map_flows_sankey_pipeline_and_indicators(web: TestClient) -> None:
    html = web.get("/region").text
    assert 'id="region-map"' in html and '"points":[' in html and '"lines":[' in html
    assert 'class="sankey"' in html and "<path" in html
    # the flows a mouse read in the diagrams' tooltips are a table too
    paths = html.count("<path d=")
    assert paths and html.count("The flows as a table") == html.count('class="sankey"')
    table_rows = re.findall(r'<tr><td>[^<]*</td><td>[^<]*</td><td class="num">', html)
    assert len(table_rows) == paths
    assert "Opportunity pipeline" in html and "Candidate links" in html
    for label in (
        "Resources saved",
        "Water saved",
        "Energy saved",
        "Waste diverted",
        "CO2 avoided",
    ):
        assert label in html
    assert 'id="indicator-chart"' in html


def test_region_hides_anonymous_companies(web: TestClient) -> None:
    html = web.get("/region").text
    data = html.split('id="map-data">', 1)[1].split("</script>", 1)[0]
    assert '"org":null' in data  # the demo region has anonymous listings


def test_region_can_show_one_network(web: TestClient) -> None:
    options = web.get("/region").text
    network = re.search(r'<option value="(\d+)" >Kalundborg Symbiosis</option>', options)
    assert network, "the network filter lists the demo networks"
    html = web.get("/region", params={"network": network.group(1)}).text
    assert "<h1>Kalundborg Symbiosis</h1>" in html


def test_the_whole_region_option_sends_an_empty_network(web: TestClient) -> None:
    for path in ("/region", "/region/optimise"):
        response = web.get(path, params={"network": ""})
        assert response.status_code == 200, path
    assert web.get("/region", params={"network": "x"}).status_code == 422
    for path in ("/region", "/region/optimise"):  # the whole region was shown in its place
        gone = web.get(path, params={"network": 999999}, headers={"Accept": "text/html"})
        assert gone.status_code == 404 and "We could not find that page" in gone.text, path


def test_optimiser_page_compares_a_carbon_price_scenario(web: TestClient) -> None:
    html = web.get("/region/optimise", params={"carbon_price": 80}).text
    assert "Baseline" in html and "With carbon price 80 EUR/t" in html
    assert "Exchanges in the plan" in html and '<td class="num">' in html
    assert "Solver status: optimal" in html
    slovenian = web.get("/region/optimise", params={"lang": "sl"}).text
    assert ": optimalno<" in slovenian or ": optimalno " in slovenian  # not the solver's word
    web.cookies.delete(COOKIE)  # the other tests read their pages in their own languages


def test_static_files_are_served_locally(web: TestClient) -> None:
    for path in (
        "/static/app.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/chartjs/chart.umd.min.js",
    ):
        assert web.get(path).status_code == 200, path


def test_a_case_whose_receiver_is_recorded_only_as_a_division_says_so(
    web: TestClient, engine
) -> None:
    from sqlalchemy import select

    from sidestream.db import session_scope
    from sidestream.registry.models import Stream

    with session_scope(engine) as session:
        steam = session.scalars(
            select(Stream.id).where(Stream.external_id == "kal-asnaes-steam-novo")
        ).one()
    html = web.get(f"/streams/{steam}").text
    aside = html[html.index('id="sectors-h"') : html.index("</aside>")]
    assert "Manufacture of basic pharmaceutical products" in aside
    assert "→ Pharmaceutical (recorded only as NACE 21) (Puerto Rico)" in aside
    danish = web.get(f"/streams/{steam}", headers={"Accept-Language": "da"}).text
    assert "(kun registreret som NACE 21)" in danish


def test_what_a_benefit_leaves_out_is_said_in_the_pages_language(web: TestClient, engine) -> None:
    """The valuation's warnings named API fields ("set virgin_price_eur_per_unit"), in English
    on every page."""
    from sqlalchemy import select

    from sidestream.db import session_scope
    from sidestream.impact.accounting import NO_SUBSTITUTE
    from sidestream.registry.models import Stream

    with session_scope(engine) as session:
        textiles = session.scalars(
            select(Stream.id).where(Stream.external_id == "kal-argo-textiles")
        ).one()
    english = web.get(f"/streams/{textiles}", headers={"Accept-Language": "en"}).text
    # textiles replace no known product at their partners (docs/impact.md, stop 31)
    said = "What this stream would replace is not known: that part is counted as 0."
    assert said in english and NO_SUBSTITUTE not in english
    assert "What it replaces: not known (no documented use" in english  # it said "unknown"
    danish = web.get(f"/streams/{textiles}", headers={"Accept-Language": "da"}).text
    assert "Hvad denne strøm ville erstatte, kendes ikke: den del regnes som 0." in danish


def test_a_partner_that_barely_fits_is_flagged_as_a_weak_match(web: TestClient, engine) -> None:
    # a heat offer's card showed 47,826 EUR a year for a need its material fitted at 4 %
    from sqlalchemy import select

    from sidestream.db import session_scope
    from sidestream.matching.weights import WEAK_MATERIAL
    from sidestream.registry.models import Stream
    from sidestream.web.pages.streams import TOP
    from tests.web.conftest import log_in

    log_in(web, "admin@demo.sidestream.invalid")
    with session_scope(engine) as session:
        ids = session.scalars(select(Stream.id).order_by(Stream.id).limit(40)).all()
    flagged = 0
    for stream_id in ids:
        found = web.get(f"/api/v1/streams/{stream_id}/matches", params={"top": TOP}).json()
        weak = sum(
            1
            for m in found["matches"]
            for r in m["reasons"]
            if r["component"] == "material" and r["score"] < WEAK_MATERIAL
        )
        page = web.get(f"/streams/{stream_id}").text
        assert page.count(">Weak material match</span>") == weak, stream_id
        flagged += weak
        # each card's buttons say which partner they act on (five "View" buttons said nothing)
        asks = page.count(">Ask for an introduction</button>")
        assert page.count('aria-label="Ask for an introduction: ') == asks, stream_id
        assert page.count('aria-label="View: ') == len(found["matches"]), stream_id
    web.cookies.clear()  # the next tests use the client as a visitor
    assert flagged > 0


def test_switching_the_kind_keeps_the_quantity_and_stops_offering_itself(web: TestClient) -> None:
    # the "Use energy" button cleared a typed quantity and kept offering itself afterwards
    web.cookies.clear()  # as a visitor: a logged-in form post needs its CSRF token
    fields = web.get("/streams/fields", params={"kind": "energy", "quantity": "1200"}).text
    assert 'id="quantity" name="quantity" value="1200"' in fields
    heat = {"description": "Surplus heat from our flue gas at 60 °C"}
    offered = web.post("/streams/suggest", data=heat).text
    assert "data-set-kind" in offered
    said = re.search(r'id="suggestions-status" hx-swap-oob="innerHTML">([^<]*)', offered)
    assert said and said.group(1).startswith("This sounds like energy.")  # heard, not only seen
    assert "data-set-kind" not in web.post("/streams/suggest", data=heat | {"kind": "energy"}).text
