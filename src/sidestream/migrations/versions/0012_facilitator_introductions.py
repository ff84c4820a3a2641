"""exchanges: a facilitator introduces two member companies; each side accepts

``introduction.introduced_by_network_id`` / ``introduced_by_org_id`` / ``introduced_by`` name
the network, organisation and user of the facilitator who introduced an offer and a need of two
members (all empty for a company's own request). ``requester_accepted_at`` and
``responder_accepted_at`` record each side's acceptance: a facilitator's introduction awaits
both; a company's own request is its side's acceptance (stored requests get their creation
time, accepted ones the responder's decision time).

On SQLite ``introduction`` is rebuilt (batch): dropping the old table sets every
``exchange.introduction_id`` to NULL (ON DELETE SET NULL), so both directions put them back.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_FKS = (  # column, table referred to, constraint name
    ("introduced_by_network_id", "network", "fk_introduction_introduced_by_network_id_network"),
    ("introduced_by_org_id", "organisation", "fk_introduction_introduced_by_org_id_organisation"),
    ("introduced_by", "app_user", "fk_introduction_introduced_by_app_user"),
)
_TIMES = ("requester_accepted_at", "responder_accepted_at")
_INDEX = "ix_introduction_introduced_by_org_id"


def _rebuilt_keeping_exchanges(change) -> None:  # type: ignore[no-untyped-def]
    """Run ``change(batch)`` on ``introduction``; on SQLite (a rebuild) restore the exchanges'
    links to their introductions afterwards."""
    bind = op.get_bind()
    links = bind.execute(
        sa.text("SELECT id, introduction_id FROM exchange WHERE introduction_id IS NOT NULL")
    ).all()
    with op.batch_alter_table("introduction") as batch:
        change(batch)
    if bind.dialect.name == "sqlite":
        for exchange_id, intro_id in links:
            bind.execute(
                sa.text("UPDATE exchange SET introduction_id = :intro WHERE id = :id"),
                {"intro": intro_id, "id": exchange_id},
            )


def upgrade() -> None:
    def change(batch) -> None:  # type: ignore[no-untyped-def]
        for name in _TIMES:
            batch.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        for column, table, fk in _FKS:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch.create_foreign_key(fk, table, [column], ["id"], ondelete="SET NULL")
        batch.create_index(_INDEX, ["introduced_by_org_id"], unique=False)

    _rebuilt_keeping_exchanges(change)
    op.execute("UPDATE introduction SET requester_accepted_at = created_at")
    op.execute(
        "UPDATE introduction SET responder_accepted_at = decided_at WHERE status = 'accepted'"
    )


def downgrade() -> None:
    def change(batch) -> None:  # type: ignore[no-untyped-def]
        batch.drop_index(_INDEX)
        for column, _, fk in _FKS:
            batch.drop_constraint(fk, type_="foreignkey")
            batch.drop_column(column)
        for name in _TIMES:
            batch.drop_column(name)

    _rebuilt_keeping_exchanges(change)
