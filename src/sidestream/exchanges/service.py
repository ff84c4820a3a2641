"""Business rules of introductions (double opt-in), exchanges and deliveries."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, true
from sqlalchemy.orm import Session

from sidestream.access import policy
from sidestream.access.errors import Forbidden
from sidestream.access.models import Membership, OutboxMessage, User
from sidestream.access.policy import Viewer
from sidestream.config import get_settings
from sidestream.db import check_version, flush_or_conflict, utcnow
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.exchanges.models import Delivery, Exchange, Introduction
from sidestream.exchanges.schemas import (
    Answer,
    Contact,
    DeliveryAnswer,
    DeliveryCreate,
    ExchangeOut,
    ExchangeUpdate,
    FacilitatorIntroductionCreate,
    Introducer,
    IntroductionCreate,
    IntroductionOut,
    Pipeline,
    Stage,
)
from sidestream.impact.service import pair_terms
from sidestream.matching.scoring import place_distance_km
from sidestream.messages import N_
from sidestream.registry.models import Network, NetworkMember, Organisation, Stream
from sidestream.taxonomy.kinds import CANONICAL_UNIT
from sidestream.taxonomy.units import MAX_QUANTITY, Annual, annualise, density_of

#: The stages an exchange may move to from each stage.
NEXT: dict[Stage, set[Stage]] = {
    Stage.introduced: {Stage.negotiating, Stage.failed},
    Stage.negotiating: {Stage.agreed, Stage.failed},
    Stage.agreed: {Stage.active, Stage.failed},
    Stage.active: {Stage.ended, Stage.failed},
    Stage.ended: set(),
    Stage.failed: set(),
}
TERMS = ("agreed_quantity", "agreed_unit", "agreed_period", "agreed_price_eur_per_unit")

#: Refusals a page shows in the visitor's language (marked for translation).
AGREE_FIRST = N_("agree quantity, unit and price first")
NAME_THE_BARRIER = N_("name the barrier that stopped the exchange")
SAY_WHY = N_("say why you dispute the delivery (what arrived, or that nothing did)")
ONE_COMPANY = N_("the offer and the need are one company's: introduce two companies")


def _party_clause(viewer: Viewer, *cols: ColumnElement[int | None]) -> ColumnElement[bool]:
    """Rows where one of ``cols`` is an organisation the viewer acts for or facilitates."""
    if viewer.superuser:
        return true()
    return or_(*(c.in_(viewer.insider_orgs) for c in cols))


# --- introductions ---------------------------------------------------------------------------


def request_introduction(
    session: Session, viewer: Viewer, data: IntroductionCreate
) -> Introduction:
    """Ask to be introduced: the caller owns one of the streams, the other side decides."""
    policy.require_writer(viewer)
    offer = _visible_stream(session, viewer, data.offer_stream_id, "offer_stream_id")
    need = _visible_stream(session, viewer, data.need_stream_id, "need_stream_id")
    if offer.direction != "offer" or need.direction != "need":
        raise InvalidInput("offer_stream_id", "pair an offer with a need")
    if offer.organisation_id in viewer.roles:
        requester, responder = offer.organisation_id, need.organisation_id
    elif need.organisation_id in viewer.roles:
        requester, responder = need.organisation_id, offer.organisation_id
    else:
        raise Forbidden("ask about a pair that includes one of your own organisation's streams")
    if responder is None or responder == requester:
        raise InvalidInput("need_stream_id", "the other stream must belong to another company")
    # Only what the caller may know counts as "already open": its own side's requests and
    # accepted ones. The other side's pending request stays secret: a refusal here would tell
    # the asker whose stream the (anonymised) other one is.
    open_already = session.scalar(
        select(Introduction.id).where(
            Introduction.offer_stream_id == offer.id,
            Introduction.need_stream_id == need.id,
            or_(
                Introduction.status == "accepted",
                (Introduction.status == "pending")
                & (Introduction.requester_org_id == requester)
                # a facilitator's pending introduction names no partner to either company yet
                & Introduction.introduced_by_network_id.is_(None)
                & Introduction.introduced_by_org_id.is_(None)
                & Introduction.introduced_by.is_(None),
            ),
        )
    )
    if open_already:
        raise Conflict(f"introduction {open_already} about these streams is already open")
    intro = Introduction(
        offer_stream_id=offer.id,
        need_stream_id=need.id,
        requester_org_id=requester,
        responder_org_id=responder,
        requested_by=viewer.user_id,
        requester_accepted_at=utcnow(),  # asking is the requester's acceptance
        message=data.message,
    )
    session.add(intro)
    flush_or_conflict(session, "introduction")
    return intro


def introduce(
    session: Session, viewer: Viewer, network_id: int, data: FacilitatorIntroductionCreate
) -> Introduction:
    """A network's facilitator introduces an offer and a need of two different member
    companies. Both companies are asked (the offer's is the requester side, the need's the
    responder side); each sees the other's stream anonymised, and learns who the other is only
    once both have accepted. ``NotFound`` for an unknown network or a stream the facilitator
    may not see."""
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound("network", network_id)
    policy.require_facilitator(viewer, network_id)
    offer = _seen_stream(session, viewer, data.offer_stream_id)
    need = _seen_stream(session, viewer, data.need_stream_id)
    if offer.direction != "offer":
        raise InvalidInput("offer_stream_id", f"stream {offer.id} is a need, not an offer")
    if need.direction != "need":
        raise InvalidInput("need_stream_id", f"stream {need.id} is an offer, not a need")
    members = set(
        session.scalars(
            select(NetworkMember.organisation_id).where(NetworkMember.network_id == network_id)
        )
    )
    for field, stream in (("offer_stream_id", offer), ("need_stream_id", need)):
        if stream.organisation_id not in members:
            raise InvalidInput(
                field, f"stream {stream.id} is not a member's of network '{network.name}'"
            )
    if offer.organisation_id == need.organisation_id:
        raise InvalidInput("need_stream_id", ONE_COMPANY)
    open_already = session.scalar(  # the facilitator follows every introduction of its members
        select(Introduction.id).where(
            Introduction.offer_stream_id == offer.id,
            Introduction.need_stream_id == need.id,
            Introduction.status.in_(("pending", "accepted")),
        )
    )
    if open_already:
        raise Conflict(f"introduction {open_already} about these streams is already open")
    intro = Introduction(
        offer_stream_id=offer.id,
        need_stream_id=need.id,
        requester_org_id=offer.organisation_id,
        responder_org_id=need.organisation_id,
        message=data.message,
        introduced_by_network_id=network.id,
        introduced_by_org_id=network.facilitator_id,
        introduced_by=viewer.user_id,
    )
    session.add(intro)
    flush_or_conflict(session, "introduction")
    for org, mine in ((offer.organisation_id, offer), (need.organisation_id, need)):
        assert org is not None  # a member's
        _tell(
            session,
            org,
            f"The facilitator of {network.name} would like to introduce you",
            f"The facilitator of the network {network.name} introduces your {mine.direction} "
            f'"{mine.title}" to another member company. You both see each other\'s stream '
            "without a name; names and contacts are shown to both only once both companies "
            f"have accepted. Accept or decline at {_intro_link()}",
        )
    return intro


def _seen_stream(session: Session, viewer: Viewer, stream_id: int) -> Stream:
    """A stream the viewer may see, else ``NotFound`` (its existence is not confirmed)."""
    stream = session.get(Stream, stream_id)
    if stream is None:
        raise NotFound("stream", stream_id)
    return policy.check_visible(viewer, stream)


def _intro_link() -> str:
    return f"{get_settings().public_url.rstrip('/')}/exchanges"


def _visible_stream(session: Session, viewer: Viewer, stream_id: int, field: str) -> Stream:
    """:func:`_seen_stream` for a company's request, where an unseen stream is a bad field."""
    try:
        return _seen_stream(session, viewer, stream_id)
    except NotFound:
        raise InvalidInput(field, f"no stream {stream_id} that you may see") from None


