"""``casegraph review``: the review sets that ``casegraph extract --stage`` stored, and the
``POSSIBLY_SAME_AS`` candidates of ``casegraph dedupe``.

Items are decided one at a time (``accept ITEM...``) or all pending items of a set at once
(``accept --all SET``). Duplicate pairs are items ``dup:A:B`` (``review show duplicates``);
accepting one merges the two entities, ``review undo MERGE_ID`` restores them.
The command line runs as :data:`~casegraph.commands.common.CLI_ROLE`.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from casegraph.commands.common import CLI_ROLE, disclose, handle_errors, open_db, out, print_json
from casegraph.errors import InvalidRequestError
from casegraph.graph.db import GraphDB
from casegraph.graph.review import get_item
from casegraph.ingest import review as rv
from casegraph.ingest.runs import os_user

review_app = typer.Typer(help="Review staged extractions and possible duplicates.")


def _print(data: Any, as_json: bool) -> None:
    if as_json:
        print_json(data)
    else:
        out.print(data)


@review_app.command("list")
@handle_errors
def list_sets(as_json: bool = typer.Option(False, "--json")) -> None:
    """The review sets, newest first, and the duplicate candidates."""
    with open_db() as db:
        sets = rv.list_sets(db, CLI_ROLE)
        dups = disclose(db, rv.duplicates(db))
    if as_json:
        print_json({"sets": sets, "duplicates": dups})
        return
    table = Table(title="review sets")
    for col in ("id", "title", "language", "pending", "accepted", "rejected"):
        table.add_column(col)
    for s in sets:
        c = s["counts"]
        table.add_row(
            s["id"], s["title"][:60], str(s["language"]),
            str(c.get("pending", 0)), str(c.get("accepted", 0)), str(c.get("rejected", 0)),
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(dups)} duplicate candidate(s) (review show duplicates)")


@review_app.command("show")
@handle_errors
def show(
    set_id: str = typer.Argument(..., help="a review set id, or 'duplicates'"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The items of one review set (or the duplicate candidates)."""
    with open_db() as db:
        if set_id == rv.DUPLICATES:
            data: Any = {"id": rv.DUPLICATES, "items": disclose(db, rv.duplicates(db))}
        else:
            data = disclose(db, rv.view_set(db, set_id, CLI_ROLE))
    if as_json:
        print_json(data)
        return
    table = Table(title=f"{set_id}: {data.get('title', '')[:60]}")
    for col in ("item", "type", "kind", "name / fact", "status", "match"):
        table.add_column(col)
    for it in data["items"]:
        if set_id == rv.DUPLICATES:
            table.add_row(it["id"], "merge", it["kind"], f"{it['a_name']} = {it['b_name']}",
                          "pending", str(it["score"]))  # fmt: skip
        elif it["type"] == "entity":
            m = it.get("match")
            table.add_row(it["id"], "entity", it["kind"], it["name"], it["status"],
                          f"{m['id']} ({m.get('score')})" if m else "new")  # fmt: skip
        else:
            who = it["from"] or f"[{(it.get('from_text') or {}).get('quote', '?')}]"
            table.add_row(it["id"], "relationship", it["kind"], f"{who} → {it['to']}",
                          it["status"], it.get("basis") or "")  # fmt: skip
    out.print(table)


def _set_of(db: GraphDB, item: str) -> str:
    found = get_item(db, item)
    if found is None:
        raise InvalidRequestError(f"no review item {item!r}")
    return str(found["set_id"])


def _decide(items: list[str], all_of: str | None, action: str, **kw: Any) -> dict[str, Any]:
    user = os_user()
    with open_db() as db:
        if all_of:
            return rv.decide(db, all_of, [rv.Decision("*", action)], user=user, role=CLI_ROLE)
        if not items:
            raise InvalidRequestError("name items, or --all SET")
        dups = [i for i in items if i.startswith("dup:")]
        report: dict[str, Any] = {}
        for d in dups:
            if action == "accept":
                report.setdefault("merged", []).append(rv.merge(db, d, user=user, **kw))
            else:
                report.setdefault("rejected", []).append(rv.reject_duplicate(db, d, user=user))
        rest = [i for i in items if not i.startswith("dup:")]
        by_set: dict[str, list[str]] = {}
        for i in rest:
            by_set.setdefault(_set_of(db, i), []).append(i)
        for sid, its in by_set.items():
            decisions = [rv.Decision(i, action) for i in its]
            report[sid] = rv.decide(db, sid, decisions, user=user, role=CLI_ROLE)
        return report


@review_app.command("accept")
@handle_errors
def accept(
    items: list[str] = typer.Argument(None, help="item ids (ri-…, or dup:A:B to merge)"),
    all_of: str | None = typer.Option(None, "--all", help="accept every pending item of SET"),
    keep: str | None = typer.Option(None, "--keep", help="merges: the id that stays"),
) -> None:
    """Accept items (written to the graph), or merge duplicate pairs."""
    kw = {"keep": keep} if keep else {}
    print_json(_decide(items or [], all_of, "accept", **kw))


@review_app.command("reject")
@handle_errors
def reject(
    items: list[str] = typer.Argument(None, help="item ids (ri-…, or dup:A:B)"),
    all_of: str | None = typer.Option(None, "--all", help="reject every pending item of SET"),
) -> None:
    """Reject items: never proposed again for this document (pairs: never flagged again)."""
    print_json(_decide(items or [], all_of, "reject"))


@review_app.command("link")
@handle_errors
def link(item: str, entity_id: str) -> None:
    """Accept ITEM as the existing entity ENTITY_ID (or give a relationship its missing end)."""
    with open_db() as db:
        sid = _set_of(db, item)
        decision = rv.Decision(item, "link", entity_id=entity_id)
        print_json(rv.decide(db, sid, [decision], user=os_user(), role=CLI_ROLE))


@review_app.command("edit")
@handle_errors
def edit(
    item: str,
    kind: str | None = typer.Option(None, "--kind", help="Person, Organization, Location, Case"),
    name: str | None = typer.Option(None, "--name"),
) -> None:
    """Change the kind or the name of a proposed entity (before accepting it)."""
    if kind is None and name is None:
        raise InvalidRequestError("give --kind or --name")
    with open_db() as db:
        sid = _set_of(db, item)
        decision = rv.Decision(item, "edit", kind=kind, name=name)
        print_json(rv.decide(db, sid, [decision], user=os_user(), role=CLI_ROLE))


@review_app.command("undo")
@handle_errors
def undo(merge_id: str) -> None:
    """Undo a merge: both entities and their relationships as they were."""
    with open_db() as db:
        print_json(rv.undo(db, merge_id, user=os_user()))
