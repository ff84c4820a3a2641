"""Open listing format: transactional import with row-level errors, upserts, round trips."""

import io
import json
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from sidestream.interop.listing import COLUMNS, Listing, json_schema
from sidestream.interop.readers import read_rows
from sidestream.interop.service import import_listings, to_listing, write_csv, write_jsonl
from sidestream.registry.models import Organisation, Stream

GOOD = [
    {
        "id": "kal-flyash",
        "direction": "offer",
        "title": "Fly ash from coal",
        "kind": "material",
        "waste_code": "10 01 02",
        "organisation": "Asnæs Power Station",
        "organisation_nace": "35.11",
        "quantity": 60000,
        "unit": "t",
        "period": "per-year",
        "lat": 55.662,
        "lon": 11.087,
        "properties": {"moisture_pct": 12},
        "available_from": "2026-01-01",
        "price_eur_per_unit": -5,
        "visibility": "public",
        "language": "en",
    },
    {
        "id": "aalborg-ash",
        "direction": "need",
        "title": "Flyveaske til cement",
        "language": "da",
        "waste_code": "100102",
        "organisation": "Aalborg Portland",
        "organisation_nace": "2351",
        "quantity": 5000,
        "unit": "t",
        "period": "per-month",
        "lat": 57.05,
        "lon": 9.95,
    },
    {
        "id": "heat",
        "direction": "offer",
        "title": "Surplus heat 90 °C",
        "kind": "energy",
        "quantity": 12,
        "unit": "MW",
        "period": "continuous",
        "properties": {"temperature_c": 90},
    },
]


