"""REST endpoints for the open listing format: schema, import and export."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.orm import Session

from sidestream.access.deps import CurrentViewer
from sidestream.access.policy import require_platform_admin
from sidestream.api.deps import get_session
from sidestream.api.error_responses import ApiRouter
from sidestream.interop.listing import json_schema
from sidestream.interop.readers import detect_format, read_rows
from sidestream.interop.service import (
    RowError,
    classifier_suggestion,
    export_listings,
    import_listings,
    write_csv,
    write_jsonl,
)
from sidestream.registry.service import StreamFilter
from sidestream.taxonomy.kinds import Direction, Kind

router = ApiRouter(prefix="/api/v1", tags=["listing format"])
DB = Annotated[Session, Depends(get_session, scope="function")]


@router.get("/schemas/listing-v1.json")
def listing_schema() -> dict[str, Any]:
    """The JSON Schema of one listing in the open listing format v1."""
    return json_schema()


@router.post("/streams/import")
def import_streams(
    db: DB,
    viewer: CurrentViewer,
    file: Annotated[UploadFile, File(description="JSON Lines, CSV or XLSX listing file")],
    classify: Annotated[
        bool, Query(description="suggest a LoW code with the classifier when a row has none")
    ] = True,
    partial: Annotated[
        bool, Query(description="import the good rows even if some are bad")
    ] = False,
) -> JSONResponse:
    """Import listings: every bad row is reported; nothing changes unless all rows are good
    or ``partial`` is set. Known ids are updated, not duplicated. Platform admins only (a file
    may name any organisation)."""
    require_platform_admin(viewer)
    try:
        fmt = detect_format(file.filename or "")
        rows = list(read_rows(io.BytesIO(file.file.read()), fmt))
    except ValueError as exc:
        error = {"loc": ["file"], "msg": str(exc), "type": "unreadable_file"}
        return JSONResponse({"detail": [error]}, status_code=422)
    suggest = classifier_suggestion if classify else None
    report = import_listings(db, rows, partial=partial, suggest_code=suggest)
    if not report.committed:
        db.rollback()
    body = {
        "committed": report.committed,
        "rows": report.rows,
        "created": report.created if report.committed else 0,
        "updated": report.updated if report.committed else 0,
        "unchanged": report.unchanged if report.committed else 0,
        "errors": [_err(e) for e in report.errors],
    }
    return JSONResponse(body, status_code=200 if report.committed else 422)


def _err(e: RowError) -> dict[str, Any]:
    return {"row": e.row, "field": e.field, "message": e.message, "id": e.id}


@router.get("/streams/export")
def export_streams(
    db: DB,
    viewer: CurrentViewer,
    format: Annotated[str, Query(pattern="^(jsonl|csv)$")] = "jsonl",
    kind: Kind | None = None,
    direction: Direction | None = None,
    network: int | None = None,
) -> StreamingResponse:
    """The matching streams you may see, in the open listing format (JSON Lines or CSV);
    anonymous streams come anonymised."""
    filters = StreamFilter(kind=kind, direction=direction, network_id=network)
    out = io.StringIO()
    rows = export_listings(db, filters, viewer)
    (write_jsonl if format == "jsonl" else write_csv)(rows, out)
    media = "application/x-ndjson" if format == "jsonl" else "text/csv"
    headers = {"Content-Disposition": f'attachment; filename="streams.{format}"'}
    return StreamingResponse(iter([out.getvalue()]), media_type=media, headers=headers)
