"""Pyramid analysis of one organization: investors, recruitment tree, money in and out.

- **Investors**: every entity with an ``INVESTED_IN`` relationship to the organization;
  ``total_invested`` sums their amounts.
- **The scheme's side**: the organization and its controllers (entities that ``CONTROLS``,
  ``LEADS`` or ``OWNS`` it). ``total_paid_out`` sums the ``PAID`` amounts from that side to
  investors; ``unpaid_share`` is the share of investors who received no such payment.
- **Recruitment tree**: the ``RECRUITED`` relationships whose recruit is an investor. Roots
  are recruiters nobody recruited; a node's depth is its number of ``RECRUITED`` hops from
  the nearest root, and ``max_depth`` the largest (founder → A → B is depth 2). A
  recruiter's ``downline`` is everyone below it (direct and indirect recruits).
- **Outside income**: ``PAID`` into the scheme's side from entities that are neither
  investors nor the scheme's side.
- **Ponzi signals**, each with its evidence: payouts larger than all outside income;
  payouts to earlier investors made after, and covered by, deposits from later investors
  (when dates are known); most investors never paid; recruitment of several levels.
- **Members**, the tree to draw: every investor and every recruiter of an investor, each
  with its ``parent`` (its recruiter; ``None`` when it hangs from the organization itself),
  its kind (``label``), what it invested and what the scheme's side paid it. A recruit with
  several recruiters hangs from the first by id; a recruitment cycle is cut at its first
  member by id, which then hangs from the organization.

Amounts are summed as numbers; ``currencies`` lists the currencies seen so that a reader
can tell when sums mix currencies.

Examples
--------
The seed dataset names the Questra pyramid's companies but none of its investors:

>>> report = analyze_pyramid(db, "org-questra-world")
>>> report["organization"], report["investors"], report["max_depth"], report["signals"]
({'id': 'org-questra-world', 'name': 'Questra World'}, 0, 0, [])
>>> analyze_pyramid(db, "loc-almaty")
Traceback (most recent call last):
...
casegraph.errors.InvalidRequestError: 'loc-almaty' is not an Organization

(``tests/test_analytics_pyramid.py`` checks the report on synthetic pyramids.)
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from neo4j import ManagedTransaction

from casegraph.errors import InvalidRequestError, NotFoundError
from casegraph.graph.db import GraphDB

MAX_EVIDENCE = 50
TOP_RECRUITERS = 10

ORGANIZATION = """
MATCH (o:Entity {id: $id})
RETURN o.id AS id, o.name AS name, 'Organization' IN labels(o) AS is_org
"""

CONTROLLERS = """
MATCH (c:Entity)-[r:CONTROLS|LEADS|OWNS]->(:Organization {id: $id})
RETURN DISTINCT c.id AS id, c.name AS name
"""

INVESTMENTS = """
MATCH (i:Entity)-[r:INVESTED_IN]->(:Organization {id: $id})
RETURN i.id AS investor, i.name AS name, toFloat(r.amount) AS amount, r.currency AS currency,
       r.date AS date, r.sources AS sources, [l IN labels(i) WHERE l <> 'Entity'][0] AS label
ORDER BY date, investor
"""

PAYMENTS_FROM = """
MATCH (p:Entity)-[r:PAID]->(i:Entity)
WHERE p.id IN $payers AND i.id IN $investors
RETURN p.id AS payer, i.id AS payee, toFloat(r.amount) AS amount, r.currency AS currency,
       r.date AS date, r.sources AS sources
ORDER BY date, payee
"""

OUTSIDE_INCOME = """
MATCH (x:Entity)-[r:PAID]->(p:Entity)
WHERE p.id IN $payers AND NOT x.id IN $payers AND NOT x.id IN $investors
RETURN x.id AS payer, p.id AS payee, toFloat(r.amount) AS amount, r.currency AS currency,
       r.date AS date, r.sources AS sources
"""

RECRUITMENT = """
MATCH (a:Entity)-[r:RECRUITED]->(b:Entity)
WHERE b.id IN $investors
RETURN a.id AS recruiter, a.name AS name, b.id AS recruit, r.sources AS sources,
       [l IN labels(a) WHERE l <> 'Entity'][0] AS label