def jsonl(rows):
    return io.BytesIO("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode())


def run(session, rows, partial=False, fmt="jsonl"):
    report = import_listings(session, read_rows(rows, fmt), partial=partial)
    if report.committed:
        session.commit()
    else:
        session.rollback()
    return report


def count(session, model=Stream):
    return session.query(model).count()


def test_import_creates_streams_and_organisations(session):
    report = run(session, jsonl(GOOD))
    assert (report.created, report.updated, report.errors) == (3, 0, [])
    assert count(session) == 3 and count(session, Organisation) == 2
    ash = session.query(Stream).filter_by(external_id="aalborg-ash").one()
    assert ash.annual_amount == 60000 and ash.organisation.nace == "2351"


def test_every_bad_row_is_reported_and_nothing_changes(session):
    run(session, jsonl(GOOD[:1]))
    bad = [
        GOOD[1],
        {"id": "b1", "direction": "offer", "title": "x", "waste_code": "12345", "colour": "red"},
        {"id": "b2", "title": "no direction"},
        {"id": "b3", "direction": "need", "title": "ok", "quantity": 3, "unit": "m3"},
        {
            "id": "b4",
            "direction": "need",
            "title": "bad nace",
            "organisation": "Z",
            "organisation_nace": "99.99",
        },
    ]
    buf = io.BytesIO(b"\n".join([json.dumps(r).encode() for r in bad] + [b"{not json"]))
    report = run(session, buf)
    errors = {(e.row, e.field) for e in report.errors}
    assert errors == {
        (2, "waste_code"),
        (2, "colour"),
        (3, "direction"),
        (4, "unit"),
        (5, "organisation_nace"),
        (6, "(row)"),
    }
    assert "unknown key 'colour'" in next(e.message for e in report.errors if e.field == "colour")
    assert not report.committed
    assert count(session) == 1 and count(session, Organisation) == 1


def test_a_rule_across_fields_names_the_field_in_the_row_error(session):
    # the row error said "(row)" for a latitude without its longitude
    ash = {"direction": "offer", "title": "Ash"}
    rows = [ash | {"id": "a", "lat": 55.6}, ash | {"id": "b", "properties": {"moisture_pct": 140}}]
    report = run(session, jsonl(rows))
    assert [(e.row, e.field) for e in report.errors] == [(1, "lon"), (2, "properties.moisture_pct")]


def test_a_yearly_amount_beyond_1e12_is_a_row_error(session):
    # 2e11 t a month passed the quantity's own bound and made every plan and report of its
    # networks fail
    row = {"id": "big", "direction": "offer", "title": "Gypsum", "quantity": 2e11, "unit": "t",
           "period": "per-month"}  # fmt: skip
    report = run(session, jsonl([row]))
    assert [(e.row, e.field) for e in report.errors] == [(1, "quantity")]
    assert "2.4e+12 t a year" in report.errors[0].message
    assert count(session) == 0


def test_partial_import_keeps_the_good_rows(session):
    rows = [*GOOD, {"id": "bad", "direction": "offer", "title": "x", "unit": "t", "quantity": -1}]
    report = run(session, jsonl(rows), partial=True)
    assert report.committed and report.created == 3 and len(report.errors) == 1
    assert report.errors[0].field == "quantity" and report.errors[0].row == 4
    assert count(session) == 3


def test_an_organisation_named_in_other_letter_case_is_the_same(session):
    run(session, jsonl(GOOD[:1]))
    shouted = {"id": "slag", "direction": "offer", "title": "Slag",
               "organisation": "ASNÆS POWER STATION"}  # fmt: skip
    report = run(session, jsonl([shouted]))
    assert report.committed and count(session, Organisation) == 1  # a second company before
    assert len(set(session.scalars(select(Stream.organisation_id)).all())) == 1


def test_reimport_updates_instead_of_duplicating(session):
    run(session, jsonl(GOOD))
    changed = [dict(GOOD[0], quantity=70000)]
    report = run(session, jsonl(changed))
    assert (report.created, report.updated) == (0, 1)
    s = session.query(Stream).filter_by(external_id="kal-flyash").one()
    assert s.quantity == 70000 and s.version == 2 and count(session) == 3


def test_duplicate_ids_in_one_file(session):
    report = run(session, jsonl([GOOD[0], GOOD[0]]))
    assert report.errors[0].row == 2 and "duplicate id" in report.errors[0].message


def test_round_trip_jsonl_and_csv(session):
    run(session, jsonl(GOOD))
    exported = [to_listing(s) for s in session.query(Stream).order_by(Stream.id)]
    for writer, fmt in ((write_jsonl, "jsonl"), (write_csv, "csv")):
        out = io.StringIO()
        writer(exported, out)
        for s in session.query(Stream).all():
            session.delete(s)
        session.commit()
        report = run(session, io.BytesIO(out.getvalue().encode()), fmt=fmt)
        assert report.ok, report.errors
        again = [to_listing(s) for s in session.query(Stream).order_by(Stream.id)]
        assert again == exported, fmt


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_csv_separated_by_semicolons_or_tabs_is_read(session, separator):
    # what a spreadsheet saves where the comma is the decimal sign (Danish, German...): every
    # row was 'id;direction;title: unknown key' before
    lines = ["id;direction;title;quantity;unit", "s1;offer;Savsmuld;120;t"]
    text = "\n".join(line.replace(";", separator) for line in lines) + "\n"
    report = run(session, io.BytesIO(text.encode()), fmt="csv")
    assert report.committed and report.created == 1, report.errors
    assert session.scalars(select(Stream.title)).all() == ["Savsmuld"]


def test_decimal_commas_are_read_in_a_csv_separated_by_semicolons(session):
    # a Danish or German spreadsheet saves "12,5": each such row was a number error
    lines = ["id;direction;title;quantity;unit;lat;lon;price_eur_per_unit",
             "s1;offer;Savsmuld;1.234,5;t;55,66;11,09;-2,5"]  # fmt: skip
    report = run(session, io.BytesIO(("\n".join(lines) + "\n").encode()), fmt="csv")
    assert report.committed, report.errors
    stream = session.scalars(select(Stream)).one()
    assert (stream.quantity, stream.lat, stream.lon) == (1234.5, 55.66, 11.09)
    assert stream.price_eur_per_unit == -2.5
    text = 'id,direction,title,quantity,unit\ns2,offer,Ash,"12,5",t\n'  # commas separate
    report = run(session, io.BytesIO(text.encode()), fmt="csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "quantity")]
    # "12.500" is 12,500 grouped or 12.5 with a point: it was stored as 12.5, now it is asked
    lines = ["id;direction;title;quantity;unit", "s3;offer;Ash;12.500;t", "s4;offer;Slag;1 234,5;t"]
    report = run(session, io.BytesIO(("\n".join(lines) + "\n").encode()), fmt="csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "quantity")]
    assert "'12.500' may be 12500 or 12,500" in report.errors[0].message
    lines[1] = "s3;offer;Ash;12500;t"
    report = run(session, io.BytesIO(("\n".join(lines) + "\n").encode()), fmt="csv")
    assert report.committed, report.errors
    amounts = dict(session.execute(select(Stream.external_id, Stream.quantity)).all())
    assert (amounts["s3"], amounts["s4"]) == (12500, 1234.5)


def test_tab_separated_numbers_are_read_in_either_decimal_sign(session):
    # a tab-separated file may come from a spreadsheet of either locale: "12,5" was a number
    # error and "12.500" (12500 in Danish, 12.5 in English) was stored as 12.5
    lines = ["id\tdirection\ttitle\tquantity\tunit\tlat\tlon",
             "t1\toffer\tSavsmuld\t12,5\tt\t55,66\t11,09",
             "t2\toffer\tAske\t1.234,5\tt\t\t", "t3\toffer\tAsh\t1,234.5\tt\t\t",
             "t4\toffer\tWhey\t0.500\tt\t\t", "t5\toffer\tSlag\t1,500\tt\t\t",
             "t6\toffer\tLime\t12.500\tt\t\t"]  # fmt: skip
    report = run(session, io.BytesIO(("\n".join(lines) + "\n").encode()), fmt="csv", partial=True)
    assert [(e.row, e.field) for e in report.errors] == [(6, "quantity"), (7, "quantity")]
    assert "'1,500' may be 1500 or 1.500: write it without the comma, or with a decimal point" in (
        report.errors[0].message
    )
    amounts = dict(session.execute(select(Stream.external_id, Stream.quantity)).all())
    assert amounts == {"t1": 12.5, "t2": 1234.5, "t3": 1234.5, "t4": 0.5}
    # a semicolon says the comma is the decimal sign: "1,500" there is 1.5, and "0.125" no
    # group; several groups are thousands either way; a coordinate has one separator, its
    # decimal sign, whatever the file ("55.662" was a row error)
    lines = ["id;direction;title;quantity;unit;lat;lon", "s1;offer;Ash;1,500;t;55.662;11,087",
             "s2;offer;Slag;0.125;t;;", "s3;offer;Lime;1.234.567;t;;"]  # fmt: skip
    for separator in (";", "\t"):
        text = "\n".join(line.replace(";", separator) for line in lines) + "\n"
        if separator == "\t":
            text = text.replace("1,500", "1,5")
        report = run(session, io.BytesIO(text.encode()), fmt="csv")
        assert report.committed, report.errors
        streams = session.scalars(select(Stream))
        stored = {s.external_id: (s.quantity, s.lat, s.lon) for s in streams}
        assert stored["s1"] == (1.5, 55.662, 11.087)
        assert (stored["s2"][0], stored["s3"][0]) == (0.125, 1234567)
    # matching reads a file leniently: an amount of one group is left to the listing's language
    rows = list(read_rows(io.BytesIO(b"id\tquantity\n1\t1,500\n"), "csv", strict=False))
    assert rows[0].data == {"id": "1", "quantity": "1,500"}


def test_an_xlsx_with_listings_on_a_second_sheet_is_refused(session):
    # only the first sheet is read: a workbook with offers and needs on two sheets lost the
    # needs without a word
    book = Workbook()
    book.active.append(["id", "direction", "title"])
    book.active.append(["o1", "offer", "Fly ash"])
    for name in ("Needs", "More needs"):
        book.create_sheet(name).append(["id", "direction", "title"])
    book.create_sheet("Help").append(["How to fill this in"])
    book["More needs"].sheet_state = "hidden"
    raw = io.BytesIO()
    book.save(raw)
    raw.seek(0)
    with pytest.raises(ValueError, match=r"sheets 'Needs', 'More needs' \(hidden\) are laid out"):
        list(read_rows(raw, "xlsx"))
    del book["Needs"], book["More needs"]  # an instructions sheet is no listing
    raw = io.BytesIO()
    book.save(raw)
    raw.seek(0)
    assert run(session, raw, fmt="xlsx").created == 1


def test_xlsx_import(session):
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "direction", "title", "waste_code", "quantity", "unit", "period", "extra"])
    ws.append(["x1", "offer", "Sågspån", "030105", 800, "t", "per-year", None])
    ws.append(["x2", "need", "Valle", "020501", "many", "t", "per-year", None])
    ws.append([None] * 8)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = run(session, buf, fmt="xlsx")
    assert [(e.row, e.field) for e in report.errors] == [(3, "quantity")]
    buf.seek(0)
    report = run(session, buf, fmt="xlsx", partial=True)
    assert report.created == 1


def test_cells_a_file_would_lose_unseen_are_row_errors(session):
    """A cell under no header name, beyond the header, or a formula no spreadsheet computed
    (a file written by a program) was dropped and the row imported without it."""
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "direction", "title", None, "quantity", "unit"])
    ws.append(["x1", "offer", "Sawdust", "50 t a year", None, "t"])
    ws.append(["x2", "offer", "Sawdust", None, 5, "t", "overflow"])
    ws.append(["x3", "offer", "Sawdust", None, "=2*5", "t"])
    ws.append(["x4", "offer", "Sawdust", None, 7, "t"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = run(session, buf, fmt="xlsx")
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        (2, "(row)", "the cell in column D has no header name"),
        (3, "(row)", "the cell in column G has no header name"),
        (4, "quantity", "a formula without a computed value (open and save the file in a "
                        "spreadsheet program)"),
    ]  # fmt: skip
    rows = (
        b"id,direction,title,,unit,\nx1,offer,Sawdust,oops,,\nx5,offer,Ash,,t\nx6,offer,Ash,,t,x\n"
    )
    report = run(session, io.BytesIO(rows), fmt="csv", partial=True)
    assert [(e.row, e.message) for e in report.errors] == [
        (2, "the cell in column 4 has no header name"),  # two blank header cells: the first
        (4, "the cell in column 6 has no header name"),
    ]
    assert report.created == 1
    computed = _xlsx_with_sheet(  # a formula a spreadsheet computed as an empty text
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>direction</t></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>title</t></is></c>'
        b'<c r="D1" t="inlineStr"><is><t>description</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>x7</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>offer</t></is></c>'
        b'<c r="C2" t="inlineStr"><is><t>Sawdust</t></is></c>'
        b'<c r="D2" t="str"><f>IF(1=2,"x","")</f><v></v></c></row>'
    )
    report = run(session, computed, fmt="xlsx")
    assert report.errors == [] and report.created == 1


def _xlsx_with_sheet(rows: bytes) -> io.BytesIO:
    """An XLSX file whose first sheet holds ``rows`` (sheet XML), as a spreadsheet saved it."""
    import zipfile

    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb"<sheetData\s*/>|<sheetData>.*</sheetData>",
                    b"<sheetData>" + rows + b"</sheetData>",
                    data,
                    flags=re.S,
                )
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z99"', data)
            dst.writestr(item, data)
    out.seek(0)
    return out


