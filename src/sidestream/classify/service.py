"""Public classification service: free text to LoW codes, resource kind and unit."""

from __future__ import annotations

from functools import lru_cache

from sidestream.classify.backends import load_backend
from sidestream.classify.calibration import calibrate
from sidestream.classify.engine import Classifier, mirror_counterparts
from sidestream.classify.kinds import find_kind_terms
from sidestream.classify.language import detect_language
from sidestream.classify.lexicon import synonyms_by_code
from sidestream.classify.schemas import Classification, CodeSuggestion, Evidence
from sidestream.classify.text import check_text, fold
from sidestream.config import get_settings
from sidestream.taxonomy.kinds import CANONICAL_UNIT, Kind
from sidestream.taxonomy.nace import normalise_nace
from sidestream.taxonomy.waste_codes import waste_codes

MAX_TOP = 20
#: Below this calibrated score a non-material stream shows no code suggestions in the app
#: (web pages, REST API); the command-line contract always lists ``top`` codes.
NON_MATERIAL_MIN_SCORE = 0.5
#: Hazard and mirror warnings are given for the best code and any other scoring at least this.
WARN_MIN_SCORE = 0.5


@lru_cache(maxsize=1)
def get_classifier() -> Classifier:
    """The process-wide classifier, with the backend chosen by the settings."""
    settings = get_settings()
    backend = load_backend(
        settings.classifier_backend, settings.embedding_model_path, settings.embedding_threads
    )
    return Classifier(backend)


def _check_top(top: object) -> int:
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_TOP:
        raise ValueError(f"top: must be an integer from 1 to {MAX_TOP}, got {top!r}")
    return top


def _suggest(classifier: Classifier, text: str, top: int, nace: str | None) -> list[CodeSuggestion]:
    codes = waste_codes()
    out = []
    for ranked in classifier.rank(text, top=top, nace=nace):
        entry = codes[ranked.code]
        out.append(
            CodeSuggestion(
                code=ranked.code,
                score=round(calibrate(ranked.raw, classifier.backend_name), 4),
                label=entry.description,
                hazardous=entry.hazardous,
                mirror=entry.mirror,
                evidence=Evidence(
                    matched=ranked.term.text,
                    source=ranked.term.source,
                    language=ranked.term.language,
                    lexical=round(ranked.lexical, 4),
                    semantic=None if ranked.semantic is None else round(ranked.semantic, 4),
                    nace_boost=ranked.nace_boost,
                    backend=classifier.backend_name,
                ),
            )
        )
    return out


def suggest_codes(
    text: str, top: int = 3, nace: str | None = None, classifier: Classifier | None = None
) -> list[CodeSuggestion]:
    """The ``top`` most likely LoW codes for ``text``, best first, with evidence.

    ``nace`` (e.g. ``'10.51'``) is the company's activity and boosts the matching LoW chapter.
    Raises ``ValueError`` naming the field (``text``, ``top`` or ``nace``) on bad input.
    """
    cleaned, _ = check_text(text)
    nace_code = normalise_nace(nace) if nace else None
    return _suggest(classifier or get_classifier(), cleaned, _check_top(top), nace_code)


#: Calibrated score from which the best code is taken without asking a person (import,
#: sector recommendation for a description without a code).
CONFIDENT_SCORE = 0.5


def confident_code(text: str, nace: str | None = None) -> CodeSuggestion | None:
    """The best code for ``text`` when its calibrated score reaches ``CONFIDENT_SCORE``.

    ``None`` for unusable input (empty text, bad NACE) or when the classifier is unsure.
    """
    try:
        best = suggest_codes(text, top=1, nace=nace)
    except ValueError:
        return None
    return best[0] if best and best[0].score >= CONFIDENT_SCORE else None


def _material_terms(text: str, code: str) -> list[tuple[int, int]]:
    """(position, length) of every synonym of ``code`` found in ``text`` (folded, at a word
    start)."""
    folded = f" {fold(text)}"
    found = []
    for term in synonyms_by_code().get(code, ()):
        position = folded.find(f" {fold(term.text)}")
        if position >= 0:
            found.append((position, len(fold(term.text))))
    return found


#: Words that join two things rather than qualify one: "surplus heat from flue gas cleaning" is
#: heat, "wastewater sludge" and "waste heat boiler fly ash" are materials.
_LINKING_WORDS = frozenset(
    {
        *("from", "for", "of", "to", "in", "at", "on", "with", "and", "or", "by", "via"),  # en
        *("fra", "til", "af", "og", "i", "pa", "med", "eller"),  # da, no (folded)
        *("fran", "av", "till", "och"),  # sv (folded)
        *("aus", "von", "fur", "zur", "zum", "und", "mit", "oder", "im", "am"),  # de (folded)
        *("iz", "za", "z", "s", "ali", "na", "od"),  # sl, pl
        *("da", "di", "per", "e", "con", "del", "della", "dal"),  # it
    }
)

