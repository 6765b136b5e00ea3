"""The entities API on the seed: search in two scripts, entity pages, neighborhoods,
and clear 404/422 answers."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _ids(resp_json: dict) -> list[str]:  # type: ignore[type-arg]
    return [r["id"] for r in resp_json["results"]]


def test_search_latin_and_cyrillic_find_the_same_person(seeded_client: TestClient) -> None:
    latin = seeded_client.get("/entities", params={"q": "Taev"}).json()
    cyrillic = seeded_client.get("/entities", params={"q": "Таев"}).json()
    assert _ids(latin)[0] == _ids(cyrillic)[0]
    assert latin["results"][0]["name"] == "Duman Taev"


def test_search_questra_lists_the_pyramid_organizations(seeded_client: TestClient) -> None:
    body = seeded_client.get("/entities", params={"q": "questra", "label": "Organization"}).json()
    names = {r["name"] for r in body["results"]}
    assert {"Questra World", "Questra Holding"} <= names
    # The article names one pyramid by four names: all four answer to "Questra".
    body = seeded_client.get("/entities", params={"q": "Questra"}).json()
    assert {
        "Questra World",
        "Questra Holding",
        "Atlantic Global Asset Management",
        "Five Winds Asset Management",
    } <= {r["name"] for r in body["results"]}


def test_search_by_label_only_returns_that_kind(seeded_client: TestClient) -> None:
    body = seeded_client.get("/entities", params={"label": "Location", "limit": 50}).json()
    assert body["count"] >= 7
    assert {r["label"] for r in body["results"]} == {"Location"}


def test_search_finds_nothing_for_an_unknown_name(seeded_client: TestClient) -> None:
    body = seeded_client.get("/entities", params={"q": "Zzyzx Nonexistent"}).json()
    assert body["results"] == []


def test_entity_page_has_properties_sources_and_degree(seeded_client: TestClient) -> None:
    hit = seeded_client.get("/entities", params={"q": "Questra World"}).json()["results"][0]
    page = seeded_client.get(f"/entities/{hit['id']}").json()
    assert page["name"] == "Questra World"
    assert page["label"] == "Organization"
    assert page["sources"] and page["source_documents"][0]["id"] == page["sources"][0]
    assert page["degree"] == sum(page["relationship_counts"].values()) > 0


def test_depth_two_neighborhood_of_questra_world(seeded_client: TestClient) -> None:
    hit = seeded_client.get("/entities", params={"q": "Questra World"}).json()["results"][0]
    body = seeded_client.get(f"/entities/{hit['id']}/neighborhood", params={"depth": 2}).json()
    nodes = {n["id"]: n for n in body["nodes"]}
    names = {n["name"] for n in body["nodes"]}
    assert any(n["label"] == "Case" and "Questra" in n["name"] for n in body["nodes"])
    assert any("Investigative Department" in name for name in names)
    for e in body["edges"]:
        assert e["from"] in nodes and e["to"] in nodes and e["sources"]
    depth1 = seeded_client.get(f"/entities/{hit['id']}/neighborhood", params={"depth": 1}).json()
    assert len(depth1["nodes"]) < len(body["nodes"])


def test_neighborhood_limit_truncates(seeded_client: TestClient) -> None:
    hit = seeded_client.get("/entities", params={"q": "Kazakhstan", "label": "Location"}).json()
    kz = hit["results"][0]["id"]
    body = seeded_client.get(f"/entities/{kz}/neighborhood", params={"depth": 2, "limit": 3}).json()
    assert len(body["nodes"]) == 3 and body["truncated"] is True


def test_unknown_id_is_404(seeded_client: TestClient) -> None:
    for path in ("/entities/nope", "/entities/nope/neighborhood"):
        r = seeded_client.get(path)
        assert r.status_code == 404
        assert "nope" in r.json()["error"]["message"]


def test_out_of_range_parameters_are_422(seeded_client: TestClient) -> None:
    for params in ({"depth": 0}, {"depth": 4}, {"limit": 0}, {"depth": "x"}):
        r = seeded_client.get("/entities/org-questra-world/neighborhood", params=params)
        assert r.status_code == 422, params
        assert r.json()["error"]["message"]
    r = seeded_client.get("/entities", params={"label": "Human`) DELETE n"})
    assert r.status_code == 422
    assert "unknown kind" in r.json()["error"]["message"]
    assert seeded_client.get("/entities", params={"limit": 10_000}).status_code == 422
