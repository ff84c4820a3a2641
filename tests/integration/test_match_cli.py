"""``sidestream match`` ranks the partners of stored streams, as a user runs it."""

import json

from typer.testing import CliRunner

from sidestream.cli import app


def test_match_command_on_the_demo_region(tmp_path):
    db = f"sqlite:///{tmp_path / 'm.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--database-url", db]).exit_code == 0
    r = runner.invoke(app, ["match", "kal-asnaes-flyash", "--top", "5", "--database-url", db])
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout.splitlines()[0])
    assert found["direction"] == "offer" and len(found["matches"]) == 5
    titles = [m["partner"]["title"].lower() for m in found["matches"]]
    assert any("fly ash" in t for t in titles)
    reasons = found["matches"][0]["reasons"]
    assert {"component", "score", "weight"} <= set(reasons[0])

    r = runner.invoke(app, ["match", "no-such-stream", "--database-url", db])
    assert r.exit_code == 2 and "not found" in r.output

    r = runner.invoke(app, ["match", "--network", "1", "--top", "1", "--database-url", db])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) >= 10
