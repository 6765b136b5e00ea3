"""Hardening, on the real Neo4j: a JSON depth limit (422, never 500), the API docs from
vendored files (no CDN), security headers on every answer, and header/body read timeouts
and a concurrency limit in the server as ``casegraph serve`` runs it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page

from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings
from tests.builders import source
from tests.conftest import bearer
from tests.serving_support import ServedApp
from tests.test_web_ui import open_page, search_and_open, sign_in

ClientFor = Callable[[str], TestClient]


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def deep_text(depth: int) -> str:
    """JSON text nested ``depth`` levels (built as text: ``json.dumps`` itself would
    overflow the stack at a few thousand)."""
    return "[" * depth + "1" + "]" * depth


# -- JSON depth ----------------------------------------------------------------------------


def assert_too_deep(r: Any, limit: int = 64) -> dict[str, Any]:
    assert r.status_code == 422, (r.status_code, r.text[:300])
    error = r.json()["error"]
    assert error["type"] == "InvalidRequestError"
    assert f"nested deeper than the limit of {limit} levels" in error["message"]
    return dict(error)


def test_json_nested_1000_deep_is_422_on_every_json_route(
    seeded: GraphDB, client_for: ClientFor
) -> None:
    admin = client_for("admin")
    deep = deep_text(1_000)
    bodies = {
        "/cypher": '{"query": "RETURN $p AS p", "params": {"p": ' + deep + "}}",
        "/queries/case-bridges/run": '{"params": {"min_cases": ' + deep + "}}",
        "/apikeys": '{"role": "viewer", "name": ' + deep + "}",
    }
    for path, body in bodies.items():
        for content_type in ("application/json", None):
            headers = {"Content-Type": content_type} if content_type else {}
            assert_too_deep(admin.post(path, content=body, headers=headers))
    # JSON nested 100,000 deep: the same answer, as fast
    started = time.monotonic()
    assert_too_deep(admin.post("/cypher", content=deep_text(100_000)))
    assert time.monotonic() - started < 5
    assert seeded.read("MATCH (k:ApiKey {role: 'viewer'}) RETURN k") == []


def test_json_within_the_depth_limit_still_works(seeded: GraphDB, client_for: ClientFor) -> None:
    analyst = client_for("analyst")
    param = nested(60, leaf="deep")  # with the envelope {"params": {"p": ...}}: 62 levels
    r = analyst.post("/cypher", json={"query": "RETURN $p AS p", "params": {"p": param}})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["rows"][0]["p"] == param
    # brackets inside strings are text, not nesting
    r = analyst.post("/cypher", json={"query": "RETURN $s AS s", "params": {"s": "[" * 5_000}})
    assert r.status_code == 200 and r.json()["rows"][0]["s"] == "[" * 5_000


def test_ingest_of_a_jsonl_file_nested_1000_deep_is_422_and_changes_nothing(
    db: GraphDB, client_for: ClientFor
) -> None:
    ingester = client_for("ingester")
    lines = [
        json.dumps(source("s-deep", "deep")),
        '{"kind": "entity", "id": "p-deep", "label": "Person", "name": "Deep Person", '
        '"sources": ["s-deep"], "properties": {"notes": ' + deep_text(1_000) + "}}",
        json.dumps(source("s-after", "after")),
    ]
    data = ("\n".join(lines) + "\n").encode()
    r = ingester.post("/ingest", files={"file": ("deep.jsonl", data)})
    error = assert_too_deep(r)
    assert error["details"][0]["line"] == 2 and error["details"][0]["field"] == "deep.jsonl"
    assert db.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"] == 0
    # a whole JSON document 1,000 deep, too
    r = ingester.post("/ingest", files={"file": ("deep.json", deep_text(1_000).encode())})
    assert_too_deep(r)


# -- docs from vendored files --------------------------------------------------------------


class _Refs(HTMLParser):
    """Every URL an HTML page makes the browser load (src, href), and its inline blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "spec-url"):
            if found.get(name):
                self.urls.append(str(found[name]))
        if tag == "script" and not found.get("src"):
            self.inline_scripts += 1


