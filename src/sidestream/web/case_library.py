"""The case library: documented symbioses to learn from, searchable by material, sector, country.

Two sources: the matching knowledge base (documented exchanges of the Cambridge industrial
symbiosis library) and the demo region's designed pairs, each backed by a cited source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sidestream.demo.builder import region
from sidestream.matching.knowledge import default_knowledge_base
from sidestream.matching.text import normalise_text
from sidestream.registry.models import Stream
from sidestream.taxonomy.nace import nace_label

#: Country names used by the case library that are not English territory names.
_COUNTRY_ALIASES = {"UK": "GB", "US": "US"}


@dataclass(frozen=True, slots=True)
class Case:
    """One documented exchange: who gives what to whom, for what use, and where it is written."""

    material: str
    donor: str
    receiver: str
    donor_sectors: tuple[str, ...]
    receiver_sectors: tuple[str, ...]
    country: str  # ISO 3166 alpha-2, or '' when unknown
    final_use: str
    waste_codes: tuple[str, ...]
    source: str
    url: str = ""

    @property
    def search_text(self) -> str:
        """Everything a material search looks at, normalised."""
        return normalise_text(" ".join((self.material, self.donor, self.receiver, self.final_use)))


@lru_cache
def _country_codes() -> dict[str, str]:
    names = {name: code for code, name in Locale("en").territories.items() if code.isalpha()}
    return names | _COUNTRY_ALIASES


def country_code(name: str) -> str:
    """ISO code of an English country name ('' when unknown)."""
    return _country_codes().get(name.strip(), "")


@lru_cache
def knowledge_cases() -> tuple[Case, ...]:
    """The documented exchanges of the matching knowledge base."""
    source = "Library of Industrial Symbiosis case studies, University of Cambridge (2017)"
    return tuple(
        Case(
            material=e.material,
            donor=e.donor,
            receiver=e.receiver,
            donor_sectors=e.donor_classes,
            receiver_sectors=e.receiver_classes,
            country=country_code(e.country),
            final_use=e.final_use,
            waste_codes=e.waste_codes,
            source=f"{source}, case {e.case_id}",
            url="https://doi.org/10.17863/CAM.12608",
        )
        for e in default_knowledge_base().exchanges
    )


def region_cases(session: Session) -> list[Case]:
    """Pairs of the loaded demo region: an offer and the need it was documented to serve."""
    streams = session.scalars(
        select(Stream).options(selectinload(Stream.organisation)).order_by(Stream.id)
    ).all()
    by_external = {s.external_id: s for s in streams}
    sources = {s["id"]: s for s in region()["sources"]}
    out: list[Case] = []
    for offer in streams:
        props = offer.properties or {}
        need = by_external.get(str(props.get("designed_match", "")))
        if offer.direction != "offer" or need is None:
            continue
        cited = sources.get(str(props.get("source") or (need.properties or {}).get("source")), {})
        donor, receiver = offer.organisation, need.organisation
        out.append(
            Case(
                material=offer.title,
                donor=donor.name if donor else "",
                receiver=receiver.name if receiver else "",
                donor_sectors=(donor.nace,) if donor and donor.nace else (),
                receiver_sectors=(receiver.nace,) if receiver and receiver.nace else (),
                country=(donor.country if donor else None) or "",
                final_use=need.title,
                waste_codes=(offer.waste_code,) if offer.waste_code else (),
                source=cited.get("citation", "Sidestream demo region"),
                url=cited.get("url", ""),
            )
        )
    return out


def all_cases(session: Session) -> list[Case]:
    """The demo region's cases first, then the knowledge base's."""
    return [*region_cases(session), *knowledge_cases()]


def search(cases: Iterable[Case], q: str = "", sector: str = "", country: str = "") -> list[Case]:
    """Cases whose text holds every word of ``q``, in the NACE ``sector`` prefix and ``country``."""
    words = normalise_text(q).split()
    out = []
    for case in cases:
        if country and case.country != country:
            continue
        if sector and not any(
            c.startswith(sector) for c in (*case.donor_sectors, *case.receiver_sectors)
        ):
            continue
        if words and not all(w in case.search_text for w in words):
            continue
        out.append(case)
    return out


def divisions(cases: Iterable[Case]) -> dict[str, str]:
    """The NACE divisions the cases touch, code -> official label, by code."""
    codes = {c[:2] for case in cases for c in (*case.donor_sectors, *case.receiver_sectors)}
    out = {}
    for code in sorted(codes):
        try:
            out[code] = nace_label(code)
        except ValueError:  # a division python-stdnum does not know
            continue
    return out
