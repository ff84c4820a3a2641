"""Import and export of streams in the open listing format (transactional, row-level errors)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import inspect
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from sidestream.access.policy import SYSTEM, Viewer, listing_view
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.interop.csv_cells import safe_cell
from sidestream.interop.listing import COLUMNS, Listing
from sidestream.interop.readers import RawRow
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Stream
from sidestream.registry.schemas import OrganisationCreate, StreamCreate, StreamUpdate
from sidestream.taxonomy.kinds import kind_of_product
from sidestream.taxonomy.units import kind_of_unit


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row was refused: its number in the file, the field and the reason."""

    row: int
    field: str
    message: str
    id: str | None = None


@dataclass(slots=True)
class ImportReport:
    """The outcome of an import."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows of known ids that change nothing
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        """True when every row was accepted."""
        return not self.errors


def validate_rows(rows: Iterable[RawRow]) -> Iterator[tuple[int, Listing | None, list[RowError]]]:
    """Validate each raw row against the listing schema, yielding its errors (if any)."""
    seen: dict[str, int] = {}
    for raw in rows:
        if raw.data is None:
            yield raw.number, None, [RowError(raw.number, raw.field, raw.error or "unreadable")]
            continue
        try:
            listing = Listing.model_validate(raw.data)
        except ValidationError as exc:
            yield raw.number, None, _row_errors(raw.number, raw.data.get("id"), exc)
            continue
        if listing.id in seen:
            msg = f"duplicate id '{listing.id}' (first on row {seen[listing.id]})"
            yield raw.number, None, [RowError(raw.number, "id", msg, listing.id)]
            continue
        seen[listing.id] = raw.number
        yield raw.number, listing, []


def _row_errors(number: int, ident: object, exc: ValidationError) -> list[RowError]:
    """Each error of row ``number`` (listing ``ident``) on its field."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(row)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{loc}' (not in the open listing format v1)"
        out.append(RowError(number, loc, msg, str(ident) if ident is not None else None))
    return out


Suggester = Callable[[Listing], tuple[str, str] | None]


def classifier_suggestion(listing: Listing) -> tuple[str, str] | None:
    """The classifier's best LoW code for a listing without one, when it is confident enough.

    Returns ``(code, source)`` where ``source`` records what chose the code and how sure it was.
    """
    from sidestream.classify.service import confident_code

    text = " ".join(t for t in (listing.title, listing.description) if t)
    best = confident_code(text, nace=listing.organisation_nace)
    if best is None:
        return None
    return best.code, f"classifier {best.evidence.backend} ({best.score:.2f})"