def get_introduction(session: Session, viewer: Viewer, intro_id: int) -> Introduction:
    """An introduction the viewer takes part in or facilitates, else ``NotFound``."""
    intro = session.scalar(
        select(Introduction).where(
            Introduction.id == intro_id,
            _party_clause(viewer, Introduction.requester_org_id, Introduction.responder_org_id),
        )
    )
    if intro is None:
        raise NotFound("introduction", intro_id)
    return intro


def introduction_query(viewer: Viewer, status: str | None = None) -> Select[tuple[Introduction]]:
    """The query of the introductions of the viewer's organisations and of the networks they
    facilitate, oldest first."""
    stmt = select(Introduction).where(
        _party_clause(viewer, Introduction.requester_org_id, Introduction.responder_org_id)
    )
    if status:
        stmt = stmt.where(Introduction.status == status)
    return stmt.order_by(Introduction.id)


def list_introductions(
    session: Session, viewer: Viewer, status: str | None = None
) -> Sequence[Introduction]:
    """All of :func:`introduction_query`'s introductions."""
    return session.scalars(introduction_query(viewer, status)).all()


def decide_introduction(
    session: Session, viewer: Viewer, intro_id: int, accept: bool
) -> Introduction:
    """A side whose answer is awaited accepts or declines: the responder of a company's
    request, either company of a facilitator's introduction (each for its own side). Once
    every side has accepted, an exchange begins and identities are revealed; one decline ends
    the introduction."""
    intro = get_introduction(session, viewer, intro_id)
    policy.require_writer(viewer)
    mine = _party_sides(viewer, intro)
    if not mine:
        raise Forbidden("only a company that was asked may answer")
    _pending(intro)
    sides = [s for s in mine if s in intro.awaiting()]
    if not sides:
        raise Forbidden("your company has answered already: the other company's answer is awaited")
    now = utcnow()
    if accept:
        _both_sides_stand(intro)
        # both sides may have asked about the pair: one exchange for it
        twin = session.scalar(
            select(Introduction.id).where(
                Introduction.offer_stream_id == intro.offer_stream_id,
                Introduction.need_stream_id == intro.need_stream_id,
                Introduction.status == "accepted",
            )
        )
        if twin:
            raise Conflict(f"introduction {twin} about these streams is already accepted")
        for side in sides:
            setattr(intro, f"{side}_accepted_at", now)
    _answered_by(intro, sides, viewer.user_id)
    if accept and intro.awaiting():  # the other company's answer is still awaited
        flush_or_conflict(session, "introduction")
        return intro
    intro.status = "accepted" if accept else "declined"
    intro.decided_at = now
    if accept:
        offer_org, need_org = _sides(session, intro)
        session.add(
            Exchange(
                introduction_id=intro.id,
                offer_stream_id=intro.offer_stream_id,
                need_stream_id=intro.need_stream_id,
                offer_org_id=offer_org,
                need_org_id=need_org,
            )
        )
    flush_or_conflict(session, "introduction")
    return intro


