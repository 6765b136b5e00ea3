"""``casegraph query list|show|run|adhoc``: the saved-query library from the command line.

Examples::

    casegraph query list --format json
    casegraph query show victims-by-destination
    casegraph query run victims-by-destination --param country=Bahrain
    casegraph query run money-transfers --param since=2016-10 --format csv
    casegraph query adhoc "MATCH (p:Person) RETURN p.name AS name LIMIT 5"
"""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from typing import Any

import typer
from neo4j.exceptions import DriverError, Neo4jError
from rich.table import Table

from casegraph.commands.common import (
    console,
    disclose,
    handle_errors,
    open_db,
    out,
    print_json,
)
from casegraph.errors import DatabaseUnavailableError, InvalidRequestError
from casegraph.queries.library import Library, load_checked_library, load_library, query_folders
from casegraph.queries.readonly import QueryResult
from casegraph.queries.service import run_adhoc, run_saved
from casegraph.settings import get_settings

query_app = typer.Typer(help="Saved and ad-hoc read-only Cypher queries.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FORMAT_OPTION = typer.Option(Format.table, "--format", "-f", help="table, json or csv")
PARAM_OPTION = typer.Option(
    None, "--param", "-p", help="a parameter as key=value (repeatable)", show_default=False
)


def parse_params(pairs: list[str] | None, *, as_json: bool = False) -> dict[str, Any]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}`` (values parsed as JSON when ``as_json``
    and they parse, else kept as text).

    >>> parse_params(["country=Bahrain", "limit=5"])
    {'country': 'Bahrain', 'limit': '5'}
    >>> parse_params(["n=5", "name=Ann"], as_json=True)
    {'n': 5, 'name': 'Ann'}
    """
    params: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidRequestError(f"--param {pair!r}: expected key=value")
        if key in params:
            raise InvalidRequestError(f"--param {key!r} is given twice")
        if as_json:
            try:
                params[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                pass
        params[key] = value
    return params


def _library(*, check: bool = True) -> Library:
    settings = get_settings()
    if not check:
        return load_library(query_folders(settings.query_path))
    with open_db() as db:
        try:  # fail fast (no transaction retries) when Neo4j is not there
            db.driver.verify_connectivity()
        except (Neo4jError, DriverError, OSError) as exc:
            raise DatabaseUnavailableError(f"Neo4j at {db.uri} is unavailable: {exc}") from exc
        return load_checked_library(db, settings.query_path)


def _report_problems(lib: Library) -> None:
    for p in lib.problems:
        console.print(f"[yellow]skipped[/] {p.path}: {p.reason}", highlight=False)


@query_app.command("list")
@handle_errors
def list_queries(fmt: Format = FORMAT_OPTION) -> None:
    """List the saved queries with their parameters (files that fail their checks are
    reported on stderr and left out)."""
    try:
        lib = _library()
    except DatabaseUnavailableError as exc:
        console.print(f"[yellow]warning:[/] plans not checked ({exc.message})", highlight=False)
        lib = _library(check=False)
    _report_problems(lib)
    items = [q.summary() for q in lib.list()]
    if fmt is Format.json:
        print_json(items)
        return
    if fmt is Format.csv:
        rows = [
            {
                "name": q["name"],
                "description": q["description"],
                "params": "; ".join(_signature(p) for p in q["params"]),
            }
            for q in items
        ]
        _write_csv(["name", "description", "params"], rows)
        return
    table = Table(title=f"{len(items)} saved queries")
    for col in ("name", "parameters", "description"):
        table.add_column(col, overflow="fold")
    for q in items:
        table.add_row(q["name"], "\n".join(_signature(p) for p in q["params"]), q["description"])
    out.print(table)


def _signature(p: dict[str, Any]) -> str:
    if p["required"]:
        return f"{p['name']}: {p['type']}"
    return f"{p['name']}: {p['type']} = {json.dumps(p['default'], ensure_ascii=False)}"


@query_app.command("show")
@handle_errors
def show_query(
    name: str = typer.Argument(..., help="the query's name"),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (text) or json"),
) -> None:
    """Show one saved query: description, parameters and Cypher."""
    q = _library(check=False).get(name)
    if fmt is Format.json:
        print_json(q.as_dict())
        return
    out.print(f"[bold]{q.name}[/] — {q.description}", highlight=False)
    out.print(f"file: {q.path}", highlight=False)
    for p in q.params:
        text = f"  --param {p.signature()}"
        out.print(text + (f"  — {p.description}" if p.description else ""), highlight=False)
    out.print("")
    sys.stdout.write(q.cypher + "\n")


@query_app.command("run")
@handle_errors
def run_query(
    name: str = typer.Argument(..., help="the query's name"),
    param: list[str] | None = PARAM_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Run a saved query read-only (timeout and row limit from the settings)."""
    settings = get_settings()
    with open_db() as db:
        lib = load_checked_library(db, settings.query_path)
        result = run_saved(db, lib, name, parse_params(param), settings)
        disclose(db, [result.rows, result.graph])
    print_result(result, fmt)


@query_app.command("adhoc")
@handle_errors
def adhoc_query(
    cypher: str = typer.Argument(..., help="read-only Cypher"),
    param: list[str] | None = PARAM_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Run your own read-only Cypher under the same rules (values of --param are read as
    JSON when they parse, else as text)."""
    settings = get_settings()
    with open_db() as db:
        result = run_adhoc(db, cypher, parse_params(param, as_json=True), settings)
        disclose(db, [result.rows, result.graph])
    print_result(result, fmt)


def print_result(result: QueryResult, fmt: Format) -> None:
    if fmt is Format.json:
        print_json(result.as_dict())
    elif fmt is Format.csv:
        _write_csv(result.columns, result.rows)
    else:
        table = Table(title=f"{len(result.rows)} row(s)")
        for col in result.columns:
            table.add_column(col, overflow="fold")
        for row in result.rows:
            table.add_row(*(_cell(row.get(c)) for c in result.columns))
        out.print(table)
    if result.truncated:
        console.print(f"[yellow]truncated:[/] only the first {len(result.rows)} rows are shown")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "label" in value and "id" in value:
        return f"{value.get('name')} ({value['id']})"
    if isinstance(value, dict) and set(value) == {"nodes", "edges"}:
        return " → ".join(str(n.get("name")) for n in value["nodes"])
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _write_csv(columns: list[str], rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    sys.stdout.write(buf.getvalue())
