"""``sidestream check-knowledge``: validate a facilitator's knowledge files before using them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sidestream.matching.knowledge import (
    configured_files,
    default_knowledge_base,
    read_exchanges,
    read_patterns,
    reused_cases,
)


def check_knowledge_command(
    patterns: Annotated[
        list[Path] | None,
        typer.Option("--patterns", help="a patterns CSV (patterns.csv layout); repeatable"),
    ] = None,
    exchanges: Annotated[
        list[Path] | None,
        typer.Option("--exchanges", help="a documented-exchanges CSV (MAESTRI layout); repeatable"),
    ] = None,
) -> None:
    """Check knowledge files row by row and say what they add to the bundled knowledge base.

    Without options, checks the files named in SIDESTREAM_EXTRA_PATTERNS and
    SIDESTREAM_EXTRA_EXCHANGES. Every invalid row is reported (file, line, field); the exit code
    is 1 when any is found, so the files can be checked before the app is restarted with them.
    """
    if not patterns and not exchanges:
        configured = configured_files()
        patterns, exchanges = [Path(p) for p in configured[0]], [Path(p) for p in configured[1]]
        if not patterns and not exchanges:
            typer.echo(
                "No knowledge files given or configured (SIDESTREAM_EXTRA_PATTERNS,"
                " SIDESTREAM_EXTRA_EXCHANGES); the bundled knowledge base is used."
            )
            return
    bundled = default_knowledge_base()
    known_ids = {p.id for p in bundled.patterns}
    known_classes = {p.receiver_nace for p in bundled.patterns} | {
        c for e in bundled.exchanges for c in e.receiver_classes
    }
    failed = False
    earlier: dict[str, Path] = {}  # ids of the files checked before, loaded beside them
    for path in patterns or []:
        try:
            rows, errors = read_patterns(path)
        except OSError as exc:
            rows, errors = [], [f"{path}: cannot read ({exc.strerror or exc})"]
        except ValueError as exc:  # the message names the file
            rows, errors = [], [str(exc)]
        clashes = sorted({p.id for p in rows} & known_ids)
        errors += [f"{path}: id {i!r} is already a bundled pattern" for i in clashes]
        errors += [
            f"{path}: id {p.id!r} is also in {earlier[p.id]}" for p in rows if p.id in earlier
        ]
        earlier |= {p.id: path for p in rows}
        new = sorted({p.receiver_nace for p in rows} - known_classes)
        named = len({p.receiver_nace for p in rows})
        typer.echo(
            f"{path}: {len(rows)} valid patterns naming {named} receiving classes,"
            f" {len(new)} new: {', '.join(new) or '-'}"
        )
        if not rows and not errors:
            typer.echo(f"warning: {path}: no rows", err=True)
        failed |= _report(errors)
    for path in exchanges or []:
        try:
            found, errors = read_exchanges(path)
        except OSError as exc:
            found, errors = [], [f"{path}: cannot read ({exc.strerror or exc})"]
        except ValueError as exc:
            found, errors = [], [str(exc)]
        cases = {e.case_id for e in found}
        errors += [f"{path}: {why}" for why in reused_cases(found, bundled)]
        typer.echo(f"{path}: {len(found)} valid exchanges in {len(cases)} cases")
        if not found and not errors:
            typer.echo(f"warning: {path}: no rows", err=True)
        failed |= _report(errors)
    if failed:
        raise typer.Exit(1)


def _report(errors: list[str]) -> bool:
    for message in errors:
        typer.echo(f"error: {message}", err=True)
    return bool(errors)
