"""``sidestream report --network N``: a network's impact report as JSON or CSV."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from sidestream.access.errors import Forbidden
from sidestream.errors import InvalidInput, NotFound


class ReportFormat(StrEnum):
    """What ``report`` writes to stdout."""

    json = "json"
    csv = "csv"


def report_command(
    network: Annotated[str, typer.Option("--network", metavar="N", help="network id or name")],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="json or csv")
    ] = ReportFormat.json,
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
    ] = None,
) -> None:
    """Realised and potential impact of a network (five indicators, EUR, factor sources)."""
    from sidestream.db import get_engine, session_scope, upgrade_existing
    from sidestream.registry import service as registry
    from sidestream.reports.service import network_report, report_csv

    upgrade_existing(database_url)
    try:
        with session_scope(get_engine(database_url)) as session:
            report = network_report(session, registry.network_named(session, network).id)
    except (NotFound, InvalidInput, Forbidden) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if output_format is ReportFormat.csv:
        typer.echo(report_csv(report), nl=False)
    else:
        typer.echo(report.model_dump_json(indent=2))
