"""exchanges: a delivery carries a version, so a stale answer is refused, not written over

Answering a delivery (confirm or dispute) names the ``version`` it was read at, as every other
update does: a colleague's dispute is no longer replaced by a confirmation clicked on a page
loaded before it. Deliveries stored before start at version 1.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a batch rebuild of ``delivery`` is safe on SQLite: no table refers to it
    with op.batch_alter_table("delivery") as batch:  # the default fills the stored rows...
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("delivery") as batch:  # ...and goes: the model sets the version
        batch.alter_column("version", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("version")
