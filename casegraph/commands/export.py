"""``casegraph export``: the graph for Gephi, Cytoscape, FtM or a spreadsheet."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from casegraph.commands.common import console, disclose, handle_errors, open_db
from casegraph.formats import writers
from casegraph.graph import export as export_mod


@handle_errors
def export(
    format: str = typer.Option("graphml", help=", ".join(writers.FORMATS)),
    output: Path = typer.Option(None, "-o", "--output", help="file (default: stdout)"),
    label: list[str] = typer.Option(None, help="only these kinds (repeatable)"),
    with_sources: bool = typer.Option(False, help="include MENTIONED_IN links"),
) -> None:
    """Export the whole graph (the command line runs with the database's own rights)."""
    with open_db() as db:
        graph = export_mod.graph_snapshot(db, labels=label or None, with_sources=with_sources)
        graph = disclose(db, graph, real_ids=True)
    body = writers.serialize(graph, format)
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        console.print(
            f"wrote {len(graph['nodes'])} entities, {len(graph['edges'])} relationships to {output}"
        )
