"""Phrases shown to users that the web interface translates.

The engines write what they saw as :class:`Phrase` objects: an English template marked with
:func:`N_` for the message catalogue (``scripts/web-i18n.sh`` extracts it) and the values to
put in it. The API and the command line show the English text; the web pages translate the
template and format the numbers the way the visitor's language writes them.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from numbers import Real
from typing import NamedTuple

from sidestream.taxonomy.nace import nace_title


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message


#: How a number is written: (value, format spec such as '.2f' or ',.0f') -> text.
NumberFormat = Callable[[float, str], str]

#: Format specs a :data:`NumberFormat` writes; any other spec is Python's.
_NUMBER_SPEC = frozenset("f%")


class _Formatter(string.Formatter):
    def __init__(self, number: NumberFormat) -> None:
        self.number = number

    def format_field(self, value: object, format_spec: str) -> str:
        if (
            isinstance(value, Real)
            and not isinstance(value, bool)
            and format_spec[-1:] in _NUMBER_SPEC
            and "." in format_spec
            and math.isfinite(float(value))
        ):
            return self.number(float(value), format_spec)
        return super().format_field(value, format_spec)


class Phrase(NamedTuple):
    """An English template (``str.format`` fields) and its values. ``translated``: the values
    that are themselves catalogue messages (a kind's name); ``titled``: the values that are NACE
    codes, written as their titles; ``uses``: typical uses of the knowledge base's patterns."""

    template: str
    values: Mapping[str, str | int | float] = {}
    translated: tuple[str, ...] = ()
    titled: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()

    def render(
        self,
        gettext: Callable[[str], str] = str,
        number: NumberFormat | None = None,
        lang: str = "en",
    ) -> str:
        """The phrase in a language (``gettext``, NACE titles in ``lang``); ``number`` writes its
        numbers (else Python's formatting, as in English)."""
        values = self._values_in(gettext, lang) if self.localised else self.values
        template = gettext(self.template)
        return (
            _Formatter(number).format(template, **values) if number else template.format(**values)
        )

    @property
    def localised(self) -> bool:
        """Whether some value is written differently in other languages."""
        return bool(self.translated or self.titled or self.uses)

    def _values_in(self, gettext: Callable[[str], str], lang: str) -> dict[str, object]:
        values: dict[str, object] = dict(self.values)
        for k in self.translated:
            values[k] = gettext(str(values[k]))
        for k in self.titled:
            values[k] = nace_title(str(values[k]), lang)
        if self.uses:  # imported here: the knowledge base is heavy for this small module
            from sidestream.matching.knowledge import translated_use

            for k in self.uses:
                values[k] = translated_use(str(values[k]), lang)
        return values


def english(phrases: list[Phrase]) -> str:
    """Phrases joined as one English sentence."""
    return "; ".join([
        p.render() if p.localised else p.template.format_map(p.values)
        for p in phrases
    ])  # fmt: skip
