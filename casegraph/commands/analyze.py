"""``casegraph analyze centrality|communities|brokers|key-players|path|routes|pyramid``.

The same answers as ``GET /analytics/...``, as a table by default or ``--format json``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer
from rich.table import Table

from casegraph.commands.common import handle_errors, open_db, out, print_json
from casegraph.graph.analytics import service
from casegraph.graph.analytics.projection import DEFAULT_KINDS, ProjectionOptions

analyze_app = typer.Typer(help="Network measures: centrality, communities, brokers, …")


class Format(StrEnum):
    table = "table"
    json = "json"


FORMAT = typer.Option(Format.table, "--format", help="table or json")
KIND = typer.Option(None, "--kind", help="entity kind to project (repeatable)")
REL = typer.Option(None, "--rel", help="relationship type to project (repeatable)")
DIRECTED = typer.Option(False, "--directed", help="keep relationship directions")
WEIGHT = typer.Option(None, "--weight", help="numeric relationship property as weight")
CASE = typer.Option(None, "--case", help="only the entities of this case id")


def _opts(
    kind: list[str] | None, rel: list[str] | None, directed: bool, weight: str | None, case: str
) -> ProjectionOptions:
    return ProjectionOptions(
        kinds=tuple(kind) if kind else DEFAULT_KINDS,
        rel_types=tuple(rel) if rel else None,
        directed=directed,
        weight=weight,
        case_id=case or None,
    )


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


@analyze_app.command("centrality")
@handle_errors
def centrality(
    measure: str = typer.Option(
        "pagerank", "--measure", help="degree, betweenness, closeness, pagerank, eigenvector, kcore"
    ),
    top: int = typer.Option(10, "--top"),
    k: int = typer.Option(0, "--k", help="betweenness: sample k sources (0 = exact)"),
    seed: int = typer.Option(0, "--seed"),
    write: bool = typer.Option(False, "--write", help="store scores as centrality_<measure>"),
    kind: list[str] = KIND,
    rel: list[str] = REL,
    directed: bool = DIRECTED,
    weight: str = WEIGHT,
    case: str = CASE,
    fmt: Format = FORMAT,
) -> None:
    """Rank entities by a centrality measure."""
    with open_db() as db:
        res = service.centrality(
            db,
            measure,
            top=top,
            opts=_opts(kind, rel, directed, weight, case),
            k=k or None,
            seed=seed,
            write=write,
        )
    if fmt is Format.json:
        print_json(res)
        return
    _table(
        f"{measure} ({res['nodes_considered']} nodes considered)",
        ["rank", "score", "id", "name", "label"],
        [[r["rank"], f"{r['score']:.6f}", r["id"], r["name"], r["label"]] for r in res["results"]],
    )
    if write:
        out.print(f"wrote centrality_{measure} on {res['written']} entities")


@analyze_app.command("communities")
@handle_errors
def communities(
    seed: int = typer.Option(0, "--seed"),
    top: int = typer.Option(20, "--top", help="largest communities shown"),
    kind: list[str] = KIND,
    rel: list[str] = REL,
    weight: str = WEIGHT,
    case: str = CASE,
    fmt: Format = FORMAT,
) -> None:
    """Louvain communities (seeded) and their modularity."""
    with open_db() as db:
        res = service.communities(db, _opts(kind, rel, False, weight, case), seed=seed, top=top)
    if fmt is Format.json:
        print_json(res)
        return
    _table(
        f"{res['count']} communities, modularity {res['modularity']:.4f}",
        ["id", "size", "members"],
        [
            [
                c["id"],
                c["size"],
                ", ".join(str(m["name"] or m["id"]) for m in c["members"][:8])
                + (" …" if c["size"] > 8 else ""),
            ]
            for c in res["communities"]
        ],
    )


@analyze_app.command("brokers")
@handle_errors
def brokers(
    top: int = typer.Option(10, "--top"),
    seed: int = typer.Option(0, "--seed"),
    kind: list[str] = KIND,
    rel: list[str] = REL,
    case: str = CASE,
    fmt: Format = FORMAT,
) -> None:
    """Entities with high betweenness and ties into several communities."""
    with open_db() as db:
        res = service.brokers(db, _opts(kind, rel, False, None, case), top=top, seed=seed)
    if fmt is Format.json:
        print_json(res)
        return
    _table(
        "brokers",
        ["rank", "betweenness", "id", "name", "communities", "outside ties"],
        [
            [
                b["rank"],
                f"{b['betweenness']:.6f}",
                b["id"],
                b["name"],
                len(b["communities"]),
                b["outside_ties"],
            ]
            for b in res["brokers"]
        ],
    )


@analyze_app.command("key-players")
@handle_errors
def key_players(
    k: int = typer.Option(3, "--k", help="how many entities to remove"),
    kind: list[str] = KIND,
    rel: list[str] = REL,
    case: str = CASE,
    fmt: Format = FORMAT,
) -> None:
    """The k entities whose removal most fragments the network (Borgatti's F)."""
    with open_db() as db:
        res = service.key_players(db, k, _opts(kind, rel, False, None, case))
    if fmt is Format.json:
        print_json(res)
        return
    _table(
        f"key players: fragmentation {res['fragmentation_before']:.4f} → "
        f"{res['fragmentation_after']:.4f}",
        ["rank", "id", "name", "fragmentation after"],
        [
            [p["rank"], p["id"], p["name"], f"{p['fragmentation_after']:.4f}"]
            for p in res["players"]
        ],
    )


@analyze_app.command("path")
@handle_errors
def path(
    source: str = typer.Argument(..., help="the first entity's id"),
    target: str = typer.Argument(..., help="the last entity's id"),
    kind: list[str] = KIND,
    rel: list[str] = REL,
    directed: bool = DIRECTED,
    weight: str = WEIGHT,
    case: str = CASE,
    fmt: Format = FORMAT,
) -> None:
    """One shortest path on the projection (least total weight with --weight)."""
    with open_db() as db:
        res = service.shortest_path(db, source, target, _opts(kind, rel, directed, weight, case))
    if fmt is Format.json:
        print_json(res)
        return
    if res["length"] is None:
        out.print(f"no path from {source} to {target} ({res['backend']})")
        return
    _table(
        f"{res['length']} hop(s) from {source} to {target} ({res['backend']})",
        ["hop", "id", "name", "label"],
        [[i, p["id"], p["name"], p["label"]] for i, p in enumerate(res["path"])],
    )


@analyze_app.command("routes")
@handle_errors
def routes(fmt: Format = FORMAT) -> None:
    """Trafficking routes (origin → transit → destination) with victim counts."""
    with open_db() as db:
        res = service.routes(db)
    if fmt is Format.json:
        print_json(res)
        return

    def name(p: dict[str, Any] | None) -> str:
        return "?" if p is None else str(p["name"] or p["id"])

    _table(
        f"routes of {res['victims']} victims",
        ["victims", "route"],
        [
            [
                r["victims"],
                " → ".join([name(r["origin"]), *map(name, r["transit"]), name(r["destination"])]),
            ]
            for r in res["routes"]
        ],
    )
    _table(
        "destinations", ["victims", "place"], [[d["victims"], name(d)] for d in res["destinations"]]
    )


@analyze_app.command("pyramid")
@handle_errors
def pyramid(
    org_id: str = typer.Argument(..., help="the organization's id"),
    fmt: Format = FORMAT,
) -> None:
    """Pyramid analysis of one organization: investors, recruitment, money, Ponzi signals."""
    with open_db() as db:
        res = service.pyramid(db, org_id)
    if fmt is Format.json:
        print_json(res)
        return
    org = res["organization"]
    _table(
        f"pyramid: {org['name']} ({org['id']})",
        ["field", "value"],
        [
            ["investors", res["investors"]],
            ["max depth", res["max_depth"]],
            ["total invested", res["total_invested"]],
            ["total paid out", res["total_paid_out"]],
            ["unpaid share", f"{res['unpaid_share']:.3f}"],
            ["currencies", ", ".join(res["currencies"])],
        ],
    )
    _table(
        "top recruiters",
        ["id", "name", "downline"],
        [[r["id"], r["name"], r["downline"]] for r in res["top_recruiters"]],
    )
    _table(
        "signals",
        ["signal", "description"],
        [[s["signal"], s["description"]] for s in res["signals"]],
    )
