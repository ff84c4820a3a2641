"""Everyday names of businesses by NACE class ("cement works", "Zementwerk", "cementownia").

A need that gives no NACE code says who it is in words ("Pig farm", "Cementownia Ożarów"),
which the official class titles ("Raising of swine/pigs", "Manufacture of cement") rarely
resemble, in English or in any other language. ``data/business_names.csv`` lists the names
people in industry use for the receiving classes of the knowledge base, in the 14 languages
of the pattern keywords (sources in ``data/SOURCES.md``).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from sidestream.classify.text import words as folded_words
from sidestream.taxonomy.nace import nace_classes

NAMES_FILE = "business_names.csv"


@lru_cache(maxsize=16)
def business_names(language: str | None = None) -> dict[str, tuple[str, ...]]:
    """NACE class (4 digits) -> its everyday business names in ``language`` (``None``: every
    language), file order."""
    out: dict[str, list[str]] = {}
    path = resources.files("sidestream.matching").joinpath("data", NAMES_FILE)
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if language not in (None, row["language"]):
                continue
            names = out.setdefault(row["nace"], [])
            names += [n.strip() for n in row["names"].split("|") if n.strip() not in names]
    unknown = sorted(set(out) - set(nace_classes()))
    if unknown:
        raise ValueError(f"{NAMES_FILE}: not NACE classes: {', '.join(unknown)}")
    return {code: tuple(n for n in names if n) for code, names in out.items()}


@lru_cache(maxsize=1)
def _by_words() -> dict[tuple[str, ...], str]:
    """A name's folded words -> its class; a name given to two classes names neither."""
    found: dict[tuple[str, ...], str] = {}
    twice: set[tuple[str, ...]] = set()
    for code, names in business_names().items():
        for name in names:
            words = tuple(folded_words(name))
            if found.setdefault(words, code) != code:
                twice.add(words)
    return {words: code for words, code in found.items() if words not in twice}


@lru_cache(maxsize=8192)
def named_business(text: str) -> str | None:
    """The class whose business name ``text`` writes in whole words ("Zementwerk Lägerdorf":
    2351), the longest name first, the earliest of equals; ``None`` when it writes none."""
    words, names = tuple(folded_words(text)), _by_words()
    longest = max((len(w) for w in names), default=0)
    for size in range(min(longest, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            code = names.get(words[start : start + size])
            if code:
                return code
    return None
