"""The case library page."""

from __future__ import annotations

from babel import Locale
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sidestream.web.case_library import all_cases, divisions, read_query, search
from sidestream.web.i18n import choose_language
from sidestream.web.pages.common import PageViewer, SessionDep
from sidestream.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


@router.get("/cases", response_class=HTMLResponse)
def cases(
    request: Request,
    session: SessionDep,
    viewer: PageViewer,
    q: str = "",
    sector: str = "",
    country: str = "",
) -> HTMLResponse:
    """Documented symbioses, searchable by material, sector and country."""
    everything = all_cases(session, viewer)
    found = search(everything, q, sector, country, read_query(q))
    lang = choose_language(request)
    territories = Locale.parse(lang).territories
    countries = {c: territories.get(c, c) for c in {case.country for case in everything} if c}
    context = {
        "cases": found[:PAGE_SIZE],
        "total": len(found),
        "q": q,
        "sector": sector,
        "country": country,
        "sectors": divisions(everything, lang),
        "countries": dict(sorted(countries.items(), key=lambda kv: kv[1])),
    }
    template = "cases/_results.html" if request.headers.get("hx-request") else "cases/index.html"
    return render(request, template, context)
