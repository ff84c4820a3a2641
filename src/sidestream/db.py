"""Database engine, sessions, the declarative base and schema migration."""

from __future__ import annotations

import errno
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Select,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from sidestream.config import get_settings
from sidestream.errors import Conflict, InvalidInput

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp in UTC, aware on every backend: SQLite keeps no offset, so what it reads
    back is marked UTC, as it was written (an API answers the same time zone on write and
    read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark a naive value read back as UTC."""
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Timestamped:
    """Mixin: creation and last-update times."""

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


#: Execution option of a transaction that will write (:func:`begin_writing`).
WRITING = "sidestream_writing"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys and WAL switched on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN: savepoints work
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            writing = conn.get_execution_options().get(WRITING, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

        return engine
    if not url.startswith("postgresql"):  # a MySQL URL failed on its missing driver
        scheme = url.split(":", 1)[0]
        raise ArgumentError(f"'{scheme}' databases are not supported: use sqlite or postgresql")
    return create_engine(url, pool_pre_ping=True)


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the configured database), created once."""
    return make_engine(url or get_settings().database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (default: the configured one)."""
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


def begin_writing(session: Session) -> None:
    """Begin ``session``'s transaction as one that will write.

    SQLite lets one writer at a time and gives each transaction the snapshot of its first
    read: a transaction that read, then writes after another writer committed, fails at once
    with "database is locked" (WAL: the snapshot is stale; waiting cannot help). Begun as a
    writer (``BEGIN IMMEDIATE``) it waits up to the busy timeout for the write lock instead and
    then reads what the other committed. PostgreSQL ignores the option. Call it before the
    session's first statement.
    """
    session.connection(execution_options={WRITING: True})


class Versioned(Protocol):
    """A stored object updated under optimistic concurrency (a ``version`` column)."""

    __tablename__: str
    id: int
    version: int


def check_version(obj: Versioned, version: int) -> None:
    """Refuse (``Conflict``) an update made from a stale read: ``version`` is the one read."""
    if obj.version != version:
        raise Conflict(
            f"{obj.__tablename__} {obj.id} was changed by someone else "
            f"(you sent version {version}, stored is {obj.version}); reload and retry",
            current_version=obj.version,
        )


def flush_or_conflict(session: Session, what: str) -> None:
    """Flush, turning unique-constraint and concurrent-write failures into ``Conflict``.

    The caller (request, import savepoint, CLI scope) rolls back its own transaction; a
    service never ends it.
    """
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} conflicts with stored data: {exc.orig}") from None
    except StaleDataError:
        raise Conflict(f"{what} was changed concurrently; reload and retry") from None


T = TypeVar("T")


def paginate(
    session: Session, stmt: Select[tuple[T]], limit: int, offset: int
) -> tuple[Sequence[T], int]:
    """One page of an ordered query's objects and the count of all of them, both in SQL (the
    documented list envelope, docs/api.md); ``InvalidInput`` on ``limit`` < 1 or ``offset`` < 0."""
    if limit < 1:
        raise InvalidInput("limit", "must be at least 1")
    if offset < 0:
        raise InvalidInput("offset", "must not be negative")
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return session.scalars(stmt.limit(limit).offset(offset)).all(), total


#: PostgreSQL's answers to a transaction that waited on another: serialization failure,
#: deadlock, lock not available.
_PG_CONTENTION = frozenset({"40001", "40P01", "55P03"})


def is_contention(exc: OperationalError) -> bool:
    """Whether a database error says another transaction held what this one needed (SQLite's
    "database is locked" after the busy timeout; PostgreSQL's deadlock, serialization failure
    or lock timeout): nothing was written, and the same request may succeed when sent again."""
    if getattr(exc.orig, "sqlstate", None) in _PG_CONTENTION:
        return True
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


@contextmanager
def session_scope(engine: Engine | None = None, *, writing: bool = False) -> Iterator[Session]:
    """A transactional session: commit on success, roll back on error; ``writing`` begins it
    as a writer (:func:`begin_writing`)."""
    session = session_factory(engine)()
    try:
        if writing:
            begin_writing(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    """An Alembic config pointing at the packaged migrations and ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema at ``url`` up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url or get_settings().database_url), revision)


def upgrade_existing(url: str | None = None) -> None:
    """:func:`upgrade` for a command that works on stored data: a SQLite file that does not
    exist is a ``FileNotFoundError`` naming it, not a new empty database (a mistyped path
    would otherwise answer "nothing stored")."""
    from sqlalchemy.engine import make_url

    url = url or get_settings().database_url
    parsed = make_url(url)
    path = parsed.database or ""
    in_memory = path in ("", ":memory:") or path.startswith("file:") or parsed.query.get("uri")
    if parsed.get_backend_name() == "sqlite" and not in_memory and not Path(path).exists():
        raise FileNotFoundError(
            errno.ENOENT,
            "no database here (commands that read stored data do not create one: check "
            "DATABASE_URL or --database-url; 'sidestream import' or 'sidestream demo' create it)",
            path,
        )
    upgrade(url)


def downgrade(url: str | None, revision: str) -> None:
    """Take the database schema at ``url`` back to ``revision``, undoing the later migrations."""
    from alembic import command

    command.downgrade(alembic_config(url or get_settings().database_url), revision)


def past_revision(url: str | None, revision: str) -> str | None:
    """The database's revision when it is already past ``revision`` (an ancestor of it),
    else ``None`` (also for relative targets such as ``+1``, which Alembic resolves)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    now = current_revision(url)
    script = ScriptDirectory.from_config(alembic_config(url or get_settings().database_url))
    try:
        target = script.get_revision(revision)
    except CommandError:
        return None
    if now is None or target is None or target.revision == now:
        return None
    older = {r.revision for r in script.iterate_revisions(now, "base")}
    return now if target.revision in older else None


def current_revision(url: str | None = None) -> str | None:
    """The schema revision the database at ``url`` is at (``None``: not migrated yet)."""
    from alembic.runtime.migration import MigrationContext

    with make_engine(url or get_settings().database_url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