def _party_sides(viewer: Viewer, intro: Introduction) -> list[str]:
    """The sides of ``intro`` the viewer acts for: those of its organisations (the system:
    both). A platform admin answers for no company it does not belong to: accepting reveals
    the company's name, which is the company's own consent to give."""
    if viewer.system:
        return ["requester", "responder"]
    return [
        side
        for side, org in (
            ("requester", intro.requester_org_id),
            ("responder", intro.responder_org_id),
        )
        if org is not None and org in viewer.roles
    ]


def _answered_by(intro: Introduction, sides: list[str], user_id: int | None) -> None:
    """Record who answered for each of ``sides``: the responder side's in ``decided_by``, the
    requester side's (a facilitator's introduction) in ``requested_by``."""
    if "responder" in sides:
        intro.decided_by = user_id
    if "requester" in sides:
        intro.requested_by = user_id


def withdraw_introduction(session: Session, viewer: Viewer, intro_id: int) -> Introduction:
    """The requester takes back a pending request; the network's facilitator, its own
    introduction (the companies decline it instead)."""
    intro = get_introduction(session, viewer, intro_id)
    if intro.introduced_by_network_id is not None:
        policy.require_facilitator(viewer, intro.introduced_by_network_id)
    elif intro.by_facilitator:  # its network was deleted: not the companies', who decline
        policy.require_platform_admin(viewer)
    else:
        policy.require_member(viewer, intro.requester_org_id)
    _pending(intro)
    intro.status = "withdrawn"
    intro.decided_at = utcnow()
    if not intro.by_facilitator:
        intro.decided_by = viewer.user_id
    flush_or_conflict(session, "introduction")
    return intro


class SideGone(Conflict):
    """An introduction whose stream or asking company was deleted: it can only be declined."""


def _both_sides_stand(intro: Introduction) -> None:
    """Refuse (``Conflict``) to accept an introduction whose stream or requesting company was
    deleted meanwhile: who supplies whom, and to whom, could no longer be said."""
    gone = [
        what
        for what, ref in (
            ("offer", intro.offer_stream_id),
            ("need", intro.need_stream_id),
            ("company that asked", intro.requester_org_id),
        )
        if ref is None
    ]
    if gone:
        raise SideGone(
            f"introduction {intro.id}: the {' and the '.join(gone)} was deleted since; "
            "there is nothing to accept (decline it)"
        )


