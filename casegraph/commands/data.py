"""``casegraph db init|reset|stats``, ``casegraph seed``, ``casegraph ingest``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from casegraph.commands.common import console, handle_errors, open_db, out, print_json
from casegraph.commands.watch import print_runs, run_after_ingest
from casegraph.errors import InvalidRequestError, RecordError
from casegraph.formats.csv import CsvOptions
from casegraph.graph.db import protection_key_for
from casegraph.graph.dedupe import flagged
from casegraph.graph.protected_writes import migrate
from casegraph.graph.schema import init_schema, reset_database
from casegraph.graph.stats import counts
from casegraph.ingest.bulk import BulkReport, bulk_ingest
from casegraph.ingest.dedupe import DEFAULT_THRESHOLD, Pair, flag_duplicates
from casegraph.ingest.detect import FORMATS, csv_options
from casegraph.ingest.pipeline import IngestReport, ingest_file
from casegraph.ingest.runs import os_user
from casegraph.ingest.seed import seed_path
from casegraph.settings import get_settings

db_app = typer.Typer(help="The database schema and contents.", no_args_is_help=True)


@db_app.command("init")
@handle_errors
def db_init() -> None:
    """Create the constraints and indexes (idempotent)."""
    with open_db() as db:
        for statement in init_schema(db):
            console.print(f"[green]ok[/] {statement.splitlines()[0][:90]}")
        protected = migrate(db, db.protection_key)
        console.print(f"[green]ok[/] protection key ready; {protected} person(s) newly protected")


@db_app.command("migrate")
@handle_errors
def db_migrate() -> None:
    """Protect the people already in the graph whom the rules protect (idempotent)."""
    with open_db() as db:
        init_schema(db)
        protected = migrate(db, db.protection_key)
    console.print(f"{protected} person(s) newly protected")


@db_app.command("reset")
@handle_errors
def db_reset(yes: bool = typer.Option(False, "--yes", help="really delete everything")) -> None:
    """Delete every node and relationship (the audit records in Neo4j stay)."""
    if not yes:
        console.print("refusing without --yes")
        raise typer.Exit(code=1)
    with open_db() as db:
        reset_database(db, keep_audit=True)
        db.bump_graph_version()
    console.print("database emptied")


@db_app.command("stats")
@handle_errors
def db_stats(as_json: bool = typer.Option(False, "--json")) -> None:
    """Node counts by kind and relationship counts by type."""
    with open_db() as db:
        stats = counts(db)
    nodes, rels = stats["nodes"], stats["relationships"]
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


def _progress_bars() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} records"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _advance(progress: Progress, name: str) -> Callable[[str, int], None]:
    tasks: dict[str, TaskID] = {}

    def advance(phase: str, n: int) -> None:
        if phase not in tasks:
            tasks[phase] = progress.add_task(f"{phase} {name}", total=None, rate="")
        task = tasks[phase]
        progress.advance(task, n)
        t = progress.tasks[task]
        if t.elapsed:
            progress.update(task, rate=f"{t.completed / t.elapsed:,.0f} records/s")

    return advance


def run_bulk(path: Path, *, fmt: str | None, data: Path | None, replace: bool) -> BulkReport:
    """``ingest --bulk``: validate, write the CSV files (progress bars), then Neo4j's import
    tool (its own progress), then the finishing steps."""
    settings = get_settings()
    if data is not None:
        settings = settings.model_copy(update={"neo4j_data": data})
    key = protection_key_for(settings)
    with _progress_bars() as progress:

        def before_import() -> None:
            progress.stop()
            console.print("[bold]neo4j-admin database import full[/] (its own progress):")

        report = bulk_ingest(
            path,
            settings.neo4j_data,
            key,
            fmt=fmt,
            replace=replace,
            user=os_user(),
            progress=_advance(progress, path.name),
            before_import=before_import,
        )
    return report


def _print_warnings(warnings: Sequence[RecordError]) -> None:
    for w in warnings:
        console.print(f"[yellow]warning:[/] line {w.line}, {w.field or 'record'}: {w.reason}")


def print_bulk_report(report: BulkReport) -> None:
    table = Table(
        title=f"built {report.data_dir} from {report.path} ({report.format}): "
        f"{report.records:,} records in {report.seconds:.1f} s "
        f"({report.records / max(report.seconds, 1e-9):,.0f} records/s)"
    )
    table.add_column("kind / type")
    table.add_column("created", justify="right")
    for key, c in report.counts.as_dict().items():
        table.add_row(key, f"{c['written']} written" if "written" in c else str(c["created"]))
    table.add_row("total", str(report.counts.total_created), style="bold")
    console.print(table)
    for phase, seconds in report.phases.items():
        console.print(f"  {phase}: {seconds:.1f} s")
    _print_warnings(report.warnings)
    console.print(
        f"run {report.run_id}; start it with: casegraph neo4j start --data {report.data_dir}"
    )


def run_ingest(
    path: Path,
    *,
    fmt: str | None = None,
    skip_invalid: bool = False,
    rejects: Path | None = None,
    csv_options: CsvOptions | None = None,
) -> IngestReport:
    with open_db() as db, _progress_bars() as progress:
        advance = _advance(progress, path.name)
        return ingest_file(
            db,
            path,
            fmt=fmt,
            csv_options=csv_options,
            skip_invalid=skip_invalid,
            rejects=rejects,
            user=os_user(),
            batch_size=get_settings().batch_size,
            progress=advance,
        )


def print_report(report: IngestReport) -> None:
    table = Table(title=f"loaded {report.path} ({report.format}) in {report.seconds:.1f} s")
    for col in ("kind / type", "created", "updated", "unchanged"):
        table.add_column(col, justify="left" if col.startswith("kind") else "right")
    for key, c in report.counts.as_dict().items():
        if "written" in c:  # protected people: counted, never told apart (see WriteCounts)
            table.add_row(key, f"{c['written']} written", "", "")
            continue
        table.add_row(key, str(c["created"]), str(c["updated"]), str(c["unchanged"]))
    rejected = len({(e.line, e.field.partition(":")[0]) for e in report.rejected})
    table.add_row(
        "total",
        str(report.counts.total_created),
        str(report.counts.total_updated),
        str(sum(report.counts.unchanged.values())),
        style="bold",
    )
    console.print(table)
    if report.rejected:
        console.print(
            f"[yellow]rejected:[/] {rejected} record(s), {len(report.rejected)} error(s)"
            + (f"; written to {report.rejects_path}" if report.rejects_path else "")
        )
    _print_warnings(report.warnings)
    console.print(f"run {report.run_id}")


@handle_errors
def seed(as_json: bool = typer.Option(False, "--json", help="print the report as JSON")) -> None:
    """Load the built-in dataset (the Kazakhstan news report). Idempotent."""
    report = run_ingest(seed_path())
    print_json(report.as_dict()) if as_json else print_report(report)


@handle_errors
def ingest(
    paths: list[Path] = typer.Argument(
        ...,
        exists=True,
        metavar="PATH...",
        help="a JSON Lines file, a CSV file or folder of CSV files, or the CSV files of one "
        "dataset (entities.csv relationships.csv)",
    ),
    fmt: str = typer.Option(
        "auto", "--format", "-f", help="casegraph, csv or ftm (default: guessed from content)"
    ),
    encoding: str = typer.Option(
        "", "--encoding", help="CSV: the files' encoding (default: detected; e.g. cp1251, koi8_r)"
    ),
    delimiter: str = typer.Option(
        "", "--delimiter", help="CSV: ',' ';' or tab (default: sniffed from the header)"
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="load the valid records, reject the others"
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="with --skip-invalid: write rejected records here (JSON Lines)"
    ),
    dedupe: bool = typer.Option(
        False, "--dedupe", help="flag possible duplicates among the loaded entities afterwards"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    bulk: bool = typer.Option(
        False,
        "--bulk",
        help="build a NEW local database with Neo4j's import tool (the local Neo4j of --data "
        "must be stopped)",
    ),
    data_dir: Path | None = typer.Option(
        None, "--data", help="with --bulk: the local Neo4j folder (default CASEGRAPH_NEO4J_DATA)"
    ),
    replace: bool = typer.Option(
        False, "--replace", help="with --bulk: replace the database the folder holds"
    ),
) -> None:
    """Validate a file whole, then load it; a bad file is refused and nothing is written.
    With --bulk, build a new local database from it instead (Neo4j's import tool)."""
    if fmt not in ("auto", *FORMATS):
        raise InvalidRequestError(f"--format: unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if rejects is not None and not skip_invalid:
        raise InvalidRequestError("--rejects needs --skip-invalid")
    if not bulk and (data_dir is not None or replace):
        raise InvalidRequestError("--data and --replace go with --bulk")
    if bulk and (skip_invalid or dedupe):
        raise InvalidRequestError("--bulk loads valid input whole: no --skip-invalid, no --dedupe")
    with tempfile.TemporaryDirectory(prefix="casegraph-csv-") as tmp:
        path = paths[0]
        if len(paths) > 1:  # several CSV files: one folder of links to them
            if fmt not in ("auto", "csv") or any(p.is_dir() for p in paths):
                raise InvalidRequestError("several paths are read only as CSV files")
            for p in paths:
                (Path(tmp) / p.name).symlink_to(p.resolve())
            path = Path(tmp)
            fmt = "csv"
        if bulk:
            bulk_report = run_bulk(path, fmt=fmt, data=data_dir, replace=replace)
            print_json(bulk_report.as_dict()) if as_json else print_bulk_report(bulk_report)
            return
        report = run_ingest(
            path,
            fmt=fmt,
            skip_invalid=skip_invalid,
            rejects=rejects,
            csv_options=csv_options(encoding, delimiter),
        )
    pairs: list[Pair] = []
    with open_db() as db:
        if dedupe:
            pairs, _ = flag_duplicates(db)
        watched = run_after_ingest(db, report.run_id)
    if as_json:
        data = report.as_dict()
        if dedupe:
            data["possible_duplicates"] = [p.__dict__ for p in pairs]
        data["watches"] = [run.as_dict() for run in watched]
        print_json(data)
    else:
        print_report(report)
        if dedupe:
            console.print(f"{len(pairs)} pair(s) of possible duplicates flagged")
        print_runs(watched)


@handle_errors
def dedupe(
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", min=50, max=100, help="rapidfuzz token_sort_ratio"
    ),
    limit: int = typer.Option(200, "--limit", min=1, help="how many pairs to list"),
    as_json: bool = typer.Option(False, "--json", help="print the pairs as JSON"),
) -> None:
    """Flag entities that may be one (same or nearly the same transliterated name) with
    POSSIBLY_SAME_AS, and list the flagged pairs. Nothing is merged."""
    with open_db() as db:
        pairs, counts = flag_duplicates(db, threshold)
        rows = flagged(db, limit)
    if as_json:
        print_json({"flagged_now": len(pairs), "created": counts.total_created, "pairs": rows})
        return
    table = Table(title=f"possible duplicates ({len(pairs)} pair(s), threshold {threshold:g})")
    for col in ("kind", "a", "name a", "b", "name b", "score", "method"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["kind"], r["a"], r["a_name"], r["b"], r["b_name"], f"{r['score']:g}", r["method"]
        )
    out.print(table)
