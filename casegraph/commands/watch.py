"""``casegraph watch add|list|remove|run`` and ``casegraph alerts list|ack``.

Examples::

    casegraph watch add big-payments --query money-transfers --param since=2016-10
    casegraph ingest new-payments.jsonl          # runs every watch afterwards
    casegraph alerts list
    casegraph alerts ack 3f2a9c1b0d4e
"""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from casegraph.commands.common import console, handle_errors, open_db, out, print_json
from casegraph.commands.query import PARAM_OPTION, parse_params
from casegraph.graph import alerts as store
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema
from casegraph.ingest.runs import os_user
from casegraph.queries.library import load_checked_library
from casegraph.queries.watches import WatchRun, add_watch, run_watches
from casegraph.settings import get_settings

watch_app = typer.Typer(
    help="Watches: saved queries re-run after every ingest.", no_args_is_help=True
)
alerts_app = typer.Typer(help="Alerts: rows a watch had not seen before.", no_args_is_help=True)


def print_runs(runs: list[WatchRun]) -> None:
    """One line per watch run: rows, new alerts, and any limit it hit."""
    for run in runs:
        limits = [
            word
            for word, hit in (("row limit hit", run.truncated), ("timed out", run.timed_out))
            if hit
        ]
        if run.error:
            limits.append(f"error: {run.error}")
        extra = f" ({'; '.join(limits)})" if limits else ""
        console.print(
            f"watch {run.watch}: {run.rows} row(s), {len(run.new_alerts)} new alert(s){extra}",
            highlight=False,
        )


def run_after_ingest(db: GraphDB, run_id: str) -> list[WatchRun]:
    """Every watch, after an ingest (``run_id``); nothing when there is no watch."""
    if not store.list_watches(db):
        return []
    settings = get_settings()
    return run_watches(db, load_checked_library(db, settings.query_path), settings, run_id=run_id)


@watch_app.command("add")
@handle_errors
def watch_add(
    name: str = typer.Argument(..., help="the watch's name"),
    query: str = typer.Option(..., "--query", help="a saved query (casegraph query list)"),
    param: list[str] = PARAM_OPTION,
) -> None:
    """Watch a saved query: what it matches now is the baseline; later rows are alerts."""
    settings = get_settings()
    with open_db() as db:
        init_schema(db, wait=False)
        lib = load_checked_library(db, settings.query_path)
        run = add_watch(db, lib, settings, name, query, parse_params(param), os_user())
    console.print(f"watch {run.watch} added; {run.rows} row(s) match now (its baseline)")


@watch_app.command("list")
@handle_errors
def watch_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """The watches, with their alerts not yet acknowledged."""
    with open_db() as db:
        watches = store.list_watches(db)
    for w in watches:
        w["params"] = json.loads(w["params"] or "{}")
    if as_json:
        print_json(watches)
        return
    table = Table(title=f"{len(watches)} watch(es)")
    for col in ("name", "query", "params", "new alerts", "created"):
        table.add_column(col)
    for w in watches:
        params = ", ".join(f"{k}={v}" for k, v in w["params"].items())
        table.add_row(w["name"], w["query"], params, str(w["new_alerts"]), w["created_at"])
    out.print(table)


@watch_app.command("remove")
@handle_errors
def watch_remove(name: str = typer.Argument(...)) -> None:
    """Remove a watch and its alerts."""
    with open_db() as db:
        removed = store.remove_watch(db, name)
    console.print(f"watch {name} removed, with {removed} alert(s)")


@watch_app.command("run")
@handle_errors
def watch_run(
    name: list[str] = typer.Argument(None, help="the watches to run (default: all)"),
) -> None:
    """Run the watches now (an ingest runs them itself)."""
    settings = get_settings()
    with open_db() as db:
        lib = load_checked_library(db, settings.query_path)
        runs = run_watches(db, lib, settings, names=name or None)
    print_runs(runs)


def _alert_out(alert: dict[str, Any]) -> dict[str, Any]:
    return {**alert, "row": json.loads(alert["row"])}


@alerts_app.command("list")
@handle_errors
def alerts_list(
    watch: str = typer.Option(None, "--watch", help="only this watch's alerts"),
    include_acked: bool = typer.Option(False, "--all", help="acknowledged ones too"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Alerts, newest first (new ones only, unless --all)."""
    with open_db() as db:
        alerts = [
            _alert_out(a)
            for a in store.list_alerts(db, watch=watch, include_acked=include_acked, limit=limit)
        ]
    if as_json:
        print_json(alerts)
        return
    table = Table(title=f"{len(alerts)} alert(s)")
    for col in ("id", "watch", "first seen", "row", "acked"):
        table.add_column(col)
    for a in alerts:
        row = json.dumps(a["row"], ensure_ascii=False)
        table.add_row(a["id"], a["watch"], a["first_seen"], row[:80], a.get("acked_at") or "")
    out.print(table)


@alerts_app.command("ack")
@handle_errors
def alerts_ack(alert_id: list[str] = typer.Argument(..., help="alert id(s)")) -> None:
    """Acknowledge alerts (they leave the list of new ones)."""
    with open_db() as db:
        for aid in alert_id:
            store.ack_alert(db, aid, os_user())
    console.print(f"{len(alert_id)} alert(s) acknowledged")
