"""exchanges: the other party confirms or disputes a delivery

``delivery.answer`` is ``confirmed`` or ``disputed`` once the party that did not record the
delivery has answered (by ``answered_by`` at ``answered_at``, a dispute with its reason in
``answer_note``); empty while it awaits that answer, as every delivery stored before does.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a batch rebuild of ``delivery`` is safe on SQLite: no table refers to it
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("answer", sa.String(10), nullable=True))
        batch.add_column(sa.Column("answered_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("answer_note", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_delivery_answered_by_app_user"),
            "app_user",
            ["answered_by"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_check_constraint(
            op.f("ck_delivery_answer"), "answer IN ('confirmed', 'disputed')"
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(op.f("ck_delivery_answer"), type_="check")
        batch.drop_constraint(op.f("fk_delivery_answered_by_app_user"), type_="foreignkey")
        batch.drop_column("answer_note")
        batch.drop_column("answered_at")
        batch.drop_column("answered_by")
        batch.drop_column("answer")
