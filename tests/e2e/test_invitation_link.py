"""A colleague without an account joins a company by the link an administrator mailed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from sidestream.access.demo import DEMO_PASSWORD
from sidestream.access.models import Membership, OutboxMessage, User
from sidestream.db import session_scope
from tests.e2e.conftest import log_in, sign_up
from tests.e2e.test_browser import _serious

pytestmark = pytest.mark.e2e


def test_a_colleague_joins_by_the_mailed_link(
    tabs: Callable[[], Page], demo_engine: Engine, axe_source: str
) -> None:
    admin = tabs()
    log_in(admin, "company-admin@demo.sidestream.invalid", DEMO_PASSWORD)
    admin.locator(".account-row a").first.click()
    team = admin.url.rstrip("/") + "/team"
    admin.goto(team)
    admin.get_by_label("E-mail").fill("e2e.colleague@argo.example")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text("Invitation sent to e2e.colleague@argo.example")).to_be_visible()
    listed = admin.get_by_role("row").filter(has_text="e2e.colleague@argo.example")
    expect(listed.get_by_role("button", name="Withdraw")).to_be_visible()
    assert not _serious(admin, axe_source), "team page with an open invitation"

    with session_scope(demo_engine) as session:
        body = session.scalars(
            select(OutboxMessage.body).where(
                OutboxMessage.recipient == "e2e.colleague@argo.example"
            )
        ).one()
    link = re.search(r"/join/[A-Za-z0-9_-]+", body).group(0)

    colleague = tabs()  # another browser, not signed in
    colleague.goto(link)
    expect(colleague.get_by_text("ARGO I/S invites you to join it as a member.")).to_be_visible()
    assert not _serious(colleague, axe_source), "invitation page"
    colleague.get_by_role("link", name="Create an account").click()
    sign_up(colleague, "e2e.colleague.private@example.org")
    expect(colleague.get_by_text("You answer as e2e.colleague.private@example.org")).to_be_visible()
    colleague.get_by_role("button", name="Accept").click()
    expect(colleague.get_by_role("heading", name="ARGO I/S")).to_be_visible()
    with session_scope(demo_engine) as session:
        user = session.scalars(
            select(User).where(User.email == "e2e.colleague.private@example.org")
        ).one()
        assert session.scalars(select(Membership).where(Membership.user_id == user.id)).one()

    admin.goto(team)
    expect(admin.get_by_text("e2e.colleague.private@example.org")).to_be_visible()
    expect(admin.get_by_text("Invitations awaiting an answer")).to_have_count(0)
