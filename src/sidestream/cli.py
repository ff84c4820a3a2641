"""The ``sidestream`` command line (Typer)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sidestream",
    help="Sidestream: industrial-symbiosis platform (web app, REST API and CLI).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main() -> None:
    """Sidestream: side streams in, partners and impact out."""


# Domain command groups register themselves below (one line each).
