"""The OpenAPI document lists the error answers each route gives, with the bodies it sends."""

import pytest

from sidestream.errors import ConflictBody, ErrorBody, InputErrorBody
from tests.access.auth import make_user

ERROR = "#/components/schemas/ErrorBody"
CONFLICT = "#/components/schemas/ConflictBody"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json()


def _errors(spec, method, path):
    """The documented error codes of a route, each with its body's schema reference."""
    responses = spec["paths"][f"/api/v1{path}"][method]["responses"]
    return {
        int(code): answer["content"]["application/json"]["schema"].get("$ref")
        for code, answer in responses.items()
        if int(code) >= 400 and code != "422"
    }


def test_each_route_lists_the_errors_it_can_answer(spec):
    # only 422 was listed: a client generated from the document knew no 401, 404 or 409
    assert _errors(spec, "get", "/streams/{stream_id}") == {401: ERROR, 404: ERROR}
    assert _errors(spec, "patch", "/streams/{stream_id}") == {
        401: ERROR, 403: ERROR, 404: ERROR, 409: CONFLICT, 503: ERROR,
    }  # fmt: skip
    assert _errors(spec, "get", "/organisations/{org_id}") == {404: ERROR}  # reads no token
    assert _errors(spec, "post", "/auth/login") == {401: ERROR, 429: ERROR, 503: ERROR}
    assert _errors(spec, "post", "/networks/{network_id}/optimize") == {  # reads only
        401: ERROR, 403: ERROR, 404: ERROR,
    }  # fmt: skip
    assert _errors(spec, "get", "/audit") == {401: ERROR, 403: ERROR}
    assert _errors(spec, "post", "/match") == {}  # anyone, no database
    assert set(spec["components"]["schemas"]["ConflictBody"]["properties"]) == {
        "detail",
        "current_version",
    }
    for path, methods in spec["paths"].items():  # every error body is one of the two
        for method in methods:
            for code, schema in _errors(spec, method, path.removeprefix("/api/v1")).items():
                assert schema == (CONFLICT if code == 409 else ERROR), (method, path, code)


def test_the_documented_errors_are_the_answers_sent(client, spec):
    admin = make_user(client, "admin@test.invalid", platform_admin=True)
    org = client.post("/api/v1/organisations", json={"name": "Arla"}, headers=admin).json()
    body = {"direction": "offer", "title": "Whey", "organisation_id": org["id"]}
    stream = client.post("/api/v1/streams", json=body, headers=admin).json()
    url = f"/api/v1/streams/{stream['id']}"
    reader = make_user(client, "reader@test.invalid", roles={org["id"]: "member"}, scope="read")
    stranger = make_user(client, "stranger@test.invalid")
    one = "/streams/{stream_id}"
    stale = client.patch(url, json={"version": 7, "title": "Sweet whey"}, headers=admin)
    twin = client.post("/api/v1/organisations", json={"name": "Arla"}, headers=admin)
    bad_token = client.get(url, headers={"Authorization": "Bearer wrong"})
    wrong = {"email": "admin@test.invalid", "password": "not the password"}
    logins = [client.post("/api/v1/auth/login", json=wrong) for _ in range(6)]
    answers = [
        (401, one, bad_token),
        (403, one, client.patch(url, json={"version": 1, "title": "Sweet"}, headers=reader)),
        (403, "/audit", client.get("/api/v1/audit", headers=stranger)),
        (404, one, client.get("/api/v1/streams/999999", headers=admin)),
        (404, one, client.get(f"/api/v1/streams/{2**64}", headers=admin)),  # no stored id
        (409, one, stale),
        (409, "/organisations", twin),
        (401, "/auth/login", logins[0]),
        (429, "/auth/login", logins[-1]),
    ]
    for code, path, answer in answers:
        assert answer.status_code == code, (code, path, answer.text)
        assert code in _errors(spec, answer.request.method.lower(), path)
        model = ConflictBody if code == 409 else ErrorBody
        model.model_validate(answer.json(), strict=True)
        assert set(answer.json()) == set(model.model_fields), answer.json()
    assert bad_token.headers["WWW-Authenticate"] == "Bearer"
    assert stale.json()["current_version"] == 1 and twin.json()["current_version"] is None


