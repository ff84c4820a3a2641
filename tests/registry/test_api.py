"""REST round trips under /api/v1, with the error answers a client sees."""


def _org(client, name="Novo Nordisk", nace="2120"):
    r = client.post("/api/v1/organisations", json={"name": name, "nace": nace, "country": "dk"})
    assert r.status_code == 201, r.text
    return r.json()


def test_organisation_site_round_trip(client):
    org = _org(client)
    read = client.get(f"/api/v1/organisations/{org['id']}").json()
    assert read["created_at"] == org["created_at"]  # the same time, in UTC, written and read
    assert org["created_at"].endswith(("Z", "+00:00"))
    assert org["nace"] == "2120" and org["country"] == "DK" and org["version"] == 1
    r = client.post(
        f"/api/v1/organisations/{org['id']}/sites",
        json={"name": "Kalundborg plant", "lat": 55.66, "lon": 11.12},
    )
    assert r.status_code == 201
    site = r.json()
    assert client.get(f"/api/v1/sites/{site['id']}").json()["name"] == "Kalundborg plant"
    listed = client.get(f"/api/v1/organisations/{org['id']}/sites").json()
    assert listed["total"] == 1
    r = client.patch(
        f"/api/v1/organisations/{org['id']}", json={"version": 1, "size_class": "large"}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert client.delete(f"/api/v1/organisations/{org['id']}").status_code == 204
    assert client.get(f"/api/v1/sites/{site['id']}").status_code == 404


def test_stream_crud_with_optimistic_concurrency(client):
    org = _org(client)
    body = {
        "direction": "offer",
        "kind": "material",
        "title": "Yeast slurry (NovoGro)",
        "waste_code": "07 05 99",
        "quantity": 150000,
        "unit": "m3",
        "period": "per-year",
        "properties": {"density_kg_m3": 1020},
        "organisation_id": org["id"],
        "lat": 55.66,
        "lon": 11.12,
    }
    r = client.post("/api/v1/streams", json=body)
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["annual_amount"] == 153000 and s["annual_unit"] == "t"
    assert s["code_source"] == "user"
    url = f"/api/v1/streams/{s['id']}"
    a = client.patch(url, json={"version": 1, "quantity": 140000})
    assert a.status_code == 200 and a.json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "title": "lost write"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert client.get(url).json()["title"] == "Yeast slurry (NovoGro)"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_validation_errors_name_the_field(client):
    r = client.post(
        "/api/v1/streams",
        json={"direction": "sideways", "title": "x", "waste_code": "99 99 99", "colour": "red"},
    )
    assert r.status_code == 422
    fields = {e["loc"][-1]: e["msg"] for e in r.json()["detail"]}
    assert "direction" in fields and "waste_code" in fields and "colour" in fields
    assert "not in the European List of Waste" in fields["waste_code"]
    r = client.post("/api/v1/organisations", json={"name": "X", "nace": "99.99"})
    assert r.status_code == 422 and "not a NACE" in r.json()["detail"][0]["msg"]
    r = client.get("/api/v1/streams?bbox=1,2,3")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "bbox"]
    r = client.get("/api/v1/streams?limit=0")
    assert r.status_code == 422
    for ref in ("organisation_id", "site_id"):  # references in a body are input, not paths
        r = client.post(
            "/api/v1/streams", json={"direction": "offer", "title": "Slag", ref: 999999}
        )
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == ref, r.text
    r = client.post("/api/v1/organisations", json={"name": "Nowhere Ltd", "country": "XX"})
    assert r.status_code == 422 and "not an ISO 3166 country code" in str(r.json()["detail"])


def test_integers_beyond_the_database_are_named(client):
    r = client.get(f"/api/v1/organisations/{10**30}")
    assert r.status_code == 404
    r = client.get("/api/v1/streams", params={"offset": 10**20})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_required_field_cannot_be_set_to_null(client):
    org = _org(client)
    site = client.post(f"/api/v1/organisations/{org['id']}/sites", json={"name": "Works"}).json()
    net = client.post("/api/v1/networks", json={"name": "Park", "kind": "park"}).json()
    for url, field in (
        (f"/api/v1/organisations/{org['id']}", "name"),
        (f"/api/v1/sites/{site['id']}", "name"),
        (f"/api/v1/networks/{net['id']}", "name"),
        (f"/api/v1/networks/{net['id']}", "kind"),
    ):
        r = client.patch(url, json={"version": 1, field: None})
        assert r.status_code == 422, (url, r.text)
        assert f"{field} cannot be null" in str(r.json()["detail"])


