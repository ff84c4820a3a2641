"""NACE Rev. 2 activity codes, from python-stdnum."""

from __future__ import annotations

from functools import lru_cache

from stdnum.eu import nace as _nace
from stdnum.exceptions import ValidationError


def normalise_nace(raw: str) -> str:
    """Validate a NACE code (``'2351'``, ``'23.51'``, ``'C23.51'``) and return its compact digits.

    Raises ``ValueError`` naming the problem when the code is malformed or unknown.
    """
    text = str(raw).strip().upper()
    if text[:1].isalpha():
        text = text[1:]
    try:
        return _nace.validate(text)
    except ValidationError as exc:
        raise ValueError(f"'{raw}' is not a NACE Rev. 2 code ({exc})") from None


def nace_label(code: str) -> str:
    """The official English label of a NACE code."""
    return _nace.get_label(code)


def nace_section(code: str) -> str:
    """The section letter (A–U) of a NACE code."""
    return _nace.info(code)["section"] if len(code) >= 2 else ""


def format_nace(code: str) -> str:
    """Digits to the dotted form: ``'2351'`` -> ``'23.51'``."""
    return _nace.format(code)


@lru_cache
def nace_classes() -> dict[str, str]:
    """All four-digit NACE classes -> label."""
    out: dict[str, str] = {}
    for division in range(1, 100):
        for group in range(10):
            for cls in range(10):
                code = f"{division:02d}{group}{cls}"
                try:
                    _nace.validate(code)
                except ValidationError:
                    continue
                out[code] = _nace.get_label(code)
    return out
