"""The explorer's alerts badge and panel, and its timeline view synced with the graph, in a
real headless Chromium over a real uvicorn server and the test Neo4j (the pattern of
tests/test_web_ui.py). Expectations are read from the API and the graph, not written here.

Two of the screenshots of docs/web.md are taken here: docs/images/timeline-questra.png and
docs/images/alerts-panel.png.
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page

from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph import repository
from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import ingest_file
from casegraph.settings import Settings
from tests.browser_support import keep_on_server
from tests.builders import entity, rel, source, write_jsonl
from tests.protection_support import AIGERIM, SUSPECT, ZHANAR, case_file, leaks
from tests.protection_support import rel as cited_rel
from tests.protection_support import write_jsonl as write_records
from tests.test_web_ui import TIMEOUT_MS, VIEWPORT, LiveServer, search_and_open, sign_in

DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
CASE = "case-questra-pyramid"
CASE_NAME = "Questra financial pyramid investigation"
#: the items drawn on the axis, each once (a point item is also drawn as a dot)
ITEMS = "#timeline .vis-item.vis-range, #timeline .vis-item.vis-point"


@pytest.fixture
def server(seeded: GraphDB, settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(db=seeded, settings=settings)) as live:
        yield live


@pytest.fixture
def open_as(
    browser: Browser, server: LiveServer, seeded: GraphDB, artifacts: Path, request: Any
) -> Iterator[Callable[[str], Page]]:
    """``open_as(role)``: the explorer signed in with a new key of ``role``, its clock under
    the test's control (to run the alerts' polling timer); a JavaScript exception, a refused
    style or script (Content-Security-Policy) or a request leaving the server fails the test."""
    pages: list[Page] = []
    errors: list[str] = []

    def make(role: str) -> Page:
        context = browser.new_context(viewport=VIEWPORT)

        keep_on_server(context, server.url, errors, inline=False)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.clock.install()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']")
        sign_in(page, create_key(seeded, role, name=f"web-{role}").key)
        assert "Signed in" in page.inner_text("#status")
        pages.append(page)
        return page

    yield make
    for i, page in enumerate(pages):
        page.screenshot(path=str(artifacts / f"web-{request.node.name}-{i}.png"))
        page.context.close()
    assert not errors, f"JavaScript errors, refused resources or outside requests: {errors}"


# ------------------------------------------------------------------ helpers ----------------


def facts_shown(page: Page) -> list[tuple[str, ...]]:
    """The facts of the timeline's list, as (kind, type, date, from, to, entity)."""
    rows = page.eval_on_selector_all(
        "#timeline-facts li",
        "lis => lis.map(li => ['kind', 'type', 'date', 'from', 'to', 'entity']"
        ".map(k => li.dataset[k] || ''))",
    )
    return sorted(tuple(r) for r in rows)


def facts_of(answer: dict[str, Any]) -> list[tuple[str, ...]]:
    keys = ("kind", "type", "date", "from", "to", "entity")
    return sorted(tuple(str(e.get(k) or "") for k in keys) for e in answer["events"])


def open_timeline(page: Page) -> None:
    page.click("#timeline-panel > summary")
    page.wait_for_function(
        "() => Number(document.getElementById('timeline-count').textContent) > 0"
    )


def visible_edges(page: Page) -> set[tuple[str, str, str]]:
    return {
        tuple(e)
        for e in page.evaluate(
            "window.cy.edges().filter(e => e.visible())"
            ".map(e => [e.data('source'), e.data('type'), e.data('target')])"
        )
    }


