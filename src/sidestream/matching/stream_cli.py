"""``sidestream match``: ranked partners of stored streams, from the command line."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from sidestream.db import get_engine, session_scope, upgrade_existing
from sidestream.errors import NotFound
from sidestream.input_rules import MAX_STORED_INT
from sidestream.matching.cli import require_knowledge_base
from sidestream.matching.service import matches_for_stream
from sidestream.registry import service as registry
from sidestream.registry.models import Stream

err = Console(stderr=True)


def match_command(
    stream: Annotated[
        list[str] | None,
        typer.Argument(help="listing ids (or numeric stream ids) to match; default: all offers"),
    ] = None,
    network: Annotated[
        int | None, typer.Option(help="only streams of this network id", min=1, max=MAX_STORED_INT)
    ] = None,
    top: Annotated[int, typer.Option(min=1, max=100, help="partners per stream")] = 10,
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
    ] = None,
) -> None:
    """Rank the partners of stored streams: one JSON line per stream, with reasons and benefit."""
    require_knowledge_base()
    upgrade_existing(database_url)
    with session_scope(get_engine(database_url)) as session:
        try:
            ids = _stream_ids(session, stream or [], network)
        except NotFound as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("matching", total=len(ids))
            for stream_id in ids:
                found = matches_for_stream(session, stream_id, top=top)
                sys.stdout.write(json.dumps(found.model_dump(mode="json"), ensure_ascii=False))
                sys.stdout.write("\n")
                bar.advance(task)


def _stream_ids(session, refs: list[str], network: int | None) -> list[int]:  # type: ignore[no-untyped-def]
    """Stream ids for listing ids / numeric ids, or all active offers (of a network)."""
    if refs:
        out = []
        for ref in refs:
            found = registry.find_stream(session, ref)
            if found is None and ref.isascii() and ref.isdigit() and int(ref) <= MAX_STORED_INT:
                found = registry.get_stream(session, int(ref))
            if found is None:
                raise NotFound("stream", ref)
            out.append(found.id)
        return out
    if network is not None:
        registry.get_network(session, network)
    filters = registry.StreamFilter(direction="offer", status="active", network_id=network)
    return [s.id for s in session.scalars(registry.stream_query(filters).order_by(Stream.id))]
