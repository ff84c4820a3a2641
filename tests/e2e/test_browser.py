"""An SME finds a partner in a real browser; a facilitator sees the whole region."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from sidestream.access.demo import DEMO_PASSWORD
from sidestream.access.models import Membership, User
from sidestream.db import session_scope, utcnow
from sidestream.exchanges.models import Introduction
from sidestream.registry.models import Network, NetworkMember, Organisation
from tests.e2e.conftest import log_in, shoot, sign_up

pytestmark = pytest.mark.e2e


def test_new_user_publishes_an_anonymous_offer_and_gets_a_partner(
    tabs: Callable[[], Page], demo_engine: Engine
) -> None:
    """Issue 6 and 7: sign up, register a company, describe a stream in Danish, publish it
    anonymously, see a partner with its benefit and ask for an introduction; the partner
    accepts, both see each other, the exchange becomes active with a delivery; the
    facilitator follows it."""
    started = time.monotonic()
    page = tabs()
    page.goto("/start")
    expect(page).to_have_url(re.compile(r"/signup\?next=/start"))
    sign_up(page, "sawmill@example.org")

    expect(page).to_have_url(re.compile(r"/start$"))
    page.get_by_label("Company name").fill("Bergslagen Sawmill (Danish-owned)")
    page.get_by_label("Activity code (NACE)").fill("16.10")
    page.get_by_label("Country").select_option("SE")  # chosen by name, Sweden
    page.locator("#pick-map").click(position={"x": 200, "y": 120})
    expect(page.locator("#lat")).not_to_have_value("")
    page.get_by_label("Latitude").fill("59.40")  # near the pellet plant of the Frövi cluster
    page.get_by_label("Longitude").fill("15.40")
    shoot(page, "01-onboarding-company")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/organisations/\d+/streams/new"))
    page.wait_for_load_state("networkidle")  # htmx listens before we type
    page.get_by_label("Describe it").fill("Vi har ca. 800 tons træflis og savsmuld om året")
    suggestion = page.locator("#suggestions input[name=waste_code]").first
    expect(suggestion).to_be_attached(timeout=30_000)  # the first call loads the classifier
    expect(page.locator("#suggestions")).to_contain_text("03 01")  # wood processing waste
    page.locator("#suggestions label").first.click()
    page.get_by_label("Short name").fill("Træflis og savsmuld")
    page.get_by_label("How much?").fill("800")
    page.locator("label[for=visibility-anonymous]").click()
    shoot(page, "02-stream-form-anonymous")
    page.get_by_role("button", name=re.compile("Save and find partners")).click()

    expect(page).to_have_url(re.compile(r"/streams/\d+\?saved=1"))
    first = page.locator("article.match").first
    expect(first).to_contain_text(re.compile("Sawdust and shavings|Bark and wood residues"))
    expect(first).to_contain_text("EUR/year")
    assert time.monotonic() - started < 60, "a stream is saved and matched in under a minute"
    shoot(page, "03-stream-matches")
    first.get_by_role("button", name="Ask for an introduction").click()
    expect(page.get_by_text("Your request was sent")).to_be_visible()
    shoot(page, "04-introduction-requested")

    # The partner's company: a colleague there signs up and is added by their admin.
    with session_scope(demo_engine) as session:
        intro = session.scalars(select(Introduction).order_by(Introduction.id.desc())).first()
        responder = intro.responder_org_id
        partner_name = session.get(Organisation, responder).name
    partner = tabs()
    partner.goto("/signup")
    sign_up(partner, "partner@example.org")
    with session_scope(demo_engine) as session:
        user = session.scalars(select(User).where(User.email == "partner@example.org")).one()
        session.add(
            Membership(
                user_id=user.id, organisation_id=responder, role="admin", accepted_at=utcnow()
            )
        )
    partner.goto("/exchanges")
    request = partner.locator("article", has_text="A company asks to be introduced").first
    expect(request).to_contain_text("Træflis og savsmuld")
    expect(request).not_to_contain_text("Bergslagen Sawmill")
    shoot(partner, "05-partner-sees-anonymous-request")
    request.get_by_role("button", name=re.compile("Accept")).click()
    expect(partner.get_by_text("Bergslagen Sawmill (Danish-owned)").first).to_be_visible()
    expect(partner.get_by_text("sawmill@example.org")).to_be_visible()
    partner.get_by_role("button", name="Start negotiating").click()
    partner.get_by_label("Quantity", exact=True).fill("600")
    partner.get_by_label("Unit", exact=True).fill("t")
    partner.get_by_label("Price in EUR per unit").fill("12")
    partner.get_by_role("button", name="Agree on these terms").click()
    expect(partner.get_by_text("You agreed to these terms")).to_be_visible()
    page.goto(partner.url.split("?")[0])  # the requester agrees to the same terms
    expect(page.get_by_text("The other company agreed to these terms")).to_be_visible()
    page.get_by_role("button", name="Agree on these terms").click()
    expect(page.get_by_role("button", name="Start deliveries")).to_be_visible()
    partner.reload()
    partner.get_by_role("button", name="Start deliveries").click()
    partner.get_by_label("Date").fill("2026-03-02")
    partner.locator("#quantity").fill("120")
    partner.get_by_label(re.compile("Document reference")).fill("WTN-2026-0042")
    partner.get_by_role("button", name="Record the delivery").click()
    expect(partner.get_by_text("The delivery was recorded.")).to_be_visible()
    expect(partner.get_by_role("cell", name="WTN-2026-0042")).to_be_visible()
    shoot(partner, "06-exchange-active-with-delivery")

    page.goto("/exchanges")
    expect(page.get_by_text(partner_name).first).to_be_visible()  # revealed after acceptance
    expect(page.get_by_text("Active: deliveries running")).to_be_visible()
    shoot(page, "07-requester-sees-partner")

    # The facilitator of the partner's network sees the map, flows, indicators and pipeline.
    facilitator = tabs()
    facilitator.goto("/signup")
    sign_up(facilitator, "facilitator@frovi.example.org")
    with session_scope(demo_engine) as session:
        user = session.scalars(
            select(User).where(User.email == "facilitator@frovi.example.org")
        ).one()
        network = session.scalars(
            select(Network).join(NetworkMember).where(NetworkMember.organisation_id == responder)
        ).first()
        session.add(
            Membership(
                user_id=user.id,
                organisation_id=network.facilitator_id,
                role="facilitator",
                accepted_at=utcnow(),
            )
        )
    facilitator.goto("/region/pipeline")
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Pipeline of")
    expect(
        facilitator.get_by_role("cell", name=re.compile("Træflis og savsmuld")).first
    ).to_be_visible()
    shoot(facilitator, "08-facilitator-pipeline")
    facilitator.get_by_role("link", name=re.compile("Map, flows and indicators")).click()
    expect(facilitator.locator("#region-map")).to_have_attribute("data-markers", re.compile(r"\d+"))
    expect(facilitator.locator("svg.sankey").first).to_be_visible()
    expect(facilitator.get_by_role("heading", name="Realised and potential")).to_be_visible()
    shoot(facilitator, "09-facilitator-network")


def test_kind_choice_changes_the_questions(tabs: Callable[[], Page]) -> None:
    page = tabs()
    log_in(page, "company-admin@demo.sidestream.invalid", DEMO_PASSWORD)
    page.locator(".account-row a").first.click()
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
    shoot(page, "12-home-danish")
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
    shoot(page, "13-region-dashboard")
    page.get_by_role("link", name=re.compile("Open the network plan")).click()
    expect(page.get_by_role("heading", name="The best network plan")).to_be_visible()
    page.get_by_label(re.compile("carbon price")).fill("80")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("With carbon price 80 EUR/t")).to_be_visible()
    shoot(page, "14-network-plan")


def test_usable_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (("/", "10-phone-home"), ("/signup", "11-phone-signup"), ("/cases", None)):
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
    page.evaluate(axe_source)  # CDP evaluation: not an inline script the CSP blocks
    result = page.evaluate("async () => await axe.run(document)")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)


def _serious(page: Page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)  # CDP evaluation: not an inline script the CSP blocks
    result = page.evaluate("async () => await axe.run(document)")
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violations_on_signed_in_pages(
    tabs: Callable[[], Page], axe_source: str
) -> None:
    page = tabs()
    log_in(page, "company-admin@demo.sidestream.invalid", DEMO_PASSWORD)
    page.locator(".account-row a").first.click()
    organisation_url = page.url
    page.locator("a.card.link").first.click()
    expect(page.get_by_role("heading", name="Possible partners")).to_be_visible()
    urls = [page.url, organisation_url, organisation_url + "/streams/new", "/start", "/exchanges"]
    page.goto("/exchanges")
    exchange = page.locator("a[href^='/exchanges/']").first
    if exchange.count():
        urls.append(exchange.get_attribute("href") or "")
    for url in urls:
        page.goto(url)
        assert not _serious(page, axe_source), url
    log_in(page, "facilitator@demo.sidestream.invalid", DEMO_PASSWORD)
    for url in ("/region/pipeline", "/login", "/signup"):
        page.goto(url)
        assert not _serious(page, axe_source), url
