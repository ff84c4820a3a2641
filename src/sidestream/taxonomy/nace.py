"""NACE activity codes, from python-stdnum.

Sidestream speaks NACE Rev. 2 (the revision of the design page, of the MAESTRI case library and
of most company registers until 2025) and also accepts codes that exist only in NACE Rev. 2.1
(in force from 2025), so a company can register with either. Labels come from Rev. 2 when the
code exists there, otherwise from Rev. 2.1.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from stdnum.eu import nace as _nace
from stdnum.exceptions import ValidationError

REVISIONS = ("2.0", "2.1")


def compact_nace(raw: str) -> str:
    """A NACE code as written, without its section letter and surrounding spaces
    (``'C27.00'`` -> ``'27.00'``; ``'16,10'``, as a phone's decimal keypad writes it in Danish
    or Swedish, -> ``'16.10'``); not validated."""
    text = str(raw).strip().upper().replace(",", ".")
    return text[1:] if text[:1].isalpha() and len(text) > 1 else text


def normalise_nace(raw: str) -> str:
    """Validate a NACE code (``'2351'``, ``'23.51'``, ``'C23.51'``) and return its compact digits.

    A code valid in Rev. 2 or Rev. 2.1 is accepted; otherwise ``ValueError`` names the problem.
    """
    text = compact_nace(raw)
    problem = ""
    for revision in REVISIONS:
        try:
            return _nace.validate(text, revision=revision)
        except ValidationError as exc:
            problem = problem or str(exc)
    raise ValueError(f"'{raw}' is not a NACE Rev. 2 or 2.1 code ({problem})")


def nace_revision(code: str) -> str:
    """The first revision (``'2.0'`` or ``'2.1'``) in which ``code`` exists."""
    for revision in REVISIONS:
        try:
            _nace.validate(code, revision=revision)
            return revision
        except ValidationError:
            continue
    raise ValueError(f"'{code}' is not a NACE Rev. 2 or 2.1 code")


def nace_label(code: str) -> str:
    """The official English label of a NACE code."""
    return _nace.get_label(code, revision=nace_revision(code))


def nace_section(code: str) -> str:
    """The section letter (A–U) of a NACE code."""
    return _nace.info(code, revision=nace_revision(code))["section"]


@lru_cache(maxsize=4096)
def code_scope(code: str) -> str:
    """The NACE prefix a receiver's code as a case library writes it covers: a class itself
    (``'2351'``); a group or division padded to four digits, the group or division
    (``'0140'`` -> ``'014'``, ``'2000'`` -> ``'20'``); a shorter code as it is (``'21'``)."""
    return padded_group(code) or _padded(code, 2) or code


def format_nace(code: str) -> str:
    """Digits to the dotted form: ``'2351'`` -> ``'23.51'``; a group written as a class to the
    group's form: ``'0110'`` -> ``'01.1'``."""
    return _nace.format(padded_group(code) or code)


@lru_cache
def nace_classes(revision: str = "2.0") -> dict[str, str]:
    """All four-digit NACE classes of ``revision`` -> label."""
    out: dict[str, str] = {}
    for division in range(1, 100):
        for group in range(10):
            for cls in range(10):
                code = f"{division:02d}{group}{cls}"
                try:
                    _nace.validate(code, revision=revision)
                except ValidationError:
                    continue
                out[code] = _nace.get_label(code, revision=revision)
    return out


def padded_group(code: str) -> str | None:
    """The three-digit group of a group written as a four-digit class (``'0110'`` -> ``'011'``,
    as case libraries write "agriculture"); None for a real class or anything else."""
    return _padded(code, 3)


def _padded(code: str, digits: int) -> str | None:
    """The first ``digits`` digits of a four-digit ``code`` that is no NACE class, where they
    are a valid code and zeros follow them (a group or division padded to a class's length)."""
    if len(code) != 4 or not code.isdigit() or code[digits:] != "0" * (4 - digits):
        return None
    try:
        nace_revision(code)
    except ValueError:
        valid = any(_nace.is_valid(code[:digits], revision=r) for r in REVISIONS)
        return code[:digits] if valid else None
    return None


@lru_cache
def _titles() -> dict[tuple[str, str], str]:
    path = resources.files("sidestream.taxonomy").joinpath("data", "nace_titles.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return {(row["code"], row["language"]): row["label"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=8192)
def nace_title(code: str, lang: str = "en") -> str:
    """The title of a NACE division, group or class (``'2351'``, ``'23.51'``) in ``lang``:
    Eurostat's national version of NACE Rev. 2 for da, sv, nb and sl (``data/nace_titles.csv``),
    else the English label. A group or division written as a four-digit class (``'0110'``,
    ``'2100'``) gets its group's or division's title; a code that is none of these is returned
    as is."""
    digits = "".join(ch for ch in code if ch.isdigit()) or code  # '23.51', 'C2351'
    readings = (digits, digits.rstrip("0") if digits.endswith("0") else digits, digits[:3],
                digits[:2])  # fmt: skip
    for reading in readings:
        try:
            english = nace_label(reading)
        except (ValueError, KeyError):
            continue
        return _titles().get((reading, lang), english)
    return code
