"""The ``sidestream`` command line (Typer)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console

from sidestream.access.cli import purge_command, users_app
from sidestream.classify.cli import register as register_classify
from sidestream.demo.cli import demo_command
from sidestream.exchanges.cli import audit_app
from sidestream.interop.cli import export_command, import_command, schema_command
from sidestream.matching.cli import register as register_matching
from sidestream.matching.stream_cli import match_command
from sidestream.optimize.cli import optimize_command
from sidestream.reports.cli import report_command

app = typer.Typer(
    name="sidestream",
    help="Sidestream: industrial-symbiosis platform (web app, REST API and CLI).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(db_app, name="db")
err = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
]


@app.callback()
def _main() -> None:
    """Sidestream: side streams in, partners and impact out."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=0, max=65535)] = 8000,
    database_url: DbOption = None,
) -> None:
    """Run the web app and the REST API (migrating the database first)."""
    import uvicorn

    from sidestream.api.access_log import log_config
    from sidestream.api.app import create_app
    from sidestream.db import get_engine, upgrade

    if database_url:
        os.environ["DATABASE_URL"] = database_url
    upgrade(database_url)
    err.print(f"Sidestream on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    app_ = create_app(get_engine(database_url))
    uvicorn.run(app_, host=host, port=port, log_level="info", log_config=log_config())


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
    database_url: DbOption = None,
) -> None:
    """Apply the schema migrations up to REVISION (default: head)."""
    from sidestream.db import current_revision, past_revision, upgrade

    past = past_revision(database_url, revision)
    if past:
        err.print(
            f"error: revision: the database is at {past}, past {revision}; "
            f"`sidestream db downgrade {revision}` takes it back, undoing the later migrations",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    _migrate(upgrade, database_url, revision)
    now = current_revision(database_url)
    err.print(f"database at revision {now}" + (" (head)" if revision == "head" else ""))


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="target revision, e.g. 0003")],
    database_url: DbOption = None,
) -> None:
    """Undo the schema migrations after REVISION (before running an older Sidestream: every
    command of this version migrates to its head first)."""
    from sidestream.db import current_revision, downgrade

    _migrate(downgrade, database_url, revision)
    err.print(f"database at revision {current_revision(database_url) or 'base (no tables)'}")


def _migrate(step: Callable[[str | None, str], None], url: str | None, revision: str) -> None:
    """Run an Alembic step; an unknown revision is an error naming it, exit code 2."""
    from alembic.util import CommandError

    try:
        step(url, revision)
    except CommandError as exc:
        err.print(f"error: revision: {exc}", soft_wrap=True)
        raise typer.Exit(2) from None


app.command("demo")(demo_command)
app.command("import")(import_command)
app.command("export")(export_command)
app.command("schema")(schema_command)

# Domain command groups register themselves below (one line each).
app.command("match")(match_command)
register_classify(app)
register_matching(app)
app.command("optimize")(optimize_command)
app.command("report")(report_command)
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.command("purge")(purge_command)


def main() -> None:
    """The ``sidestream`` command: the app, with a database it cannot open or a file it cannot
    read or write said in one line (exit code 2) instead of a traceback, whichever command
    met it."""
    from alembic.script.revision import ResolutionError
    from alembic.util import CommandError
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    try:
        app()
    except (DBAPIError, ArgumentError, NoSuchModuleError) as exc:
        reason = getattr(exc, "orig", None) or exc
        err.print(f"error: database: {str(reason).splitlines()[0]}", soft_wrap=True)
        raise SystemExit(2) from None
    except (CommandError, ResolutionError) as exc:
        err.print(
            f"error: database: {exc} (a newer Sidestream migrated it; use that version)",
            soft_wrap=True,
        )
        raise SystemExit(2) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"error: {where}{exc.strerror or exc}", soft_wrap=True)
        raise SystemExit(2) from None
