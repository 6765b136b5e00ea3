"""Run analysts' Cypher read-only and bounded.

Every query (saved or ad hoc) goes through :func:`run_read`:

1. ``EXPLAIN`` first, in the same READ transaction: the plan may call only the procedures
   of :data:`ALLOWED_PROCEDURES`, must be a read plan (``query_type == 'r'``) and use none
   of the operators that READ mode alone does not stop (``LOAD CSV``,
   ``SHOW``/``TERMINATE`` commands, ``CALL { } IN TRANSACTIONS``, administration commands),
   and may not query the blind index of protected names (:data:`REFUSED_INDEXES`).
   Otherwise :class:`~casegraph.queries.errors.QueryRefusedError`, and nothing runs.
2. The query runs in a READ-access managed transaction (Neo4j itself refuses writes)
   with a timeout (``neo4j.unit_of_work(timeout=...)``).
3. At most ``row_limit`` rows are fetched; ``truncated`` says whether there were more.

Results hold JSON values: nodes as :func:`~casegraph.graph.repository.node_dict`,
relationships as :func:`~casegraph.graph.repository.edge_dict`, paths as
``{"nodes": [...], "edges": [...]}``. When the rows hold any of these, the result also
carries ``graph`` in DESIGN.md's shape, with the end nodes of every relationship.

What Cypher here may not reach
------------------------------
Procedures are allowed by name, from a list (:data:`ALLOWED_PROCEDURES`): the schema
(labels, types, property keys, the schema graph) and the full-text indexes. Everything else
is refused with its name, in particular ``db.stats.*`` (the query statistics it collects
hold other users' queries and their parameters), ``dbms.*`` (the server, its connections,
its configuration), ``tx.*``, and ``db.*`` procedures that change state
(``db.createLabel``, ``db.clearQueryCaches``, ``db.resampleIndex`` …). Other sessions are
seen otherwise only through ``SHOW TRANSACTIONS``/``SHOW SETTINGS`` (``Show*`` operators,
refused); Neo4j 2026.08 has no function that reveals them.

Full-text queries may not name the blind index (:data:`~casegraph.graph.schema.BLIND_INDEX`),
whose entries are keyed hashes of protected people's name words. Without the key a guess
cannot be turned into a token, so this is defence in depth. Because ``EXPLAIN`` replaces
literals by parameters (``$autostring_0``), the plan does not show the index name: the
query's text (with ``\\uXXXX`` escapes decoded) and its parameters may not contain the
name, and the index argument of every full-text call must be a literal or a parameter,
not an expression (``'entity_' + 'blind'``) or a variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j import ManagedTransaction
from neo4j.exceptions import ClientError, Neo4jError
from neo4j.graph import Node, Path, Relationship

from casegraph.graph.audit import AUDIT_LABEL
from casegraph.graph.db import GraphDB
from casegraph.graph.repository import INTERNAL_PROPS, edge_dict, node_dict, nodes_by_element_id
from casegraph.graph.schema import BLIND_INDEX
from casegraph.queries.errors import CypherError, QueryRefusedError, QueryTimeoutError

READ_QUERY_TYPE = "r"
# Operators of read plans that READ access mode does not stop, refused by name.
REFUSED_OPERATORS = frozenset(
    {"LoadCSV", "TransactionApply", "TransactionForeach", "AdministrationCommand"}
)
REFUSED_OPERATOR_PREFIXES = ("Show", "Terminate", "Create", "Drop", "Alter")
#: The procedures Cypher run here may call (Neo4j 2026.08 Community): read-only, about this
#: database's schema and full-text indexes. Any other is refused by name.
ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "db.index.fulltext.listAvailableAnalyzers",
        "db.info",
        "db.ping",
    }
)
#: The allowed procedures whose first argument names a full-text index.
FULLTEXT_PROCEDURES = frozenset(
    {"db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships"}
)
#: Indexes that Cypher run here may not query: the blind index of protected names.
REFUSED_INDEXES = frozenset({BLIND_INDEX})
#: Labels that Cypher run here may not name: the audit records of the shared sink (sealed
#: anyway; this is defence in depth).
REFUSED_LABELS = frozenset({AUDIT_LABEL})
_TIMEOUT_CODES = ("TransactionTimedOut", "TransactionTerminated")
_PROCEDURE_NAME = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*\(")
# A literal (as a parameter, ``$autostring_0``, or verbatim) or a parameter: an index name
# that the text and parameters show as they are.
_LITERAL_OR_PARAMETER = re.compile(r"""^(?:\$\w+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")$""")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")


