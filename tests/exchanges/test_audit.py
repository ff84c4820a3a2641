"""The audit log: every change is chained; altering or deleting any entry is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from typer.testing import CliRunner

from sidestream.cli import app as cli
from sidestream.exchanges import audit
from sidestream.registry import service as registry
from sidestream.registry.schemas import StreamCreate, StreamUpdate


@pytest.fixture
def logged(session):
    """Three entries: a stream created, updated (by a named actor) and deleted."""
    stream = registry.create_stream(
        session, StreamCreate(direction="offer", title="Fly ash", quantity=5, unit="t")
    )
    session.commit()
    session.info["actor"] = "user:7"
    registry.update_stream(session, stream.id, StreamUpdate(version=1, title="Fly ash, dry"))
    registry.update_stream(session, stream.id, StreamUpdate(version=2))  # no change: no entry
    session.commit()
    registry.delete_stream(session, stream.id)
    session.commit()
    return stream.id


def test_changes_are_chained_with_actor_action_and_object(session, logged):
    entries = sorted(audit.history(session)[0], key=lambda e: e.seq)
    assert [(e.seq, e.action, e.actor) for e in entries] == [
        (1, "insert", "system"),
        (2, "update", "user:7"),
        (3, "delete", "user:7"),
    ]
    assert {(e.object_type, e.object_id) for e in entries} == {("stream", str(logged))}
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].entry_hash
    # the delete names the last state it removed
    assert entries[0].payload_hash != entries[1].payload_hash == entries[2].payload_hash
    assert audit.verify(session).ok


def test_rolled_back_changes_leave_no_entry(session):
    registry.create_stream(session, StreamCreate(direction="need", title="Heat"))
    session.rollback()
    assert audit.history(session) == ([], 0) and audit.verify(session).ok


def _tamper(session, sql: str) -> audit.Verdict:
    session.execute(text(sql))
    session.commit()
    return audit.verify(session)


@pytest.mark.parametrize(
    ("sql", "broken_at"),
    [
        ("UPDATE audit_entry SET actor = 'user:1' WHERE seq = 2", 2),
        ("UPDATE audit_entry SET payload_hash = repeat('a', 64) WHERE seq = 1", 1),
        ("UPDATE audit_entry SET at = at - interval '1 second' WHERE seq = 3", 3),
        ("DELETE FROM audit_entry WHERE seq = 2", 2),
        ("DELETE FROM audit_entry WHERE seq = 3", 3),
        ("DELETE FROM audit_entry", 1),
    ],
)
def test_altered_or_deleted_entries_are_detected(session, logged, sql, broken_at):
    if session.bind.dialect.name == "sqlite":
        sql = sql.replace("repeat('a', 64)", "'" + "a" * 64 + "'")
        sql = sql.replace("at - interval '1 second'", "'2020-01-01 00:00:00.000000'")
    verdict = _tamper(session, sql)
    assert not verdict.ok and verdict.broken_at == broken_at, verdict


def test_a_rewritten_entry_with_a_recomputed_hash_still_breaks_the_next_link(session, logged):
    e = sorted(audit.history(session)[0], key=lambda x: x.seq)[1]
    forged = audit.entry_hash(
        e.seq, e.at, "user:1", e.action, e.object_type, e.object_id, e.payload_hash, e.prev_hash
    )
    verdict = _tamper(
        session, f"UPDATE audit_entry SET actor = 'user:1', entry_hash = '{forged}' WHERE seq = 2"
    )
    assert verdict.broken_at == 3 and "link" in verdict.reason


def test_cli_verify_exits_1_naming_the_first_broken_entry(session, logged, engine):
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify", "--database-url", url])
    assert ok.exit_code == 0 and "3 entries" in ok.output
    _tamper(session, "DELETE FROM audit_entry WHERE seq = 2")
    broken = runner.invoke(cli, ["audit", "verify", "--database-url", url])
    assert broken.exit_code == 1 and "entry 2" in broken.output


def test_api_changes_are_attributed_and_verify_is_admin_only(client, world):
    w, h = world
    sid = w.streams["public"]
    r = client.patch(
        f"/api/v1/streams/{sid}", json={"version": 1, "title": "Slag"}, headers=h["acme_member"]
    )
    assert r.status_code == 200
    log = client.get(
        f"/api/v1/audit?object_type=stream&object_id={sid}", headers=h["platform_admin"]
    ).json()["items"]
    assert log[0]["action"] == "update" and log[0]["actor"].startswith("user:")
    assert "/token:" in log[0]["actor"]
    for role in ("anonymous", "acme_admin", "hub_facilitator"):
        assert client.get("/api/v1/audit/verify", headers=h[role]).status_code in (401, 403)
    verdict = client.get("/api/v1/audit/verify", headers=h["platform_admin"]).json()
    assert verdict["ok"] and verdict["entries"] >= 6


def test_introductions_exchanges_and_deliveries_are_logged(client, world):
    w, h = world
    body = {"offer_stream_id": w.streams["public"], "need_stream_id": w.need}
    intro = client.post("/api/v1/introductions", json=body, headers=h["beta_member"]).json()
    client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=h["acme_member"])
    log = client.get("/api/v1/audit?limit=5", headers=h["platform_admin"]).json()["items"]
    assert [(e["object_type"], e["action"]) for e in log[:3]] == [
        ("exchange", "insert"),
        ("introduction", "update"),
        ("introduction", "insert"),
    ]


def test_one_transaction_of_many_savepoints_moves_the_head_once_and_stays_whole(session):
    """An import writes each row in a savepoint, some rolled back: the head used to be updated
    for every entry, which made PostgreSQL slower with every row (157 s for 10,000 rows)."""
    moves = []
    session.execute(text("SELECT 1"))  # the transaction is open

    @sa_event.listens_for(session.bind, "before_cursor_execute")
    def _count(conn, cursor, statement, *args):
        if statement.startswith("UPDATE audit_head"):
            moves.append(statement)

    try:
        for i in range(6):
            with session.begin_nested() as nested:
                registry.create_stream(session, StreamCreate(direction="offer", title=f"S{i}"))
                if i % 3 == 2:
                    nested.rollback()  # a refused row leaves no entry
        session.commit()
    finally:
        sa_event.remove(session.bind, "before_cursor_execute", _count)
    assert len(moves) == 1
    verdict = audit.verify(session)
    assert verdict.ok and verdict.entries == 4


def test_entries_appended_after_a_deleted_tail_still_show_the_gap(session, logged):
    session.execute(text("DELETE FROM audit_entry WHERE seq = 3"))
    session.commit()
    registry.create_stream(session, StreamCreate(direction="need", title="Heat"))
    session.commit()  # the new entry follows the head (entry 3), not the chain's end (2)
    verdict = audit.verify(session)
    assert not verdict.ok and verdict.broken_at == 3, verdict