def _pending(intro: Introduction) -> None:
    if intro.status != "pending":
        raise Conflict(f"introduction {intro.id} is already {intro.status}")


def _sides(session: Session, intro: Introduction) -> tuple[int | None, int | None]:
    """(offer organisation, need organisation) of an introduction."""
    offer = session.get(Stream, intro.offer_stream_id) if intro.offer_stream_id else None
    if offer is not None and offer.organisation_id == intro.requester_org_id:
        return intro.requester_org_id, intro.responder_org_id
    return intro.responder_org_id, intro.requester_org_id


def introduction_view(session: Session, viewer: Viewer, intro: Introduction) -> IntroductionOut:
    """What ``viewer`` may know of an introduction: before acceptance the counterpart's stream
    is anonymised and the counterpart unnamed; after it both are revealed to the two parties.
    Facilitators and admins see each stream as the policy lets them (``policy.deal_listing``),
    and the requester's message only where they may know who the requester is."""
    side = (
        "requester"
        if intro.requester_org_id in viewer.roles
        else "responder"
        if intro.responder_org_id in viewer.roles
        else None
    )
    revealed = intro.status == "accepted"
    mine = {"requester": intro.requester_org_id, "responder": intro.responder_org_id}.get(
        side or ""
    )
    other = intro.responder_org_id if side == "requester" else intro.requester_org_id
    offer = session.get(Stream, intro.offer_stream_id) if intro.offer_stream_id else None
    need = session.get(Stream, intro.need_stream_id) if intro.need_stream_id else None

    def stream_view(stream: Stream | None) -> dict[str, Any] | None:
        if stream is None:
            return None
        blind = intro.blind_id(stream.direction)
        return policy.deal_listing(
            viewer, stream, party_org=mine, revealed=revealed, blind_id=blind
        )

    requester_stream = next(
        (s for s in (offer, need) if s is not None and s.organisation_id == intro.requester_org_id),
        None,
    )
    if intro.by_facilitator:  # the facilitator's words about both companies
        message_visible = side is not None or all(
            policy.sees_side(viewer, org, stream)
            for org, stream in ((intro.requester_org_id, offer), (intro.responder_org_id, need))
        )
    else:
        message_visible = side is not None or policy.sees_side(
            viewer, intro.requester_org_id, requester_stream
        )
    exchange_id = session.scalar(select(Exchange.id).where(Exchange.introduction_id == intro.id))
    return IntroductionOut(
        id=intro.id,
        status=intro.status,
        my_side=side,
        introduced_by=_introducer(session, intro),
        awaiting=intro.awaiting(),
        message=intro.message if message_visible else None,
        offer=stream_view(offer),
        need=stream_view(need),
        counterpart=_contact(session, other) if revealed and side else None,
        exchange_id=exchange_id,
        created_at=intro.created_at,
        decided_at=intro.decided_at,
    )


def _introducer(session: Session, intro: Introduction) -> Introducer | None:
    """The facilitator who introduced the pair, as both companies are told."""
    if not intro.by_facilitator:
        return None
    network = session.get(Network, intro.introduced_by_network_id or 0)
    org = session.get(Organisation, intro.introduced_by_org_id or 0)
    return Introducer(
        network_id=intro.introduced_by_network_id,
        network=network.name if network else None,
        organisation_id=intro.introduced_by_org_id,
        organisation=org.name if org else None,
    )


def _contact(session: Session, org_id: int | None) -> Contact:
    org = session.get(Organisation, org_id) if org_id else None
    emails = session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org_id, Membership.accepted_at.is_not(None))
        .order_by(Membership.role != "admin", User.email)
        .limit(5)
    ).all()
    return Contact(organisation_id=org_id, organisation=org.name if org else None, emails=emails)


# --- exchanges -------------------------------------------------------------------------------


def get_exchange(session: Session, viewer: Viewer, exchange_id: int) -> Exchange:
    """An exchange the viewer takes part in or facilitates, else ``NotFound``."""
    ex = session.scalar(
        select(Exchange).where(
            Exchange.id == exchange_id,
            _party_clause(viewer, Exchange.offer_org_id, Exchange.need_org_id),
        )
    )
    if ex is None:
        raise NotFound("exchange", exchange_id)
    return ex


