"""The authorization matrix: every role × every endpoint × every visibility level.

Roles (see ``world.py``): anonymous, a member and an admin of Acme (the owner), a member of Beta
(Acme's network peer), a member of Cobalt (an outsider), the facilitator of the network, and a
platform admin. Each cell states the exact answer; anonymised views are checked for leaks.
"""

from __future__ import annotations

import json

import pytest

from sidestream.access.roles import Role, Scope
from tests.access.auth import make_user
from tests.access.world import EXPECTED, ROLES, SECRET, VISIBILITIES, api_world

OWNERS = ("acme_member", "acme_admin", "platform_admin")


@pytest.fixture
def world(client):
    return api_world(client)


def _no_identity(payload: object) -> None:
    text = json.dumps(payload)
    for leak in (
        SECRET,
        "acme-slag",
        "55.6612",
        "11.0843",
        "organisation_id",
        "site_id",
        "description",
        "Mill Road",
    ):
        assert leak not in text, leak


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_stream_reads(client, world, role, visibility):
    w, h = world
    sid, expected = w.streams[visibility], EXPECTED[role][visibility]
    got = client.get(f"/api/v1/streams/{sid}", headers=h[role])
    listed = {s["id"]: s for s in client.get("/api/v1/streams", headers=h[role]).json()["items"]}
    exported = [
        json.loads(line)
        for line in client.get("/api/v1/streams/export", headers=h[role]).text.splitlines()
    ]
    exported_ids = {r["id"] for r in exported}
    by_map = client.get("/api/v1/streams?bbox=11.08,55.66,11.09,55.67", headers=h[role]).json()
    by_org = client.get(f"/api/v1/streams?organisation={w.orgs['acme']}", headers=h[role]).json()
    if expected is None:
        assert got.status_code == 404
        assert sid not in listed
        assert not exported_ids & {f"acme-slag-{visibility}", f"anon-{sid}"}
        assert sid not in {s["id"] for s in by_map["items"] + by_org["items"]}
        return
    assert got.status_code == 200
    assert listed[sid] == got.json()
    if expected == "full":
        assert got.json()["organisation_id"] == w.orgs["acme"] and got.json()["lat"] == 55.6612
        assert f"acme-slag-{visibility}" in exported_ids
        assert sid in {s["id"] for s in by_map["items"]} and sid in {
            s["id"] for s in by_org["items"]
        }
        return
    assert got.json()["anonymised"] is True
    assert got.json()["quantity_class"] == "100–1,000 t/yr"
    _no_identity(got.json())
    _no_identity([r for r in exported if r["id"] == f"anon-{sid}"])
    assert f"anon-{sid}" in exported_ids and f"acme-slag-{visibility}" not in exported_ids
    assert sid not in {s["id"] for s in by_map["items"] + by_org["items"]}


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_stream_writes(client, world, role, visibility):
    w, h = world
    sid, seen = w.streams[visibility], EXPECTED[role][visibility]
    if seen is None:
        code = 404
    elif role == "anonymous":
        code = 401
    elif role in OWNERS:
        code = 200
    else:
        code = 403
    patch = client.patch(
        f"/api/v1/streams/{sid}", json={"version": 1, "title": "x"}, headers=h[role]
    )
    assert patch.status_code == code
    delete = client.delete(f"/api/v1/streams/{sid}", headers=h[role])
    assert delete.status_code == (204 if code == 200 else code)
    if code != 200:
        assert (
            client.get(f"/api/v1/streams/{sid}", headers=h["platform_admin"]).json()["version"] == 1
        )


def _status(client, w, h, role: str) -> dict[str, int]:
    """Call every other endpoint as ``role``; returns endpoint -> status code."""
    acme, net = w.orgs["acme"], w.network
    hdr = h[role]
    org_v = client.get(f"/api/v1/organisations/{acme}").json()["version"]
    site_v = client.get(f"/api/v1/sites/{w.site}").json()["version"]
    net_v = client.get(f"/api/v1/networks/{net}").json()["version"]
    make_user(client, f"new-{role}@test.invalid")
    stream = {"direction": "offer", "title": "Ash", "organisation_id": acme}
    calls = {
        "POST /organisations": ("post", "/api/v1/organisations", {"name": f"New {role}"}),
        "PATCH /organisations/acme": (
            "patch",
            f"/api/v1/organisations/{acme}",
            {"version": org_v, "website": "https://x.test"},
        ),
        "GET /organisations/acme/members": ("get", f"/api/v1/organisations/{acme}/members", None),
        "PUT /organisations/acme/members": (
            "put",
            f"/api/v1/organisations/{acme}/members",
            {"email": f"new-{role}@test.invalid"},
        ),
        "GET /organisations/acme/invitations": (
            "get",
            f"/api/v1/organisations/{acme}/invitations",
            None,
        ),
        "DELETE /organisations/acme/invitations/new": (
            "delete",
            f"/api/v1/organisations/{acme}/invitations/new-{role}@test.invalid",
            None,
        ),
        "POST /organisations/acme/sites": (
            "post",
            f"/api/v1/organisations/{acme}/sites",
            {"name": "Depot"},
        ),
        "PATCH /sites/acme": (
            "patch",
            f"/api/v1/sites/{w.site}",
            {"version": site_v, "name": "Works 2"},
        ),
        "POST /streams": ("post", "/api/v1/streams", stream),
        "POST /networks": (
            "post",
            "/api/v1/networks",
            {"name": f"Net {role}", "facilitator_id": w.orgs["hub"]},
        ),
        "PATCH /networks/park": (
            "patch",
            f"/api/v1/networks/{net}",
            {"version": net_v, "description": "d"},
        ),
        "GET /networks/park/pipeline": ("get", f"/api/v1/networks/{net}/pipeline", None),
        "POST /introductions": (
            "post",
            "/api/v1/introductions",
            {"offer_stream_id": w.streams["public"], "need_stream_id": w.need},
        ),
        "POST /networks/park/introductions": (
            "post",
            f"/api/v1/networks/{net}/introductions",
            {"offer_stream_id": w.streams["anonymous"], "need_stream_id": w.need},
        ),
        "GET /tokens": ("get", "/api/v1/tokens", None),
        "GET /audit/verify": ("get", "/api/v1/audit/verify", None),
        "GET /audit": ("get", "/api/v1/audit", None),
        "POST /streams/import": ("post", "/api/v1/streams/import", None),
        "DELETE /sites/acme": ("delete", f"/api/v1/sites/{w.site}", None),
        "DELETE /networks/park": ("delete", f"/api/v1/networks/{net}", None),
        "DELETE /organisations/acme": ("delete", f"/api/v1/organisations/{acme}", None),
    }
    out = {}
    for name, (method, url, body) in calls.items():
        if name == "POST /streams/import":
            files = {"file": ("s.jsonl", b'{"id": "imp-1", "direction": "offer", "title": "T"}\n')}
            r = client.post(url, files=files, headers=hdr)
        else:
            r = client.request(method, url, json=body, headers=hdr)
        out[name] = r.status_code
    return out


