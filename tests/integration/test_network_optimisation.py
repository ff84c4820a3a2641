"""Network optimisation and reports on the demo region, through services, API and CLI."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sidestream.cli import app
from sidestream.db import get_engine, session_scope
from sidestream.demo.builder import load_demo
from sidestream.exchanges.models import Delivery, Exchange
from sidestream.optimize.service import optimize_network
from sidestream.registry import service as registry
from sidestream.registry.models import Network, Stream
from sidestream.registry.schemas import NetworkCreate
from sidestream.reports.schemas import INDICATORS
from sidestream.reports.service import network_report, organisation_report, report_csv
from tests.access.auth import as_platform_admin

from .conftest import by_external_id

TOL = 1e-6


def test_kalundborg_allocation_is_feasible_and_respects_supply_and_demand(demo):
    net = registry.find_network(demo, "Kalundborg Symbiosis")
    result = optimize_network(demo, net.id, pareto_points=3)
    alloc = result.allocation
    assert alloc.status == "optimal" and alloc.flows
    streams = {str(s.id): s for s in demo.query(Stream)}
    sent, received = defaultdict(float), defaultdict(float)
    for f in alloc.flows:
        offer, need = streams[f.offer], streams[f.need]
        assert offer.organisation_id != need.organisation_id
        assert f.unit == offer.annual_unit == need.annual_unit
        sent[f.offer] += f.amount
        received[f.need] += f.delivered  # more than sent where a heat pump lifts the heat
    for sid, amount in sent.items():
        assert amount <= streams[sid].annual_amount * (1 + TOL)
    for sid, amount in received.items():
        assert amount <= streams[sid].annual_amount * (1 + TOL)
    assert len(result.pareto.points) >= 1
    assert sum(p.gain_eur for p in result.sharing.participants) == pytest.approx(
        alloc.benefit_eur, rel=1e-6
    )


def test_a_scenario_is_compared_with_the_baseline(demo):
    net = registry.find_network(demo, "Kalundborg Symbiosis")
    gypsum = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    result = optimize_network(
        demo,
        net.id,
        changes=[{"op": "set_amount", "target": str(gypsum.id), "amount": 0}],
        scenario_assumptions={"price.gate_fee.landfill": 50},
    )
    diff = result.scenario.diff
    assert result.scenario.baseline == result.allocation
    assert any(f.offer == str(gypsum.id) and f.scenario == 0 for f in diff.flows)
    benefit = next(t for t in diff.totals if t.metric == "benefit_eur")
    assert benefit.delta < 0


def _deliver(session, offer_ext: str, need_ext: str, deliveries: list[tuple[date, float, str]]):
    offer, need = by_external_id(session, offer_ext), by_external_id(session, need_ext)
    ex = Exchange(
        offer_org_id=offer.organisation_id,
        need_org_id=need.organisation_id,
        offer_stream_id=offer.id,
        need_stream_id=need.id,
        status="active",
        agreed_price_eur_per_unit=5.0,
        agreed_unit="t",
    )
    ex.deliveries = [Delivery(delivered_on=d, quantity=q, unit=u) for d, q, u in deliveries]
    session.add(ex)
    session.commit()
    return ex


def test_report_totals_are_the_sum_of_their_parts_and_follow_deliveries(demo):
    net = registry.find_network(demo, "Kalundborg Symbiosis")
    before = network_report(demo, net.id).totals["realised"].links  # the demo's own exchanges
    ex = _deliver(
        demo,
        "kal-asnaes-fgd-gypsum",
        "kal-gyproc-gypsum-need",
        [
            (date(2024, 3, 1), 1000, "t"),
            (date(2024, 9, 1), 500_000, "kg"),
            (date(2025, 1, 5), 800, "t"),
        ],
    )
    report = network_report(demo, net.id)
    link = f"exchange {ex.id}"
    realised = [r for r in report.rows if r.basis == "realised"]
    assert [(r.year, r.amount) for r in realised if r.link == link] == [
        (2024, 1500.0),
        (2025, 800.0),
    ]
    for basis in ("realised", "potential"):
        rows = [r for r in report.rows if r.basis == basis]
        total = report.totals[basis]
        assert total.links == len({r.link for r in rows})
        years = [g.totals for g in report.by_year if g.basis == basis]
        orgs = [g.totals for g in report.by_organisation if g.basis == basis]
        for name in (*INDICATORS, "net_eur"):
            assert getattr(total, name) == pytest.approx(sum(getattr(r, name) for r in rows))
            assert getattr(total, name) == pytest.approx(sum(getattr(t, name) for t in years))
        assert total.net_eur == pytest.approx(sum(t.net_eur for t in orgs))
    assert report.totals["potential"].links > 0
    assert report.totals["realised"].links == before + 1  # one exchange, delivering in two years
    csv_text = report_csv(report)
    assert "DESNZ/DEFRA" in csv_text and csv_text.startswith("basis,year,link")
    counts = report.deliveries
    block = (
        "deliveries_confirmed,deliveries_awaiting,deliveries_disputed,deliveries_first_on,"
        "deliveries_last_on\n"
    )
    period = f"{counts.first_on},{counts.last_on}"  # what the realised figures cover
    assert counts.first_on <= date(2024, 12, 31) and counts.last_on >= date(2025, 1, 1)
    row = f"{counts.confirmed},{counts.awaiting},{counts.disputed},{period}"
    assert f"\n\n{block}{row}\n\n" in csv_text
    warnings = list(csv.reader(io.StringIO(csv_text.split("\n\n")[-1])))
    assert warnings == [["warning"], *([w] for w in report.warnings)]
    gyproc = by_external_id(demo, "kal-gyproc-gypsum-need").organisation_id
    mine = organisation_report(demo, gyproc)
    assert [(r.year, r.amount) for r in mine.rows if r.basis == "realised"] == [
        (2024, 1500.0),
        (2025, 800.0),
    ]  # Gyproc runs no other exchange in the demo


def test_bad_input_gets_clear_4xx_answers(client):
    client = as_platform_admin(client)
    with client.app.state.sessions() as db:
        load_demo(db)
        lonely = registry.create_network(db, NetworkCreate(name="Empty park", member_ids=[]))
        need = by_external_id(db, "kal-gyproc-gypsum-need")
        offer = by_external_id(db, "kal-asnaes-fgd-gypsum")
        db.commit()
        ids = {"lonely": lonely.id, "need": need.id, "offer": offer.id}
    kal = client.get("/api/v1/networks", params={"limit": 500}).json()["items"]
    kal_id = next(n["id"] for n in kal if n["name"] == "Kalundborg Symbiosis")

    r = client.post("/api/v1/networks/9999/optimize", json={})
    assert r.status_code == 404 and "network 9999 not found" in r.json()["detail"]
    r = client.post(f"/api/v1/networks/{kal_id}/optimize", json={"carbon_price": -1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "carbon_price"
    r = client.post(f"/api/v1/networks/{ids['lonely']}/optimize", json={})
    assert r.status_code == 422 and "no feasible link" in r.json()["detail"][0]["msg"]
    r = client.post(f"/api/v1/networks/{kal_id}/optimize", json={"pareto_points": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "pareto_points"
    r = client.post(f"/api/v1/networks/{kal_id}/optimize", json={"changes": [{"op": "explode"}]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "changes", 0]
    r = client.get(f"/api/v1/streams/{ids['need']}/sectors")
    assert r.status_code == 422 and "offers only" in r.json()["detail"][0]["msg"]
    r = client.get("/api/v1/streams/9999/matches")
    assert r.status_code == 404
    r = client.get(f"/api/v1/streams/{ids['offer']}/matches/{ids['offer']}/impact")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "partner_id"

    for body in (
        '{"carbon_price": Infinity}',
        '{"scenario_assumptions": {"price.carbon.eu_ets": NaN}}',
    ):
        r = client.post(
            f"/api/v1/networks/{kal_id}/optimize",
            content=body,
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422, (body, r.text)
    for assumptions, field in (  # each a server error before
        ({"price.carbon.eu_ets": -5}, ["body", "scenario_assumptions", "price.carbon.eu_ets"]),
        ({"combustion.natural_gas": 1e12}, ["body", "scenario_assumptions"]),
        ({"grid.electricity.eu27": 1e300}, ["body", "scenario_assumptions"]),
    ):
        body = {"scenario_assumptions": assumptions}
        r = client.post(f"/api/v1/networks/{kal_id}/optimize", json=body)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == field, r.text
    r = client.post(f"/api/v1/networks/{kal_id}/optimize", json={"carbon_price": 1e12})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "carbon_price"

    good = client.post(f"/api/v1/networks/{kal_id}/optimize", json={"carbon_price": 100})
    assert good.status_code == 200 and good.json()["allocation"]["status"] == "optimal"
    assert good.json()["summary"]["carbon_price_eur_per_t"] == 100


def _demo_gypsum_pair(client):
    """The client as platform admin on the demo region, with the ids of Asnæs' FGD gypsum
    offer and Gyproc's gypsum need."""
    client = as_platform_admin(client)
    with client.app.state.sessions() as db:
        load_demo(db)
        offer = by_external_id(db, "kal-asnaes-fgd-gypsum").id
        need = by_external_id(db, "kal-gyproc-gypsum-need").id
        db.commit()
    return client, offer, need


