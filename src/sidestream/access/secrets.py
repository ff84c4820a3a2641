"""Password hashing (argon2id) and random secrets stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: The argon2id hasher (RFC 9106 low-memory profile); tests may swap in a cheaper one.
HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash it still spends the time."""
    try:
        return HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


#: Where an invitation's link leads: ``/join/<token>``.
JOIN_PATH = "/join/"
#: The secret of a link that answers for a mailbox: an invitation's (``/join/<token>``) or a
#: password reset's (``?token=<token>``); tokens are URL-safe (:func:`new_secret`).
_LINK_SECRET = re.compile(rf"({re.escape(JOIN_PATH)}|[?&]token=)[A-Za-z0-9_-]+")


def without_link_secrets(text: str) -> str:
    """``text`` (a stored mail, a logged address) with its link secrets withheld."""
    return _LINK_SECRET.sub(r"\1[withheld]", text)


def new_secret(prefix: str = "") -> str:
    """A fresh 256-bit random secret, URL-safe, optionally prefixed."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a random secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()
