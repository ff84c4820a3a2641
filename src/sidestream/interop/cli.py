"""``sidestream import`` and ``sidestream export``: the open listing format on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from sidestream.db import get_engine, session_scope, upgrade, upgrade_existing
from sidestream.input_rules import MAX_STORED_INT
from sidestream.interop.listing import json_schema, write_json_schema
from sidestream.interop.readers import detect_format, read_rows
from sidestream.interop.service import (
    classifier_suggestion,
    import_listings,
    to_listing,
    write_csv,
    write_jsonl,
)
from sidestream.registry.models import Network
from sidestream.registry.service import StreamFilter, stream_query
from sidestream.taxonomy.kinds import Direction, Kind

err = Console(stderr=True)
DbOption = Annotated[
    str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
]


def import_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="listing file")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl, csv or xlsx (default: extension)")
    ] = None,
    partial: Annotated[
        bool, typer.Option("--partial", help="import the good rows even when some are bad")
    ] = False,
    classify: Annotated[
        bool,
        typer.Option(
            "--classify/--no-classify",
            help="suggest a LoW code with the classifier for material rows without one",
        ),
    ] = True,
    database_url: DbOption = None,
) -> None:
    """Import streams in the open listing format; all-or-nothing unless --partial."""
    try:
        fmt = fmt or detect_format(path.name)
        rows = list(read_rows(path, fmt))
    except ValueError as exc:
        err.print(f"[red]error:[/red] {path}: {exc}")
        raise typer.Exit(2) from None
    upgrade(database_url)
    engine = get_engine(database_url)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("importing", total=len(rows))
        with session_scope(engine, writing=True) as session:
            report = import_listings(
                session,
                rows,
                partial=partial,
                suggest_code=classifier_suggestion if classify else None,
                progress=lambda _: bar.advance(task),
            )
            if not report.committed:
                session.rollback()
    for e in report.errors:
        where = f"row {e.row}" + (f" (id {e.id})" if e.id else "") + ": " if e.row else ""
        err.print(f"{where}{e.field}: {e.message}", markup=False, highlight=False)
    bad = len({e.row for e in report.errors if e.row})  # a row may be wrong in several fields
    if report.committed:
        err.print(
            f"imported {report.created} new, {report.updated} updated, {report.unchanged} "
            f"unchanged, {bad} rejected rows"
        )
    elif report.rows == 0:
        err.print("nothing imported")
    else:
        hint = "" if partial else " (fix them, or use --partial to import the good rows)"
        err.print(f"nothing imported: {bad} bad rows of {report.rows}{hint}")
    if report.errors:
        raise typer.Exit(1)


def export_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    kind: Annotated[Kind | None, typer.Option(help="only this kind")] = None,
    direction: Annotated[Direction | None, typer.Option(help="offer or need")] = None,
    network: Annotated[
        int | None, typer.Option(help="only members of this network id", min=1, max=MAX_STORED_INT)
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Export streams in the open listing format (JSON Lines or CSV)."""
    if fmt not in ("jsonl", "csv"):
        err.print(f"[red]error:[/red] --format: '{fmt}' is not jsonl or csv")
        raise typer.Exit(2)
    upgrade_existing(database_url)
    filters = StreamFilter(kind=kind, direction=direction, network_id=network)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    with session_scope(get_engine(database_url)) as session:
        if network is not None and session.get(Network, network) is None:
            err.print(f"[red]error:[/red] --network: no network {network}")
            raise typer.Exit(2)
        streams = session.scalars(stream_query(filters).order_by("id"))
        rows = (to_listing(s) for s in streams)
        if output is None:
            n = writer(rows, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as fh:
                n = writer(rows, fh)
    err.print(f"exported {n} streams")


def schema_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
) -> None:
    """Print the JSON Schema of the open listing format v1."""
    if output is None:
        sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    else:
        write_json_schema(output)