@dataclass
class QueryResult:
    """What a query answered: column names, JSON rows, whether rows were cut off, and
    the graph its nodes, relationships and paths make (``None`` when it has none)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    graph: dict[str, list[dict[str, Any]]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "columns": self.columns,
            "rows": self.rows,
            "truncated": self.truncated,
            "row_count": len(self.rows),
        }
        if self.graph is not None:
            out["graph"] = self.graph
        out.update(self.meta)
        return out


def clean_cypher(text: str) -> str:
    """The query text without surrounding blanks and trailing semicolons.

    >>> clean_cypher("  MATCH (n) RETURN n ;\\n")
    'MATCH (n) RETURN n'
    """
    return text.strip().rstrip(";").rstrip()


def plan_operators(plan: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(operator, details) of every operator in an ``EXPLAIN`` plan, depth first."""
    out: list[tuple[str, str]] = []
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        op = str(node.get("operatorType", "")).split("@", 1)[0]
        details = str((node.get("args") or {}).get("Details") or "")
        out.append((op, details))
        stack.extend(reversed(node.get("children") or []))
    return out


def procedure_name(details: str) -> str:
    """The procedure a ``ProcedureCall`` operator calls, from its plan details.

    >>> procedure_name("db.labels() :: (label :: STRING)")
    'db.labels'
    """
    m = _PROCEDURE_NAME.match(details)
    return m.group(1) if m else details


def first_argument(details: str) -> str:
    """The first argument of a ``ProcedureCall``, as the plan shows it.

    >>> first_argument("db.index.fulltext.queryNodes($autostring_0, $q) :: (node :: NODE)")
    '$autostring_0'
    >>> first_argument("db.index.fulltext.queryNodes(f(a, b) + 'x', $q) :: (node :: NODE)")
    "f(a, b) + 'x'"
    """
    start = details.find("(")
    if start < 0:
        return ""
    depth, quote = 0, ""
    for i, ch in enumerate(details[start + 1 :], start + 1):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        elif ch in ",)" and not depth:
            return details[start + 1 : i].strip()
    return details[start + 1 :].strip()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def names_refused_index(text: str, params: dict[str, Any] | None = None) -> str | None:
    """The refused index (:data:`REFUSED_INDEXES`) that ``text`` or ``params`` name, if any;
    ``\\uXXXX`` escapes are decoded and case is ignored.

    >>> names_refused_index(r"CALL db.index.fulltext.queryNodes('entity\\u005Fblind', 'x')")
    'entity_blind'
    >>> names_refused_index("RETURN $i", {"i": ["ENTITY_BLIND"]})
    'entity_blind'
    >>> names_refused_index("CALL db.index.fulltext.queryNodes('entity_names', 'x')") is None
    True
    """
    decoded = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).casefold()
    values = [s.casefold() for s in _strings(params or {})]
    for index in sorted(REFUSED_INDEXES):
        needle = index.casefold()
        if needle in decoded or any(needle in v for v in values):
            return index
    return None


