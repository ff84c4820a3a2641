"""Languages of the interface: gettext catalogues, language choice and localised formatting."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.numbers import NumberFormatError, format_decimal, format_percent, parse_decimal
from babel.support import NullTranslations, Translations
from fastapi import Request

from sidestream.registry.schemas import COUNTRIES

#: Interface languages, each named in itself.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "da": "Dansk",
    "sv": "Svenska",
    "nb": "Norsk bokmål",
    "sl": "Slovenščina",
}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
COOKIE = "lang"


@lru_cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English returns the message ids)."""
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def choose_language(request: Request) -> str:
    """The language asked for: ``?lang=``, then the cookie, then the browser's preference."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    accepted = [
        part.split(";")[0].strip().replace("-", "_")
        for part in request.headers.get("accept-language", "").split(",")
        if part.strip()
    ]
    try:
        best = Locale.negotiate(accepted, list(LANGUAGES), sep="_")
    except (UnknownLocaleError, ValueError):
        best = None
    return str(best) if best else DEFAULT_LANGUAGE


def format_number(value: float | None, lang: str, digits: int = 0, grouping: bool = True) -> str:
    """A number with the decimal sign (and the grouping) of ``lang``; empty for ``None``."""
    if value is None:
        return ""
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang)


def format_quantity(value: float | None, lang: str) -> str:
    """An amount with the decimals it needs to be read right (``0,4``, ``12,5``, ``1.234``):
    three below 1, two below 10, one below 100, none above, trailing zeros left out; an amount
    too small for that is "< 0,001" (never "0" or "-0"); empty for ``None``."""
    if value is None:
        return ""
    size = abs(value)
    decimals = "" if size >= 100 else ".#" if size >= 10 else ".##" if size >= 1 else ".###"
    text = format_decimal(value, format="#,##0" + decimals, locale=lang)
    if size and not any(c in "123456789" for c in text):  # 0.0004 t is not nothing
        return f"< {format_decimal(0.001, format='0.###', locale=lang)}"
    return text


def format_editable(value: float | None, lang: str, grouping: bool = False) -> str:
    """A stored number as a form field shows it for editing in ``lang``: its decimal sign, no
    grouping, every digit of the number (``2,125`` in Danish; ``0,00000000001``), so that
    sending the field back unchanged reads the same number; empty for ``None``. ``grouping``:
    for a message, not a field ("at most 1.000.000.000.000")."""
    if value is None:
        return ""
    exact = Decimal(repr(float(value))) + 0  # + 0: -0.0 is 0
    pattern = "#,##0.#" if grouping else "0.#"
    return format_decimal(exact, format=pattern, locale=lang, decimal_quantization=False)


@lru_cache
def country_names(lang: str) -> tuple[tuple[str, str], ...]:
    """``(ISO code, name in lang)`` of every country an organisation may give, by name."""
    names = Locale.parse(lang).territories
    return tuple(sorted(((c, names.get(c, c)) for c in COUNTRIES), key=lambda x: x[1]))


def format_by_spec(value: float, spec: str, lang: str) -> str:
    """A number written by a Python format spec (``'.2f'``, ``',.0f'``, ``'.0%'``) the way
    ``lang`` writes numbers (``0,58`` and ``29.550`` in Danish)."""
    found = re.fullmatch(r"(,?)\.(\d+)([f%])", spec)
    if not found:
        return format(value, spec)
    grouping, digits, style = found.groups()
    if style == "f":
        return format_number(value, lang, int(digits), grouping=bool(grouping))
    if not int(digits):  # whole percentages as the language writes them ('100 %' in Danish)
        return format_share(value, lang)
    pattern = Locale.parse(lang).percent_formats[None].pattern  # '#,##0\xa0%' in Danish
    decimals = re.sub(r"0(?=[^0-9]*%)", "0." + "0" * int(digits), pattern, count=1)
    return format_percent(value, format=decimals, locale=lang)


def format_share(value: float, lang: str) -> str:
    """A fraction 0..1 as a whole percentage in ``lang``."""
    return format_percent(value, locale=lang)


def format_day(value: date | datetime | None, lang: str) -> str:
    """A date in the medium style of ``lang``; empty for ``None``."""
    return _format_date(value, format="medium", locale=lang) if value else ""


def parse_number(text: str, lang: str) -> str:
    """A number typed the way ``lang`` writes it (``12,5`` in Danish) as ``'12.5'``.

    Text that is not a number comes back unchanged, so validation can name the field.
    """
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    for locale in (lang, DEFAULT_LANGUAGE):
        try:
            return str(parse_decimal(raw, locale=locale, strict=True))
        except NumberFormatError:
            continue
    return text.strip()
