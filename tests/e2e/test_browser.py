"""An SME finds a partner in a real browser; a facilitator sees the whole region."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shoot

pytestmark = pytest.mark.e2e


def test_company_registers_a_stream_and_sees_a_match(page: Page) -> None:
    started = time.monotonic()
    page.goto("/start")
    page.get_by_label("Company name").fill("Vestsjælland Board Mill")
    page.get_by_label("Country").fill("DK")
    page.locator("#pick-map").click(position={"x": 200, "y": 120})
    expect(page.locator("#lat")).not_to_have_value("")
    page.get_by_label("Latitude").fill("55.66")
    page.get_by_label("Longitude").fill("11.09")
    shoot(page, "01-onboarding-company")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/organisations/\d+/streams/new"))
    page.get_by_text("We need this").click()
    page.get_by_label("Describe it").fill("Gypsum for plasterboard production, dry powder")
    suggestion = page.locator("#suggestions input[name=waste_code]").first
    expect(suggestion).to_be_attached(timeout=30_000)  # the first call loads the classifier
    page.locator("#suggestions label").first.click()
    page.get_by_label("Short name").fill("Gypsum for plasterboard")
    page.get_by_label("How much?").fill("20000")
    shoot(page, "02-stream-form-with-suggestions")
    page.get_by_role("button", name=re.compile("Save and find partners")).click()

    expect(page).to_have_url(re.compile(r"/streams/\d+\?saved=1"))
    expect(page.locator("article.match").first).to_be_visible()
    expect(page.get_by_text("FGD gypsum from flue-gas desulphurisation")).to_be_visible()
    assert time.monotonic() - started < 60, "a stream is saved and matched in under a minute"
    shoot(page, "03-stream-matches")


def test_kind_choice_changes_the_questions(page: Page) -> None:
    page.goto("/start?q=Asn%C3%A6s")
    page.get_by_role("link", name="Ørsted Asnæs Power Station").first.click()
    page.get_by_role("link", name=re.compile("Add something you have")).click()
    page.locator("label[for=kind-energy]").click()
    expect(page.get_by_label(re.compile("Temperature"))).to_be_visible()
    page.locator("label[for=kind-water]").click()
    expect(page.get_by_label(re.compile("Quality"))).to_be_visible()


def test_language_switch(page: Page) -> None:
    page.goto("/cases?q=gypsum")
    page.get_by_role("link", name="DA").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eksempelbibliotek")
    expect(page.get_by_label("Materiale eller anvendelse")).to_have_value("gypsum")
    page.goto("/")  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "da")
    shoot(page, "04-home-danish")
    page.get_by_role("link", name="SL").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vaši ostanki so lahko vir za nekoga drugega"
    )


def test_facilitator_dashboard_shows_sites_offline(page: Page) -> None:
    page.goto("/region")
    expect(page.locator("#region-map")).to_have_attribute("data-markers", re.compile(r"\d+"))
    points = int(page.locator("#region-map").get_attribute("data-markers") or 0)
    assert points > 100
    markers = page.locator("#region-map path.leaflet-interactive")
    assert markers.count() >= points  # markers (and flow lines) drawn without any tile
    expect(page.locator("svg.sankey").first).to_be_visible()
    assert page.evaluate("document.getElementById('indicator-chart').width") > 0
    shoot(page, "05-region-dashboard")
    page.get_by_role("link", name=re.compile("Open the network plan")).click()
    expect(page.get_by_role("heading", name="The best network plan")).to_be_visible()
    page.get_by_label(re.compile("carbon price")).fill("80")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("With carbon price 80 EUR/t")).to_be_visible()
    shoot(page, "06-network-plan")


def test_usable_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (("/", "07-phone-home"), ("/start", "08-phone-start"), ("/cases", None)):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways on a phone"
        if name:
            shoot(page, name)


PAGES = ["/", "/start", "/cases", "/region", "/region/optimise"]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page: Page, axe_source: str, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document)")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)


def test_no_serious_accessibility_violations_on_stream_pages(page: Page, axe_source: str) -> None:
    page.goto("/start?q=Asn%C3%A6s")
    page.get_by_role("link", name="Ørsted Asnæs Power Station").first.click()
    organisation_url = page.url
    page.locator("a.card.link").first.click()
    expect(page.get_by_role("heading", name="Possible partners")).to_be_visible()
    for url in (page.url, organisation_url, organisation_url + "/streams/new"):
        page.goto(url)
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => await axe.run(document)")
        serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, f"{url}: {serious}"
