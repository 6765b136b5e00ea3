"""``casegraph neo4j start|stop|status``: the local, in-process Neo4j (``neo4j-local/``)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from casegraph import local_neo4j
from casegraph.commands.common import console, handle_errors, print_json
from casegraph.settings import get_settings

neo4j_app = typer.Typer(
    help="The local Neo4j (Community, in-process, Bolt on 127.0.0.1).", no_args_is_help=True
)

DATA_HELP = "data directory (default CASEGRAPH_NEO4J_DATA, .casegraph/neo4j)"


def _data(data: Path | None) -> Path:
    return (data or get_settings().neo4j_data).resolve()


@neo4j_app.command("start")
@handle_errors
def start(
    port: int = typer.Option(None, help="Bolt port (default CASEGRAPH_NEO4J_PORT, 7687)"),
    data: Path = typer.Option(None, help=DATA_HELP),
    timeout: float = typer.Option(180.0, help="seconds to wait for Bolt to answer"),
    version: str = typer.Option(
        None,
        help=f"Neo4j release from Maven Central (default {local_neo4j.DEFAULT_VERSION}; "
        f"{local_neo4j.GDS_NEO4J_VERSION} with --with-gds)",
    ),
    with_gds: bool = typer.Option(
        False,
        "--with-gds",
        help=f"add the Graph Data Science plugin {local_neo4j.GDS_VERSION} (procedures gds.*)",
    ),
) -> None:
    """Start the local Neo4j (idempotent); wait until Bolt answers; print its URI."""
    settings = get_settings()
    t0 = time.monotonic()
    uri = local_neo4j.start(
        port or settings.neo4j_port,
        _data(data),
        timeout=timeout,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
        version=version,
        with_gds=with_gds,
    )
    console.print(f"Neo4j ready in {time.monotonic() - t0:.1f}s")
    print(uri)


@neo4j_app.command("stop")
@handle_errors
def stop(data: Path = typer.Option(None, help=DATA_HELP)) -> None:
    """Stop the local Neo4j (idempotent)."""
    was_running = local_neo4j.stop(_data(data))
    console.print("stopped" if was_running else "not running")


@neo4j_app.command("status")
@handle_errors
def status(data: Path = typer.Option(None, help=DATA_HELP)) -> None:
    """Whether the local Neo4j runs, with its pid and URI (JSON)."""
    info = local_neo4j.status(_data(data))
    print_json(info)
    if not info.get("running"):
        raise typer.Exit(code=3)


@neo4j_app.command("dump")
@handle_errors
def dump(
    to: Path = typer.Option(..., "--to", help="the dump file to write (e.g. casegraph.dump)"),
    data: Path = typer.Option(None, help=DATA_HELP),
    replace: bool = typer.Option(False, "--replace", help="overwrite an existing dump file"),
) -> None:
    """Back up the local Neo4j's database with ``neo4j-admin database dump`` (stop it
    first: a dump needs the database offline). Prints the file."""
    t0 = time.monotonic()
    written = local_neo4j.dump(_data(data), to, replace=replace)
    size = written.stat().st_size
    console.print(f"dumped in {time.monotonic() - t0:.1f}s ({size / 1e6:.1f} MB)")
    print(written)


@neo4j_app.command("load")
@handle_errors
def load(
    from_file: Path = typer.Option(..., "--from", help="a dump file (casegraph neo4j dump)"),
    data: Path = typer.Option(None, help=DATA_HELP),
    replace: bool = typer.Option(
        False, "--replace", help="replace the database the folder holds (it is deleted)"
    ),
) -> None:
    """Restore a dump into the local Neo4j's folder with ``neo4j-admin database load``
    (stopped; then ``casegraph neo4j start``)."""
    t0 = time.monotonic()
    local_neo4j.load(_data(data), from_file, replace=replace)
    console.print(f"loaded in {time.monotonic() - t0:.1f}s; start it with casegraph neo4j start")
