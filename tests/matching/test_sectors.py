"""Receiving-sector recommendations on obvious inputs, and the knowledge-base files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sidestream.matching.knowledge import load_knowledge_base, load_patterns, nace_classes_in
from sidestream.matching.sectors import recommend_sectors


def _top(description: str, code: str | None = None, k: int = 5) -> list[str]:
    return [r.nace for r in recommend_sectors(description, code, top=k)]


def test_fly_ash_goes_to_cement() -> None:
    assert "2351" in _top("fly ash from a coal power plant")
    assert "2351" in _top("Flugasche", k=5)


def test_words_written_without_their_polish_letters_meet_the_keywords() -> None:
    """Typed on a keyboard without Polish letters, "Popiol" is the keyword "popiół"."""
    best = recommend_sectors("Popiol lotny", top=1)[0]
    assert best.nace == "2351"
    assert "matched 'Popiol lotny'" in best.why


def test_fgd_gypsum_goes_to_plaster() -> None:
    assert "2362" in _top("gypsum from flue gas desulphurisation", "100105")


def test_surplus_heat_goes_to_greenhouses_or_district_heating() -> None:
    top = _top("surplus heat, hot water 60 C", k=5)
    assert {"0113", "3530"} & set(top)


def test_a_bare_word_for_heat_names_the_heat_uses_when_no_kind_is_given() -> None:
    """Heat as a company writes it in a file without a kind ("Heat 45 C"): warm-water uses, not the
    documented power plant that took heat from an ethanol plant."""
    top = _top("Heat 45 C", k=3)
    assert "0113" in top and "3511" not in top
    # a LoW code says material; a heat word in equipment, a source or a code's wording is none
    assert _top("Transformer oil", "130307", k=1) == ["1920"]  # re-refining, not greenhouses
    from sidestream.matching.schemas import PatternEvidence
    from sidestream.matching.sectors import sector_model

    model = sector_model()
    heat_uses = {model.kb.patterns[i].id for i in model._heat_uses}
    for material in ("Ash from heating plant", "Heating radiators, cast iron", "Heat resistant "
                     "bricks", "Heat transfer oil, used", "Old heat meters"):  # fmt: skip
        named = {e.pattern for r in recommend_sectors(material, top=5) for e in r.evidence
                 if isinstance(e, PatternEvidence)}  # fmt: skip
        assert not named & heat_uses, material
        assert "0113" not in _top(material, k=1), material


def test_cold_from_lng_regasification_goes_to_cold_stores_and_air_separation() -> None:
    """Only where it comes from names it: the whole text is read."""
    top = [r.nace for r in recommend_sectors("Cold from LNG regasification", kind="energy", top=2)]
    assert set(top) == {"2011", "5210"}


def test_whey_and_spent_grain_go_to_feed_or_biogas() -> None:
    assert {"1091", "3521"} <= set(_top("whey from cheese making", k=5))
    assert "1091" in _top("brewers spent grain", k=5)


def test_recommendation_carries_reason_and_evidence() -> None:
    [best] = recommend_sectors("coal fly ash", "100102", donor_nace="3511", top=1)
    assert best.nace == "2351" and 0 < best.score <= 1
    assert "cement" in best.why.lower()
    assert any(e.type == "exchange" for e in best.evidence)
    assert any(e.type == "pattern" for e in best.evidence)


def test_only_alike_documented_materials_are_shown_as_cases() -> None:
    """Cases are evidence only when their material resembles the stream's: "sawdust" is not
    supported by a documented exchange of waste water, however the classes rank."""
    for text in ("sawdust", "whey from cheese production", "surplus heat at 30 °C"):
        for rec in recommend_sectors(text, top=10):
            cases = [e for e in rec.evidence if e.type == "exchange"]
            assert all(e.similarity >= 0.5 for e in cases), (text, rec.nace, cases)
    [ash] = recommend_sectors("coal fly ash", top=1)
    assert next(e.material for e in ash.evidence if e.type == "exchange") == "Fly ash"


def test_nace_fields_are_normalised() -> None:
    assert nace_classes_in("011/012") == ("0110", "0120")
    assert nace_classes_in("23.51") == ("2351",)
    assert nace_classes_in("") == ()


def test_extra_patterns_file(tmp_path: Path) -> None:
    extra = tmp_path / "mine.csv"
    extra.write_text(
        "id,waste_codes,keywords,receiver_nace,typical_use,source\n"
        "grounds-cosmetics,,spent coffee,2042,exfoliant in soaps,local trial 2024\n",
        encoding="utf-8",
    )
    kb = load_knowledge_base(extra_patterns=[extra])
    top = [r.nace for r in recommend_sectors("spent coffee", top=5, kb=kb)]
    assert "2042" in top


def test_bad_patterns_file_names_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,waste_codes,keywords,receiver_nace,typical_use,source\nx,,ash,23,use,src\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="line 2: receiver_nace"):
        load_patterns(bad)


def test_unreadable_descriptions_get_the_classifiers_family_hint() -> None:
    from sidestream.matching.sectors import SectorQuery, sector_model, with_inferred_code

    model = sector_model()
    latvian = "Alus drabiņas no alus darītavas"  # a language the keywords are not written in
    hinted = with_inferred_code(SectorQuery(latvian), model)
    assert hinted.waste_code == "0207"  # sub-chapter of 02 07 04 (brewing), a family hint
    assert "1091" in [r.nace for r in recommend_sectors(latvian, top=5)]  # animal feed
    for readable in (SectorQuery("fly ash"), SectorQuery("Pivske tropine iz pivovarne")):
        assert with_inferred_code(readable, model) is readable  # English; Slovenian keywords
    given = SectorQuery("sågspån", waste_code="030105")
    assert with_inferred_code(given, model) is given
    top = [r.nace for r in recommend_sectors("Pivske tropine iz pivovarne", top=5)]
    assert "1091" in top  # animal feed, as for spent grain written in English
    assert not model.reads("alus")  # a short keyword ('alu') takes no plural: Latvian beer
    for everyday in ("para ser reutilizados", "vi har overskud", "Kunststoffstreifen"):
        assert not model._pattern_hits(everyday, None), everyday  # short words, short heads
    hits = model._pattern_hits("Prozessabwärme 60 °C", None, kind="energy")
    assert "3530" in hits and hits["3530"][0].matched == "'Prozessabwärme'"  # as written, whole
    for compound in ("Polystyrolabfälle", "polystyreenijäte", "Polystyrenavfall"):
        top = [r.nace for r in recommend_sectors(compound, top=3)]
        assert "2229" in top, compound  # plastics products, as for "polystyrene waste"
    assert not model._pattern_hits("Papierschlamm", None).get("1712")  # sludge is no paper
    speise = model._pattern_hits("Speiseabfälle, 20 t/Jahr", None, kind="material")
    assert "2443" not in speise  # Danish "speise" (lead matte) does not end in German "abfälle"
    assert not model._pattern_hits("höyryjäte", None)  # a waste tail names no steam or heat


def test_a_use_that_needs_hotter_heat_is_skipped(tmp_path: Path) -> None:
    from sidestream.matching.sectors import sector_model, temperature_in

    assert temperature_in("surplus heat at 45 °C") == 45.0
    assert temperature_in("Kühlwasser 28,5°C") == 28.5
    assert temperature_in("90 degrees C exhaust") == 90.0
    assert temperature_in("heat, temperature unknown") is None
    assert temperature_in("Low-temperature heat (25-35 °C)") == 35.0  # a range, not -35
    assert temperature_in("cold store at -25°C") == -25.0
    assert temperature_in("flue gas at 1,200 °C") == temperature_in("1.200 °C") == 1200.0
    written = ["Heat 45 C", "Agua caliente 45 ºC", "45 ℃", "45 degC", "45 Celsius", "−5-45 °C",
               "Abwärme 45 Grad", "Spildvarme 45 grader", "Restwarmte 45 graden", "45°C-30°C",
               "Abwärme 45/30 °C", "Waste heat 45 °C, ΔT 10 °C"]  # fmt: skip
    assert {temperature_in(t) for t in written} == {45.0}
    assert temperature_in("Process heat 60-120 °C", lowest=True) == 60.0  # the least it takes
    assert temperature_in("Hot water 140 °F") == 60.0
    not_temperatures = [
        "Grade 3 C-rated",
        "Vitamin C",
        "Copper 45 Cu",
        "Heat, Industrivej 12C",
        "Varme fra hal 3 C",
        "Heat 24/7 C",
        "Waste heat 2 MW, ΔT 10 °C",
    ]
    assert [temperature_in(t) for t in not_temperatures] == [None] * len(not_temperatures)
    orc = next(p for p in load_patterns() if p.id == "heat-orc-power")
    assert orc.min_temperature_c == 80
    model = sector_model()
    cold = model._pattern_hits("surplus heat at 45 °C", None, 45.0)
    hot = model._pattern_hits("surplus heat at 250 °C", None, 250.0)
    unknown = model._pattern_hits("surplus heat", None, None)
    assert "3511" not in cold and "3511" in hot and "3511" in unknown
    assert "0113" in cold  # greenhouses take warm water
    # 45 °C is short of district heating's 55 °C: a heat pump closes the gap, at lower strength
    [lifted] = cold["3530"]
    assert "with a heat pump (45 → 55 °C, COP" in lifted.matched
    [direct] = hot["3530"]
    assert 0.4 * direct.strength < lifted.strength < 0.7 * direct.strength
    assert "3530" not in model._pattern_hits("surplus heat at 4 °C", None, 4.0)  # 51 K lift
    cold_text = [r.nace for r in recommend_sectors("surplus heat at 45 °C", top=3)]
    cold_given = [r.nace for r in recommend_sectors("surplus heat", top=3, temperature_c=45)]
    assert "3511" not in cold_text and cold_text == cold_given
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,waste_codes,keywords,receiver_nace,typical_use,source,min_temperature_c\n"
        "x,,steam,2014,use,src,hot\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="line 2: min_temperature_c must be a number"):
        load_patterns(bad)
    for value in ("nan", "inf", "-500", "1e308"):  # read as numbers, none a temperature
        bad.write_text(
            "id,waste_codes,keywords,receiver_nace,typical_use,source,min_temperature_c\n"
            f"x,,steam,2014,use,src,{value}\n",
            encoding="utf-8",
        )
        with pytest.raises(ValueError, match="min_temperature_c must be a number from -50"):
            load_patterns(bad)


def test_a_stream_of_known_kind_skips_patterns_written_for_other_kinds(tmp_path: Path) -> None:
    from sidestream.matching.sectors import sector_model

    model = sector_model()
    text = "surplus heat, cooling and waste water"
    anyhow = model._pattern_hits(text, None)
    heat = model._pattern_hits(text, None, kind="energy")
    water = model._pattern_hits(text, None, kind="water")
    material = model._pattern_hits(text, None, kind="material")
    assert "3821" in anyhow and "3821" not in heat  # waste water digestion: water, not heat
    assert "3530" in heat and "3530" in water  # warm water carries heat
    assert "3530" not in material and "3821" in material  # effluent registered as a waste
    as_energy = model._pattern_hits("sawdust", None, kind="energy")
    as_any = model._pattern_hits("sawdust", None)
    assert as_energy == {  # rows without kinds apply to every physical kind ...
        c: hits for c, hits in as_any.items() if c not in model.group_of.values()
    }  # (groups get credit for materials only)
    assert "1610" not in model._pattern_hits("sawdust", None, kind="capacity")  # ... only
    found = recommend_sectors("surplus heat", temperature_c=45, kind="energy", top=20)
    district = next(r for r in found if r.nace == "3530")
    lifts = [e.heat_pump for e in district.evidence if getattr(e, "heat_pump", None)]
    assert lifts and lifts[0].source_c == 45 and lifts[0].sink_c == 55 and lifts[0].cop > 5
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,waste_codes,keywords,receiver_nace,typical_use,source,kinds\n"
        "x,,steam,2014,use,src,energy gas\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="line 2: kinds 'gas' is not one of material, energy"):
        load_patterns(bad)


def test_capacity_service_and_knowledge_get_only_the_patterns_naming_their_kind() -> None:
    """The documented exchanges are all of matter: they neither rank nor support a spare
    warehouse, however alike its words; its uses come from the patterns written for capacity."""
    from sidestream.matching.knowledge import default_knowledge_base

    kinds = {p.id: p.kinds for p in default_knowledge_base().patterns}
    space = "spare storage capacity, 2,000 m2 of cold storage next to the wood yard, sawdust"
    for kind in ("capacity", "service", "knowledge"):
        found = recommend_sectors(space, waste_code="030105", kind=kind, top=10)
        evidence = [e for r in found for e in r.evidence]
        assert all(e.type == "pattern" and kind in kinds[e.pattern] for e in evidence), kind
    found = recommend_sectors(space, kind="capacity", top=3)
    assert found[0].nace == "5210" and found[0].evidence  # warehousing and storage
    assert not any("documented symbiosis cases" in r.why for r in found)
    oil = recommend_sectors("used cooking oil from our canteen", kind="service", top=5)
    assert {"1920", "2059", "3811"}.isdisjoint(r.nace for r in oil)  # not even semantically
    as_material = recommend_sectors(space, waste_code="030105", kind="material", top=10)
    assert any(getattr(e, "case", None) for r in as_material for e in r.evidence)
    slovene = recommend_sectors("Prosta hladilniška kapaciteta (+4 °C)", kind="capacity", top=3)
    assert slovene and slovene[0].nace == "5210"  # the singular, as a company writes it
    know_how = recommend_sectors("Know-how in vibration analysis", kind="knowledge", top=8)
    assert know_how and len(know_how) < 8  # what nothing suggests is not listed at 0.000
    assert all(r.score > 0 for r in know_how)


def test_pattern_lookup_finds_exactly_what_every_pattern_finds() -> None:
    """The word and prefix lookups give the same hits as trying every pattern on the text."""
    from sidestream.matching.knowledge import COMPOUND_TAILS, default_knowledge_base
    from sidestream.matching.sectors import sector_model
    from sidestream.matching.text import normalise_text, original_words, without_sources

    model = sector_model()
    kb = default_knowledge_base()
    phrases = [f"some {k}s and {k}es, more" for p in kb.patterns for k in p.keywords]
    phrases += [f"{k}, more" for p in kb.patterns for k in p.translations]
    phrases += [f"stein{k} und {k}s" for p in kb.patterns for k in p.heads]  # compound words
    phrases += [f"{k}s{COMPOUND_TAILS[lang][0]}, {k}jate" for p in kb.patterns
                for lang, k in p.modifiers]  # fmt: skip
    # where it comes from is not read (test_a_stream_is_read_for_what_it_is)
    read_whole = [t for t in phrases if without_sources(t) == normalise_text(t)]
    assert len(read_whole) > 0.9 * len(phrases)
    # six phrases a text: every keyword is tried, and the earliest of several hits must win
    texts = [e.text for e in kb.exchanges if without_sources(e.text) == normalise_text(e.text)]
    texts += ["; ".join(read_whole[i : i + 6]) for i in range(0, len(read_whole), 6)]
    texts += ["Fly-ash (dry), sawdust; CO2 & spent grains!", "", "x"]
    codes = [None, "100102", "02", "0202", "020204", "1001", "170504", "190805"]
    # a keyword can only be found where it stands in the text as letters: only those patterns
    # are tried (first three letters, then the whole word: not the word lookups under test)
    spelt = {p.id: {*p.keywords, *p.translations, *p.heads, *(w for _, w in p.modifiers)}
             for p in kb.patterns}  # fmt: skip
    starts = {i: {w[:3] for w in words} for i, words in spelt.items()}
    always = {i for i, s in starts.items() if any(len(w) < 3 for w in s)}
    for i, text in enumerate(texts):
        assert without_sources(text) == normalise_text(text), text
        code = codes[i % len(codes)]
        norm = normalise_text(text)
        letters = {norm[j : j + 3] for j in range(len(norm) - 2)}
        # a keyword's words may be joined by a space or a hyphen, or a hyphen left out
        spaced, closed = norm.replace("-", " "), norm.replace("-", "")
        expected: dict[str, list[tuple[str, str]]] = {}
        for p in kb.patterns:
            prefixes = [c for c in p.waste_codes if code and code.startswith(c)]
            if not prefixes and (
                (p.id not in always and letters.isdisjoint(starts[p.id]))
                or not any(
                    w.replace("-", " ") in spaced or w.replace("-", "") in closed
                    for w in spelt[p.id]
                )
            ):
                continue
            at = None if prefixes else p.keyword_at(norm)
            keyword = at[1] if at else None
            if prefixes:
                what = f"code {max(prefixes, key=len)}"
            elif keyword:
                what = f"'{original_words(text, keyword)}'"
            else:
                continue
            expected.setdefault(p.receiver_nace, []).append((p.id, what))
        found = model._pattern_hits(text, code)
        got = {  # (hits for a pattern's class, not the group credit of its padded group)
            c: [(h.pattern.id, h.matched) for h in hits if h.pattern.receiver_nace == c]
            for c, hits in found.items()
        }
        assert {c: h for c, h in got.items() if h} == expected, text


def test_a_dropped_model_is_freed() -> None:
    """Per-model caches: evaluation folds and reconfigured bases do not pile up models."""
    import gc
    import weakref

    from sidestream.matching.knowledge import default_knowledge_base
    from sidestream.matching.sectors import SectorModel, SectorQuery

    kb = default_knowledge_base()
    model = SectorModel(kb.without_cases([kb.exchanges[0].case_id]))
    model.score([SectorQuery("coal fly ash", "100102", "3511")])
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_a_pattern_naming_a_class_also_names_its_group_written_as_a_class() -> None:
    from sidestream.matching.sectors import sector_model
    from sidestream.matching.weights import GROUP_CREDIT

    model = sector_model()
    assert model.group_of["0111"] == "0110"  # documented receivers "Agriculture, 011/012"
    assert "0510" not in model.group_of.values()  # 05.10 is a class, not a padded group
    hits = model._pattern_hits("digestate", "190606")
    [crops] = [h for h in hits["0111"] if h.pattern.id == "manure-crops"]
    [group] = [h for h in hits["0110"] if h.pattern.id == "manure-crops"]
    assert group.strength == pytest.approx(GROUP_CREDIT * crops.strength)
    assert "for class 01.11 of this group" in group.matched
    irrigation = "treated process water for irrigation of greenhouse vegetables"
    assert "0110" in model._pattern_hits(irrigation, None)  # it might be a material
    assert "0110" not in model._pattern_hits(irrigation, None, kind="water")  # one installation
    ranked = recommend_sectors("Digestate", "190606", top=10)
    agriculture = next(r for r in ranked if r.nace == "0110")
    assert "for class 01.11 of this group" in agriculture.why


def test_the_query_repeats_no_wording_the_description_says_in_whole_words() -> None:
    """A title copied from its LoW entry is not doubled; a word inside another is not the
    wording ("Fibreglass" does not say "Glass")."""
    from sidestream.matching.sectors import SectorQuery, query_text

    assert query_text(SectorQuery("Glass"), "170202") == "Glass"
    assert (
        query_text(SectorQuery("Fibreglass boat hulls"), "170202") == "Fibreglass boat hulls\nGlass"
    )
    assert query_text(SectorQuery("Sawdust"), None) == "Sawdust"


def test_a_stream_is_read_for_what_it_is() -> None:
    """ "Heat from our biogas plant" is heat, not biogas; cooling water from it is water; a
    material's source says what it is ("Sludge from a paper mill"). What a stream is for
    names who could use it. In a stream stated as energy that names nothing else, a bare word
    for heat names the heat uses ("Heat 70 °C"; "heat-treated" names a material)."""
    from sidestream.matching.sectors import sector_model

    model = sector_model()

    def named(text: str, kind: str | None) -> set[str]:
        return {h.pattern.id for hits in model._pattern_hits(text, None, kind=kind).values()
                for h in hits}  # fmt: skip

    water = named("Cooling water from the biogas plant", "water")
    assert "water-power" in water and "biogas-upgrading" not in water
    assert "paper-mill" in named("Sludge from a paper mill", "material")
    for text in ("Heat from our biogas plant", "Wärme aus der Biogasanlage", "Heat 70 °C",
                 "From our biogas plant: heat", "Toplota iz bioplinarne"):  # fmt: skip
        hits = model._pattern_hits(text, None, kind="energy")
        assert {"0113", "3530"} <= hits.keys() and "3522" not in hits, text
        assert hits["0113"][0].matched in ("'Heat'", "'Wärme'", "'heat'", "'Toplota'"), text
        top = [r.nace for r in recommend_sectors(text, kind="energy", top=5)]
        assert "0113" in top, (text, top)
    assert not named("Heat-treated pallets", "energy") & {"heat-greenhouse", "heat-district"}
    # the words for heat are the forms of energy's (carriers.py): compounds too, no equipment
    assert "heat-greenhouse" in named("Prozesswärme 90 °C", "energy")
    assert not named("Heat exchanger", "energy")
    assert "heat-greenhouse" not in named("Biogas for heat and power", "energy")  # a fuel
    assert not model._pattern_hits("Heat 70 °C", None)  # a kind not stated: "heat" is no keyword
    assert "0113" not in model._pattern_hits("Heat-treated pallets", None)  # pallets, wood
    surplus = model._pattern_hits("Surplus heat, 30 °C", None, kind="energy")
    assert "0113" in surplus and "0321" not in surplus  # a bare word only where no keyword is
    # nothing named outside where it comes from: the whole text
    assert "3522" in model._pattern_hits("Gas from our digester: biogas", None, kind="energy")
    water = model._pattern_hits("Treated process water for irrigation", None, kind="water")
    assert "0111" in water  # what it is for: crop growing, a user of irrigation water


def test_a_receiver_recorded_as_a_division_or_group_corroborates_a_known_use_of_its_class() -> None:
    """Case 9 documents steam taken by "Pharmaceutical, 21": with case 4's own 21.10 receiver
    held out, the known use of steam by 21.10 has that case behind it, said as recorded. It
    names no class by itself: fly ash to "Agroindustry, 01" is no case for greenhouses."""
    from sidestream.matching.knowledge import default_knowledge_base
    from sidestream.matching.schemas import ExchangeEvidence

    kb = default_knowledge_base().without_cases(["4"])
    steam = next(e for e in kb.exchanges if e.case_id == "9" and e.material == "Steam")
    assert steam.receiver_scopes == ("21",) and steam.received_within("2110") == "21"
    assert steam.received_within("2011") is None and steam.received_within("2100") is None
    [pharma] = [r for r in recommend_sectors("Steam", donor_nace="3511", kb=kb) if r.nace == "2110"]
    cases = [e for e in pharma.evidence if isinstance(e, ExchangeEvidence)]
    assert [(e.case, e.receiver, e.receiver_recorded_as) for e in cases] == [
        ("9", "Pharmaceutical", "21")
    ]
    assert "to Pharmaceutical (recorded only as NACE 21) for process heat" in pharma.why
    feed = recommend_sectors("Distillers dried grains with solubles", top=10)
    pigs = next(r for r in feed if r.nace == "0146")  # "Animal raising, 0140": a padded group
    assert any(getattr(e, "receiver_recorded_as", None) == "01.4" for e in pigs.evidence)
    ash = recommend_sectors("Fly ash", top=20)
    assert not any(getattr(e, "receiver_recorded_as", None) for r in ash for e in r.evidence)
    assert "0113" not in [r.nace for r in ash[:10]]


def test_a_keyword_counts_by_how_near_it_comes_to_the_nearest_one() -> None:
    """Multilingual embeddings find most short texts alike: "Fuel gas" is 0.68 alike "flue gas"
    (a greenhouse's CO2) beside 0.93 alike "fuel gas"; in a ranking of classes what counts is
    the shortfall, in a listing's evidence for one class the similarity itself."""
    from sidestream.matching.sectors import SectorQuery, sector_model
    from sidestream.matching.weights import SEMANTIC_PATTERN_MARGIN

    model = sector_model()
    semantic = model.score([SectorQuery("Fuel gas")]).components["semantic_pattern"][0]
    power, greenhouse = semantic[model.col["3511"]], semantic[model.col["0113"]]
    assert power == pytest.approx(semantic.max()) and power > 0.9
    shortfall = 0.93 - 0.68
    assert greenhouse == pytest.approx(0.68 - SEMANTIC_PATTERN_MARGIN * shortfall, abs=0.02)
    assert semantic.min() == 0.0  # far keywords count nothing, not less than nothing
    named = model.score([SectorQuery("Trockenklärschlamm")])  # "klärschlamm": every use of it
    raw = model.score([SectorQuery("Trockenklärschlamm")], ranking=False)
    kept = named.components["pattern"][0] > 0
    assert kept.sum() > 3 and np.array_equal(
        named.components["semantic_pattern"][0][kept], raw.components["semantic_pattern"][0][kept]
    )  # which of a named class's keywords is spelt in German is chance, not a shortfall
    alone = model.score([SectorQuery("Fuel gas")], ranking=False).components["semantic_pattern"]
    assert alone[0, model.col["0113"]] == pytest.approx(0.68, abs=0.02)  # a listing's evidence


def test_substitutes_are_materials_one_class_takes_for_the_same_function() -> None:
    """Tyres and RDF are both fuel in a cement kiln (their uses' words are only 0.4 alike),
    GGBS and fly ash both clinker substitutes; gypsum, the set retarder, is no kiln fuel, and
    fuel in a kiln is no fuel in a power plant's boiler for this rule (another class)."""
    from sidestream.matching.knowledge import default_knowledge_base
    from sidestream.matching.sectors import substitutes

    patterns = default_knowledge_base().patterns
    at = {p.id: i for i, p in enumerate(patterns)}
    alike = substitutes(patterns).toarray() > 0

    def same(a: str, b: str) -> bool:
        return bool(alike[at[a], at[b]])

    assert same("tyres-cement", "plastics-cement-fuel")
    assert same("slag-bf-cement", "ash-coal-cement")
    assert not same("gypsum-cement", "plastics-cement-fuel")
    assert not same("rdf-power", "plastics-cement-fuel")
    assert (alike == alike.T).all()
