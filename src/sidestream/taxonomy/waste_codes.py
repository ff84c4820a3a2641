"""The European List of Waste (LoW/EWC) and the R/D operations, loaded from package data."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_NON_DIGIT = re.compile(r"[\s.\-*]")


@dataclass(frozen=True, slots=True)
class WasteCode:
    """One six-digit LoW entry."""

    code: str
    description: str
    chapter: str
    chapter_title: str
    sub_chapter: str
    sub_chapter_title: str
    hazardous: bool
    mirror: bool

    @property
    def display(self) -> str:
        """The code as written in the legal text: ``02 02 04`` (``*`` if hazardous)."""
        text = f"{self.code[:2]} {self.code[2:4]} {self.code[4:]}"
        return text + "*" if self.hazardous else text


@dataclass(frozen=True, slots=True)
class Operation:
    """A recovery (R) or disposal (D) operation of the Waste Framework Directive."""

    code: str
    kind: str
    description: str


def _data(name: str):  # type: ignore[no-untyped-def]
    return resources.files("sidestream.taxonomy").joinpath("data", name).open(encoding="utf-8")


@lru_cache
def waste_codes() -> dict[str, WasteCode]:
    """All LoW entries keyed by their six-digit code, in list order."""
    with _data("list_of_waste_codes.csv") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, WasteCode] = {}
    for row in rows:
        code = row["code"]
        out[code] = WasteCode(
            code=code,
            description=row["description"],
            chapter=code[:2],
            chapter_title=row["chapter"],
            sub_chapter=code[:4],
            sub_chapter_title=row["sub_chapter"],
            hazardous=row["is_hazardous"] == "true",
            mirror=row["entry_type"].startswith("Mirror"),
        )
    return out


@lru_cache
def listed_mirror_pairs() -> tuple[tuple[str, str], ...]:
    """Mirror pairs whose entries do not name each other ("other than ..."): (non-hazardous,
    hazardous) from ``mirror_pairs.csv`` — concrete, bricks and tiles with 17 01 06*, wood,
    glass and plastic with 17 02 04*, metals with 17 04 09*, spent catalysts."""
    with _data("mirror_pairs.csv") as fh:
        return tuple((r["non_hazardous"], r["hazardous"]) for r in csv.DictReader(fh))


@lru_cache
def operations() -> dict[str, Operation]:
    """R1–R13 and D1–D15 keyed by code."""
    with _data("recovery_disposal_operations.csv") as fh:
        return {
            r["code"]: Operation(r["code"], r["kind"], r["description"]) for r in csv.DictReader(fh)
        }


def normalise_waste_code(raw: str) -> str:
    """Strip spaces, dots, dashes and the hazard asterisk: ``'02 02 04*'`` -> ``'020204'``."""
    return _NON_DIGIT.sub("", str(raw))


def lookup_waste_code(raw: str) -> WasteCode:
    """Return the LoW entry for ``raw`` or raise ``ValueError`` saying what is wrong."""
    code = normalise_waste_code(raw)
    if not re.fullmatch(r"\d{6}", code):
        raise ValueError(f"'{raw}' is not a six-digit List of Waste code (e.g. 02 02 04)")
    entry = waste_codes().get(code)
    if entry is None:
        raise ValueError(f"'{raw}' is not in the European List of Waste")
    return entry


def lookup_code_or_family(raw: str) -> str:
    """The digits of a LoW code, sub-chapter or chapter (``'02 02 04'``, ``'1001'``, ``'17'``),
    or ``ValueError`` saying what is wrong: a family is a hint where a code is not known."""
    code = normalise_waste_code(raw)
    if len(code) == 6:
        return lookup_waste_code(raw).code
    if (len(code) == 4 and code in sub_chapters()) or (len(code) == 2 and code in chapters()):
        return code
    raise ValueError(
        f"'{raw}' is not a List of Waste code, sub-chapter or chapter (e.g. 02 02 04, 02 02, 02)"
    )


def chapters() -> dict[str, str]:
    """Two-digit chapter -> title."""
    return {w.chapter: w.chapter_title for w in waste_codes().values()}


def sub_chapters() -> dict[str, str]:
    """Four-digit sub-chapter -> title."""
    return {w.sub_chapter: w.sub_chapter_title for w in waste_codes().values()}
