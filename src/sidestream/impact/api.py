"""REST endpoints of impact accounting: account an exchange, list the factors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sidestream.api.error_responses import ApiRouter
from sidestream.errors import InvalidInput
from sidestream.impact.accounting import account_exchange
from sidestream.impact.factors import DEFAULT_VERSION, load_factor_set
from sidestream.impact.schemas import Exchange, ImpactResult
from sidestream.impact.service import FactorCatalogue, factor_catalogue

router = ApiRouter(prefix="/api/v1/impact", tags=["impact"])


class AccountRequest(BaseModel):
    """An exchange to account, factor overrides and the factor set to use."""

    model_config = ConfigDict(extra="forbid")

    exchange: Exchange
    assumptions: dict[str, Any] = Field(
        default_factory=dict, description="factor id -> value, or {value, unit, source}"
    )
    factor_version: str = DEFAULT_VERSION


@router.post("/account")
def account(body: AccountRequest) -> ImpactResult:
    """The five indicators, carbon terms and economics of one exchange, with every factor's
    value, unit, year and source."""
    factors = load_factor_set(body.factor_version)
    return account_exchange(body.exchange, factors, body.assumptions)


@router.get("/factors")
def factors(version: str = DEFAULT_VERSION, prefix: str | None = None) -> FactorCatalogue:
    """The factor set with the provenance of each factor (optionally ids starting ``prefix``)."""
    try:
        return factor_catalogue(version, prefix)
    except InvalidInput as exc:  # named as this address names it
        raise InvalidInput("version", exc.message) from None
