"""REST endpoints of the matching engine (mounted by ``sidestream.api``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sidestream.api.error_responses import ApiRouter
from sidestream.input_rules import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, InputRules
from sidestream.matching.engine import match_listings
from sidestream.matching.schemas import Listing, Match, SectorRecommendation, SectorRequest
from sidestream.matching.sectors import recommend_sectors

router = ApiRouter(prefix="/api/v1", tags=["matching"])


#: The most offers, and the most needs, one ``POST /match`` takes (anyone may call it; larger
#: sets are for ``sidestream match-files`` or the stored streams).
MAX_MATCH_LISTINGS = 1000


class ApiListing(Listing, InputRules):
    """A listing in an API body: the engine's listing under the rules of every input model and
    a stream's lengths (the command line's reader repairs such values with a warning instead)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE_LENGTH)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION_LENGTH)


class MatchRequest(InputRules):
    """Offers and needs in the open listing format: each list of its own direction, each id
    once."""

    model_config = ConfigDict(extra="forbid")

    offers: list[ApiListing] = Field(max_length=MAX_MATCH_LISTINGS)
    needs: list[ApiListing] = Field(max_length=MAX_MATCH_LISTINGS)
    top: int = Field(default=10, ge=1, le=1000)

    @model_validator(mode="after")
    def _each_in_its_list(self) -> MatchRequest:
        for side, direction in (("offers", "offer"), ("needs", "need")):
            seen: set[str] = set()
            for i, listing in enumerate(getattr(self, side)):
                if listing.direction != direction:
                    raise ValueError(f"{side}[{i}]: direction is '{listing.direction}', not "
                                     f"'{direction}'")  # fmt: skip
                if listing.id in seen:
                    raise ValueError(f"{side}[{i}]: duplicate id '{listing.id}'")
                seen.add(listing.id)
        return self


class OfferMatches(BaseModel):
    """The ranked needs of one offer."""

    offer_id: str
    matches: list[Match]


@router.post("/recommend-sectors", response_model=list[SectorRecommendation])
def recommend_sectors_endpoint(body: SectorRequest) -> list[SectorRecommendation]:
    """Receiving NACE classes that could use a material, with reasons and evidence."""
    return recommend_sectors(
        body.description, body.waste_code, body.donor_nace, body.top,
        temperature_c=body.temperature_c, kind=body.kind.value if body.kind else None,
    )  # fmt: skip


@router.post("/match", response_model=list[OfferMatches])
def match_endpoint(body: MatchRequest) -> list[OfferMatches]:
    """For every offer, the needs that could take it, ranked, with component reasons."""
    results = match_listings(body.offers, body.needs, body.top)
    return [
        OfferMatches(offer_id=o.id, matches=m) for o, m in zip(body.offers, results, strict=True)
    ]
