"""Browsing and searching the code lists: LoW entries (with synonyms), R/D operations, NACE."""

from __future__ import annotations

from functools import lru_cache

from sidestream.classify.lexicon import synonym_terms, synonyms_by_code
from sidestream.classify.text import fold
from sidestream.matching.business_names import business_names
from sidestream.matching.schemas import parse_nace
from sidestream.taxonomy.nace import nace_classes
from sidestream.taxonomy.waste_codes import (
    WasteCode,
    lookup_code_or_family,
    normalise_waste_code,
    waste_codes,
)


@lru_cache
def _search_text() -> dict[str, str]:
    """Code -> folded text of its label, chapter titles and synonyms."""
    extra: dict[str, list[str]] = {}
    for term in synonym_terms():
        extra.setdefault(term.code, []).append(term.text)
    return {
        code: fold(
            " ".join([w.description, w.sub_chapter_title, w.chapter_title, *extra.get(code, [])])
        )
        for code, w in waste_codes().items()
    }


def search_waste_codes(
    q: str | None = None,
    chapter: str | None = None,
    hazardous: bool | None = None,
    limit: int = 50,
) -> list[WasteCode]:
    """LoW entries matching all filters, in list order.

    ``q`` is a code prefix (``'10 01'``) or words that must all occur in the label, the
    chapter titles or a synonym (any of the ten languages, accents ignored). A ``chapter``
    that is no LoW chapter or sub-chapter raises ``ValueError`` (it would find nothing).
    """
    digits = normalise_waste_code(q or "")
    words = [] if digits.isdigit() else fold(q or "").split()
    prefix = lookup_code_or_family(chapter) if chapter and chapter.strip() else ""
    out = []
    for code, entry in waste_codes().items():
        if prefix and not code.startswith(prefix):
            continue
        if hazardous is not None and entry.hazardous != hazardous:
            continue
        if digits.isdigit() and not code.startswith(digits):
            continue
        haystack = f" {_search_text()[code]}"
        if words and not all(f" {word}" in haystack for word in words):
            continue
        out.append(entry)
        if len(out) >= limit:
            break
    return out


def waste_code_synonyms(code: str) -> dict[str, list[str]]:
    """Language -> synonyms recorded for ``code``."""
    out: dict[str, list[str]] = {}
    for term in synonyms_by_code().get(code, ()):
        out.setdefault(term.language, []).append(term.text)
    return out


@lru_cache(maxsize=1)
def _nace_search_text() -> dict[str, str]:
    """NACE class -> folded text of its label and its everyday business names in every
    language ("sawmill", "Zementwerk", "bryggeri": :mod:`sidestream.matching.business_names`)."""
    names = business_names()
    return {
        code: fold(" ".join([label, *names.get(code, ())]))
        for code, label in nace_classes().items()
    }


def search_nace(q: str | None = None, limit: int = 50) -> list[tuple[str, str]]:
    """NACE classes (code, label) whose code starts with ``q`` or whose label or one of whose
    everyday business names holds its words ("brewery", "Zementwerk")."""
    digits = (q or "").replace(".", "").strip()
    if not digits.isdigit():  # a code as written elsewhere: "C10.51", "23.51Z"
        digits = parse_nace(q)[0] or digits
    words = [] if digits.isdigit() else fold(q or "").split()
    out = []
    for code, label in nace_classes().items():
        if digits.isdigit() and not code.startswith(digits):
            continue
        if words and not all(word in _nace_search_text()[code] for word in words):
            continue
        out.append((code, label))
        if len(out) >= limit:
            break
    return out
