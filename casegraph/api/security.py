"""One call that puts access control, victim protection, audit and body limits in front of
every route of an app: :func:`install_security` (called by
:func:`casegraph.api.app.create_app`).

Order, outermost first: audit (records every request, including refused ones) → auth
(401/403 from the route table) → body limits (413) → redaction → the routers.
"""

from __future__ import annotations

from fastapi import FastAPI

from casegraph.api.audit import AuditMiddleware, audit_log_for
from casegraph.api.auth import AuthMiddleware, KeyStore
from casegraph.api.limits import BodyLimitMiddleware
from casegraph.api.redaction import RedactionMiddleware, VictimGuard
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the security middlewares and their state to ``app``."""

    def db() -> GraphDB:
        found: GraphDB = app.state.db
        return found

    app.state.keys = KeyStore(db)
    app.state.victims = VictimGuard(db)
    app.state.audit = audit_log_for(
        settings.audit_path, max_bytes=settings.audit_max_bytes, keep=settings.audit_keep
    )
    # add_middleware puts each new one outside the previous ones
    app.add_middleware(RedactionMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(AuthMiddleware)
    app.add_middleware(AuditMiddleware)
