"""The typed contract of the HTTP API (issue 11): the OpenAPI description names a schema for
every answer, the answers match it, every route declares its right, and typing the routes
changed nothing that victim protection depends on.

The first tests need no database (the description and the start-up checks); the others
call every JSON route on the seed dataset and hold each answer against its schema.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel

from casegraph.api.app import ROUTERS, check_app, create_app
from casegraph.api.auth import required_right
from casegraph.api.context import context_of
from casegraph.api.rights import OPEN, RightsTable, UndeclaredRights, require
from casegraph.api.schemas.entities import EntityOut, NeighborhoodOut, SearchOut
from casegraph.errors import ConfigurationError
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings

ClientFor = Callable[[str], TestClient]
HIDDEN = ('"_sealed"', '"_level"', '"_sealed_text"')  # as JSON keys
GIRL = "per-girl-16-almaty"
ORG = "org-questra-world"


@pytest.fixture
def offline(tmp_path: Path) -> Settings:
    """Settings of an app whose Neo4j is not there (the description needs none)."""
    return Settings(
        neo4j_uri="bolt://127.0.0.1:1",
        audit_path=tmp_path / "audit.log",
        neo4j_data=tmp_path / "neo4j",
        protection_key=base64.b64encode(secrets.token_bytes(32)).decode(),
    )


@pytest.fixture
def openapi(offline: Settings) -> Iterator[dict[str, Any]]:
    with TestClient(create_app(settings=offline)) as anonymous:
        r = anonymous.get("/openapi.json")  # open: no key
        assert r.status_code == 200
        yield r.json()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def is_ref(schema: dict[str, Any]) -> bool:
    return str(schema.get("$ref", "")).startswith("#/components/schemas/")


def test_every_success_answer_has_a_named_schema(openapi: dict[str, Any]) -> None:
    ops = operations(openapi)
    assert len(ops) >= 21
    unnamed = []
    for method, path, op in ops:
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert ok, (method, path)
        for code, response in ok.items():
            content = response.get("content") or {}
            assert content, (method, path, code, "no content documented")
            json_answer = content.get("application/json")
            if json_answer is not None and not is_ref(json_answer.get("schema", {})):
                unnamed.append((method, path, code))
    assert unnamed == []
    schemas = openapi["components"]["schemas"]
    # FastAPI's own 422 shape is not what casegraph answers: nothing refers to it
    assert "HTTPValidationError" not in schemas


def test_every_operation_documents_its_error_answers(openapi: dict[str, Any]) -> None:
    for method, path, op in operations(openapi):
        errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        assert errors, (method, path)
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)
        right = required_right(method, path)
        if right is None:
            assert "503" in errors, (method, path)
        else:
            assert {"401", "403", "422"} <= set(errors), (method, path)


def test_error_schema_is_the_one_every_error_uses(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    assert schemas["ErrorOut"]["required"] == ["error"]
    assert set(schemas["ErrorBody"]["properties"]) == {"type", "message", "details"}
    # graph shapes keep DESIGN.md's field names
    assert set(schemas["EdgeOut"]["properties"]) >= {"type", "from", "to", "sources"}
    assert set(schemas["NodeOut"]["properties"]) >= {"id", "label", "name", "aliases"}


# -- one app context ---------------------------------------------------------------------------


def test_the_app_keeps_one_frozen_context(offline: Settings) -> None:
    app = create_app(settings=offline)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 503  # no Neo4j there: a clear 503
        context = context_of(app)
        assert set(app.state._state) == {"context"}
        assert context.settings is offline and context.owns_db
        with pytest.raises(dataclasses.FrozenInstanceError):
            context.db = context.db  # type: ignore[misc]
    # closed at shutdown: the request above is on disk
    assert json.loads(offline.audit_path.with_name("audit-anonymous.log").read_text())["path"] == (
        "/health"
    )


# -- rights declared on the routers -----------------------------------------------------------


def test_every_router_declares_one_right() -> None:
    for router in ROUTERS:
        table = RightsTable.of(router.routes)  # strict: raises for an undeclared route
        assert table.rules, router


def test_a_route_without_a_right_stops_the_app(offline: Settings) -> None:
    app = create_app(settings=offline)

    @app.get("/undeclared")
    def undeclared() -> dict[str, str]:
        return {}

    with pytest.raises(UndeclaredRights, match="GET /undeclared: declares no right"):
        check_app(app, offline)
    # not started through create_app's check, it still needs admin (deny by default)
    assert RightsTable.of(app.routes, strict=False).required("GET", "/undeclared") == "admin"


def test_a_route_with_two_rights_or_plain_json_stops_the_app(offline: Settings) -> None:
    app = create_app(settings=offline)
    app.add_api_route(
        "/twice", lambda: {}, dependencies=[require("read"), OPEN], response_model=None
    )
    with pytest.raises(UndeclaredRights, match="declares several rights"):
        check_app(app, offline)
    plain = create_app(settings=offline)
    plain.add_api_route(
        "/plain", lambda: {}, dependencies=[require("read")], response_class=JSONResponse
    )
    with pytest.raises(ConfigurationError, match="without the caller's disclosure"):
        check_app(plain, offline)


def test_open_routes_are_declared_open() -> None:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    for router in ROUTERS:
        app.include_router(router)
    table = RightsTable.of(app.routes)
    open_paths = {r.path for r in table.rules if r.right is None}
    assert open_paths == {"/health", "/", "/web/{name:path}"}
    assert required_right("GET", "/openapi.json") is None
    assert required_right("GET", "/docs") is None
    assert required_right("HEAD", "/health") is None  # HEAD needs what GET needs
    assert required_right("POST", "/health") == "admin"  # a method a path lacks
    assert required_right("GET", "/entities/") == "admin"  # no such route


# -- answers hold to the schemas ----------------------------------------------------------------


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def undeclared_keys(doc: dict[str, Any], schema: dict[str, Any], value: Any, at: str) -> list[str]:
    """Keys of ``value`` that its schema does not declare (where it declares properties and
    does not say that it holds a record's other properties as they are)."""
    schema = resolve(doc, schema)
    if schema.get("x-other-properties"):
        return []
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [resolve(doc, s) for s in schema[key] if s.get("type") != "null"]
            found = [undeclared_keys(doc, s, value, at) for s in options]
            return min(found, key=len) if found else []
    out: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for k, v in value.items():
            if k not in props:
                out.append(f"{at}.{k}")
            else:
                out += undeclared_keys(doc, props[k], v, f"{at}.{k}")
    elif isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value[:50]):
            out += undeclared_keys(doc, schema["items"], v, f"{at}[{i}]")
    return out


