"""matching: covering indexes for the registry's change state

Every matching call checks whether the registry changed (count, newest id, version sum and
newest ``updated_at`` of streams and organisations) and, after a change, reads the (id,
version, updated_at, organisation) of every active stream the viewer may see (status and
visibility). These indexes hold exactly those columns, so both are answered from the index
instead of the table's wide rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_stream_change_state",
        "stream",
        ["status", "id", "version", "updated_at", "organisation_id", "visibility"],
    )
    op.create_index("ix_organisation_change_state", "organisation", ["id", "version", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_organisation_change_state", table_name="organisation")
    op.drop_index("ix_stream_change_state", table_name="stream")
