"""The searchable terms: LoW labels plus multilingual synonyms and trade names."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sidestream.taxonomy.waste_codes import waste_codes

#: The ten languages the synonym list covers (ISO 639-1; ``no`` is Norwegian Bokmål).
LANGUAGES = ("en", "da", "sv", "no", "sl", "de", "it", "pl", "lv", "fi")

#: Bump when the way terms are built changes, so cached embeddings are recomputed.
TERMS_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Term:
    """One text that points to a LoW code: its official label or a synonym."""

    code: str
    language: str
    text: str
    source: str  # "label" or "synonym"


def _data_bytes(name: str) -> bytes:
    return resources.files("sidestream.classify").joinpath("data", name).read_bytes()


def read_data_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file shipped in ``sidestream/classify/data``."""
    return list(csv.DictReader(_data_bytes(name).decode("utf-8").splitlines()))


@lru_cache
def synonym_terms() -> tuple[Term, ...]:
    """Synonyms from ``data/synonyms.csv`` (code, language, term); unknown codes are an error."""
    known = waste_codes()
    out = []
    for line, row in enumerate(read_data_csv("synonyms.csv"), start=2):
        if row["code"] not in known:
            raise ValueError(f"synonyms.csv line {line}: code {row['code']} is not in the LoW")
        out.append(Term(row["code"], row["language"], row["term"].strip(), "synonym"))
    return tuple(out)


@lru_cache
def synonyms_by_code() -> dict[str, tuple[Term, ...]]:
    """Code -> its synonyms in all languages."""
    out: dict[str, list[Term]] = {}
    for term in synonym_terms():
        out.setdefault(term.code, []).append(term)
    return {code: tuple(terms) for code, terms in out.items()}


@lru_cache
def label_terms() -> tuple[Term, ...]:
    """The official English label of every LoW entry, with its sub-chapter for context."""
    return tuple(
        Term(w.code, "en", f"{w.description} ({w.sub_chapter_title})", "label")
        for w in waste_codes().values()
    )


@lru_cache
def index_terms() -> tuple[Term, ...]:
    """All terms the classifier searches, labels first."""
    return label_terms() + synonym_terms()


@lru_cache
def terms_fingerprint() -> str:
    """A hash of everything that shapes the term list (synonyms, LoW labels, version)."""
    digest = hashlib.sha256(TERMS_VERSION.encode())
    for term in index_terms():
        digest.update(f"{term.code}\t{term.language}\t{term.text}\n".encode())
    return digest.hexdigest()
