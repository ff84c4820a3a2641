"""The "People and networks" page: an SME's administrator invites colleagues, takes people out
and leaves a network without an API token; members see who belongs; outsiders see nothing."""

from __future__ import annotations

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
    assert f"<td>{colleague}" not in sent.text  # not listed before accepting: no account probe
    with session_scope(engine) as session:
        mail = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == colleague))
        assert any("Team Dairy ApS" in m.subject for m in mail)
    own_id = str(_membership(engine, admin, org).user_id)
    last = web.post(remove, data={"csrf_token": csrf, "user_id": own_id})
    assert last.status_code == 409 and "keeps at least one administrator" in last.text
    assert _membership(engine, admin, org) is not None  # nothing changed

    log_in(web, colleague, PASSWORD)
    member_csrf = web.cookies["sidestream_csrf"]
    web.post(f"/invitations/{org}", data={"csrf_token": member_csrf, "answer": "accept"})
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
