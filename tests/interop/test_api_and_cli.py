"""Import and export through the REST API and the command line, as a user would."""

import json

from typer.testing import CliRunner

from sidestream.cli import app

ROWS = [
    {
        "id": "w1",
        "direction": "offer",
        "title": "Whey from cheese making",
        "waste_code": "020501",
        "quantity": 40,
        "unit": "m3/day",
        "properties": {"density_kg_m3": 1025},
        "organisation": "Pomurske mlekarne",
        "organisation_nace": "10.51",
    },
    {
        "id": "w2",
        "direction": "need",
        "title": "Brewers' spent grain for feed",
        "kind": "material",
        "waste_code": "020799",
        "quantity": 300,
        "unit": "t",
        "period": "per-month",
    },
]


def _jsonl(rows):
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def test_api_import_report_and_export(client):
    bad = [*ROWS, {"id": "w3", "direction": "offer", "title": "x", "waste_code": "1"}]
    r = client.post("/api/v1/streams/import", files={"file": ("s.jsonl", _jsonl(bad))})
    assert r.status_code == 422
    body = r.json()
    assert body["committed"] is False and body["errors"][0]["row"] == 3
    assert body["errors"][0]["field"] == "waste_code"
    assert client.get("/api/v1/streams").json()["total"] == 0

    r = client.post("/api/v1/streams/import?partial=true", files={"file": ("s.jsonl", _jsonl(bad))})
    assert r.status_code == 200 and r.json()["created"] == 2

    csv_text = client.get("/api/v1/streams/export?format=csv").text
    assert csv_text.splitlines()[0].startswith("id,direction,title")
    lines = client.get("/api/v1/streams/export").text.splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["w1", "w2"]
    assert client.get("/api/v1/schemas/listing-v1.json").json()["title"].startswith("Sidestream")


def test_api_import_refuses_unknown_file_types(client):
    r = client.post("/api/v1/streams/import", files={"file": ("s.pdf", b"%PDF")})
    detail = r.json()["detail"][0]
    assert r.status_code == 422 and "format" in detail["msg"]
    assert detail["type"] == "unreadable_file"


def test_cli_import_export_round_trip(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl(ROWS))
    runner = CliRunner()
    r = runner.invoke(app, ["import", str(src), "--database-url", db])
    assert r.exit_code == 0, r.output
    assert "imported 2 new" in r.output
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["export", "--format", "csv", "-o", str(out), "--database-url", db])
    assert r.exit_code == 0
    r = runner.invoke(app, ["import", str(out), "--database-url", db])
    # an export read back changes nothing, and says so (it said "2 updated")
    assert r.exit_code == 0 and "0 new, 0 updated, 2 unchanged" in r.output, r.output
    out.write_text(out.read_text().replace("Whey from cheese making", "Acid whey"))
    r = runner.invoke(app, ["import", str(out), "--database-url", db])
    assert r.exit_code == 0 and "0 new, 1 updated, 1 unchanged" in r.output, r.output


def test_cli_import_bad_file_changes_nothing(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    src = tmp_path / "bad.jsonl"
    src.write_text(_jsonl([ROWS[0], {"id": "x", "direction": "offer"}]))
    r = CliRunner().invoke(app, ["import", str(src), "--database-url", db])
    assert r.exit_code == 1
    assert "row 2 (id x): title: Field required" in r.output
    assert "nothing imported" in r.output
    r = CliRunner().invoke(app, ["export", "--database-url", db])
    assert r.stdout == ""


def test_cli_db_upgrade(tmp_path):
    db = f"sqlite:///{tmp_path / 'up.db'}"
    r = CliRunner().invoke(app, ["db", "upgrade", "--database-url", db])
    assert r.exit_code == 0 and "head" in r.output
    from alembic.script import ScriptDirectory

    from sidestream.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(db))
    head = script.get_current_head()
    [after_0003] = [r.revision for r in script.walk_revisions() if r.down_revision == "0003"]
    past = CliRunner().invoke(app, ["db", "upgrade", "0003", "--database-url", db])
    assert past.exit_code == 1 and f"the database is at {head}, past 0003" in past.output
    back = CliRunner().invoke(app, ["db", "downgrade", "0003", "--database-url", db])
    assert back.exit_code == 0 and "database at revision 0003" in back.output
    unknown = CliRunner().invoke(app, ["db", "downgrade", "9999", "--database-url", db])
    assert unknown.exit_code == 2 and "revision identified by '9999'" in unknown.output
    step = CliRunner().invoke(app, ["db", "upgrade", "+1", "--database-url", db])
    assert step.exit_code == 0 and f"database at revision {after_0003}" in step.output
    empty = CliRunner().invoke(app, ["db", "downgrade", "base", "--database-url", db])
    assert empty.exit_code == 0 and "database at revision base (no tables)" in empty.output
    again = CliRunner().invoke(app, ["db", "upgrade", "--database-url", db])
    assert again.exit_code == 0 and f"database at revision {head} (head)" in again.output
