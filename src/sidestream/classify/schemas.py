"""Pydantic I/O schemas of the classification service and API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sidestream.input_rules import InputRules
from sidestream.taxonomy.kinds import Kind


class Evidence(BaseModel):
    """Why a code was suggested: the best-matching term and its similarities."""

    matched: str = Field(description="The label or synonym that matched best")
    source: str = Field(description="'label' (official LoW text) or 'synonym'")
    language: str = Field(description="Language of the matched term")
    lexical: float = Field(description="Character n-gram similarity, 0-1")
    semantic: float | None = Field(None, description="Embedding similarity, 0-1 (rescaled)")
    nace_boost: float = Field(0.0, description="Added because the NACE activity points here")
    backend: str = Field(description="Embedding backend used, or 'lexical'")


class CodeSuggestion(BaseModel):
    """One suggested List of Waste code."""

    code: str = Field(description="Six-digit LoW code", examples=["100102"])
    score: float = Field(ge=0, le=1, description="Calibrated confidence that the code is right")
    label: str
    hazardous: bool
    mirror: bool = Field(description="Mirror entry: hazardous or not depends on composition")
    evidence: Evidence


class Classification(BaseModel):
    """A side stream classified: codes, resource kind, canonical unit and warnings."""

    suggestions: list[CodeSuggestion]
    kind: Kind
    kind_evidence: str | None = Field(None, description="The term that set a non-material kind")
    canonical_unit: str | None = Field(
        description="t, MWh or m3 for material, energy and water; None for other kinds"
    )
    language: str | None = Field(description="Detected language (ISO 639-1) or None if unsure")
    warnings: list[str] = Field(default_factory=list)


class ClassifyRequest(InputRules):
    """Body of ``POST /api/v1/classify``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000, examples=["Flugasche aus Kohlekraftwerk"])
    top: int = Field(3, ge=1, le=20)
    nace: str | None = Field(None, examples=["3511"])
