"""A facilitator's own knowledge files: checked row by row, then used by the CLI and the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.cli import app
from sidestream.config import get_settings
from sidestream.matching.knowledge import (
    load_knowledge_base,
    platform_knowledge_base,
    read_exchanges,
    read_patterns,
)

runner = CliRunner()

HEADER = "id,waste_codes,keywords,receiver_nace,typical_use,source\n"
GOOD = "grounds-soap,,kaffegrums|spent coffee grounds,2042,scrub in soaps,Local trial 2024\n"


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings re-read with the test's environment, and forgotten again afterwards."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.delenv("SIDESTREAM_EXTRA_PATTERNS", raising=False)
    monkeypatch.delenv("SIDESTREAM_EXTRA_EXCHANGES", raising=False)
    get_settings.cache_clear()


def test_every_bad_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        HEADER + GOOD + "x,,slag,20x,use,src\ny,,,2042,use,src\n  ,,slag,2351,use,src\n" + GOOD,
        encoding="utf-8",
    )
    rows, errors = read_patterns(path)
    assert [p.id for p in rows] == ["grounds-soap", "grounds-soap"]
    assert errors == [
        f"{path} line 3: receiver_nace must be 4 digits, got '20x'",
        f"{path} line 4: give waste_codes or keywords",
        f"{path} line 5: id is required (a short unique name)",
        f"{path}: id 'grounds-soap' appears 2 times",
    ]


def test_check_knowledge_says_what_a_file_adds_and_fails_on_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    exchanges = tmp_path / "exchanges.csv"
    exchanges.write_text(
        "case_id,exchange_id,waste_description,receiver_nace\nL1,1,coffee grounds,2042\n"
        "L1,,tea leaves,2042\n",
        encoding="utf-8",
    )
    ok = runner.invoke(app, ["check-knowledge", "--patterns", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "1 valid patterns naming 1 receiving classes" in ok.stdout
    bad = runner.invoke(app, ["check-knowledge", "--exchanges", str(exchanges)])
    assert bad.exit_code == 1
    assert "1 valid exchanges in 1 cases" in bad.stdout
    assert f"error: {exchanges} line 3: exchange_id is required" in bad.stderr
    missing = runner.invoke(app, ["check-knowledge", "--patterns", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "No such file" in missing.stderr
    again = tmp_path / "again.csv"  # the same id in a second file, which the app would refuse
    again.write_text(HEADER + GOOD, encoding="utf-8")
    both = runner.invoke(
        app, ["check-knowledge", "--patterns", str(good), "--patterns", str(again)]
    )
    assert both.exit_code == 1 and f"is also in {good}" in both.stderr


def test_configured_files_reach_recommendations_and_the_check(
    tmp_path: Path, configured: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text(HEADER + GOOD, encoding="utf-8")
    configured.setenv("SIDESTREAM_EXTRA_PATTERNS", str(mine))
    assert "grounds-soap" in {p.id for p in platform_knowledge_base().patterns}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "description": "kaffegrums"}) + "\n", "utf-8")
    result = runner.invoke(app, ["recommend-sectors", str(source), "--top", "3"])
    [line] = [json.loads(x) for x in result.stdout.splitlines()]
    best = line["sectors"][0]
    assert best["nace"] == "2042" and "Local trial 2024" in best["why"]
    assert runner.invoke(app, ["check-knowledge"]).exit_code == 0


def test_an_invalid_configured_file_stops_the_app_at_start(
    tmp_path: Path, configured: pytest.MonkeyPatch
) -> None:
    from sidestream.api.app import create_app

    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + "x,,slag,20x,use,src\n", encoding="utf-8")
    configured.setenv("SIDESTREAM_EXTRA_PATTERNS", str(broken))
    with pytest.raises(ValueError, match=r"broken\.csv line 2: receiver_nace must be 4 digits"):
        create_app()


def test_files_as_spreadsheets_write_them_are_read_with_true_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        (
            "\ufeff" + HEADER + "\n" + GOOD + '\nquoted,,kaffegrums,2042,"scrub\nin soap",Trial\n'
            "shifted,,slag,2042,use, with a comma,src,,\n"
            "nowhere,,slag,9999,use,src\n"
            "nocode,99,,2042,use,src\n"
        ).encode("utf-8")
    )
    rows, errors = read_patterns(path)  # a byte-order mark, blank lines, a multi-line field
    assert [p.id for p in rows] == ["grounds-soap", "quoted"]
    assert rows[1].typical_use == "scrub\nin soap"
    assert errors == [
        f"{path} line 7: more fields than columns (a comma inside a field that is not in"
        " double quotes?)",
        f"{path} line 8: receiver_nace '9999' is not a NACE Rev. 2 or 2.1 class",
        f"{path} line 9: waste_codes prefix '99' is in no List of Waste code",
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "x,,kaffegrums,2042,Rückstände,src\n").encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.csv: not UTF-8 text"):
        read_patterns(latin)


def test_a_configured_file_may_not_reuse_a_bundled_id_and_an_invalid_one_stops_commands(
    tmp_path: Path, configured: pytest.MonkeyPatch
) -> None:
    from sidestream.matching.knowledge import load_knowledge_base

    clash = tmp_path / "clash.csv"
    clash.write_text(HEADER + "heat-district,,lava,3530,use,src\n", encoding="utf-8")
    with pytest.raises(ValueError, match="id 'heat-district' is already a pattern"):
        load_knowledge_base([clash])
    configured.setenv("SIDESTREAM_EXTRA_PATTERNS", f"{clash} ")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "description": "fly ash"}) + "\n", "utf-8")
    result = runner.invoke(app, ["recommend-sectors", str(source)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "error: knowledge base:" in result.stderr and "heat-district" in result.stderr
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    for command in (["match"], ["optimize", "--network", "1"]):  # stored streams too
        stopped = runner.invoke(app, [*command, "--database-url", database])
        assert stopped.exit_code == 2 and "heat-district" in stopped.stderr, command
        assert not (tmp_path / "db.sqlite").exists()  # stopped before touching the database
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    check = runner.invoke(app, ["check-knowledge", "--patterns", str(empty)])
    assert check.exit_code == 0 and f"warning: {empty}: no rows" in check.stderr


def test_a_quote_left_open_is_named_at_the_row_where_it_opens(tmp_path: Path) -> None:
    from sidestream.matching.knowledge import read_exchanges

    open_quote = tmp_path / "open.csv"
    rows = "".join(f"p{i},,slag {i},2042,use,src\n" for i in range(3))
    open_quote.write_text(HEADER + GOOD + 'bad,,"slag,2042,use,src\n' + rows, encoding="utf-8")
    found, errors = read_patterns(open_quote)  # the quote swallows every row after it
    assert [p.id for p in found] == ["grounds-soap"]
    assert errors == [
        f"{open_quote} line 3: keywords runs over several lines (the row runs on to line 6: an"
        " unclosed double quote?)"
    ]
    closed_late = tmp_path / "late.csv"  # the quote closes in another row: that row is lost
    closed_late.write_text(
        HEADER + 'c,,slag,2351,use,"src,,\nd,,ash,2351,use,src",,\n' + GOOD, encoding="utf-8"
    )
    found, errors = read_patterns(closed_late)
    assert [p.id for p in found] == ["grounds-soap"]
    assert errors == [
        f"{closed_late} line 2: source runs over several lines (the row runs on to line 3: an"
        " unclosed double quote?)"
    ]
    last = tmp_path / "last.csv"  # opened on the last line: nothing follows to swallow
    last.write_bytes((HEADER + GOOD + 'e,,"slag,2351,use,src').encode())
    assert read_patterns(last)[1] == [
        f"{last} line 3: fewer fields than columns (an unclosed double quote?)"
    ]
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_id,exchange_id,waste_description,receiver_nace\nL1,1,coffee grounds,2042\n"
        'L1,2,"tea leaves,2042\nL1,3,whey,1091\n',
        encoding="utf-8",
    )
    kept, errors = read_exchanges(cases)
    assert [e.exchange_id for e in kept] == ["1"]
    assert errors == [
        f"{cases} line 3: fewer fields than columns (the row runs on to line 4: an unclosed"
        " double quote?)"
    ]
    huge = tmp_path / "huge.csv"  # so many rows swallowed that the field outgrows csv's limit
    huge.write_text(HEADER + GOOD + 'bad,,"slag,2042\n' + rows * 3000, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_patterns(huge)
    assert str(caught.value).startswith(f"{huge} line 3: cannot read the row (field larger")
    assert str(caught.value).endswith(": an unclosed double quote?")
    result = runner.invoke(app, ["check-knowledge", "--patterns", str(huge)])
    assert result.exit_code == 1 and f"error: {huge} line 3: cannot read" in result.stderr


def test_keywords_in_other_languages_match_whole_or_as_the_end_of_a_compound(
    tmp_path: Path,
) -> None:
    from sidestream.matching.knowledge import load_pattern_keywords, with_translations

    path = tmp_path / "keywords.csv"
    path.write_text(
        "id,language,keywords\ngrounds-soap,de,Kaffeesatz|Kaffee Satz\n"
        "grounds-soap,pl,fusy z kawy|fusy\ngrounds-soap,da,kaffegrums\n",
        encoding="utf-8",
    )
    [bundled], _ = read_patterns(_one(tmp_path))
    [pattern] = with_translations([bundled], load_pattern_keywords(path, ["grounds-soap"]))
    assert pattern.heads == ("kaffeesatz", "kaffegrums")  # also a keyword: now ends compounds
    assert pattern.translations == ("kaffee satz", "fusy z kawy")  # 'fusy': too short a word
    assert pattern.keyword_in("getrockneter espressokaffeesatz") == "espressokaffeesatz"
    assert pattern.keyword_in("fusy z kawy, 2 t") == "fusy z kawy"
    assert pattern.keyword_in("konfusy z kawy") is None  # whole words outside compounding ones
    assert pattern.modifiers == (("de", "kaffeesatz"), ("da", "kaffegrums"))  # single words
    for compound in ("kaffeesatzabfalle", "kaffegrumsaffald", "kaffeesatzreste"):
        assert pattern.keyword_in(compound) == compound  # the material before a word for waste
    for other in ("kaffeesatzschlamm", "kaffegrumsabfalle", "fusyabfalle"):
        assert pattern.keyword_in(other) is None  # sludge; Danish before German; Polish whole
    for body, message in (
        ("nope,de,Kaffeesatz", "line 2: id 'nope' is not a pattern"),
        ("grounds-soap,deu,Kaffeesatz", "line 2: language 'deu' is not a two-letter ISO 639-1"),
        ("grounds-soap,de, | ", "line 2: keywords is empty"),
        ('grounds-soap,de,"Kaffeesatz\ngrounds-soap,nl,koffiedik', "line 2: keywords runs over"),
    ):
        path.write_text("id,language,keywords\n" + body + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            load_pattern_keywords(path, ["grounds-soap"])


def _one(folder: Path) -> Path:
    path = folder / "one.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    return path


def test_every_typical_use_is_translated_for_the_interface_languages() -> None:
    from sidestream.matching.knowledge import load_patterns, translated_use

    uses = {p.typical_use for p in load_patterns()}
    for lang in ("da", "sv", "nb", "sl"):
        missing = sorted(u for u in uses if translated_use(u, lang) == u)
        assert not missing, (lang, missing[:5])
    assert translated_use("cement set retarder", "da") == "afbindingsregulator i cement"
    assert translated_use("cement set retarder", "de") == "cement set retarder"  # no German
    assert translated_use("Raw material", "da") == "Raw material"  # case texts stay as written


def test_a_code_written_with_spaces_is_not_read_as_chapters(tmp_path: Path) -> None:
    # "10 01 02" was three prefixes: chapters 10, 01 (mining) and 02 (agriculture)
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + "my-ash,10 01 02,,2351,fly ash in cement,Survey\n"
                    "two,10 17,,2351,slag and rubble,Survey\n", encoding="utf-8")  # fmt: skip
    rows, errors = read_patterns(path)
    assert [p.id for p in rows] == ["two"]
    assert errors == [
        f"{path} line 2: waste_codes '10 01' reads as chapters 10 and 01 but looks like code "
        "1001... written with spaces; write each code without spaces (e.g. 100102), prefixes "
        "apart by a space"
    ]


def test_an_exchange_row_naming_no_known_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "exchanges.csv"
    rows = [
        "case_id,exchange_id,waste_description,receiver_nace,ewc_code,donor_nace",
        "L1,1,coffee grounds,20.42,,",  # good
        "L1,2,slag,99.99,,",  # was stored as class 9999
        "L1,3,slag,twentythree,,",
        "L1,4,slag,2351,99 99 99,",  # was stored as code 999999
        "L1,5,slag,23.10,10 02 02,24",  # a group padded to four digits, a division: fine
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    exchanges, errors = read_exchanges(path)
    assert [e.exchange_id for e in exchanges] == ["1", "5"]
    assert errors == [
        f"{path} line 3: receiver_nace '99.99': '9999' is not a NACE Rev. 2 or 2.1 code",
        f"{path} line 4: receiver_nace 'twentythree' holds no NACE code",
        f"{path} line 5: ewc_code '999999' is not in the European List of Waste",
    ]
    reused = tmp_path / "reused.csv"
    reused.write_text(rows[0] + "\n1,new,coffee grounds,2042,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="case_id '1' is already a case of the knowledge base"):
        load_knowledge_base(extra_exchanges=[reused])
