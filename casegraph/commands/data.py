"""``casegraph db init|reset|stats``, ``casegraph seed``, ``casegraph ingest``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from casegraph.commands.common import console, handle_errors, open_db, print_json
from casegraph.graph.schema import init_schema, reset_database
from casegraph.ingest.pipeline import IngestReport, ingest_file
from casegraph.ingest.seed import seed_path

db_app = typer.Typer(help="The database schema and contents.", no_args_is_help=True)

COUNTS = """
MATCH (n:Entity) WITH [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, count(*) AS c
RETURN kind, c ORDER BY kind
"""
REL_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS c ORDER BY type"


@db_app.command("init")
@handle_errors
def db_init() -> None:
    """Create the constraints and indexes (idempotent)."""
    with open_db() as db:
        for statement in init_schema(db):
            console.print(f"[green]ok[/] {statement.splitlines()[0][:90]}")


@db_app.command("reset")
@handle_errors
def db_reset(yes: bool = typer.Option(False, "--yes", help="really delete everything")) -> None:
    """Delete every node and relationship."""
    if not yes:
        console.print("refusing without --yes")
        raise typer.Exit(code=1)
    with open_db() as db:
        reset_database(db)
        db.bump_graph_version()
    console.print("database emptied")


@db_app.command("stats")
@handle_errors
def db_stats(as_json: bool = typer.Option(False, "--json")) -> None:
    """Node counts by kind and relationship counts by type."""
    with open_db() as db:
        nodes = {r["kind"]: r["c"] for r in db.read(COUNTS)}
        rels = {r["type"]: r["c"] for r in db.read(REL_COUNTS)}
    if as_json:
        print_json({"nodes": nodes, "relationships": rels})
        return
    for title, data in (("nodes", nodes), ("relationships", rels)):
        table = Table(title=title)
        table.add_column("kind")
        table.add_column("count", justify="right")
        for k, v in data.items():
            table.add_row(k, str(v))
        table.add_row("total", str(sum(data.values())), style="bold")
        console.print(table)


def run_ingest(path: Path) -> IngestReport:
    with (
        open_db() as db,
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} records"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress,
    ):
        task = progress.add_task(f"loading {path.name}", total=None, rate="")

        def advance(n: int) -> None:
            progress.advance(task, n)
            t = progress.tasks[task]
            if t.elapsed:
                progress.update(task, rate=f"{t.completed / t.elapsed:,.0f} records/s")

        return ingest_file(db, path, progress=advance)


def print_report(report: IngestReport) -> None:
    table = Table(title=f"loaded {report.path}")
    for col in ("kind / type", "created", "updated", "unchanged"):
        table.add_column(col, justify="left" if col.startswith("kind") else "right")
    for key, c in report.counts.as_dict().items():
        table.add_row(key, str(c["created"]), str(c["updated"]), str(c["unchanged"]))
    console.print(table)


@handle_errors
def seed(as_json: bool = typer.Option(False, "--json", help="print the report as JSON")) -> None:
    """Load the built-in dataset (the Kazakhstan news report). Idempotent."""
    report = run_ingest(seed_path())
    print_json(report.as_dict()) if as_json else print_report(report)


@handle_errors
def ingest(
    path: Path = typer.Argument(..., exists=True, help="a casegraph JSON Lines file"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Validate a file whole, then load it; a bad file is refused and nothing is written."""
    report = run_ingest(path)
    print_json(report.as_dict()) if as_json else print_report(report)