def refusal_reason(
    query_type: str | None,
    plan: dict[str, Any] | None,
    text: str = "",
    params: dict[str, Any] | None = None,
) -> str | None:
    """Why a plan (of ``text`` with ``params``) may not run read-only, or ``None`` if it may.

    >>> refusal_reason("w", None)
    "the plan writes (query type 'w')"
    >>> refusal_reason("r", {"operatorType": "LoadCSV@neo4j", "children": []})
    'the plan uses LOAD CSV, which is not allowed here'
    >>> call = {"operatorType": "ProcedureCall", "args": {"Details": "db.stats.retrieve($a)"}}
    >>> refusal_reason("r", call)[:64]
    'the plan calls procedure db.stats.retrieve, which is not allowed'
    """
    operators = plan_operators(plan)
    for op, details in operators:
        if op == "ProcedureCall":
            name = procedure_name(details)
            if name not in ALLOWED_PROCEDURES:
                return (
                    f"the plan calls procedure {name}, which is not allowed here; "
                    f"allowed procedures: {', '.join(sorted(ALLOWED_PROCEDURES))}"
                )
    if query_type != READ_QUERY_TYPE:
        what = {"rw": "writes", "w": "writes", "s": "changes the schema or the server"}
        return (
            f"the plan {what.get(str(query_type), 'is not read-only')} (query type {query_type!r})"
        )
    for op, details in operators:
        if op == "LoadCSV":
            return "the plan uses LOAD CSV, which is not allowed here"
        if op in REFUSED_OPERATORS or op.startswith(REFUSED_OPERATOR_PREFIXES):
            return f"the plan uses {op}, which is not allowed here"
        if op == "ProcedureCall" and procedure_name(details) in FULLTEXT_PROCEDURES:
            argument = first_argument(details)
            if not _LITERAL_OR_PARAMETER.match(argument):
                return (
                    f"the plan calls {procedure_name(details)} with an index name computed "
                    f"in the query ({argument}); give the index as a literal or a parameter"
                )
    index = names_refused_index(text, params)
    if index is not None:
        return f"the query names the index {index}, which may not be queried here"
    label = names_refused_label(text, operators)
    if label is not None:
        return (
            f"the query names the label {label}, which may not be queried here "
            "(admins read the audit with GET /audit)"
        )
    return None


def names_refused_label(text: str, operators: list[tuple[str, str]] | None = None) -> str | None:
    """The refused label (:data:`REFUSED_LABELS`) that ``text`` (escapes decoded, any case)
    or the plan's operators name, if any.

    >>> names_refused_label("MATCH (a:`Audit\\u0052ecord`) RETURN a")
    'AuditRecord'
    >>> names_refused_label("MATCH (a:Person) RETURN a") is None
    True
    """
    decoded = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).casefold()
    details = " ".join(d for _, d in operators or []).casefold()
    for label in sorted(REFUSED_LABELS):
        if label.casefold() in decoded or label.casefold() in details:
            return label
    return None


def _explain(tx: ManagedTransaction, text: str, params: dict[str, Any]) -> None:
    summary = tx.run("EXPLAIN " + text, params).consume()
    reason = refusal_reason(summary.query_type, summary.plan, text, params)
    if reason:
        raise QueryRefusedError(f"query refused: {reason}; nothing was run")


def check_read_only(db: GraphDB, text: str, params: dict[str, Any] | None = None) -> None:
    """``EXPLAIN`` ``text`` and raise :class:`QueryRefusedError` unless its plan only
    reads (or :class:`CypherError` if it does not compile)."""
    text = clean_cypher(text)

    @neo4j.unit_of_work(timeout=30.0)
    def work(tx: ManagedTransaction) -> None:
        _explain(tx, text, params or {})

    _guarded(db, work, 30.0)


