"""The case library: documented symbioses to learn from, searchable by material, sector, country.

Two sources: the matching knowledge base (documented exchanges of the Cambridge industrial
symbiosis library) and the demo region's designed pairs, each backed by a cited source.

The demo region's pairs come from the shipped demo data (``demo/data/streams.jsonl``), never
from a stream's ``properties.designed_match`` in the database: that is user-editable, so trusting
it would let anyone publish a pair naming someone else's stream. A shipped pair is shown only
when both of its streams are in the database under the organisation the demo data names (so a
look-alike ``external_id`` in another company does not count) and the viewer may see both in
full (``access.policy.sees_identity``): an anonymous, network-only or private stream never
appears, nor does its owner.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sidestream.access import policy
from sidestream.access.policy import ANONYMOUS, Viewer
from sidestream.classify.lexicon import synonyms_by_code
from sidestream.classify.service import suggest_codes
from sidestream.demo.builder import region
from sidestream.matching.knowledge import default_knowledge_base
from sidestream.matching.text import normalise_text
from sidestream.messages import N_
from sidestream.registry.models import Organisation, Stream
from sidestream.taxonomy.nace import nace_title

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


@dataclass(frozen=True, slots=True)
class _Pair:
    """One designed pair of the shipped demo data: offer and need ids, owners and source."""

    offer: str
    offer_org: str
    need: str
    need_org: str
    source: str


@lru_cache
def designed_pairs() -> tuple[_Pair, ...]:
    """The offer/need pairs the demo data documents (read from the shipped file, not the DB)."""
    path = resources.files("sidestream.demo").joinpath("data", "streams.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    by_id = {r["id"]: r for r in rows}
    pairs = []
    for row in rows:
        props = row.get("properties") or {}
        need = by_id.get(str(props.get("designed_match", "")))
        if row.get("direction") != "offer" or need is None:
            continue
        source = props.get("source") or (need.get("properties") or {}).get("source") or ""
        pairs.append(
            _Pair(row["id"], row["organisation"], need["id"], need["organisation"], str(source))
        )
    return tuple(pairs)


def _designed_ids() -> dict[str, str]:
    """external id -> owning organisation's name, of every stream in a designed pair."""
    out: dict[str, str] = {}
    for p in designed_pairs():
        out[p.offer], out[p.need] = p.offer_org, p.need_org
    return out


def _pair_streams_query(viewer: Viewer):  # type: ignore[no-untyped-def]
    """Columns of the designed streams the viewer may see in full, under their demo owner."""
    owners = _designed_ids()
    return (
        select(Stream.external_id, Organisation.name)
        .join(Organisation, Stream.organisation_id == Organisation.id)
        .where(
            Stream.external_id.in_(owners),
            policy.visible_streams_clause(viewer),
            policy.identity_clause(viewer),
        )
    )


def _shown_pairs(found: dict[str, str]) -> list[_Pair]:
    """The designed pairs whose two streams are in ``found`` (external id -> owner name)."""
    return [
        p
        for p in designed_pairs()
        if found.get(p.offer) == p.offer_org and found.get(p.need) == p.need_org
    ]


def region_case_count(session: Session, viewer: Viewer = ANONYMOUS) -> int:
    """How many demo-region cases ``viewer`` sees (a narrow query; no stream is loaded)."""
    rows = session.execute(_pair_streams_query(viewer))
    found: dict[str, str] = {}
    for ext, org in rows:
        if _designed_ids().get(ext) == org:
            found[ext] = org
    return len(_shown_pairs(found))


#: The source named for a demo pair whose documentation cites none.
DEMO_REGION = N_("Sidestream demo region")