def import_listings(
    session: Session,
    rows: Iterable[RawRow],
    partial: bool = False,
    suggest_code: Suggester | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import listings: create new ids, update known ones, report every bad row.

    All-or-nothing unless ``partial``: with any error nothing is written. ``suggest_code``
    may propose ``(waste_code, source)`` for material listings that carry no code.
    The caller owns the transaction; this function commits nothing itself.
    """
    report = ImportReport()
    orgs: dict[str, Organisation] = {}
    for number, listing, errors in validate_rows(rows):
        report.rows += 1
        if progress:
            progress(number)
        if errors:
            report.errors.extend(errors)
            continue
        assert listing is not None
        try:
            with session.begin_nested():
                outcome = _upsert(session, listing, orgs, suggest_code)
        except InvalidInput as exc:  # each broken rule on its field
            report.errors.extend(
                RowError(number, e.field, f"{e.field}: {e.message}", listing.id) for e in exc.errors
            )
            continue
        except (Conflict, NotFound) as exc:
            report.errors.append(RowError(number, "id", str(exc), listing.id))
            continue
        except ValidationError as exc:  # with a stored stream's other fields, a rule broken
            report.errors.extend(_row_errors(number, listing.id, exc))
            continue
        except DataError as exc:  # a value the database cannot hold that no rule foresaw
            why = f"the database cannot store a value of this row: {exc.orig}"
            report.errors.append(RowError(number, "(row)", why, listing.id))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    if report.rows == 0:
        why = "no rows found (a spreadsheet is read from its first sheet, under a header on row 1)"
        report.errors.append(RowError(0, "file", why, None))
    written = report.created + report.updated + report.unchanged
    report.committed = (partial and written > 0) or (not report.errors and written > 0)
    return report


def _upsert(
    session: Session,
    listing: Listing,
    orgs: dict[str, Organisation],
    suggest_code: Suggester | None,
) -> Literal["created", "updated", "unchanged"]:
    """Create or update the stream of one listing; what happened to it.

    An update changes only the keys the row gives (a JSON ``null`` clears a field); a key the
    row leaves out keeps its stored value, so a partial file never widens visibility or wipes
    data.
    """
    given = listing.model_dump(
        exclude_unset=True, exclude={"id", "organisation", "organisation_nace"}
    )
    stream = registry.find_stream(session, listing.id)
    if (
        stream is None
        and "kind" not in given
        and (implied := kind_of_product(listing.product_code) or kind_of_unit(listing.unit))
    ):
        given["kind"] = implied  # a new stream that names no kind takes its CPA code's or unit's
    code_source = "listing"
    # only a new stream is given a code: a stored one without a code is left so (it may be
    # meant to have none; re-importing an export gave five demo streams a code each)
    if (
        stream is None
        and not given.get("waste_code")
        and suggest_code
        and (given.get("kind", listing.kind) == "material")
    ):
        suggestion = suggest_code(listing)
        if suggestion:
            given["waste_code"], code_source = suggestion
    org_id = _organisation_id(session, listing, orgs)
    if stream is None:
        fields = listing.model_dump(exclude={"id", "organisation", "organisation_nace"})
        data = StreamCreate(external_id=listing.id, organisation_id=org_id, **(fields | given))
        registry.create_stream(session, data, code_source=code_source)
        return "created"
    owner = stream.organisation_id
    if org_id is not None and owner is not None and owner != org_id:
        other = session.get(Organisation, owner)
        raise Conflict(
            f"id '{listing.id}' is a stream of another organisation"
            f" ('{other.name if other else owner}'): a row updates only a stream of the"
            " organisation it names; give this listing an id of its own"
        )
    version = stream.version
    update = StreamUpdate(version=version, **given)
    registry.update_stream(session, stream.id, update, code_source=code_source)
    if org_id is not None and owner is None:
        stream.organisation_id = org_id  # an unowned stream is claimed by the row's owner
    session.flush()
    return "updated" if stream.version != version else "unchanged"


def _organisation_id(
    session: Session, listing: Listing, cache: dict[str, Organisation]
) -> int | None:
    name = listing.organisation
    if not name:
        return None
    org = cache.get(name)
    if org is None or not inspect(org).persistent:  # created by a row that was rolled back
        org = registry.find_organisation(session, name)
    if org is None:
        try:
            data = OrganisationCreate(name=name, nace=listing.organisation_nace)
        except ValidationError as exc:  # a name the listing format allows and a company may not
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise InvalidInput("organisation", message) from None
        org = registry.create_organisation(session, data)
    elif listing.organisation_nace and not org.nace:
        org.nace = listing.organisation_nace
    cache[name] = org
    return org.id


def to_listing(stream: Stream) -> dict[str, Any]:
    """The open-listing-format object of a stored stream (keys without value are left out)."""
    org = stream.organisation
    row: dict[str, Any] = {
        "id": stream.external_id,
        "direction": stream.direction,
        "title": stream.title,
        "kind": stream.kind,
        "description": stream.description,
        "language": stream.language,
        "waste_code": stream.waste_code,
        "product_code": stream.product_code,
        "organisation": org.name if org else None,
        "organisation_nace": org.nace if org else None,
        "quantity": stream.quantity,
        "unit": stream.unit,
        "period": stream.period,
        "lat": stream.lat,
        "lon": stream.lon,
        "properties": stream.properties or None,
        "available_from": stream.available_from.isoformat() if stream.available_from else None,
        "available_to": stream.available_to.isoformat() if stream.available_to else None,
        "price_eur_per_unit": stream.price_eur_per_unit,
        "visibility": stream.visibility,
    }
    return {k: v for k, v in row.items() if v is not None}


def export_listings(
    session: Session, filters: registry.StreamFilter, viewer: Viewer = SYSTEM
) -> Iterator[dict[str, Any]]:
    """The listings ``viewer`` may see, as the access policy shows them (anonymised or full)."""
    for stream in session.scalars(registry.stream_query(filters, viewer).order_by(Stream.id)):
        row = listing_view(viewer, stream)
        if row is not None:
            yield row


def write_jsonl(listings: Iterable[dict[str, Any]], out: io.TextIOBase) -> int:
    """Write listings as JSON Lines; returns the count."""
    n = 0
    for n, row in enumerate(listings, start=1):  # noqa: B007
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    return n


def write_csv(listings: Iterable[dict[str, Any]], out: io.TextIOBase) -> int:
    """Write listings as CSV with the format's column names; ``properties`` as JSON."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for n, row in enumerate(listings, start=1):  # noqa: B007
        cells = dict(row)
        if "properties" in cells:
            cells["properties"] = json.dumps(cells["properties"], ensure_ascii=False)
        writer.writerow({k: safe_cell(v) for k, v in cells.items()})
    return n
