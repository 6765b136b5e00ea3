"""Pyramid analysis on a synthetic pyramid whose tree and money are known by construction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from casegraph.cli import app as cli_app
from casegraph.graph.db import GraphDB
from casegraph.settings import Settings
from tests.analytics_support import load
from tests.builders import entity, rel, source

ORG = "org-scheme"


def build_pyramid(branching: list[int], paid_levels: int = 1) -> dict[str, Any]:
    """A founder controls ORG and recruits ``branching[0]`` investors, each of whom recruits
    ``branching[1]``, and so on. Level L invests in year 2010+L (the first investor of every
    level invests a second time). ORG pays back every investor of the first ``paid_levels``
    levels after all deposits. Returns the records and what they add up to."""
    recs: list[dict[str, Any]] = [
        source(),
        entity(ORG, "Organization", "The Scheme"),
        entity("per-founder", "Person", "Founder"),
        rel("CONTROLS", "per-founder", ORG),
    ]
    level = ["per-founder"]
    investors: list[str] = []
    downline: dict[str, int] = {}
    invested = paid = 0.0
    parents: dict[str, str] = {}
    last_year = 2010 + len(branching)
    for depth, width in enumerate(branching, start=1):
        nxt = []
        for parent in level:
            for j in range(width):
                pid = f"per-{depth}-{len(nxt)}"
                recs.append(entity(pid, "Person", f"Investor {depth}.{len(nxt)}"))
                recs.append(rel("RECRUITED", parent, pid))
                amount = 100.0 * depth + j
                recs.append(
                    rel(
                        "INVESTED_IN",
                        pid,
                        ORG,
                        {"amount": amount, "currency": "KZT", "date": f"{2010 + depth}-01-01"},
                    )
                )
                invested += amount
                if len(nxt) == 0:
                    recs.append(
                        rel(
                            "INVESTED_IN",
                            pid,
                            ORG,
                            {"amount": 7.0, "currency": "KZT", "date": f"{2010 + depth}-06-01"},
                        )
                    )
                    invested += 7.0
                if depth <= paid_levels:
                    recs.append(
                        rel(
                            "PAID",
                            ORG,
                            pid,
                            {"amount": 50.0, "currency": "KZT", "date": f"{last_year}-12-01"},
                            sources=["src-test", "src-bank"],
                        ),
                    )
                    paid += 50.0
                parents[pid] = parent
                investors.append(pid)
                nxt.append(pid)
        level = nxt
    recs.insert(1, source("src-bank", "bank statement"))
    for pid in parents:  # count each investor in the downline of all its ancestors
        up = parents[pid]
        while True:
            downline[up] = downline.get(up, 0) + 1
            if up not in parents:
                break
            up = parents[up]
    paid_count = sum(1 for p in investors if int(p.split("-")[1]) <= paid_levels)
    return {
        "records": recs,
        "investors": len(investors),
        "depth": len(branching),
        "invested": invested,
        "paid": paid,
        "unpaid_share": 1 - paid_count / len(investors),
        "downline": downline,
    }


def test_pyramid_report_matches_the_construction(
    app_client: TestClient, db: GraphDB, tmp_path: Path
) -> None:
    truth = build_pyramid([3, 2, 2])
    load(db, tmp_path, truth["records"])
    resp = app_client.get(f"/analytics/pyramid/{ORG}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["organization"] == {"id": ORG, "name": "The Scheme"}
    assert body["investors"] == truth["investors"] == 3 + 6 + 12
    assert body["max_depth"] == truth["depth"] == 3
    assert body["total_invested"] == pytest.approx(truth["invested"])
    assert body["total_paid_out"] == pytest.approx(truth["paid"])
    assert body["unpaid_share"] == pytest.approx(truth["unpaid_share"])
    expected_top = sorted(truth["downline"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [(r["id"], r["downline"]) for r in body["top_recruiters"]] == expected_top
    assert body["top_recruiters"][0] == {
        "id": "per-founder",
        "name": "Founder",
        "downline": 21,
        "direct": 3,
    }
    signals = {s["signal"]: s for s in body["signals"]}
    assert set(signals) == {
        "payouts_exceed_outside_income",
        "payouts_funded_by_later_deposits",
        "most_investors_unpaid",
        "multi_level_recruitment",
    }
    funded = signals["payouts_funded_by_later_deposits"]["evidence"]
    assert len(funded) == 3  # every payout to a first-level investor
    assert all(e["payment"]["sources"] == ["src-test", "src-bank"] for e in funded)
    assert all(e["later_deposits_before_payout"] >= 50.0 for e in funded)


def test_outside_income_removes_the_ponzi_signal(
    app_client: TestClient, db: GraphDB, tmp_path: Path
) -> None:
    truth = build_pyramid([2, 2], paid_levels=2)
    recs = truth["records"] + [
        entity("org-client", "Organization", "A real customer"),
        rel("PAID", "org-client", ORG, {"amount": 1e6, "currency": "KZT", "date": "2011-01-01"}),
    ]
    load(db, tmp_path, recs)
    body = app_client.get(f"/analytics/pyramid/{ORG}").json()
    assert body["outside_income"] == 1e6
    assert body["unpaid_share"] == 0.0
    names = {s["signal"] for s in body["signals"]}
    assert "payouts_exceed_outside_income" not in names
    assert "payouts_funded_by_later_deposits" not in names
    assert "most_investors_unpaid" not in names
    assert body["max_depth"] == 2


def test_pyramid_errors(seeded_client: TestClient) -> None:
    missing = seeded_client.get("/analytics/pyramid/org-nope")
    assert missing.status_code == 404
    assert "org-nope" in missing.json()["error"]["message"]
    person = seeded_client.get("/analytics/pyramid/per-duman-taev")
    assert person.status_code == 422
    assert "not an Organization" in person.json()["error"]["message"]


def test_seed_pyramid_and_cli(seeded: GraphDB, settings: Settings) -> None:
    orgs = seeded.read(
        "MATCH (i)-[:INVESTED_IN]->(o:Organization) RETURN o.id AS id, count(DISTINCT i) AS n "
        "ORDER BY n DESC LIMIT 1"
    )
    org = (
        orgs[0]["id"] if orgs else seeded.read("MATCH (o:Organization) RETURN o.id AS id")[0]["id"]
    )
    result = CliRunner().invoke(
        cli_app,
        ["analyze", "pyramid", org, "--format", "json"],
        env={"CASEGRAPH_NEO4J_URI": settings.neo4j_uri},
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["organization"]["id"] == org
    assert body["investors"] == (orgs[0]["n"] if orgs else 0)
