"""``sidestream classify`` (JSON Lines in, codes out) and ``sidestream codes`` (browse lists)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from sidestream.classify.browse import search_nace, search_waste_codes, waste_code_synonyms
from sidestream.classify.service import MAX_TOP, classify_all_codes
from sidestream.interop.input_lines import (
    LineProblem,
    free_text,
    given_id,
    read_input_or_stop,
    repeated_id,
    row_id,
)
from sidestream.matching.schemas import parse_nace
from sidestream.taxonomy.waste_codes import lookup_code_or_family, lookup_waste_code, operations

#: Keys accepted for the text of an input line, in order of preference.
TEXT_KEYS = ("text", "description", "title")
#: Every key an input line may hold.
CLASSIFY_FIELDS = ("id", *TEXT_KEYS, "nace")

codes_app = typer.Typer(help="Browse and search the code lists (LoW/EWC, R/D operations, NACE).")


def _classify_line(
    data: dict[str, Any],
    line: int,
    top: int,
    note: Callable[[LineProblem], None],
    first_lines: dict[str, int],
) -> dict[str, object] | None:
    """The answer to one input object, its problems on stderr: a line with an id is always
    answered (no codes when its text holds nothing to classify); without one it is skipped.
    As the other contract commands read theirs: an unknown key, or an id of an earlier line,
    is a warning; a number or a list of words is text."""
    read = row_id(data, line)
    if isinstance(read, LineProblem):
        note(read)
        return None
    if (repeat := repeated_id(first_lines, read, line)) is not None:
        note(repeat)
    for key in data:  # in the line's order
        if key not in CLASSIFY_FIELDS:
            note(LineProblem(line, str(key), "unknown field, ignored", warning=True))
    texts = {k: free_text(data.get(k)) for k in TEXT_KEYS}
    key = next((k for k in TEXT_KEYS if (texts[k] or "").strip()), None)
    nace, nace_note = parse_nace(data.get("nace"))
    if nace_note:
        note(LineProblem(line, "nace", nace_note, warning=True))
    out: dict[str, object] = {"id": given_id(data["id"], read), "codes": [], "kind": None,
                              "canonical_unit": None, "language": None}  # fmt: skip
    if key is None:
        note(LineProblem(line, "text", "missing or empty (also read: description, title); no"
                          " codes", warning=True))  # fmt: skip
        return out | {"warnings": ["text: missing or empty"]}
    try:
        text = str(texts[key])
        result = classify_all_codes(text, top=top, nace=nace.split("/")[0] if nace else None)
    except ValueError as exc:  # text with no words, binary data
        note(LineProblem(line, key, f"{str(exc).removeprefix('text: ')}; no codes", warning=True))
        return out | {"warnings": [str(exc)]}
    return out | {
        "codes": [
            {"code": s.code, "score": s.score, "label": s.label, "hazardous": s.hazardous}
            for s in result.suggestions
        ],
        "kind": result.kind.value,
        "canonical_unit": result.canonical_unit,
        "language": result.language,
        "warnings": result.warnings,
    }


def classify_command(
    input: Annotated[
        str, typer.Argument(help="JSON Lines file ({'id','text'} a line), '-' for stdin")
    ],
    top: Annotated[
        int, typer.Option("--top", min=1, help=f"Codes per line (at most {MAX_TOP})")
    ] = 3,
) -> None:
    """Classify side-stream descriptions into List of Waste codes (JSON Lines to stdout).

    Every line with an id gets one output line, in input order; problems in its fields are
    warnings on stderr. Lines that are not JSON objects or have no id are errors: reported,
    skipped, and the exit code is 1.
    """
    objects = read_input_or_stop(input)

    def note(problem: LineProblem) -> None:
        typer.echo(f"{input}: {problem}", err=True)

    if top > MAX_TOP:
        typer.echo(f"warning: --top {top}: at most {MAX_TOP} codes a line are given", err=True)
        top = MAX_TOP
    bad, first_lines = 0, {}
    for line, data in objects:
        out = (
            _classify_line(data, line, top, note, first_lines)
            if isinstance(data, dict)
            else note(data)
        )
        if out is None:
            bad += 1
            continue
        typer.echo(json.dumps(out, ensure_ascii=False))
    if bad:
        typer.echo(f"{bad} line(s) could not be answered", err=True)
        raise typer.Exit(1)


def _family_option(value: str | None) -> str | None:
    """A ``--chapter`` that is a LoW chapter or sub-chapter, else a usage error (exit 2)."""
    if value is None or not value.strip():
        return None
    try:
        return lookup_code_or_family(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@codes_app.command("search")
def codes_search(
    text: Annotated[str, typer.Argument(help="Words (any of the ten languages) or a code prefix")],
    chapter: Annotated[
        str | None,
        typer.Option(help="LoW chapter or sub-chapter, e.g. 10", callback=_family_option),
    ] = None,
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
    query: Annotated[
        str | None, typer.Argument(help="Words of a title or of a business name, or a code prefix")
    ] = None,
) -> None:
    """Search NACE Rev. 2 classes."""
    for code, label in search_nace(query, limit=1000):
        typer.echo(f"{code[:2]}.{code[2:]}  {label}")


def register(app: typer.Typer) -> None:
    """Add ``classify`` and ``codes`` to the main ``sidestream`` command."""
    app.command("classify")(classify_command)
    app.add_typer(codes_app, name="codes")
