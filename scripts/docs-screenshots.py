#!/usr/bin/env python
"""Make the screenshots of the user guides (``docs/img/*.jpg``) from the demo region.

    .venv/bin/python scripts/docs-screenshots.py [--out DIR] [--only NAME ...]

Builds the demo region (as ``sidestream demo`` does) into a temporary SQLite database, adds a
short story of introductions and exchanges with fixed dates, serves the app on a free localhost
port and photographs the pages in Debian's chromium, set up as in the browser tests
(``tests/e2e/conftest.py``), at 1280×800 pixels. The demo accounts log in through the login
page. Exits non-zero when a page answers with an error or lacks what it should show.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from sidestream.access import service as access
from sidestream.access.demo import DEMO_PASSWORD
from sidestream.access.models import Membership
from sidestream.access.policy import Viewer
from sidestream.db import make_engine, session_scope, upgrade
from sidestream.demo.builder import load_demo
from sidestream.exchanges import service as exchanges
from sidestream.exchanges.models import Delivery, Exchange, Introduction
from sidestream.exchanges.schemas import (
    Answer,
    DeliveryAnswer,
    DeliveryCreate,
    ExchangeUpdate,
    IntroductionCreate,
    Stage,
)
from sidestream.registry.models import Network, Organisation, Stream

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The browser set-up and the login steps of the end-to-end tests.
e2e = importlib.import_module("tests.e2e.conftest")

VIEWPORT = {"width": 1280, "height": 800}
QUALITY = 80
MAX_BYTES = 250_000

COMPANY = "ARGO I/S"  # the company of the demo accounts company-admin@ and member@
COMPANY_ADMIN = "company-admin@demo.sidestream.invalid"
MEMBER = "member@demo.sidestream.invalid"
FACILITATOR = "facilitator@demo.sidestream.invalid"
NETWORK = "Kalundborg Symbiosis"  # the network the demo facilitator follows


class ShotError(RuntimeError):
    """A page did not load or did not show what its screenshot is for."""


# --- the demo region and a story of introductions and exchanges ------------------------------


#: The day the demo streams count as registered.
REGISTERED = date(2025, 6, 2)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


@dataclass
class Story:
    """Introductions and exchanges among demo companies, dated as if they had happened."""

    session: Session

    def viewer(self, org: str) -> Viewer:
        """A demo account acting for ``org`` (one is made for companies that have none)."""
        if org == COMPANY:
            user = access.find_user(self.session, COMPANY_ADMIN)
        else:
            ascii_name = org.lower().translate(str.maketrans({"ø": "o", "æ": "ae", "å": "a"}))
            slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())
            email = f"{slug}@demo.sidestream.invalid"
            user = access.find_user(self.session, email)
            if user is None:
                user = access.create_user(self.session, email, DEMO_PASSWORD)
                org_id = self.session.scalar(
                    select(Organisation.id).where(Organisation.name == org)
                )
                self.session.add(
                    Membership(
                        user_id=user.id,
                        organisation_id=org_id,
                        role="admin",
                        accepted_at=datetime.now(UTC),
                    )
                )
                self.session.flush()
                self.session.refresh(user)
        assert user is not None
        return access.viewer_for_user(self.session, user, actor=f"user:{user.id}")

    def stream(self, org: str, title: str) -> int:
        stream_id = self.session.scalar(
            select(Stream.id)
            .join(Organisation, Stream.organisation_id == Organisation.id)
            .where(Organisation.name == org, Stream.title == title)
        )
        if stream_id is None:
            raise ShotError(f"the demo data has no stream {title!r} of {org}")
        return stream_id

    def ask(
        self, by: str, offer: tuple[str, str], need: tuple[str, str], on: date, message: str
    ) -> Introduction:
        data = IntroductionCreate(
            offer_stream_id=self.stream(*offer), need_stream_id=self.stream(*need), message=message
        )
        intro = exchanges.request_introduction(self.session, self.viewer(by), data)
        intro.created_at = _at(on)
        return intro

    def accept(self, by: str, intro: Introduction, on: date) -> Exchange:
        exchanges.decide_introduction(self.session, self.viewer(by), intro.id, accept=True)
        intro.decided_at = _at(on)
        ex = self.session.scalars(
            select(Exchange).where(Exchange.introduction_id == intro.id)
        ).one()
        ex.created_at = _at(on)
        self.session.flush()
        return ex

    def move(self, by: str, ex: Exchange, stage: Stage, on: date, **fields: object) -> None:
        self.session.refresh(ex)
        update = ExchangeUpdate(version=ex.version, status=stage, **fields)  # type: ignore[arg-type]
        exchanges.update_exchange(self.session, self.viewer(by), ex.id, update)
        if stage == Stage.active:
            ex.started_on = on
        if stage in (Stage.ended, Stage.failed):
            ex.ended_on = on
        self.session.flush()

    def deliver(self, by: str, ex: Exchange, on: date, tonnes: float, document: str) -> int:
        data = DeliveryCreate(delivered_on=on, quantity=tonnes, unit="t", document_ref=document)
        return exchanges.record_delivery(self.session, self.viewer(by), ex.id, data).id

    def confirm(self, by: str, ex: Exchange, delivery_id: int, on: date) -> None:
        version = self.session.get(Delivery, delivery_id).version  # type: ignore[union-attr]
        answer = DeliveryAnswer(answer=Answer.confirmed, version=version)
        exchanges.answer_delivery(self.session, self.viewer(by), ex.id, delivery_id, answer)
        self.session.get(Delivery, delivery_id).answered_at = _at(on)  # type: ignore[union-attr]


def add_story(session: Session) -> None:
    """What the screenshots of introductions, exchanges, pipeline and report show."""
    story = Story(session)
    textiles = (COMPANY, "Kasserede tekstiler fra genbrugspladser")
    rdf = (COMPANY, "Refuse-derived fuel from sorted commercial waste")

    # ARGO's textiles go to a recycler: accepted, agreed, deliveries running over two years.
    intro = story.ask(
        COMPANY,
        textiles,
        ("Really ApS", "End-of-life cotton/wool textiles"),
        date(2025, 8, 18),
        "We collect about 400 t a year of worn textiles at our recycling centres.",
    )
    ex = story.accept("Really ApS", intro, date(2025, 8, 21))
    story.move("Really ApS", ex, Stage.negotiating, date(2025, 8, 21))
    terms = {
        "agreed_quantity": 360,
        "agreed_unit": "t",
        "agreed_period": "per-year",
        "agreed_price_eur_per_unit": 25,
    }
    story.move("Really ApS", ex, Stage.agreed, date(2025, 9, 15), **terms)
    story.move(COMPANY, ex, Stage.agreed, date(2025, 9, 16))  # both companies agree
    story.move(COMPANY, ex, Stage.active, date(2025, 10, 1))
    for day, tonnes, document in [
        (date(2025, 10, 14), 28.4, "ARGO-WTN-2025-1187"),
        (date(2025, 11, 18), 31.2, "ARGO-WTN-2025-1342"),
        (date(2025, 12, 16), 26.9, "ARGO-WTN-2025-1519"),
        (date(2026, 1, 20), 33.5, "ARGO-WTN-2026-0061"),
        (date(2026, 2, 17), 30.1, "ARGO-WTN-2026-0214"),
    ]:
        delivery = story.deliver(COMPANY, ex, day, tonnes, document)
        if day < date(2026, 2, 1):  # the recycler confirms what it weighed in; the last awaits
            story.confirm("Really ApS", ex, delivery, day.replace(day=day.day + 3))

    # Refuse-derived fuel for a biomass boiler: accepted, then stopped by its permit.
    intro = story.ask(
        COMPANY,
        rdf,
        ("Ørsted Asnæs Power Station", "Træflis og savværksrester til biomassekedlen"),
        date(2025, 9, 2),
        "Could part of our refuse-derived fuel replace wood chips in your boiler?",
    )
    ex = story.accept("Ørsted Asnæs Power Station", intro, date(2025, 9, 4))
    story.move("Ørsted Asnæs Power Station", ex, Stage.negotiating, date(2025, 9, 4))
    story.move(
        "Ørsted Asnæs Power Station",
        ex,
        Stage.failed,
        date(2025, 10, 6),
        failure_reason="regulatory",
        failure_note="The boiler's permit covers clean wood only, not waste-derived fuel.",
    )

    # Gypsum and fermentation residues between other members of the network.
    intro = story.ask(
        "Saint-Gobain Gyproc Danmark",
        ("Ørsted Asnæs Power Station", "FGD gypsum from flue-gas desulphurisation"),
        ("Saint-Gobain Gyproc Danmark", "FGD gypsum to replace natural gypsum"),
        date(2025, 11, 3),
        "We would like to renew the gypsum supply for the next five years.",
    )
    ex = story.accept("Ørsted Asnæs Power Station", intro, date(2025, 11, 5))
    story.move("Saint-Gobain Gyproc Danmark", ex, Stage.negotiating, date(2025, 11, 5))
    story.move(
        "Saint-Gobain Gyproc Danmark",
        ex,
        Stage.agreed,
        date(2026, 1, 12),
        agreed_quantity=150_000,
        agreed_unit="t",
        agreed_period="per-year",
        agreed_price_eur_per_unit=4,
    )
    story.move("Ørsted Asnæs Power Station", ex, Stage.agreed, date(2026, 1, 13))
    intro = story.ask(
        "Kalundborg Bioenergi",
        (
            "Novo Nordisk Kalundborg",
            "Fermentation biomass (inactivated yeast slurry) from insulin production",
        ),
        ("Kalundborg Bioenergi", "Fermentation residues from pharmaceutical production"),
        date(2026, 1, 26),
        "Our digesters have room for more yeast slurry from spring.",
    )
    ex = story.accept("Novo Nordisk Kalundborg", intro, date(2026, 1, 29))
    story.move("Kalundborg Bioenergi", ex, Stage.negotiating, date(2026, 1, 29))

    # A cement works asks ARGO for fuel: waiting for ARGO's answer.
    story.ask(
        "Aalborg Portland",
        rdf,
        ("Aalborg Portland", "Alternative fuels (RDF/SRF)"),
        date(2026, 2, 9),
        "We can take up to 30,000 t a year of RDF for the kilns.",
    )


def build_demo(path: Path) -> Engine:
    """The demo region with its accounts and the story, in a new SQLite database."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_demo(session)
        # "Registered" dates shown on the pages: fixed, so that a rerun draws the same images
        session.execute(update(Stream).values(created_at=_at(REGISTERED)))
    with session_scope(engine) as session:
        add_story(session)
    return engine


