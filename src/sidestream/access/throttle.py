"""Brute-force protection: failed logins counted per account and per address in the database,
so the limit holds across worker processes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sidestream.access.errors import Throttled
from sidestream.access.models import LoginAttempt
from sidestream.access.settings import get_access_settings
from sidestream.db import utcnow


def check(session: Session, email: str, ip: str) -> None:
    """Raise ``Throttled`` when the account or the address had too many recent failures.

    An account's count restarts after its last successful login; an address's does not.
    """
    cfg = get_access_settings()
    since = utcnow() - timedelta(minutes=cfg.throttle_window_minutes)
    last_ok = select(func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(True)
    )
    per_account = _failures(
        session,
        LoginAttempt.email == email,
        LoginAttempt.at > since,
        LoginAttempt.at > func.coalesce(last_ok.scalar_subquery(), since),
    )
    retry = cfg.throttle_window_minutes * 60
    if per_account >= cfg.throttle_per_account:
        raise Throttled("too many failed logins for this account; try again later", retry)
    if _failures(session, LoginAttempt.ip == ip, LoginAttempt.at > since) >= cfg.throttle_per_ip:
        raise Throttled("too many failed logins from this address; try again later", retry)


def _failures(session: Session, *where: ColumnElement[bool]) -> int:
    stmt = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.success.is_(False), *where)
    )
    return session.scalar(stmt) or 0


def record(session: Session, email: str, ip: str, success: bool) -> None:
    """Store an attempt; callers commit it even when the login is refused."""
    session.add(LoginAttempt(email=email, ip=ip, success=success))
    session.flush()
