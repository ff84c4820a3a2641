"""A real browser (Debian chromium via Playwright) against the app served by uvicorn.

The app runs in a thread on a free localhost port, on a temporary SQLite database holding the
demo region. Map tiles are blocked, as on a machine without internet.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import Engine

from sidestream.api.app import create_app
from sidestream.db import make_engine, session_scope, upgrade
from sidestream.demo.builder import load_demo

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A temporary SQLite database holding the demo region (and its demo accounts)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_demo(session)
    yield engine
    engine.dispose()


@contextmanager
def serve_app(engine: Engine) -> Iterator[str]:
    """The app on ``engine`` served on a free localhost port in a thread; yields its address
    (also used by ``scripts/docs-screenshots.py``)."""
    port = _free_port()
    config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(demo_engine: Engine) -> Iterator[str]:
    """The address of the app on the demo region."""
    with serve_app(demo_engine) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium (installed by scripts/ensure-browser.sh when missing)."""
    subprocess.run([str(ROOT / "scripts" / "ensure-browser.sh")], check=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_tab(browser: Browser, base_url: str) -> tuple[BrowserContext, Page]:
    """A fresh desktop-sized tab with its own cookies; map tiles fail as they would offline."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return context, tab


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh tab of a visitor who is not signed in."""
    context, tab = new_tab(browser, base_url)
    yield tab
    context.close()


@pytest.fixture
def tabs(browser: Browser, base_url: str) -> Iterator[Callable[[], Page]]:
    """Opens tabs for several people at once (each with its own session)."""
    contexts: list[BrowserContext] = []

    def open_tab() -> Page:
        context, tab = new_tab(browser, base_url)
        contexts.append(context)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def sign_up(page: Page, email: str, password: str = "correct horse battery") -> None:
    """Create an account through the sign-up page (the visitor is on it)."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()


def log_in(page: Page, email: str, password: str) -> None:
    """Log in through the login page."""
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script from npm (installed by scripts/ensure-browser.sh)."""
    return (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def shoot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