def exchange_query(viewer: Viewer, status: str | None = None) -> Select[tuple[Exchange]]:
    """The query of the exchanges of the viewer's organisations and of the networks they
    facilitate, oldest first."""
    stmt = select(Exchange).where(
        _party_clause(viewer, Exchange.offer_org_id, Exchange.need_org_id)
    )
    if status:
        stmt = stmt.where(Exchange.status == status)
    return stmt.order_by(Exchange.id)


def list_exchanges(
    session: Session, viewer: Viewer, status: str | None = None
) -> Sequence[Exchange]:
    """All of :func:`exchange_query`'s exchanges."""
    return session.scalars(exchange_query(viewer, status)).all()


def exchange_view(session: Session, viewer: Viewer, ex: Exchange) -> ExchangeOut:
    """What ``viewer`` may know of an exchange: its parties see everything (both accepted);
    a facilitator or admin sees a side's organisation and stream only as the policy allows
    (``policy.sees_side`` / ``policy.can_see``), so an unrelated counterpart stays unnamed —
    with a side hidden, also the parties' own words (failure note, delivery notes' references,
    answers' notes), which may name it, as an introduction's message is withheld."""
    out = ExchangeOut.model_validate(ex)
    if ex.offer_org_id in viewer.roles or ex.need_org_id in viewer.roles or viewer.superuser:
        return out
    hidden: set[int] = set()
    changes: dict[str, Any] = {}
    for org_field, stream_field in (
        ("offer_org_id", "offer_stream_id"),
        ("need_org_id", "need_stream_id"),
    ):
        org_id, stream_id = getattr(ex, org_field), getattr(ex, stream_field)
        stream = session.get(Stream, stream_id) if stream_id else None
        if not policy.sees_side(viewer, org_id, stream):
            changes[org_field] = None
            if org_id is not None:
                hidden.add(org_id)
        if stream is not None and not policy.can_see(viewer, stream):
            changes[stream_field] = None
    if hidden:
        changes["failure_note"] = None
        changes["deliveries"] = [
            d.model_copy(
                update={
                    "document_ref": None,
                    "answer_note": None,
                    "recorded_by_org_id": None
                    if d.recorded_by_org_id in hidden
                    else d.recorded_by_org_id,
                }
            )
            for d in out.deliveries
        ]
    return out.model_copy(update=changes)


def _party(viewer: Viewer, ex: Exchange) -> int | None:
    """The organisation the viewer acts for in ``ex`` (``Forbidden`` for non-parties)."""
    for org in (ex.offer_org_id, ex.need_org_id):
        if org is not None and org in viewer.roles:
            policy.require_member(viewer, org)
            return org
    policy.require_writer(viewer)
    if not viewer.superuser:  # a facilitator follows an exchange but is not a party to it
        raise Forbidden("only the two companies of the exchange may do this")
    return None


def update_exchange(
    session: Session, viewer: Viewer, exchange_id: int, data: ExchangeUpdate
) -> Exchange:
    """Set terms and/or move to the next stage; a party's members only. Terms are agreed by
    both companies: the first to agree is recorded (``terms_agreed_by``) and the exchange is
    agreed when the other agrees to the same terms (a platform admin agrees for both)."""
    ex = get_exchange(session, viewer, exchange_id)
    party = _party(viewer, ex)
    check_version(ex, data.version)
    current = Stage(ex.status)
    terms = data.model_dump(include=set(TERMS), exclude_unset=True)
    if terms and current not in (Stage.introduced, Stage.negotiating):
        raise InvalidInput("agreed_quantity", f"terms are fixed once {current}")
    if terms.get("agreed_unit"):
        _counted(session, ex, "agreed_unit", terms["agreed_unit"])
    moving = data.status is not None and data.status != current
    failing = moving and data.status == Stage.failed
    for field in ("failure_reason", "failure_note"):
        if getattr(data, field) is not None and not failing:  # never dropped unseen
            raise InvalidInput(field, "is given only with status failed (the barrier)")
    if moving:
        _check_move(ex, current, data, terms)  # validate everything before changing anything
    if any(getattr(ex, key) != value for key, value in terms.items()):
        ex.terms_agreed_by = None  # an agreement was to the terms as they stood
    for key, value in terms.items():
        setattr(ex, key, value)
    both = {ex.offer_org_id, ex.need_org_id} <= set(viewer.roles)  # acts for both sides
    if moving and data.status == Stage.agreed and party is not None and not both:
        side = "offer" if party == ex.offer_org_id else "need"
        if ex.terms_agreed_by in (None, side):  # the other company has yet to agree
            ex.terms_agreed_by = side
            moving = False
    if moving:
        _move(ex, data)
    flush_or_conflict(session, "exchange")
    return ex


