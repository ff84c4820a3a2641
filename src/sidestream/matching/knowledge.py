"""Knowledge base: documented exchanges (MAESTRI library) and curated receiving-sector patterns.

Both are plain CSV files that a facilitator can extend (see ``docs/matching.md``):
``exchanges.csv`` follows the MAESTRI column names; ``patterns.csv`` maps LoW code prefixes
and/or material keywords to a receiving NACE class with a typical use and a source.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from sidestream.config import get_settings
from sidestream.matching.text import normalise_text
from sidestream.registry.properties import NUMERIC_RANGES
from sidestream.taxonomy.kinds import PHYSICAL_KINDS, Kind
from sidestream.taxonomy.nace import code_scope, nace_revision
from sidestream.taxonomy.waste_codes import waste_codes

PATTERN_COLUMNS = ("id", "waste_codes", "keywords", "receiver_nace", "typical_use", "source")
EXCHANGE_COLUMNS = (
    "case_id", "exchange_id", "country", "donor_name", "donor_business", "donor_nace",
    "receiver_name", "receiver_business", "receiver_nace", "waste_description", "ewc_code",
    "cpa_code", "ewc_hazardous", "treatment_nace", "final_use", "completion",
)  # fmt: skip
_SIX_DIGITS = re.compile(r"\d{6}")
KEYWORD_COLUMNS = ("id", "language", "keywords")
USE_TRANSLATION_COLUMNS = ("typical_use", "language", "translation")
_WORD_ONLY = re.compile(r"\w+")


def nace_scopes_in(raw: str) -> tuple[str, ...]:
    """Receiver/donor NACE field -> the codes as written (2–4 digits, no dots).

    ``'23.51'`` -> ``('2351',)``; ``'011/012'`` -> ``('011', '012')``; ``'21'`` -> ``('21',)``.
    A two- or three-digit code names a division or group: any class in it fits.
    """
    out: list[str] = []
    for part in re.split(r"[/;,]", raw or ""):
        digits = re.sub(r"\D", "", part)
        if 2 <= len(digits) <= 4 and digits not in out:
            out.append(digits)
    return tuple(out)


def nace_classes_in(raw: str) -> tuple[str, ...]:
    """Receiver/donor NACE field -> four-digit codes.

    ``'2351'`` -> ``('2351',)``; ``'011/012'`` -> ``('0110', '0120')`` (groups padded);
    ``'21'`` -> ``('2100',)`` (division padded); empty -> ``()``.
    """
    return tuple(dict.fromkeys(code.ljust(4, "0") for code in nace_scopes_in(raw)))


@dataclass(frozen=True, slots=True)
class Exchange:
    """One documented exchange between a donor and a receiving business."""

    case_id: str
    exchange_id: str
    country: str
    donor: str
    donor_classes: tuple[str, ...]
    receiver: str
    receiver_classes: tuple[str, ...]
    material: str
    waste_codes: tuple[str, ...]
    product_code: str
    final_use: str
    #: Receiver NACE codes as written (a division or group where the source gives one).
    receiver_scopes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Material description enriched with the LoW wording of its codes."""
        entries = waste_codes()
        labels = [entries[c].description for c in self.waste_codes if c in entries]
        return " ".join([self.material, *labels])

    def received_within(self, cls: str) -> str | None:
        """The division or group the source wrote for the receiver that holds class ``cls``
        ("Pharmaceutical, 21" or "Animal raising, 0140": 21.10 or 01.46 might have been the
        receiver): ``'21'``, ``'014'``; None where it holds none or is ``cls`` as written."""
        if cls in self.receiver_classes:
            return None
        scopes = (code_scope(scope) for scope in self.receiver_scopes)
        return next((scope for scope in scopes if cls.startswith(scope)), None)