def region_cases(session: Session, viewer: Viewer = ANONYMOUS) -> list[Case]:
    """Pairs of the loaded demo region that ``viewer`` may see in full: an offer and the need it
    was documented to serve (see the module docstring for which pairs count)."""
    owners = _designed_ids()
    streams = session.scalars(
        select(Stream)
        .join(Organisation, Stream.organisation_id == Organisation.id)
        .where(
            Stream.external_id.in_(owners),
            policy.visible_streams_clause(viewer),
            policy.identity_clause(viewer),
        )
        .options(selectinload(Stream.organisation))
        .order_by(Stream.id)
    ).all()
    by_external = {
        s.external_id: s
        for s in streams
        if s.organisation is not None
        and owners.get(s.external_id or "") == s.organisation.name
        and policy.sees_identity(viewer, s)
    }
    sources = {s["id"]: s for s in region()["sources"]}
    pairs = _shown_pairs({k: v.organisation.name for k, v in by_external.items()})
    out: list[Case] = []
    for pair in sorted(pairs, key=lambda p: by_external[p.offer].id):
        offer, need = by_external[pair.offer], by_external[pair.need]
        cited = sources.get(pair.source, {})
        donor, receiver = offer.organisation, need.organisation
        out.append(
            Case(
                material=offer.title,
                donor=donor.name,
                receiver=receiver.name,
                donor_sectors=(donor.nace,) if donor.nace else (),
                receiver_sectors=(receiver.nace,) if receiver.nace else (),
                country=donor.country or "",
                final_use=need.title,
                waste_codes=(offer.waste_code,) if offer.waste_code else (),
                source=cited.get("citation", DEMO_REGION),
                url=cited.get("url", ""),
            )
        )
    return out


def all_cases(session: Session, viewer: Viewer = ANONYMOUS) -> list[Case]:
    """The demo region's cases ``viewer`` may see first, then the knowledge base's."""
    return [*region_cases(session, viewer), *knowledge_cases()]


def case_count(session: Session, viewer: Viewer = ANONYMOUS) -> int:
    """How many cases ``viewer`` sees in the library (for the start page)."""
    return region_case_count(session, viewer) + len(knowledge_cases())


#: How sure the classifier must be of a search's material for its code to find cases too.
READ_MIN_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class Reading:
    """A search read as a material in any language: its LoW code and that code's English
    synonyms (the case texts are English)."""

    code: str
    english: tuple[str, ...]


def read_query(q: str) -> Reading | None:
    """The material a search names, as the classifier reads it in any of its languages ("myse",
    "vassle", "sirotka": whey, 02 05 01), when it is sure of it; else None."""
    try:
        best = next(iter(suggest_codes(q, top=1)), None)
    except ValueError:  # no letters to read ("123"), or nothing at all
        return None
    if best is None or best.score < READ_MIN_SCORE:
        return None
    terms = synonyms_by_code().get(best.code, ())
    english = tuple(normalise_text(t.text) for t in terms if t.language == "en")
    return Reading(best.code, english)


def search(
    cases: Iterable[Case],
    q: str = "",
    sector: str = "",
    country: str = "",
    reading: Reading | None = None,
) -> list[Case]:
    """Cases whose text holds every word of ``q`` (or, with ``reading``, that name its material:
    its code, or one of its English words), in the NACE ``sector`` prefix and ``country``."""
    words = normalise_text(q).split()
    out = []
    for case in cases:
        if country and case.country != country:
            continue
        if sector and not any(
            c.startswith(sector) for c in (*case.donor_sectors, *case.receiver_sectors)
        ):
            continue
        if words and not all(w in case.search_text for w in words) and not _names(case, reading):
            continue
        out.append(case)
    return out


def _names(case: Case, reading: Reading | None) -> bool:
    """Whether ``case`` is about the material ``reading`` names."""
    if reading is None:
        return False
    text = f" {normalise_text(case.material)} "
    return reading.code in case.waste_codes or any(f" {w} " in text for w in reading.english)


def divisions(cases: Iterable[Case], lang: str = "en") -> dict[str, str]:
    """The NACE divisions the cases touch, code -> title in ``lang``, by code."""
    codes = {c[:2] for case in cases for c in (*case.donor_sectors, *case.receiver_sectors)}
    titles = {code: nace_title(code, lang) for code in sorted(codes)}
    return {code: title for code, title in titles.items() if title != code}  # known divisions
