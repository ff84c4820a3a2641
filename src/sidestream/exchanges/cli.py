"""``sidestream audit``: check the tamper-evident audit log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from sidestream.db import get_engine, session_scope, upgrade_existing
from sidestream.exchanges import audit

audit_app = typer.Typer(help="Tamper-evident audit log.", no_args_is_help=True)
err = Console(stderr=True)
DbOption = Annotated[
    str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
]


@audit_app.command("verify")
def verify_command(database_url: DbOption = None) -> None:
    """Recompute the hash chain; exit 1 naming the first altered or deleted entry."""
    upgrade_existing(database_url)
    with session_scope(get_engine(database_url)) as session:
        verdict = audit.verify(session)
    if verdict.ok:
        typer.echo(f"audit log intact: {verdict.entries} entries, head {verdict.head}")
        return
    err.print(
        f"audit log BROKEN at entry {verdict.broken_at}: {verdict.reason} "
        f"({verdict.entries} entries verified before it)",
        markup=False,
    )
    raise typer.Exit(1)