def _spelled(keyword: str) -> str:
    """A keyword as a pattern where its words may be joined by a space or a hyphen
    ("refuse derived fuel" finds "Refuse-derived fuel"; "de-inking sludge" finds "deinking
    sludge")."""
    return re.escape(keyword).replace(r"\ ", r"[\s-]").replace(r"\-", r"[\s-]?")


@lru_cache(maxsize=4096)
def _keyword_regex(keywords: tuple[str, ...], heads: bool = False) -> re.Pattern[str] | None:
    """Whole words or phrases (an English plural tolerated from four letters: "alu" does not
    find Latvian "alus", beer); ``heads``: also as the end of a compound word, the match being
    the whole word ("steinkohlenflugasche" for "flugasche")."""
    if not keywords:
        return None
    start = r"\b\w*?" if heads else r"\b"
    ordered = sorted(keywords, key=len, reverse=True)
    groups = [
        rf"{start}(?:{'|'.join(map(_spelled, found))}){plural}\b"
        for found, plural in (
            ([k for k in ordered if len(k) >= 4], "(?:s|es)?"),
            ([k for k in ordered if len(k) < 4], ""),
        )
        if found
    ]
    return re.compile("|".join(groups))


@lru_cache(maxsize=4096)
def _tailed_regex(modifiers: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    """``modifiers`` (language, word) as the first part of a word that ends in a word for
    waste or leftovers of the same language ("polystyrolabfalle" for German "polystyrol"), the
    match being the whole word."""
    if not modifiers:
        return None
    links = "|".join(COMPOUND_LINKS)
    groups = []
    for language, tails in COMPOUND_TAILS.items():
        words = sorted({w for lang, w in modifiers if lang == language}, key=len, reverse=True)
        if words:
            groups.append(
                rf"(?:{'|'.join(map(re.escape, words))})(?:{links})?(?:{'|'.join(tails)})"
            )
    return re.compile(rf"\b(?:{'|'.join(groups)})\b") if groups else None


#: Languages that write compound nouns as one word: their translated keywords of at least
#: ``HEAD_MIN_LETTERS`` letters also match as a compound's last part (shorter ones end too many
#: unrelated words: "reifen" in "Streifen", "banden" in "Verbanden").
COMPOUNDING_LANGUAGES = frozenset({"da", "de", "fi", "nb", "nl", "sv"})
HEAD_MIN_LETTERS = 7
#: Words for waste, scrap and leftovers that the compounding languages join to a material's
#: name ("Polystyrolabfälle", "polystyreenijäte", "Kunststoffreste"; normalised): a
#: translated keyword of a material also matches as the first part of such a word of its own
#: language (Danish "speise", lead matte, not in German "Speisereste"), the tail adding nothing
#: to what the material is. Not sludge, ash or dust: "Papierschlamm" is no paper.
COMPOUND_TAILS: dict[str, tuple[str, ...]] = {
    "de": ("abfall", "abfalle", "reste", "schrott"),
    "nl": ("afval", "resten", "schroot"),
    "da": ("affald", "rester", "skrot"),
    "sv": ("avfall", "rester", "skrot"),
    "nb": ("avfall", "rester", "skrap"),
    "fi": ("jate", "jatteet", "romu", "tahteet", "jaamat"),
}
#: Letters that join the two parts ("Siedlungsabfälle", "Kantinenabfälle", "rivningsavfall").
COMPOUND_LINKS = ("s", "e", "n", "en")
#: A translated single word shorter than this is not used: short words of one language are
#: everyday words of another once accents are folded ("ser", "har", "deg", "ler").
TRANSLATION_MIN_LETTERS = 5


@dataclass(frozen=True, slots=True)
class Pattern:
    """A curated rule: material (LoW prefixes and/or keywords) -> receiving NACE class."""

    id: str
    waste_codes: tuple[str, ...]
    keywords: tuple[str, ...]
    receiver_nace: str
    typical_use: str
    source: str
    #: The use needs at least this temperature (°C); a material known to be colder is skipped.
    min_temperature_c: float | None = None
    #: Stream kinds the use applies to (empty: material, energy and water); a stream of another
    #: known kind is skipped.
    kinds: frozenset[str] = frozenset()
    #: The keywords in other languages (``pattern_keywords.csv``; matched, not embedded) ...
    translations: tuple[str, ...] = ()
    #: ... and those that also match as the last part of a compound word.
    heads: tuple[str, ...] = ()
    #: ... and (language, word) of those that also match as the first part of a compound
    #: ending in a word for waste or leftovers of that language (:data:`COMPOUND_TAILS`).
    modifiers: tuple[tuple[str, str], ...] = ()

    def applies_to(self, kind: str | None) -> bool:
        """Whether the use applies to a stream of ``kind`` (``None``: not known, any)."""
        return not kind or kind in (self.kinds or PHYSICAL_KINDS)

    def keyword_in(self, normalised_text: str) -> str | None:
        """The first keyword found in an already normalised text, else ``None``."""
        found = next(self._keyword_matches(normalised_text), None)
        return found.group(0) if found else None

    def keyword_at(self, normalised_text: str) -> tuple[int, str] | None:
        """Where the earliest keyword starts in an already normalised text, and the keyword
        as found there; ``None`` when none is."""
        found = min(self._keyword_matches(normalised_text), key=re.Match.start, default=None)
        return (found.start(), found.group(0)) if found else None

    def _keyword_matches(self, normalised_text: str) -> Iterator[re.Match[str]]:
        for regex in (
            _keyword_regex(self.keywords),
            _keyword_regex(self.translations),
            _keyword_regex(self.heads, heads=True),
            _tailed_regex(self.modifiers),
        ):
            found = regex.search(normalised_text) if regex else None
            if found:
                yield found


@dataclass(frozen=True)
class KnowledgeBase:
    """Documented exchanges plus curated patterns."""

    exchanges: tuple[Exchange, ...]
    patterns: tuple[Pattern, ...]

    def without_cases(self, case_ids: Iterable[str]) -> KnowledgeBase:
        """The same knowledge without the exchanges of the given cases (for hold-out folds)."""
        drop = set(case_ids)
        return replace(self, exchanges=tuple(e for e in self.exchanges if e.case_id not in drop))

    def typical_uses(self) -> list[str]:
        """The distinct typical uses of the patterns, in the order they first appear."""
        return list(dict.fromkeys(p.typical_use for p in self.patterns))

    def with_patterns(self, patterns: Sequence[Pattern]) -> KnowledgeBase:
        """The same knowledge with extra patterns appended."""
        return replace(self, patterns=(*self.patterns, *patterns))

    def with_exchanges(self, exchanges: Sequence[Exchange]) -> KnowledgeBase:
        """The same knowledge with extra documented exchanges appended."""
        return replace(self, exchanges=(*self.exchanges, *exchanges))


class _Row(NamedTuple):
    """A row of a knowledge file with its first and last physical line."""

    line: int
    end: int
    values: dict[str, Any]


def _rows(path: Path | None, name: str, required: Sequence[str]) -> list[_Row]:
    """The rows of a CSV file (the bundled ``name`` when ``path`` is None); UTF-8 with
    or without a byte-order mark, as spreadsheets write it. ``ValueError`` names the file when
    it is not UTF-8 text, lacks a required column or cannot be read as CSV (where a row runs
    on past the end of its line, an unclosed double quote is named as the likely cause)."""
    where = str(path or name)
    try:
        if path is None:
            raw = resources.files("sidestream.matching").joinpath("data", name).read_bytes()
        else:
            raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(f"{where}: missing column(s) {', '.join(missing)}")
    out: list[_Row] = []
    start = reader.line_num + 1
    try:
        for fields in reader:
            if fields:  # blank lines are skipped
                row: dict[str, Any] = dict(zip(header, fields, strict=False))
                row.update({c: None for c in header[len(fields) :]})
                row[_EXTRA] = fields[len(header) :]
                out.append(_Row(start, reader.line_num, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValueError(
            f"{where} line {start}: cannot read the row ({exc}): an unclosed double quote?"
        ) from None
    return out


def _spans(row: _Row) -> str:
    """For an invalid row that runs over several lines, what most likely made it do so."""
    if row.end == row.line:
        return ""
    return f" (the row runs on to line {row.end}: an unclosed double quote?)"


@lru_cache(maxsize=1)
def _low_prefixes() -> frozenset[str]:
    """Every chapter, sub-chapter and entry of the List of Waste (2, 4 and 6 digits)."""
    return frozenset(p for code in waste_codes() for p in (code[:2], code[:4], code))


#: Where ``csv.DictReader`` puts the fields a row has beyond the header's columns.
_EXTRA = "\x00extra"


def _check_width(row: _Row, where: str, multiline: Iterable[str] | None = None) -> None:
    """A row with more fields than the header, or fewer where it runs over several lines or
    a field holds a comma (a quote left open swallows what follows), is not read; nor, when
    ``multiline`` names the only columns that may, one with a line break in another column."""
    values = row.values
    texts = {c: v for c, v in values.items() if isinstance(v, str)}
    if multiline is not None:
        allowed = set(multiline)
        broken = [c for c, v in texts.items() if "\n" in v and c not in allowed]
        if broken:
            raise ValueError(f"{where} line {row.line}: {broken[0]} runs over several lines")
    if values[_EXTRA]:
        raise ValueError(
            f"{where} line {row.line}: more fields than columns (a comma inside a field that is"
            " not in double quotes?)"
        )
    if None in values.values():
        if row.end > row.line:
            raise ValueError(f"{where} line {row.line}: fewer fields than columns")
        if any("," in v for v in texts.values()):
            raise ValueError(
                f"{where} line {row.line}: fewer fields than columns (an unclosed double quote?)"
            )


def _pattern(row: dict[str, str], where: str, line: int) -> Pattern:
    """One patterns row; ``ValueError`` naming the line and field when it is invalid."""
    ident = (row.get("id") or "").strip()
    if not ident:
        raise ValueError(f"{where} line {line}: id is required (a short unique name)")
    nace = (row.get("receiver_nace") or "").strip().replace(".", "")
    if not re.fullmatch(r"\d{4}", nace):
        raise ValueError(f"{where} line {line}: receiver_nace must be 4 digits, got {nace!r}")
    try:
        nace_revision(nace)
    except ValueError:
        raise ValueError(
            f"{where} line {line}: receiver_nace {nace!r} is not a NACE Rev. 2 or 2.1 class"
        ) from None
    codes = tuple((row.get("waste_codes") or "").split())
    bad = [c for c in codes if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", c)]
    if bad:
        raise ValueError(f"{where} line {line}: waste_codes prefix {bad[0]!r} is not 2/4/6 digits")
    for first, second in pairwise(codes):  # "10 01 02" is no list of three
        if len(first) == len(second) == 2 and first + second in _low_prefixes():
            raise ValueError(
                f"{where} line {line}: waste_codes '{first} {second}' reads as chapters {first} "
                f"and {second} but looks like code {first}{second}... written with spaces; "
                "write each code without spaces (e.g. 100102), prefixes apart by a space"
            )
    unknown = [c for c in codes if c not in _low_prefixes()]
    if unknown:
        raise ValueError(
            f"{where} line {line}: waste_codes prefix {unknown[0]!r} is in no List of Waste code"
        )
    keywords = tuple(
        normalise_text(k.strip()) for k in (row.get("keywords") or "").split("|") if k.strip()
    )
    if not codes and not keywords:
        raise ValueError(f"{where} line {line}: give waste_codes or keywords")
    if not (row.get("source") or "").strip():
        raise ValueError(f"{where} line {line}: source is required")
    raw_min = (row.get("min_temperature_c") or "").strip()
    low, high = NUMERIC_RANGES["temperature_c"]  # the temperatures a stream may state
    try:
        min_temperature = float(raw_min) if raw_min else None
    except ValueError:
        min_temperature = math.nan
    if min_temperature is not None and not low <= min_temperature <= high:  # NaN fails too
        raise ValueError(
            f"{where} line {line}: min_temperature_c must be a number from {low:g} to {high:g},"
            f" got {raw_min!r}"
        )
    kinds = frozenset((row.get("kinds") or "").split())
    unknown = sorted(kinds - {k.value for k in Kind})
    if unknown:
        raise ValueError(
            f"{where} line {line}: kinds {unknown[0]!r} is not one of"
            f" {', '.join(k.value for k in Kind)}"
        )
    return Pattern(
        id=ident,
        waste_codes=codes,
        keywords=keywords,
        receiver_nace=nace,
        typical_use=(row.get("typical_use") or "").strip(),
        source=row["source"].strip(),
        min_temperature_c=min_temperature,
        kinds=kinds,
    )


def read_patterns(path: Path | str | None = None) -> tuple[list[Pattern], list[str]]:
    """The valid rows of a patterns CSV (the bundled one when ``path`` is None) and one message
    per invalid row, naming the file, line and field. A missing column is an error for all."""
    where = str(path) if path else "patterns.csv"
    rows = _rows(Path(path) if path else None, "patterns.csv", PATTERN_COLUMNS)
    out: list[Pattern] = []
    errors: list[str] = []
    for row in rows:
        try:
            _check_width(row, where, multiline=("typical_use",))
            out.append(_pattern(row.values, where, row.line))
        except ValueError as exc:
            errors.append(f"{exc}{_spans(row)}")
    counts = Counter(p.id for p in out)
    errors += [f"{where}: id {i!r} appears {n} times" for i, n in counts.items() if n > 1]
    return out, errors


def load_patterns(path: Path | str | None = None) -> list[Pattern]:
    """Read a patterns CSV (the bundled one when ``path`` is None).

    Raises ``ValueError`` naming the line and field of the first invalid row.
    """
    patterns, errors = read_patterns(path)
    if errors:
        raise ValueError(errors[0])
    return patterns


def read_exchanges(path: Path | str | None = None) -> tuple[list[Exchange], list[str]]:
    """Documented exchanges in the MAESTRI column layout (the bundled file when ``path`` is
    None) and one message per row lacking a case, an exchange id or a material description.

    Rows without any receiver NACE code are kept (they still document a use) but recommend no
    class.
    """
    where = str(path) if path else "exchanges.csv"
    required = ("case_id", "exchange_id", "waste_description", "receiver_nace")
    rows = _rows(Path(path) if path else None, "exchanges.csv", required)
    out: list[Exchange] = []
    errors: list[str] = []
    for row in rows:

        def g(key: str, values: dict[str, Any] = row.values) -> str:
            value = values.get(key)
            return value.strip() if isinstance(value, str) else ""

        empty = [c for c in required[:3] if not g(c)]
        try:
            _check_width(row, where)
            if empty:
                raise ValueError(f"{where} line {row.line}: {empty[0]} is required")
            if path:  # a facilitator's file (the bundled source has its own slips: "0105")
                _check_exchange_codes(g, f"{where} line {row.line}")
        except ValueError as exc:
            errors.append(f"{exc}{_spans(row)}")
            continue
        out.append(
            Exchange(
                case_id=g("case_id"),
                exchange_id=g("exchange_id"),
                country=g("country"),
                donor=g("donor_business") or g("donor_name"),
                donor_classes=nace_classes_in(g("donor_nace")),
                receiver=g("receiver_business") or g("receiver_name"),
                receiver_classes=nace_classes_in(g("receiver_nace")),
                material=g("waste_description"),
                waste_codes=tuple(_SIX_DIGITS.findall(g("ewc_code").replace(" ", ""))),
                product_code=g("cpa_code"),
                final_use=g("final_use"),
                receiver_scopes=nace_scopes_in(g("receiver_nace")),
            )
        )
    return out, errors


def _check_exchange_codes(g: Callable[[str], str], where: str) -> None:
    """``ValueError`` for a NACE code or LoW code of an exchange row that names nothing known
    ("99.99", "twentythree", "99 99 99" were stored as class 9999 and code 999999)."""
    for column in ("receiver_nace", "donor_nace"):
        written = g(column)
        scopes = nace_scopes_in(written)
        if written and not scopes:
            raise ValueError(f"{where}: {column} {written!r} holds no NACE code")
        for scope in scopes:
            try:  # a group or division padded to four digits stands for itself ("2310")
                nace_revision(code_scope(scope))
            except ValueError:
                raise ValueError(
                    f"{where}: {column} {written!r}: {scope!r} is not a NACE Rev. 2 or 2.1 code"
                ) from None
    written = g("ewc_code")
    codes = _SIX_DIGITS.findall(written.replace(" ", ""))
    if written and not codes:
        raise ValueError(f"{where}: ewc_code {written!r} holds no six-digit List of Waste code")
    unknown = [c for c in codes if c not in waste_codes()]
    if unknown:
        raise ValueError(f"{where}: ewc_code {unknown[0]!r} is not in the European List of Waste")


def load_exchanges(path: Path | str | None = None) -> list[Exchange]:
    """Read documented exchanges (see :func:`read_exchanges`); ``ValueError`` naming the line
    and field of the first invalid row."""
    exchanges, errors = read_exchanges(path)
    if errors:
        raise ValueError(errors[0])
    return exchanges


@lru_cache
def default_knowledge_base() -> KnowledgeBase:
    """The bundled knowledge base (documented exchanges + curated patterns, with the patterns'
    keywords in other languages)."""
    bundled = load_patterns()
    patterns = with_translations(bundled, load_pattern_keywords(known=[p.id for p in bundled]))
    return KnowledgeBase(exchanges=tuple(load_exchanges()), patterns=tuple(patterns))


def load_pattern_keywords(
    path: Path | str | None = None, known: Iterable[str] | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Pattern id -> (language, keyword) from a keyword-translations CSV (``id, language,
    keywords``; the bundled ``pattern_keywords.csv`` when ``path`` is None). ``ValueError``
    names the line and field of the first invalid row; ``known`` are the valid pattern ids
    (default: the bundled patterns)."""
    where = str(path) if path else "pattern_keywords.csv"
    ids = set(known) if known is not None else {p.id for p in load_patterns()}
    out: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(Path(path) if path else None, "pattern_keywords.csv", KEYWORD_COLUMNS):
        try:
            _check_width(row, where, multiline=())
        except ValueError as exc:
            raise ValueError(f"{exc}{_spans(row)}") from None
        pattern_id, language, keywords = (
            (row.values.get(c) or "").strip() for c in KEYWORD_COLUMNS
        )
        problem = (
            f"id {pattern_id!r} is not a pattern" if pattern_id not in ids
            else f"language {language!r} is not a two-letter ISO 639-1 code"
            if not re.fullmatch(r"[a-z]{2}", language)
            else "keywords is empty" if not keywords.strip("| ")
            else None
        )  # fmt: skip
        if problem:
            raise ValueError(f"{where} line {row.line}: {problem}{_spans(row)}")
        terms = [normalise_text(k.strip()) for k in keywords.split("|") if k.strip()]
        out.setdefault(pattern_id, []).extend((language, t) for t in terms)
    return out


@lru_cache(maxsize=1)
def _use_translations() -> dict[tuple[str, str], str]:
    rows = _rows(None, "typical_use_translations.csv", USE_TRANSLATION_COLUMNS)
    return {
        (row.values["typical_use"], row.values["language"]): row.values["translation"]
        for row in rows
    }


def translated_use(use: str, lang: str) -> str:
    """A curated pattern's typical use in ``lang`` (``typical_use_translations.csv``: da, sv,
    nb, sl); any other text, or language, as written."""
    return _use_translations().get((use, lang), use)


def with_translations(
    patterns: Iterable[Pattern], keywords: dict[str, list[tuple[str, str]]]
) -> list[Pattern]:
    """The patterns with their keywords in other languages: single words of compounding
    languages with at least ``HEAD_MIN_LETTERS`` letters as compound heads (also when the
    word is already a keyword), the rest whole; single words shorter than
    ``TRANSLATION_MIN_LETTERS`` are left out. Every single word of a compounding language for
    a material also matches before a word for waste or leftovers (``modifiers``)."""
    out = []
    for p in patterns:
        seen = set(p.keywords)
        whole: dict[str, None] = {}
        heads: dict[str, None] = {}
        modifiers: dict[tuple[str, str], None] = {}
        material = p.applies_to("material")  # a waste tail names a material
        for language, term in keywords.get(p.id, ()):
            word = _WORD_ONLY.fullmatch(term)
            if word and len(term) < TRANSLATION_MIN_LETTERS:
                continue
            if word and material and language in COMPOUND_TAILS:
                modifiers[(language, term)] = None
            if word and language in COMPOUNDING_LANGUAGES and len(term) >= HEAD_MIN_LETTERS:
                heads[term] = None
            elif term not in seen:
                whole[term] = None
        out.append(
            replace(p, translations=tuple(whole), heads=tuple(heads), modifiers=tuple(modifiers))
        )
    return out


def configured_files() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The facilitator's pattern and exchange files named in ``SIDESTREAM_EXTRA_PATTERNS`` and
    ``SIDESTREAM_EXTRA_EXCHANGES`` (paths separated by the system's path separator)."""
    settings = get_settings()
    split = [
        tuple(p.strip() for p in raw.split(os.pathsep) if p.strip())
        for raw in (settings.extra_patterns, settings.extra_exchanges)
    ]
    return split[0], split[1]


def platform_knowledge_base() -> KnowledgeBase:
    """The knowledge the platform matches with: the bundled base plus the configured files.

    Raises ``ValueError`` naming the file, line and field when a configured file is invalid.
    """
    return _extended(*configured_files())


@lru_cache(maxsize=4)
def _extended(patterns: tuple[str, ...], exchanges: tuple[str, ...]) -> KnowledgeBase:
    return load_knowledge_base(patterns, exchanges)


def load_knowledge_base(
    extra_patterns: Sequence[Path | str] = (), extra_exchanges: Sequence[Path | str] = ()
) -> KnowledgeBase:
    """The bundled knowledge base extended with a facilitator's own pattern/exchange files."""
    kb = default_knowledge_base()
    for path in extra_patterns:
        patterns = load_patterns(path)
        clash = sorted({p.id for p in patterns} & {p.id for p in kb.patterns})
        if clash:
            raise ValueError(f"{path}: id {clash[0]!r} is already a pattern of the knowledge base")
        kb = kb.with_patterns(patterns)
    for path in extra_exchanges:
        exchanges = load_exchanges(path)
        reused = reused_cases(exchanges, kb)
        if reused:
            raise ValueError(f"{path}: {reused[0]}")
        kb = kb.with_exchanges(exchanges)
    return kb


def reused_cases(exchanges: Iterable[Exchange], kb: KnowledgeBase) -> list[str]:
    """Why each case of a facilitator's ``exchanges`` already in ``kb`` is refused: its rows
    would be read as that case's, and cited so."""
    known = {e.case_id for e in kb.exchanges}
    return [
        f"case_id {case!r} is already a case of the knowledge base: give your cases ids of "
        "their own (e.g. 'kalundborg-2024')"
        for case in sorted({e.case_id for e in exchanges} & known)
    ]
