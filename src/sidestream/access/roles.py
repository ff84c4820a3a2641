"""Role and scope vocabularies of access."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role in an organisation.

    ``facilitator`` (and ``admin``) in an organisation that facilitates a network make the user
    that network's facilitator.
    """

    member = "member"
    admin = "admin"
    facilitator = "facilitator"


class Scope(StrEnum):
    """What an API token may do."""

    read = "read"
    write = "write"
