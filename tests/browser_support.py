"""One headless Chromium (Debian's ``chromium``, driven by Playwright) for every browser test
of the session: ``tests/conftest.py`` registers :func:`browser`, so that the web explorer's
tests and the hardening tests share it (two Playwright instances cannot run in one
process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright

from casegraph.api.routers.web import WEB_DIR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The session's Chromium; fails (never skips) when it or the vendored assets are
    missing."""
    for vendored in (
        "cytoscape.min.js",
        "swagger-ui-bundle.js",
        "redoc.standalone.js",
        "leaflet.js",
        "topojson-client.min.js",
        "countries-50m.json",
    ):
        if not (WEB_DIR / "vendor" / vendored).is_file():
            pytest.fail(f"{WEB_DIR / 'vendor' / vendored} is missing: run `make web-assets`")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def keep_on_server(
    context: BrowserContext, base: str, errors: list[str], *, inline: bool = True
) -> None:
    """Let the pages of ``context`` load only from the casegraph server at ``base`` (and,
    with ``inline``, the ``data:`` and ``blob:`` URLs a page makes itself); any other request
    is aborted and recorded in ``errors``."""
    allowed = (base + "/", "data:", "blob:") if inline else (base + "/",)

    def guard(route: Route) -> None:
        target = route.request.url
        if target == base or target.startswith(allowed):
            route.continue_()
        else:
            errors.append(f"request outside the casegraph server: {target}")
            route.abort()

    context.route("**/*", guard)
