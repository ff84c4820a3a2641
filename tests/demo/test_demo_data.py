"""Checks of the demo region's data files (region.json, streams.jsonl, SOURCES.md)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import pytest

from sidestream.interop.listing import COLUMNS
from sidestream.taxonomy.kinds import Direction, Kind, NetworkKind, Period, SizeClass, Visibility
from sidestream.taxonomy.nace import normalise_nace
from sidestream.taxonomy.units import annualise, parse_unit
from sidestream.taxonomy.waste_codes import waste_codes

STREAM_KEYS = set(COLUMNS)  # the open listing format v1
REQUIRED_STREAM_KEYS = {"id", "direction", "title"}
ORG_KEYS = {"name", "nace", "size_class", "country", "description", "website", "sources", "sites"}
SITE_KEYS = {"name", "address", "lat", "lon"}
NETWORK_KEYS = {"name", "kind", "description", "facilitator", "members"}
SOURCE_KEYS = {"id", "citation", "url"}
RATE_PERIOD = Period.continuous.value
#: Europe, generously: Iceland/Azores to the Urals, Crete to the North Cape.
LAT_RANGE = (34.0, 72.0)
LON_RANGE = (-25.0, 45.0)


def _data(name: str) -> str:
    return resources.files("sidestream.demo").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache
def region() -> dict[str, Any]:
    return json.loads(_data("region.json"))


@lru_cache
def streams() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(line) for line in _data("streams.jsonl").splitlines() if line.strip())


def _orgs() -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in region()["organisations"]}


def _in_europe(lat: float, lon: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def test_files_parse_and_have_the_top_level_shape() -> None:
    assert set(region()) == {"sources", "networks", "organisations", "exchanges"}
    assert streams()
    assert "estimate" in _data("SOURCES.md")


def test_counts() -> None:
    assert len(region()["organisations"]) >= 45
    assert len(streams()) >= 130
    assert {s.get("kind") for s in streams()} >= {k.value for k in Kind}
    assert {s["direction"] for s in streams()} == {d.value for d in Direction}


def test_only_allowed_keys_and_required_keys() -> None:
    for s in streams():
        assert set(s) >= REQUIRED_STREAM_KEYS, s.get("id")
        assert set(s) <= STREAM_KEYS, (s["id"], set(s) - STREAM_KEYS)
    for o in region()["organisations"]:
        assert set(o) <= ORG_KEYS, (o["name"], set(o) - ORG_KEYS)
        for site in o["sites"]:
            assert set(site) <= SITE_KEYS, (o["name"], set(site) - SITE_KEYS)
    for n in region()["networks"]:
        assert set(n) == NETWORK_KEYS, n["name"]
    for src in region()["sources"]:
        assert set(src) == SOURCE_KEYS, src["id"]


def test_unique_names_and_ids() -> None:
    ids = [s["id"] for s in streams()]
    assert len(ids) == len(set(ids))
    names = [o["name"] for o in region()["organisations"]]
    assert len(names) == len(set(names))
    source_ids = [s["id"] for s in region()["sources"]]
    assert len(source_ids) == len(set(source_ids))


def test_stream_vocabularies() -> None:
    for s in streams():
        assert s["direction"] in {d.value for d in Direction}, s["id"]
        assert s.get("kind", "material") in {k.value for k in Kind}, s["id"]
        assert s.get("visibility", "public") in {v.value for v in Visibility}, s["id"]
        if "period" in s:
            assert s["period"] in {p.value for p in Period}, s["id"]
        if "language" in s:
            assert len(s["language"]) == 2 and s["language"].islower(), s["id"]
        assert s["title"].strip(), s["id"]
        assert isinstance(s.get("properties", {}), dict), s["id"]
        if "available_from" in s and "available_to" in s:
            assert s["available_from"] <= s["available_to"], s["id"]


def test_most_streams_are_public_but_not_all() -> None:
    vis = [s.get("visibility", "public") for s in streams()]
    assert vis.count("public") > len(vis) / 2
    assert set(vis) - {"public"}


def test_every_stream_organisation_exists_with_matching_nace() -> None:
    orgs = _orgs()
    for s in streams():
        assert s.get("organisation") in orgs, s["id"]
        if "organisation_nace" in s:
            assert s["organisation_nace"] == orgs[s["organisation"]]["nace"], s["id"]


def test_stream_coordinates_are_one_of_the_organisations_sites() -> None:
    orgs = _orgs()
    for s in streams():
        sites = {(site["lat"], site["lon"]) for site in orgs[s["organisation"]]["sites"]}
        assert (s["lat"], s["lon"]) in sites, s["id"]


def test_waste_codes_are_in_the_list_of_waste() -> None:
    low = waste_codes()
    for s in streams():
        if "waste_code" in s:
            assert s["waste_code"] in low, (s["id"], s["waste_code"])


def test_nace_codes_validate() -> None:
    for o in region()["organisations"]:
        assert normalise_nace(o["nace"]) == o["nace"], o["name"]
    for s in streams():
        if "organisation_nace" in s:
            assert normalise_nace(s["organisation_nace"]) == s["organisation_nace"], s["id"]


@pytest.mark.parametrize("kind", ["material", "energy", "water"])
def test_quantities_annualise(kind: str) -> None:
    for s in streams():
        if s.get("kind", "material") != kind or "quantity" not in s:
            continue
        props = s.get("properties", {})
        annual = annualise(
            s["quantity"], s["unit"], s.get("period"), kind, props.get("density_kg_m3")
        )
        assert annual is not None and annual.amount > 0, s["id"]


def test_units_parse_and_continuous_only_with_rates() -> None:
    for s in streams():
        if "quantity" not in s:
            continue
        assert s["quantity"] > 0, s["id"]
        assert "unit" in s and "period" in s, s["id"]
        parse_unit(s["unit"])
        if s["period"] == RATE_PERIOD:
            assert "/" in s["unit"] or s["unit"] in {"MW", "kW", "GW"}, s["id"]


def test_capacity_service_knowledge_streams_have_no_waste_code() -> None:
    for s in streams():
        if s.get("kind") in {"energy", "water", "capacity", "service", "knowledge"}:
            assert "waste_code" not in s, s["id"]


def test_complementary_offers_and_needs() -> None:
    needs = [s for s in streams() if s["direction"] == "need"]
    needs_by_code = {s["waste_code"] for s in needs if "waste_code" in s}
    needs_by_kind = {s.get("kind") for s in streams() if s["direction"] == "need"}
    offers = [s for s in streams() if s["direction"] == "offer"]
    complementary = [
        s for s in offers if s.get("waste_code") in needs_by_code or s.get("kind") in needs_by_kind
    ]
    assert len(complementary) >= 25
    by_code = [s for s in offers if s.get("waste_code") in needs_by_code]
    assert len(by_code) >= 25


def test_designed_matches_are_consistent() -> None:
    by_id = {s["id"]: s for s in streams()}
    pairs = 0
    for s in streams():
        target = s.get("properties", {}).get("designed_match")
        if target is None:
            continue
        pairs += 1
        need = by_id[target]
        assert s["direction"] == "offer" and need["direction"] == "need", s["id"]
        assert s.get("kind") == need.get("kind"), s["id"]
        if "waste_code" in s and "waste_code" in need:
            assert s["waste_code"] == need["waste_code"], s["id"]
    assert pairs >= 25


def test_designed_matches_lie_within_the_distance_their_kind_travels() -> None:
    """A designed pair the matcher's limits rule out would never be shown (decision: the demo
    names only pairs the platform can propose; Billerud Frövi's 60 GWh to Lindesberg at 16 km
    is within the 17 km such a flow pays for)."""
    import numpy as np

    from sidestream.matching import scoring
    from sidestream.matching.reader import tolerant_listing
    from sidestream.matching.table import build_table

    rows = {s["id"]: s for s in streams()}
    for s in rows.values():
        target = s.get("properties", {}).get("designed_match")
        if target is None:
            continue
        offer, _ = tolerant_listing(s, 1, "offer")
        need, _ = tolerant_listing(rows[target], 1, "need")
        assert offer and need
        offers, needs = build_table([offer]), build_table([need])
        one = np.array([0])
        limit = scoring.max_distances(offers, one, needs, one)[0, 0]
        km = scoring.place_distance_km(offer, need)
        assert km is not None and km <= limit, (s["id"], target, km, limit)


def test_coordinates_inside_europe() -> None:
    for o in region()["organisations"]:
        for site in o["sites"]:
            assert _in_europe(site["lat"], site["lon"]), o["name"]
    for s in streams():
        assert _in_europe(s["lat"], s["lon"]), s["id"]


def test_source_references_exist() -> None:
    ids = {src["id"] for src in region()["sources"]}
    for src in region()["sources"]:
        assert src["url"].startswith(("http://", "https://")), src["id"]
    for o in region()["organisations"]:
        assert set(o.get("sources", [])) <= ids, o["name"]
    for s in streams():
        ref = s.get("properties", {}).get("source")
        if ref is not None:
            assert ref in ids, s["id"]
    sources_md = _data("SOURCES.md")
    for sid in ids:
        assert f"**{sid}**" in sources_md, sid


def test_organisations_and_networks_are_well_formed() -> None:
    orgs = _orgs()
    for o in orgs.values():
        assert o["size_class"] in {c.value for c in SizeClass}, o["name"]
        assert len(o["country"]) == 2 and o["country"].isupper(), o["name"]
        assert o["sites"], o["name"]
    for n in region()["networks"]:
        assert n["kind"] in {k.value for k in NetworkKind}, n["name"]
        assert n["facilitator"] in orgs, n["name"]
        assert n["members"] and set(n["members"]) <= set(orgs), n["name"]


def test_estimates_are_flagged_or_sourced() -> None:
    for s in streams():
        if s.get("kind") in {"material", "energy", "water"} and "quantity" in s:
            props = s.get("properties", {})
            assert props.get("estimate") is True or "source" in props, s["id"]


def test_running_exchanges_are_documented_pairs_within_one_network() -> None:
    by_id = {s["id"]: s for s in streams()}
    sources = {src["id"] for src in region()["sources"]}
    networks = [set(n["members"]) for n in region()["networks"]]
    for ex in region()["exchanges"]:
        offer, need = by_id[ex["offer"]], by_id[ex["need"]]
        assert (offer["direction"], need["direction"]) == ("offer", "need"), ex
        assert offer.get("price_eur_per_unit") is not None, ex  # the agreed price
        assert offer["properties"].get("designed_match") == need["id"], ex
        assert not offer["properties"].get("historical"), ex  # running today
        assert ex["sources"] and set(ex["sources"]) <= sources, ex
        pair = {offer["organisation"], need["organisation"]}
        assert any(pair <= members for members in networks), ex