#: The most words between a kind term and a material noun it qualifies ("waste heat boiler fly
#: ash").
_QUALIFIER_GAP_WORDS = 2


def _kind(text: str, suggestions: list[CodeSuggestion]) -> tuple[Kind, str | None]:
    """Non-material kind if a kind term names the stream: it comes before any material synonym
    of the codes suggested (or is longer), and does not only qualify one that follows it."""
    matches = find_kind_terms(text)
    if not matches:
        return Kind.material, None
    first = matches[0]
    start, length = first.position, len(fold(first.term))
    folded = fold(text)
    for s in suggestions[:3]:
        for position, size in _material_terms(text, s.code):
            if (position, -size) < (start, -length):
                return Kind.material, None
            between = folded[start + length : position].split()
            if (
                position >= start + length
                and len(between) <= _QUALIFIER_GAP_WORDS
                and not _LINKING_WORDS.intersection(between)
            ):
                return Kind.material, None
    return first.kind, first.term


def _warnings(suggestions: list[CodeSuggestion]) -> list[str]:
    out = []
    counterparts = mirror_counterparts()
    for rank, s in enumerate(suggestions):
        if rank > 0 and s.score < WARN_MIN_SCORE:
            continue
        if s.hazardous:
            out.append(f"{s.code}: hazardous waste (marked * in the List of Waste)")
        if s.mirror:
            others = ", ".join(counterparts.get(s.code, ())) or "its counterpart"
            out.append(
                f"{s.code}: mirror entry; whether it is hazardous depends on composition, "
                f"check against {others}"
            )
    return out


def classify_all_codes(
    text: str, top: int = 3, nace: str | None = None, classifier: Classifier | None = None
) -> Classification:
    """Classify a side-stream description, always listing exactly ``top`` codes (best first).

    This is the command-line contract (``sidestream classify``): even a stream of heat, water
    or know-how gets the ``top`` nearest LoW entries with their calibrated scores; ``kind``
    and a ``kind:`` warning say that it is probably not a material. Raises ``ValueError``
    naming the field on bad input; text over the length limit is truncated with a warning.
    """
    cleaned, warnings = check_text(text)
    nace_code = normalise_nace(nace) if nace else None
    classifier = classifier or get_classifier()
    suggestions = _suggest(classifier, cleaned, _check_top(top), nace_code)
    kind, kind_term = _kind(cleaned, suggestions)
    if kind is not Kind.material:
        warnings.append(
            f"kind: '{kind_term}' marks a stream of kind '{kind.value}', which usually has "
            "no List of Waste code; the codes listed are only the nearest entries"
        )
    language = detect_language(cleaned)
    if language is None:
        warnings.append(
            "language: not recognised as one of en, da, sv, no, sl, de, it, pl, lv, fi; "
            "codes were matched on shared words only"
        )
    return Classification(
        suggestions=suggestions,
        kind=kind,
        kind_evidence=kind_term,
        canonical_unit=CANONICAL_UNIT.get(kind),
        language=language,
        warnings=warnings + _warnings(suggestions),
    )


def hide_weak_codes(result: Classification) -> Classification:
    """The app's display rule, kept in this one place: a non-material stream (heat, water,
    capacity...) shows only code suggestions scoring at least ``NON_MATERIAL_MIN_SCORE``."""
    if result.kind is Kind.material:
        return result
    kept = [s for s in result.suggestions if s.score >= NON_MATERIAL_MIN_SCORE]
    if len(kept) == len(result.suggestions):
        return result
    warnings = [
        w.replace(
            "the codes listed are only the nearest entries", "weak code suggestions were left out"
        )
        if w.startswith("kind:")
        else w
        for w in result.warnings
        if not _is_code_warning(w) or w.split(":", 1)[0] in {s.code for s in kept}
    ]
    return result.model_copy(update={"suggestions": kept, "warnings": warnings})


def _is_code_warning(warning: str) -> bool:
    head = warning.split(":", 1)[0]
    return len(head) == 6 and head.isdigit()


def classify_stream(
    text: str, top: int = 3, nace: str | None = None, classifier: Classifier | None = None
) -> Classification:
    """Classify a side-stream description: LoW codes, resource kind, canonical unit, warnings.

    Used by the web pages and the REST API: like :func:`classify_all_codes`, but a
    non-material stream keeps only the codes that score well (see :func:`hide_weak_codes`).
    Raises ``ValueError`` naming the field on bad input; text over the length limit is
    truncated and a warning says so.
    """
    return hide_weak_codes(classify_all_codes(text, top=top, nace=nace, classifier=classifier))
