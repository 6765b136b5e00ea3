"""Trafficking routes counted on a hand-made fixture (tests/fixtures/analytics/routes.jsonl).

The fixture: v1 and v2 went Uzbekistan → Kazakhstan → Almaty → Turkey (v1's transits are
listed out of order in the file, with dates); v3 Uzbekistan → Turkey; v4 Kazakhstan → Almaty
→ Bahrain; v6 the same and also → South Korea; v5 has no known origin, → South Korea; v7
only transited (no destination), so is not counted.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file

FIXTURE = Path(__file__).parent / "fixtures" / "analytics" / "routes.jsonl"


def _route(r: dict) -> tuple:
    return (
        r["origin"]["id"] if r["origin"] else None,
        tuple(t["id"] for t in r["transit"]),
        r["destination"]["id"],
        r["victims"],
    )


def test_routes_count_victims(app_client: TestClient, db: GraphDB) -> None:
    ingest_file(db, FIXTURE)
    resp = app_client.get("/analytics/routes")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["victims"] == 6
    assert sorted(map(_route, body["routes"]), key=str) == sorted(
        [
            ("loc-uz", ("loc-kz", "loc-almaty"), "loc-tr", 2),
            ("loc-uz", (), "loc-tr", 1),
            ("loc-kz", ("loc-almaty",), "loc-bh", 2),
            ("loc-kz", ("loc-almaty",), "loc-kr", 1),
            (None, (), "loc-kr", 1),
        ],
        key=str,
    )
    assert body["routes"][0]["victims"] == 2
    assert {d["id"]: d["victims"] for d in body["destinations"]} == {
        "loc-tr": 3,
        "loc-bh": 2,
        "loc-kr": 2,
    }
    assert body["destinations"][0] == {"id": "loc-tr", "name": "Turkey", "victims": 3}
    assert {o["id"]: o["victims"] for o in body["origins"]} == {"loc-uz": 3, "loc-kz": 2}
    # victims are counted, not named
    assert "Victim" not in resp.text and "per-v" not in resp.text


def test_routes_on_an_empty_graph(app_client: TestClient) -> None:
    body = app_client.get("/analytics/routes").json()
    assert body == {"victims": 0, "routes": [], "destinations": [], "origins": []}
