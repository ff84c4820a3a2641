"""The tolerant reader of the contract commands: every line with an id is answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.cli import app
from sidestream.interop.input_lines import json_objects
from sidestream.interop.listing import COLUMNS
from sidestream.interop.listing import Listing as CanonicalListing
from sidestream.matching.reader import tolerant_listing, tolerant_sector_request
from sidestream.matching.schemas import Listing, parse_nace, parse_waste_code
from sidestream.matching.table import amount_of, implied_kind

runner = CliRunner()


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", "utf-8"
    )
    return path


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_matching_listing_has_the_canonical_fields() -> None:
    assert set(Listing.model_fields) == set(CanonicalListing.model_fields) == set(COLUMNS)


@pytest.mark.parametrize(
    ("raw", "code", "noted"),
    [
        ("10 01 02*", "100102", False),
        (100102, "100102", False),
        ("200108/200125", "200108", True),
        ("16 01 03 or 16 01 04", "160103", True),
        (20108, "020108", True),  # a JSON number that lost its leading zero
        (100102.0, "100102", False),  # a spreadsheet's column with gaps writes floats
        (20108.0, "020108", True),
        (1.5, None, True),
        ("1001", "1001", True),  # sub-chapter: family hint
        ("100150", "1001", True),  # not in the list (older list): its sub-chapter
        ("999999", None, True),
        ("abc", None, True),
        ({"a": 1}, None, True),
        (None, None, False),
        ("", None, False),
    ],
)
def test_parse_waste_code(raw: object, code: str | None, noted: bool) -> None:
    got, note = parse_waste_code(raw)
    assert got == code
    assert (note is not None) == noted


@pytest.mark.parametrize(
    ("raw", "nace", "noted"),
    [
        ("2351", "2351", False),
        ("C23.51", "2351", False),
        (2351, "2351", False),
        ("011/012", "011/012", False),
        ("21", "21", False),
        ("23.51Z", "2351", True),  # national extension (NAF)
        ("23511", "2351", True),
        ("0110 / 0120", "011/012", True),  # groups padded to four digits, as case libraries do
        ("2700", "27", True),  # a padded division
        ("C27.00", "27", True),  # ... with its section letter
        ("A01.10", "011", True),
        (2700.0, "27", True),  # a spreadsheet's number
        (2351.0, "2351", False),
        ("2700.0", "27", True),  # ... as pandas writes it to CSV
        (162.0, "0162", True),  # a number lost its zero: class 01.62, not group 16.2 (noted)
        ("162", "162", False),  # as text, the group 16.2
        ("0105", None, True),  # 01.0 is no group
        ("9999", None, True),
        ("abc", None, True),
        ([1], None, True),
    ],
)
def test_parse_nace(raw: object, nace: str | None, noted: bool) -> None:
    got, note = parse_nace(raw)
    assert got == nace
    assert (note is not None) == noted


def test_json_objects_reports_bad_lines_and_skips_blank_ones() -> None:
    rows = list(json_objects(['{"id": 1}', "", "{bad", "[1]", '"text"', "\ufeff{}"]))
    assert [n for n, _ in rows] == [1, 3, 4, 5, 6]
    assert [type(r).__name__ for _, r in rows] == ["dict", "LineProblem", "LineProblem",
                                                   "LineProblem", "dict"]  # fmt: skip


def _listing(data: dict, direction: str = "offer") -> tuple[Listing, list[str]]:
    listing, notes = tolerant_listing(data, 7, direction)
    assert listing is not None
    assert all(n.warning and n.line == 7 for n in notes)
    return listing, [n.field for n in notes]


def test_unknown_key_is_a_warning_and_ignored() -> None:
    listing, fields = _listing({"id": "a", "title": "fly ash", "colour": "red"})
    assert fields == ["colour"] and listing.title == "fly ash"


def test_nulls_and_empty_strings_are_missing_without_warning() -> None:
    listing, fields = _listing(
        {"id": "a", "title": "ash", "waste_code": None, "lat": None, "lon": "", "kind": None,
         "properties": None, "quantity": None}
    )  # fmt: skip
    assert fields == [] and listing.lat is None and listing.properties == {}


def test_invalid_code_keeps_its_family_as_a_hint() -> None:
    listing, fields = _listing({"id": "a", "title": "ash", "waste_code": "100150"})
    assert fields == ["waste_code"]
    assert listing.waste_code is None and listing.waste_family == "1001"
    listing, _ = _listing({"id": "a", "title": "ash", "waste_code": "200108/200125"})
    assert listing.waste_code == "200108"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"organisation_nace": "99.99x"}, "organisation_nace"),
        ({"quantity": "lots", "unit": "t"}, "quantity"),
        ({"quantity": -5, "unit": "t"}, "quantity"),
        ({"quantity": 5}, "quantity"),  # no unit
        ({"quantity": 1e13, "unit": "t"}, "quantity"),  # above MAX_QUANTITY: a typing error
        ({"lat": 60.1}, "lat"),  # without lon
        ({"lat": 100, "lon": 10}, "lat"),
        ({"lat": "north", "lon": 10}, "lat"),
        ({"available_from": "yesterday"}, "available_from"),
        ({"available_from": "2025-05-01", "available_to": "2024-01-01"},
         "available_from/available_to"),
        ({"period": "fortnightly"}, "period"),
        ({"kind": "solid"}, "kind"),
        ({"visibility": "secret"}, "visibility"),
        ({"properties": "hot"}, "properties"),
        ({"properties": {"water_network": "sea"}}, "properties.water_network"),
        ({"properties": {"temperature_c": "hot", "colour": "blue"}}, "properties.temperature_c"),
        ({"price_eur_per_unit": "cheap"}, "price_eur_per_unit"),
    ],
)  # fmt: skip
def test_bad_fields_are_warnings_and_treated_as_missing(extra: dict, field: str) -> None:
    listing, fields = _listing({"id": "a", "title": "fly ash", **extra})
    assert field in fields
    assert listing.title == "fly ash"
    assert (listing.lat is None) == (listing.lon is None)


def test_numbers_as_text_are_read() -> None:
    listing, fields = _listing(
        {"id": 12, "title": "ash", "quantity": "1500", "unit": "t", "lat": "60.2", "lon": 24.9}
    )
    assert fields == [] and listing.id == "12" and listing.quantity == 1500 and listing.lat == 60.2


@pytest.mark.parametrize(
    ("text", "language", "number", "warned"),
    [("1 000", None, 1000.0, False), ("1\u00a0000,5", None, 1000.5, False),
     ("12,345,678.5", None, 12345678.5, False), ("1.000.000", None, 1e6, False),
     ("1.000,5", None, 1000.5, False), ("1,5", None, 1.5, False), ("0,125", None, 0.125, False),
     ("2.5", None, 2.5, False), ("1,500", None, 1500.0, True), ("1.500", None, 1.5, True),
     ("1,500", "da", 1.5, False), ("1.500", "de", 1500.0, False), ("1,500", "en", 1500.0, False)],
)  # fmt: skip
def test_amounts_with_thousands_separators_are_read(
    text: str, language: str | None, number: float, warned: bool
) -> None:
    """One comma or dot before three digits is read by the listing's language (English when it
    states none, with a warning); every other form says what it is."""
    given = {"language": language} if language else {}
    listing, fields = _listing({"id": "a", "title": "ash", "quantity": text, "unit": "t", **given})
    assert fields == (["quantity"] if warned else []) and listing.quantity == pytest.approx(number)


def test_coordinates_are_never_read_as_thousands() -> None:
    listing, fields = _listing({"id": "a", "title": "ash", "lat": "55,123", "lon": "12,5"})
    assert fields == [] and (listing.lat, listing.lon) == (55.123, 12.5)


def test_kinds_periods_and_units_are_read_as_files_write_them() -> None:
    """Case and spacing do not matter, common period words are read, a ton is a tonne and
    /y a year; a NACE class that lost its leading zero is read with a note."""
    listing, fields = _listing(
        {"id": "a", "title": "Steam", "kind": " Energy", "visibility": "PUBLIC",
         "direction": "Offer", "period": "Yearly", "quantity": 5, "unit": "MWh",
         "organisation_nace": 111}
    )  # fmt: skip
    assert fields == ["organisation_nace"] and listing.organisation_nace == "0111"
    assert (listing.kind, listing.visibility, listing.period) == ("energy", "public", "per-year")
    listing, fields = _listing({"id": "b", "title": "Whey", "quantity": 2, "unit": "ton/y"})
    assert fields == [] and amount_of(listing, implied_kind(listing)) == (2.0, "t")


def test_a_quantity_that_gives_no_comparable_amount_is_a_warning() -> None:
    listing, fields = _listing({"id": "a", "title": "Fly ash", "quantity": 20, "unit": "pallets"})
    assert fields == ["unit"] and listing.quantity == 20
    service = {"id": "s", "title": "Lab hours", "kind": "service", "quantity": 200, "unit": "h"}
    assert _listing(service)[1] == []  # a service's amount is never compared: nothing to fix
    listing, fields = _listing({"id": "b", "title": "Rinse water", "quantity": 20, "unit": "m3"})
    assert fields == [] and amount_of(listing, None) == (20.0, "m3")  # no kind: a volume is water


def test_wrong_direction_and_missing_title_are_repaired() -> None:
    listing, fields = _listing({"id": "a", "direction": "need", "description": "Wood chips"})
    assert listing.direction == "offer" and listing.title == "Wood chips"
    assert fields == ["direction", "title"]
    listing, fields = _listing({"id": "a", "waste_code": "030105"})
    assert "sawdust" in listing.title.lower()


def test_huge_text_is_cut() -> None:
    listing, fields = _listing({"id": "a", "title": "t", "description": "ash " * 100_000})
    assert fields == ["description"] and len(listing.description or "") == 20000


def test_rows_without_id_are_errors() -> None:
    for data in ({"title": "x"}, {"id": None}, {"id": " "}, {"id": [1]}, {"id": True}):
        listing, notes = tolerant_listing(data, 3, "offer")
        assert listing is None and len(notes) == 1 and not notes[0].warning
        assert notes[0].field == "id"
        request, notes = tolerant_sector_request(data, 3)
        assert request is None and notes[0].field == "id"


def test_sector_request_repairs() -> None:
    request, notes = tolerant_sector_request(
        {"id": 5, "text": "spent grain", "waste_code": "0207", "donor_nace": "abc", "top": "x",
         "extra": 1},
        2,
    )  # fmt: skip
    assert request is not None
    assert (request.id, request.description, request.waste_code, request.donor_nace) == (
        "5", "spent grain", "0207", None,
    )  # fmt: skip
    assert {n.field for n in notes} == {"text", "waste_code", "donor_nace", "top", "extra"}
    _, notes = tolerant_sector_request({"id": 6, "description": "whey", "top": 1}, 3)
    assert [str(n) for n in notes] == [
        "line 3: warning: top: the command's --top applies to every line; ignored"
    ]  # a valid one too: the answer has --top classes, not 1


def test_recommend_sectors_answers_every_line_with_an_id(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [
        {"id": "a", "description": "coal fly ash", "waste_code": "10 01 02", "colour": "grey"},
        {"id": "b", "description": "", "waste_code": None, "donor_nace": "24.10"},
        {"id": "c", "description": None},
        "{not json",
        {"id": "d", "description": "Летучая зола угольной электростанции", "waste_code": "1001"},
        {"id": "e", "description": "粉煤灰", "waste_code": "200108/200125", "donor_nace": "99x"},
        {"description": "no id"},
        {"id": "f", "description": 12345, "waste_code": 20108, "top": 0},
        {"id": "g", "description": ["wood", "chips"], "waste_code": {"a": 1}},
        {"id": "h", "description": "fly ash " * 50_000},
        [1, 2],
        {"id": "a", "description": "duplicate id"},
    ])  # fmt: skip
    result = runner.invoke(app, ["recommend-sectors", str(src), "--top", "3"])
    assert result.exit_code == 1  # lines 4, 7 and 11 are errors
    out = _lines(result.stdout)
    assert [o["id"] for o in out] == ["a", "b", "c", "d", "e", "f", "g", "h", "a"]
    assert all(len(o["sectors"]) == 3 for o in out)
    assert all(0.0 <= s["score"] <= 1.0 for o in out for s in o["sectors"])
    err = result.stderr
    assert "line 1: warning: colour: unknown field" in err
    assert "line 4: (row)" in err and "line 7: id" in err and "line 11: (row)" in err
    assert "line 5: warning: waste_code" in err and "line 6: warning: donor_nace" in err
    assert out[0]["sectors"][0]["nace"] == "2351"


def test_recommend_sectors_reads_a_temperature(tmp_path: Path) -> None:
    heat = {"description": "surplus heat"}
    src = _write(tmp_path / "in.jsonl", [
        {"id": "cold", "temperature_c": 45, **heat}, {"id": "hot", "temperature_c": "120", **heat},
        {"id": "bad", "temperature_c": "warm", "kind": "plasma", **heat},
        {"id": "heat", "description": "surplus heat and waste water", "kind": " Energy "},
    ])  # fmt: skip
    result = runner.invoke(app, ["recommend-sectors", str(src), "--top", "20"])
    assert result.exit_code == 0
    found = {
        o["id"]: {e.get("pattern") for s in o["sectors"] for e in s["evidence"]}
        for o in _lines(result.stdout)
    }
    assert "heat-orc-power" not in found["cold"] and "heat-orc-power" in found["hot"]  # 80 °C
    assert "heat-orc-power" in found["bad"]  # an unreadable temperature is ignored
    assert "line 3: warning: temperature_c: 'warm' is not a number" in result.stderr
    assert "line 3: warning: kind: 'plasma' is not one of material, energy" in result.stderr
    assert "wastewater-digestion" not in found["heat"]  # a heat stream's water is no product


def test_recommend_sectors_warnings_only_exit_zero(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [{"id": "a", "description": "whey", "colour": "white"}])
    result = runner.invoke(app, ["recommend-sectors", str(src)])
    assert result.exit_code == 0
    assert "warning: colour" in result.stderr


def test_match_files_answers_every_offer_with_an_id(tmp_path: Path) -> None:
    offers = _write(tmp_path / "offers.jsonl", [
        {"id": "o1", "direction": "offer", "title": "Coal fly ash", "waste_code": "100102"},
        {"id": "o2", "direction": "offer", "title": "Coal fly ash", "waste_code": "999999",
         "colour": "red"},
        {"id": 3, "title": None, "description": "Летучая зола", "waste_code": "1001", "lat": 60},
        "not json",
        {"title": "no id"},
        {"id": "o6", "direction": "need", "title": "粉煤灰", "organisation_nace": "99.99x",
         "quantity": "lots", "available_from": "yesterday"},
        {"id": "o7", "title": "", "description": "", "properties": "hot"},
        {"id": "o8", "title": ["fly", "ash"], "lat": 100, "lon": 10},
    ])  # fmt: skip
    needs = _write(tmp_path / "needs.jsonl", [
        {"id": "n1", "direction": "need", "title": "Cement plant — raw material substitute",
         "organisation_nace": "2351"},
        {"id": "n2", "title": "Brick works", "lat": 60.0, "organisation_nace": "23.32Z"},
        {"id": "n3", "title": "Road construction", "organisation_nace": "42.11", "kind": "solid"},
        {"id": "n4"},
    ])  # fmt: skip
    result = runner.invoke(app, ["match-files", str(offers), str(needs), "--top", "3"])
    assert result.exit_code == 1  # offers lines 4 and 5
    out = _lines(result.stdout)
    assert [o["offer_id"] for o in out] == ["o1", "o2", 3, "o6", "o7", "o8"]  # ids as given
    assert {m["need_id"] for m in out[0]["matches"][:2]} == {"n1", "n3"}  # cement, roads
    assert out[1]["matches"] and out[2]["matches"]
    err = result.stderr
    assert "offers.jsonl: line 2: warning: waste_code" in err
    assert "offers.jsonl: line 2: warning: colour: unknown field" in err
    assert "offers.jsonl: line 6: warning: direction" in err
    assert "needs.jsonl: line 2: warning: lat" in err
    assert "needs.jsonl: line 3: warning: kind" in err
    assert "needs.jsonl: line 4: warning: title" in err


def test_match_files_without_usable_needs(tmp_path: Path) -> None:
    offers = _write(tmp_path / "o.jsonl", [{"id": "o1", "title": "ash"}])
    needs = _write(tmp_path / "n.jsonl", ["nonsense"])
    result = runner.invoke(app, ["match-files", str(offers), str(needs)])
    assert result.exit_code == 1
    assert _lines(result.stdout) == [{"offer_id": "o1", "matches": []}]


def test_a_repeated_id_is_answered_and_warned_about(tmp_path: Path) -> None:
    offers = _write(tmp_path / "o.jsonl", [{"id": "o1", "title": "fly ash"},
                                           {"id": "o1", "title": "sawdust"}])  # fmt: skip
    needs = _write(tmp_path / "n.jsonl", [
        {"id": "n1", "title": "cement raw material"}, {"id": 1, "title": "x"},
        {"id": "n1", "title": "fuel"},
    ])  # fmt: skip
    result = runner.invoke(app, ["match-files", str(offers), str(needs)])
    assert result.exit_code == 0  # warnings only
    assert [o["offer_id"] for o in _lines(result.stdout)] == ["o1", "o1"]
    assert "o.jsonl: line 2: warning: id: 'o1' repeats line 1" in result.stderr
    assert "n.jsonl: line 3: warning: id: 'n1' repeats line 1" in result.stderr
    src = _write(
        tmp_path / "in.jsonl", [{"id": "a", "description": "whey"}, {"id": "a", "text": "ash"}]
    )
    result = runner.invoke(app, ["recommend-sectors", str(src)])
    assert [o["id"] for o in _lines(result.stdout)] == ["a", "a"]
    assert "line 2: warning: id: 'a' repeats line 1" in result.stderr


def test_match_files_reads_csv_and_answers_with_the_ids_as_given(tmp_path: Path) -> None:
    """The listing format's CSV (same column names) is read by its extension; numeric ids come
    back as numbers, text that is not valid Unicode does not stop the run."""
    offers = _write(tmp_path / "offers.jsonl", [
        {"id": 1, "title": "Coal fly ash", "waste_code": "100102"},
        {"id": "s", "title": "Sawdust \ud83d", "waste_code": "030105"},
        '{"id": 9' + "9" * 5000 + "}",
    ])  # fmt: skip
    needs = tmp_path / "needs.csv"
    needs.write_text(
        "\ufeffid,title,description,organisation_nace,quantity,unit,properties\n"
        '7,Raw material,Cement plant,2351,"5,000",t,not json\n'
        'n2,Fuel for our boiler,Sawmill,16.10,800,t/a,"{""moisture_pct"": 40}"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["match-files", str(offers), str(needs), "--top", "5000"])
    assert result.exit_code == 1, result.stderr  # line 3: not JSON that Python reads
    out = _lines(result.stdout)
    assert [o["offer_id"] for o in out] == [1, "s"]
    assert out[0]["matches"][0]["need_id"] == "7"  # a CSV cell is text
    assert "n2" in {m["need_id"] for m in out[1]["matches"]}
    assert "offers.jsonl: line 3: (row): invalid JSON" in result.stderr
    assert "needs.csv: line 2: warning: properties: expected an object" in result.stderr


def test_an_unreadable_input_is_named_with_exit_code_2(tmp_path: Path) -> None:
    needs = _write(tmp_path / "needs.jsonl", [{"id": "n", "title": "Raw material"}])
    for path in (tmp_path / "nope.jsonl", tmp_path):
        for args in (["match-files", str(path), str(needs)], ["recommend-sectors", str(path)]):
            result = runner.invoke(app, args)
            assert result.exit_code == 2 and f"{path}: cannot read" in result.stderr
            assert "Traceback" not in result.output


def test_integers_beyond_any_float_are_warnings_not_a_crash(tmp_path: Path) -> None:
    """JSON integers have no size limit: 10^400 where a number is read is out of range (as
    1e999 is), and as an id it comes back as written; the other lines are answered."""
    huge = int("1" + "0" * 400)
    props = {"density_kg_m3": huge, "temperature_c": huge, "moisture_pct": huge}
    offers = _write(tmp_path / "offers.jsonl", [
        {"id": huge, "direction": "offer", "title": "Fly ash", "lat": huge, "lon": 11.0,
         "quantity": huge, "unit": "t", "organisation_nace": huge, "properties": props},
        {"id": "good", "direction": "offer", "title": "Sawdust"},
    ])  # fmt: skip
    needs = _write(tmp_path / "needs.jsonl", [{"id": "n", "direction": "need", "title": "Ash"}])
    result = runner.invoke(app, ["match-files", str(offers), str(needs)])
    assert result.exit_code == 0, result.output
    assert [o["offer_id"] for o in _lines(result.stdout)] == [huge, "good"]
    for field in ("lat", "quantity", "organisation_nace", "properties.density_kg_m3"):
        assert f"warning: {field}:" in result.stderr, field
    rows = [
        {"id": "x", "description": "Fly ash", "donor_nace": huge},
        {"id": "y", "description": "Ash"},
    ]
    sectors = _write(tmp_path / "in.jsonl", rows)
    result = runner.invoke(app, ["recommend-sectors", str(sectors)])
    assert result.exit_code == 0 and len(_lines(result.stdout)) == 2, result.output
    assert "warning: donor_nace:" in result.stderr


def test_a_continuous_amount_needs_a_rate_and_a_year_has_a_ceiling() -> None:
    def read(**fields: object) -> tuple[Listing, str]:
        listing, notes = tolerant_listing({"id": "x", "title": "Fly ash", **fields}, 7, "offer")
        assert listing is not None
        return listing, " ".join(str(n) for n in notes)

    continuous, notes = read(quantity=5, unit="t", period="continuous")
    assert continuous.quantity == 5 and "unit: 't' is not a rate" in notes
    huge, notes = read(quantity=1e12, unit="Mt/s")
    assert huge.quantity is None, notes  # 3e25 t a year: compared with nothing
    assert "quantity: 1e+12 Mt/s is 3.16e+25 t a year, over 1e+12" in notes
    fine, notes = read(quantity=5, unit="t/h", period="continuous")
    assert fine.quantity == 5 and notes == ""


def test_a_date_that_is_not_one_says_the_form_expected() -> None:
    for value, said in ((20250101, "got 20250101; ignored"), ("yesterday", "got 'yesterday';"),
                        ("2025-02-30", "(day value is outside expected range)")):  # fmt: skip
        listing, notes = tolerant_listing({"id": "x", "title": "Ash", "available_to": value}, 2,
                                          "offer")  # fmt: skip
        assert listing is not None and listing.available_to is None
        (note,) = notes
        assert "available_to: expected a date such as 2025-01-31" in str(note) and said in str(note)