def success_schema(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses = doc["paths"][path][method.lower()]["responses"]
    ok = next(r for code, r in responses.items() if code.startswith("2"))
    return dict(ok["content"]["application/json"]["schema"])


def calls(db: GraphDB) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, path template, url, request kwargs) of a call to every JSON route."""
    girl = db.protection_key.pseudo_id(GIRL)
    return [
        ("GET", "/health", "/health", {}),
        ("GET", "/model", "/model", {}),
        ("GET", "/entities", "/entities", {"params": {"q": "Taev"}}),
        ("GET", "/entities", "/entities", {"params": {"label": "Person", "limit": 100}}),
        ("GET", "/entities/{entity_id}", f"/entities/{girl}", {}),
        ("GET", "/entities/{entity_id}", "/entities/per-duman-taev", {}),
        (
            "GET",
            "/entities/{entity_id}/neighborhood",
            f"/entities/{girl}/neighborhood",
            {"params": {"depth": 2, "with_sources": True}},
        ),
        (
            "GET",
            "/paths",
            "/paths",
            {"params": {"source": "per-duman-taev", "target": "per-farm-owner"}},
        ),
        (
            "GET",
            "/analytics/centrality",
            "/analytics/centrality",
            {"params": {"measure": "betweenness", "k": 3}},
        ),
        ("GET", "/analytics/communities", "/analytics/communities", {}),
        ("GET", "/analytics/brokers", "/analytics/brokers", {}),
        ("GET", "/analytics/key-players", "/analytics/key-players", {"params": {"k": 2}}),
        ("GET", "/analytics/routes", "/analytics/routes", {}),
        ("GET", "/analytics/pyramid/{org_id}", f"/analytics/pyramid/{ORG}", {}),
        ("GET", "/queries", "/queries", {}),
        ("GET", "/queries/{name}", "/queries/victims-by-destination", {}),
        (
            "POST",
            "/queries/{name}/run",
            "/queries/victims-by-destination/run",
            {"json": {"params": {"country": "Bahrain"}}},
        ),
        (
            "POST",
            "/cypher",
            "/cypher",
            {"json": {"query": "MATCH (p:Person)-[r]->(c:Case) RETURN p, r, c LIMIT 20"}},
        ),
        ("GET", "/entities/{entity_id}/timeline", "/entities/case-questra-pyramid/timeline", {}),
        ("GET", "/entities/{entity_id}/timeline", f"/entities/{girl}/timeline", {}),
        ("GET", "/map/routes", "/map/routes", {}),
        ("GET", "/map/routes", "/map/routes", {"params": {"entity": "loc-bahrain", "limit": 2}}),
        ("GET", "/watches", "/watches", {}),
        ("GET", "/alerts", "/alerts", {"params": {"all": True}}),
        ("POST", "/watches/run", "/watches/run", {}),
        ("GET", "/workspaces", "/workspaces", {}),
        ("GET", "/notes", "/notes", {"params": {"target": "per-duman-taev"}}),
        ("GET", "/audit", "/audit", {"params": {"limit": 5}}),
        ("GET", "/apikeys", "/apikeys", {}),
    ]


#: The hot reads, answered by ``routing.hot_answer`` without FastAPI's response-model pass.
HOT_MODELS: dict[str, type[BaseModel]] = {
    "/entities": SearchOut,
    "/entities/{entity_id}": EntityOut,
    "/entities/{entity_id}/neighborhood": NeighborhoodOut,
}


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_answers_hold_to_their_schemas(seeded: GraphDB, client_for: ClientFor, role: str) -> None:
    client = client_for(role)
    doc = client.get("/openapi.json").json()
    checked, extra = 0, []
    for method, template, url, kwargs in calls(seeded):
        r = client.request(method, url, **kwargs)
        if role == "viewer" and required_right(method, template) not in (None, "read"):
            assert r.status_code == 403, (url, r.text[:200])
            continue
        assert r.status_code == 200, (role, url, r.text[:300])
        for hidden in HIDDEN:
            assert hidden not in r.text, (role, url, hidden)
        extra += undeclared_keys(doc, success_schema(doc, method, template), r.json(), url)
        if template in HOT_MODELS:  # answered without FastAPI's model pass: checked here
            HOT_MODELS[template].model_validate(r.json(), strict=True)
        checked += 1
    assert extra == []
    assert checked >= (20 if role == "admin" else 14)


def test_no_answer_carries_the_hidden_keys_and_caches_hold_no_clear_names(
    seeded: GraphDB, client_for: ClientFor
) -> None:
    """The disclosure step still sees every answer after its model: an admin sees the
    girl's real name, and a viewer asking the same cached question after her does not."""
    admin, viewer = client_for("admin"), client_for("viewer")
    girl = seeded.protection_key.pseudo_id(GIRL)
    seen = admin.get(f"/entities/{girl}").json()
    real = seen["name"]
    assert seen["original_id"] == GIRL and not real.startswith("Victim ")
    for url, params in (
        (f"/entities/{girl}/neighborhood", {"depth": 2}),
        ("/analytics/centrality", {"measure": "degree", "top": 200, "kind": "Person"}),
        ("/analytics/communities", {"kind": "Person"}),
    ):
        as_admin = admin.get(url, params=params)
        as_viewer = viewer.get(url, params=params)
        assert as_admin.status_code == as_viewer.status_code == 200, url
        assert real in as_admin.text, url
        assert real not in as_viewer.text and GIRL not in as_viewer.text, url
        for hidden in HIDDEN:
            assert hidden not in as_admin.text and hidden not in as_viewer.text