@pytest.mark.parametrize("page_path", ["/docs", "/redoc"])
def test_docs_pages_load_only_files_this_server_serves(
    page_path: str, db: GraphDB, client_for: ClientFor
) -> None:
    anon = client_for("none")  # the docs are open
    r = anon.get(page_path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = _Refs()
    refs.feed(r.text)
    assert refs.urls, "the page should reference its script"
    for url in refs.urls:
        parts = urlsplit(url)
        assert not parts.netloc and parts.scheme in ("", "data"), url
    loaded = [u for u in refs.urls if not u.startswith("data:")]
    for url in loaded:
        asset = anon.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1_000, url
    scripts = [u for u in loaded if u.endswith(".js")]
    assert scripts and all(u.startswith("/web/vendor/") for u in scripts)
    policy = r.headers["content-security-policy"]
    assert "http" not in policy
    # each inline script is allowed by its hash, and only that
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src
    assert script_src.count("'sha256-") == refs.inline_scripts


def _csp_watch(page: Page) -> list[str]:
    """Collect the page's Content-Security-Policy violations."""
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI));"
    )
    return violations


@pytest.fixture
def docs_server(db: GraphDB, settings: Settings) -> Iterator[ServedApp]:
    with ServedApp(create_app(db=db, settings=settings), settings) as served:
        yield served


@pytest.mark.parametrize(
    ("path", "ready", "expect"),
    [
        ("/docs", ".opblock-summary-path", "/entities/{entity_id}"),
        ("/redoc", "h2", "Run ad-hoc read-only Cypher"),
    ],
)
def test_docs_render_offline_under_the_policy(
    path: str,
    ready: str,
    expect: str,
    browser: Browser,
    docs_server: ServedApp,
    artifacts: Path,
) -> None:
    """In Chromium, with every request off this server refused: the docs page renders the
    API and the browser reports no policy violation."""
    outside: list[str] = []
    errors: list[str] = []

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith((docs_server.url + "/", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context = browser.new_context()
    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(60_000)
    violations = _csp_watch(page)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(docs_server.url + path)
    page.wait_for_selector(ready)
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=expect)
    page.screenshot(path=str(artifacts / f"docs{path.replace('/', '-')}.png"))
    context.close()
    assert not outside, outside
    assert not violations, violations
    assert not errors, errors


def test_the_explorer_runs_under_the_policy(
    browser: Browser,
    seeded: GraphDB,
    settings: Settings,
) -> None:
    """The explorer page (sign in, search, open an entity, draw its graph, export PNG)
    with the Content-Security-Policy on: no violation reported."""
    with ServedApp(create_app(db=seeded, settings=settings), settings) as served:
        errors: list[str] = []
        page = open_page(browser, served.url, errors)  # refuses any request off the server
        violations = _csp_watch(page)
        page.reload()  # now with the violation listener in place from the start
        page.wait_for_selector("body[data-ready='1']")
        sign_in(page, create_key(seeded, "admin", name="csp").key)
        search_and_open(page, "Questra", "Questra World")
        with page.expect_download() as download:
            page.click("#export-png")
        assert download.value.suggested_filename.endswith(".png")
        page.context.close()
    assert not violations, violations
    assert not errors, errors


# -- security headers ------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(
    seeded: GraphDB, settings: Settings, client_for: ClientFor
) -> None:
    admin, anon = client_for("admin"), client_for("none")
    answers = {
        "page": anon.get("/"),
        "asset": anon.get("/web/main.js"),
        "vendored": anon.get("/web/vendor/cytoscape.min.js"),
        "health": anon.get("/health"),
        "openapi": anon.get("/openapi.json"),
        "401": anon.get("/entities", params={"q": "x"}),
        "200": admin.get("/entities", params={"q": "Questra"}),
        "404": admin.get("/entities/no-such-id"),
        "422": admin.get("/entities", params={"limit": "many"}),
        "413": admin.post(
            "/cypher",
            content=b"x" * (settings.max_json_bytes + 1),
            headers={"Content-Type": "application/json"},
        ),
        "deep": admin.post("/cypher", content=deep_text(500)),
        "docs": anon.get("/docs"),
        "redoc": anon.get("/redoc"),
    }
    for name, r in answers.items():
        policy = r.headers.get("content-security-policy", "")
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives.get("default-src") == "'self'", (name, policy)
        assert directives.get("frame-ancestors") == "'none'", (name, policy)
        assert "'unsafe-inline'" not in directives.get("script-src", "'unsafe-inline'"), name
        assert "http" not in policy, (name, policy)
        assert r.headers.get("x-content-type-options") == "nosniff", name
        assert r.headers.get("referrer-policy") == "no-referrer", name
    assert answers["413"].status_code == 413 and answers["401"].status_code == 401


