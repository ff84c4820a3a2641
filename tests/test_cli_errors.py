"""The ``sidestream`` command says what is wrong in one line and changes nothing: a database it
cannot open, a file it cannot read or write, options out of range (CLI review, stop 18)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from sidestream.cli import app, main
from sidestream.db import upgrade
from sidestream.registry.models import Organisation


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):
    monkeypatch.setattr(sys, "argv", ["sidestream", *args])
    with pytest.raises(SystemExit) as ended:
        main()
    return ended.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    "url", ["notdb", "missing-folder", "bogus://x", "notaurl", "mysql://u@localhost/x"]
)
def test_a_database_it_cannot_open_is_one_line(monkeypatch, capsys, tmp_path: Path, url: str):
    if url == "notdb":
        (tmp_path / "notdb.db").write_text("not a database")
        url = f"sqlite:///{tmp_path / 'notdb.db'}"
    elif url == "missing-folder":
        url = f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}"
    code, err = _main(
        monkeypatch, capsys, "import", str(_listing_file(tmp_path)), "--database-url", url
    )
    assert code == 2 and err.startswith("error: database: ") and "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--network", "99999999999999999999"],
        ["match", "--network", "9223372036854775808"],
        ["users", "create", "x@example.org", "--password", "Sidestream-Strong-Pass1",
         "--organisation", "99999999999999999999"],
        ["report", "--network", "²"],  # a digit to str.isdigit(), not to int()
    ],
)  # fmt: skip
def test_ids_beyond_the_database_are_one_line(monkeypatch, capsys, tmp_path: Path, args):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    code, err = _main(monkeypatch, capsys, *args, "--database-url", url)
    assert code in (1, 2) and "Traceback" not in err and "OverflowError" not in err, err


def _listing_file(folder: Path) -> Path:
    path = folder / "one.jsonl"
    path.write_text(json.dumps({"id": "a", "direction": "offer", "title": "Sawdust"}) + "\n")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["export"],
        ["report", "--network", "1"],
        ["optimize", "--network", "1"],
        ["match", "1"],
        ["audit", "verify"],
        ["purge"],
    ],
)
def test_commands_on_stored_data_do_not_create_a_database(
    monkeypatch, capsys, tmp_path: Path, command: list[str]
):
    """A mistyped path answered "nothing stored" from a new empty database before."""
    typo = tmp_path / "sidestrem.db"
    code, err = _main(monkeypatch, capsys, *command, "--database-url", f"sqlite:///{typo}")
    assert code == 2 and err.startswith(f"error: {typo}: no database here"), err
    assert not typo.exists()


def test_import_creates_the_database_it_names(monkeypatch, capsys, tmp_path: Path):
    new = tmp_path / "new.db"
    code, _ = _main(monkeypatch, capsys, "import", str(_listing_file(tmp_path)),
                    "--database-url", f"sqlite:///{new}")  # fmt: skip
    assert code == 0 and new.exists()


def test_a_database_a_newer_version_migrated_is_one_line(monkeypatch, capsys, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    upgrade(url)
    with create_engine(url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    for command in (["export"], ["db", "upgrade"]):
        code, err = _main(monkeypatch, capsys, *command, "--database-url", url)
        assert code == 2 and "'0099'" in err and "newer Sidestream" in err, command


def test_a_file_it_cannot_write_is_one_line(monkeypatch, capsys, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    code, err = _main(monkeypatch, capsys, "export", "-o", str(tmp_path), "--database-url", url)
    assert code == 2 and err.startswith(f"error: {tmp_path}: ")


def test_options_out_of_range_stop_before_the_database_is_touched(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--database-url", url]).exit_code == 0
    engine = create_engine(url)
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(Organisation))
    bad_port = ["demo", "--reset", "--serve", "--port", "70000", "--database-url", url]
    assert runner.invoke(app, bad_port).exit_code == 2
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Organisation)) == before
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps({"offers": [], "needs": [], "arcs": []}))
    assert runner.invoke(app, ["optimize", str(problem), "--pareto", "51"]).exit_code == 2


def test_accounts_need_an_e_mail_address_and_a_role_an_organisation(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'u.db'}"
    runner = CliRunner()
    for args in (["notanemail"], ["a@b.example", "--role", "admin"]):
        ran = runner.invoke(
            app, ["users", "create", *args, "--password", "long enough pw", "--database-url", url]
        )
        assert ran.exit_code != 0 and "created" not in ran.output, args


def test_a_demo_account_taken_already_is_one_line(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'taken.db'}"
    runner = CliRunner()
    args = ["users", "create", "admin@demo.sidestream.invalid", "--password", "a fine password"]
    assert runner.invoke(app, [*args, "--database-url", url]).exit_code == 0
    ran = runner.invoke(app, ["demo", "--database-url", url])
    assert ran.exit_code == 2 and "error: demo:" in ran.output


def test_the_import_summary_counts_rows_not_errors(tmp_path: Path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "x", "title": "", "colour": "red"}) + "\n")  # 3 errors
    ran = CliRunner().invoke(
        app, ["import", str(rows), "--database-url", f"sqlite:///{tmp_path / 'i.db'}"]
    )
    assert ran.exit_code == 1 and "nothing imported: 1 bad rows of 1" in ran.output


def test_export_filters_are_checked(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    upgrade(url)
    runner = CliRunner()
    for args in (["--kind", "plasma"], ["--direction", "sideways"], ["--network", "999"]):
        ran = runner.invoke(app, ["export", *args, "--database-url", url])
        assert ran.exit_code == 2 and "exported" not in ran.output, args


def test_a_stream_id_no_row_can_have_is_not_found(tmp_path: Path):
    """An id past 64 bits reached SQLite and came back as a traceback."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    ran = CliRunner().invoke(app, ["match", "99999999999999999999", "--database-url", url])
    assert ran.exit_code != 0 and "stream 99999999999999999999 not found" in ran.output
    assert ran.exception is None or isinstance(ran.exception, SystemExit)