def test_list_filters_and_pagination(client):
    org = _org(client)
    for i in range(7):
        client.post(
            "/api/v1/streams",
            json={
                "direction": "offer" if i % 2 else "need",
                "title": f"Sawdust lot {i}",
                "kind": "material",
                "waste_code": "030105",
                "organisation_id": org["id"],
                "lat": 59.3 + i / 100,
                "lon": 15.2,
            },
        )
    page = client.get("/api/v1/streams?direction=offer&limit=2&offset=0").json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert client.get("/api/v1/streams?code=0301&q=lot 4").json()["total"] == 1
    assert client.get("/api/v1/streams?bbox=15,59.299,16,59.325").json()["total"] == 3
    for wildcard in ("_", "%"):  # searched as the characters they are
        assert client.get("/api/v1/streams", params={"q": wildcard}).json()["total"] == 0
        assert client.get("/api/v1/organisations", params={"q": wildcard}).json()["total"] == 0
    assert client.get("/api/v1/streams?code=03 01").json()["total"] >= 1
    for code in ("_", "abc", "0"):
        r = client.get("/api/v1/streams", params={"code": code})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "code"


def test_networks(client):
    a, b = _org(client, "A", "3511"), _org(client, "B", "2362")
    r = client.post(
        "/api/v1/networks",
        json={
            "name": "Kalundborg Symbiosis",
            "kind": "park",
            "facilitator_id": a["id"],
            "member_ids": [a["id"], b["id"]],
        },
    )
    assert r.status_code == 201 and sorted(r.json()["member_ids"]) == [a["id"], b["id"]]
    net = r.json()
    assert client.get(f"/api/v1/organisations?network={net['id']}").json()["total"] == 2
    r = client.patch(f"/api/v1/networks/{net['id']}", json={"version": 1, "member_ids": [b["id"]]})
    assert r.json()["member_ids"] == [b["id"]]
    r = client.patch(f"/api/v1/networks/{net['id']}", json={"version": 1, "name": "stale"})
    assert r.status_code == 409


def test_openapi_is_published(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/streams" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_a_rule_across_fields_names_the_field_to_correct(client):
    # these answered loc ["body"] (or "stream"), naming no field for a client to mark
    org = _org(client)
    base = {"direction": "offer", "title": "Whey", "organisation_id": org["id"]}
    for extra, loc in (
        ({"lat": 55.6}, ["body", "lon"]),
        ({"lon": 12.5}, ["body", "lat"]),
        ({"quantity": 3}, ["body", "unit"]),
        ({"available_from": "2026-03-01", "available_to": "2026-01-01"}, ["body", "available_to"]),
        ({"properties": {"moisture_pct": 140}}, ["body", "properties", "moisture_pct"]),
    ):
        r = client.post("/api/v1/streams", json=base | extra)
        assert r.status_code == 422 and [e["loc"] for e in r.json()["detail"]] == [loc], r.text
    r = client.post("/api/v1/streams", json=base | {"lat": 55.6, "quantity": 3})
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "lon"], ["body", "unit"]]
    stream = client.post("/api/v1/streams", json=base).json()
    r = client.patch(f"/api/v1/streams/{stream['id']}", json={"version": 1, "title": None})
    assert r.json()["detail"] == [
        {"loc": ["body", "title"], "msg": "title cannot be null", "type": "value_error"}
    ]
    r = client.patch(f"/api/v1/streams/{stream['id']}", json={"version": 1, "quantity": 5})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "unit"], r.text
    site = f"/api/v1/organisations/{org['id']}/sites"
    r = client.post(site, json={"name": "Works", "lat": 55.6})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "lon"], r.text


def test_a_patch_is_answered_as_the_post_of_the_same_fields(client):
    # a PATCH answered the first error only, at ["unit"] with type "invalid"
    org = _org(client)
    base = {"direction": "offer", "title": "Whey", "organisation_id": org["id"]}
    stream = client.post("/api/v1/streams", json=base).json()
    url = f"/api/v1/streams/{stream['id']}"
    for extra in (
        {"lat": 55.6, "quantity": 3},
        {"lon": 12.5, "available_from": "2026-03-01", "available_to": "2026-01-01"},
        {"properties": {"moisture_pct": 140, "temperature_c": "hot"}, "quantity": 3},
    ):
        posted = client.post("/api/v1/streams", json=base | extra)
        patched = client.patch(url, json={"version": 1} | extra)
        assert (posted.status_code, patched.status_code) == (422, 422), patched.text
        assert len(posted.json()["detail"]) >= 2, posted.text  # every error, not the first
        assert patched.json() == posted.json()
    assert client.get(url).json()["version"] == 1
    sites = f"/api/v1/organisations/{org['id']}/sites"
    site = client.post(sites, json={"name": "Works"}).json()
    posted = client.post(sites, json={"name": "Works", "lat": 55.6})
    patched = client.patch(f"/api/v1/sites/{site['id']}", json={"version": 1, "lat": 55.6})
    assert patched.status_code == 422 and patched.json() == posted.json(), patched.text
    assert patched.json()["detail"][0]["loc"] == ["body", "lon"]