# --- pages ----------------------------------------------------------------------------------


@dataclass
class Shots:
    """Signed-in tabs, where the images go, and the ids the pages need."""

    browser: Browser
    base_url: str
    out: Path
    ids: dict[str, int]
    tabs: dict[str, Page]
    written: list[Path]

    def tab(self, who: str) -> Page:
        """A tab of ``who``: a demo account, logged in the first time, or a visitor."""
        if who not in self.tabs:
            context = self.browser.new_context(
                base_url=self.base_url,
                viewport=VIEWPORT,  # type: ignore[arg-type]
                device_scale_factor=1,
                locale="en-US",
                timezone_id="Europe/Copenhagen",
            )
            context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(60_000)
            if "@" in who:
                e2e.log_in(page, who, DEMO_PASSWORD)
                page.wait_for_load_state("networkidle")
                if "/login" in page.url:
                    raise ShotError(f"{who} could not log in")
            self.tabs[who] = page
        return self.tabs[who]

    def visit(self, who: str, path: str, expect: str) -> Page:
        """Open ``path`` as ``who``; ``expect`` is a selector that must become visible."""
        page = self.tab(who)
        response = page.goto(path)
        if response is None or response.status >= 400:
            status = response.status if response else "no response"
            raise ShotError(f"{path} as {who}: HTTP {status}")
        page.wait_for_load_state("networkidle")
        try:
            page.locator(expect).first.wait_for(state="visible", timeout=15_000)
        except PlaywrightError:
            raise ShotError(f"{path} as {who}: {expect!r} not shown (at {page.url})") from None
        return page

    def save(
        self,
        page: Page,
        name: str,
        top: str | None = None,
        bottom: str | None = None,
        full_page: bool = False,
        pad: int = 16,
    ) -> None:
        """A JPEG of the page from ``top`` (a selector; else the page's top) down to the end
        of ``bottom`` (a selector) plus ``pad`` pixels, the page's end (``full_page``) or one
        screen (800 px)."""
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        height = page.evaluate("document.documentElement.scrollHeight")
        y0 = max(_edge(page, top, "top") - 16, 0) if top else 0
        if full_page:
            y1 = height
        elif bottom:
            y1 = _edge(page, bottom, "bottom") + pad
        else:
            y1 = y0 + VIEWPORT["height"]
        clip = {"x": 0, "y": y0, "width": VIEWPORT["width"], "height": min(y1, height) - y0}
        path = self.out / name
        for quality in (QUALITY, 70, 60, 50):
            page.screenshot(path=str(path), type="jpeg", quality=quality, full_page=True, clip=clip)
            if path.stat().st_size <= MAX_BYTES:
                break
        kb = f"{path.stat().st_size / 1000:.0f} KB"
        print(f"wrote {_show(path)}  {clip['width']}×{clip['height']:.0f} px  {kb}", flush=True)
        self.written.append(path)


