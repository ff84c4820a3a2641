"""Access settings from the environment (prefix ``SIDESTREAM_``)."""

from __future__ import annotations

import secrets
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class AccessSettings(BaseSettings):
    """Cookie, session, reset and throttling parameters."""

    model_config = SettingsConfigDict(env_prefix="SIDESTREAM_", extra="ignore")

    #: Signs session cookies; set it in production (else a random per-process key is used,
    #: so sessions end on restart and are not shared between worker processes).
    secret_key: str = secrets.token_urlsafe(32)
    cookie_secure: bool = False  # set True behind HTTPS
    session_hours: int = 24 * 14
    reset_minutes: int = 30
    throttle_window_minutes: int = 15
    throttle_per_account: int = 5
    throttle_per_ip: int = 20
    #: Retention (``sidestream purge``, docs/security.md): login attempts and outbox copies are
    #: deleted after this many days; expired sessions at once, expired reset links a day later.
    attempts_retention_days: int = 30
    outbox_retention_days: int = 30


@lru_cache
def get_access_settings() -> AccessSettings:
    """The process-wide access settings (read once)."""
    return AccessSettings()
