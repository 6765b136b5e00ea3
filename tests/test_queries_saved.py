"""Every shipped saved query, run on the seed plus the network fixture, against answers
computed from the fixture files themselves (NetworkX for reach, paths and downlines).

The graph stores protected people under pseudonyms (``victim-…``, ``Victim …``) with their
identity sealed, so the answers are checked against the files' content as stored
(:meth:`~tests.queries_support.Content.as_stored`, fixture ``c``). These run the queries
bare (no caller's disclosure): what each role sees of them through the API is checked in
``tests/test_queries_surface.py``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest

from casegraph.graph.db import GraphDB
from casegraph.graph.names import name_key
from casegraph.graph.schema import reset_database
from casegraph.ingest.pipeline import ingest_file
from casegraph.ingest.seed import load_seed
from casegraph.queries.library import BUILTIN_DIR, Library, load_checked_library
from casegraph.queries.readonly import QueryResult
from casegraph.queries.service import run_saved
from casegraph.settings import Settings
from tests.queries_support import NETWORK, Content, all_content

C = all_content()
TESTED: set[str] = set()
# Queries whose data needs writing first, tested in their own modules.
TESTED_ELSEWHERE = {"top-by-centrality"}  # tests/test_queries_scores.py


@pytest.fixture(scope="module")
def loaded(session_db: GraphDB) -> Iterator[tuple[GraphDB, int]]:
    """The seed and the network fixture, loaded once for this module (tests only read)."""
    reset_database(session_db)
    load_seed(session_db)
    ingest_file(session_db, NETWORK)
    yield session_db, session_db.graph_version()


@pytest.fixture(scope="module")
def c(loaded: tuple[GraphDB, int]) -> Content:
    """The seed and the network fixture as the graph stores them."""
    return C.as_stored(loaded[0])


@pytest.fixture(scope="module")
def lib(loaded: tuple[GraphDB, int]) -> Library:
    return load_checked_library(loaded[0])


@pytest.fixture
def run(loaded: tuple[GraphDB, int], lib: Library, settings: Settings) -> Any:
    assert loaded[0].graph_version() == loaded[1], "another test changed the graph"

    def go(name: str, **params: Any) -> QueryResult:
        TESTED.add(name)
        return run_saved(loaded[0], lib, name, params, settings)

    return go


def rows(result: QueryResult, *cols: str) -> list[tuple[Any, ...]]:
    return [tuple(r[c] for c in cols) for r in result.rows]


def test_the_library_ships_at_least_fifteen_checked_queries(lib: Library) -> None:
    assert lib.problems == []
    assert len(lib.queries) >= 15
    assert len(lib.queries) == len(list(BUILTIN_DIR.glob("*.cypher")))


# -- trafficking ---------------------------------------------------------------------------


def _places_in(c: Content, country: str) -> set[str]:
    """Ids of the locations that are ``country`` (by name, alias or ISO code) or lie in it."""
    wanted = country.lower()
    hits = {
        e
        for e, d in c.entities.items()
        if d["label"] == "Location"
        and (
            d["name"].lower() == wanted
            or str(c.prop(e, "iso_code") or "").lower() == wanted
            or wanted in [a.lower() for a in d.get("aliases", [])]
        )
    }
    inside = nx.DiGraph((r["from"], r["to"]) for r in c.of_type("LOCATED_IN"))
    for h in list(hits):
        if h in inside:
            hits |= nx.ancestors(inside, h)
    return hits


def _suspects_of(c: Content, victim: str) -> set[str]:
    cases = {r["to"] for r in c.of_type("VICTIM_IN") if r["from"] == victim}
    out = {r["from"] for r in c.of_type("SUSPECT_IN", "CONVICTED_IN") if r["to"] in cases}
    out |= {r["from"] for r in c.of_type("EXPLOITED", "RECRUITED") if r["to"] == victim}
    return {c.name(s) for s in out}


@pytest.mark.parametrize("country", ["Bahrain", "bh", "United Arab Emirates", "AE", "uae"])
def test_victims_by_destination(run: Any, c: Content, country: str) -> None:
    places = _places_in(c, country)
    expected = sorted(
        (r["from"], c.name(r["to"])) for r in c.of_type("TRAFFICKED_TO") if r["to"] in places
    )
    assert expected, "the fixtures state victims taken there"
    result = run("victims-by-destination", country=country)
    assert sorted(rows(result, "victim_id", "destination")) == expected
    for row in result.rows:
        assert set(row["suspects"]) == _suspects_of(c, row["victim_id"])
        # the victim comes as her node, stored under her pseudonym with nothing else in clear
        victim = row["victim"]
        assert victim["id"] == row["victim_id"] and victim["name"] == c.name(victim["id"])
        assert victim["_level"] in ("all", "minors") and victim["properties"] == {}


def test_victims_by_destination_bahrain_is_the_seed_victim_group(run: Any, c: Content) -> None:
    result = run("victims-by-destination", country="Bahrain")
    group = c.sid("per-group-forced-labor-victims-abroad")
    assert group != "per-group-forced-labor-victims-abroad", "a victim group is protected"
    assert rows(result, "victim_id") == [(group,)]
    assert run("victims-by-destination", country="Atlantis").rows == []


def test_victim_origins(run: Any, c: Content) -> None:
    victims = c.victims()
    by_origin: dict[str, set[str]] = defaultdict(set)
    for r in c.of_type("ORIGINATES_FROM"):
        if r["from"] in victims:
            by_origin[r["to"]].add(r["from"])
    result = run("victim-origins")
    got = {
        r["origin_id"]: (r["victim_count"], [(v["id"], v["name"]) for v in r["victims"]])
        for r in result.rows
    }
    assert got == {
        o: (len(v), sorted(((x, c.name(x)) for x in v), key=lambda p: (p[1], p[0])))
        for o, v in by_origin.items()
    }
    counts = [r["victim_count"] for r in result.rows]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("min_victims", [1, 2, 3, 4])
def test_recruiters_by_victims(run: Any, c: Content, min_victims: int) -> None:
    victims = c.victims()
    counts = Counter(
        r["from"]
        for r in {(r["from"], r["to"]): r for r in c.of_type("RECRUITED")}.values()
        if r["to"] in victims
    )
    expected = {k: v for k, v in counts.items() if v >= min_victims}
    result = run("recruiters-by-victims", min_victims=min_victims)
    assert {r["recruiter_id"]: r["victim_count"] for r in result.rows} == expected
    for row in result.rows:
        recruited = {r["to"] for r in c.of_type("RECRUITED") if r["from"] == row["recruiter_id"]}
        assert [v["id"] for v in row["victims"]] == sorted(
            recruited & victims, key=lambda v: (c.name(v), v)
        )


def test_minors_and_exploiters(run: Any, c: Content) -> None:
    # the minors according to the files (their ages are sealed in the graph) ...
    minors = {
        c.sid(e)
        for e, d in C.entities.items()
        if d["label"] == "Person"
        and (C.prop(e, "is_minor") is True or (C.prop(e, "age") or 99) < 18)
    }
    assert minors <= set(c.protected.values()), "every minor is stored protected"
    pairs = {
        (r["to"], r["from"], r["type"])
        for r in c.of_type("EXPLOITED", "RECRUITED")
        if r["to"] in minors
    }
    # ... are the minors the query finds from the level stored on them
    result = run("minors-and-exploiters")
    assert {(r["minor_id"], r["exploiter_id"], r["relationship"]) for r in result.rows} == pairs
    assert {c.sid("per-girl-16-almaty"), c.sid("fx-per-v3")} <= {r["minor_id"] for r in result.rows}
    assert {r["minor_id"] for r in result.rows} == minors
    for row in result.rows:
        minor = row["minor"]  # her node: pseudonym, no property in clear, her sealed identity
        assert minor["id"] == row["minor_id"] and minor["name"] == c.name(row["minor_id"])
        assert minor["properties"] == {} and minor["aliases"] == []
        assert minor["_level"] == "minors" and minor["_sealed"]
        assert "age" not in row


def test_nearest_convicted_trafficker(run: Any, c: Content) -> None:
    g = c.undirected()
    convicted = {r["from"] for r in c.of_type("CONVICTED_IN") if c.label(r["from"]) == "Person"}
    start = "fx-per-boss"
    lengths = nx.single_source_shortest_path_length(g, start)
    expected = sorted((lengths[t], t) for t in convicted if t in lengths)
    result = run("nearest-convicted-trafficker", entity_id=start)
    assert sorted(rows(result, "hops", "convicted_id")) == expected
    first = result.rows[0]
    path = first["path"]
    assert path["nodes"][0]["id"] == start and path["nodes"][-1]["id"] == first["convicted_id"]
    assert len(path["edges"]) == first["hops"]
    graph_ids = {n["id"] for n in result.graph["nodes"]}
    assert {e["from"] for e in result.graph["edges"]} <= graph_ids


# -- cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("include_aggregate", [False, True])
def test_cases_without_suspect(run: Any, c: Content, include_aggregate: bool) -> None:
    with_suspect = {r["to"] for r in c.of_type("SUSPECT_IN", "CONVICTED_IN")}
    expected = {
        e
        for e, d in c.entities.items()
        if d["label"] == "Case"
        and e not in with_suspect
        and (include_aggregate or not c.prop(e, "aggregate"))
    }
    result = run("cases-without-suspect", include_aggregate=include_aggregate)
    assert {r["case_id"] for r in result.rows} == expected
    for row in result.rows:
        victims = sorted({r["from"] for r in c.of_type("VICTIM_IN") if r["to"] == row["case_id"]})
        assert sorted(v["id"] for v in row["victims"]) == victims
        assert all(v["name"] == c.name(v["id"]) for v in row["victims"])
    assert "case-stop-trafficking" in expected and "fx-case-unsolved" in expected


@pytest.mark.parametrize("min_cases", [1, 2])
def test_case_bridges(run: Any, c: Content, min_cases: int) -> None:
    roles = ("SUSPECT_IN", "VICTIM_IN", "WITNESS_IN", "CONVICTED_IN")
    cases: dict[str, set[str]] = defaultdict(set)
    for r in c.of_type(*roles):
        cases[r["from"]].add(r["to"])
    expected = {a: len(cs) for a, cs in cases.items() if len(cs) >= min_cases}
    result = run("case-bridges", min_cases=min_cases)
    assert {r["id"]: r["case_count"] for r in result.rows} == expected
    if min_cases == 2:
        assert set(expected) == {"fx-per-bridge"}


def test_case_participants(run: Any, c: Content) -> None:
    roles = ("SUSPECT_IN", "CONVICTED_IN", "VICTIM_IN", "WITNESS_IN", "INVESTIGATES")
    for case in ("fx-case-dubai", "case-farm-forced-labor"):
        expected = sorted((r["type"], r["from"]) for r in c.of_type(*roles) if r["to"] == case)
        result = run("case-participants", case_id=case)
        assert sorted(rows(result, "role", "id")) == expected


def test_conflicting_leaders(run: Any, c: Content) -> None:
    leaders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in c.of_type("LEADS"):
        leaders[r["to"]].append(r)
    expected = {o: rs for o, rs in leaders.items() if len({r["from"] for r in rs}) > 1}
    assert {"org-korgau-astana", "fx-org-shell-altyn"} <= set(expected)
    result = run("conflicting-leaders")
    assert {r["organization_id"] for r in result.rows} == set(expected)
    for row in result.rows:
        claims = {c["leader_id"]: c for c in row["claims"]}
        assert set(claims) == {r["from"] for r in expected[row["organization_id"]]}
        for r in expected[row["organization_id"]]:
            claim = claims[r["from"]]
            assert claim["sources"] == r["sources"]
            assert claim["source_titles"] == sorted(c.name(s) for s in r["sources"])


# -- organizations and money ---------------------------------------------------------------


def test_organizations_sharing_links(run: Any, c: Content) -> None:
    expected = set()
    orgs = {e for e, d in c.entities.items() if d["label"] == "Organization"}

    def pairs(link: str, by: dict[str, set[str]]) -> None:
        for via, members in by.items():
            for a in members:
                for b in members:
                    if a < b:
                        expected.add((a, b, link, via))

    address: dict[str, set[str]] = defaultdict(set)
    for r in c.of_type("LOCATED_IN"):
        if r["from"] in orgs and c.prop(r["to"], "location_type") == "address":
            address[r["to"]].add(r["from"])
    director: dict[str, set[str]] = defaultdict(set)
    for r in c.of_type("LEADS", "CONTROLS"):
        if r["to"] in orgs and c.label(r["from"]) == "Person":
            director[r["from"]].add(r["to"])
    owner: dict[str, set[str]] = defaultdict(set)
    for r in c.of_type("OWNS"):
        owner[r["from"]].add(r["to"])
    pairs("address", address)
    pairs("director", director)
    pairs("owner", owner)
    assert {e[2] for e in expected} == {"address", "director", "owner"}
    result = run("organizations-sharing-links")
    assert set(rows(result, "org1_id", "org2_id", "link", "via_id")) == expected
    only = run("organizations-sharing-links", links=["owner"])
    assert set(rows(only, "org1_id", "org2_id", "link", "via_id")) == {
        e for e in expected if e[2] == "owner"
    }


@pytest.mark.parametrize("hops", [1, 2, 3])
@pytest.mark.parametrize("org", ["fx-org-goldstar", "org-questra-world"])
def test_pyramid_reach(run: Any, c: Content, org: str, hops: int) -> None:
    lengths = nx.single_source_shortest_path_length(c.undirected(), org, cutoff=hops)
    expected = {n: d for n, d in lengths.items() if n != org}
    result = run("pyramid-reach", org_id=org, hops=hops)
    assert {r["id"]: r["distance"] for r in result.rows} == expected


def test_money_flow_paths_are_the_simple_directed_money_paths(run: Any, c: Content) -> None:
    g = c.money()
    source, target = "fx-per-inv-1", "fx-org-shell-nomad"
    expected = sorted(
        [g.edges[e]["amount"] for e in path]
        for path in nx.all_simple_edge_paths(g, source, target, cutoff=6)
    )
    assert len(expected) >= 2
    result = run("money-flow-paths", from_id=source, to_id=target)
    got = sorted([hop["amount"] for hop in r["flow"]] for r in result.rows)
    assert got == expected
    assert [r["hops"] for r in result.rows] == sorted(r["hops"] for r in result.rows)
    for r in result.rows:
        assert r["smallest_hop"] == min(hop["amount"] for hop in r["flow"])
        assert r["path"]["nodes"][0]["id"] == source
        assert r["path"]["nodes"][-1]["id"] == target
    edge_types = {e["type"] for e in result.graph["edges"]}
    assert edge_types == {"PAID", "INVESTED_IN"}
    assert run("money-flow-paths", from_id=target, to_id=source).rows == []


def test_money_transfers_filters_by_amount_date_and_currency(run: Any, c: Content) -> None:
    transfers = c.of_type("PAID", "INVESTED_IN")
    for min_amount, since in ((0.0, None), (5000.0, None), (1000.0, "2016-10")):
        expected = sorted(
            (r["from"], r["to"], float(r["properties"]["amount"]))
            for r in transfers
            if r["properties"]["amount"] >= min_amount
            and (since is None or r["properties"]["date"] >= since)
        )
        result = run("money-transfers", min_amount=min_amount, since=since)
        assert sorted(rows(result, "payer_id", "payee_id", "amount")) == expected
        amounts = [r["amount"] for r in result.rows]
        assert amounts == sorted(amounts, reverse=True)
    assert run("money-transfers", currency="EUR").rows == []


def test_pyramid_top_investors(run: Any, c: Content) -> None:
    org = "fx-org-goldstar"
    totals: Counter[str] = Counter()
    for r in c.of_type("INVESTED_IN"):
        if r["to"] == org:
            totals[r["from"]] += r["properties"]["amount"]
    result = run("pyramid-top-investors", org_id=org, top=3)
    assert rows(result, "investor_id", "invested") == [
        (k, float(v)) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])[:3]
    ]
    assert len(run("pyramid-top-investors", org_id=org).rows) == len(totals)


def test_pyramid_top_recruiters(run: Any, c: Content) -> None:
    org = "fx-org-goldstar"
    recruited = nx.DiGraph((r["from"], r["to"]) for r in c.of_type("RECRUITED"))
    invested: Counter[str] = Counter()
    for r in c.of_type("INVESTED_IN"):
        if r["to"] == org:
            invested[r["from"]] += r["properties"]["amount"]
    expected = {}
    for rec in recruited:
        direct = [d for d in recruited.successors(rec) if d in invested]
        if not direct:
            continue
        down = [d for d in nx.descendants(recruited, rec) if d in invested]
        expected[rec] = (len(direct), len(down), float(sum(invested[d] for d in down)))
    result = run("pyramid-top-recruiters", org_id=org)
    got = {
        r["recruiter_id"]: (r["direct_recruits"], r["downline_investors"], r["downline_invested"])
        for r in result.rows
    }
    assert got == expected
    assert result.rows[0]["recruiter_id"] == max(expected, key=lambda k: expected[k][1])


# -- entities, sources, duplicates ---------------------------------------------------------


def test_entity_timeline(run: Any, c: Content) -> None:
    entity = c.sid("fx-per-v3")  # a minor: callers name her by her pseudonymous id
    assert entity != "fx-per-v3"
    expected = []
    for r in c.rels:
        if entity not in (r["from"], r["to"]) or r["type"] == "MENTIONED_IN":
            continue
        other = r["to"] if r["from"] == entity else r["from"]
        for key in ("date", "start_date", "end_date"):
            if key in r["properties"]:
                expected.append((r["properties"][key], r["type"], other))
        if c.label(other) == "Case":
            for key in ("start_date", "end_date"):
                if c.prop(other, key):
                    expected.append((c.prop(other, key), r["type"], other))
    result = run("entity-timeline", entity_id=entity)
    assert sorted(rows(result, "date", "fact", "other_id")) == sorted(expected)
    dates = [r["date"] for r in result.rows]
    assert dates == sorted(dates)


def test_fact_sources(run: Any, c: Content) -> None:
    entity = "per-anna-ryl"
    facts = [("entity", tuple(c.entities[entity]["sources"]))]
    for r in c.rels:
        if entity in (r["from"], r["to"]) and r["type"] != "MENTIONED_IN":
            facts.append(("relationship", tuple(r["sources"])))
    result = run("fact-sources", entity_id=entity)
    assert sorted((r["fact_kind"], tuple(r["source_ids"])) for r in result.rows) == sorted(facts)
    for row in result.rows:
        assert [d["title"] for d in row["documents"]] == [
            c.name(s) for s in sorted(row["source_ids"])
        ]


def test_possible_duplicates(run: Any, c: Content) -> None:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e, d in c.entities.items():
        if d["label"] != "Source":
            groups[(d["label"], name_key(d["name"]))].append(e)
    expected = {
        ("same normalized name", tuple(sorted(ids))) for ids in groups.values() if len(ids) > 1
    }
    for r in c.of_type("POSSIBLY_SAME_AS"):
        pair = tuple(sorted((r["from"], r["to"])))
        expected.add((f"POSSIBLY_SAME_AS ({r['properties']['method']})", pair))
    assert ("same normalized name", ("fx-per-petrov-cyr", "fx-per-petrov-lat")) in expected
    result = run("possible-duplicates")
    assert {(r["reason"], tuple(r["ids"])) for r in result.rows} == expected
    assert all(r["count"] == len(r["ids"]) == len(r["names"]) for r in result.rows)
    assert len(run("possible-duplicates", limit=1).rows) == 1


def test_every_shipped_query_was_tested(lib: Library) -> None:
    """Runs last in this module: each shipped query ran above on data with an answer."""
    untested = set(lib.queries) - TESTED - TESTED_ELSEWHERE
    assert not untested, f"untested: {sorted(untested)}"