def _edge(page: Page, selector: str, side: str) -> float:
    """Where the ``side`` ("top" or "bottom") of the first ``selector`` is on the page."""
    locator = page.locator(selector).first
    if not locator.count():
        raise ShotError(f"{page.url}: nothing matches {selector!r}")
    script = "(el, side) => el.getBoundingClientRect()[side] + window.scrollY"
    return float(locator.evaluate(script, side))


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def stream_form(s: Shots) -> None:
    page = s.visit(MEMBER, f"/organisations/{s.ids['company']}/streams/new", "#description")
    page.locator("label[for=direction-offer]").click()
    page.locator("#description").fill(
        "Wood chips and sawdust from our sawmill, about 35 % moisture"
    )
    try:  # the first suggestion loads the classifier
        page.locator("#suggestions input[name=waste_code]").first.wait_for(timeout=60_000)
    except PlaywrightError:
        raise ShotError("the stream form suggested no code") from None
    page.wait_for_load_state("networkidle")
    s.save(page, "stream-form.jpg", top="ol.steps", bottom="#suggestions")


def stream_matches(s: Shots) -> None:
    page = s.visit(MEMBER, f"/streams/{s.ids['textiles']}", "article.match")
    s.save(page, "stream-matches.jpg", bottom="article.match")


def stream_who_could_use(s: Shots) -> None:
    page = s.visit("visitor", f"/streams/{s.ids['gypsum']}", "#sectors-h")
    s.save(page, "stream-who-could-use.jpg", top="#matches-h", bottom="aside > .card >> nth=1")


