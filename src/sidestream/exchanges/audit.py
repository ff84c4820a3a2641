"""Tamper-evident audit log of streams, introductions, exchanges and deliveries.

One mechanism: mapper events append an entry, in the same transaction, for every insert, update
and delete of an audited object made through the ORM. An entry records the actor (from
``session.info["actor"]``, default ``system``), the time, the action, the object and the SHA-256
of the object's canonical JSON; its own hash covers all that and the previous entry's hash, so
altering or deleting any entry breaks the chain. Payloads themselves are not kept, so erasing
personal or company data never breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, event, insert, inspect, select, update
from sqlalchemy.orm import Mapper, Session, object_session

from sidestream.db import paginate, utcnow
from sidestream.exchanges.models import AuditEntry, AuditHead, Delivery, Exchange, Introduction
from sidestream.registry.models import Stream

GENESIS = "0" * 64
HEAD_ID = 1
AUDITED: dict[type, str] = {
    Stream: "stream",
    Introduction: "introduction",
    Exchange: "exchange",
    Delivery: "delivery",
}


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8, UTC timestamps: the same bytes for the same content."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot audit a {type(value).__name__}")


def utc_iso(value: datetime) -> str:
    """A timestamp as UTC ISO 8601 with microseconds (naive values are taken as UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)
    return aware.astimezone(utcnow().tzinfo).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256(text: str) -> str:
    """Hex SHA-256 of UTF-8 text."""
    return hashlib.sha256(text.encode()).hexdigest()


def payload_hash(obj: Any) -> str:
    """The hash of an object's column values."""
    state = inspect(obj)
    values = {a.key: state.dict.get(a.key) for a in state.mapper.column_attrs}
    return sha256(canonical_json(values))


def entry_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: str,
    prev: str,
) -> str:
    """The chained hash of one entry."""
    fields = {
        "seq": seq,
        "at": utc_iso(at),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload_hash": payload,
        "prev_hash": prev,
    }
    return sha256(canonical_json(fields))


def append(
    conn: Connection, actor: str, action: str, object_type: str, object_id: str, payload: str
) -> None:
    """Append one entry, locking the head row so concurrent writers never fork the chain.

    The head names the last entry as of the last commit (:func:`_write_head` moves it once per
    transaction: updating that one row for every entry of a 10,000-row import made PostgreSQL
    walk ever longer row-version chains). Within a transaction an entry follows the newest
    entry; if the stored chain ends before the head (its tail was deleted), it follows the head,
    so :func:`verify` still finds the gap.
    """
    head = conn.execute(
        select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == HEAD_ID).with_for_update()
    ).first()
    if head is None:
        conn.execute(insert(AuditHead).values(id=HEAD_ID, seq=0, entry_hash=GENESIS))
        head_seq, head_hash = 0, GENESIS
    else:
        head_seq, head_hash = head.seq, head.entry_hash
    last = conn.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.entry_hash) if last and last.seq > head_seq else (
        head_seq + 1, head_hash)  # fmt: skip
    at = utcnow()
    digest = entry_hash(seq, at, actor, action, object_type, object_id, payload, prev)
    conn.execute(
        insert(AuditEntry).values(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            payload_hash=payload,
            prev_hash=prev,
            entry_hash=digest,
        )
    )


def _write_head(session: Session) -> None:
    """Before a commit in which entries were appended: flush what is left, then point the head
    at the newest entry (one update per transaction)."""
    if session.in_nested_transaction() or not session.info.pop(_APPENDED, False):
        return  # a savepoint's release is no commit
    session.flush()
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if last is not None:
        session.execute(
            update(AuditHead)
            .where(AuditHead.id == HEAD_ID, AuditHead.seq < last.seq)
            .values(seq=last.seq, entry_hash=last.entry_hash)
        )


#: ``session.info`` key: entries were appended in the session's open transaction.
_APPENDED = "audit_appended"

#: (Not cleared on rollback: a savepoint's rollback fires the same event, and a stale mark only
#: costs a head update that changes nothing.)
event.listen(Session, "before_commit", _write_head)


def _record(action: str):  # type: ignore[no-untyped-def]
    def listener(_mapper: Mapper[Any], conn: Connection, target: Any) -> None:
        session = object_session(target)
        if (
            action == "update"
            and session is not None
            and not session.is_modified(target, include_collections=False)
        ):
            return
        actor = str(session.info.get("actor", "system")) if session else "system"
        append(conn, actor, action, AUDITED[type(target)], str(target.id), payload_hash(target))
        if session is not None:
            session.info[_APPENDED] = True

    return listener


for _model in AUDITED:
    event.listen(_model, "after_insert", _record("insert"))
    event.listen(_model, "after_update", _record("update"))
    event.listen(_model, "after_delete", _record("delete"))


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a chain check: ``broken_at`` is the first bad sequence number."""

    ok: bool
    entries: int
    head: str
    broken_at: int | None = None
    reason: str | None = None


def verify(session: Session) -> Verdict:
    """Recompute the chain from the first entry; report the first altered or missing one."""
    prev, expected = GENESIS, 1
    for e in _entries(session):
        if e.seq != expected:
            return Verdict(False, expected - 1, prev, expected, f"entry {expected} was deleted")
        if e.prev_hash != prev:
            return Verdict(
                False, expected - 1, prev, e.seq, "the link to the entry before is broken"
            )
        recomputed = entry_hash(
            e.seq, e.at, e.actor, e.action, e.object_type, e.object_id, e.payload_hash, e.prev_hash
        )
        if recomputed != e.entry_hash:
            return Verdict(False, expected - 1, prev, e.seq, "the entry was altered")
        prev, expected = e.entry_hash, expected + 1
    last = expected - 1
    head = session.execute(
        select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == HEAD_ID)
    ).first()
    head_seq, head_hash = tuple(head) if head else (0, GENESIS)
    if (head_seq, head_hash) != (last, prev):
        reason = f"the head names entry {head_seq} but the chain ends at {last}"
        return Verdict(False, last, prev, last + 1, reason)
    return Verdict(True, last, prev)


def _entries(session: Session) -> Iterator[Row[Any]]:
    """The stored rows as they are now (bypassing any objects the session holds)."""
    table = AuditEntry.__table__
    yield from session.execute(
        select(table).order_by(table.c.seq).execution_options(yield_per=1000)
    )


def history(
    session: Session,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[AuditEntry], int]:
    """One page of the entries, newest first, optionally of one object, and their total."""
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    return paginate(session, stmt, limit, offset)