@pytest.mark.parametrize("content", [b"", b"id,direction,title\n"])
def test_a_file_without_rows_imports_nothing_and_says_so(session, content):
    report = run(session, io.BytesIO(content), fmt="csv", partial=True)
    assert not report.committed and report.rows == 0
    assert [(e.field, e.message.split(" (")[0]) for e in report.errors] == [
        ("file", "no rows found")
    ]


def test_json_schema_is_published_and_current():
    from pathlib import Path

    schema = json_schema()
    assert schema["required"] == ["direction", "title", "id"]
    assert set(schema["properties"]) == set(COLUMNS) == set(Listing.model_fields)
    published = Path(__file__).parents[2] / "docs" / "listing-format-v1.schema.json"
    assert json.loads(published.read_text()) == schema, "run: sidestream schema > docs/..."


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00garbage", b"\x89PNG\r\n"])
def test_binary_files_are_refused_clearly(raw):
    with pytest.raises(ValueError, match="not UTF-8"):
        list(read_rows(io.BytesIO(raw), "jsonl"))


def test_import_asks_the_classifier_for_a_missing_code(session):
    from sidestream.interop.service import classifier_suggestion

    rows = [
        {
            "id": "c1",
            "direction": "offer",
            "title": "Flugasche aus dem Kohlekraftwerk",
            "language": "de",
            "quantity": 100,
            "unit": "t",
        },
        {"id": "c2", "direction": "offer", "title": "Surplus heat", "kind": "energy"},
        {"id": "c3", "direction": "offer", "title": "Something vague"},
    ]
    report = import_listings(
        session, read_rows(jsonl(rows), "jsonl"), suggest_code=classifier_suggestion
    )
    assert report.ok
    by_id = {s.external_id: s for s in session.query(Stream)}
    assert by_id["c1"].waste_code == "100102"
    assert by_id["c1"].code_source.startswith("classifier")
    assert by_id["c2"].waste_code is None  # energy streams are not given a waste code
    assert by_id["c3"].waste_code is None or by_id["c3"].code_source.startswith("classifier")
    session.commit()
    # its export read back is unchanged, the code's source too (it became "listing")
    exported = [to_listing(s) for s in session.query(Stream).order_by(Stream.id)]
    again = run(session, jsonl(exported))
    assert (again.updated, again.unchanged) == (0, 3)
    assert (
        session.query(Stream).filter_by(external_id="c1").one().code_source.startswith("classifier")
    )