def test_a_broken_rule_is_answered_where_its_value_was_sent(client):
    # a service's rule answered loc [field] with type "invalid" wherever the field was sent,
    # while FastAPI's own errors said ["body" | "query" | "path", field]
    admin = make_user(client, "admin@test.invalid", platform_admin=True)
    org = client.post("/api/v1/organisations", json={"name": "Arla"}, headers=admin).json()
    body = {"direction": "offer", "title": "Whey", "organisation_id": org["id"]}
    need = client.post("/api/v1/streams", json=body | {"direction": "need"}, headers=admin)
    answers = [
        (["body", "site_id"], client.post("/api/v1/streams", json=body | {"site_id": 999999},
                                          headers=admin)),
        (["query", "bbox"], client.get("/api/v1/streams", params={"bbox": "1,2"})),
        (["path", "stream_id"], client.get(f"/api/v1/streams/{need.json()['id']}/sectors",
                                           headers=admin)),
        (["query", "version"], client.get("/api/v1/impact/factors", params={"version": "x"})),
        (["body", "exchange", "vehicle"], client.post(  # a service's field inside the body
            "/api/v1/impact/account",
            json={"exchange": {"kind": "water", "amount": 1, "vehicle": "zeppelin"}},
        )),
        (["body", "assumptions", "price.carbon.eu_ets", "unit"], client.post(  # dots in a name
            "/api/v1/impact/account",
            json={"exchange": {"kind": "water", "amount": 1},
                  "assumptions": {"price.carbon.eu_ets": {"value": 1, "unit": "kg"}}},
        )),
    ]  # fmt: skip
    for loc, answer in answers:
        assert answer.status_code == 422, (loc, answer.text)
        [error] = answer.json()["detail"]
        assert error["loc"] == loc and error["type"] == "value_error", answer.json()
        InputErrorBody.model_validate(answer.json(), strict=True)


def test_every_route_documents_its_422_body(spec):
    # FastAPI's HTTPValidationError was listed, without the business rules' type
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "value_error" in schemas["InputError"]["properties"]["type"]["description"]
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            answer = operation["responses"].get("422")
            if answer is None:
                assert not operation.get("parameters") and "requestBody" not in operation
                continue
            schema = answer["content"]["application/json"]["schema"]
            if path == "/api/v1/streams/import":
                continue
            assert schema == {"$ref": "#/components/schemas/InputErrorBody"}, (method, path)


def test_the_import_documents_its_report(client, spec):
    # its 422 (a report of every bad row) was documented as FastAPI's validation errors,
    # its 200 as an empty object
    admin = make_user(client, "admin@test.invalid", platform_admin=True)
    responses = spec["paths"]["/api/v1/streams/import"]["post"]["responses"]
    report = "#/components/schemas/ImportReport"
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": report}
    refused = responses["422"]["content"]["application/json"]["schema"]["anyOf"]
    assert refused == [{"$ref": report}, {"$ref": "#/components/schemas/InputErrorBody"}]
    row = spec["components"]["schemas"]["RowRefused"]["properties"]
    assert set(row) == {"row", "field", "message", "id"}
    bad = b'{"id": "a1", "direction": "offer", "title": "Ash", "waste_code": "1"}\n'
    r = client.post("/api/v1/streams/import", files={"file": ("s.jsonl", bad)}, headers=admin)
    fields = spec["components"]["schemas"]["ImportReport"]["properties"]
    assert r.status_code == 422 and set(r.json()) == set(fields), r.text
    assert r.json()["errors"] == [
        {"row": 1, "field": "waste_code", "message": r.json()["errors"][0]["message"], "id": "a1"}
    ]
    r = client.post("/api/v1/streams/import", files={"file": ("s.pdf", b"%PDF")}, headers=admin)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "file"]
    InputErrorBody.model_validate(r.json(), strict=True)
