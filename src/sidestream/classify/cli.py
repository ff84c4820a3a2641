"""``sidestream classify`` (JSON Lines in, codes out) and ``sidestream codes`` (browse lists)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, TextIO

import typer

from sidestream.classify.browse import search_nace, search_waste_codes, waste_code_synonyms
from sidestream.classify.service import classify_all_codes
from sidestream.taxonomy.waste_codes import lookup_waste_code, operations

#: Keys accepted for the text of an input line, in order of preference.
TEXT_KEYS = ("text", "description", "title")

codes_app = typer.Typer(help="Browse and search the code lists (LoW/EWC, R/D operations, NACE).")


def _error(line: int, message: str) -> None:
    typer.echo(f"line {line}: {message}", err=True)


def _classify_line(raw: str, line: int, top: int) -> dict[str, object] | None:
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        _error(line, f"invalid JSON ({exc.msg} at column {exc.colno})")
        return None
    if not isinstance(item, dict):
        _error(line, "expected a JSON object with 'id' and 'text'")
        return None
    if item.get("id") in (None, ""):
        _error(line, "field 'id' is missing")
        return None
    key = next((k for k in TEXT_KEYS if isinstance(item.get(k), str) and item[k].strip()), None)
    if key is None:
        _error(line, "field 'text' is missing or empty (also accepted: description, title)")
        return None
    try:
        result = classify_all_codes(item[key], top=top, nace=item.get("nace"))
    except ValueError as exc:
        _error(line, str(exc))
        return None
    return {
        "id": item["id"],
        "codes": [
            {"code": s.code, "score": s.score, "label": s.label, "hazardous": s.hazardous}
            for s in result.suggestions
        ],
        "kind": result.kind.value,
        "canonical_unit": result.canonical_unit,
        "language": result.language,
        "warnings": result.warnings,
    }


def _run(stream: TextIO, top: int) -> int:
    bad = 0
    for line, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        out = _classify_line(raw, line, top)
        if out is None:
            bad += 1
            continue
        typer.echo(json.dumps(out, ensure_ascii=False))
    return bad


def classify_command(
    input: Annotated[
        str, typer.Argument(help="JSON Lines file ({'id','text'} a line), '-' for stdin")
    ],
    top: Annotated[int, typer.Option("--top", min=1, max=20, help="Codes per line")] = 3,
) -> None:
    """Classify side-stream descriptions into List of Waste codes (JSON Lines to stdout)."""
    if input == "-":
        bad = _run(sys.stdin, top)
    else:
        try:
            with open(input, encoding="utf-8", errors="replace") as fh:
                bad = _run(fh, top)
        except OSError as exc:
            typer.echo(f"input: cannot read '{input}' ({exc.strerror})", err=True)
            raise typer.Exit(2) from None
    if bad:
        typer.echo(f"{bad} line(s) could not be classified", err=True)
        raise typer.Exit(1)


@codes_app.command("search")
def codes_search(
    text: Annotated[str, typer.Argument(help="Words (any of the ten languages) or a code prefix")],
    chapter: Annotated[str | None, typer.Option(help="Two-digit LoW chapter, e.g. 10")] = None,
    hazardous: Annotated[bool | None, typer.Option("--hazardous/--non-hazardous")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """Search the List of Waste by words or code prefix."""
    for entry in search_waste_codes(text, chapter=chapter, hazardous=hazardous, limit=limit):
        typer.echo(f"{entry.display:<10} {entry.description}")


@codes_app.command("show")
def codes_show(
    code: Annotated[str, typer.Argument(help="Six-digit LoW code, e.g. '10 01 02'")],
) -> None:
    """Show one LoW entry with its chapter, hazard status and synonyms."""
    try:
        entry = lookup_waste_code(code)
    except ValueError as exc:
        typer.echo(f"code: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{entry.display}  {entry.description}")
    typer.echo(f"chapter {entry.chapter}: {entry.chapter_title}")
    typer.echo(f"sub-chapter {entry.sub_chapter}: {entry.sub_chapter_title}")
    yes_no = {True: "yes", False: "no"}
    typer.echo(f"hazardous: {yes_no[entry.hazardous]}; mirror entry: {yes_no[entry.mirror]}")
    for language, terms in waste_code_synonyms(entry.code).items():
        typer.echo(f"  {language}: {'; '.join(terms)}")


@codes_app.command("operations")
def codes_operations() -> None:
    """List the recovery (R) and disposal (D) operations."""
    for op in operations().values():
        typer.echo(f"{op.code:<4} {op.description}")


@codes_app.command("nace")
def codes_nace(
    query: Annotated[str | None, typer.Argument(help="Words or a code prefix")] = None,
) -> None:
    """Search NACE Rev. 2 classes."""
    for code, label in search_nace(query, limit=1000):
        typer.echo(f"{code[:2]}.{code[2:]}  {label}")


def register(app: typer.Typer) -> None:
    """Add ``classify`` and ``codes`` to the main ``sidestream`` command."""
    app.command("classify")(classify_command)
    app.add_typer(codes_app, name="codes")