def test_reimporting_a_partial_row_keeps_what_it_leaves_out(session):
    anon = dict(GOOD[0], visibility="anonymous")
    run(session, jsonl([anon]))
    report = run(session, jsonl([{"id": "kal-flyash", "direction": "offer", "title": "Fly ash"}]))
    assert report.ok and report.updated == 1
    s = session.query(Stream).filter_by(external_id="kal-flyash").one()
    assert s.title == "Fly ash"
    assert (s.visibility, s.quantity, s.lat, s.waste_code) == ("anonymous", 60000, 55.662, "100102")
    assert s.organisation.name == "Asnæs Power Station"
    run(
        session,
        jsonl([{"id": "kal-flyash", "direction": "offer", "title": "x", "lat": None, "lon": None}]),
    )
    s = session.query(Stream).filter_by(external_id="kal-flyash").one()
    assert s.lat is None and s.quantity == 60000


def test_a_partial_row_breaking_a_rule_with_the_stored_fields_names_each_field(session):
    run(session, jsonl([GOOD[0]]))
    row = {"id": "kal-flyash", "direction": "offer", "title": "Fly ash", "lat": None, "unit": None}
    report = run(session, jsonl([row, GOOD[1]]), partial=True)
    assert report.updated == 0 and report.created == 1
    assert [(e.row, e.field, e.message, e.id) for e in report.errors] == [
        (1, "lat", "lat and lon must be given together", "kal-flyash"),
        (1, "unit", "unit is required when quantity is given", "kal-flyash"),
    ]
    s = session.query(Stream).filter_by(external_id="kal-flyash").one()
    assert (s.lat, s.unit) == (55.662, "t")


