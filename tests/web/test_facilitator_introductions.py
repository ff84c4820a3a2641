"""The facilitator introduces two member companies from the network plan; each company answers
on its introductions page and learns the other's name only once both have accepted."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sidestream.db import session_scope
from sidestream.registry.models import Network, Stream
from tests.web.conftest import join, log_in, sign_up


def _as_facilitator(web: TestClient) -> tuple[str, int]:
    """Log in as the demo's facilitator: the CSRF token and the network its pages open on."""
    csrf = log_in(web, "facilitator@demo.sidestream.invalid")
    pipeline = web.get("/region/pipeline").text
    return csrf, int(re.search(r'<option value="(\d+)" selected', pipeline).group(1))


def _names(engine: Engine, offer: int, need: int, network: int) -> tuple[int, str, int, str, str]:
    with session_scope(engine) as session:
        o, n = session.get(Stream, offer), session.get(Stream, need)
        net = session.get(Network, network)
        return (
            o.organisation_id,
            o.organisation.name,
            n.organisation_id,
            n.organisation.name,
            net.name,
        )


def test_the_facilitator_introduces_and_both_companies_accept(
    web: TestClient, engine: Engine
) -> None:
    csrf, network = _as_facilitator(web)
    plan = web.get("/region/optimise", params={"network": network}).text
    link = re.search(
        r'href="(/region/introduce\?network=\d+&amp;offer=(\d+)&amp;need=(\d+))"', plan
    )
    assert link, "a link of the plan between two companies can be introduced"
    offer, need = int(link.group(2)), int(link.group(3))
    offer_org, offer_name, need_org, need_name, network_name = _names(engine, offer, need, network)

    form = web.get(html.unescape(link.group(1)))
    assert form.status_code == 200
    assert html.escape(offer_name) in form.text and html.escape(need_name) in form.text
    data = {"csrf_token": csrf, "network": str(network), "offer": str(offer), "need": str(need)}
    too_long = web.post("/region/introduce", data=data | {"message": "x" * 2001})
    assert too_long.status_code == 422 and 'aria-invalid="true"' in too_long.text
    done = web.post(
        "/region/introduce", data=data | {"message": "Worth a call"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/region/pipeline?network={network}&notice=introduced"
    page = web.get(done.headers["location"]).text
    assert "Both companies are asked" in page and "Introduced by the facilitator" in page
    again = web.post("/region/introduce", data=data, follow_redirects=False)
    assert again.headers["location"].endswith("notice=open")
    plan = web.get("/region/optimise", params={"network": network}).text
    assert f"offer={offer}&amp;need={need}" not in plan  # introduced: not offered again

    # The offer's company: introduced by the facilitator, the other company unnamed.
    supplier = sign_up(web, "introduced-supplier@example.org")
    join(engine, "introduced-supplier@example.org", offer_org)
    stream_page = web.get(f"/streams/{offer}").text  # no partner card marked as introduced:
    assert "Introduction requested" not in stream_page  # it would name the unnamed need
    mine = web.get("/exchanges").text
    assert f"Introduced by the facilitator of {html.escape(network_name)}" in mine
    assert "Worth a call" in mine and html.escape(need_name) not in mine
    intro = re.search(r"/introductions/(\d+)/accept", mine).group(1)
    first = web.post(
        f"/introductions/{intro}/accept", data={"csrf_token": supplier}, follow_redirects=False
    )
    assert first.headers["location"] == "/exchanges?notice=accepted-waiting"
    mine = web.get(first.headers["location"]).text
    assert "Waiting for the other company" in mine and html.escape(need_name) not in mine

    # The need's company accepts too: both names are revealed and the exchange begins.
    receiver = sign_up(web, "introduced-receiver@example.org")
    join(engine, "introduced-receiver@example.org", need_org)
    theirs = web.get("/exchanges").text
    assert html.escape(offer_name) not in theirs and "A company you do not know yet" in theirs
    second = web.post(
        f"/introductions/{intro}/accept", data={"csrf_token": receiver}, follow_redirects=False
    )
    exchange = second.headers["location"].split("?")[0]
    assert re.fullmatch(r"/exchanges/\d+", exchange)
    assert html.escape(offer_name) in web.get(exchange).text
    log_in(web, "introduced-supplier@example.org", "correct horse battery")
    assert html.escape(need_name) in web.get("/exchanges").text

    # Others may not introduce.
    nosy = sign_up(web, "nosy-introducer@example.org")
    assert web.get(html.unescape(link.group(1))).status_code == 403
    assert web.post("/region/introduce", data=data | {"csrf_token": nosy}).status_code == 403
    web.cookies.clear()


def test_the_plan_flags_links_that_rest_on_a_weak_material_match(
    web: TestClient, engine: Engine
) -> None:
    from sidestream.access.policy import SYSTEM
    from sidestream.matching.weights import WEAK_MATERIAL
    from sidestream.web.plans import network_plan

    _, network = _as_facilitator(web)
    with session_scope(engine) as session:
        flows = network_plan(session, SYSTEM, network).allocation.flows
    scores = [f.material_evidence for f in flows]
    assert all(s is not None and 0 <= s <= 1 for s in scores)  # every stored link carries one
    assert any(s < WEAK_MATERIAL for s in scores), "the demo plan holds links to check"
    plan = web.get("/region/optimise", params={"network": network}).text
    flagged = re.search(r"(\d+) links of the plan, ([\d,]+) t CO2 a year, rest on a weak", plan)
    assert flagged and int(flagged.group(1)) == plan.count("Weak material match") > 0
    web.cookies.clear()


def test_the_introduction_form_takes_only_the_networks_members(
    web: TestClient, engine: Engine
) -> None:
    # it printed the owner of any stream the facilitator could see, an outsider's anonymous
    # one included
    from sqlalchemy import select

    from sidestream.registry.models import NetworkMember

    _, network = _as_facilitator(web)
    with session_scope(engine) as session:
        members = select(NetworkMember.organisation_id).where(NetworkMember.network_id == network)
        outsider = session.scalars(
            select(Stream.id).where(
                Stream.visibility == "anonymous",
                Stream.direction == "offer",
                Stream.organisation_id.not_in(members),
            )
        ).first()
        member_need = session.scalars(
            select(Stream.id).where(Stream.direction == "need", Stream.organisation_id.in_(members))
        ).first()
    assert outsider and member_need
    form = web.get(
        "/region/introduce", params={"network": network, "offer": outsider, "need": member_need}
    )
    assert form.status_code == 404
    web.cookies.clear()
