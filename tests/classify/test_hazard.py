"""A description that says its waste is hazardous chooses the hazardous side of a mirror pair."""

from __future__ import annotations

import pytest

from sidestream.classify.engine import Classifier, mirror_counterparts
from sidestream.classify.hazard import names_a_hazard
from sidestream.classify.service import classify_all_codes


@pytest.mark.parametrize(
    ("text", "hazard"),
    [
        ("soil and stones containing hazardous substances", True),
        ("Brake pads containing asbestos", True),
        ("forurenet jord", True),
        ("forurenset jord", True),  # Norwegian: "forurene" was no start of it
        ("kontaminierter Boden", True),
        ("nevarni odpadki", True),
        ("non-hazardous sludge", False),
        ("ikke farligt affald", False),
        ("ungefährliche Abfälle", False),
        ("asbestos-free brake pads", False),
        ("asbestfreie Platten", False),
        ("free of hazardous substances", False),
        ("fly ash", False),
    ],
)
def test_hazard_words_and_their_denials(text: str, hazard: bool) -> None:
    assert names_a_hazard(text) is hazard


@pytest.mark.parametrize(
    ("text", "hazardous", "other"),
    [
        # the entries' own labels went to the other side of the pair at 0.9 (stop 30 review)
        ("soil and stones containing hazardous substances", "170503", "170504"),
        ("Brake pads containing asbestos", "160111", "160112"),
        ("Dredging spoil containing hazardous substances", "170505", "170506"),
    ],
)
def test_a_hazard_named_puts_the_hazardous_side_first(
    e5_classifier: Classifier, text: str, hazardous: str, other: str
) -> None:
    codes = [s.code for s in classify_all_codes(text, top=3, classifier=e5_classifier).suggestions]
    assert codes.index(hazardous) < codes.index(other)
    plain = text.split(" containing")[0]
    assert classify_all_codes(plain, top=1, classifier=e5_classifier).suggestions[0].code == other


@pytest.mark.parametrize(
    "text", ["forurenet jord", "förorenad jord", "kontaminierter Boden", "zanieczyszczona gleba"]
)
def test_contaminated_soil_in_other_languages(e5_classifier: Classifier, text: str) -> None:
    best = classify_all_codes(text, top=1, classifier=e5_classifier).suggestions[0]
    assert best.code == "170503"


@pytest.mark.parametrize(
    ("text", "hazardous", "other"),
    [
        # pairs whose wording names no code (mirror_pairs.csv): concrete stayed 17 01 01 first
        ("concrete contaminated with PCB from demolition", "170106", "170101"),
        ("demolition wood, hazardous (creosote)", "170204", "170201"),
    ],
)
def test_a_listed_mirror_pair_puts_the_hazardous_side_first(
    e5_classifier: Classifier, text: str, hazardous: str, other: str
) -> None:
    codes = [s.code for s in classify_all_codes(text, top=3, classifier=e5_classifier).suggestions]
    assert codes[:2] == [hazardous, other], codes


def test_every_construction_metal_has_its_hazardous_counterpart() -> None:
    pairs = mirror_counterparts()
    assert all(pairs[code] == ("170409",) for code in ("170401", "170405", "170407"))
    assert set(pairs["170106"]) == {"170101", "170102", "170103", "170107"}