def stream_heat_pump(s: Shots) -> None:
    page = s.visit("visitor", f"/streams/{s.ids['heat']}", "#sectors-h")
    s.save(page, "stream-heat-pump.jpg", top="h1", bottom="aside > .card >> nth=4")


def exchanges_list(s: Shots) -> None:
    page = s.visit(MEMBER, "/exchanges", "#incoming-h ~ article")
    s.save(page, "exchanges.jpg", full_page=True)


def exchange_page(s: Shots) -> None:
    page = s.visit(MEMBER, f"/exchanges/{s.ids['exchange']}", "td:has-text('ARGO-WTN')")
    s.save(page, "exchange.jpg", full_page=True)


def cases(s: Shots) -> None:
    page = s.visit("visitor", "/cases?q=gypsum", "table tbody tr")
    s.save(page, "cases.jpg", full_page=True)


def region(s: Shots) -> None:
    page = s.visit(FACILITATOR, "/region", "#indicator-chart")
    s.save(page, "region.jpg", bottom="#indicators-h ~ .grid-2")


def network_plan(s: Shots) -> None:
    page = s.visit(FACILITATOR, "/region/optimise", "#carbon_price")
    page.locator("#carbon_price").fill("80")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**carbon_price=80**")
    page.wait_for_load_state("networkidle")
    if not page.get_by_text("With carbon price 80").first.is_visible():
        raise ShotError("the network plan shows no carbon price scenario")
    s.save(page, "network-plan.jpg", bottom="table tbody tr >> nth=2", pad=1)