def test_a_website_is_a_web_address(client):
    # "javascript:alert(1)" was stored and handed to every client that makes it a link
    r = client.post("/api/v1/organisations", json={"name": "Argo", "website": "www.argo.dk"})
    assert r.json()["website"] == "https://www.argo.dk"
    query = "www.argo.dk/go?to=https://x"  # "://" in its query, no scheme of its own
    r = client.post("/api/v1/organisations", json={"name": "Argo 2", "website": query})
    assert r.json()["website"] == "https://" + query
    too_long = "a.dk/" + "x" * 295  # within 300 as written, not once read as https://
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://argo.dk", "argo", "a@argo.dk",
                "https://argo.dk:99999", "https://.", "argo.dk\u200b", too_long):  # fmt: skip
        r = client.post("/api/v1/organisations", json={"name": "Other", "website": bad})
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"] == ["body", "website"], r.text
        assert "is not a web address" in r.json()["detail"][0]["msg"]
    org = client.get("/api/v1/organisations").json()["items"][0]
    change = {"version": org["version"], "website": "JavaScript:alert(1)"}
    r = client.patch(f"/api/v1/organisations/{org['id']}", json=change)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "website"]


def test_updates_obey_the_rules_of_a_new_stream(client):
    org = _org(client)
    r = client.post(
        "/api/v1/streams",
        json={
            "direction": "offer",
            "title": "Whey",
            "quantity": 10,
            "unit": "t",
            "organisation_id": org["id"],
            "available_from": "2026-01-01",
        },
    )
    s = r.json()
    url = f"/api/v1/streams/{s['id']}"
    bad = [
        ({"language": "!!!"}, "language"),
        ({"available_to": "2025-01-01"}, "available_to is before"),
        ({"unit": None}, "unit is required"),
        ({"title": None}, "title cannot be null"),
        ({"product_code": "x" * 500}, "product_code"),
        ({"properties": {"density_kg_m3": "heavy"}}, "density_kg_m3"),
        ({"properties": {"moisture_pct": 140}}, "properties.moisture_pct must be a number from 0"),
        ({"properties": {"temperature_c": "hot"}}, "properties.temperature_c"),
        ({"properties": {"water_quality": "sparkling"}}, "properties.water_quality must be one"),
        ({"properties": {"water_network": "tap"}}, "properties.water_network must be one of"),
        ({"properties": {"avoided_disposal": "dump"}}, "properties.avoided_disposal must be one"),
    ]
    for change, expected in bad:
        r = client.patch(url, json={"version": 1, **change})
        assert r.status_code == 422, (change, r.text)
        assert expected in str(r.json()["detail"]), (change, r.json())
    assert client.get(url).json()["version"] == 1
    r = client.patch(url, json={"version": 1, "site_id": 999999})  # checked before it is applied
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "site_id"
    r = client.patch(url, json={"version": 1, "title": "  Sweet whey  ", "unit": " t ",
                                "waste_code": "020501"})  # fmt: skip
    assert (r.json()["title"], r.json()["unit"], r.json()["code_source"]) == (
        "Sweet whey",
        "t",
        "user",
    )
    r = client.patch(url, json={"version": 2, "waste_code": ""})  # stored as a new stream would
    assert r.json()["waste_code"] is None and r.json()["code_source"] is None


def test_non_finite_and_absurd_numbers_are_refused(client):
    org = _org(client)
    org_id = org["id"]
    base = f'{{"direction": "offer", "title": "Ash", "unit": "t", "organisation_id": {org_id}, '
    for number in ("Infinity", "NaN"):
        r = client.post(
            "/api/v1/streams",
            content=base + f'"quantity": {number}}}',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"][-1] == "quantity"
    r = client.post(
        "/api/v1/streams",
        json={
            "direction": "offer",
            "title": "Ash",
            "quantity": 1e308,
            "unit": "t",
            "period": "per-week",
            "organisation_id": org["id"],
        },
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "quantity"
    assert "less than or equal to 1000000000000" in str(r.json()["detail"])
    r = client.post(
        "/api/v1/streams",
        json={"direction": "offer", "title": "Ash", "price_eur_per_unit": -1e13,
              "organisation_id": org["id"]},
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "price_eur_per_unit"
    r = client.post(
        "/api/v1/streams",
        json={
            "direction": "offer",
            "title": "Ash",
            "quantity": 5,
            "unit": "m3",
            "properties": {"density_kg_m3": "heavy"},
            "organisation_id": org["id"],
        },
    )
    assert r.status_code == 422 and "density_kg_m3" in str(r.json()["detail"])
