"""REST endpoints: classification and code-list browsing (mounted by ``sidestream.api.app``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query
from pydantic import AfterValidator, BaseModel

from sidestream.api.error_responses import ApiRouter
from sidestream.classify.browse import search_nace, search_waste_codes, waste_code_synonyms
from sidestream.classify.schemas import Classification, ClassifyRequest
from sidestream.classify.service import classify_stream
from sidestream.errors import InvalidInput
from sidestream.taxonomy.waste_codes import lookup_code_or_family, lookup_waste_code, operations

router = ApiRouter(prefix="/api/v1", tags=["classification"])


class WasteCodeOut(BaseModel):
    """A List of Waste entry."""

    code: str
    display: str
    description: str
    chapter: str
    chapter_title: str
    sub_chapter: str
    sub_chapter_title: str
    hazardous: bool
    mirror: bool


class WasteCodeDetail(WasteCodeOut):
    """A List of Waste entry with its synonyms per language."""

    synonyms: dict[str, list[str]]


class OperationOut(BaseModel):
    """A recovery (R) or disposal (D) operation."""

    code: str
    kind: str
    description: str


class NaceOut(BaseModel):
    """A NACE Rev. 2 class."""

    code: str
    label: str


def _waste_out(entry) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "code": entry.code,
        "display": entry.display,
        "description": entry.description,
        "chapter": entry.chapter,
        "chapter_title": entry.chapter_title,
        "sub_chapter": entry.sub_chapter,
        "sub_chapter_title": entry.sub_chapter_title,
        "hazardous": entry.hazardous,
        "mirror": entry.mirror,
    }


@router.post("/classify", response_model=Classification)
def classify(body: ClassifyRequest) -> Classification:
    """Suggest LoW codes, resource kind and canonical unit for a description."""
    try:
        return classify_stream(body.text, top=body.top, nace=body.nace)
    except ValueError as exc:  # "text: no words", or the NACE hint's own message
        field, _, rest = str(exc).partition(": ")
        if field not in ("text", "top"):
            field, rest = "nace", str(exc)
        raise InvalidInput(field, rest) from None


@router.get("/codes/waste", response_model=list[WasteCodeOut])
def list_waste_codes(
    q: str | None = Query(None, description="Words (any of ten languages) or a code prefix"),
    chapter: Annotated[
        str | None,
        AfterValidator(lambda v: lookup_code_or_family(v) if v and v.strip() else None),
        Query(description="LoW chapter or sub-chapter prefix"),
    ] = None,
    hazardous: bool | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, object]]:
    """Browse and search the European List of Waste."""
    return [_waste_out(e) for e in search_waste_codes(q, chapter, hazardous, limit)]


@router.get("/codes/waste/{code}", response_model=WasteCodeDetail)
def get_waste_code(code: str) -> dict[str, object]:
    """One List of Waste entry with its synonyms."""
    try:
        entry = lookup_waste_code(code)
    except ValueError as exc:
        raise HTTPException(status_code=404, detail=f"code: {exc}") from None
    return {**_waste_out(entry), "synonyms": waste_code_synonyms(entry.code)}


@router.get("/codes/operations", response_model=list[OperationOut])
def list_operations() -> list[dict[str, str]]:
    """The recovery (R1-R13) and disposal (D1-D15) operations."""
    return [
        {"code": o.code, "kind": o.kind, "description": o.description}
        for o in operations().values()
    ]


@router.get("/codes/nace", response_model=list[NaceOut])
def list_nace(
    q: str | None = Query(
        None,
        description="A code prefix, or words of the class's title or of an everyday name of "
        "such a business in any of 14 languages ('brewery', 'Zementwerk', 'savværk')",
    ),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, str]]:
    """Search NACE Rev. 2 classes."""
    return [{"code": c, "label": label} for c, label in search_nace(q, limit)]