def test_stream_endpoints_answer_matches_sectors_and_impact(client):
    client, offer, need = _demo_gypsum_pair(client)
    found = client.get(f"/api/v1/streams/{offer}/matches", params={"top": 3}).json()
    assert len(found["matches"]) == 3 and found["matches"][0]["reasons"]
    assert client.get(f"/api/v1/streams/{offer}/sectors").json()[0]["nace"]
    far = client.get(
        f"/api/v1/streams/{offer}/matches/{need}/impact",
        params={"distance_km": 200, "vehicle": "rail"},
    )
    assert far.status_code == 200, far.text
    near = client.get(f"/api/v1/streams/{offer}/matches/{need}/impact").json()
    assert far.json()["result"]["carbon"]["transport_t"] != near["result"]["carbon"]["transport_t"]
    edited = client.post(
        f"/api/v1/streams/{need}/matches/{offer}/impact",
        json={"changes": {"amount": 10}, "assumptions": {"price.gate_fee.landfill": 1}},
    ).json()
    assert edited["exchange"]["amount"] == 10
    assert any(f["overridden"] for f in edited["result"]["factors"])
    r = client.post(f"/api/v1/streams/{offer}/matches/{need}/dismiss")
    assert r.status_code == 201
    again = client.get(f"/api/v1/streams/{offer}/matches", params={"top": 20}).json()
    assert need not in [m["partner"]["id"] for m in again["matches"]]
    anon = client.__class__(client.app)
    assert anon.post(f"/api/v1/streams/{offer}/matches/{need}/dismiss").status_code == 401
    hidden = client.get(f"/api/v1/streams/{offer}/dismissals").json()["items"]
    assert [h["partner"]["id"] for h in hidden] == [need]
    assert anon.delete(f"/api/v1/streams/{offer}/matches/{need}/dismiss").status_code == 401
    for _ in range(2):  # suggested again; undoing twice is harmless
        r = client.delete(f"/api/v1/streams/{offer}/matches/{need}/dismiss")
        assert r.status_code == 204
    assert client.get(f"/api/v1/streams/{offer}/dismissals").json()["items"] == []
    again = client.get(f"/api/v1/streams/{offer}/matches", params={"top": 20}).json()
    assert need in [m["partner"]["id"] for m in again["matches"]]
    factors = client.get("/api/v1/impact/factors", params={"prefix": "price."}).json()
    assert factors["total"] > 5 and all(f["source"] for f in factors["factors"])
    bogus = client.get("/api/v1/impact/factors", params={"version": "bogus"})
    assert bogus.status_code == 422 and bogus.json()["detail"][0]["loc"] == ["query", "version"]
    account = client.post(
        "/api/v1/impact/account",
        json={"exchange": {"kind": "water", "amount": 1000, "distance_km": 2}},
    )
    assert account.status_code == 200 and account.json()["indicators"]["water_saved_m3"] == 1000
    for bad_exchange, field in (
        ({"kind": "gold", "amount": 1}, "kind"),
        ({"kind": "material", "amount": 1e308, "distance_km": 1e308}, "amount"),
        ({"kind": "material", "amount": 1, "waste_code": "999999"}, "waste_code"),
    ):
        bad = client.post("/api/v1/impact/account", json={"exchange": bad_exchange})
        assert bad.status_code == 422 and field in bad.text, bad.text
    typo = client.post("/api/v1/impact/account", json={"exchange": {"kind": "water", "amount": 1},
                                                       "change": {}})  # fmt: skip
    assert typo.status_code == 422 and "change" in typo.text
    huge = client.get(f"/api/v1/streams/{offer}/matches/{need}/impact", params={"amount": 1e200})
    assert huge.status_code == 422 and "amount" in huge.text
    nets = client.get("/api/v1/networks", params={"limit": 500}).json()["items"]
    kal = next(n["id"] for n in nets if n["name"] == "Kalundborg Symbiosis")
    report = client.get(f"/api/v1/networks/{kal}/report", params={"format": "csv"})
    assert report.status_code == 200 and report.text.startswith("basis,year,link")
    assert client.get(f"/api/v1/networks/{kal}/report").json()["totals"]["potential"]["links"]
    assert anon.get(f"/api/v1/networks/{kal}/report").status_code == 403


