"""The classification endpoints of the app (no stored data needed)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sidestream.api.app import create_app
from sidestream.db import make_engine


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(make_engine("sqlite://")))  # its error answers included


def test_classify_returns_codes_kind_and_unit(client: TestClient) -> None:
    response = client.post("/api/v1/classify", json={"text": "Sirotka iz sirarne", "top": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["suggestions"][0]["code"] == "020501"
    assert len(body["suggestions"]) == 2
    assert (body["kind"], body["canonical_unit"], body["language"]) == ("material", "t", "sl")


def test_classify_rejects_bad_input_naming_the_field(client: TestClient) -> None:
    assert client.post("/api/v1/classify", json={"text": ""}).status_code == 422
    response = client.post("/api/v1/classify", json={"text": "!!! 42"})
    detail = response.json()["detail"][0]
    assert (
        response.status_code == 422
        and detail["loc"] == ["body", "text"]
        and "no words" in detail["msg"]
    )
    response = client.post("/api/v1/classify", json={"text": "fly ash", "nace": "ZZ"})
    detail = response.json()["detail"][0]
    assert (
        response.status_code == 422
        and detail["loc"] == ["body", "nace"]
        and "NACE" in detail["msg"]
    )
    response = client.post("/api/v1/classify", json={"text": "fly ash", "language": "de"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "language"


def test_browse_waste_codes(client: TestClient) -> None:
    found = client.get("/api/v1/codes/waste", params={"q": "sawdust"}).json()
    assert {"030104", "030105"} <= {c["code"] for c in found}
    chapter = client.get("/api/v1/codes/waste", params={"chapter": "13", "hazardous": "false"})
    assert chapter.json() == []
    sub = client.get("/api/v1/codes/waste", params={"chapter": "10 01", "limit": 3}).json()
    assert [c["code"] for c in sub] == ["100101", "100102", "100103"]
    none = client.get("/api/v1/codes/waste", params={"chapter": "99"})  # no such chapter
    detail = none.json()["detail"][0]
    assert none.status_code == 422 and detail["loc"] == ["query", "chapter"]
    assert "not a List of Waste code, sub-chapter or chapter" in detail["msg"]
    one = client.get("/api/v1/codes/waste/10 01 02").json()
    assert one["description"] == "Coal fly ash" and "Flugasche" in one["synonyms"]["de"]
    assert client.get("/api/v1/codes/waste/999999").status_code == 404


def test_browse_operations_and_nace(client: TestClient) -> None:
    ops = client.get("/api/v1/codes/operations").json()
    assert {"R1", "D1"} <= {o["code"] for o in ops}
    nace = client.get("/api/v1/codes/nace", params={"q": "dairies"}).json()
    assert {"code": "1051", "label": "Operation of dairies and cheese making"} in nace
    for written in ("C10.51", "10.51", "10.51Z"):  # as codes are written elsewhere
        found = client.get("/api/v1/codes/nace", params={"q": written}).json()
        assert [n["code"] for n in found] == ["1051"], written  # every label with a "c" before
    # a business as people name it, in any language: the titles say "Manufacture of beer"
    for written, code in (("brewery", "1105"), ("Zementwerk", "2351"), ("savværk", "1610")):
        found = client.get("/api/v1/codes/nace", params={"q": written}).json()
        assert found and found[0]["code"] == code, written
