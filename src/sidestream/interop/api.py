"""REST endpoints for the open listing format: schema, import and export."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from sidestream.access.deps import CurrentViewer
from sidestream.access.policy import require_platform_admin
from sidestream.api.deps import get_session
from sidestream.api.error_responses import ApiRouter, Responses
from sidestream.errors import InputError, InputErrorBody
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


class RowRefused(BaseModel):
    """Why one row of an imported file was refused."""

    row: int = Field(description="the row's number in the file")
    field: str = Field(description="the column or key at fault (`(row)` for the whole row)")
    message: str
    id: str | None = Field(description="the row's listing `id`, where it has one")


class ImportReport(BaseModel):
    """What an import did, and every row it refused (`errors`). Nothing is stored unless
    `committed`: then `created`, `updated` and `unchanged` count the rows stored."""

    committed: bool
    rows: int = Field(description="rows read from the file")
    created: int
    updated: int
    unchanged: int = Field(description="rows of known ids that change nothing")
    errors: list[RowRefused]


IMPORT_REFUSED: Responses = {
    422: {
        "model": ImportReport | InputErrorBody,
        "description": "Nothing was imported: the report with every bad row (`committed` "
        "false; without `partial`, one bad row refuses the file), or, for a file that "
        "cannot be read or a malformed parameter, the errors of any other 422",
    }
}


@router.post("/streams/import", response_model=ImportReport, responses=IMPORT_REFUSED)
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
    except ValueError as exc:  # at the place it was sent, as FastAPI places a missing file
        error = InputError(loc=["body", "file"], msg=str(exc), type="unreadable_file")
        return JSONResponse(InputErrorBody(detail=[error]).model_dump(), status_code=422)
    suggest = classifier_suggestion if classify else None
    report = import_listings(db, rows, partial=partial, suggest_code=suggest)
    if not report.committed:
        db.rollback()
    body = ImportReport(
        committed=report.committed,
        rows=report.rows,
        created=report.created if report.committed else 0,
        updated=report.updated if report.committed else 0,
        unchanged=report.unchanged if report.committed else 0,
        errors=[_refused(e) for e in report.errors],
    )
    return JSONResponse(body.model_dump(), status_code=200 if report.committed else 422)


def _refused(e: RowError) -> RowRefused:
    return RowRefused(row=e.row, field=e.field, message=e.message, id=e.id)


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
