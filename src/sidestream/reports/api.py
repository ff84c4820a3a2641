"""REST endpoints of impact reports (JSON or CSV download)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from sidestream.access.deps import CurrentViewer
from sidestream.api.deps import get_session
from sidestream.api.error_responses import FORBIDDEN, ApiRouter
from sidestream.reports.schemas import Report
from sidestream.reports.service import network_report, organisation_report, report_csv

router = ApiRouter(prefix="/api/v1", tags=["reports"])
DB = Annotated[Session, Depends(get_session, scope="function")]
Format = Literal["json", "csv"]


def _answer(report: Report, fmt: Format, filename: str) -> Response:
    if fmt == "csv":
        headers = {"Content-Disposition": f'attachment; filename="{filename}.csv"'}
        return Response(report_csv(report), media_type="text/csv", headers=headers)
    return JSONResponse(report.model_dump(mode="json"))


@router.get("/networks/{network_id}/report", response_model=Report, responses=FORBIDDEN)
def network(db: DB, viewer: CurrentViewer, network_id: int, format: Format = "json") -> Response:
    """Realised (deliveries) and potential (optimised) impact of a network: five indicators
    and EUR per link, year and organisation, with the factors' sources."""
    report = network_report(db, network_id, viewer)
    return _answer(report, format, f"network-{network_id}-report")


@router.get("/organisations/{org_id}/report", response_model=Report, responses=FORBIDDEN)
def organisation(db: DB, viewer: CurrentViewer, org_id: int, format: Format = "json") -> Response:
    """Realised and potential impact of an organisation across its networks."""
    report = organisation_report(db, org_id, viewer)
    return _answer(report, format, f"organisation-{org_id}-report")
