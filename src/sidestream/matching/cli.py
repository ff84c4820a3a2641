"""CLI contract commands ``recommend-sectors`` and ``match-files`` (JSON Lines, no database)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Annotated, Any, TypeVar

import typer
from rich.progress import Progress

from sidestream.interop.input_lines import (
    LineProblem,
    given_id,
    read_input_or_stop,
    repeated_id,
)
from sidestream.matching.engine import CHUNK, MatchIndex
from sidestream.matching.knowledge import platform_knowledge_base
from sidestream.matching.knowledge_cli import check_knowledge_command
from sidestream.matching.reader import tolerant_listing, tolerant_sector_request
from sidestream.matching.schemas import Listing, SectorRequest
from sidestream.matching.sectors import SectorQuery, sector_model, with_inferred_code

T = TypeVar("T")
R = TypeVar("R", Listing, SectorRequest)
BATCH = 512


def _report(errors: Sequence[LineProblem], name: str) -> None:
    for error in errors:
        typer.echo(f"{name}: {error}", err=True)


def _batches(items: Sequence[T], size: int, label: str) -> Iterator[Sequence[T]]:
    """Slices of ``items``, with a progress bar on stderr for long runs on a terminal."""
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    if len(chunks) < 3 or not sys.stderr.isatty():
        yield from chunks
        return
    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=len(items))
        for chunk in chunks:
            yield chunk
            progress.advance(task, len(chunk))


def _platform(build: Callable[[], T]) -> T:
    """``build()`` on the platform's knowledge base; a facilitator's invalid knowledge file
    (SIDESTREAM_EXTRA_PATTERNS / _EXCHANGES) is an error naming its line, exit code 2."""
    try:
        return build()
    except (OSError, ValueError) as exc:
        typer.echo(f"error: knowledge base: {exc}", err=True)
        raise typer.Exit(2) from None


def require_knowledge_base() -> None:
    """Stop a command that matches before it starts when a facilitator's configured knowledge
    file is invalid (the same message and exit code as :func:`_platform`)."""
    _platform(platform_knowledge_base)


def _emit(rows: Iterable[dict]) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def recommend_sectors_command(
    path: Annotated[
        str,
        typer.Argument(
            help="JSON Lines of {id, description, waste_code?, donor_nace?, temperature_c?, kind?};"
            " - for stdin"
        ),
    ],
    top: Annotated[int, typer.Option("--top", min=1, help="classes per line")] = 10,
    evidence: Annotated[
        bool, typer.Option("--evidence/--no-evidence", help="include evidence")
    ] = True,
) -> None:
    """Receiving industries (NACE classes) that could use each stream, with reasons.

    Every line with an id gets one output line, in input order; problems in a line's fields are
    warnings on stderr (the field is repaired or ignored). Lines that are not JSON objects or have
    no id are errors: reported, skipped, and the exit code is 1.
    """
    requests, errors = _read_rows(read_input_or_stop(path), tolerant_sector_request)
    _report(errors, path)
    model = _platform(sector_model)
    keep = {"nace", "label", "score", "why", "typical_uses"} | ({"evidence"} if evidence else set())
    for batch in _batches(requests, BATCH, "recommending"):
        queries = [
            SectorQuery(
                r.description,
                r.waste_code,
                r.donor_nace,
                r.temperature_c,
                r.kind.value if r.kind else None,
            )
            for r, _ in batch
        ]
        scores = model.score([with_inferred_code(q, model) for q in queries])
        out = []
        for i, (_, given) in enumerate(batch):
            recs = model.explain(scores, i, top)
            out.append({"id": given, "sectors": [r.model_dump(include=keep) for r in recs]})
        _emit(out)
    if any(not e.warning for e in errors):
        raise typer.Exit(1)


def _read_rows(
    objects: Iterable[tuple[int, dict[str, Any] | LineProblem]],
    build: Callable[[dict[str, Any], int], tuple[R | None, list[LineProblem]]],
) -> tuple[list[tuple[R, Any]], list[LineProblem]]:
    """The rows ``build`` makes of the input objects, each with its id as the input wrote it
    (``given_id``: the output echoes it), and every line's problems. A repeated id is kept and
    warned about: the output names both rows by it (offers and sector requests stay in input
    order; matches to a repeated need cannot be told apart)."""
    rows: list[tuple[R, Any]] = []
    notes: list[LineProblem] = []
    first_line: dict[str, int] = {}
    for number, data in objects:
        if isinstance(data, LineProblem):
            notes.append(data)
            continue
        row, found = build(data, number)
        notes += found
        if row is not None:
            if (repeat := repeated_id(first_line, row.id, number)) is not None:
                notes.append(repeat)
            rows.append((row, given_id(data["id"], row.id)))
    return rows, notes


def match_files_command(
    offers_path: Annotated[str, typer.Argument(metavar="OFFERS.jsonl", help="offers; - for stdin")],
    needs_path: Annotated[str, typer.Argument(metavar="NEEDS.jsonl", help="needs; - for stdin")],
    top: Annotated[int, typer.Option("--top", min=1, help="needs per offer")] = 10,
) -> None:
    """For every offer, the needs that could take it, ranked, with component reasons.

    Every offer line with an id gets one output line, in input order (an empty ``matches`` list
    when nothing fits); field problems are warnings on stderr, lines that are not JSON objects or
    have no id are errors (exit code 1).
    """
    if offers_path == "-" and needs_path == "-":
        raise typer.BadParameter("only one of OFFERS and NEEDS can be read from stdin")
    offers, offer_errors = _read_rows(
        read_input_or_stop(offers_path), partial(tolerant_listing, direction="offer")
    )
    needs, need_errors = _read_rows(
        read_input_or_stop(needs_path), partial(tolerant_listing, direction="need")
    )
    _report(offer_errors, offers_path)
    _report(need_errors, needs_path)
    index = _platform(lambda: MatchIndex([n for n, _ in needs])) if needs else None
    need_ids = {n.id: given for n, given in reversed(needs)}  # a repeated id: the first line's
    for batch in _batches(offers, CHUNK * 4, "matching"):
        results = index.match([o for o, _ in batch], top) if index else [[] for _ in batch]
        _emit(
            {
                "offer_id": given,
                "matches": [
                    {"need_id": need_ids[m.need_id]} | m.model_dump(include={"score", "reasons"})
                    for m in matches
                ],
            }
            for (_, given), matches in zip(batch, results, strict=True)
        )
    if any(not e.warning for e in (*offer_errors, *need_errors)):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the matching commands to the ``sidestream`` CLI."""
    app.command("recommend-sectors")(recommend_sectors_command)
    app.command("match-files")(match_files_command)
    app.command("check-knowledge")(check_knowledge_command)
