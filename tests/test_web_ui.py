"""The web graph explorer, driven in a real headless Chromium (Debian's ``chromium``) by
Playwright, against a real uvicorn server over the test Neo4j.

One browser per session; one server per test (each test has its own freshly seeded graph).
Every test leaves a screenshot in ``test-artifacts/web-<test>.png``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, ViewportSize

from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph import repository
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.browser_support import keep_on_server
from tests.conftest import free_port

VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
TIMEOUT_MS = 30_000  # generous: the suite shares two cores with Neo4j


# ------------------------------------------------------------------ fixtures ---------------


class LiveServer:
    """A uvicorn server for ``app`` on a free 127.0.0.1 port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


# The session's Chromium is the ``browser`` fixture of tests/browser_support.py.


@pytest.fixture
def server(seeded: GraphDB, settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(db=seeded, settings=settings)) as live:
        yield live


def open_page(browser: Browser, url: str, errors: list[str]) -> Page:
    """The page at ``url``. JavaScript exceptions, and any request that leaves the casegraph
    server (a CDN, say: the page must work offline), are appended to ``errors``; such
    requests are refused."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)

    keep_on_server(context, url, errors)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    return page


def sign_in(page: Page, key: str) -> None:
    """Type the key into the sign-in form, as an investigator does."""
    page.fill("#api-key", key)
    page.click("#signin-btn")
    page.wait_for_function(
        "() => /Signed in|401/.test(document.getElementById('status').textContent)"
    )


@pytest.fixture
def page(
    browser: Browser,
    server: LiveServer,
    seeded: GraphDB,
    artifacts: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """The explorer page at 1366×768, signed in with an admin key (who sees every name, so
    that the expectations below can be read straight from the graph); a screenshot is saved
    after the test; a JavaScript exception on the page fails the test."""
    errors: list[str] = []
    pg = open_page(browser, server.url, errors)
    sign_in(pg, create_key(seeded, "admin", name="web-test").key)
    assert "Signed in" in pg.inner_text("#status")
    yield pg
    pg.screenshot(path=str(artifacts / f"web-{request.node.name}.png"))
    pg.context.close()
    assert not errors, f"JavaScript errors or outside requests: {errors}"


# ------------------------------------------------------------------ helpers ----------------


def search_and_open(page: Page, query: str, name: str) -> None:
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    page.locator("#results button", has_text=name).first.click()
    page.wait_for_function(
        "name => document.getElementById('entity-name')?.textContent.includes(name)"
        " && window.cy.nodes().length > 0",
        arg=name,
    )


def cy_node_ids(page: Page) -> set[str]:
    return set(page.evaluate("window.cy.nodes().map(n => n.id())"))


def cy_names(page: Page) -> set[str]:
    return set(page.evaluate("window.cy.nodes().map(n => n.data('name'))"))


def click_node(page: Page, node_id: str) -> None:
    """Click a node where Cytoscape drew it, with the real mouse."""
    page.evaluate("() => { window.cy.fit(undefined, 40); }")
    pos = page.evaluate(
        "id => { const p = window.cy.getElementById(id).renderedPosition();"
        " const r = document.getElementById('cy').getBoundingClientRect();"
        " return {x: r.left + p.x, y: r.top + p.y}; }",
        node_id,
    )
    page.mouse.click(pos["x"], pos["y"])


def neighborhood_ids(db: GraphDB, entity_id: str) -> set[str]:
    return {n["id"] for n in repository.neighborhood(db, entity_id)["nodes"]}


def questra_world_id(db: GraphDB) -> str:
    [hit] = [r for r in repository.search(db, "Questra") if r["name"] == "Questra World"]
    return str(hit["id"])


# ------------------------------------------------------------------ tests ------------------


def test_search_open_questra_world_shows_its_neighborhood(
    page: Page, seeded: GraphDB, artifacts: Path
) -> None:
    qw = questra_world_id(seeded)
    search_and_open(page, "Questra", "Questra World")

    expected = neighborhood_ids(seeded, qw)
    assert len(expected) > 1
    page.wait_for_function("n => window.cy.nodes().length === n", arg=len(expected))
    assert cy_node_ids(page) == expected
    names = {n["name"] for n in repository.neighborhood(seeded, qw)["nodes"]}
    assert cy_names(page) == names
    # Colored by kind, labelled by relationship type.
    colors = page.evaluate(
        "() => Object.fromEntries(window.cy.nodes().map(n => "
        "[n.data('label'), n.style('background-color')]))"
    )
    assert len(set(colors.values())) == len(colors)
    edge_labels = set(page.evaluate("window.cy.edges().map(e => e.style('label'))"))
    edge_types = {e["type"] for e in repository.neighborhood(seeded, qw)["edges"]}
    assert edge_labels == edge_types
    # The details panel shows properties and the source document.
    details = page.inner_text("#details")
    entity = repository.get_entity(seeded, qw)
    assert entity["properties"]["org_type"] in details
    assert entity["source_documents"][0]["title"] in details

    # The screenshot for the docs: two hops around Questra World, then fit.
    page.select_option("#hops", "2")
    page.locator("#details button", has_text="Expand").click()
    two_hops = {n["id"] for n in repository.neighborhood(seeded, qw, depth=2)["nodes"]}
    page.wait_for_function("n => window.cy.nodes().length === n", arg=len(two_hops))
    assert cy_node_ids(page) == two_hops
    page.click("#fit-btn")
    page.screenshot(path=str(artifacts / "questra-world.png"))


def rgb(color: str) -> str:
    """``#rrggbb`` as the browser's computed style writes it."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_legend_kind_list_and_colors_come_from_the_model(
    page: Page, seeded: GraphDB, server: LiveServer
) -> None:
    viewer = {"Authorization": f"Bearer {create_key(seeded, 'viewer').key}"}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.get("/model").status_code == 401  # a read route, like the data
        model = http.get("/model", headers=viewer).json()
        # The page is ES modules: served as JavaScript, or the browser refuses to run them.
        for script in ("main.js", "graph/style.js", "panels/legend.js"):
            served = http.get(f"/web/{script}")
            assert served.status_code == 200, script
            assert served.headers["content-type"].startswith("text/javascript"), script
    kinds = {k["name"]: k["display"] for k in model["kinds"]}
    assert set(kinds) == {"Person", "Organization", "Location", "Case", "Source"}
    assert [r["name"] for r in model["relationships"] if r["single_holder"]] == ["LEADS"]

    # The legend: every kind /model returns, in its order, each swatch in the kind's colour.
    legend = page.evaluate(
        """() => [...document.querySelectorAll('#legend li[data-kind]')].map(li => [
            li.dataset.kind, li.textContent.trim(),
            getComputedStyle(li.querySelector('.swatch')).backgroundColor])"""
    )
    assert legend == [[name, name, rgb(d["color"])] for name, d in kinds.items()]
    # The search form's kind list.
    options = page.evaluate(
        "() => [...document.querySelectorAll('#search-kind option')].map(o => o.value)"
    )
    assert options == ["", *kinds]
    # The graph: each kind in its colour and shape.
    search_and_open(page, "Questra", "Questra World")
    drawn = page.evaluate(
        "() => window.cy.nodes().map(n => [n.data('label'), n.style('background-color'),"
        " n.style('shape')])"
    )
    assert {label for label, _, _ in drawn} >= {"Person", "Organization"}
    for label, color, shape in drawn:  # Cytoscape writes "rgb(r,g,b)", without spaces
        expected = (rgb(kinds[label]["color"]).replace(" ", ""), kinds[label]["shape"])
        assert (color, shape) == expected, label
    # The badge of the open entity's kind.
    badge = page.evaluate(
        "() => getComputedStyle(document.querySelector('#entity-name .kind')).backgroundColor"
    )
    assert badge == rgb(kinds["Organization"]["color"])


