"""The shipped code lists are complete and validated."""

import pytest

from sidestream.taxonomy.nace import format_nace, nace_label, normalise_nace
from sidestream.taxonomy.waste_codes import lookup_waste_code, operations, waste_codes


def test_list_of_waste_is_complete():
    codes = waste_codes()
    assert len(codes) == 842
    assert sum(w.hazardous for w in codes.values()) == 408
    assert len({w.chapter for w in codes.values()}) == 20


def test_lookup_accepts_the_written_forms():
    ash = lookup_waste_code("10 01 02")
    assert ash.code == "100102" and not ash.hazardous
    assert lookup_waste_code("17 06 05*").hazardous
    assert lookup_waste_code("17 06 05*").display == "17 06 05*"


@pytest.mark.parametrize(("raw", "msg"), [("1001", "six-digit"), ("999999", "not in the")])
def test_lookup_rejects_bad_codes(raw, msg):
    with pytest.raises(ValueError, match=msg):
        lookup_waste_code(raw)


def test_mirror_entries_are_flagged():
    assert lookup_waste_code("170503").mirror and lookup_waste_code("170504").mirror


def test_operations():
    ops = operations()
    assert len(ops) == 28 and ops["R1"].kind == "recovery" and ops["D1"].kind == "disposal"


def test_nace():
    assert normalise_nace("23.51") == "2351" == normalise_nace("C23.51")
    assert normalise_nace("16,10") == "1610"  # a phone's decimal keypad in Danish or Swedish
    assert nace_label("2351") == "Manufacture of cement"
    assert format_nace("2351") == "23.51"
    assert format_nace("0110") == "01.1"  # a group written as a class
    with pytest.raises(ValueError, match="not a NACE"):
        normalise_nace("99.99")


def test_nace_rev2_and_rev21_are_both_accepted():
    assert normalise_nace("70.22") == "7022"  # Rev. 2 only
    assert normalise_nace("96.10") == "9610"  # Rev. 2.1 only
    assert nace_label("1629").startswith("Manufacture of other products of wood")


def test_a_group_written_as_a_class_is_told_from_a_class() -> None:
    from sidestream.taxonomy.nace import padded_group

    assert padded_group("0110") == "011" and padded_group("2440") == "244"
    assert padded_group("0510") is None  # 05.10 is a class
    assert padded_group("2100") is None  # a division, not a group
    assert padded_group("2351") is None and padded_group("abc0") is None
    assert padded_group("4510") == "451"  # a group of NACE Rev. 2 only


def test_the_scope_of_a_code_as_case_libraries_write_it() -> None:
    from sidestream.taxonomy.nace import code_scope

    assert code_scope("2351") == "2351" and code_scope("21") == "21" and code_scope("011") == "011"
    assert code_scope("0140") == "014" and code_scope("2440") == "244"  # padded groups
    assert code_scope("2000") == "20" and code_scope("0100") == "01"  # padded divisions
    assert code_scope("3600") == "3600" and code_scope("3900") == "3900"  # classes ending in 00
    assert code_scope("9900") == "9900" and code_scope("0510") == "0510"


def test_titles_in_the_interface_languages() -> None:
    import csv
    from importlib import resources

    from sidestream.taxonomy.nace import nace_classes, nace_title

    path = resources.files("sidestream.taxonomy").joinpath("data", "nace_titles.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    classes = set(nace_classes("2.0"))
    codes = classes | {c[:3] for c in classes} | {c[:2] for c in classes}
    for lang in ("da", "sv", "nb", "sl"):  # every Rev. 2 code, once a language, never empty
        titles = {r["code"]: r["label"] for r in rows if r["language"] == lang}
        assert len(titles) == sum(r["language"] == lang for r in rows), lang
        gaps = {"98", "981", "982", "9810", "9820"} if lang == "nb" else set()  # none in Eurostat's
        assert set(titles) == codes - gaps and all(titles.values()), lang
    assert nace_title("2351") == "Manufacture of cement"
    assert nace_title("2351", "da") == "Fremstilling af cement"
    assert nace_title("2351", "de") == nace_title("2351")  # no German titles: English
    assert nace_title("23", "sv") == "Tillverkning av andra icke-metalliska mineraliska produkter"
    assert nace_title("0110", "nb") == nace_title("011", "nb")  # a group written as a class
    assert nace_title("9810", "nb") == nace_title("9810")  # a gap falls back to English
    assert nace_title("x1") == "x1"
    assert nace_title("23.51", "da") == nace_title("C2351", "da") == "Fremstilling af cement"


def test_titles_are_read_from_eurostat_files(tmp_path) -> None:
    from sidestream.taxonomy.build_nace_titles import read_titles

    path = tmp_path / "NACE_REV2_da.csv"
    path.write_text(
        '"Level","Code","Description","Rulings"\n'
        '"1","A","LANDBRUG","This section\nspans lines"\n'
        '"2","01","Plante- og  husdyravl",""\n'
        '"4","01.11","Dyrkning af korn",""\n'
        '"4","98.10","",""\n',
        encoding="utf-8",
    )
    assert read_titles(path) == {"01": "Plante- og husdyravl", "0111": "Dyrkning af korn"}