ANY_USER = {r: 201 for r in ROLES[1:]} | {"anonymous": 401}


def _only(allowed: dict[str, int], refused: int = 403) -> dict[str, int]:
    return {r: allowed.get(r, 401 if r == "anonymous" else refused) for r in ROLES}


#: endpoint -> role -> status code
MATRIX: dict[str, dict[str, int]] = {
    "POST /organisations": ANY_USER,
    "PATCH /organisations/acme": _only({"acme_admin": 200, "platform_admin": 200}),
    "GET /organisations/acme/members": _only(
        {"acme_member": 200, "acme_admin": 200, "platform_admin": 200}
    ),
    "PUT /organisations/acme/members": _only({"acme_admin": 202, "platform_admin": 202}),
    "GET /organisations/acme/invitations": _only({"acme_admin": 200, "platform_admin": 200}),
    "DELETE /organisations/acme/invitations/new": _only({"acme_admin": 204, "platform_admin": 204}),
    "POST /organisations/acme/sites": _only({"acme_admin": 201, "platform_admin": 201}),
    "PATCH /sites/acme": _only({"acme_admin": 200, "platform_admin": 200}),
    "POST /streams": _only({"acme_member": 201, "acme_admin": 201, "platform_admin": 201}),
    "POST /networks": _only({"hub_facilitator": 201, "platform_admin": 201}),
    "PATCH /networks/park": _only({"hub_facilitator": 200, "platform_admin": 200}),
    "GET /networks/park/pipeline": _only({"hub_facilitator": 200, "platform_admin": 200}),
    "POST /introductions": _only({"acme_member": 201, "acme_admin": 201, "beta_member": 201}),
    "POST /networks/park/introductions": _only({"hub_facilitator": 201, "platform_admin": 201}),
    "GET /tokens": {r: 200 for r in ROLES[1:]} | {"anonymous": 401},
    "GET /audit/verify": _only({"platform_admin": 200}),
    "GET /audit": _only({"platform_admin": 200}),
    "POST /streams/import": _only({"platform_admin": 200}),
    "DELETE /sites/acme": _only({"acme_admin": 204, "platform_admin": 204}),
    "DELETE /networks/park": _only({"hub_facilitator": 204, "platform_admin": 204}),
    "DELETE /organisations/acme": _only({"acme_admin": 204, "platform_admin": 204}),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_exactly(client, world, role):
    w, h = world
    got = _status(client, w, h, role)
    expected = {name: codes[role] for name, codes in MATRIX.items()}
    assert got == expected


def test_read_only_tokens_cannot_write(client, world):
    w, _ = world
    ro = make_user(client, "ro@test.invalid", roles={w.orgs["acme"]: Role.admin}, scope=Scope.read)
    sid = w.streams["private"]
    assert client.get(f"/api/v1/streams/{sid}", headers=ro).status_code == 200
    r = client.patch(f"/api/v1/streams/{sid}", json={"version": 1, "title": "x"}, headers=ro)
    assert r.status_code == 403
    assert client.post("/api/v1/tokens", json={"name": "t"}, headers=ro).status_code == 403


def test_read_only_tokens_read_what_their_role_may_read(client, world):
    w, _ = world
    net = w.network
    hub = make_user(
        client, "ro-hub@test.invalid", roles={w.orgs["hub"]: Role.admin}, scope=Scope.read
    )
    admin = make_user(client, "ro-admin@test.invalid", platform_admin=True, scope=Scope.read)
    assert client.get(f"/api/v1/networks/{net}/pipeline", headers=hub).status_code == 200
    assert (
        client.patch(f"/api/v1/networks/{net}", json={"version": 1}, headers=hub).status_code == 403
    )
    for path in ("/api/v1/audit", "/api/v1/audit/verify"):
        assert client.get(path, headers=admin).status_code == 200, path
    unknown = client.get("/api/v1/networks/999999/pipeline", headers=admin)
    assert unknown.status_code == 404 and "network" in unknown.text