# -- slow clients ---------------------------------------------------------------------------


@pytest.fixture
def strict(db: GraphDB, settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "header_timeout": 1.0,
            "body_timeout": 1.0,
            "limit_concurrency": 6,
            "max_header_bytes": 16 * 1024,
        }
    )


def test_a_client_that_never_finishes_its_headers_is_cut_off(db: GraphDB, strict: Settings) -> None:
    with ServedApp(create_app(db=db, settings=strict), strict) as served:
        with served.connect() as slow:
            slow.send(b"GET /health HTTP/1.1\r\nHost: casegraph\r\nX-Slow: ")
            started = time.monotonic()
            for _ in range(3):  # trickling bytes does not extend the deadline
                time.sleep(0.3)
                slow.send(b"a")
            assert slow.closed_by_server(within=5)
            assert time.monotonic() - started < 4
            assert slow.buffer.startswith(b"HTTP/1.1 408 ")
        with served.connect() as silent:  # connects and sends nothing
            assert silent.closed_by_server(within=5)
        with served.connect() as fine:  # a normal client, kept alive across requests
            assert fine.get("/health") == 200
            time.sleep(1.5)  # idle between requests: the keep-alive timeout applies, not 1 s
            assert fine.get("/health") == 200


def test_a_client_that_stalls_its_body_gets_408(db: GraphDB, strict: Settings) -> None:
    with ServedApp(create_app(db=db, settings=strict), strict) as served:
        key = bearer(db, "analyst")["Authorization"]
        with served.connect() as conn:
            conn.send(
                b"POST /cypher HTTP/1.1\r\nHost: casegraph\r\nContent-Type: application/json\r\n"
                b"Authorization: " + key.encode() + b"\r\nContent-Length: 200\r\n\r\n"
                b'{"query": "RETURN 1'
            )
            started = time.monotonic()
            status, headers, body = conn.read_response()
            assert status == 408 and time.monotonic() - started < 5
            assert json.loads(body)["error"]["type"] == "RequestTimeout"
            assert headers.get("connection") == "close"
        with served.connect() as upload:  # a multipart upload that stops halfway
            ingester = bearer(db, "ingester")["Authorization"]
            upload.send(
                b"POST /ingest HTTP/1.1\r\nHost: casegraph\r\nAuthorization: "
                + ingester.encode()
                + b"\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
                b"Content-Length: 10000\r\n\r\n--XX\r\nContent-Disposition: form-data; "
                b'name="file"; filename="a.jsonl"\r\n\r\n{"kind": '
            )
            status, _, body = upload.read_response()
            assert status == 408, body[:200]


def test_head_size_and_concurrency_are_limited(db: GraphDB, strict: Settings) -> None:
    with ServedApp(create_app(db=db, settings=strict), strict) as served:
        with served.connect() as big:
            assert big.get("/health", {"X-Big": "b" * 40_000}) == 431
        with served.connect() as trickled:  # the same head in small pieces
            reset = False
            for i in range(0, 40_000, 4_000):
                try:
                    trickled.send(b"GET /health HTTP/1.1\r\nX-Big: " if i == 0 else b"b" * 4_000)
                except (ConnectionResetError, BrokenPipeError):
                    # the server refused the head and closed before the rest arrived (on a
                    # quiet machine it can answer and close mid-trickle; the RST then may
                    # discard its 431 before we read it)
                    reset = True
                    break
            if not reset:
                assert trickled.closed_by_server(within=5)
                assert trickled.buffer.split(b" ")[1] in (b"431", b"400")
        with served.connect() as fine:  # a head just under the limit is served
            assert fine.get("/health", {"X-Fits": "f" * 15_000}) == 200
        idle = [served.connect() for _ in range(strict.limit_concurrency)]
        try:
            time.sleep(0.2)
            with served.connect() as extra:
                assert extra.get("/health") == 503
        finally:
            for conn in idle:
                conn.close()
        time.sleep(0.3)
        with served.connect() as after:
            assert after.get("/health") == 200
