"""The API description, ``GET /openapi.json``, and its pages, ``GET /docs`` (Swagger UI)
and ``GET /redoc`` (ReDoc) from vendored npm packages; all three open to everyone.

The pages are FastAPI's own (:func:`~fastapi.openapi.docs.get_swagger_ui_html`,
:func:`~fastapi.openapi.docs.get_redoc_html`) pointed at the files that ``make
web-assets`` copies from ``swagger-ui-dist`` and ``redoc`` into ``casegraph/web/vendor/``
(served at ``/web/vendor/``): no CDN, no Google Fonts, no remote favicon (and ``make
web-assets`` points the one remote image of the ReDoc bundle, the Redocly logo in its
sidebar, at an empty ``data:`` URL). Each page sends the same-origin
Content-Security-Policy plus the sha256 of its own inline scripts (Swagger UI's start-up
script), so no other script can run. ReDoc builds its styles at run time (styled-components
and bundled CSS put into ``<style>`` elements), so its page allows inline *styles* (never
scripts), and a ``blob:`` worker for its search index.

Examples
--------
>>> page = "<script src='/a.js'></script><script>go()</script>"
>>> [h[:8] for h in inline_hashes(page, "script")]
["'sha256-"]
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from casegraph.api.headers import csp, style_hash
from casegraph.api.rights import OPEN

VENDOR_URL = "/web/vendor"
SWAGGER_JS = f"{VENDOR_URL}/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR_URL}/swagger-ui.css"
REDOC_JS = f"{VENDOR_URL}/redoc.standalone.js"
#: An empty favicon (no request at all, not FastAPI's remote one).
FAVICON = "data:,"
#: ReDoc's run-time styles (see the module docstring).
REDOC_STYLE = ("'unsafe-inline'",)
#: ReDoc runs its search index in a worker made from a ``blob:`` URL.
REDOC_WORKER = ("blob:",)


def inline_hashes(html: str, tag: str) -> list[str]:
    """CSP source expressions (``'sha256-…'``) for each inline ``<tag>`` block of ``html``
    (blocks with a ``src`` attribute are files, not inline)."""
    pattern = re.compile(rf"<{tag}(\s[^>]*)?>(.*?)</{tag}>", re.DOTALL | re.IGNORECASE)
    out = []
    for match in pattern.finditer(html):
        attributes, body = match.group(1) or "", match.group(2)
        if "src=" in attributes.lower():
            continue
        out.append(style_hash(body))
    return out


def _page(
    html: str, *, style: tuple[str, ...] | None = None, worker: tuple[str, ...] = ()
) -> HTMLResponse:
    """``html`` with its policy: its inline scripts by hash; its inline styles by hash, or
    the ``style`` sources given instead (a hash would disable ``'unsafe-inline'``)."""
    policy = csp(
        script=inline_hashes(html, "script"),
        style=inline_hashes(html, "style") if style is None else style,
        worker=worker,
    )
    return HTMLResponse(
        html, headers={"Content-Security-Policy": policy, "Cache-Control": "no-cache"}
    )


def _html(response: HTMLResponse) -> str:
    return bytes(response.body).decode("utf-8")


def install_docs(
    app: FastAPI,
    *,
    openapi_url: str = "/openapi.json",
    docs_url: str = "/docs",
    redoc_url: str = "/redoc",
) -> None:
    """Serve the API description of ``app`` and its pages (``app`` is created with
    ``openapi_url=None, docs_url=None, redoc_url=None``, so that these routes, like every
    other, declare their right: open)."""

    @app.get(openapi_url, include_in_schema=False, dependencies=[OPEN])
    async def openapi(request: Request) -> JSONResponse:
        schema = app.openapi()
        root_path = request.scope.get("root_path", "").rstrip("/")
        servers = schema.get("servers", [])
        if (
            root_path
            and app.root_path_in_servers
            and root_path not in {s.get("url") for s in servers}
        ):
            schema = {**schema, "servers": [{"url": root_path}, *servers]}
        return JSONResponse(schema)

    swagger = _html(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API docs",
            swagger_js_url=SWAGGER_JS,
            swagger_css_url=SWAGGER_CSS,
            swagger_favicon_url=FAVICON,
        )
    )
    redoc = _html(
        get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API reference",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
    )

    @app.get(docs_url, include_in_schema=False, dependencies=[OPEN])
    async def swagger_ui() -> HTMLResponse:
        return _page(swagger)

    @app.get(redoc_url, include_in_schema=False, dependencies=[OPEN])
    async def redoc_page() -> HTMLResponse:
        return _page(redoc, style=REDOC_STYLE, worker=REDOC_WORKER)