def delivered_amount(
    offer: Stream | None, quantity: float, unit: str, kind: str | None = None
) -> Annual | None:
    """``quantity unit`` of an exchange of ``kind`` (default: the ``offer`` stream's) in its
    canonical unit (t, MWh, m3; mass and volume convert with the stream's density; none
    without a stream). None when the kind has none (capacity, services) or is not known.
    ``ValueError`` naming the unit when it does not convert."""
    kind = kind or (offer.kind if offer is not None else None)
    if kind not in CANONICAL_UNIT:
        return None
    density = density_of(offer.properties) if offer is not None else None
    return annualise(quantity, unit, "one-off", kind, density)


def beyond_agreed(session: Session, ex: Exchange, delivery: Delivery) -> bool:
    """Whether one delivery is more than a whole year of the exchange's agreed amount ("1 000,5
    t" recorded on terms of 2.5 t a month): worth a second look, not a refusal (a catch-up load
    can be large, and the other company may dispute it)."""
    if ex.agreed_quantity is None or not ex.agreed_unit:
        return False
    counted, kind = counting_basis(session, ex)
    if kind not in CANONICAL_UNIT:  # capacity, services: nothing is counted
        return False
    density = density_of(counted.properties) if counted is not None else None
    try:
        one = delivered_amount(counted, delivery.quantity, delivery.unit, kind)
        period = ex.agreed_period or "per-year"
        year = annualise(ex.agreed_quantity, ex.agreed_unit, period, kind, density)
    except ValueError:
        return False
    return one is not None and year is not None and one.amount > year.amount > 0


def counting_basis(session: Session, ex: Exchange) -> tuple[Stream | None, str | None]:
    """What an exchange's amounts are counted by: the stream whose density converts them and
    the kind. The offer; once it is deleted, the need (its density) and the kind the exchange
    kept (``valuation_terms``), else the need's."""
    offer = session.get(Stream, ex.offer_stream_id) if ex.offer_stream_id else None
    if offer is not None:
        return offer, offer.kind
    need = session.get(Stream, ex.need_stream_id) if ex.need_stream_id else None
    kept = (ex.valuation_terms or {}).get("kind")
    return need, kept or (need.kind if need is not None else None)


def _counted(session: Session, ex: Exchange, field: str, unit: str, quantity: float = 1.0) -> None:
    """Refuse (``InvalidInput`` on ``field``) a unit the exchange's amounts cannot be counted
    in (a delivery or a price per MWh of sawdust would never reach the impact figures), and a
    quantity beyond what a year's figures hold once converted (2e9 kt is 2e12 t)."""
    counted, kind = counting_basis(session, ex)
    try:
        amount = delivered_amount(counted, quantity, unit, kind)
    except ValueError as exc:
        raise InvalidInput(
            field, f"{exc}: a {kind} exchange is counted in {CANONICAL_UNIT[str(kind)]}"
        ) from None
    if amount is not None and amount.amount > MAX_QUANTITY:
        raise InvalidInput(
            "quantity",
            f"{quantity:g} {unit} is {amount.amount:.3g} {amount.unit}, more than "
            f"{MAX_QUANTITY:.0e} {amount.unit}",
        )


def _check_move(ex: Exchange, current: Stage, data: ExchangeUpdate, terms: dict[str, Any]) -> None:
    """Refuse a transition (``InvalidInput``) judged with the terms as they would be after."""
    target = data.status
    assert target is not None
    if target not in NEXT[current]:
        allowed = ", ".join(sorted(NEXT[current])) or "nothing (it is closed)"
        raise InvalidInput("status", f"an exchange {current} can move to {allowed}")
    if target == Stage.agreed:
        missing = [
            t
            for t in ("agreed_quantity", "agreed_unit", "agreed_price_eur_per_unit")
            if terms.get(t, getattr(ex, t)) is None
        ]
        if missing:
            raise InvalidInput(missing[0], AGREE_FIRST)
    if target == Stage.failed and data.failure_reason is None:
        raise InvalidInput("failure_reason", NAME_THE_BARRIER)


def _move(ex: Exchange, data: ExchangeUpdate) -> None:
    """Apply a transition :func:`_check_move` accepted."""
    target = data.status
    assert target is not None
    if target == Stage.failed:
        ex.failure_reason, ex.failure_note = data.failure_reason, data.failure_note
    if target == Stage.active:
        ex.started_on = date.today()
    if target in (Stage.ended, Stage.failed):
        ex.ended_on = date.today()
    ex.status = target


