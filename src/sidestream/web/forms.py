"""Turning posted forms into schema input and schema errors into messages beside each field.

The rules themselves live in the registry's Pydantic schemas and services; this module only
translates between the HTML form and them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from sidestream.errors import InvalidInput
from sidestream.messages import N_
from sidestream.web.i18n import format_editable, parse_number

#: Localisable messages for the common Pydantic error types; others keep their own text.
_MESSAGES: dict[str, str] = {
    "missing": N_("Please fill this in."),
    "string_too_short": N_("Please fill this in."),
    "string_too_long": N_("This is too long (at most %(max_length)s characters)."),
    "float_parsing": N_("Please enter a number, for example 12.5."),
    "float_type": N_("Please enter a number, for example 12.5."),
    "finite_number": N_("Please enter a number, for example 12.5."),
    "greater_than": N_("Must be more than %(gt)s."),
    "int_parsing": N_("Please enter a whole number."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "enum": N_("Please choose one of the options."),
    "date_from_datetime_parsing": N_("Please enter a date as YYYY-MM-DD."),
    "date_parsing": N_("Please enter a date as YYYY-MM-DD."),
    "string_pattern_mismatch": N_("This does not have the expected form."),
}

Gettext = Callable[[str], str]

#: The validators' and services' messages (English, built with the value at fault) as a page
#: shows them in its language: the message's shape and the template that says it. A test
#: builds each message with the real validator, so a reworded one is noticed.
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"unknown unit '(?P<v>.*)'", N_("'%(v)s' is not a unit we know (use e.g. t, m3, MWh).")),
        (r"'(?P<v>.*)' is not in the European List of Waste",
         N_("'%(v)s' is not in the European List of Waste.")),
        (r"'(?P<v>.*)' is not a six-digit List of Waste code.*",
         N_("'%(v)s' is not a six-digit waste code (e.g. 02 02 04).")),
        (r"lat and lon must be given together",
         N_("Give both latitude and longitude, or neither.")),
        (r"unit is required when quantity is given", N_("Please choose a unit for the quantity.")),
        (r"available_to is before available_from",
         N_("The end of the availability is before its start.")),
        (r"'(?P<v>.*)' is not a NACE Rev\. 2 or 2\.1 code.*",
         N_("'%(v)s' is not a NACE code (e.g. 10.51).")),
        (r"(?:delivered_on: )?(?P<v>\S+) is in the future.*",
         N_("%(v)s is in the future: record a delivery once it is made.")),
        (r"(?:delivered_on: )?(?P<v>\S+) is before (?P<w>\S+)", N_("%(v)s is before %(w)s.")),
        (r"(?:\w+: )?'(?P<v>.*)' is no unit of an amount.*",
         N_("'%(v)s' is no amount (use e.g. t, kg, m3, MWh; not a rate).")),
        (r"'(?P<v>.*)' converts to (?P<w>\S+) only with a density.*",
         N_("'%(v)s' converts to %(w)s only when the density (kg/m3) is stated.")),
        (r"'(?P<v>.*)' cannot be expressed in (?P<w>[^:\s]+).*",
         N_("'%(v)s' cannot be converted to %(w)s.")),
        (r"'(?P<v>.*)' is how reports name an undisclosed party.*",
         N_("'%(v)s' is what reports call a company they may not show: choose another name.")),
        (r"'(?P<v>.*)' is not an e-mail address", N_("'%(v)s' is not an e-mail address.")),
        (r"'(?P<v>.*)' is already recorded on this exchange \(delivered (?P<w>[^)]+)\).*",
         N_("'%(v)s' is already recorded on this exchange (delivered %(w)s): one delivery note,"
            " one delivery.")),
        (r"the stream is a side of exchange (?P<v>\d+): its direction cannot change.*",
         N_("The stream is part of exchange %(v)s: offer or need cannot change (list a new "
            "stream instead).")),
        (r"the stream is a side of exchange (?P<v>\d+): its kind cannot change.*",
         N_("The stream is part of exchange %(v)s: its kind cannot change (list a new stream "
            "instead).")),
    )
)  # fmt: skip


def translated(message: str, gettext: Gettext) -> str:
    """A validator's or service's message in the page's language: by its shape (``_SHAPES``),
    else as a fixed message marked for translation, else as it is."""
    text = message.removeprefix("Value error, ")
    for shape, template in _SHAPES:
        found = shape.fullmatch(text)
        if found:
            return gettext(template) % found.groupdict()
    return gettext(text)


def clean(form: Mapping[str, Any], numbers: Iterable[str], lang: str) -> dict[str, Any]:
    """Form values with blanks as ``None`` and the ``numbers`` fields read in ``lang``."""
    out: dict[str, Any] = {}
    number_fields = set(numbers)
    for key, value in form.items():
        text = value.strip() if isinstance(value, str) else value
        if text in ("", None):
            out[key] = None
        elif key in number_fields:
            out[key] = parse_number(text, lang)
        else:
            out[key] = text
    return out


def read_number(
    text: str, lang: str, low: float | None, high: float | None, gettext: Gettext
) -> tuple[float | None, str | None]:
    """A number field typed in ``lang`` as a finite number within ``low``..``high`` (either
    bound may be None), or the message to show beside the field."""
    try:
        number = float(parse_number(text, lang))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return None, gettext(_MESSAGES["float_parsing"])
    below, above = low is not None and number < low, high is not None and number > high
    if not (below or above):
        return number, None
    low_text, high_text = (format_editable(x, lang, grouping=True) for x in (low, high))
    if low is not None and high is not None:
        message = gettext(N_("Must be between %(low)s and %(high)s."))
        return None, message % {"low": low_text, "high": high_text}
    if below:
        return None, gettext(_MESSAGES["greater_than_equal"]) % {"ge": low_text}
    return None, gettext(_MESSAGES["less_than_equal"]) % {"le": high_text}


def field_errors(
    exc: ValidationError | InvalidInput, fields: Iterable[str], gettext: Gettext, lang: str
) -> dict[str, str]:
    """One message per form field, in ``lang`` where the rule is a common one (its limits
    written as ``lang`` writes numbers); a whole-form rule goes beside the first field it
    names."""
    known = list(fields)
    errors: dict[str, str] = {}
    if isinstance(exc, InvalidInput):
        for e in exc.errors:
            errors.setdefault(_field_of(e.field, e.message, known), translated(e.message, gettext))
        return errors
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        name = next((part for part in loc if part in known), "")  # else the field it names:
        name = name or _field_of("", str(err["msg"]), known)  # found in the English wording
        errors.setdefault(name, _message(err, gettext, lang))
    return errors


def _message(err: Any, gettext: Gettext, lang: str) -> str:
    template = _MESSAGES.get(err["type"])
    if template is None:
        return translated(str(err["msg"]), gettext)
    limits = {
        k: format_editable(v, lang, grouping=True) if isinstance(v, int | float) else v
        for k, v in (err.get("ctx") or {}).items()
    }
    return gettext(template) % limits if "%(" in template else gettext(template)


def _field_of(field: str, message: str, known: list[str]) -> str:
    """``field`` when the form has it, else the first form field the message names."""
    if field in known:
        return field
    words = message.replace(",", " ").split()
    return next((w for w in words if w in known), "__all__")
