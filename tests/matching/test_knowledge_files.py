"""A facilitator's own knowledge files: checked row by row, then used by the CLI and the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.cli import app
from sidestream.config import get_settings
from sidestream.matching.knowledge import platform_knowledge_base, read_patterns

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
        HEADER + GOOD + "x,,slag,20x,use,src\ny,,,2042,use,src\n" + GOOD, encoding="utf-8"
    )
    rows, errors = read_patterns(path)
    assert [p.id for p in rows] == ["grounds-soap", "grounds-soap"]
    assert errors == [
        f"{path} line 3: receiver_nace must be 4 digits, got '20x'",
        f"{path} line 4: give waste_codes or keywords",
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
