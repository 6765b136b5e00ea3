"""The review screen (``/web/review.html``) in a real headless Chromium over a live server:
the seed article staged into the seeded graph, its mentions highlighted where the spans
say, and a proposal accepted (and one rejected) from the screen, written to the graph.

It also takes the screenshot of the review screen on the seed article that the docs show
(``docs/images/review-seed.png``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from casegraph.api.app import create_app
from casegraph.api.auth import create_key
from casegraph.extract.documents import read_document
from casegraph.extract.linking import Linker
from casegraph.extract.pipeline import extract
from casegraph.graph.db import GraphDB
from casegraph.graph.review import get_item
from casegraph.ingest import review as rv
from casegraph.settings import Settings
from tests.browser_support import keep_on_server
from tests.test_extract import seed_article
from tests.test_web_ui import TIMEOUT_MS, LiveServer, sign_in

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "images" / "review-seed.png"
NODES = "MATCH (n:Entity {id: $id}) RETURN properties(n) AS props"


def open_review(browser: Browser, base: str, errors: list[str]) -> Page:
    """The review page of the server at ``base`` (1440×900); JavaScript errors and requests
    that leave the server go to ``errors`` (such requests are refused)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})

    keep_on_server(context, base, errors)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/web/review.html")
    page.wait_for_selector("body[data-ready='1']")
    return page


@pytest.fixture
def staged(seeded: GraphDB) -> str:
    doc = read_document(seed_article())
    result = extract(doc, linker=Linker(seeded, "admin"))
    return str(rv.stage(seeded, result, doc.text, user="web-test")["id"])


@pytest.fixture
def review_page(
    browser: Browser, seeded: GraphDB, settings: Settings, staged: str, artifacts: Path
) -> Iterator[Page]:
    errors: list[str] = []
    with LiveServer(create_app(db=seeded, settings=settings)) as live:
        page = open_review(browser, live.url, errors)
        sign_in(page, create_key(seeded, "ingester", name="web-review").key)
        assert "Signed in" in page.inner_text("#status")
        page.click(f"[data-set='{staged}']")
        page.wait_for_selector("mark.mention")
        yield page
        page.screenshot(path=str(artifacts / "web-review.png"))
        page.context.close()
    assert not errors, f"JavaScript errors or outside requests: {errors}"


def test_review_screen_highlights_mentions_and_accepts_from_the_screen(
    review_page: Page, seeded: GraphDB, staged: str
) -> None:
    page = review_page
    view = rv.view_set(seeded, staged, "ingester")
    # the document as the server gives it, every mention highlighted at its span
    assert page.inner_text("#doc-text").replace("\n", "") == view["text"].replace("\n", "")
    expected = sorted(
        (m["start"], it["id"], m["quote"])
        for it in view["items"]
        if it["type"] == "entity"
        for m in it["mentions"]
    )
    marks = page.eval_on_selector_all(
        "mark.mention", "ms => ms.map(m => [m.dataset.item, m.textContent])"
    )
    assert marks == [[iid, quote] for _, iid, quote in expected]
    # a proposal linked to the graph shows its match
    [anna] = [it for it in view["items"] if it.get("name") == "Anna Ryl"]
    assert "per-anna-ryl" in page.inner_text(f"li[data-item='{anna['id']}']")

    # accept one new entity from the screen: written with the source and its spans
    [new] = [it for it in view["items"] if it["type"] == "entity" and it["match"] is None][:1]
    page.click(f"li[data-item='{new['id']}'] button[data-act='accept']")
    page.wait_for_function(
        "id => document.querySelector(`li[data-item='${id}']`)?.classList.contains('s-accepted')",
        arg=new["id"],
    )
    stored = get_item(seeded, new["id"])
    assert stored is not None and stored["status"] == "accepted"
    assert stored["decided_by"].endswith("(ingester)")
    [row] = seeded.read(NODES, {"id": stored["entity_id"]})
    assert row["props"]["name"] == new["name"]
    assert row["props"]["sources"] == [view["source_id"]]
    assert row["props"]["spans"] == [
        f"{view['source_id']}:{m['start']}-{m['end']}" for m in new["mentions"]
    ]
    # its mentions are marked accepted in the text
    classes = page.eval_on_selector_all(
        f"mark[data-item='{new['id']}']", "ms => ms.map(m => m.className)"
    )
    assert classes and all("s-accepted" in c for c in classes)

    # reject two in bulk: select, then "Reject selected"
    facts = [
        it for it in view["items"] if it["type"] == "relationship" and it["basis"] != "pattern"
    ]
    for it in facts[:2]:
        page.check(f"input[data-select='{it['id']}']")
    page.click("#reject-selected")
    page.wait_for_function("() => /rejected 2/.test(document.getElementById('status').textContent)")
    for it in facts[:2]:
        found = get_item(seeded, it["id"])
        assert found is not None and found["status"] == "rejected"

    # the screenshot the docs show: the seed article, an accepted mention in focus
    page.click(f"li[data-item='{anna['id']}'] .name")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
