"""The web graph explorer: ``GET /`` serves the page, ``GET /web/{path}`` its static assets.

The page and its assets need no API key (they hold no data); the API calls the page makes
send the key the investigator typed. Third-party scripts (Cytoscape.js) are vendored from
npm into ``casegraph/web/vendor/`` by ``make web-assets``; nothing is loaded from a CDN.
The page's Content-Security-Policy is the same-origin one of every answer
(:mod:`casegraph.api.headers`) plus the hash of the one style element Cytoscape.js adds.

>>> asset_path("main.js").name
'main.js'
>>> asset_path("../api/app.py") is None
True
"""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse, PlainTextResponse, Response

from casegraph.api.headers import csp, style_hash
from casegraph.api.routing import api_router

WEB_DIR = Path(__file__).resolve().parent.parent.parent / "web"
INDEX = WEB_DIR / "index.html"
VENDOR_HINT = (
    "casegraph web asset {name!r} is missing: run `make web-assets` "
    "(npm ci --prefix web, then copy into casegraph/web/vendor/)"
)
# Assets may be cached briefly; the page itself always revalidates.
ASSET_CACHE = "public, max-age=300"
#: The page's scripts are ES modules: browsers run a module only when it is served as
#: JavaScript (and ``nosniff`` is on), so the type is set here, not guessed from the system.
SCRIPT_TYPES = {".js": "text/javascript", ".mjs": "text/javascript"}
#: The style element Cytoscape.js puts in the page's head (its container's positioning).
CYTOSCAPE_STYLE = ".__________cytoscape_container { position: relative; }"
PAGE_POLICY = csp(style=(style_hash(CYTOSCAPE_STYLE),))

#: Open: the page and its assets hold no data.
router = api_router(None, tags=["web"], errors=())


def asset_path(name: str) -> Path | None:
    """The file under :data:`WEB_DIR` called ``name``, or ``None`` if it lies outside it."""
    candidate = (WEB_DIR / name).resolve()
    if not candidate.is_relative_to(WEB_DIR) or candidate == WEB_DIR:
        return None
    return candidate


@router.get("/", include_in_schema=False)
def index() -> Response:
    """The explorer page (no API key needed: it holds no data)."""
    return FileResponse(
        INDEX,
        media_type="text/html",
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY},
    )


@router.get("/web/{name:path}", include_in_schema=False)
def asset(name: str) -> Response:
    """A static asset of the page: its script, its style sheet, vendored libraries."""
    path = asset_path(name)
    if path is None or not path.is_file():
        message = VENDOR_HINT.format(name=name) if name.startswith("vendor/") else "not found"
        return PlainTextResponse(message, status_code=404)
    return FileResponse(
        path, media_type=SCRIPT_TYPES.get(path.suffix), headers={"Cache-Control": ASSET_CACHE}
    )