def test_a_new_row_without_a_kind_takes_its_product_codes(session):
    steam = {
        "id": "steam", "direction": "offer", "title": "Low-pressure steam",
        "product_code": "35.30.11", "quantity": 20, "unit": "GWh", "period": "per-year",
    }  # fmt: skip
    stated = dict(steam, id="stated", kind="material", quantity=5, unit="t")
    plain = {"id": "plain", "direction": "offer", "title": "Wood chips"}
    heat = {"id": "heat", "direction": "offer", "title": "Warm cooling water",
            "quantity": 4, "unit": "GWh", "period": "per-year"}  # fmt: skip
    wood = dict(plain, id="wood", quantity=400, unit="t")
    assert run(session, jsonl([steam, stated, plain, heat, wood])).ok
    kinds = {s.external_id: s.kind for s in session.query(Stream)}
    assert kinds == {
        "steam": "energy", "stated": "material", "plain": "material",
        "heat": "energy", "wood": "material",  # a unit of energy implies energy
    }  # fmt: skip
    again = {"id": "stated", "direction": "offer", "title": "Steam", "product_code": "353011"}
    assert run(session, jsonl([again])).ok  # an update keeps the stored kind
    assert session.query(Stream).filter_by(external_id="stated").one().kind == "material"


def test_a_line_separator_inside_a_title_does_not_split_the_line(session):
    row = dict(GOOD[0], title="Fly ash\u2028grade A\u0085fine")  # written raw, as our export does
    report = run(session, jsonl([row]))
    assert report.ok and report.rows == 1, report.errors
    assert session.query(Stream).one().title == "Fly ash\u2028grade A\u0085fine"


def test_a_new_organisation_of_a_refused_row_is_made_again_by_the_next(session):
    bad = dict(GOOD[0], id="r1", organisation="NewCo", kind="energy", unit="t")
    good = dict(GOOD[0], id="r2", organisation="NewCo")
    report = run(session, jsonl([bad, good]), partial=True)
    assert report.committed and report.created == 1, report.errors
    assert [e.row for e in report.errors] == [1]
    stream = session.query(Stream).filter_by(external_id="r2").one()
    assert session.get(Organisation, stream.organisation_id).name == "NewCo"


