"""Demo accounts, one for each role, for the demo region."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidestream.access import service
from sidestream.access.models import Membership
from sidestream.access.roles import Role
from sidestream.db import utcnow
from sidestream.registry.models import Network

#: Shared by every demo account; printed by ``sidestream demo``. Never use the demo in production.
DEMO_PASSWORD = "sidestream-demo"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo login and what it may do."""

    email: str
    role: str
    organisation: str | None


def create_demo_accounts(session: Session) -> list[DemoAccount]:
    """A platform admin, the facilitator of the first network, and an admin and a member of
    one of its companies."""
    net = session.scalar(
        select(Network).where(Network.facilitator_id.is_not(None)).order_by(Network.id)
    )
    plan: list[tuple[str, str, int | None, Role | None, str | None]] = [
        ("admin@demo.sidestream.invalid", "platform admin", None, None, None)
    ]
    if net is not None and net.facilitator is not None:
        fac = net.facilitator
        plan.append(
            (
                "facilitator@demo.sidestream.invalid",
                f"facilitator of {net.name}",
                fac.id,
                Role.facilitator,
                fac.name,
            )
        )
        company = next((m for m in net.members if m.id != fac.id), None)
        if company is not None:
            plan += [
                (
                    "company-admin@demo.sidestream.invalid",
                    "company admin",
                    company.id,
                    Role.admin,
                    company.name,
                ),
                (
                    "member@demo.sidestream.invalid",
                    "company member",
                    company.id,
                    Role.member,
                    company.name,
                ),
            ]
    accounts = []
    for email, label, org_id, role, org_name in plan:
        user = service.create_user(session, email, DEMO_PASSWORD, platform_admin=org_id is None)
        if org_id is not None and role is not None:
            session.add(
                Membership(user_id=user.id, organisation_id=org_id, role=role, accepted_at=utcnow())
            )
        accounts.append(DemoAccount(email, label, org_name))
    session.flush()
    return accounts