"""


def _amount(row: dict[str, Any]) -> float:
    return float(row["amount"] or 0.0)


def analyze_pyramid(db: GraphDB, org_id: str) -> dict[str, Any]:
    """The pyramid report of organization ``org_id`` (see the module docs for the terms)."""

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        org = tx.run(ORGANIZATION, id=org_id).single()
        if org is None:
            raise NotFoundError(f"no entity with id {org_id!r}")
        if not org["is_org"]:
            raise InvalidRequestError(f"{org_id!r} is not an Organization")
        controllers = [r.data() for r in tx.run(CONTROLLERS, id=org_id)]
        investments = [r.data() for r in tx.run(INVESTMENTS, id=org_id)]
        investors = sorted({r["investor"] for r in investments})
        payers = [org_id] + [c["id"] for c in controllers if c["id"] not in investors]
        params = {"payers": payers, "investors": investors}
        payouts = [r.data() for r in tx.run(PAYMENTS_FROM, params)]
        income = [r.data() for r in tx.run(OUTSIDE_INCOME, params)]
        recruits = [r.data() for r in tx.run(RECRUITMENT, investors=investors)]
        return {
            "org": org.data(),
            "controllers": controllers,
            "investments": investments,
            "investors": investors,
            "payouts": payouts,
            "income": income,
            "recruits": recruits,
        }

    data = db.execute_read(work)
    return build_report(**data)


def recruitment_tree(recruits: list[dict[str, Any]]) -> dict[str, Any]:
    """Depth, branching and downlines of the ``RECRUITED`` edges.

    >>> t = recruitment_tree([{"recruiter": "f", "recruit": "a"}, {"recruiter": "a",
    ...     "recruit": "b"}, {"recruiter": "a", "recruit": "c"}])
    >>> t["max_depth"], t["downline"]["f"], t["downline"]["a"], t["branching"]["max"]
    (2, 3, 2, 2)
    """
    T = nx.DiGraph()
    T.add_edges_from((r["recruiter"], r["recruit"]) for r in recruits)
    T.remove_edges_from(list(nx.selfloop_edges(T)))
    roots = [n for n in T if T.in_degree(n) == 0]
    depth: dict[str, int] = {}
    frontier = list(roots)
    for r in roots:
        depth[r] = 0
    while frontier:
        nxt = []
        for u in frontier:
            for v in T.successors(u):
                if v not in depth:
                    depth[v] = depth[u] + 1
                    nxt.append(v)
        frontier = nxt
    recruiters = [n for n in T if T.out_degree(n) > 0]
    children = [T.out_degree(n) for n in recruiters]
    downline = {n: len(nx.descendants(T, n)) for n in recruiters}
    return {
        "roots": sorted(roots),
        "max_depth": max(depth.values(), default=0),
        "depth": depth,
        "branching": {
            "recruiters": len(recruiters),
            "mean": (sum(children) / len(children)) if children else 0.0,
            "max": max(children, default=0),
        },
        "downline": downline,
        "direct": {n: T.out_degree(n) for n in recruiters},
    }


def tree_parents(members: list[str], recruits: list[dict[str, Any]]) -> dict[str, str | None]:
    """Each member's parent in the drawn tree: its first recruiter by id, or ``None`` (it
    hangs from the organization); a cycle is cut at its first member by id.

    >>> tree_parents(["a", "b", "c", "f"], [{"recruiter": "f", "recruit": "a"},
    ...     {"recruiter": "a", "recruit": "b"}, {"recruiter": "c", "recruit": "b"}])
    {'a': 'f', 'b': 'a', 'c': None, 'f': None}
    >>> tree_parents(["a", "b"], [{"recruiter": "a", "recruit": "b"},
    ...     {"recruiter": "b", "recruit": "a"}])
    {'a': None, 'b': 'a'}
    """
    present = set(members)
    recruiters: dict[str, list[str]] = {}
    for r in recruits:
        if r["recruiter"] != r["recruit"] and r["recruiter"] in present:
            recruiters.setdefault(r["recruit"], []).append(r["recruiter"])
    parent: dict[str, str | None] = {m: min(recruiters.get(m, []), default=None) for m in members}
    for m in sorted(members):
        seen = {m}
        up = parent[m]
        while up is not None:
            if up in seen:
                parent[m] = None
                break
            seen.add(up)
            up = parent[up]
    return dict(sorted(parent.items()))


def tree_members(
    investments: list[dict[str, Any]],
    payouts: list[dict[str, Any]],
    recruits: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The members of the drawn tree (see the module docs), sorted by id."""
    info: dict[str, dict[str, Any]] = {}
    for r in recruits:
        info.setdefault(r["recruiter"], {"name": r["name"], "label": r.get("label")})
    invested: dict[str, float] = {}
    currency: dict[str, str] = {}
    for r in investments:
        info[r["investor"]] = {"name": r["name"], "label": r.get("label")}
        invested[r["investor"]] = invested.get(r["investor"], 0.0) + _amount(r)
        if r.get("currency") and r["investor"] not in currency:
            currency[r["investor"]] = r["currency"]
    paid: dict[str, float] = {}
    for p in payouts:
        paid[p["payee"]] = paid.get(p["payee"], 0.0) + _amount(p)
    parents = tree_parents(list(info), recruits)
    return [
        {
            "id": m,
            "name": info[m]["name"],
            "label": info[m]["label"],
            "parent": parents[m],
            "investor": m in invested,
            "invested": invested.get(m, 0.0),
            "paid_out": paid.get(m, 0.0),
            "currency": currency.get(m),
        }
        for m in sorted(info)
    ]


