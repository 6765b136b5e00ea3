"""One call that puts access control, victim protection, audit and body limits in front of
every route of an app: :func:`install_security` (called by
:func:`casegraph.api.app.create_app`).

Order, outermost first: security headers (CSP, nosniff, no-referrer on every answer) →
audit (records every request, including refused ones; anonymous ones apart) → auth
(401/403 from the route table) → body read timeout (408) → body limits (413) → JSON depth
limit (422) → disclosure (what the caller may see
of protected people, applied by every JSON answer) → the routers.
"""

from __future__ import annotations

from fastapi import FastAPI

from casegraph.api.audit import AuditMiddleware
from casegraph.api.auth import AuthMiddleware
from casegraph.api.disclosure import DisclosureMiddleware
from casegraph.api.headers import SecurityHeadersMiddleware
from casegraph.api.jsondepth import JsonDepthMiddleware
from casegraph.api.limits import BodyLimitMiddleware
from casegraph.api.timeouts import BodyTimeoutMiddleware


def install_security(app: FastAPI) -> None:
    """Add the security middlewares to ``app`` (they read the app's
    :class:`~casegraph.api.context.AppContext`: its settings, keys, rights table, audit
    trail and trusted proxies)."""
    # add_middleware puts each new one outside the previous ones
    app.add_middleware(DisclosureMiddleware)
    app.add_middleware(JsonDepthMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(BodyTimeoutMiddleware)
    app.add_middleware(AuthMiddleware)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
