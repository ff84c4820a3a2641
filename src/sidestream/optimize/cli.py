"""``sidestream optimize INPUT.json``: best allocation, benefit sharing and an optional front."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sidestream.errors import InvalidInput, NotFound
from sidestream.interop.csv_cells import safe_cell
from sidestream.matching.cli import require_knowledge_base
from sidestream.optimize.allocation import solve_allocation
from sidestream.optimize.pareto import MAX_PARETO_POINTS, pareto_front
from sidestream.optimize.schemas import (
    MAX_CARBON_PRICE,
    NetworkProblem,
    ParetoFront,
    parse_problem,
)
from sidestream.optimize.service import ProblemSummary, build_network_problem
from sidestream.optimize.sharing import share_benefits


class OutputFormat(StrEnum):
    """What ``optimize`` writes to stdout."""

    json = "json"
    csv = "csv"


def optimize_command(
    input_file: Annotated[
        Path | None, typer.Argument(metavar="[INPUT.json]", help="offers, needs, arcs")
    ] = None,
    carbon_price: Annotated[
        float | None,
        typer.Option(
            "--carbon-price",
            help="EUR per t CO2e (overrides the file)",
            min=0,
            max=MAX_CARBON_PRICE,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="json or csv")
    ] = OutputFormat.json,
    pareto: Annotated[
        int,
        typer.Option(
            "--pareto",
            metavar="N",
            help="also sweep N points of EUR vs CO2e",
            min=0,
            max=MAX_PARETO_POINTS,
        ),
    ] = 0,
    network: Annotated[
        str | None,
        typer.Option("--network", metavar="N", help="optimise a stored network (id or name)"),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="database URL")
    ] = None,
) -> None:
    """Allocate a region's offers to needs for the most EUR + carbon price x CO2e.

    Reads INPUT.json, or builds the problem from a stored network with --network."""
    if (input_file is None) == (network is None):
        typer.echo("error: give INPUT.json or --network (one of them)", err=True)
        raise typer.Exit(2)
    summary = None
    try:
        if network is not None:
            require_knowledge_base()  # the candidate arcs are the matcher's
            problem, summary = _network_problem(network, carbon_price, database_url)
        else:
            assert input_file is not None
            problem = _read_problem(input_file, carbon_price)
        allocation = solve_allocation(problem)
        sharing = share_benefits(problem, allocation)
        front = _sweep(problem, pareto) if pareto >= 2 else None
    except (InvalidInput, NotFound, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if pareto == 1:
        typer.echo("warning: --pareto needs at least 2 points; no front computed", err=True)
    if output_format is OutputFormat.json:
        out: dict[str, object] = {
            "allocation": allocation.model_dump(mode="json"),
            "sharing": sharing.model_dump(mode="json"),
        }
        if summary is not None:
            out["summary"] = summary.model_dump(mode="json")
        if front is not None:
            out["pareto"] = front.model_dump(mode="json")
        typer.echo(json.dumps(out, indent=2))
    elif front is not None:
        _write_csv([p.model_dump() for p in front.points])
    else:
        shares = {s.arc_id: s for s in sharing.links}
        _write_csv(
            [
                {
                    **f.model_dump(),
                    "transfer_price_eur_per_unit": shares[f.arc_id].transfer_price_eur_per_unit,
                    "supplier_gain_eur": shares[f.arc_id].supplier_gain_eur,
                    "receiver_gain_eur": shares[f.arc_id].receiver_gain_eur,
                }
                for f in allocation.flows
            ]
        )
    typer.echo(allocation.message, err=True)
    if allocation.status not in ("optimal", "feasible"):
        raise typer.Exit(1)


def _network_problem(
    network: str, carbon_price: float | None, database_url: str | None
) -> tuple[NetworkProblem, ProblemSummary]:
    """The problem of a stored network, built with a progress bar on a terminal."""
    from sidestream.db import get_engine, session_scope, upgrade_existing
    from sidestream.registry import service as registry

    upgrade_existing(database_url)
    with session_scope(get_engine(database_url)) as session:
        network_id = registry.network_named(session, network).id
        if not sys.stderr.isatty():
            return build_network_problem(session, network_id, carbon_price=carbon_price)
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("Candidate links", total=None)
            return build_network_problem(
                session,
                network_id,
                carbon_price=carbon_price,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )


def _read_problem(path: Path, carbon_price: float | None) -> NetworkProblem:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise ValueError(f"{path} is not JSON this reads: nested too deeply") from None
    except ValueError as exc:  # an integer longer than Python converts
        raise ValueError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object with offers, needs and arcs")
    if carbon_price is not None:
        data["carbon_price_eur_per_t"] = carbon_price
    return parse_problem(data)


def _write_csv(rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)


def _sweep(problem: NetworkProblem, points: int) -> ParetoFront:
    """The Pareto sweep, with a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return pareto_front(problem, points)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Pareto sweep", total=points + 3)
        return pareto_front(
            problem, points, lambda done, total: bar.update(task, completed=done, total=total)
        )
