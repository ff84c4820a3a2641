"""CLI contract commands end to end, bad input lines, and the REST router."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sidestream.cli import app
from sidestream.matching.api import router

runner = CliRunner()


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", "utf-8"
    )
    return path


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_recommend_sectors_command(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [
        {"id": "a", "description": "coal fly ash", "waste_code": "10 01 02", "donor_nace": "3511"},
        {"id": "b", "description": "sawdust and wood shavings"},
    ])  # fmt: skip
    result = runner.invoke(app, ["recommend-sectors", str(src), "--top", "5"])
    assert result.exit_code == 0, result.output
    out = _lines(result.stdout)
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["sectors"][0]["nace"] == "2351"
    assert len(out[0]["sectors"]) == 5
    assert all(len(s["nace"]) == 4 and s["why"] for s in out[1]["sectors"])
    scores = [s["score"] for s in out[0]["sectors"]]
    assert scores == sorted(scores, reverse=True)


def test_recommend_sectors_bad_lines(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [
        {"id": "ok", "description": "whey"}, "{not json", {"id": "x"}, [1, 2],
    ])  # fmt: skip
    result = runner.invoke(app, ["recommend-sectors", str(src)])
    assert result.exit_code == 1
    # "x" has nothing to go on but an id: it is still answered (with a warning)
    assert [o["id"] for o in _lines(result.stdout)] == ["ok", "x"]
    assert "line 2" in result.stderr and "line 3: warning" in result.stderr
    assert "line 4" in result.stderr


def test_match_files_command(tmp_path: Path) -> None:
    offers = _write(tmp_path / "offers.jsonl", [
        {"id": "o1", "direction": "offer", "title": "Coal fly ash", "waste_code": "100102",
         "organisation_nace": "3511", "lat": 60.2, "lon": 24.9},
        {"id": "o2", "direction": "offer", "title": "Surplus heat", "kind": "energy",
         "lat": 60.2, "lon": 24.9, "properties": {"temperature_c": 70}},
    ])  # fmt: skip
    needs = _write(tmp_path / "needs.jsonl", [
        {"id": "n1", "direction": "need", "title": "Cement raw materials",
         "organisation_nace": "23.51", "lat": 60.4, "lon": 25.1},
        {"id": "n2", "direction": "need", "title": "Greenhouse heating", "kind": "energy",
         "organisation_nace": "0113", "lat": 60.21, "lon": 24.91},
    ])  # fmt: skip
    result = runner.invoke(app, ["match-files", str(offers), str(needs), "--top", "3"])
    assert result.exit_code == 0, result.output
    out = _lines(result.stdout)
    assert [o["offer_id"] for o in out] == ["o1", "o2"]
    assert out[0]["matches"][0]["need_id"] == "n1"
    assert out[1]["matches"][0]["need_id"] == "n2"
    reason = out[0]["matches"][0]["reasons"][0]
    assert set(reason) == {"component", "score", "weight", "detail", "stated"}


def test_match_files_bad_lines(tmp_path: Path) -> None:
    offers = _write(tmp_path / "offers.jsonl", [
        {"id": "o1", "direction": "offer", "title": "Coal fly ash", "waste_code": "100102"},
        {"id": "o2", "direction": "offer", "title": "x", "waste_code": "999999"},
        {"id": "o3", "direction": "offer", "title": "x", "colour": "red"},
        {"id": "o4", "direction": "need", "title": "x"},
        {"direction": "offer", "title": "no id"},
    ])  # fmt: skip
    needs = _write(tmp_path / "needs.jsonl", [
        {"id": "n1", "direction": "need", "title": "Cement plant", "organisation_nace": "2351"},
        {"id": "n2", "direction": "need", "title": "x", "lat": 60.0},
    ])  # fmt: skip
    result = runner.invoke(app, ["match-files", str(offers), str(needs)])
    assert result.exit_code == 1
    assert [o["offer_id"] for o in _lines(result.stdout)] == ["o1", "o2", "o3", "o4"]
    err = result.stderr
    assert "line 2: warning: waste_code" in err
    assert "line 3: warning: colour: unknown field" in err
    assert "line 4: warning: direction" in err
    assert "offers.jsonl: line 5: id: missing" in err
    assert "needs.jsonl: line 2: warning: lat" in err


def test_api_router() -> None:
    api = FastAPI()
    api.include_router(router)
    client = TestClient(api)
    r = client.post("/api/v1/recommend-sectors", json={"description": "fly ash", "top": 3})
    assert r.status_code == 200 and r.json()[0]["nace"] == "2351"
    heat = {"description": "surplus heat", "top": 20}
    hot = client.post("/api/v1/recommend-sectors", json=heat | {"temperature_c": 120}).json()
    cold = client.post("/api/v1/recommend-sectors", json=heat | {"temperature_c": 45}).json()

    def patterns(recs: list[dict]) -> set[str]:
        return {e.get("pattern") for r in recs for e in r["evidence"]}

    assert "heat-orc-power" in patterns(hot) and "heat-orc-power" not in patterns(cold)
    lava = client.post("/api/v1/recommend-sectors", json=heat | {"temperature_c": 5000})
    assert lava.status_code == 422 and "temperature_c" in lava.text
    truth = client.post("/api/v1/recommend-sectors", json=heat | {"temperature_c": True})
    assert truth.status_code == 422 and "temperature_c" in truth.text
    wet = {"description": "surplus heat and waste water", "top": 20}
    as_heat = client.post("/api/v1/recommend-sectors", json=wet | {"kind": "energy"}).json()
    as_any = client.post("/api/v1/recommend-sectors", json=wet).json()
    assert "wastewater-digestion" in patterns(as_any)
    assert "wastewater-digestion" not in patterns(as_heat)
    plasma = client.post("/api/v1/recommend-sectors", json=wet | {"kind": "plasma"})
    assert plasma.status_code == 422 and "kind" in plasma.text
    body = {
        "offers": [
            {"id": "o", "direction": "offer", "title": "Coal fly ash", "waste_code": "100102"}
        ],
        "needs": [{"id": "n", "direction": "need", "title": "Cement", "organisation_nace": "2351"}],
        "top": 5,
    }
    r = client.post("/api/v1/match", json=body)
    assert r.status_code == 200
    assert r.json()[0]["matches"][0]["need_id"] == "n"
    bad = client.post("/api/v1/match", json={"offers": [{"id": "o"}], "needs": []})
    assert bad.status_code == 422
    for change, expected in (
        ({"offers": body["needs"]}, "offers[0]: direction is 'need'"),
        ({"needs": body["needs"] * 2}, "needs[1]: duplicate id 'n'"),
        ({"colour": "red"}, "colour"),
        ({"offers": [body["offers"][0] | {"description": "ash " * 5001}]}, "description"),
        ({"offers": [body["offers"][0] | {"title": "a" * 301}]}, "title"),
        ({"needs": [body["needs"][0] | {"id": str(i)} for i in range(1001)]}, "needs"),
        (
            {"needs": [body["needs"][0] | {"properties": {"water_network": "sea"}}]},
            "properties.water_network must be one of public, own",
        ),
    ):
        r = client.post("/api/v1/match", json=body | change)
        assert r.status_code == 422 and expected in r.text, (change, r.text)


def test_api_refuses_codes_and_keys_it_does_not_know() -> None:
    api = FastAPI()
    api.include_router(router)
    client = TestClient(api)
    ash = {"description": "fly ash", "top": 3}
    for change, field in (
        ({"waste_code": "999999"}, "waste_code"),
        ({"donor_nace": "zz"}, "donor_nace"),
        ({"colour": "red"}, "colour"),
        ({"description": "fly ash " * 2501}, "description"),  # at most 20,000 characters
    ):
        r = client.post("/api/v1/recommend-sectors", json=ash | change)
        assert r.status_code == 422 and field in r.text, (change, r.text)
    for hint in ({"donor_nace": "35.11"}, {"waste_code": "10 01"}, {"waste_code": "17"}):
        ok = client.post("/api/v1/recommend-sectors", json=ash | hint)  # families are hints
        assert ok.status_code == 200, (hint, ok.text)
