"""Pydantic schemas of access: the anonymised stream view, accounts, tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from sidestream.access.roles import Role, Scope
from sidestream.input_rules import InputRules

#: The longest password and account name accepted (the pages check it too:
#: ``service.check_password``, ``service.create_user``).
MAX_TEXT_LENGTH = 200
#: A new password's length limit; what makes it acceptable is ``service.check_password``.
Password = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH)]
#: An e-mail address as accounts are keyed by it: one @, a dot in the domain, no blanks.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def normalise_email(address: str) -> str:
    """An e-mail address as accounts and invitations are keyed by it: trimmed, lower case."""
    return address.strip().lower()


EmailStr = Annotated[
    str,
    BeforeValidator(lambda v: normalise_email(v) if isinstance(v, str) else v),
    StringConstraints(max_length=254, pattern=EMAIL_PATTERN),
]


class AnonymousStream(BaseModel):
    """A stream as seen by someone who may not know who offers it: no organisation, contact,
    site or exact place; the quantity only as a class, the place only as a 10 km cell."""

    id: int
    anonymised: Literal[True] = True
    direction: str
    kind: str
    title: str
    language: str | None
    waste_code: str | None
    hazardous: bool
    product_code: str | None
    quantity_class: str | None = Field(description='e.g. "100–1,000 t/yr"')
    period: str | None
    properties: dict[str, float | bool | str] = Field(
        description="only the properties the platform reads: temperature_c, moisture_pct, "
        "dry_matter_pct, lower_heating_value_mj_kg, density_kg_m3, water_quality, "
        "water_network, avoided_disposal"
    )
    available_from: date | None
    available_to: date | None
    lat: float | None = Field(description="centre of the 10 km grid cell")
    lon: float | None = Field(description="centre of the 10 km grid cell")
    visibility: Literal["anonymous"] = "anonymous"
    status: str


class SignUp(InputRules):
    """A new account."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: Password
    name: str | None = Field(None, max_length=MAX_TEXT_LENGTH)


class LogIn(InputRules):
    """Credentials."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(max_length=200)


class ResetRequest(InputRules):
    """Ask for a password-reset link."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class ResetConfirm(InputRules):
    """Set a new password with a reset token."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(max_length=200)
    password: Password


class MembershipOut(BaseModel):
    """A user's role in an organisation; ``accepted`` is always true since invitations are
    answered by their mailed link (migration 0009 withdrew the pending memberships of the
    earlier kind; the field stays for API clients)."""

    model_config = ConfigDict(from_attributes=True)

    organisation_id: int
    role: Role
    accepted: bool


class MemberOut(MembershipOut):
    """A member of an organisation as its colleagues see them: who, and the role (the id is
    the one ``DELETE /organisations/{id}/members/{user_id}`` takes)."""

    user_id: int
    email: str
    name: str | None

    @model_validator(mode="before")
    @classmethod
    def _from_membership(cls, value: Any) -> Any:
        if hasattr(value, "user"):  # a stored membership: the address and name are the user's
            return {"organisation_id": value.organisation_id, "role": value.role,
                    "accepted": value.accepted, "user_id": value.user_id,
                    "email": value.user.email, "name": value.user.name}  # fmt: skip
        return value


class InvitationSent(BaseModel):
    """The answer to inviting an address: the same whether or not it has an account."""

    email: str
    organisation_id: int
    role: Role
    detail: str = (
        "invited: the address gets a link by mail; whoever reads it joins once"
        " they accept (on the link's page, or POST /api/v1/auth/me/invitations/accept)"
    )


class InvitationAnswer(InputRules):
    """The token of an invitation's mailed link (the part after ``/join/``)."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class InvitationOut(BaseModel):
    """An invitation not yet answered or withdrawn, as its organisation's admins see it."""

    model_config = ConfigDict(from_attributes=True)

    email: str
    role: Role
    created_at: datetime
    expires_at: datetime


class UserOut(BaseModel):
    """An account as its owner sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str | None
    platform_admin: bool
    created_at: datetime
    memberships: list[MembershipOut]


class MembershipIn(InputRules):
    """Change a member's role, or invite an address to an organisation."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    role: Role = Role.member


class TokenCreate(InputRules):
    """A new API token."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    scope: Scope = Scope.read


class TokenOut(BaseModel):
    """An API token without its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    scope: Scope
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    """A token just made: ``token`` is shown this once and never stored."""

    token: str


class DeleteAccount(InputRules):
    """Confirm account deletion with the password."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=200)
