"""Data retention: delete the access records the platform no longer needs.

Run daily (``sidestream purge``, e.g. from cron or a systemd timer). Deletes login attempts older
than ``attempts_retention_days`` (never younger than the throttling window), expired login
sessions, password-reset links expired for more than a day, invitations expired for more than
a month (the team page shows them as expired meanwhile) and outbox copies older than
``outbox_retention_days``. Accounts, API tokens and the audit log are kept: the audit chain
must stay verifiable and tokens are revoked, not deleted, so their use stays explainable.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sidestream.access.models import (
    Invitation,
    LoginAttempt,
    LoginSession,
    OutboxMessage,
    PasswordReset,
)
from sidestream.access.settings import get_access_settings
from sidestream.db import utcnow

#: Expired reset links stay a day, so a user asking "did my reset arrive?" can be answered.
RESET_GRACE = timedelta(days=1)
#: Expired invitations stay a month on the team page, so an admin sees whom to invite again.
INVITATION_GRACE = timedelta(days=30)


def purge(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention; return the number of rows deleted per table."""
    cfg = get_access_settings()
    now = now or utcnow()
    attempts_days = max(
        timedelta(days=cfg.attempts_retention_days),
        timedelta(minutes=cfg.throttle_window_minutes),
    )
    statements = {
        "login_attempt": delete(LoginAttempt).where(LoginAttempt.at < now - attempts_days),
        "login_session": delete(LoginSession).where(LoginSession.expires_at < now),
        "password_reset": delete(PasswordReset).where(PasswordReset.expires_at < now - RESET_GRACE),
        "invitation": delete(Invitation).where(Invitation.expires_at < now - INVITATION_GRACE),
        "outbox_message": delete(OutboxMessage).where(
            OutboxMessage.created_at < now - timedelta(days=cfg.outbox_retention_days)
        ),
    }
    return {
        table: session.execute(stmt, execution_options={"synchronize_session": False}).rowcount
        for table, stmt in statements.items()
    }
