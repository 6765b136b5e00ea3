"""``casegraph apikey create|list|revoke`` and ``casegraph audit tail``."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from casegraph.api import auth
from casegraph.api.audit import anonymous_path, tail
from casegraph.commands.common import console, handle_errors, open_db, print_json
from casegraph.errors import InvalidRequestError
from casegraph.graph.audit import read_records
from casegraph.graph.schema import init_schema
from casegraph.settings import get_settings

apikey_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of the API.", no_args_is_help=True)


@apikey_app.command("create")
@handle_errors
def apikey_create(
    role: str = typer.Option(..., "--role", help="viewer, analyst, ingester or admin"),
    name: str = typer.Option("", "--name", help="who or what the key is for"),
    if_none: bool = typer.Option(
        False,
        "--if-none",
        help="only when no unrevoked key of this role and name exists (for container starts)",
    ),
) -> None:
    """Create a key; print it alone on stdout (it is shown this once; only its hash is kept).

    With ``--if-none`` nothing is created, and nothing printed on stdout, when an unrevoked
    key of the same role and name exists: a container that runs this at every start makes
    one key, once."""
    auth.check_role(role)
    with open_db() as db:
        init_schema(db, wait=False)
        if if_none:
            same = [
                k
                for k in auth.list_keys(db)
                if k["role"] == role and k["name"] == name and not k["revoked"]
            ]
            if same:
                console.print(
                    f"an unrevoked {role} key named {name!r} exists ({same[0]['key_id']}); "
                    "none created"
                )
                return
        new = auth.create_key(db, role, name)
    console.print(f"created API key {new.key_id} (role {new.role}); it is shown only once")
    sys.stdout.write(new.key + "\n")


@apikey_app.command("list")
@handle_errors
def apikey_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every key's id, role, name, creation time and status (never the keys)."""
    with open_db() as db:
        keys = auth.list_keys(db)
    if as_json:
        print_json(keys)
        return
    table = Table(title=f"{len(keys)} API key(s)")
    for col in ("key_id", "role", "name", "created_at", "revoked"):
        table.add_column(col)
    for k in keys:
        table.add_row(
            *(str(k.get(c, "")) for c in ("key_id", "role", "name", "created_at", "revoked"))
        )
    console.print(table)


@apikey_app.command("revoke")
@handle_errors
def apikey_revoke(key_id: str = typer.Argument(..., help="the key id shown by `list`")) -> None:
    """Revoke a key (servers stop accepting it within a few seconds)."""
    with open_db() as db:
        auth.revoke_key(db, key_id)
    console.print(f"revoked {key_id}")


@audit_app.command("tail")
@handle_errors
def audit_tail(
    n: int = typer.Option(20, "-n", "--lines", min=1, help="how many records"),
    anonymous: bool = typer.Option(
        False, "--anonymous", help="the log of requests without a valid key instead"
    ),
    source: str = typer.Option(
        None,
        "--source",
        help="file (this machine's log) or neo4j (the shared sink: every API replica's "
        "records); default neo4j when CASEGRAPH_AUDIT_SINK writes there, else file",
    ),
) -> None:
    """Print the last N audit records (JSON Lines, oldest first)."""
    settings = get_settings()
    chosen = source or ("file" if settings.audit_sink == "file" else "neo4j")
    if chosen not in ("file", "neo4j"):
        raise InvalidRequestError(f"--source must be file or neo4j, not {chosen!r}")
    if chosen == "neo4j":
        with open_db() as db:
            stream = "anonymous" if anonymous else "main"
            records = read_records(db, db.protection_key, limit=min(n, 10_000), stream=stream)
    else:
        path, keep = settings.audit_path, settings.audit_keep
        if anonymous:
            path, keep = anonymous_path(path), settings.audit_anonymous_keep
        records = tail(path, n, keep=keep)
    for record in records:
        sys.stdout.write(_line(record) + "\n")


def _line(record: dict[str, object]) -> str:
    import json

    return json.dumps(record, ensure_ascii=False)
