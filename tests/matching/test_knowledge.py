def test_a_keyword_matches_its_words_joined_by_a_space_or_a_hyphen() -> None:
    """ "refuse derived fuel" finds "Refuse-derived fuel"; "de-inking sludge" finds "deinking
    sludge" and "de inking sludge"."""
    from sidestream.matching.knowledge import default_knowledge_base
    from sidestream.matching.text import normalise_text

    patterns = {p.id: p for p in default_knowledge_base().patterns}
    rdf, paper = patterns["plastics-cement-fuel"], patterns["paper-sludge-cement"]
    assert rdf.keyword_in(normalise_text("Refuse-derived fuel from sorted waste"))
    for text in ("Deinking sludge", "De inking sludge", "De-inking sludge"):
        assert paper.keyword_in(normalise_text(text)), text
