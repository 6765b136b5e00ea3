"""The API as an outsider, a viewer, an analyst and an ingester would probe it.

- Order oracle: a listing is sorted by the names it shows; a pseudonym sits where its
  pseudonym sorts, whatever decoys are loaded around the victim's real name.
- Addressing: a real id from a caller who may not see her gets exactly an unknown id's 404;
  no error message, redirect or header echoes her real id or a protected value.
- Downgrade: an ingester cannot lower a minor's protection (422 naming the line; she stays
  hidden); a victim role protects even a suspect (protection only rises).
- Ingest reports to non-admins are the same whether a guess about her is right or wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from tests.protection_support import (
    AIGERIM,
    CASE_ID,
    SUSPECT,
    ZHANAR,
    Finder,
    Victim,
    answer_text,
    case_file,
    entity,
    graph_text,
    source,
    write_jsonl,
)

MARIAM = Victim(
    "kz-minor-mariam",
    "Mariam Saparova",
    ("Мариам Сапарова",),
    {"is_minor": True, "age": 15, "nickname": "Mika"},
)


def _load(db: GraphDB, tmp_path: Path, records: list[dict[str, Any]], name: str = "f") -> None:
    ingest_file(db, write_jsonl(tmp_path / f"{name}.jsonl", records))


def _listing(client: TestClient) -> list[dict[str, Any]]:
    r = client.get("/entities", params={"label": "Person", "limit": 500})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def _upload(client: TestClient, records: list[dict[str, Any]]) -> httpx.Response:
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return client.post(
        "/ingest", files={"file": ("update.jsonl", body.encode(), "application/x-ndjson")}
    )


# -- order oracle ------------------------------------------------------------------------------

# Decoys around her real name ("Mariam Saparova"), as an attacker would load them to find
# where her pseudonym falls, and two around her pseudonym ("Victim <12 hex>").
DECOYS = [
    "Mariam Sap",
    "Mariam Saparov",
    "Mariam Saparovaa",
    "Mariam Saparovb",
    "Mariam Saq",
    "Mariam T",
    "Victim 0",
    "Victim zzzz",
]


def test_listing_order_follows_shown_names_not_real_names(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    pid = db.protection_key.pseudo_id(MARIAM.id)
    pseudonym = "Victim " + pid.removeprefix("victim-")
    _load(db, tmp_path, [source(), MARIAM.record()], "victim")
    viewer, analyst = client_for("viewer"), client_for("analyst")
    seen: list[bool] = []
    for i, decoy in enumerate(DECOYS):  # one decoy at a time, as the attack goes
        _load(db, tmp_path, [source(), entity(f"decoy-{i}", "Person", decoy)], f"decoy{i}")
        for client in (viewer, analyst):
            listed = _listing(client)
            shown = [(e["name"], e["id"]) for e in listed]
            assert shown == sorted(shown), "sorted by the names shown"
            ids = [e["id"] for e in listed]
            assert pid in ids and next(e for e in listed if e["id"] == pid)["redacted"] is True
            seen.append(ids.index(pid) < ids.index(f"decoy-{i}"))
    expected = [pseudonym < d for d in DECOYS for _ in (1, 2)]
    by_real_name = [MARIAM.name < d for d in DECOYS for _ in (1, 2)]
    assert seen == expected
    assert seen != by_real_name  # the decoys tell the two orders apart


def test_search_by_real_name_finds_no_pseudonym_for_those_who_may_not_see_her(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _load(db, tmp_path, [source(), MARIAM.record(), entity("decoy", "Person", "Mariam Sapar")])
    pid = db.protection_key.pseudo_id(MARIAM.id)
    clients = {role: client_for(role) for role in ("viewer", "analyst", "ingester", "admin")}
    for q in ("Mariam Saparova", "Saparova", "Сапарова", "Мариам", "Mika"):
        for role, client in clients.items():
            r = client.get("/entities", params={"q": q, "limit": 50})
            # only an admin finds her, by any word of her names (the control)
            assert (pid in r.text) == (role == "admin"), (role, q)


# -- addressing a protected person ---------------------------------------------------------------


def _normalised(r: httpx.Response, sent: str) -> tuple[int, str, dict[str, str]]:
    headers = {k: v for k, v in r.headers.items() if k not in ("content-length", "date")}
    return r.status_code, r.text.replace(sent, "<ID>"), headers


def test_real_id_gets_the_same_404_as_an_unknown_id(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _load(db, tmp_path, case_file(AIGERIM, ZHANAR))
    unknown = "kz-minor-nobody0"
    assert len(unknown) == len(AIGERIM.id)
    routes = [
        "/entities/{id}",
        "/entities/{id}/neighborhood",
        "/entities/{id}/neighborhood?depth=2&limit=50",
        "/paths?source={id}&target=" + CASE_ID,
        "/paths?source=" + CASE_ID + "&target={id}",
    ]
    for role in ("viewer", "ingester", "analyst"):  # none of them may see a minor
        client = client_for(role)
        for route in routes:
            real = client.get(route.format(id=AIGERIM.id))
            other = client.get(route.format(id=unknown))
            assert real.status_code == 404, (role, route, real.text)
            assert _normalised(real, AIGERIM.id) == _normalised(other, unknown), (role, route)
    # the controls: an analyst may address an adult victim, an admin anyone, by real id
    assert client_for("analyst").get(f"/entities/{ZHANAR.id}").json()["name"] == ZHANAR.name
    assert client_for("admin").get(f"/entities/{AIGERIM.id}").json()["name"] == AIGERIM.name


def test_errors_and_redirects_echo_no_real_id_or_name(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _load(db, tmp_path, case_file(AIGERIM))
    pid = db.protection_key.pseudo_id(AIGERIM.id)
    find = Finder(AIGERIM.needles() | {AIGERIM.id.lower()})
    urls = [
        f"/entities/{pid}",
        f"/entities/{pid}/",
        f"/entities/{pid}/neighborhood/",
        f"/entities/{pid}/neighborhood?depth=99",
        f"/entities/{pid}/neighborhood?limit=0",
        f"/entities/{pid}/nothing-here",
        f"/entities?label={pid}",
        f"/entities?q={pid}",
        f"/paths?source={pid}&target=kz-nowhere",
        f"/paths?source={pid}&target={CASE_ID}&max_depth=99",
        f"/paths?source={pid}&target={CASE_ID}",
        f"/analytics/pyramid/{pid}",
        f"/analytics/pyramid/{pid}/",
        f"/export?format={pid}",
        f"/queries/{pid}",
        f"/{pid}",
    ]
    checked = 0
    for role in ("none", "viewer", "ingester", "analyst"):
        client = client_for(role)
        for url in urls:
            r = client.get(url, follow_redirects=False)
            hops = [r]
            if r.is_redirect:
                hops.append(client.get(r.headers["location"], follow_redirects=False))
            for hop in hops:
                blob = hop.text + "\n" + "\n".join(f"{k}: {v}" for k, v in hop.headers.items())
                assert hop.status_code < 500, (role, url, hop.text[:300])
                assert find(blob) == set(), (role, url, blob[:500])
                checked += 1
    assert checked >= 4 * len(urls)
    # a viewer's own page of her pseudonym: nothing of her
    page = client_for("viewer").get(f"/entities/{pid}")
    assert page.status_code == 200
    assert page.json()["redacted"] is True and page.json()["properties"] == {}
    assert find(page.text) == set()


# -- an ingester ---------------------------------------------------------------------------------


def test_ingester_cannot_lower_a_minors_protection(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _load(db, tmp_path, case_file(AIGERIM))
    pid = db.protection_key.pseudo_id(AIGERIM.id)
    ingester = client_for("ingester")
    before = graph_text(db)
    other = entity("kz-org-shelter", "Organization", "Korgau Shelter")
    for props in ({"age": 19, "is_minor": False}, {"is_minor": False}, {"age": 19}):
        r = _upload(ingester, [source(), other, AIGERIM.record(**props)])
        assert r.status_code == 422, (props, r.text)
        details = r.json()["error"]["details"]
        lowered = [d for d in details if "lower" in d["reason"]]
        assert lowered and all(d["line"] == 3 for d in lowered), details
        assert "line 3" in r.json()["error"]["message"]
        assert graph_text(db) == before, "a refused file writes nothing"
    # an adult's birth year does not lower it either
    _upload(ingester, [source(), AIGERIM.record(birth_year=1990)])
    level = db.read("MATCH (p:Person {id: $id}) RETURN p.protection AS l", {"id": pid})
    assert level == [{"l": "minors"}]
    analyst = client_for("analyst")
    find = Finder(AIGERIM.needles())
    for url, params in (
        (f"/entities/{pid}", {}),
        ("/entities", {"q": "Сапарова"}),
        ("/entities", {"label": "Person", "limit": 500}),
        (f"/entities/{CASE_ID}/neighborhood", {}),
    ):
        r = analyst.get(url, params=params)
        assert find(answer_text(r)) == set(), (url, r.text[:500])
    assert analyst.get(f"/entities/{pid}").json()["redacted"] is True


def test_a_victim_role_protects_a_suspect_and_protection_only_rises(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _load(db, tmp_path, case_file())
    ingester, viewer = client_for("ingester"), client_for("viewer")
    assert viewer.get(f"/entities/{SUSPECT['id']}").json()["name"] == "Ruslan Tokhtarov"
    marked = {**SUSPECT, "properties": {"role": "victim of a pyramid scheme"}}
    assert _upload(ingester, [source(), marked]).status_code == 200
    unmarked = {**SUSPECT, "properties": {"role": "suspect"}}
    assert _upload(ingester, [source(), unmarked]).status_code == 200
    pid = db.protection_key.pseudo_id(SUSPECT["id"])
    level = db.read("MATCH (p:Person {id: $id}) RETURN p.protection AS l", {"id": pid})
    assert level == [{"l": "all"}]
    find = Finder({"ruslan", "tokhtarov", "руслан", "тохтаров"})
    assert find(graph_text(db)) == set()
    assert viewer.get(f"/entities/{SUSPECT['id']}").status_code == 404
    for params in ({"q": "Tokhtarov"}, {"label": "Person", "limit": 500}):
        assert find(answer_text(viewer.get("/entities", params=params))) == set()
    # analysts see adult victims
    assert client_for("analyst").get(f"/entities/{pid}").json()["name"] == "Ruslan Tokhtarov"


def test_ingest_reports_to_an_ingester_do_not_confirm_guesses(
    db: GraphDB, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _load(db, tmp_path, case_file(ZHANAR))
    ingester = client_for("ingester")

    def report(record: dict[str, Any]) -> dict[str, Any]:
        r = _upload(ingester, [source(), record])
        assert r.status_code == 200, r.text
        return {k: v for k, v in r.json().items() if k not in ("run_id", "seconds")}

    true_props = ZHANAR.record()
    reports = [
        report(true_props),  # exactly what is stored
        report(ZHANAR.record(city="Almaty")),  # a wrong guess of a property
        report(true_props),  # the truth again
        report(ZHANAR.record(nickname="Zhanka")),  # a right guess
        report(ZHANAR.record(nickname="Zhaniya")),  # a wrong one
        report(entity(ZHANAR.id, "Person", "Zhanar Kemelbekova")),  # her name
        report(entity(ZHANAR.id, "Person", "Zhanar Bekova")),  # a wrong name
    ]
    assert all(r == reports[0] for r in reports), json.dumps(reports, indent=1)
    assert Finder(ZHANAR.needles())(json.dumps(reports, ensure_ascii=False)) == set()