def test_keys_stay_as_handlers_return_them(seeded: GraphDB, client_for: ClientFor) -> None:
    """Typed routes answer the keys they always did: optional fields a handler leaves out
    are not filled in with nulls."""
    admin = client_for("admin")
    plain = admin.get("/analytics/centrality", params={"measure": "degree"}).json()
    # `backend` names where the measure ran (local or gds), always set
    assert set(plain) == {"backend", "measure", "nodes_considered", "results"}
    sampled = admin.get("/analytics/centrality", params={"measure": "betweenness", "k": 3})
    assert {"k", "seed"} <= set(sampled.json())
    node = admin.get("/entities/per-duman-taev").json()
    assert "protected" not in node and "redacted" not in node and "original_id" not in node
    run = admin.post(
        "/queries/victims-by-destination/run", json={"params": {"country": "Bahrain"}}
    ).json()
    assert {"columns", "rows", "truncated", "row_count", "query", "params"} <= set(run)
    rows_only = admin.post("/cypher", json={"query": "RETURN 1 AS one"}).json()
    assert rows_only == {
        "columns": ["one"],
        "rows": [{"one": 1}],
        "truncated": False,
        "row_count": 1,
    }
    edge = admin.get("/entities/per-duman-taev/neighborhood").json()["edges"][0]
    assert "from" in edge and "from_" not in edge
    assert json.dumps(edge)  # plain JSON