def record_delivery(
    session: Session, viewer: Viewer, exchange_id: int, data: DeliveryCreate
) -> Delivery:
    """A party records one delivery of an active exchange."""
    ex = get_exchange(session, viewer, exchange_id)
    org = _party(viewer, ex)
    if ex.status != Stage.active:
        raise InvalidInput("exchange", f"deliveries are recorded while active, not {ex.status}")
    _counted(session, ex, "unit", data.unit, data.quantity)
    _new_document(ex, data.document_ref)
    delivery = Delivery(recorded_by_org_id=org, recorded_by=viewer.user_id, **data.model_dump())
    ex.deliveries.append(delivery)
    flush_or_conflict(session, "delivery")
    what = _delivery_words(session, delivery)
    for other in {ex.offer_org_id, ex.need_org_id} - {None, org}:
        _tell(
            session,
            other,
            f"Please confirm a delivery on exchange {ex.id}",
            f"{what}. Confirm it, or dispute it saying what was wrong, at {_link(ex)}: a "
            "disputed delivery is left out of the impact reports.",
        )
    return delivery


def answer_delivery(
    session: Session, viewer: Viewer, exchange_id: int, delivery_id: int, data: DeliveryAnswer
) -> Delivery:
    """The party that did not record a delivery confirms or disputes it (a dispute says why;
    either party answers one recorded by a platform admin or by a company since deleted). An
    answer may be changed later; each is in the audit log. Reports leave disputed deliveries
    out and show how much of the rest the other party confirmed."""
    ex = get_exchange(session, viewer, exchange_id)
    delivery = next((d for d in ex.deliveries if d.id == delivery_id), None)
    if delivery is None:
        raise NotFound("delivery", delivery_id)
    org = answering_party(viewer, ex, delivery)
    if org is None:
        raise Forbidden(
            "only the other company confirms or disputes a delivery, not the one that recorded it"
        )
    policy.require_member(viewer, org)
    check_version(delivery, data.version)
    note = (data.note or "").strip() or None
    if data.answer == Answer.disputed and note is None:
        raise InvalidInput("note", SAY_WHY)
    if delivery.answer == Answer.disputed and data.answer == Answer.confirmed:  # counted again
        _new_document(ex, delivery.document_ref, "answer", but=delivery)
    delivery.answer, delivery.answer_note = data.answer.value, note
    delivery.answered_by, delivery.answered_at = viewer.user_id, utcnow()
    flush_or_conflict(session, "delivery")
    if data.answer == Answer.disputed and delivery.recorded_by_org_id is not None:
        name = session.get(Organisation, org).name  # type: ignore[union-attr]
        _tell(
            session,
            delivery.recorded_by_org_id,
            f"A delivery on exchange {ex.id} was disputed",
            f"{name} disputed this delivery: {_delivery_words(session, delivery)}. Their reason: "
            f'"{note}". It is left out of the impact reports; record it again corrected, or '
            f"settle it with them: {_link(ex)}",
        )
    return delivery


def _delivery_words(session: Session, delivery: Delivery) -> str:
    """One sentence naming a delivery: who recorded what, when, on which note."""
    org = session.get(Organisation, delivery.recorded_by_org_id or 0)
    who = org.name if org else "A platform administrator"
    note = f" (document {delivery.document_ref})" if delivery.document_ref else ""
    return (
        f"{who} recorded {delivery.quantity:g} {delivery.unit} delivered on "
        f"{delivery.delivered_on.isoformat()}{note}"
    )


def _link(ex: Exchange) -> str:
    return f"{get_settings().public_url.rstrip('/')}/exchanges/{ex.id}#deliveries"


def _tell(session: Session, org_id: int, subject: str, body: str) -> None:
    """A message (outbox) to the contacts of ``org_id``: its admins first, five at most."""
    for email in _contact(session, org_id).emails:
        session.add(OutboxMessage(recipient=email, subject=subject, body=body))
    session.flush()


def answering_party(viewer: Viewer, ex: Exchange, delivery: Delivery) -> int | None:
    """The party of ``ex`` that ``viewer`` answers ``delivery`` for: one it belongs to that
    did not record it (``None``: the viewer does not answer it; nor does whoever recorded it,
    though a member of both parties)."""
    if delivery.recorded_by is not None and delivery.recorded_by == viewer.user_id:
        return None
    others = {ex.offer_org_id, ex.need_org_id} - {None, delivery.recorded_by_org_id}
    return next(
        (o for o in (ex.offer_org_id, ex.need_org_id) if o in others and o in viewer.roles), None
    )


