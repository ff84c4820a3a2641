"""registry: stored yearly amounts of streams stated per day or per week, read as rates

A quantity per day or per week is annualised over pint's year (365.25 days), as a rate unit
(``t/day``) always was; before, ``per-day`` counted 365 days and ``per-week`` 52 weeks. The
stored ``annual_amount`` of those streams is recomputed with the current rule (a month was
already a twelfth of a year). The stream's version is not raised: nothing the owner wrote
changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sidestream.taxonomy.units import annualise, density_of

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_stream = sa.table(
    "stream",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("quantity", sa.Float),
    sa.column("unit", sa.String),
    sa.column("period", sa.String),
    sa.column("properties", sa.JSON),
    sa.column("annual_amount", sa.Float),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_stream).where(
            _stream.c.period.in_(("per-day", "per-week")),
            _stream.c.quantity.is_not(None),
            _stream.c.annual_amount.is_not(None),
        )
    )
    for row in rows.all():
        try:
            annual = annualise(
                row.quantity, row.unit, row.period, row.kind, density_of(row.properties)
            )
        except ValueError:  # stored before a rule refused it: left as it was
            continue
        if annual is not None:
            conn.execute(
                sa.update(_stream).where(_stream.c.id == row.id).values(annual_amount=annual.amount)
            )


def downgrade() -> None:
    """The earlier rule's amounts are not restored (they differ by 0.07 % and 0.34 %)."""