def test_optimize_and_report_commands_on_a_stored_network(tmp_path):
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--database-url", db]).exit_code == 0
    name = "Kalundborg Symbiosis"
    out = runner.invoke(app, ["optimize", "--network", name, "--database-url", db])
    assert out.exit_code == 0, out.output
    assert '"status": "optimal"' in out.output
    csv_out = runner.invoke(
        app, ["optimize", "--network", name, "--format", "csv", "--database-url", db]
    )
    assert csv_out.stdout.startswith("arc_id,offer,need,amount")
    rep = runner.invoke(app, ["report", "--network", name, "--format", "csv", "--database-url", db])
    assert rep.exit_code == 0 and rep.stdout.startswith("basis,year,link")
    missing = runner.invoke(app, ["report", "--network", "Atlantis", "--database-url", db])
    assert missing.exit_code == 2 and "network Atlantis not found" in missing.output
    both = runner.invoke(app, ["optimize", "x.json", "--network", name, "--database-url", db])
    assert both.exit_code == 2
    with session_scope(get_engine(db)) as session:  # a network named as another's id
        first = session.get(Network, 1)
        named = registry.create_network(session, NetworkCreate(name="1"))
        first_name, named_id = first.name, named.id
    for command in ("report", "optimize"):
        clash = runner.invoke(app, [command, "--network", "1", "--database-url", db])
        assert clash.exit_code == 2, clash.output
        assert f"'1' is the name of network {named_id} and the id of network '{first_name}'" in (
            clash.stderr
        )
    by_id = runner.invoke(app, ["report", "--network", str(named_id), "--database-url", db])
    assert by_id.exit_code == 0 and json.loads(by_id.stdout)["name"] == "1"


