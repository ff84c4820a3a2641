"""``sidestream demo``: build the demo region and optionally serve it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from sidestream.access.demo import DEMO_PASSWORD
from sidestream.db import Base, get_engine, session_scope, upgrade
from sidestream.demo.builder import is_loaded, load_demo
from sidestream.errors import SidestreamError

err = Console(stderr=True)


def demo_command(
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="empty the database first")] = False,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="start the web app")] = False,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=0, max=65535)] = 8000,
) -> None:
    """Load the demo region (documented symbioses) and optionally start the app on it."""
    upgrade(database_url)
    engine = get_engine(database_url)
    if reset:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    with session_scope(engine, writing=True) as session:
        if is_loaded(session):
            err.print("demo region already loaded (use --reset to rebuild it)")
        else:
            with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
                task = bar.add_task("loading demo region", total=None)
                try:
                    summary = load_demo(session, progress=lambda _: bar.advance(task))
                except SidestreamError as exc:  # e.g. a demo account's e-mail already taken
                    err.print(f"error: demo: {exc} (nothing loaded; --reset empties the "
                              "database first)", soft_wrap=True)  # fmt: skip
                    raise typer.Exit(2) from None
            err.print(
                f"demo region loaded: {summary.organisations} organisations, {summary.sites} "
                f"sites, {summary.networks} networks, {summary.streams} streams, "
                f"{summary.exchanges} running exchanges with {summary.deliveries} deliveries"
            )
            err.print(f"demo accounts (password '{DEMO_PASSWORD}'):", highlight=False)
            for account in summary.accounts:
                where = f" — {account.organisation}" if account.organisation else ""
                err.print(f"  {account.email}: {account.role}{where}", highlight=False)
    # closing its connections folds SQLite's write-ahead log into the file: a copy of the
    # file alone held an empty platform
    engine.dispose()
    if serve:
        from sidestream.cli import serve as serve_command

        serve_command(host=host, port=port, database_url=database_url)
