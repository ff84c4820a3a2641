"""matching: dismissed suggestions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("partner_stream_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_match_dismissal_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_stream_id"],
            ["stream.id"],
            name=op.f("fk_match_dismissal_partner_stream_id_stream"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stream_id"],
            ["stream.id"],
            name=op.f("fk_match_dismissal_stream_id_stream"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_match_dismissal_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_dismissal")),
        sa.UniqueConstraint(
            "stream_id", "partner_stream_id", name=op.f("uq_match_dismissal_stream_id")
        ),
    )
    op.create_index(
        op.f("ix_match_dismissal_stream_id"), "match_dismissal", ["stream_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_match_dismissal_stream_id"), table_name="match_dismissal")
    op.drop_table("match_dismissal")
