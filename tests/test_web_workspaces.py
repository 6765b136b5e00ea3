"""Workspaces in the explorer, in real headless Chromium against a real server: save the
view, reload the page, open it by its link in a fresh browser, and find the same entities
at the same positions with the same filters; notes; the PNG and the printable report (with
the sources of every fact); a viewer opening an admin's workspace sees pseudonyms.

Leaves ``docs/images/workspace-reopened.png`` and ``docs/images/workspace-report.png``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings
from tests.browser_support import keep_on_server
from tests.test_web_ui import (
    TIMEOUT_MS,
    VIEWPORT,
    LiveServer,
    open_page,
    search_and_open,
    sign_in,
)

DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
SOURCE_TITLE = "Over a thousand Kazakhstan residents have vanished without a trace"

VIEW_STATE = """() => ({
  nodes: Object.fromEntries(window.cy.nodes().not('.group').map(n => [n.id(), {
    x: n.position('x'), y: n.position('y'),
    rx: n.renderedPosition('x'), ry: n.renderedPosition('y')}])),
  zoom: window.cy.zoom(),
  hops: document.getElementById('hops').value,
  kind: document.getElementById('search-kind').value,
})"""


@pytest.fixture
def live(seeded: GraphDB, settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(db=seeded, settings=settings)) as server:
        yield server


def _wait_status(page: Page, pattern: str) -> None:
    try:
        page.wait_for_function(
            "re => new RegExp(re).test(document.getElementById('status').textContent)",
            arg=pattern,
        )
    except Exception as exc:
        said = page.inner_text("#status")
        raise AssertionError(f"waited for {pattern!r}; the status says {said!r}") from exc


def _same_view(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert set(after["nodes"]) == set(before["nodes"])
    for nid, p in before["nodes"].items():
        q = after["nodes"][nid]
        for k in ("x", "y", "rx", "ry"):
            assert abs(p[k] - q[k]) <= 1.5, (nid, k, p[k], q[k])
    assert abs(after["zoom"] - before["zoom"]) < 1e-6
    assert (after["hops"], after["kind"]) == (before["hops"], before["kind"])


def _open_by_link(browser: Browser, base: str, wid: str, key: str, errors: list[str]) -> Page:
    """A fresh browser (no stored key) at the workspace's link; signs in there."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)

    keep_on_server(context, base, errors)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/#workspace={wid}")
    page.wait_for_selector("body[data-ready='1']")
    assert "Sign in to open the workspace" in page.inner_text("#status")
    page.fill("#api-key", key)
    page.click("#signin-btn")
    _wait_status(page, "Opened workspace|40[1345]")
    return page


