"""The web app's router and static files, mounted by ``sidestream.api.app``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from sidestream.web.pages import cases, company, exchanges, home, region, streams, team

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)
for _page in (home, company, team, streams, exchanges, cases, region):
    router.include_router(_page.router)


def static_files() -> StaticFiles:
    """The stylesheet, scripts and vendored libraries under ``/static``."""
    return StaticFiles(directory=STATIC_DIR)