def test_an_id_of_another_organisations_stream_is_refused_not_taken_over(session):
    """Two companies' files both using an id: the second import moved the first company's
    stream to the second and overwrote it (one file's row silently took another's data)."""
    run(session, jsonl(GOOD[:1]))
    stream = session.query(Stream).filter_by(external_id="kal-flyash").one()
    owner, title = stream.organisation_id, stream.title
    rival = dict(GOOD[0], organisation="Another Owner A/S", title="Bottom ash")
    report = run(session, jsonl([rival]))
    assert [(e.row, e.field) for e in report.errors] == [(1, "id")]
    assert "a stream of another organisation ('Asnæs Power Station')" in report.errors[0].message
    session.refresh(stream)
    assert (stream.organisation_id, stream.title) == (owner, title)
    assert run(session, jsonl([dict(GOOD[0], title="Fly ash, dry")])).ok  # its own: updated


def test_csv_cells_never_run_as_formulas_and_import_back_unchanged(session):
    titles = ["=HYPERLINK(1)", "-20 °C storage", "@SUM(A1)", "'=quoted", "'plain'"]
    rows = [dict(GOOD[0], id=f"f{i}", title=t) for i, t in enumerate(titles)]
    run(session, jsonl(rows))
    out = io.StringIO()
    write_csv([to_listing(s) for s in session.query(Stream).order_by(Stream.id)], out)
    cells = [line.split(",")[2] for line in out.getvalue().splitlines()[1:]]
    assert not any(c.startswith(("=", "-", "@", '"=')) for c in cells), cells
    for s in session.query(Stream).all():
        session.delete(s)
    session.commit()
    assert run(session, io.BytesIO(out.getvalue().encode()), fmt="csv").ok
    assert [s.title for s in session.query(Stream).order_by(Stream.id)] == titles


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_column_named_twice_is_refused_not_half_read(fmt):
    header, row = ["id", "direction", "title", "title"], ["d1", "offer", "Fly ash", "Bottom ash"]
    if fmt == "csv":
        raw = io.BytesIO((",".join(header) + "\n" + ",".join(row) + "\n").encode())
    else:
        book = Workbook()
        book.active.append(header)
        book.active.append(row)
        raw = io.BytesIO()
        book.save(raw)
        raw.seek(0)
    with pytest.raises(ValueError, match="names title more than once"):
        list(read_rows(raw, fmt))


def test_xlsx_numbers_in_text_columns_are_read_as_the_cell_shows_them(session):
    """A spreadsheet stores an id 7, a LoW code typed as 020108 and a NACE class typed as
    0141 as numbers (the leading zeros gone); CSV would carry them as text."""
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "direction", "title", "waste_code", "organisation", "organisation_nace"])
    ws.append([7, "offer", "Animal faeces", 20106, "Farm", 141])
    ws.append([8, "offer", "Sawdust", 30105, "Mill", 1610])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = run(session, buf, fmt="xlsx")
    assert report.ok, report.errors
    streams = {s.external_id: s for s in session.query(Stream)}
    assert streams["7"].waste_code == "020106"
    assert streams["8"].waste_code == "030105"
    assert {o.name: o.nace for o in session.query(Organisation)} == {"Farm": "0141", "Mill": "1610"}


def test_no_organisation_takes_the_name_reports_give_an_undisclosed_party(session):
    """A company called "(not disclosed)" would have its report rows added to the parties a
    report may not name (and theirs to its): the name is refused wherever a company is named."""
    from pydantic import ValidationError

    from sidestream.registry.schemas import OrganisationCreate, OrganisationUpdate

    row = {"id": "hidden", "direction": "offer", "title": "Slag", "organisation": "(Not disclosed)"}
    report = run(session, jsonl([GOOD[0], row]))
    (error,) = report.errors
    assert (error.row, error.field) == (2, "organisation") and "another name" in error.message
    assert not report.committed and count(session, Organisation) == 0
    for attempt in (
        lambda: OrganisationCreate(name=" (not disclosed) "),
        lambda: OrganisationUpdate(version=1, name="(NOT DISCLOSED)"),
    ):
        with pytest.raises(ValidationError, match="undisclosed party"):
            attempt()
    assert OrganisationCreate(name="Not disclosed Ltd").name == "Not disclosed Ltd"