#: What parts a delivery note's number, however it is written (spaces, hyphens, dots, slashes).
_SEPARATORS = re.compile(r"[\W_]+")


def _new_document(
    ex: Exchange, document_ref: str | None, field: str = "document_ref", but: Delivery | None = None
) -> None:
    """Refuse (``InvalidInput`` on ``field``) a delivery note already recorded on the exchange
    (``but`` that delivery itself): both parties record what they send and receive, and the same
    load entered twice would count twice in the reports. Without a reference two deliveries
    cannot be told apart (two loads a day are common), so they are both kept. A disputed
    delivery counts nowhere: its note may be recorded again, corrected ("only 900 t arrived"),
    and the disputed one is then no longer confirmed."""

    def key(text: str | None) -> str:  # "WTN-123", "wtn 123" and "WTN.123" are one note;
        # "2024-1-12" and "2024-11-2" are two
        return _SEPARATORS.sub("-", (text or "").casefold()).strip("-")

    ref = key(document_ref)
    for earlier in ex.deliveries:
        if earlier is but or earlier.answer == Answer.disputed:
            continue
        if ref and key(earlier.document_ref) == ref:
            raise InvalidInput(
                field,
                f"'{document_ref}' is already recorded on this exchange (delivered "
                f"{earlier.delivered_on.isoformat()}): one delivery note, one delivery",
            )


# --- facilitation ----------------------------------------------------------------------------


def pipeline(session: Session, viewer: Viewer, network_id: int) -> Pipeline:
    """Introductions and exchanges among a network's members, for its facilitator (a read
    token reads it too)."""
    policy.require_facilitator(viewer, network_id, reading=True)
    members = select(NetworkMember.organisation_id).where(NetworkMember.network_id == network_id)
    intros = session.scalars(
        select(Introduction.status).where(
            or_(
                Introduction.requester_org_id.in_(members),
                Introduction.responder_org_id.in_(members),
            )
        )
    ).all()
    exchanges = session.scalars(
        select(Exchange).where(
            or_(Exchange.offer_org_id.in_(members), Exchange.need_org_id.in_(members))
        )
    ).all()
    delivered: Counter[str] = Counter()
    for ex in exchanges:
        counted, kind = counting_basis(session, ex)
        for d in ex.deliveries:
            if d.answer == Answer.disputed:
                continue
            try:  # in t, MWh or m3 ("2.5 tons" and "800 kg" were totals of their own)
                amount = delivered_amount(counted, d.quantity, d.unit, kind)
            except ValueError:  # recorded before units were checked
                amount = None
            if amount is None:  # a capacity or service: as recorded
                delivered[d.unit] += d.quantity
            else:
                delivered[amount.unit] += amount.amount
    return Pipeline(
        network_id=network_id,
        introductions=dict(Counter(intros)),
        exchanges=dict(Counter(e.status for e in exchanges)),
        failure_reasons=dict(Counter(e.failure_reason for e in exchanges if e.failure_reason)),
        delivered=dict(delivered),
    )


def exchange_of(session: Session, stream_id: int) -> Exchange | None:
    """The first exchange ``stream_id`` is a side of, if any."""
    return session.scalars(
        select(Exchange)
        .where(or_(Exchange.offer_stream_id == stream_id, Exchange.need_stream_id == stream_id))
        .order_by(Exchange.id)
        .limit(1)
    ).first()


def keep_valuation(session: Session, streams: Sequence[Stream]) -> None:
    """Before ``streams`` are deleted: each exchange they are a side of keeps the terms its
    deliveries are valued by (``Exchange.valuation_terms``: ``impact.service.pair_terms`` and
    the distance between them), from both sides as they are now."""
    ids = [s.id for s in streams]
    for ex in session.scalars(
        select(Exchange).where(
            or_(Exchange.offer_stream_id.in_(ids), Exchange.need_stream_id.in_(ids)),
            Exchange.valuation_terms.is_(None),
        )
    ):
        offer = session.get(Stream, ex.offer_stream_id) if ex.offer_stream_id else None
        need = session.get(Stream, ex.need_stream_id) if ex.need_stream_id else None
        if offer is not None:
            distance = place_distance_km(offer, need) if need is not None else None
            ex.valuation_terms = pair_terms(offer, need) | {"distance_km": distance or 0.0}