def test_the_pages_plan_and_their_report_count_the_same_exchanges(demo):
    from sidestream.access.policy import SYSTEM
    from sidestream.web.plans import impact_report, network_plan

    net = registry.find_network(demo, "Kalundborg Symbiosis")
    plan = network_plan(demo, SYSTEM, net.id)
    report = impact_report(demo, SYSTEM, net.id)
    assert plan is not None and len(plan.allocation.flows) > 10
    assert report.totals["potential"].links == len(plan.allocation.flows)


def test_a_link_is_valued_alike_on_the_match_page_in_the_plan_and_in_its_report(demo):
    """The plan and the report valued a link by its offer alone (400 t of textiles to a need
    for wood ash counted as replacing new clothing), and the report dropped the heat pump a
    plan's heat link needs; the match page reads the need's material and the pump."""
    from sidestream.access.policy import SYSTEM
    from sidestream.impact.service import account_pair
    from sidestream.matching.service import stream_listing
    from sidestream.web import region_view

    checked = pumped = 0
    for net in registry.list_networks(demo, limit=100)[0]:
        try:
            plan = optimize_network(demo, net.id)
        except Exception:
            continue
        report = network_report(demo, net.id)
        rows = {r.link: r for r in report.rows if r.basis == "potential"}
        for flow in plan.allocation.flows:
            offer, need = (
                stream_listing(SYSTEM, demo.get(Stream, int(ref)))
                for ref in (flow.offer, flow.need)
            )
            page = account_pair(offer, need, flow.distance_km, changes={"amount": flow.amount})
            expected = page.result.indicators.co2e_avoided_t
            assert flow.co2e_avoided_t == pytest.approx(expected, rel=1e-6, abs=1e-6), flow.arc_id
            assert rows[flow.arc_id].co2e_avoided_t == pytest.approx(flow.co2e_avoided_t, rel=1e-6)
            checked += 1
            pumped += page.exchange.heat_pump_cop is not None
        streams = {s.id: s for s in demo.scalars(select(Stream))}
        shown = region_view.indicators(plan.allocation, streams)  # the region page's chart
        total = sum(f.co2e_avoided_t for f in plan.allocation.flows)
        # one figure: the page rounded amounts and distances to reuse its figures (233,246 t
        # on its card against 233,245 in the plan's table)
        assert sum(shown["co2e_avoided_t"].values()) == pytest.approx(total, rel=1e-9)
    assert checked > 30 and pumped >= 1


