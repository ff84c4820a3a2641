"""access: invitations by mailed link

``invitation`` holds one open invitation per organisation and address: the role offered, the
hash of the token its mailed link carries, who sent it and when it expires. Invitations of the
earlier kind (a membership without ``accepted_at``, answered by whoever had registered the
address, which sign-up does not prove) are withdrawn: their admins invite again, by link. A
downgrade cannot bring them back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["app_user.id"],
            name=op.f("fk_invitation_invited_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_invitation_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("organisation_id", "email", name=op.f("uq_invitation_organisation_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    op.create_index(
        op.f("ix_invitation_organisation_id"), "invitation", ["organisation_id"], unique=False
    )
    op.execute("DELETE FROM membership WHERE accepted_at IS NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_invitation_organisation_id"), table_name="invitation")
    op.drop_table("invitation")
