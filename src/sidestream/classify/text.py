"""Input checks and text normalisation shared by the lexical and semantic scorers."""

from __future__ import annotations

import re
import unicodedata

#: Longer descriptions are cut to this many characters (with a warning) before scoring.
MAX_TEXT_CHARS = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NON_WORD = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\d+")
#: Letters that Unicode decomposition does not fold to ASCII.
_FOLD = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "œ": "oe", "ı": "i"})


def check_text(text: object) -> tuple[str, list[str]]:
    """Validate free text and return it cleaned, with warnings.

    Raises ``ValueError`` naming the field ``text`` when the input is not a string, is empty,
    looks binary or holds no letters. Over-long text is truncated with a warning.
    """
    if not isinstance(text, str):
        raise ValueError(f"text: expected a string, got {type(text).__name__}")
    if "\x00" in text:
        raise ValueError("text: contains NUL bytes (binary data?)")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 20):
        raise ValueError(f"text: contains {controls} control characters (binary data?)")
    cleaned = " ".join(_CONTROL.sub(" ", text).split())
    if not cleaned:
        raise ValueError("text: must not be empty")
    if not any(ch.isalpha() for ch in cleaned):
        raise ValueError("text: contains no words to classify")
    warnings: list[str] = []
    if len(cleaned) > MAX_TEXT_CHARS:
        warnings.append(
            f"text: {len(cleaned)} characters; only the first {MAX_TEXT_CHARS} were classified"
        )
        cleaned = cleaned[:MAX_TEXT_CHARS]
    return cleaned, warnings


def fold_letters(text: str) -> str:
    """Lower-case and strip accents, folding the letters decomposition leaves (``ł``, ``ø``,
    ``æ``, ``ß``...), so spellings across languages meet: ``'Popiół'`` -> ``'popiol'``."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation: ``'Sägespäne, 5 t'`` -> ``'sagespane t'``."""
    text = fold_letters(text)
    text = _DIGITS.sub(" ", _NON_WORD.sub(" ", text.replace("_", " ")))
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Folded words of ``text``."""
    return fold(text).split()