def test_reports_count_each_link_once_and_a_network_its_own_exchanges(demo):
    """An organisation in two networks had its streams counted in both plans (ARGO's 400 t of
    textiles twice); a network counted a member's exchange with an outsider, which two
    networks' reports then both held; an organisation's net EUR added its partner's."""
    from sidestream.registry.models import NetworkMember

    textiles = by_external_id(demo, "kal-argo-textiles")
    argo = textiles.organisation_id
    homes = select(NetworkMember.network_id).where(NetworkMember.organisation_id == argo)
    assert len(set(demo.scalars(homes))) >= 2  # the demo puts ARGO in two networks
    mine = organisation_report(demo, argo)
    sent = f"{textiles.id}->"
    planned = [r for r in mine.rows if r.basis == "potential" and r.link.startswith(sent)]
    assert sum(r.amount for r in planned) <= textiles.quantity + 1e-6
    assert any("counted in the plan of network" in w for w in mine.warnings)
    # its factors are those of its own rows (material ones), not of other companies' links
    assert {r.kind for r in mine.rows} == {"material"}
    water = ("water.", "price.water")
    assert not [f.id for f in mine.factors if f.id.startswith(water)]
    kal_factors = network_report(demo, registry.find_network(demo, "Kalundborg Symbiosis").id)
    assert any(f.id.startswith(water) for f in kal_factors.factors)  # its networks' plans have

    kal = registry.find_network(demo, "Kalundborg Symbiosis")
    members = set(registry.network_member_ids(demo, kal.id))
    outsider_need = next(  # a need of an organisation outside Kalundborg Symbiosis
        s
        for s in demo.scalars(select(Stream).where(Stream.direction == "need"))
        if s.organisation_id not in members
    )
    assert argo in members
    delivered = [(date(2025, 2, 1), 50, "t")]
    ex = _deliver(demo, "kal-argo-textiles", outsider_need.external_id, delivered)
    links = {r.link for r in network_report(demo, kal.id).rows if r.basis == "realised"}
    assert f"exchange {ex.id}" not in links  # not an exchange between two members
    own = organisation_report(demo, argo)
    assert f"exchange {ex.id}" in {r.link for r in own.rows}
    for basis in ("realised", "potential"):
        rows = [r for r in own.rows if r.basis == basis]
        argo_name = own.name
        side = sum(r.supplier_eur for r in rows if r.supplier == argo_name)
        side += sum(r.receiver_eur for r in rows if r.receiver == argo_name)
        assert own.totals[basis].net_eur == pytest.approx(side)
        years = [g.totals.net_eur for g in own.by_year if g.basis == basis]
        assert sum(years) == pytest.approx(side)  # the years add up to the totals


def test_every_error_of_a_valuation_or_a_scenario_is_answered_at_once(client):
    # a pair's valuation and a scenario answered their first error only, at ["amount"] or
    # ["scenario_assumptions.price.carbon.eu_ets"] whatever the request sent
    client, offer, need = _demo_gypsum_pair(client)
    url = f"/api/v1/streams/{offer}/matches/{need}/impact"
    edits = {
        "changes": {"amount": -5, "vehicle": "zeppelin", "colour": "red"},
        "assumptions": {"price.gate_fee.landfill": "cheap"},
    }
    r = client.post(url, json=edits)
    assert r.status_code == 422
    assert [(e["loc"], e["type"]) for e in r.json()["detail"]] == [
        (["body", "changes", "amount"], "greater_than_equal"),
        (["body", "changes", "colour"], "extra_forbidden"),
        (["body", "assumptions", "price.gate_fee.landfill"], "value_error"),
        (["body", "changes", "vehicle"], "value_error"),
    ]
    r = client.get(url, params={"vehicle": "zeppelin"})  # the same rule, sent in the query
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "vehicle"]

    kal = client.get("/api/v1/networks", params={"limit": 500}).json()["items"]
    kal_id = next(n["id"] for n in kal if n["name"] == "Kalundborg Symbiosis")
    body = {
        "scenario_assumptions": {"a.b": "x", "price.gate_fee.landfill": {"value": 1, "unit": "kg"}},
        "changes": [{"op": "set_amount", "target": "nobody", "amount": 1}],
    }
    r = client.post(f"/api/v1/networks/{kal_id}/optimize", json=body)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [
        ["body", "scenario_assumptions", "a.b"],
        ["body", "scenario_assumptions", "price.gate_fee.landfill", "unit"],
        ["body", "changes", 0, "target"],
    ]
    body = {"changes": [{"op": "set_amount", "target": "nobody", "amount": 1}, {"op": "x"}]}
    r = client.post(f"/api/v1/networks/{kal_id}/optimize", json=body)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "changes", 1]]  # read first
    body["changes"][1] = {"op": "remove_organisation", "organisation": "Nobody A/S"}
    r = client.post(f"/api/v1/networks/{kal_id}/optimize", json=body)
    assert [e["loc"] for e in r.json()["detail"]] == [
        ["body", "changes", 0, "target"],
        ["body", "changes", 1, "organisation"],
    ]