def run_read(
    db: GraphDB,
    text: str,
    params: dict[str, Any] | None = None,
    *,
    timeout: float = 10.0,
    row_limit: int = 10_000,
) -> QueryResult:
    """Run ``text`` read-only: plan check, READ transaction, ``timeout`` seconds, at most
    ``row_limit`` rows (``truncated`` tells whether more were there)."""
    text = clean_cypher(text)
    if not text:
        raise CypherError("the query is empty")
    params = params or {}

    @neo4j.unit_of_work(timeout=timeout)
    def work(tx: ManagedTransaction) -> QueryResult:
        _explain(tx, text, params)
        result = tx.run(text, params)
        columns = list(result.keys())
        records = result.fetch(row_limit + 1)
        truncated = len(records) > row_limit
        records = records[:row_limit]
        return _to_result(tx, columns, records, truncated)

    return _guarded(db, work, timeout)


def _guarded(db: GraphDB, work: Any, timeout: float) -> Any:
    try:
        return db.execute_read(work)
    except ClientError as exc:
        code = exc.code or ""
        message = exc.message or str(exc)
        if any(c in code for c in _TIMEOUT_CODES):
            raise QueryTimeoutError(
                f"the query ran longer than its timeout of {timeout:g} s and was stopped",
                details={"timeout_seconds": timeout},
            ) from exc
        if code.endswith("AccessMode") or "Forbidden" in code:
            raise QueryRefusedError(f"query refused by Neo4j: {message}") from exc
        raise CypherError(f"Neo4j rejected the query: {message}", details={"code": code}) from exc
    except Neo4jError as exc:
        raise CypherError(
            f"Neo4j could not run the query: {exc.message or exc}", details={"code": exc.code}
        ) from exc


@dataclass(frozen=True)
class _RelRef:
    """A relationship's place in a row until its end nodes' ids are known."""

    element_id: str


class _GraphCollector:
    """Turns record values into JSON, remembering the nodes and relationships seen."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.rels: dict[str, Relationship] = {}
        self.ids: dict[str, str] = {}  # element id -> casegraph id

    def value(self, v: Any) -> Any:
        if isinstance(v, Node):
            d = node_dict(v)
            self.ids[v.element_id] = d["id"]
            self.nodes.setdefault(v.element_id, d)
            return d
        if isinstance(v, Relationship):
            self.rels.setdefault(v.element_id, v)
            return _RelRef(v.element_id)
        if isinstance(v, Path):
            return {
                "nodes": [self.value(n) for n in v.nodes],
                "edges": [self.value(r) for r in v.relationships],
            }
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items() if k not in INTERNAL_PROPS}
        if hasattr(v, "iso_format"):
            return v.iso_format()
        if isinstance(v, str | int | float | bool) or v is None:
            return v
        return str(v)

    def resolve(self, v: Any, edges: dict[str, dict[str, Any]]) -> Any:
        """Replace relationship placeholders by their edge dicts."""
        if isinstance(v, _RelRef):
            return edges[v.element_id]
        if isinstance(v, dict):
            return {k: self.resolve(x, edges) for k, x in v.items()}
        if isinstance(v, list):
            return [self.resolve(x, edges) for x in v]
        return v


def _to_result(
    tx: ManagedTransaction, columns: list[str], records: list[neo4j.Record], truncated: bool
) -> QueryResult:
    c = _GraphCollector()
    raw_rows = [{k: c.value(rec[k]) for k in columns} for rec in records]
    if not c.nodes and not c.rels:
        return QueryResult(columns, raw_rows, truncated)
    ends = {e for r in c.rels.values() for e in _ends(r)} - set(c.nodes)
    if ends:
        for node in nodes_by_element_id(tx, sorted(ends)):
            c.value(node)
    edges = {eid: edge_dict(r, *(c.ids.get(e) for e in _ends(r))) for eid, r in c.rels.items()}
    rows = [{k: c.resolve(v, edges) for k, v in row.items()} for row in raw_rows]
    graph = {"nodes": list(c.nodes.values()), "edges": list(edges.values())}
    return QueryResult(columns, rows, truncated, graph)


def _ends(rel: Relationship) -> tuple[str, str]:
    start, end = rel.start_node, rel.end_node
    return (
        start.element_id if start is not None else "",
        end.element_id if end is not None else "",
    )