def shown_edges(page: Page, expected: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The visible edges once they are ``expected`` or 5 s have passed: Cytoscape may count
    an edge shown again (its class removed, its style ``display: element``) as visible
    only from its next frame, as a person sees it, e.g. the second of two edges between
    the same pair."""
    deadline = time.monotonic() + 5.0
    seen = visible_edges(page)
    while seen != expected and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        seen = visible_edges(page)
    return seen


def set_period(page: Page, start: str, end: str) -> None:
    page.fill("#period-from", start)
    page.fill("#period-to", end)
    page.click("#period-apply")
    page.wait_for_function(
        "() => /^Period/.test(document.getElementById('period-summary').textContent)"
    )


def span(value: str | None) -> tuple[str, str] | None:
    """The first and last day a date of the data stands for (written apart from period.js)."""
    if not value:
        return None
    parts = value.split("-")
    if len(parts) == 3:
        return value, value
    if len(parts) == 2:
        last = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
        return f"{value}-01", f"{value}-{last:02d}"
    return f"{value}-01-01", f"{value}-12-31"


def in_period(props: dict[str, Any], start: str, end: str) -> bool:
    first = span(props.get("date") or props.get("start_date"))
    last = span(props.get("end_date")) or first
    if first is None and last is None:
        return False
    a, b = (first or last)[0], (last or first)[1]  # type: ignore[index]
    return a <= end and b >= start


# ------------------------------------------------------------------ timeline ---------------


def test_the_questra_case_on_the_timeline_and_a_click_selects_it(
    open_as: Callable[[str], Page], seeded: GraphDB, client_for: Callable[[str], TestClient]
) -> None:
    page = open_as("admin")
    search_and_open(page, "Questra", CASE_NAME)
    answer = client_for("admin").get(f"/entities/{CASE}/timeline").json()
    assert answer["events"]  # the case's start and end at least
    in_view = set(page.evaluate("window.cy.nodes().map(n => n.id())"))
    assert {n["id"] for n in answer["nodes"]} <= in_view  # so every fact belongs on it

    open_timeline(page)
    assert facts_shown(page) == facts_of(answer)
    # every item is drawn on the axis, the case's start and end as one range
    items = set(
        page.eval_on_selector_all("#timeline-facts li", "l => l.map(li => li.dataset.item)")
    )
    drawn = page.locator(ITEMS)
    assert drawn.count() == len(items)
    assert page.locator("#timeline .vis-item.vis-range", has_text=CASE_NAME).count() == 1

    # a click on the item selects the case in the graph, and its details open
    page.evaluate("() => window.cy.$(':selected').unselect()")
    page.locator("#timeline .vis-item", has_text=CASE_NAME).first.click()
    page.wait_for_function(
        "id => window.cy.$(':selected').map(e => e.id()).join() === id", arg=CASE
    )
    page.wait_for_function(
        "n => document.getElementById('entity-name')?.textContent.includes(n)", arg=CASE_NAME
    )

    # the screenshot for docs/web.md: the case's neighbourhood and its period on the timeline
    page.click("#fit-btn")
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMAGES / "timeline-questra.png"))

    # a period after the case: the case fades, and the seed's undated relationships hide
    set_period(page, "2019-01-01", "2019-12-31")
    assert page.evaluate(f"window.cy.getElementById('{CASE}').hasClass('period-out')")
    assert visible_edges(page) == set()
    set_period(page, "2017-06-01", "2018-06-01")
    assert not page.evaluate(f"window.cy.getElementById('{CASE}').hasClass('period-out')")
    page.click("#period-clear")
    assert len(visible_edges(page)) == page.evaluate("window.cy.edges().length") > 0


def test_a_period_shows_only_its_facts_in_the_graph(
    open_as: Callable[[str], Page],
    seeded: GraphDB,
    client_for: Callable[[str], TestClient],
    tmp_path: Path,
) -> None:
    path = write_jsonl(
        tmp_path / "pay.jsonl",
        [
            source(),
            entity("p-1", name="Marat Issayev"),
            entity("o-1", "Organization", name="Steppe Capital"),
            entity("o-2", "Organization", name="Altyn Trade"),
            rel("PAID", "p-1", "o-1", {"amount": 5.0, "currency": "USD", "date": "2018-03"}),
            rel("PAID", "o-1", "o-2", {"amount": 4.0, "currency": "USD", "date": "2018-01-15"}),
            rel("EMPLOYED_BY", "p-1", "o-2", {"start_date": "2015", "end_date": "2019-06"}),
            rel("MEMBER_OF", "p-1", "o-1"),  # undated: in no period
        ],
    )
    ingest_file(seeded, path)
    page = open_as("admin")
    search_and_open(page, "Marat", "Marat Issayev")
    open_timeline(page)
    answer = client_for("admin").get("/entities/p-1/timeline").json()
    assert facts_shown(page) == facts_of(answer)

    edges = repository.neighborhood(seeded, "p-1")["edges"]
    all_edges = {(e["from"], e["type"], e["to"]) for e in edges}
    assert shown_edges(page, all_edges) == all_edges
    for start, end in (("2018-01-01", "2018-02-28"), ("2018-03-10", "2020-01-01")):
        set_period(page, start, end)
        expected = {
            (e["from"], e["type"], e["to"]) for e in edges if in_period(e["properties"], start, end)
        }
        assert expected and expected != all_edges
        assert shown_edges(page, expected) == expected, (start, end)
        # the items outside it are greyed on the timeline
        out = ", ".join(f"{sel}.out-of-period" for sel in ITEMS.split(", "))
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length === n",
            arg=[out, len(answer["events"]) - len(expected)],
        )

    # the period as a workspace restores it: setPeriod of the shared module
    page.evaluate(
        "async () => (await import('/web/period.js'))"
        ".setPeriod({from: '2018-03-01', to: '2018-03-31'})"
    )
    assert page.input_value("#period-from") == "2018-03-01"
    in_march = {("p-1", "PAID", "o-1"), ("p-1", "EMPLOYED_BY", "o-2")}
    assert shown_edges(page, in_march) == in_march
    period = page.evaluate("async () => (await import('/web/period.js')).state.period")
    assert period == {"from": "2018-03-01", "to": "2018-03-31"}

    # a click on a payment on the timeline selects that relationship in the graph
    page.evaluate("() => window.cy.$(':selected').unselect()")
    page.locator("#timeline .vis-item", has_text="Steppe Capital PAID Altyn Trade").click()
    selected = page.evaluate(
        "window.cy.$('edge:selected')"
        ".map(e => [e.data('source'), e.data('type'), e.data('target')])"
    )
    assert selected == [["o-1", "PAID", "o-2"]]

    page.click("#period-window")  # the visible window holds every dated fact
    dated = all_edges - {("p-1", "MEMBER_OF", "o-1")}
    assert shown_edges(page, dated) == dated
    page.click("#period-clear")
    assert shown_edges(page, all_edges) == all_edges
    assert page.evaluate("async () => (await import('/web/period.js')).state.period") is None


# ------------------------------------------------------------------ alerts -----------------


def _ingest(client: TestClient, path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        answer = client.post("/ingest", files={"file": (path.name, f)})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def badge(page: Page) -> str:
    return page.inner_text("#alerts-badge").strip()


def test_an_ingest_that_matches_a_watch_raises_the_badge_and_opens_in_the_graph(
    open_as: Callable[[str], Page],
    seeded: GraphDB,
    client_for: Callable[[str], TestClient],
    tmp_path: Path,
) -> None:
    analyst = client_for("analyst")
    body = {"name": "big-money", "query": "money-transfers", "params": {"min_amount": 100000}}
    assert analyst.post("/watches", json=body).status_code == 201
    page = open_as("analyst")
    page.wait_for_selector("#alerts-btn", state="visible")  # the first count is in
    assert badge(page) == ""

    path = write_jsonl(
        tmp_path / "pay.jsonl",
        [
            source(),
            entity("p-new-payer", name="Marat Issayev"),
            entity("o-new-payee", "Organization", name="Steppe Capital"),
            rel("PAID", "p-new-payer", "o-new-payee", {"amount": 250000.0, "date": "2019-05-01"}),
        ],
    )
    report = _ingest(client_for("ingester"), path)
    [alert] = analyst.get("/alerts").json()["alerts"]
    assert alert["run_id"] == report["run_id"]

    page.clock.run_for(31_000)  # the next poll
    page.wait_for_function("() => document.getElementById('alerts-badge').textContent === '1'")
    page.click("#alerts-btn")
    item = page.locator(f"#alerts-list li[data-id='{alert['id']}']")
    item.wait_for()
    text = item.inner_text()
    assert "big-money" in text and report["run_id"] in text
    assert alert["row"]["payer"] in text and alert["row"]["payee"] in text
    item.locator("button.alert-open").click()
    page.wait_for_function(
        "() => ['p-new-payer', 'o-new-payee'].every(id => window.cy.getElementById(id).selected())"
    )
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMAGES / "alerts-panel.png"))  # for docs/web.md
    item.locator("button.alert-ack").click()
    page.wait_for_function("() => document.getElementById('alerts-badge').textContent === ''")
    assert analyst.get("/alerts").json()["new"] == 0

    # another matching payment, announced by the page's ingest event rather than the poll
    again = write_jsonl(
        tmp_path / "again.jsonl",
        [source(), rel("PAID", "o-new-payee", "p-new-payer", {"amount": 300000.0})],
    )
    _ingest(client_for("ingester"), again)
    page.evaluate("() => document.dispatchEvent(new Event('casegraph:ingested'))")
    page.wait_for_function("() => document.getElementById('alerts-badge').textContent === '1'")


def test_a_viewer_sees_pseudonyms_only_in_alerts_and_on_the_timeline(
    open_as: Callable[[str], Page],
    seeded: GraphDB,
    client_for: Callable[[str], TestClient],
    tmp_path: Path,
) -> None:
    body = {"name": "minors", "query": "minors-and-exploiters", "params": {}}
    assert client_for("analyst").post("/watches", json=body).status_code == 201
    records = case_file(AIGERIM, ZHANAR)
    records += [
        cited_rel("RECRUITED", SUSPECT["id"], AIGERIM.id, {"date": "2023-02"}),
        cited_rel("EXPLOITED", SUSPECT["id"], AIGERIM.id, {"start_date": "2023-03"}),
    ]
    report = _ingest(client_for("ingester"), write_records(tmp_path / "case.jsonl", records))
    assert report["watches"][0]["new_alerts"]
    needles = AIGERIM.needles() | ZHANAR.needles()
    assert leaks(json.dumps(client_for("admin").get("/alerts").json(), ensure_ascii=False), needles)

    page = open_as("viewer")
    page.wait_for_function("() => document.getElementById('alerts-badge').textContent !== ''")
    page.click("#alerts-btn")
    page.locator("#alerts-list li").first.wait_for()
    assert page.locator("#alerts-list button.alert-ack").count() == 0  # a viewer may not ack
    for button in page.locator("#alerts-list button.alert-open").all():
        button.click()
    page.wait_for_function("() => window.cy.nodes('.pseudonym').length > 0")
    open_timeline(page)
    page.locator("#timeline-panel details summary").click()  # the list of facts, open
    seen = "\n".join(
        [
            page.inner_text("body"),
            page.content(),
            page.evaluate("JSON.stringify(window.cy.json().elements)"),
        ]
    )
    # the victim's dated facts are on it, under her pseudonym
    assert page.locator("#timeline-facts li[data-type='RECRUITED']").count() == 1
    assert not leaks(seen, needles)
