"""The "People and networks" page: an SME's administrator invites colleagues, takes people out
and leaves a network without an API token; members see who belongs; outsiders see nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from sidestream.access.models import Membership, OutboxMessage, User
from sidestream.access.policy import SYSTEM
from sidestream.db import session_scope
from sidestream.registry import service as registry
from sidestream.registry.models import Network, Organisation
from sidestream.registry.schemas import NetworkCreate
from tests.web.conftest import PASSWORD, log_in, register_company, sign_up


def _membership(engine: Engine, email: str, org: int) -> Membership | None:
    with session_scope(engine) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        found = session.get(Membership, (user.id, org))
        if found is not None:
            session.expunge(found)
        return found


def test_an_admin_invites_a_colleague_who_joins_and_leaves(web: TestClient, engine: Engine) -> None:
    colleague, admin = "team-colleague@example.org", "team-admin@example.org"
    sign_up(web, colleague)
    csrf = sign_up(web, admin)
    org = register_company(web, csrf, "Team Dairy ApS")
    assert f'href="/organisations/{org}/team"' in web.get(f"/organisations/{org}").text
    page = web.get(f"/organisations/{org}/team").text
    assert admin in page and "(you)" in page and "Administrator" in page
    assert "Invite a colleague" in page

    invite, remove = f"/organisations/{org}/team/invite", f"/organisations/{org}/team/remove"
    bad = web.post(invite, data={"csrf_token": csrf, "email": "not an address", "role": "member"})
    assert bad.status_code == 422
    assert "Please enter an e-mail address" in bad.text and 'value="not an address"' in bad.text
    sent = web.post(invite, data={"csrf_token": csrf, "email": colleague, "role": "member"})
    assert sent.status_code == 200 and f"Invitation sent to {colleague}" in sent.text
    assert f"<td>{colleague}</td>" in sent.text  # awaiting an answer, as any address would be
    with session_scope(engine) as session:
        mail = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == colleague))
        assert any("Team Dairy ApS" in m.subject for m in mail)
    own_id = str(_membership(engine, admin, org).user_id)
    last = web.post(remove, data={"csrf_token": csrf, "user_id": own_id})
    assert last.status_code == 409 and "keeps at least one administrator" in last.text
    assert _membership(engine, admin, org) is not None  # nothing changed

    link = _link(engine, colleague)
    log_in(web, colleague, PASSWORD)
    member_csrf = web.cookies["sidestream_csrf"]
    web.post(link, data={"csrf_token": member_csrf, "answer": "accept"})
    assert _membership(engine, colleague, org).accepted
    page = web.get(f"/organisations/{org}/team?lang=da").text
    assert admin in page and "Personer og netværk" in page and "Forlad virksomheden" in page
    assert f'action="/organisations/{org}/team/invite"' not in page  # members see, admins invite
    asked = {"csrf_token": member_csrf, "email": "x@example.org", "role": "admin"}
    refused = web.post(invite, data=asked)
    assert refused.status_code == 403
    malformed = web.post(invite, data=asked | {"email": "not an address"})
    assert malformed.status_code == 403  # asked before the form is read
    assert colleague in page and web.get(f"/organisations/{org}/team?left=²").status_code == 200
    me = _membership(engine, colleague, org).user_id
    mine = {"csrf_token": member_csrf, "user_id": str(me)}
    left = web.post(remove, data=mine, follow_redirects=False)
    assert left.status_code == 303 and left.headers["location"] == "/start"
    assert _membership(engine, colleague, org) is None
    assert web.get(f"/organisations/{org}/team").status_code == 403  # no longer a member
    web.cookies.clear()
    assert web.get(f"/organisations/{org}/team", follow_redirects=False).status_code == 303
    anonymous = web.post(remove, data={"user_id": "x"}, follow_redirects=False)
    assert anonymous.status_code in (303, 403)  # to log in (or refused by the CSRF check)


def test_an_admin_takes_the_company_out_of_a_network(web: TestClient, engine: Engine) -> None:
    csrf = sign_up(web, "team-network-admin@example.org")
    org = register_company(web, csrf, "Team Sawmill ApS")
    with session_scope(engine) as session:
        facilitator = session.scalars(select(Organisation).order_by(Organisation.id)).first()
        net = registry.create_network(session, NetworkCreate(
            name="Team Test Network", kind="region", facilitator_id=facilitator.id,
            member_ids=[org]), viewer=SYSTEM)  # fmt: skip
        network_id = net.id
    page = web.get(f"/organisations/{org}/team?left={network_id}").text
    assert "Team Test Network" in page and "Leave this network" in page
    confirm = page[page.index(f'action="/organisations/{org}/team/leave-network"') :]
    assert f'value="{csrf}"' in confirm[:400]  # the confirming form carries the CSRF token
    assert "has left" not in page  # a crafted link says nothing untrue
    left = web.post(f"/organisations/{org}/team/leave-network",
                    data={"csrf_token": csrf, "network_id": str(network_id)})  # fmt: skip
    assert left.status_code == 200 and "has left Team Test Network" in left.text
    with session_scope(engine) as session:
        assert org not in {m.id for m in session.get(Network, network_id).members}
    again = web.post(f"/organisations/{org}/team/leave-network",
                     data={"csrf_token": csrf, "network_id": str(network_id)})  # fmt: skip
    assert again.status_code == 404  # no longer a member of it


def _link(engine: Engine, email: str) -> str:
    """The path of the invitation link last mailed to ``email``."""
    with session_scope(engine) as session:
        mail = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
        found = re.search(r"https?://[^/\s]+(/join/[A-Za-z0-9_-]+)", mail.body)
        assert found, mail.body
        return found.group(1)


def test_an_address_without_an_account_joins_by_the_mailed_link(
    web: TestClient, engine: Engine
) -> None:
    newcomer, admin = "link-newcomer@example.org", "link-admin@example.org"
    csrf = sign_up(web, admin)
    org = register_company(web, csrf, "Link Brewery ApS")
    invite = f"/organisations/{org}/team/invite"
    web.post(invite, data={"csrf_token": csrf, "email": newcomer.upper(), "role": "admin"})
    first = _link(engine, newcomer)
    web.post(invite, data={"csrf_token": csrf, "email": newcomer, "role": "member"})
    link = _link(engine, newcomer)  # inviting again sends a new link; the first one is dead
    page = web.get(f"/organisations/{org}/team").text
    assert page.count(f"<td>{newcomer}</td>") == 1 and "Invitations awaiting an answer" in page

    web.cookies.clear()
    assert web.get(first).status_code == 404
    landing = web.get(link)
    assert landing.status_code == 200
    assert "Link Brewery ApS invites you to join it as a member." in landing.text
    assert newcomer in landing.text and f'href="/signup?next={link}"' in landing.text
    anonymous = web.post(link, data={"answer": "accept"}, follow_redirects=False)
    assert anonymous.status_code in (303, 403)  # to log in (or refused by the CSRF check)
    page = web.get(f"/signup?next={link}").text  # a new account with another address
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    other = "link-newcomer-private@example.org"
    account = {"csrf_token": token, "email": other, "password": PASSWORD, "next": link}
    made = web.post("/signup", data=account, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == link
    signed_in = web.get(link).text
    assert "You answer as" in signed_in and other in signed_in
    csrf_new = web.cookies["sidestream_csrf"]
    answer = {"csrf_token": csrf_new, "answer": "accept"}
    joined = web.post(link, data=answer, follow_redirects=False)
    assert joined.status_code == 303 and joined.headers["location"] == f"/organisations/{org}"
    member = _membership(engine, other, org)
    assert member.accepted and member.role == "member"
    assert web.get(link).status_code == 404  # spent
    with session_scope(engine) as session:
        mailed = select(OutboxMessage).where(OutboxMessage.recipient == newcomer)
        bodies = [m.body for m in session.scalars(mailed)]
    assert not any(link in b for b in bodies)  # the spent token is blanked out of the copy

    log_in(web, admin, PASSWORD)
    page = web.get(f"/organisations/{org}/team").text
    assert f"<td>{other}" in page and f"<td>{newcomer}</td>" not in page


def test_an_admin_withdraws_an_invitation_and_its_link_stops_working(
    web: TestClient, engine: Engine
) -> None:
    registered, admin = "withdraw-registered@example.org", "withdraw-admin@example.org"
    sign_up(web, registered)
    csrf = sign_up(web, admin)
    org = register_company(web, csrf, "Withdraw Tannery ApS")
    invitation = {"csrf_token": csrf, "email": registered, "role": "member"}
    web.post(f"/organisations/{org}/team/invite", data=invitation)
    link = _link(engine, registered)
    assert _membership(engine, registered, org) is None  # the link decides, not the account
    withdraw = f"/organisations/{org}/team/withdraw"
    gone = web.post(withdraw, data={"csrf_token": csrf, "email": "nobody@example.org"})
    assert gone.status_code == 404
    done = web.post(withdraw, data={"csrf_token": csrf, "email": registered})
    assert done.status_code == 200 and "is withdrawn" in done.text
    assert f"<td>{registered}</td>" not in done.text
    assert _membership(engine, registered, org) is None and web.get(link).status_code == 404
    csrf_registered = log_in(web, registered, PASSWORD)
    refused = web.post(withdraw, data={"csrf_token": csrf_registered, "email": registered})
    assert refused.status_code == 403  # only its admins


def test_a_declined_link_and_an_expired_one_are_spent(web: TestClient, engine: Engine) -> None:
    from datetime import timedelta

    from sidestream.access.models import Invitation
    from sidestream.db import utcnow

    admin = "decline-admin@example.org"
    csrf = sign_up(web, admin)
    org = register_company(web, csrf, "Decline Foundry ApS")
    invite = f"/organisations/{org}/team/invite"
    for email in ("decline-a@example.org", "decline-b@example.org"):
        web.post(invite, data={"csrf_token": csrf, "email": email, "role": "member"})
    declined, expired = (
        _link(engine, "decline-a@example.org"),
        _link(engine, "decline-b@example.org"),
    )
    with session_scope(engine) as session:
        found = select(Invitation).where(Invitation.email == "decline-b@example.org")
        late = session.scalars(found).one()
        late.expires_at = utcnow() - timedelta(minutes=1)
    page = web.get(f"/organisations/{org}/team").text
    assert "expired" in page and "decline-b@example.org" in page  # listed, to invite again
    csrf_b = sign_up(web, "decline-a@example.org")
    assert web.get(expired).status_code == 404
    no = web.post(
        declined, data={"csrf_token": csrf_b, "answer": "decline"}, follow_redirects=False
    )
    assert no.status_code == 303 and no.headers["location"] == "/start"
    assert _membership(engine, "decline-a@example.org", org) is None
    assert web.get(declined).status_code == 404


def test_the_team_page_shows_no_notice_a_crafted_link_asks_for(
    web: TestClient, engine: Engine
) -> None:
    admin = "notice-admin@example.org"
    csrf = sign_up(web, admin)
    org = register_company(web, csrf, "Notice Smithy ApS")
    page = f"/organisations/{org}/team"
    invitation = {"csrf_token": csrf, "email": "real@example.org", "role": "member"}
    sent = web.post(f"{page}/invite", data=invitation).text  # after the redirect
    assert "Invitation sent to real@example.org" in sent
    crafted = {
        "invited": "Your account is locked, call +45 0000 0000",
        "changed": "Your account is locked",
        "withdrawn": "Call us now",
    }
    for key, text in crafted.items():
        shown = web.get(page, params={key: text, "role": "admin"}).text
        assert text not in shown, key
    assert "is now:" not in web.get(page, params={"changed": admin, "role": "member"}).text
    assert "is now:" in web.get(page, params={"changed": admin, "role": "admin"}).text
