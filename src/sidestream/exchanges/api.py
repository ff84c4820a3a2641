"""REST endpoints of introductions, exchanges, deliveries and the facilitator's pipeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from sidestream.access.deps import CurrentViewer
from sidestream.access.policy import require_platform_admin
from sidestream.api.deps import Limit, Offset, get_session, page_of
from sidestream.api.error_responses import CONFLICT, FORBIDDEN, ApiRouter
from sidestream.api.schemas import Page
from sidestream.exchanges import audit, service
from sidestream.exchanges.schemas import (
    AuditEntryOut,
    AuditVerdict,
    DeliveryAnswer,
    DeliveryCreate,
    DeliveryOut,
    ExchangeOut,
    ExchangeUpdate,
    FacilitatorIntroductionCreate,
    IntroductionCreate,
    IntroductionOut,
    IntroductionStatus,
    Pipeline,
    Stage,
)
from sidestream.registry.service import get_network

router = ApiRouter(prefix="/api/v1")
DB = Annotated[Session, Depends(get_session, scope="function")]
#: The audit log's pages are larger than other lists' (docs/api.md): default 100, at most 1000.
AuditLimit = Annotated[int, Query(ge=1, le=1000, description="page size")]


@router.post("/introductions", status_code=201, tags=["introductions"], responses=CONFLICT)
def request_introduction(
    db: DB, viewer: CurrentViewer, data: IntroductionCreate
) -> IntroductionOut:
    """Ask to be introduced about your stream and another company's; they accept or decline,
    and only then learn who you are (and you who they are)."""
    intro = service.request_introduction(db, viewer, data)
    return service.introduction_view(db, viewer, intro)


@router.post(
    "/networks/{network_id}/introductions",
    status_code=201,
    tags=["introductions"],
    responses=CONFLICT,
)
def introduce(
    db: DB, viewer: CurrentViewer, network_id: int, data: FacilitatorIntroductionCreate
) -> IntroductionOut:
    """Introduce an offer and a need of two member companies of your network (its
    facilitator). Each company sees the other's stream anonymised and accepts or declines its
    own side; names and contacts are revealed to both, and an exchange begins, only once both
    have accepted. 404 for an unknown network or a stream you may not see; 422 naming the field
    for a need given as the offer (or the reverse), a stream of a non-member, or two streams of
    one company; 409 while an introduction about the pair is open."""
    intro = service.introduce(db, viewer, network_id, data)
    return service.introduction_view(db, viewer, intro)


@router.get("/introductions", tags=["introductions"])
def list_introductions(
    db: DB,
    viewer: CurrentViewer,
    status: IntroductionStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[IntroductionOut]:
    """Your organisations' introductions (for facilitators: their networks' pipeline)."""
    query = service.introduction_query(viewer, status)
    return page_of(db, query, lambda i: service.introduction_view(db, viewer, i), limit, offset)


@router.get("/introductions/{intro_id}", tags=["introductions"])
def get_introduction(db: DB, viewer: CurrentViewer, intro_id: int) -> IntroductionOut:
    """One introduction you take part in or facilitate."""
    return service.introduction_view(db, viewer, service.get_introduction(db, viewer, intro_id))


@router.post("/introductions/{intro_id}/accept", tags=["introductions"], responses=CONFLICT)
def accept_introduction(db: DB, viewer: CurrentViewer, intro_id: int) -> IntroductionOut:
    """Accept for your company's side: once both sides have (a facilitator's introduction
    waits for both companies), both are revealed to each other and an exchange begins."""
    intro = service.decide_introduction(db, viewer, intro_id, accept=True)
    return service.introduction_view(db, viewer, intro)


@router.post("/introductions/{intro_id}/decline", tags=["introductions"], responses=CONFLICT)
def decline_introduction(db: DB, viewer: CurrentViewer, intro_id: int) -> IntroductionOut:
    """Decline: nobody learns anything more."""
    intro = service.decide_introduction(db, viewer, intro_id, accept=False)
    return service.introduction_view(db, viewer, intro)


@router.post("/introductions/{intro_id}/withdraw", tags=["introductions"], responses=CONFLICT)
def withdraw_introduction(db: DB, viewer: CurrentViewer, intro_id: int) -> IntroductionOut:
    """Take back your pending request (a facilitator: its own introduction)."""
    intro = service.withdraw_introduction(db, viewer, intro_id)
    return service.introduction_view(db, viewer, intro)


@router.get("/exchanges", tags=["exchanges"])
def list_exchanges(
    db: DB,
    viewer: CurrentViewer,
    status: Stage | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ExchangeOut]:
    """Exchanges of your organisations (for facilitators: of their networks)."""
    query = service.exchange_query(viewer, status)
    return page_of(db, query, lambda e: service.exchange_view(db, viewer, e), limit, offset)


@router.get("/exchanges/{exchange_id}", tags=["exchanges"])
def get_exchange(db: DB, viewer: CurrentViewer, exchange_id: int) -> ExchangeOut:
    """One exchange with its deliveries."""
    return service.exchange_view(db, viewer, service.get_exchange(db, viewer, exchange_id))


@router.patch("/exchanges/{exchange_id}", tags=["exchanges"], responses=CONFLICT)
def update_exchange(
    db: DB, viewer: CurrentViewer, exchange_id: int, data: ExchangeUpdate
) -> ExchangeOut:
    """Set terms or move the exchange on (failed needs a barrier); 409 on a stale version."""
    return service.exchange_view(db, viewer, service.update_exchange(db, viewer, exchange_id, data))


@router.post("/exchanges/{exchange_id}/deliveries", status_code=201, tags=["exchanges"])
def record_delivery(
    db: DB, viewer: CurrentViewer, exchange_id: int, data: DeliveryCreate
) -> DeliveryOut:
    """Record a delivery (date, quantity, unit, document reference) of an active exchange."""
    return DeliveryOut.model_validate(service.record_delivery(db, viewer, exchange_id, data))


@router.put(
    "/exchanges/{exchange_id}/deliveries/{delivery_id}/answer",
    tags=["exchanges"],
    responses=CONFLICT,
)
def answer_delivery(
    db: DB, viewer: CurrentViewer, exchange_id: int, delivery_id: int, data: DeliveryAnswer
) -> DeliveryOut:
    """Confirm or dispute (saying why in ``note``) a delivery the other party recorded;
    disputed deliveries are left out of the impact reports. An answer may be changed."""
    delivery = service.answer_delivery(db, viewer, exchange_id, delivery_id, data)
    return DeliveryOut.model_validate(delivery)


@router.get("/networks/{network_id}/pipeline", tags=["networks"], responses=FORBIDDEN)
def network_pipeline(db: DB, viewer: CurrentViewer, network_id: int) -> Pipeline:
    """Introductions and exchanges among the network's members (its facilitator); 404 for an
    unknown network."""
    get_network(db, network_id)
    return service.pipeline(db, viewer, network_id)


@router.get("/audit", tags=["audit"], responses=FORBIDDEN)
def audit_log(
    db: DB,
    viewer: CurrentViewer,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: AuditLimit = 100,
    offset: Offset = 0,
) -> Page[AuditEntryOut]:
    """The audit entries, newest first, optionally of one object (platform admins)."""
    require_platform_admin(viewer, reading=True)
    entries, total = audit.history(db, object_type, object_id, limit, offset)
    items = [AuditEntryOut.model_validate(e) for e in entries]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/audit/verify", tags=["audit"], responses=FORBIDDEN)
def audit_verify(db: DB, viewer: CurrentViewer) -> AuditVerdict:
    """Recompute the hash chain: names the first altered or deleted entry (platform admins)."""
    require_platform_admin(viewer, reading=True)
    return AuditVerdict.model_validate(audit.verify(db))
