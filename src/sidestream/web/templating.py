"""The Jinja2 environment and page rendering in the visitor's language."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from sidestream.access import policy
from sidestream.access.deps import CSRF_COOKIE
from sidestream.impact import accounting
from sidestream.matching.knowledge import translated_use
from sidestream.matching.schemas import Reason
from sidestream.messages import N_
from sidestream.taxonomy.nace import format_nace, nace_title
from sidestream.web import i18n

TEMPLATES = Path(__file__).parent / "templates"


def gettext_functions(lang: str) -> dict[str, Any]:
    """New-style gettext callables for one language (placeholders filled after translating)."""
    catalogue = i18n.translations(lang)

    @pass_context
    def gettext(ctx: Context, message: str, **variables: Any) -> str:
        text = catalogue.gettext(message)
        if ctx.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables else text

    @pass_context
    def ngettext(ctx: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        text = catalogue.ngettext(singular, plural, n)
        if ctx.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


@pass_context
def _number(ctx: Context, value: float | None, digits: int = 0) -> str:
    return i18n.format_number(value, ctx["lang"], digits)


@pass_context
def _quantity(ctx: Context, value: float | None) -> str:
    return i18n.format_quantity(value, ctx["lang"])


@pass_context
def _amount_class(ctx: Context, text: str) -> str:
    """An anonymous stream's amount class in the page's language ("100–1.000 t om året")."""
    bounds = policy.quantity_class_range(text)
    if bounds is None:
        return text
    low, top, unit = bounds
    lang, per_year = ctx["lang"], ctx["_"](ctx, "per year")
    if low == 0:
        return f"< {i18n.format_number(top, lang)} {unit} {per_year}"
    return f"{i18n.format_number(low, lang)}–{i18n.format_number(top, lang)} {unit} {per_year}"


@pass_context
def _field(ctx: Context, typed: Any, stored: float | None) -> str:
    """A number field's value: what the user typed (sent back as typed when the form returns
    with a message), else the stored number written for editing in the page's language."""
    if isinstance(typed, str) and typed.strip():
        return typed
    return i18n.format_editable(stored, ctx["lang"])


@pass_context
def _share(ctx: Context, value: float) -> str:
    return i18n.format_share(value, ctx["lang"])


@pass_context
def _day(ctx: Context, value: Any) -> str:
    return i18n.format_day(value, ctx["lang"])


@pass_context
def _use(ctx: Context, text: str) -> str:
    return translated_use(text, ctx["lang"])


@pass_context
def _nace_title(ctx: Context, code: str) -> str:
    return nace_title(code, ctx["lang"])


@pass_context
def _reason(ctx: Context, reason: Reason) -> str:
    """What a match component saw, in the page's language (its phrases translated; English as
    the API writes it)."""
    lang = ctx["lang"]
    if not reason.phrases or lang == i18n.DEFAULT_LANGUAGE:
        return reason.detail
    catalogue = i18n.translations(lang)

    def number(value: float, spec: str) -> str:
        return i18n.format_by_spec(value, spec, lang)

    return "; ".join(p.render(catalogue.gettext, number, lang) for p in reason.phrases)


_POWER = re.compile(r"(?:\^|\*\*)([23])\b")


#: Units shown by a name in the page's language rather than as typed.
PALLET_PLACES = N_("pallet places")


@pass_context
def _unit(ctx: Context, text: str | None) -> str:
    """A unit as typed, with its squares and cubes written as such (``m^2`` -> ``m²``); the
    stream form's ``pallet`` (of a capacity) by its name in the page's language."""
    if text == "pallet":
        return i18n.translations(ctx["lang"]).gettext(PALLET_PLACES)
    return _POWER.sub(lambda m: "²" if m.group(1) == "2" else "³", text or "")


def _json_script(value: Any) -> Markup:
    """JSON safe to place inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@lru_cache
def environment() -> Environment:
    """The shared template environment (translations come with each render's context)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.filters.update(
        number=_number,
        quantity=_quantity,
        amount_class=_amount_class,
        share=_share,
        day=_day,
        reason=_reason,
        nace=format_nace,
        nace_title=_nace_title,
        use=_use,
        unit=_unit,
        json_script=_json_script,
    )
    env.globals["number_field"] = _field
    env.globals["valuation_notes"] = VALUATION_NOTES
    return env


#: What a page says for the impact accounting's warnings (which name API fields): the part of
#: the benefit left out, in the visitor's language. Others are shown as written, in English.
VALUATION_NOTES: dict[str, str] = {
    accounting.NOT_VALUED: N_(
        "What this use replaces has no emission factor here: that part is counted as 0."
    ),
    accounting.NO_SUBSTITUTE: N_(
        "What this stream would replace is not known: that part is counted as 0."
    ),
    accounting.NO_VIRGIN_PRICE: N_(
        "The price of what it replaces is not known: the purchase avoided is counted as 0."
    ),
    accounting.NO_HEATING_VALUE: N_(
        "The heating value of this fuel is not given: the fuel it replaces is counted as 0."
    ),
    accounting.NO_WASTE_CODE: N_(
        "No waste code: no disposal is counted as avoided. Give the code, or where it goes"
        " today, if it would otherwise be disposed of."
    ),
}


def language_links(request: Request) -> dict[str, str]:
    """The current page's address in each interface language. A page answering a form (a
    POST, whose address cannot be opened) links to the page the form was on, else home."""
    path, query = request.url.path, request.query_params.multi_items()
    if request.method != "GET":
        came_from = urlsplit(request.headers.get("referer", ""))
        same_site = (
            came_from.netloc == request.url.netloc
            and came_from.path.startswith("/")
            and not came_from.path.startswith(("//", "/\\"))  # a browser reads those as a host
        )
        path = came_from.path if same_site else "/"
        query = parse_qsl(came_from.query) if same_site else []
    kept = [(k, v) for k, v in query if k != "lang"]
    return {code: f"{path}?{urlencode([*kept, ('lang', code)])}" for code in i18n.LANGUAGES}


def page_context(request: Request) -> dict[str, Any]:
    """What every page's layout needs: language, translations, the signed-in user, CSRF token.

    The public hook for templates rendered outside this package (e.g. ``access.web``); the
    user and their organisations are those resolved by ``pages.common.page_viewer``.
    """
    lang = i18n.choose_language(request)
    return {
        "request": request,
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "language_links": language_links(request),
        "user_label": getattr(request.state, "user_label", None),
        "my_orgs": getattr(request.state, "organisations", []),
        "csrf_token": request.cookies.get(CSRF_COOKIE, ""),
        **gettext_functions(lang),
    }


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render ``template`` in the visitor's language; remembers an explicit ``?lang=`` choice."""
    html = environment().get_template(template).render(page_context(request) | (context or {}))
    return remember_language(request, HTMLResponse(html, status_code=status))


def remember_language(request: Request, response: HTMLResponse) -> HTMLResponse:
    """``response`` with a cookie remembering the page's explicit ``?lang=`` choice, so that
    the next page (a form's answer, the page after logging in) speaks it too."""
    if request.query_params.get("lang") in i18n.LANGUAGES:
        lang = str(request.query_params["lang"])
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