def test_cyrillic_search_and_keyboard_expand(page: Page, seeded: GraphDB) -> None:
    [duman] = [r for r in repository.search(seeded, "Duman Taev") if r["name"] == "Duman Taev"]
    # Search in Cyrillic, open with the keyboard only.
    page.focus("#search-q")
    page.keyboard.type("Думан")
    page.keyboard.press("Enter")
    first = page.locator("#results button").first
    first.wait_for()
    assert "Duman Taev" in first.inner_text()
    page.keyboard.press("Enter")  # the first result has focus after a search
    page.wait_for_function("() => window.cy.nodes().length > 1")
    shown = cy_node_ids(page)
    assert shown == neighborhood_ids(seeded, duman["id"])

    # Arrow keys on the graph select an entity; Enter expands it.
    grows = {nid: neighborhood_ids(seeded, nid) - shown for nid in shown if nid != duman["id"]}
    target = max(grows, key=lambda k: len(grows[k]))
    assert grows[target], "the seed should give some neighbor more to expand"
    page.focus("#cy")
    for _ in range(len(shown) + 1):
        if page.evaluate("() => window.cy.$('node:selected').map(n => n.id())") == [target]:
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expected = shown | neighborhood_ids(seeded, target)
    page.wait_for_function("n => window.cy.nodes().length === n", arg=len(expected))
    assert cy_node_ids(page) == expected
    # Every control of the page has an accessible name.
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button')].filter(e => {
            if (e.hidden || e.type === 'hidden') return false;
            const label = e.labels && e.labels.length ? e.labels[0].textContent.trim() : '';
            return !(label || e.getAttribute('aria-label') || e.textContent.trim());
        }).map(e => e.id || e.outerHTML)"""
    )
    assert unnamed == []


def test_click_node_expands_sizes_by_centrality_and_marks_conflicting_claims(
    page: Page, seeded: GraphDB, server: LiveServer
) -> None:
    qw = questra_world_id(seeded)
    search_and_open(page, "Questra", "Questra World")
    shown = neighborhood_ids(seeded, qw)
    page.wait_for_function("n => window.cy.nodes().length === n", arg=len(shown))
    gains = {nid: neighborhood_ids(seeded, nid) - shown for nid in shown - {qw}}
    target = max(gains, key=lambda k: len(gains[k]))
    assert gains[target]
    click_node(page, target)
    expected = shown | neighborhood_ids(seeded, target)
    page.wait_for_function("n => window.cy.nodes().length === n", arg=len(expected))
    assert cy_node_ids(page) == expected
    assert len(expected) > len(shown)

    # Sized by a chosen centrality, as /analytics/centrality ranks the whole graph: the
    # biggest node in view is the best-ranked entity in view.
    admin = {"Authorization": f"Bearer {create_key(seeded, 'admin').key}"}
    with httpx.Client(base_url=server.url, headers=admin, timeout=30) as api:
        ranking = api.get("/analytics/centrality?measure=pagerank&top=1000").json()["results"]
    in_view = [r for r in ranking if r["id"] in expected]
    assert in_view
    page.select_option("#size-by", "pagerank")
    page.wait_for_function("() => /pagerank/.test(document.getElementById('status').textContent)")
    sizes = page.evaluate(
        "() => Object.fromEntries(window.cy.nodes().map(n => [n.id(), n.data('size')]))"
    )
    for a in in_view:  # bigger score, bigger node
        for b in in_view:
            if a["score"] > b["score"]:
                assert sizes[a["id"]] >= sizes[b["id"]], (a, b)
    best = max(r["score"] for r in in_view)
    assert {i for i, v in sizes.items() if v == max(sizes.values())} == {
        r["id"] for r in in_view if r["score"] == best
    }

    # Korgau Astana has two heads in the seed, from two parts of the article: both LEADS
    # claims are drawn and listed as conflicting.
    search_and_open(page, "Коргау", "Korgau Astana")
    leads = [
        e
        for e in repository.neighborhood(seeded, "org-korgau-astana")["edges"]
        if e["type"] == "LEADS" and e["to"] == "org-korgau-astana"
    ]
    assert len({e["from"] for e in leads}) == 2
    conflict_edges = page.evaluate(
        "() => window.cy.edges('.conflict').map(e => [e.data('source'), e.data('type')])"
    )
    assert sorted(conflict_edges) == sorted([e["from"], "LEADS"] for e in leads)
    box = page.inner_text(".conflicts")
    for e in leads:
        assert repository.get_entity(seeded, e["from"])["name"] in box

    # Clicking one of those relationships shows the claim and the document behind it.
    claim = leads[0]
    pos = page.evaluate(
        """([a, b]) => { const e = window.cy.edges().filter(x => x.data('source') === a
              && x.data('target') === b && x.data('type') === 'LEADS')[0];
            const m = e.renderedMidpoint();
            const r = document.getElementById('cy').getBoundingClientRect();
            return {x: r.left + m.x, y: r.top + m.y}; }""",
        [claim["from"], claim["to"]],
    )
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector("#edge-sources li")
    details = page.inner_text("#details")
    assert "conflicts with another claim" in details
    assert claim["properties"]["claim"] in details
    for src in claim["sources"]:
        assert repository.get_entity(seeded, src)["name"] in page.inner_text("#edge-sources")


def test_shortest_paths_between_two_entities_are_highlighted(page: Page, seeded: GraphDB) -> None:
    source, target = "per-duman-taev", "per-farm-owner"
    search_and_open(page, "Думан", "Duman Taev")
    page.locator("#details button", has_text="Path from").click()
    search_and_open(page, "farm owner", "Unnamed farm owner")
    page.locator("#details button", has_text="Path to").click()
    page.click("#path-btn")
    page.wait_for_function("() => window.cy.elements('.path').length > 0")

    # NetworkX is the reference: every shortest path between the two, over the graph
    # without the links to source documents.
    g = nx.Graph()
    for row in seeded.read(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE type(r) <> 'MENTIONED_IN' "
        "RETURN a.id AS a, b.id AS b"
    ):
        g.add_edge(row["a"], row["b"])
    paths = list(nx.all_shortest_paths(g, source, target))
    hops = len(paths[0]) - 1
    assert hops > 2
    highlighted = set(page.evaluate("() => window.cy.nodes('.path').map(n => n.id())"))
    assert highlighted == {n for p in paths for n in p}
    pairs = page.evaluate(
        "() => window.cy.edges('.path').map(e => [e.source().id(), e.target().id()])"
    )
    assert {frozenset(x) for x in pairs} == {
        frozenset(p[i : i + 2]) for p in paths for i in range(hops)
    }
    # Everything else in view is faded.
    assert page.evaluate("() => window.cy.elements('.faded').length") > 0
    assert f"{hops} hops" in page.inner_text("#status")


def test_export_current_view_as_png_json_and_graphml(
    page: Page, seeded: GraphDB, tmp_path: Path
) -> None:
    qw = questra_world_id(seeded)
    search_and_open(page, "Questra", "Questra World")
    n_nodes = len(neighborhood_ids(seeded, qw))
    page.wait_for_function("n => window.cy.nodes().length === n", arg=n_nodes)
    n_edges = page.evaluate("() => window.cy.edges().length")

    files: dict[str, Path] = {}
    for fmt in ("png", "json", "graphml"):
        with page.expect_download() as info:
            page.click(f"#export-{fmt}")
        files[fmt] = tmp_path / info.value.suggested_filename
        info.value.save_as(files[fmt])

    assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(files["json"].read_text())
    assert {n["id"] for n in data["nodes"]} == neighborhood_ids(seeded, qw)
    assert len(data["edges"]) == n_edges
    g = nx.read_graphml(files["graphml"])
    assert set(g.nodes) == neighborhood_ids(seeded, qw)
    assert g.number_of_edges() == n_edges
    assert g.nodes[qw]["name"] == "Questra World"


PYRAMID_ORG = "org-test-golden-horizon"
PYRAMID_SOURCE_URL = "https://example.org/casegraph/golden-horizon"
# (id, name, recruiter or None, invested, paid out) — a synthetic three-level pyramid.
PYRAMID_MEMBERS: list[tuple[str, str, str | None, float, float]] = [
    ("per-test-aigerim", "Aigerim Sadykova", None, 2_000_000, 3_500_000),
    ("per-test-bolat", "Bolat Nurlanov", "per-test-aigerim", 1_000_000, 1_200_000),
    ("per-test-dana", "Dana Omarova", "per-test-aigerim", 800_000, 400_000),
    ("per-test-erlan", "Erlan Zhaksylykov", "per-test-bolat", 500_000, 0),
    ("per-test-gulnar", "Gulnar Abenova", "per-test-bolat", 450_000, 0),
    ("per-test-kairat", "Kairat Ismailov", "per-test-dana", 300_000, 0),
    ("per-test-madina", "Madina Tulegenova", "per-test-erlan", 250_000, 0),
    ("per-test-nurlan", "Nurlan Bekov", "per-test-erlan", 200_000, 0),
]


def write_pyramid(path: Path) -> None:
    src = "src-test-pyramid"
    lines: list[dict[str, Any]] = [
        {
            "kind": "source",
            "id": src,
            "title": "Synthetic pyramid for the UI test",
            "url": PYRAMID_SOURCE_URL,
        },
        {
            "kind": "entity",
            "id": PYRAMID_ORG,
            "label": "Organization",
            "name": "Golden Horizon Club",
            "properties": {"org_type": "financial pyramid"},
            "sources": [src],
        },
    ]
    for pid, name, recruiter, invested, paid in PYRAMID_MEMBERS:
        lines.append(
            {"kind": "entity", "id": pid, "label": "Person", "name": name, "sources": [src]}
        )
        money = {"currency": "KZT", "date": "2017-03-01"}
        lines.append(
            {
                "kind": "relationship",
                "type": "INVESTED_IN",
                "from": pid,
                "to": PYRAMID_ORG,
                "properties": {"amount": invested, **money},
                "sources": [src],
            }
        )
        if recruiter:
            lines.append(
                {
                    "kind": "relationship",
                    "type": "RECRUITED",
                    "from": recruiter,
                    "to": pid,
                    "sources": [src],
                }
            )
        if paid:
            lines.append(
                {
                    "kind": "relationship",
                    "type": "PAID",
                    "from": PYRAMID_ORG,
                    "to": pid,
                    "properties": {"amount": paid, **money},
                    "sources": [src],
                }
            )
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))


def test_pyramid_view_is_a_tree_with_amounts(
    page: Page, seeded: GraphDB, tmp_path: Path, artifacts: Path
) -> None:
    data = tmp_path / "pyramid.jsonl"
    write_pyramid(data)
    ingest_file(seeded, data)
    search_and_open(page, "Golden Horizon", "Golden Horizon Club")
    # Its source document, linked.
    link = page.locator("#details .sources a")
    assert link.get_attribute("href") == PYRAMID_SOURCE_URL
    assert link.inner_text() == "Synthetic pyramid for the UI test"
    page.locator("#details button", has_text="Pyramid").click()
    page.wait_for_selector("#pyramid-title")
    page.wait_for_function("n => window.cy.nodes().length === n", arg=len(PYRAMID_MEMBERS) + 1)

    # Laid out as a tree: the organization on top, every investor below their recruiter.
    pos = page.evaluate(
        "() => Object.fromEntries(window.cy.nodes().map(n => [n.id(), n.position('y')]))"
    )
    for pid, _, recruiter, _, _ in PYRAMID_MEMBERS:
        assert pos[pid] > pos[recruiter or PYRAMID_ORG], pid
    tree_edges = set(
        map(
            tuple,
            page.evaluate("() => window.cy.edges().map(e => [e.source().id(), e.target().id()])"),
        )
    )
    assert tree_edges == {(r or PYRAMID_ORG, pid) for pid, _, r, _, _ in PYRAMID_MEMBERS}

    def money(x: float) -> str:
        return f"{x:,.0f} KZT"

    invested = sum(m[3] for m in PYRAMID_MEMBERS)
    paid = sum(m[4] for m in PYRAMID_MEMBERS)
    assert page.inner_text("#pyramid-invested") == money(invested)
    assert page.inner_text("#pyramid-paid") == money(paid)
    page.click("#fit-btn")
    page.screenshot(path=str(artifacts / "pyramid.png"))


def test_run_saved_query_from_its_form_shows_table_and_graph(
    page: Page, seeded: GraphDB, server: LiveServer, tmp_path: Path
) -> None:
    data = tmp_path / "pyramid.jsonl"
    write_pyramid(data)
    ingest_file(seeded, data)
    admin = {"Authorization": f"Bearer {create_key(seeded, 'admin').key}"}
    with httpx.Client(base_url=server.url, headers=admin, timeout=30) as api:
        listed = {q["name"]: q for q in api.get("/queries").json()["queries"]}
        name = "money-flow-paths"
        params = {"from_id": "per-test-madina", "to_id": "per-test-aigerim"}
        expected = api.post(f"/queries/{name}/run", json={"params": params}).json()
    assert expected["rows"] and expected["graph"]["nodes"]

    page.locator("#query-panel summary").click()
    page.wait_for_function(
        "n => [...document.querySelectorAll('#query-select option')].some(o => o.value === n)",
        arg=name,
    )
    page.select_option("#query-select", name)
    # The form is built from the parameters the query declares.
    fields = page.evaluate(
        "() => [...document.querySelectorAll('#query-params input')].map(i => i.name)"
    )
    assert fields == [p["name"] for p in listed[name]["params"]]
    for key, value in params.items():
        page.fill(f"#qp-{key}", value)
    page.click("#query-run")
    page.wait_for_selector("#query-table")
    assert page.locator("#query-table tbody tr").count() == len(expected["rows"])
    expected_ids = {n["id"] for n in expected["graph"]["nodes"]}
    page.wait_for_function("n => window.cy.nodes().length === n", arg=len(expected_ids))
    assert cy_node_ids(page) == expected_ids
    assert {"per-test-madina", PYRAMID_ORG, "per-test-aigerim"} <= expected_ids


VICTIMS = """
MATCH (v:Person) WHERE v.protection IS NOT NULL
RETURN v.id AS id, v.sealed AS sealed
"""


def test_viewer_key_sees_victims_under_pseudonyms(
    browser: Browser, server: LiveServer, seeded: GraphDB, artifacts: Path
) -> None:
    # stored under pseudonymous ids; their real names and ids are in their sealed records
    key = seeded.protection_key
    sealed = {r["id"]: key.unseal(r["sealed"], r["id"]) for r in seeded.read(VICTIMS)}
    victims = {pid: rec["name"] for pid, rec in sealed.items()}
    # The entity with the most victims around it, as the graph says.
    [row] = seeded.read(
        "MATCH (a:Entity)-[]-(v:Person) WHERE v.id IN $ids AND NOT a.id IN $ids "
        "AND NOT a:Source RETURN a.id AS id, a.name AS name, count(DISTINCT v) AS n "
        "ORDER BY n DESC, id LIMIT 1",
        {"ids": list(victims)},
    )
    around = neighborhood_ids(seeded, row["id"]) & set(victims)
    assert around

    errors: list[str] = []
    page = open_page(browser, server.url, errors)
    sign_in(page, create_key(seeded, "viewer", name="web-viewer").key)
    search_and_open(page, row["name"], row["name"])
    page.wait_for_function(
        "n => window.cy.nodes().length === n", arg=len(neighborhood_ids(seeded, row["id"]))
    )
    names = cy_names(page)
    pseudonyms = {n for n in names if re.fullmatch(r"Victim [0-9a-f]+", n or "")}
    assert len(pseudonyms) == len(around)
    assert page.evaluate("() => window.cy.nodes('.pseudonym').length") == len(around)
    text = page.inner_text("body")
    shown_ids = cy_node_ids(page)
    for vid in around:
        assert victims[vid] not in text
        assert sealed[vid]["id"] not in shown_ids and sealed[vid]["id"] not in text
    page.screenshot(path=str(artifacts / "web-viewer-pseudonyms.png"))
    page.context.close()
    assert not errors


def test_clear_messages_for_no_results_bad_key_and_database_down(
    page: Page, browser: Browser, server: LiveServer, settings: Settings, artifacts: Path
) -> None:
    page.fill("#search-q", "Zzyzx Qwerty")
    page.press("#search-q", "Enter")
    page.wait_for_function(
        "() => /No entities match/.test(document.getElementById('status').textContent)"
    )
    assert page.locator("#results li").count() == 0

    # A key the server does not know: a 401 message, and nothing shown.
    errors: list[str] = []
    stranger = open_page(browser, server.url, errors)
    sign_in(stranger, "cg_00000000_not-a-real-key")
    status = stranger.locator("#status")
    assert "401" in status.inner_text()
    assert "not accepted" in status.inner_text()
    assert status.get_attribute("role") == "alert"
    stranger.screenshot(path=str(artifacts / "web-bad-key.png"))
    stranger.context.close()

    # Neo4j down: a real server whose database does not answer.
    dead = GraphDB(
        f"bolt://127.0.0.1:{free_port()}", connection_timeout=1, max_transaction_retry_time=0
    )
    try:
        with LiveServer(create_app(db=dead, settings=settings)) as live:
            down = open_page(browser, live.url, errors)
            status = down.locator("#status")
            assert "503" in status.inner_text()
            assert "Neo4j" in status.inner_text()
            assert status.get_attribute("role") == "alert"
            down.screenshot(path=str(artifacts / "web-neo4j-down.png"))
            down.context.close()
    finally:
        dead.close()
    assert not errors


def test_a_hub_opens_with_its_relationships_grouped(
    page: Page, seeded: GraphDB, artifacts: Path, tmp_path: Path
) -> None:
    """A hub of 1,500 relationships: the page draws the 50 the fan-out follows and one group
    node per (type, direction) for the rest ("+1,150 more ASSOCIATE_OF"); a click on a group
    draws 100 more and counts down; the page never draws the whole hub."""
    records: list[dict[str, Any]] = [{"kind": "source", "id": "src-hub", "title": "hub"}]
    records.append(
        {
            "kind": "entity",
            "id": "per-hub",
            "label": "Person",
            "name": "Hubert Broker",
            "sources": ["src-hub"],
        }
    )
    kinds = [("ASSOCIATE_OF", 1200, "out"), ("PAID", 250, "in"), ("MEMBER_OF", 50, "out")]
    for rtype, n, direction in kinds:
        label = "Organization" if rtype == "MEMBER_OF" else "Person"
        for i in range(n):
            other = f"hub-{rtype.lower()}-{i}"
            records.append(
                {
                    "kind": "entity",
                    "id": other,
                    "label": label,
                    "name": f"{rtype.title()} {i}",
                    "sources": ["src-hub"],
                }
            )
            ends = ("per-hub", other) if direction == "out" else (other, "per-hub")
            rel: dict[str, Any] = {
                "kind": "relationship",
                "type": rtype,
                "from": ends[0],
                "to": ends[1],
                "sources": ["src-hub"],
            }
            if rtype == "PAID":
                rel["properties"] = {"amount": 100.0 + i, "currency": "KZT"}
            records.append(rel)
    path = tmp_path / "hub.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    ingest_file(seeded, path)

    search_and_open(page, "Hubert Broker", "Hubert Broker")
    page.wait_for_function("() => window.cy.nodes('.group').length > 0")
    groups = page.evaluate(
        "() => window.cy.nodes('.group').map(g => [g.data('type'), g.data('direction'),"
        " g.data('count'), g.data('display')])"
    )
    entities = page.evaluate("() => window.cy.nodes().not('.group').length")
    assert entities <= 51  # the hub and the 50 the fan-out follows, not 1,500
    want = repository.neighborhood(seeded, "per-hub", depth=1, limit=200, fanout=50)["more"]
    assert sorted((g[0], g[1], g[2]) for g in groups) == sorted(
        (m["type"], m["direction"], m["count"]) for m in want
    )
    assert sum(g[2] for g in groups) == 1500 - 50
    assert all(g[3].startswith(f"+{g[2]:,} more {g[0]}") for g in groups)
    page.click("#fit-btn")
    page.screenshot(path=str(artifacts / "hub-groups.png"))

    # a click on a group follows 100 more of the hub's relationships
    page.evaluate("() => window.cy.nodes('.group')[0].emit('tap')")
    page.wait_for_function("n => window.cy.nodes().not('.group').length > n", arg=entities)
    page.wait_for_function(
        "() => window.cy.nodes('.group').map(g => g.data('count')).reduce((a, b) => a + b, 0)"
        " === 1500 - 150"
    )
    assert page.evaluate("() => window.cy.nodes().not('.group').length") <= 151
