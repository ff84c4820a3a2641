"""Migrations build the schema from empty, and the models match the migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from sidestream import models_all  # noqa: F401
from sidestream.db import Base, make_engine, upgrade


def test_upgrade_from_empty_creates_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_streams_stated_per_day_or_week_get_their_yearly_amount_recomputed(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0004")
    now = "2026-12-01 00:00:00"
    rows = [  # id, quantity, unit, period, annual amount as revision 0004 stored it
        (1, 10.0, "t", "per-day", 3650.0),
        (2, 7.0, "t", "per-week", 364.0),
        (3, 10.0, "t/day", "per-day", 3652.5),
        (4, 100.0, "t", "per-month", 1200.0),
    ]
    engine = make_engine(url)
    with engine.begin() as conn:
        for id_, quantity, unit, period, annual in rows:
            conn.execute(
                text(
                    "INSERT INTO stream (id, external_id, direction, kind, title, hazardous,"
                    " quantity, unit, period, annual_amount, annual_unit, properties,"
                    " visibility, status, version, created_at, updated_at) VALUES (:id, :x,"
                    " 'offer', 'material', 'Sawdust', 0, :q, :u, :p, :a, 't', '{}', 'public',"
                    " 'active', 1, :now, :now)"
                ),
                dict(id=id_, x=f"s{id_}", q=quantity, u=unit, p=period, a=annual, now=now),
            )
    upgrade(url)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT id, annual_amount FROM stream")).all())
    engine.dispose()
    assert got == {
        1: pytest.approx(3652.5),
        2: pytest.approx(365.25),
        3: pytest.approx(3652.5),
        4: pytest.approx(1200.0),
    }


def test_undoing_the_kept_valuation_keeps_every_delivery(tmp_path):
    """Revision 0007's column is dropped in place: a batch rebuild of ``exchange`` on SQLite
    dropped the old table, and its ON DELETE CASCADE took every delivery with it (0008 rebuilds
    ``delivery`` itself, which no table refers to)."""
    from sidestream.db import downgrade

    url = f"sqlite:///{tmp_path / 'kept.db'}"
    upgrade(url)
    now = "2026-12-01 00:00:00"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO exchange (id, status, version, valuation_terms, created_at,"
                " updated_at) VALUES (1, 'active', 1, :terms, :now, :now)"
            ),
            {"now": now, "terms": '{"kind": "material"}'},
        )
        conn.execute(
            text(
                "INSERT INTO delivery (id, exchange_id, delivered_on, quantity, unit, created_at,"
                " answer, answered_at, version) VALUES (1, 1, '2026-03-01', 40, 't', :now,"
                " 'confirmed', :now, 1)"
            ),
            {"now": now},
        )
    downgrade(url, "0006")
    with engine.connect() as conn:
        kept = conn.scalar(text("SELECT count(*) FROM delivery"))
        columns = {c["name"] for c in inspect(conn).get_columns("exchange")}
        answers = {c["name"] for c in inspect(conn).get_columns("delivery")} & {"answer"}
    engine.dispose()
    assert kept == 1 and "valuation_terms" not in columns and not answers


def test_invitations_of_the_earlier_kind_are_withdrawn_and_members_kept(tmp_path):
    """0009: a pending membership was answered by whoever had registered the address; such
    invitations are withdrawn (their admins invite again, by link), accepted ones stay."""
    url = f"sqlite:///{tmp_path / 'invited.db'}"
    upgrade(url, "0008")
    now = "2026-12-01 00:00:00"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation (id, name, version, created_at, updated_at)"
                " VALUES (1, 'Old Dairy', 1, :now, :now)"
            ),
            {"now": now},
        )
        for uid in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO app_user (id, email, password_hash, platform_admin, created_at,"
                    " updated_at) VALUES (:id, :email, 'x', false, :now, :now)"
                ),
                {"id": uid, "email": f"u{uid}@example.org", "now": now},
            )
        conn.execute(
            text(
                "INSERT INTO membership (user_id, organisation_id, role, created_at, accepted_at)"
                " VALUES (1, 1, 'admin', :now, :now), (2, 1, 'member', :now, NULL)"
            ),
            {"now": now},
        )
    upgrade(url)
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT user_id FROM membership")).scalars().all()
    engine.dispose()
    assert kept == [1]


def test_deliveries_stored_before_get_version_1_and_are_kept_going_back(tmp_path):
    """0010 adds ``delivery.version`` (answers name the version they read)."""
    from sidestream.db import downgrade

    url = f"sqlite:///{tmp_path / 'versions.db'}"
    upgrade(url, "0009")
    engine = make_engine(url)
    with engine.begin() as conn:
        now = "2026-12-01 00:00:00"
        conn.execute(
            text(
                "INSERT INTO exchange (id, status, version, created_at, updated_at)"
                " VALUES (1, 'active', 1, :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO delivery (id, exchange_id, delivered_on, quantity, unit, created_at)"
                " VALUES (1, 1, '2026-03-01', 40, 't', :now)"
            ),
            {"now": now},
        )
    upgrade(url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version FROM delivery WHERE id = 1")) == 1
    downgrade(url, "0009")
    with engine.connect() as conn:
        kept = conn.scalar(text("SELECT count(*) FROM delivery"))
        columns = {c["name"] for c in inspect(conn).get_columns("delivery")}
    engine.dispose()
    assert kept == 1 and "version" not in columns


def test_introductions_get_sides_accepted_and_keep_their_exchanges_both_ways(tmp_path):
    """0012 adds who introduced a pair and each side's acceptance; on SQLite ``introduction``
    is rebuilt, which would set ``exchange.introduction_id`` to NULL if not put back."""
    from sidestream.db import downgrade

    url = f"sqlite:///{tmp_path / 'intros.db'}"
    upgrade(url, "0011")
    engine = make_engine(url)
    now, later = "2026-12-01 00:00:00", "2026-12-02 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO introduction (id, status, version, created_at, updated_at,"
                " decided_at) VALUES (1, 'accepted', 1, :now, :later, :later),"
                " (2, 'pending', 1, :now, :now, NULL)"
            ),
            {"now": now, "later": later},
        )
        conn.execute(
            text(
                "INSERT INTO exchange (id, introduction_id, status, version, created_at,"
                " updated_at) VALUES (1, 1, 'introduced', 1, :now, :now)"
            ),
            {"now": now},
        )
    upgrade(url)

    def state() -> tuple[object, ...]:
        with engine.connect() as conn:
            link = conn.scalar(text("SELECT introduction_id FROM exchange WHERE id = 1"))
            columns = {c["name"] for c in inspect(conn).get_columns("introduction")}
            accepted = (
                conn.execute(
                    text(
                        "SELECT id, requester_accepted_at IS NOT NULL,"
                        " responder_accepted_at IS NOT NULL FROM introduction ORDER BY id"
                    )
                ).all()
                if "requester_accepted_at" in columns
                else None
            )
        return link, "introduced_by_network_id" in columns, accepted

    assert state() == (1, True, [(1, True, True), (2, True, False)])
    downgrade(url, "0011")
    assert state() == (1, False, None)
    upgrade(url)
    assert state()[:2] == (1, True)
    engine.dispose()
