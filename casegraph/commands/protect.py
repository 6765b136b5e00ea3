"""``casegraph protect lift ID --reason …``: an admin's decision to show a person in clear."""

from __future__ import annotations

import typer

from casegraph.api.audit import AuditLog
from casegraph.commands.common import console, handle_errors, open_db, print_json
from casegraph.errors import InvalidRequestError
from casegraph.graph.protected_writes import lift
from casegraph.ingest.runs import os_user
from casegraph.settings import get_settings

protect_app = typer.Typer(help="Protected people (victims, minors).", no_args_is_help=True)


@protect_app.command("lift")
@handle_errors
def protect_lift(
    entity_id: str = typer.Argument(..., help="her real or pseudonymous id"),
    reason: str = typer.Option(..., "--reason", help="why (kept in the audit log)"),
) -> None:
    """Store a protected person in clear again. Audited; data that marks her again (a
    victim relationship, a minor's age) protects her again on its next load."""
    if len(reason.strip()) < 5:
        raise InvalidRequestError("--reason must say why (at least 5 characters)")
    settings = get_settings()
    with open_db() as db:
        done = lift(db, db.protection_key, entity_id)
    log = AuditLog(settings.audit_path)
    log.record(
        {
            "event": "protection.lift",
            "user": os_user(),
            "entity": done["pseudonymous_id"],
            "level": done["level"],
            "reason": reason,
        }
    )
    log.close()
    console.print(f"protection lifted from {done['pseudonymous_id']} (was {done['level']})")
    print_json(done)
