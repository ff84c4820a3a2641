"""The Content-Security-Policy in force breaks nothing: map, chart, htmx and the selects work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sidestream.access.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

# Records every violation, including ones the console might word differently.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _violations(page: Page, console: list[str]) -> list[str]:
    blocked = [m for m in console if "Content Security Policy" in m]
    return blocked + page.evaluate("window.__csp || []")


def test_region_and_pipeline_work_under_the_csp(page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, "admin@demo.sidestream.invalid", DEMO_PASSWORD)  # sees every pipeline

    response = page.goto("/region/pipeline")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    select = page.locator("select#network")
    first, second = select.locator("option").nth(0), select.locator("option").nth(1)
    expect(first).to_be_attached()
    expect(second).to_be_attached()  # the platform admin follows several networks
    chosen = second.get_attribute("value")
    select.select_option(chosen)
    page.get_by_role("button", name="Show", exact=True).click()  # the choice waits for it
    expect(page).to_have_url(re.compile(rf"/region/pipeline\?network={chosen}$"))
    assert not _violations(page, console), console

    page.get_by_role("link", name=re.compile("Map, flows and indicators")).click()
    expect(page.locator("#region-map")).to_have_attribute("data-markers", re.compile(r"\d+"))
    assert page.evaluate("document.getElementById('indicator-chart').width") > 0  # Chart.js
    assert page.evaluate("typeof htmx") == "object"
    other = page.locator("select#network option").nth(1).get_attribute("value")
    assert other and other != chosen
    page.locator("select#network").select_option(other)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/region\?network={other}$"))
    expect(page.locator("#region-map")).to_have_attribute("data-markers", re.compile(r"\d+"))
    page.wait_for_load_state("networkidle")
    assert not _violations(page, console), console


def test_the_api_reference_renders_offline_under_the_csp(page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(RECORD_VIOLATIONS)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if "127.0.0.1" not in r.url else None)
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible()  # operations drawn from the schema
    expect(page.get_by_text("/api/v1/streams").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not _violations(page, console), console
    assert not outside, outside  # nothing from a CDN
