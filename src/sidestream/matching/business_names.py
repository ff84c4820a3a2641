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


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(class, language, names) of every row of the file, read once."""
    path = resources.files("sidestream.matching").joinpath("data", NAMES_FILE)
    with path.open(encoding="utf-8", newline="") as f:
        rows = tuple(
            (row["nace"], row["language"], tuple(n.strip() for n in row["names"].split("|")))
            for row in csv.DictReader(f)
        )
    unknown = sorted({code for code, _, _ in rows} - set(nace_classes()))
    if unknown:
        raise ValueError(f"{NAMES_FILE}: not NACE classes: {', '.join(unknown)}")
    return rows


@lru_cache(maxsize=16)
def business_names(language: str | None = None) -> dict[str, tuple[str, ...]]:
    """NACE class (4 digits) -> its everyday business names in ``language`` (``None``: every
    language), file order."""
    out: dict[str, dict[str, None]] = {}
    for code, lang, names in _rows():
        if language in (None, lang):
            out.setdefault(code, {}).update(dict.fromkeys(n for n in names if n))
    return {code: tuple(names) for code, names in out.items()}


@lru_cache(maxsize=16)
def _by_words(language: str | None) -> tuple[dict[tuple[str, ...], str], int]:
    """A name's folded words -> its class, for a text in ``language`` (its names and the
    English ones; ``None``: every language), and the most words a name has; a name given to
    two classes names neither."""
    found: dict[tuple[str, ...], str] = {}
    twice: set[tuple[str, ...]] = set()
    languages = (None,) if language is None else tuple(dict.fromkeys((language, "en")))
    for names in (business_names(lang) for lang in languages):
        for code, written in names.items():
            for name in written:
                words = tuple(folded_words(name))
                if found.setdefault(words, code) != code:
                    twice.add(words)
    named = {words: code for words, code in found.items() if words not in twice}
    return named, max(map(len, named), default=0)


@lru_cache(maxsize=8192)
def named_business(text: str, language: str | None = None) -> str | None:
    """The class whose business name ``text`` writes first, in whole words ("Zementwerk
    Lägerdorf": 2351; "A bakery near the cement works": the bakery), the longest where names
    start at the same word; ``None`` when it writes none. A text that states its ``language``
    is read with that language's names and the English ones (a Swedish "ett" is no Spanish
    temporary-work agency), else with every language's."""
    known = language if language and business_names(language) else None
    words = tuple(folded_words(text))
    names, longest = _by_words(known)
    for start in range(len(words)):
        for size in range(min(longest, len(words) - start), 0, -1):
            code = names.get(words[start : start + size])
            if code:
                return code
    return None


def written_business(organisation: str | None, text: str, language: str | None) -> str | None:
    """The class a listing's organisation name, else ``text``, names (:func:`named_business`):
    "Hansens Savværk ApS", "from our sawmill"."""
    return named_business(organisation or "", language) or named_business(text, language)