def pipeline(s: Shots) -> None:
    page = s.visit(FACILITATOR, f"/region/pipeline?network={s.ids['network']}", "div.pipeline")
    s.save(page, "pipeline.jpg", full_page=True)


def report(s: Shots) -> None:
    path = f"/region?network={s.ids['network']}"
    page = s.visit(FACILITATOR, path, "h2:has-text('Realised and potential')")
    realised = "div.card:has(th:has-text('Potential per year'))"
    s.save(page, "report.jpg", top="h2:has-text('Opportunity pipeline')", bottom=realised)


def login_da(s: Shots) -> None:
    page = s.visit("visitor-da", "/login", "#email")
    page.locator("a[hreflang=da]").click()
    page.wait_for_load_state("networkidle")
    if page.locator("html").get_attribute("lang") != "da":
        raise ShotError("the DA link did not switch the login page to Danish")
    page.get_by_label("Adgangskode").wait_for()
    s.save(page, "login-da.jpg", bottom="main .card")


SHOTS: dict[str, Callable[[Shots], None]] = {
    "stream-form.jpg": stream_form,
    "stream-matches.jpg": stream_matches,
    "stream-who-could-use.jpg": stream_who_could_use,
    "stream-heat-pump.jpg": stream_heat_pump,
    "exchanges.jpg": exchanges_list,
    "exchange.jpg": exchange_page,
    "cases.jpg": cases,
    "region.jpg": region,
    "network-plan.jpg": network_plan,
    "pipeline.jpg": pipeline,
    "report.jpg": report,
    "login-da.jpg": login_da,
}


def _ids(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        story = Story(session)
        textiles = story.stream(COMPANY, "Kasserede tekstiler fra genbrugspladser")
        exchange = session.scalar(select(Exchange.id).where(Exchange.offer_stream_id == textiles))
        return {
            "company": session.scalar(select(Organisation.id).where(Organisation.name == COMPANY)),
            "network": session.scalar(select(Network.id).where(Network.name == NETWORK)),
            "textiles": textiles,
            "gypsum": story.stream(
                "Ørsted Asnæs Power Station", "FGD gypsum from flue-gas desulphurisation"
            ),
            "exchange": exchange,
            "heat": story.stream(
                "Novo Nordisk Kalundborg", "Surplus heat from cooling and waste water"
            ),
        }  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="target folder")
    parser.add_argument("--only", nargs="+", choices=sorted(SHOTS), help="just these images")
    args = parser.parse_args()
    if not Path(e2e.CHROMIUM).exists():
        print(f"error: no {e2e.CHROMIUM}; run scripts/ensure-browser.sh", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    written: list[Path] = []
    try:
        with tempfile.TemporaryDirectory(prefix="sidestream-shots-") as tmp:
            print("building the demo region ...", flush=True)
            engine = build_demo(Path(tmp) / "demo.db")
            try:
                take(engine, args.out, args.only, written)
            finally:
                engine.dispose()
    except (RuntimeError, PlaywrightError) as exc:  # ShotError, or the app did not start
        name = Path(written[-1]).name if written else "-"
        print(f"error: {exc} (last image written: {name})", file=sys.stderr)
        return 1
    print(f"{len(written)} screenshots in {time.monotonic() - started:.0f} s")
    return 0


def take(engine: Engine, out: Path, only: list[str] | None, written: list[Path]) -> None:
    """Serve the app on ``engine`` and take the screenshots (``only`` these, if given)."""
    with e2e.serve_app(engine) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=e2e.CHROMIUM, args=e2e.CHROMIUM_ARGS)
        shots = Shots(browser, base_url, out, _ids(engine), {}, written)
        try:
            for name, shoot in SHOTS.items():
                if not only or name in only:
                    try:
                        shoot(shots)
                    except PlaywrightError as exc:
                        raise ShotError(f"{name}: {exc.message.splitlines()[0]}") from None
                    except ShotError as exc:
                        raise ShotError(f"{name}: {exc}") from None
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