def test_save_reload_open_by_link_and_report(
    browser: Browser, live: LiveServer, seeded: GraphDB, artifacts: Path
) -> None:
    errors: list[str] = []
    key = create_key(seeded, "admin", name="alice (admin)").key
    page = open_page(browser, live.url, errors)
    sign_in(page, key)
    search_and_open(page, "Questra", "Questra World")
    page.wait_for_function("() => window.cy.nodes().length > 2")
    # a view of her own: a node moved by hand, zoomed, other filters
    page.evaluate(
        "() => { window.cy.getElementById('org-questra-world').position({x: 123.4, y: -56.7});"
        " window.cy.zoom(0.9); window.cy.pan({x: 300, y: 250}); }"
    )
    page.select_option("#hops", "2")
    page.select_option("#search-kind", "Organization")
    before = page.evaluate(VIEW_STATE)
    page.fill("#ws-name", "Questra flows")
    page.click("#ws-save")
    _wait_status(page, "Saved workspace")
    wid = page.evaluate("() => new URLSearchParams(location.hash.slice(1)).get('workspace')")
    assert wid and wid.startswith("ws-")
    page.locator("#ws-list li", has_text="Questra flows").wait_for()

    # a note on the workspace, one on an entity
    page.fill("#note-text", "Follow the Questra Holding transfers.")
    page.click("#note-add")
    page.wait_for_selector("#notes-list .note")
    assert "alice (admin)" in page.inner_text("#notes-list")

    # reload: the link in the address bar opens it again, as it was
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    _wait_status(page, "Opened workspace")
    _same_view(before, page.evaluate(VIEW_STATE))
    assert "Follow the Questra Holding transfers." in page.inner_text("#notes-list")

    # a fresh browser at the link
    other = _open_by_link(browser, live.url, wid, key, errors)
    _same_view(before, other.evaluate(VIEW_STATE))
    other.locator("#notes-list .note", has_text="Questra Holding transfers").wait_for()
    other.click("#cy")  # no focus ring on a control in the picture
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(DOCS_IMAGES / "workspace-reopened.png"))

    # PNG of the view
    with other.expect_download() as dl:
        other.click("#ws-png")
    png = Path(dl.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and dl.value.suggested_filename == "Questra-flows.png"

    # the printable report, in a new tab: the entities, the facts and their sources
    with other.expect_popup() as popup:
        other.click("#ws-report")
    report = popup.value
    report.wait_for_selector("#sources li")
    text = report.inner_text("body")
    assert "Questra flows" in text and "Questra World" in text
    assert SOURCE_TITLE in text
    shown = seeded.read(
        "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.name AS name",
        {"ids": list(before["nodes"])},
    )
    assert all(r["name"] in text for r in shown)
    facts = report.locator("#facts tbody tr")
    assert facts.count() > 0
    for i in range(facts.count()):  # every fact shown cites its sources
        assert facts.nth(i).locator("td").last.locator("a").count() >= 1
    assert "Follow the Questra Holding transfers." in text
    assert report.evaluate("() => getComputedStyle(document.querySelector('th')).fontWeight") in (
        "700",
        "bold",
    )  # the report's style sheet applies
    report.screenshot(path=str(DOCS_IMAGES / "workspace-report.png"))

    # rename, then delete (the browser's own dialogs)
    other.once("dialog", lambda d: d.accept("Questra flows (checked)"))
    other.locator(f"#ws-list li[data-id='{wid}'] .ws-rename").click()
    _wait_status(other, "Renamed")
    other.locator("#ws-list li", has_text="Questra flows (checked)").wait_for()
    other.once("dialog", lambda d: d.accept())
    other.locator(f"#ws-list li[data-id='{wid}'] .ws-delete").click()
    _wait_status(other, "Deleted")
    other.locator(f"#ws-list li[data-id='{wid}']").wait_for(state="detached")
    assert seeded.read("MATCH (w:Workspace) RETURN count(w) AS n")[0]["n"] == 0
    other.screenshot(path=str(artifacts / "web-workspaces-deleted.png"))
    page.context.close()
    other.context.close()
    assert not errors, errors


def test_a_viewer_opening_an_admins_workspace_sees_pseudonyms(
    browser: Browser, live: LiveServer, seeded: GraphDB, artifacts: Path
) -> None:
    errors: list[str] = []
    admin = open_page(browser, live.url, errors)
    sign_in(admin, create_key(seeded, "admin", name="admin").key)
    search_and_open(admin, "Almaty sexual", "Almaty sexual-exploitation case")
    admin.wait_for_function("() => window.cy.nodes().length > 2")
    admin_names = set(admin.evaluate("window.cy.nodes().map(n => n.data('name'))"))
    assert "Unnamed 16-year-old girl" in admin_names
    admin.fill("#ws-name", "Almaty case")
    admin.click("#ws-save")
    _wait_status(admin, "Saved workspace")
    wid = admin.evaluate("() => new URLSearchParams(location.hash.slice(1)).get('workspace')")

    viewer_key = create_key(seeded, "viewer", name="viewer").key
    viewer = _open_by_link(browser, live.url, wid, viewer_key, errors)
    names = set(viewer.evaluate("window.cy.nodes().map(n => n.data('name'))"))
    assert len(names) == len(admin_names)
    assert "Unnamed 16-year-old girl" not in names
    assert any(n.startswith("Victim ") for n in names)
    page_text = viewer.content()
    assert "16-year-old girl coerced" not in page_text and "Unnamed 16-year-old" not in page_text
    viewer.screenshot(path=str(artifacts / "web-workspace-viewer.png"))
    admin.context.close()
    viewer.context.close()
    assert not errors, errors
