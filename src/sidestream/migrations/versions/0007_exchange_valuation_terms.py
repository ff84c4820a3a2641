"""exchanges: what valued an exchange, kept when one of its streams is deleted

``exchange.valuation_terms`` holds the terms (``impact.service.pair_terms``) its realised
deliveries were valued by, written when the offer or the need is deleted; empty while both
streams exist (then their current terms value it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("exchange", sa.Column("valuation_terms", sa.JSON(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # not a batch rebuild: dropping the old table would cascade to every delivery
        op.execute("ALTER TABLE exchange DROP COLUMN valuation_terms")
    else:
        op.drop_column("exchange", "valuation_terms")
