"""A small detector for the ten languages the classifier knows, by function words and letters."""

from __future__ import annotations

from functools import lru_cache

from sidestream.classify.lexicon import LANGUAGES, synonym_terms
from sidestream.classify.text import fold

_FUNCTION_WORDS: dict[str, str] = {
    "en": "the and of from our with for per about waste used a is to in",
    "da": "og fra vores med af til om er en et det pr ca ugen",
    "sv": "och från vår vårt med av till om är en ett det per",
    "no": "og fra vår vårt med av til om er en et det per",
    "sl": "in iz za na od pri je ki z s po iz",
    "de": "und aus der die das dem den mit von für pro ca unsere unserer",
    "it": "di da della dalla dei delle con per il la le e al alla",
    "pl": "i z ze od do na dla w oraz po",
    "lv": "no un ar par uz kas ir",
    "fi": "ja sekä noin vuodessa kuukaudessa",
}
#: Frequent inflection endings (Finnish cases, Latvian/Polish/Slovenian nominal endings).
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "fi": ("sta", "stä", "ssa", "ssä", "lta", "ltä", "lla", "llä", "aa", "ää", "ta", "tä"),
    "lv": ("šana", "šanas", "ības", "ais", "ā"),
    "pl": ("ów", "ych", "ami", "ego", "ej"),
}
_LETTERS: dict[str, str] = {
    "da": "æø",
    "no": "æø",
    "sv": "äöå",
    "fi": "äö",
    "de": "äöüß",
    "pl": "ąćęłńśźż",
    "lv": "āēīūķļņģ",
    "sl": "čšž",
    "it": "àèéìòù",
}


@lru_cache
def _vocabulary() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for term in synonym_terms():
        out[term.language].update(w for w in fold(term.text).split() if len(w) > 3)
    return {lang: frozenset(words) for lang, words in out.items()}


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the most likely of the ten languages, or ``None`` if unsure."""
    lowered = text.casefold()
    tokens = lowered.split()
    folded = fold(text).split()
    scores: dict[str, float] = {}
    for lang in LANGUAGES:
        function = set(_FUNCTION_WORDS.get(lang, "").split())
        score = 2.0 * sum(token.strip(".,;:()") in function for token in tokens)
        score += sum(ch in _LETTERS.get(lang, "") for ch in lowered) * 0.5
        score += 1.5 * sum(word in _vocabulary()[lang] for word in folded)
        endings = _SUFFIXES.get(lang, ())
        score += 0.75 * sum(len(t) > 4 and t.strip(".,;:()").endswith(endings) for t in tokens)
        scores[lang] = score
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < 1.5 or ranked[0] == ranked[1]:
        return None
    return best