def build_report(
    *,
    org: dict[str, Any],
    controllers: list[dict[str, Any]],
    investments: list[dict[str, Any]],
    investors: list[str],
    payouts: list[dict[str, Any]],
    income: list[dict[str, Any]],
    recruits: list[dict[str, Any]],
) -> dict[str, Any]:
    """Assemble the report from the rows read (pure: no database)."""
    names: dict[str, Any] = {r["investor"]: r["name"] for r in investments}
    names.update({r["recruiter"]: r["name"] for r in recruits})
    names.update({c["id"]: c["name"] for c in controllers})
    total_invested = sum(_amount(r) for r in investments)
    total_paid = sum(_amount(r) for r in payouts)
    outside = sum(_amount(r) for r in income)
    paid_investors = {r["payee"] for r in payouts}
    unpaid = [i for i in investors if i not in paid_investors]
    unpaid_share = len(unpaid) / len(investors) if investors else 0.0
    tree = recruitment_tree(recruits)
    top = sorted(tree["downline"].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RECRUITERS]
    currencies = sorted(
        {r["currency"] for r in [*investments, *payouts, *income] if r.get("currency")}
    )
    first_invest: dict[str, str] = {}
    for r in investments:
        if r["date"] is not None:
            d = str(r["date"])
            if r["investor"] not in first_invest or d < first_invest[r["investor"]]:
                first_invest[r["investor"]] = d

    signals: list[dict[str, Any]] = []
    if total_paid > 0 and total_paid > outside:
        signals.append(
            {
                "signal": "payouts_exceed_outside_income",
                "description": "payouts to investors exceed all income from outside the "
                "scheme, so they can only have come from investors' deposits",
                "evidence": {
                    "total_paid_out": total_paid,
                    "outside_income": outside,
                    "outside_payments": income[:MAX_EVIDENCE],
                },
            }
        )
    funded = _payouts_funded_by_later_deposits(payouts, investments, income, first_invest)
    if funded:
        signals.append(
            {
                "signal": "payouts_funded_by_later_deposits",
                "description": "payouts to earlier investors made after deposits by later "
                "investors that cover them, with no outside income by then",
                "evidence": funded[:MAX_EVIDENCE],
            }
        )
    if investors and unpaid_share > 0.5:
        signals.append(
            {
                "signal": "most_investors_unpaid",
                "description": "more than half of the investors never received a payment",
                "evidence": {"investors": len(investors), "unpaid": len(unpaid)},
            }
        )
    if tree["max_depth"] >= 2:
        signals.append(
            {
                "signal": "multi_level_recruitment",
                "description": "investors recruited investors who recruited further investors",
                "evidence": {
                    "max_depth": tree["max_depth"],
                    "top_recruiters": [{"id": i, "downline": d} for i, d in top[:5]],
                },
            }
        )
    return {
        "organization": {"id": org["id"], "name": org["name"]},
        "controllers": [{"id": c["id"], "name": c["name"]} for c in controllers],
        "investors": len(investors),
        "max_depth": tree["max_depth"],
        "branching": tree["branching"],
        "total_invested": total_invested,
        "total_paid_out": total_paid,
        "outside_income": outside,
        "currencies": currencies,
        "paid_investors": len(paid_investors),
        "unpaid_share": unpaid_share,
        "top_recruiters": [
            {"id": i, "name": names.get(i), "downline": d, "direct": tree["direct"][i]}
            for i, d in top
        ],
        "signals": signals,
        "members": tree_members(investments, payouts, recruits),
    }


def _payouts_funded_by_later_deposits(
    payouts: list[dict[str, Any]],
    investments: list[dict[str, Any]],
    income: list[dict[str, Any]],
    first_invest: dict[str, str],
) -> list[dict[str, Any]]:
    """Dated payouts to investor X that deposits by investors who joined after X cover,
    while outside income up to that date does not."""
    out: list[dict[str, Any]] = []
    dated = [r for r in investments if r["date"] is not None]
    for p in sorted((p for p in payouts if p["date"] is not None), key=lambda r: str(r["date"])):
        when = str(p["date"])
        payee = p["payee"]
        joined = first_invest.get(payee)
        if joined is None:
            continue
        later = [
            r
            for r in dated
            if r["investor"] != payee
            and first_invest.get(r["investor"], "") > joined
            and str(r["date"]) <= when
        ]
        later_sum = sum(_amount(r) for r in later)
        outside_by_then = sum(
            _amount(r) for r in income if r["date"] is None or str(r["date"]) <= when
        )
        if later_sum >= _amount(p) and outside_by_then < _amount(p):
            out.append(
                {
                    "payment": {
                        "from": p["payer"],
                        "to": payee,
                        "amount": _amount(p),
                        "currency": p["currency"],
                        "date": when,
                        "sources": p["sources"] or [],
                    },
                    "payee_joined": joined,
                    "later_deposits_before_payout": later_sum,
                    "later_depositors": sorted({r["investor"] for r in later}),
                    "outside_income_by_then": outside_by_then,
                }
            )
    return out
