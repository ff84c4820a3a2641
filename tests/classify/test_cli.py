"""`sidestream classify` and `sidestream codes` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sidestream.cli import app

runner = CliRunner()


def test_classify_file_writes_one_json_line_per_good_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "Flugasche aus dem Kohlekraftwerk"}),
                json.dumps({"id": "b", "description": "valle fra osteproduktion"}),
                json.dumps({"id": 7, "title": "surplus heat from compressors"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["classify", str(src), "--top", "2"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", 7]
    assert lines[0]["codes"][0]["code"] == "100102"
    assert set(lines[0]["codes"][0]) >= {"code", "score", "label"}
    assert len(lines[0]["codes"]) == 2
    assert lines[1]["codes"][0]["code"].startswith("0205")
    assert lines[2]["kind"] == "energy"


def test_every_line_lists_top_k_codes_even_for_heat_and_water(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    texts = ["Waste water", "surplus heat from compressors", "spare warehouse space", "fly ash"]
    src.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["classify", str(src), "--top", "3"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    for line in lines:
        assert len(line["codes"]) == 3
        scores = [c["score"] for c in line["codes"]]
        assert scores == sorted(scores, reverse=True)
    assert lines[0]["kind"] == "water"
    assert lines[1]["kind"] == "energy"
    assert any(w.startswith("kind:") for w in lines[1]["warnings"])


def test_every_line_with_an_id_is_answered_and_bad_lines_reported(tmp_path: Path) -> None:
    """As the other contract commands: a line without an id, or not a JSON object, is an error
    (skipped, exit code 1); a line with an id is answered, with no codes when its text holds
    nothing to classify, and its problems are warnings."""
    src = tmp_path / "in.jsonl"
    src.write_text(
        '\ufeff{"id": "ok", "text": "sågspån"}\r\n'
        "{not json\n"
        '{"text": "fly ash"}\n'
        '{"id": "x"}\n'
        '{"id": "y", "text": "\\u0000\\u0000"}\n'
        '{"id": 7, "text": "fly ash", "nace": "n/a"}\n'
        '{"id": "s", "text": "fly ash \\ud83d", "nace": 111}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["classify", str(src), "--top", "50"])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["ok", "x", "y", 7, "s"]  # ids as the input gave them
    assert out[0]["codes"][0]["code"] == "030105" and len(out[0]["codes"]) == 20
    assert out[1]["codes"] == [] and out[2]["codes"] == []
    assert out[3]["codes"][0]["code"] == "100102" and out[4]["codes"][0]["code"] == "100102"
    assert "--top 50: at most 20" in result.stderr
    assert "line 2: (row): invalid JSON" in result.stderr
    assert "line 3: id: missing" in result.stderr
    assert "line 4: warning: text: missing or empty" in result.stderr
    assert "line 5: warning: text: contains NUL bytes" in result.stderr
    assert "line 6: warning: nace: 'n/a' is not a NACE" in result.stderr
    assert "line 7: warning: nace: '111' read as 0111" in result.stderr


def test_lines_are_read_as_the_other_contract_commands_read_theirs(tmp_path: Path) -> None:
    """Unknown keys and repeated ids are warnings, a number or a list of words is text."""
    src = tmp_path / "in.jsonl"
    lines = [{"id": 7, "text": ["wood", "chips"], "colour": "brown"}, {"id": "7", "title": 200108}]
    src.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = runner.invoke(app, ["classify", str(src)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [7, "7"]  # each as its line wrote it
    assert out[0]["codes"][0]["code"] == "030105"
    assert "line 1: warning: colour: unknown field, ignored" in result.stderr
    assert "line 2: warning: id: '7' repeats line 1" in result.stderr
    assert "text: missing or empty" not in result.stderr  # 200108 was read as text


def test_classify_reads_stdin() -> None:
    result = runner.invoke(app, ["classify", "-"], input='{"id": 1, "text": "Altreifen"}\n')
    assert result.exit_code == 0
    assert json.loads(result.stdout)["codes"][0]["code"] == "160103"


def test_missing_input_file_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl" in result.stderr


def test_codes_search_and_show() -> None:
    found = runner.invoke(app, ["codes", "search", "Flugasche"])
    assert "10 01 02" in found.stdout
    hazardous = runner.invoke(app, ["codes", "search", "fly ash", "--hazardous"])
    assert "10 01 04*" in hazardous.stdout and "10 01 02 " not in hazardous.stdout
    no_chapter = runner.invoke(app, ["codes", "search", "ash", "--chapter", "99"])
    assert no_chapter.exit_code == 2 and "'99' is not a List of Waste" in no_chapter.stderr
    shown = runner.invoke(app, ["codes", "show", "020501"])
    assert "dairy" in shown.stdout and "valle" in shown.stdout
    bad = runner.invoke(app, ["codes", "show", "99 99 99"])
    assert bad.exit_code == 1 and "code:" in bad.stderr
    ops = runner.invoke(app, ["codes", "operations"])
    assert ops.stdout.startswith("R1")


def test_bytes_that_are_not_utf8_are_named_with_their_line(tmp_path: Path) -> None:
    src = tmp_path / "latin1.jsonl"
    src.write_bytes(
        '{"id": "a", "text": "fly ash"}\n{"id": "b", "text": "Schlämme"}\n'.encode("latin-1")
    )
    result = runner.invoke(app, ["classify", str(src)])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2  # still answered
    assert "line 2: warning: bytes that are not UTF-8" in result.stderr


def test_an_xlsx_row_with_an_uncomputed_formula_is_still_answered(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text", "note"])
    sheet.append(["y", "fly ash", "=1+1"])  # written by a program: no value stored
    sheet.append(["z", "=B2", "x"])
    src = tmp_path / "in.xlsx"
    book.save(src)
    result = runner.invoke(app, ["classify", str(src), "--top", "1"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["y", "z"]
    assert lines[0]["codes"][0]["code"] == "100102" and lines[1]["codes"] == []
    assert "line 2: warning: note (a formula without a computed value)" in result.stderr
    assert "line 3: warning: text (a formula without a computed value)" in result.stderr


def test_utf16_text_is_named_and_stdin_bytes_that_are_not_utf8_are_warned(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "fly ash"}) + "\n", encoding="utf-16")
    result = runner.invoke(app, ["classify", str(src)])  # Windows PowerShell writes this
    assert result.exit_code == 2 and "UTF-16" in result.stderr, result.stderr
    latin = b'{"id": 1, "text": "caf\xe9 grounds"}\n'
    result = runner.invoke(app, ["classify", "-", "--top", "1"], input=latin)
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == 1
    assert "-: line 1: warning: bytes that are not UTF-8" in result.stderr  # silent before
