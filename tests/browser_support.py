"""One headless Chromium (Debian's ``chromium``, driven by Playwright) for every browser test
of the session: ``tests/conftest.py`` registers :func:`browser`, so that the web explorer's
tests and the hardening tests share it (two Playwright instances cannot run in one
process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

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
