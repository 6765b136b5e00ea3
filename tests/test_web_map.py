"""The map of routes in a real headless Chromium (Debian's ``chromium``, Playwright), against
a real uvicorn server over the seeded test Neo4j: outlines, places and routes drawn from the
vendored Leaflet and world-atlas, nothing loaded from off the server, a click on a place
opens it in the graph, and a viewer's page holds no protected victim."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from casegraph.api.auth import create_key
from casegraph.extract.geo import locate_entity
from casegraph.graph import repository
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from tests.builders import entity, rel, source, write_jsonl
from tests.test_hardening import _csp_watch
from tests.test_map import expected_routes, protected_names
from tests.test_web_ui import LiveServer, open_page, server, sign_in  # noqa: F401

MAP_READY = "body[data-map='ready']"
MARKUP = '<b id="injected">Free Port</b>'


def map_page(browser: Browser, live: LiveServer, db: GraphDB, role: str) -> tuple[Page, list[str]]:
    errors: list[str] = []
    page = open_page(browser, live.url, errors)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    violations = _csp_watch(page)  # Chrome reports violations on the console
    sign_in(page, create_key(db, role, name=f"map-{role}").key)
    page.click("#map-panel summary")
    page.click("#map-btn")
    page.wait_for_selector(MAP_READY)
    errors.extend(violations)
    errors.extend(u for u in requested if not u.startswith((live.url + "/", "data:", "blob:")))
    return page, errors


def seed_plan(db: GraphDB) -> dict[str, Any]:
    """What the map must show, from the graph: routes with counts and where places are."""
    routes, victims = expected_routes(db)
    names: dict[str, str] = {}
    placed: set[str] = set()
    for place in {p for pair in routes for p in pair if p}:
        stored = repository.get_entity(db, place)
        names[place] = stored["name"]
        if locate_entity(stored) is not None:
            placed.add(place)
    drawn = {k: v for k, v in routes.items() if k[0] in placed and k[1] in placed}
    return {"routes": routes, "victims": victims, "names": names, "placed": placed, "drawn": drawn}


@pytest.fixture
def admin_map(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    seeded: GraphDB,
    artifacts: Path,
) -> Iterator[Page]:
    page, errors = map_page(browser, server, seeded, "admin")
    yield page
    page.context.close()
    assert not errors, f"JavaScript errors or requests outside the server: {errors}"


def test_the_map_draws_the_seed_routes_on_offline_outlines(
    admin_map: Page, seeded: GraphDB, artifacts: Path
) -> None:
    page = admin_map
    plan = seed_plan(seeded)
    assert {"Bahrain", "Turkey", "South Korea"} <= {plan["names"][d] for _, d in plan["drawn"]}
    # country outlines: one path per Natural Earth country, no tile anywhere
    assert page.locator("#map path.map-country").count() > 200
    assert page.locator("#map img, #map .leaflet-tile").count() == 0
    # places: one marker per placed place, labelled with its name
    ids = page.eval_on_selector_all("#map path.map-place", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == sorted(plan["placed"])
    labels = page.eval_on_selector_all("#map .map-label", "ns => ns.map(n => n.textContent)")
    assert sorted(labels) == sorted(plan["names"][p] for p in plan["placed"])
    # routes: one line and one arrowhead per drawn route, labelled with its victim count
    assert page.locator("#map path.map-route").count() == len(plan["drawn"])
    assert page.locator("#map path.map-arrow").count() == len(plan["drawn"])
    counts = page.eval_on_selector_all("#map .map-count", "ns => ns.map(n => n.textContent)")
    expected = [f"{n} victim" + ("" if n == 1 else "s") for n in plan["drawn"].values()]
    assert sorted(counts) == sorted(expected)
    rows = page.inner_text("#map-routes")
    for (origin, dest), n in plan["routes"].items():
        start = plan["names"][origin] if origin else "unknown origin"
        assert f"{start} → {plan['names'][dest]}: {n} victim" in rows
    # every line ends at its destination's marker: the line's last point is the marker's
    # (read once Leaflet has finished fitting the view: paths and markers are re-projected
    # at the end of its zoom animation, not at the same instant)
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """() => {
                 const c = [...document.querySelectorAll('#map path.map-place')].map(p => {
                   const b = p.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2]; });
                 return [...document.querySelectorAll('#map path.map-route')].every(p => {
                   const d = p.getAttribute('d').match(/-?[0-9.]+/g).map(Number);
                   const x = d[d.length - 2], y = d[d.length - 1];
                   return c.some(([cx, cy]) => Math.abs(x - cx) + Math.abs(y - cy) < 2); }); }""",
            timeout=10_000,
        )
    ends = page.evaluate(
        """() => [...document.querySelectorAll('#map path.map-route')].map(p => {
             const d = p.getAttribute('d').match(/-?[0-9.]+/g).map(Number);
             return [d[d.length - 2], d[d.length - 1]]; })"""
    )
    centres = page.evaluate(
        """() => [...document.querySelectorAll('#map path.map-place')].map(p => {
             const b = p.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2]; })"""
    )
    for x, y in ends:
        assert min(abs(x - cx) + abs(y - cy) for cx, cy in centres) < 2
    page.screenshot(path=str(artifacts / "web-map-seed.png"))
    # the admin sees the victims beside the routes, and signing out forgets them
    secrets = protected_names(seeded)
    assert [s for s in secrets if s in page.inner_text("#map-routes")]
    page.click("#signout-btn")
    page.wait_for_selector("#map", state="hidden")
    assert not [s for s in secrets if s in page.content()]


def test_clicking_a_place_selects_it_in_the_graph(
    admin_map: Page, seeded: GraphDB, artifacts: Path
) -> None:
    page = admin_map
    plan = seed_plan(seeded)
    [bahrain] = [p for p in plan["placed"] if plan["names"][p] == "Bahrain"]
    marker = f"#map path.map-place[data-id='{bahrain}']"
    # click once Leaflet has finished fitting the view (no zoom animation running, the
    # marker still over two frames): a click during the animation can land where the
    # marker was a frame before (seen once in CI)
    page.wait_for_function(
        """sel => new Promise(done => {
             const box = () => JSON.stringify(document.querySelector(sel).getBoundingClientRect());
             const before = box();
             requestAnimationFrame(() => requestAnimationFrame(() => done(
               !document.querySelector('#map .leaflet-zoom-anim') && box() === before)));
           })""",
        arg=marker,
    )
    page.click(marker)
    page.wait_for_function(
        "id => window.cy.$(':selected').map(n => n.id()).join() === id", arg=bahrain
    )
    page.wait_for_function(
        "() => document.getElementById('entity-name')?.textContent.includes('Bahrain')"
    )
    in_view = set(page.evaluate("window.cy.nodes().map(n => n.id())"))
    assert {n["id"] for n in repository.neighborhood(seeded, bahrain)["nodes"]} <= in_view
    # the must-show screenshot (docs/images/map-routes.png): the routes, Bahrain opened
    page.wait_for_timeout(1500)  # the graph's layout animation
    page.screenshot(path=str(artifacts / "map-routes.png"))


def test_a_viewer_map_counts_victims_and_names_none(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    seeded: GraphDB,
    tmp_path: Path,
) -> None:
    # one more route, to a place whose name is markup: drawn as text, never as HTML
    extra = [
        source(),
        entity("loc-free", "Location", MARKUP, props={"lat": 10.5, "lon": 60.1}),
        entity("p-zarina", name="Zarina Testova"),
        rel("TRAFFICKED_TO", "p-zarina", "loc-free"),
        rel("ORIGINATES_FROM", "p-zarina", "loc-kazakhstan"),
    ]
    ingest_file(seeded, write_jsonl(tmp_path / "extra.jsonl", extra))
    page, errors = map_page(browser, server, seeded, "viewer")
    try:
        assert page.locator("#injected").count() == 0
        labels = page.eval_on_selector_all("#map .map-label", "ns => ns.map(n => n.textContent)")
        assert MARKUP in labels
        plan = seed_plan(seeded)
        assert len(plan["drawn"]) == 4
        counts = page.eval_on_selector_all("#map .map-count", "ns => ns.map(n => n.textContent)")
        expected = [f"{n} victim" + ("" if n == 1 else "s") for n in plan["drawn"].values()]
        assert sorted(counts) == sorted(expected)
        html = page.content()
        secrets = protected_names(seeded)
        assert "Zarina Testova" in secrets and not [s for s in secrets if s in html]
        assert page.locator("#map-routes .map-named").count() == 0
    finally:
        page.context.close()
    assert not errors, errors
