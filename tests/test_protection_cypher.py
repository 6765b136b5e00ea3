"""An analyst's Cypher surface: ad-hoc Cypher, saved queries and exports recover no minor.

Analysts may see adult victims (level ``all``), never minors. Each query below is one an
attacker with an analyst key would try: string functions over the stored name, maps,
``keys``/``properties``, collections, ordering, maps shaped like the API's own node answers
(to make the API decrypt a minor as if she were an adult), and the procedures that show
other users' queries (``db.stats.*``, ``dbms.*``), which are refused.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from tests.protection_support import (
    AIGERIM,
    CASE_ID,
    MADINA,
    SUSPECT,
    ZHANAR,
    Finder,
    answer_text,
    case_file,
    rel,
    write_jsonl,
)

MINORS = Finder(AIGERIM.needles() | MADINA.needles())

# ad-hoc queries; $pid is the minor's pseudonymous id, $zid the adult victim's
ATTACKS = [
    "MATCH (p:Person) RETURN p",
    "MATCH (p:Person) RETURN p.name AS name, p.aliases AS aliases, p.name_key AS k",
    "MATCH (p:Person) RETURN reverse(p.name) AS r, split(p.name, ' ') AS s",
    "MATCH (p:Person) RETURN substring(p.name, 0, 3) AS a, substring(p.name, 7) AS b",
    "MATCH (p:Person) RETURN p{.*} AS m",
    "MATCH (p:Person) RETURN keys(p) AS k, properties(p) AS props",
    "MATCH (p:Person) RETURN [k IN keys(p) | k + '=' + toString(p[k])] AS kv",
    "MATCH (p:Person) RETURN collect(p) AS all, collect(p.name) AS names",
    "MATCH (p:Person) RETURN p.id AS id ORDER BY p.sealed",
    "MATCH (p:Person) RETURN p.name AS n ORDER BY p.blind_text DESC",
    "MATCH (p:Person) WHERE p.name STARTS WITH 'A' OR p.name CONTAINS 'ова' RETURN p",
    "MATCH (p:Person) RETURN p.age AS age, p.is_minor AS minor, p.birth_date AS born, "
    "p.birth_year AS y, p.nickname AS nick",
    "MATCH (p:Person {id: $pid}) RETURN p.sealed AS sealed, p.blind_text AS blind",
    "MATCH (p:Person)-[r]-(x) RETURN p, r, x",
    "MATCH path = (:Person)-[*1..2]-() RETURN path",
    "MATCH (c:Case) RETURN c{.*} AS c",
    # maps shaped like the API's node dicts, claiming the adult level for a minor's sealed
    # value, as columns and as a map
    "MATCH (p:Person {id: $pid}) RETURN p.id AS id, p.name AS name, p.sealed AS _sealed, "
    "'all' AS _level",
    "MATCH (p:Person {id: $pid}) RETURN {id: p.id, name: p.name, aliases: [], "
    "properties: {}, _sealed: p.sealed, _level: 'all'} AS m",
    "MATCH (p:Person) RETURN collect({id: p.id, name: '', _sealed: p.sealed, _level: 'all'}) AS m",
    # a minor's sealed value under an adult victim's id (the ciphertext is bound to its node)
    "MATCH (p:Person {id: $pid}), (z:Person {id: $zid}) "
    "RETURN {id: z.id, name: '', _sealed: p.sealed, _level: 'all'} AS m",
    # the sealed text of a linked case, claimed as the caller's to restore
    "MATCH (c:Case) RETURN {id: c.id, name: c.name, properties: {description: c.description}, "
    "_sealed_text: c.sealed_text} AS m",
]

REFUSED = [
    "CALL db.stats.retrieve('QUERIES')",
    "CALL db.stats.retrieve('QUERIES') YIELD data RETURN data",
    "CALL db.stats.status()",
    "CALL db.stats.retrieveAllAnonymized('x')",
    "CALL dbms.components()",
    "CALL dbms.listConfig()",
    "CALL dbms.showCurrentUser()",
]


@pytest.fixture
def loaded(db: GraphDB, tmp_path: Path) -> GraphDB:
    records = [
        *case_file(AIGERIM, MADINA, ZHANAR),
        rel("EXPLOITED", SUSPECT["id"], AIGERIM.id, {"form": "sexual"}),
    ]
    ingest_file(db, write_jsonl(tmp_path / "case.jsonl", records))
    return db


def _params(db: GraphDB) -> dict[str, str]:
    key = db.protection_key
    return {"pid": key.pseudo_id(AIGERIM.id), "zid": key.pseudo_id(ZHANAR.id)}


@pytest.mark.parametrize("query", ATTACKS)
def test_analyst_cypher_recovers_no_minor(
    loaded: GraphDB, client_for: Callable[[str], TestClient], query: str
) -> None:
    analyst = client_for("analyst")
    params = {k: v for k, v in _params(loaded).items() if "$" + k in query}
    r = analyst.post("/cypher", json={"query": query, "params": params})
    assert r.status_code < 500, r.text
    assert MINORS(answer_text(r)) == set(), (query, r.text[:800])


def test_analyst_cypher_shows_adult_victims_only(
    loaded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    """The control for the test above: the same query shows the adult victim in clear to an
    analyst (her level) and the minors as pseudonyms, so the leak search is not vacuous."""
    r = client_for("analyst").post("/cypher", json={"query": "MATCH (p:Person) RETURN p"})
    assert r.status_code == 200
    text = answer_text(r)
    assert ZHANAR.name in text
    assert MINORS(text) == set()
    people = [row["p"] for row in r.json()["rows"]]
    hidden = [p for p in people if p.get("redacted")]
    assert len(hidden) == 2 and all(p["name"].startswith("Victim ") for p in hidden)
    # and an admin sees the minors (the key decrypts them)
    admin = client_for("admin").post("/cypher", json={"query": "MATCH (p:Person) RETURN p"})
    assert AIGERIM.name in admin.text and MADINA.name in admin.text


@pytest.mark.parametrize("query", REFUSED)
def test_procedures_that_show_other_users_queries_are_refused(
    loaded: GraphDB, client_for: Callable[[str], TestClient], query: str
) -> None:
    # an admin searches a minor by name first: her name must not come back through the stats
    admin = client_for("admin")
    admin.get("/entities", params={"q": AIGERIM.name})
    admin.post(
        "/cypher",
        json={"query": "MATCH (p:Person) WHERE p.id = $x RETURN p", "params": {"x": AIGERIM.id}},
    )
    r = client_for("analyst").post("/cypher", json={"query": query})
    assert MINORS(answer_text(r)) == set(), r.text[:800]
    assert 400 <= r.status_code < 500, (query, r.status_code, r.text[:300])


def _fill(param: dict[str, Any], db: GraphDB) -> Any:
    pid = db.protection_key.pseudo_id(AIGERIM.id)
    by_name = {
        "case_id": CASE_ID,
        "entity_id": pid,
        "from_id": SUSPECT["id"],
        "to_id": pid,
        "org_id": "kz-org-none",
        "country": "Kazakhstan",
    }
    return by_name.get(param["name"], "x")


def test_saved_queries_and_exports_show_no_minor_to_an_analyst(
    loaded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    analyst = client_for("analyst")
    listed = analyst.get("/queries").json()["queries"]
    assert any(q["name"] == "minors-and-exploiters" for q in listed)
    ran = 0
    for q in listed:
        params = {p["name"]: _fill(p, loaded) for p in q["params"] if p["required"]}
        r = analyst.post(f"/queries/{q['name']}/run", json={"params": params})
        assert r.status_code < 500, (q["name"], r.text[:300])
        assert MINORS(answer_text(r, drop=())) == set(), (q["name"], r.text[:800])
        ran += r.status_code == 200
    assert ran >= len(listed) - 2
    # the shipped minors query shows no age beside a pseudonym to a role that may not see her
    rows = analyst.post("/queries/minors-and-exploiters/run", json={"params": {}}).json()["rows"]
    assert all(row.get("age") is None for row in rows), rows
    for fmt in ("json", "jsonl", "csv", "graphml", "gexf", "cytoscape", "ftm"):
        r = analyst.get("/export", params={"format": fmt})
        assert r.status_code == 200, (fmt, r.text[:300])
        if fmt == "csv":  # a zip: look inside
            with zipfile.ZipFile(io.BytesIO(r.content)) as z:
                text = "\n".join(z.read(n).decode("utf-8") for n in z.namelist())
        else:
            text = r.content.decode("utf-8")
        assert MINORS(text) == set(), (fmt, text[:800])
        assert ZHANAR.name in text, fmt  # the adult victim is in clear for an analyst
