"""exchanges: terms are agreed by both companies, one after the other

``exchange.terms_agreed_by`` names the side ("offer" or "need") that agreed to the terms as
they stand; the exchange is agreed when the other side agrees to the same terms. Changing a
term clears it. Exchanges stored before keep their status (an agreed one stays agreed).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("exchange", sa.Column("terms_agreed_by", sa.String(5), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # not a batch rebuild: dropping the old table would cascade to every delivery
        op.execute("ALTER TABLE exchange DROP COLUMN terms_agreed_by")
    else:
        op.drop_column("exchange", "terms_agreed_by")
