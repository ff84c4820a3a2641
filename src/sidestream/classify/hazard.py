"""Whether a description says its waste is hazardous: the words that choose the hazardous side
of a mirror pair ("soil and stones containing hazardous substances" is 17 05 03*, not 17 05 04)."""

from __future__ import annotations

import re
from functools import lru_cache

from sidestream.classify.text import fold

#: Word starts (folded) that say a waste holds what makes it hazardous, in the ten languages.
HAZARD_WORDS = (
    *("hazardous", "dangerous", "contaminated", "polluted", "asbestos", "pcb"),  # en
    *("farlig", "forurene", "forurens", "asbest"),  # da "forurenet", no "forurenset"
    *("forore", "farliga"),  # sv ("förorenad"; "farlig" above)
    *("gefahrlich", "kontaminiert", "verunreinigt", "schadstoffbelastet"),  # de
    *("vaarallis", "pilaantun", "saastun", "asbesti"),  # fi
    *("niebezpieczn", "zanieczyszczon", "azbest"),  # pl
    *("nevarn", "onesnazen", "kontaminiran"),  # sl
    *("pericolos", "contaminat", "amianto"),  # it
    *("bistam", "piesarnot"),  # lv
)

#: Words up to two before a hazard word that deny it ("non-hazardous", "ikke farligt", "free of
#: hazardous substances"); a prefix written into the word ("ungefährlich", "ufarlig") never
#: matches.
NEGATIONS = frozenset({"non", "not", "no", "ikke", "inte", "ej", "icke", "nicht", "kein",
                       "keine", "ei", "nie", "ne", "brez", "bez", "senza", "without", "free",
                       "fri", "frei", "uden", "utan", "uten", "ohne"})  # fmt: skip
#: Words right after a hazard word that deny it ("asbestos-free", "asbestfrei").
FREE_OF = frozenset({"free", "fri", "frie", "frei", "freie", "freien"})


@lru_cache
def _hazard_word() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, HAZARD_WORDS)) + ")")


def names_a_hazard(text: str) -> bool:
    """Whether ``text`` says the waste is hazardous (a hazard word not denied by the word before
    it)."""
    folded = fold(text)
    for hit in _hazard_word().finditer(folded):
        before = folded[: hit.start()].split()[-2:]
        word, *after = folded[hit.start() :].split(maxsplit=2)
        if (
            NEGATIONS.isdisjoint(before)
            and not FREE_OF.intersection(after[:1])
            and not (word.endswith(tuple(FREE_OF)))
        ):
            return True
    return False
