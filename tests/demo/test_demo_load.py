"""The demo region loads through the real services, on SQLite and PostgreSQL."""

import pytest
from typer.testing import CliRunner

from sidestream.cli import app
from sidestream.demo.builder import DELIVERY_MONTHS, load_demo
from sidestream.registry import service
from sidestream.registry.models import Network, Stream
from sidestream.reports.service import network_report


def test_demo_region_loads(session):
    summary = load_demo(session)
    session.commit()
    assert summary.organisations >= 40 and summary.streams >= 120
    kinds = {k for (k,) in session.query(Stream.kind).distinct()}
    assert kinds == {"material", "energy", "water", "capacity", "service", "knowledge"}
    kal = service.find_network(session, "Kalundborg Symbiosis")
    assert kal is not None and kal.facilitator is not None and len(kal.members) >= 8
    assert all(n.facilitator_id for n in session.query(Network))
    hazardous = session.query(Stream).filter(Stream.hazardous.is_(True)).count()
    annual = session.query(Stream).filter(Stream.annual_amount.is_not(None)).count()
    assert annual >= 100 and hazardous >= 0
    with pytest.raises(RuntimeError, match="not empty"):
        load_demo(session)


def test_the_demo_region_has_running_exchanges_its_reports_count(session):
    summary = load_demo(session)
    assert (summary.exchanges, summary.deliveries) == (11, 11 * DELIVERY_MONTHS)
    kal = service.find_network(session, "Kalundborg Symbiosis")
    report = network_report(session, kal.id)
    realised = [r for r in report.rows if r.basis == "realised"]
    assert report.totals["realised"].links == 5 and report.totals["realised"].co2e_avoided_t > 0
    assert report.deliveries.model_dump(exclude={"first_on", "last_on"}) == {
        "confirmed": 85,
        "awaiting": 5,
        "disputed": 0,
    }
    assert report.deliveries.first_on < report.deliveries.last_on  # what "realised" covers
    latest = [r for r in realised if r.year == 2026]  # its last month awaits confirmation
    assert latest and all(r.confirmed_amount < r.amount for r in latest)


def test_demo_command_loads_once_and_resets(tmp_path):
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--database-url", db])
    assert first.exit_code == 0 and "demo region loaded" in first.output
    wal = tmp_path / "demo.db-wal"  # folded into the file: a copy of the file is the region
    assert not wal.exists() or wal.stat().st_size == 0
    again = runner.invoke(app, ["demo", "--database-url", db])
    assert "already loaded" in again.output
    reset = runner.invoke(app, ["demo", "--reset", "--database-url", db])
    assert reset.exit_code == 0 and "demo region loaded" in reset.output
