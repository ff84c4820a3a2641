"""access: a membership is an invitation until its user accepts it

``membership.accepted_at`` is empty while the account has been invited but has not accepted;
such a row gives no role. Memberships stored before are accepted (at their creation).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE membership SET accepted_at = created_at")


def downgrade() -> None:
    op.execute("DELETE FROM membership WHERE accepted_at IS NULL")
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("accepted_at")
