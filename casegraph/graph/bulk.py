"""A new database from validated records, through Neo4j's own import tool.

``neo4j-admin database import full`` writes a store straight from CSV files, far faster than
transactions can. This module turns records into those CSV files (:class:`BulkBuilder`,
:class:`CsvSet`), runs the tool (:func:`run_import`) on the classpath that ``neo4j-local``
resolves (:func:`casegraph.local_neo4j.ensure_built`: ``org.neo4j:neo4j`` brings
``neo4j-import-tool`` and ``neo4j-command-line``), and finishes the database in a running
server (:func:`finish_database`): empty lists, constraints and indexes, the ``IngestRun``.

The stored graph is the one the online writer (:mod:`casegraph.graph.writer`) would build
from the same records: rows come from the writer's own :func:`~casegraph.graph.writer.
entity_row`, :func:`~casegraph.graph.writer.source_row` and :func:`~casegraph.graph.writer.
relationship_row`; protected people from :func:`~casegraph.graph.protected_writes.
protected_props`; scrubbed text from :func:`~casegraph.graph.protected_writes.scrubbed_props`.
A record given more than once is merged as the writer's ``MERGE`` would merge it.

CSV details: every string is quoted (``""`` is an empty string, an empty field no value);
list elements are separated by U+001F; rows whose text holds a line break go to files of
their own, the only ones the tool parses as multi-line. The tool cannot write an empty list,
so those are set afterwards (:data:`EMPTY_NODE_LIST`). Each distinct sequence of
(property, type) gets its own header file, since a CSV column has one type.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from casegraph import local_neo4j
from casegraph.errors import InvalidRequestError, LocalNeo4jError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import KINDS, PERSON, SOURCE, check_kind, check_rel_type, stronger_level
from casegraph.graph.protected_writes import (
    REL_AAD,
    merge_payloads,
    protected_props,
    scrubbed_props,
    union,
)
from casegraph.graph.protection import ProtectionKey, name_parts, own_level, payload_names
from casegraph.graph.records import EntityRecord, Record, RelationshipRecord, SourceRecord
from casegraph.graph.schema import init_schema
from casegraph.graph.writer import WriteCounts, entity_row, relationship_row, source_row

ARRAY_DELIMITER = "\x1f"
DATABASE = "neo4j"
ADMIN_MAIN = "org.neo4j.cli.AdminTool"
# Properties that every entity node (and relationship) has, possibly as an empty list.
NODE_LISTS = ("aliases", "sources", "search_keys")
REL_LISTS = ("sources",)

# -- Cypher run on the imported database ------------------------------------------------
# The property names come from NODE_LISTS / REL_LISTS above, never from input.
EMPTY_NODE_LIST = """
MATCH (n:Entity) WHERE n.{prop} IS NULL
CALL (n) {{ SET n.{prop} = [] }} IN TRANSACTIONS OF 50000 ROWS
"""
EMPTY_REL_LIST = """
MATCH ()-[r]->() WHERE r.{prop} IS NULL
CALL (r) {{ SET r.{prop} = [] }} IN TRANSACTIONS OF 50000 ROWS
"""

ProgressFn = Callable[[int], None]


def _code(value: Any) -> str:
    """The import tool's type of a property value (``""``: an empty list, not written)."""
    t = type(value)
    if t is str:
        return "string"
    if t is bool:
        return "boolean"
    if t is int:
        return "long"
    if t is float:
        return "double"
    if t is list:
        if not value:
            return ""
        codes = {_code(v) for v in value}
        if len(codes) == 1:
            return codes.pop() + "[]"
        if codes == {"long", "double"}:
            return "double[]"
        raise InvalidRequestError(f"a list of mixed types cannot be stored: {value!r}")
    raise InvalidRequestError(f"unsupported value of type {t.__name__}: {value!r}")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _cell(value: Any, code: str) -> str:
    if code == "string":
        return _quote(value)
    if code == "boolean":
        return "true" if value else "false"
    if code == "long":
        return str(value)
    if code == "double":
        return repr(float(value))
    # an array
    elem = code[:-2]
    if elem == "string":
        for v in value:
            if ARRAY_DELIMITER in v:
                raise InvalidRequestError(
                    "a list element holds the character U+001F, which the bulk import uses "
                    "between list elements; load this file without --bulk"
                )
        return _quote(ARRAY_DELIMITER.join(value))
    return '"' + ARRAY_DELIMITER.join(_cell(v, elem) for v in value) + '"'


@dataclass
class _File:
    header: Path
    data: Path
    handle: IO[str]
    columns: tuple[tuple[str, str], ...]
    multiline: bool
    rows: int = 0


@dataclass
class CsvSet:
    """The CSV files of one import, under ``folder``: a header file and a data file per
    kind of row (nodes or relationships), set of typed columns and multi-line-ness."""

    folder: Path
    files: dict[tuple[str, tuple[tuple[str, str], ...], bool], _File] = field(default_factory=dict)
    # properties written as an empty list somewhere: set after the import
    empty_node_lists: set[str] = field(default_factory=set)
    empty_rel_lists: set[str] = field(default_factory=set)
    nodes: int = 0
    relationships: int = 0

    def _file(self, what: str, columns: tuple[tuple[str, str], ...], multiline: bool) -> _File:
        slot = (what, columns, multiline)
        found = self.files.get(slot)
        if found is not None:
            return found
        n = len(self.files)
        header = self.folder / f"{what}-{n}-header.csv"
        data = self.folder / f"{what}-{n}.csv"
        lead = "id:ID,:LABEL" if what == "nodes" else ":START_ID,:END_ID,:TYPE"
        header.write_text(
            ",".join([lead, *(f"{k}:{c}" for k, c in columns)]) + "\n", encoding="utf-8"
        )
        handle = data.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        made = _File(header, data, handle, columns, multiline)
        self.files[slot] = made
        return made

    def _row(self, what: str, lead: str, props: Mapping[str, Any], empties: set[str]) -> None:
        columns = []
        cells = [lead]
        for k, v in props.items():
            t = type(v)
            if t is str:  # the common cases first, inline
                columns.append((k, "string"))
                cells.append('"' + v.replace('"', '""') + '"')
                continue
            code = _code(v)
            if not code:
                empties.add(k)
                continue
            columns.append((k, code))
            cells.append(_cell(v, code))
        line = ",".join(cells)
        multiline = "\n" in line or "\r" in line
        f = self._file(what, tuple(columns), multiline)
        f.handle.write(line + "\n")
        f.rows += 1

    def node(self, label: str, props: Mapping[str, Any]) -> None:
        """One node: ``Entity`` plus ``label``, with ``props`` (``id`` among them)."""
        rest = {k: v for k, v in props.items() if k != "id"}
        lead = _quote(str(props["id"])) + ",Entity" + ARRAY_DELIMITER + label
        self._row("nodes", lead, rest, self.empty_node_lists)
        self.nodes += 1

    def relationship(self, start: str, end: str, rtype: str, props: Mapping[str, Any]) -> None:
        """One relationship of type ``rtype`` between node ids ``start`` and ``end``."""
        lead = f"{_quote(start)},{_quote(end)},{rtype}"
        self._row("relationships", lead, props, self.empty_rel_lists)
        self.relationships += 1

    def close(self) -> None:
        for f in self.files.values():
            f.handle.close()

    def arguments(self) -> list[str]:
        """The import tool's ``--nodes``/``--relationships``/``--multiline-fields`` options."""
        args = []
        multiline = []
        for (what, _, is_multi), f in self.files.items():
            args.append(f"--{what}={f.header},{f.data}")
            if is_multi:
                multiline.append(str(f.data))
        if multiline:
            args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(multiline)]
        return args

    @property
    def size(self) -> int:
        return sum(f.data.stat().st_size for f in self.files.values() if f.data.exists())


def _union_merge(old: list[Any] | None, new: list[Any]) -> list[Any]:
    """What the writer's ``MERGE`` leaves in a list property (``_UNION`` in writer.py)."""
    return [x for x in old or [] if x not in new] + list(new)


def _search_text(keys: list[str]) -> str:
    return "".join(" " + k for k in keys)


def node_props(row: Mapping[str, Any]) -> dict[str, Any]:
    """The stored properties of a node written from ``row`` (an :func:`entity_row` or
    :func:`source_row`) on the writer's CREATE path."""
    keys = [k for k in row["keys"] if k != ""]
    return {
        "id": row["id"],
        **row["props"],
        "name": row["name"],
        "name_key": row["name_key"],
        "aliases": list(row["aliases"]),
        "sources": list(row["sources"]),
        "search_keys": keys,
        "search_text": _search_text(keys),
    }


def merge_node(old: dict[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` after the writer's ``MERGE`` of ``row`` into it."""
    out = {**old, **row["props"]}
    out["name"] = row["name"]
    out["name_key"] = row["name_key"]
    out["aliases"] = _union_merge(old.get("aliases"), list(row["aliases"]))
    out["sources"] = _union_merge(old.get("sources"), list(row["sources"]))
    keys = [k for k in _union_merge(old.get("search_keys"), list(row["keys"])) if k != ""]
    out["search_keys"] = keys
    out["search_text"] = _search_text(keys)
    return out


def rel_props(row: Mapping[str, Any]) -> dict[str, Any]:
    """The stored properties of a relationship written from a :func:`relationship_row`."""
    return {"key": row["k"], "sources": list(row["s"]), **row["p"]}


def merge_rel(old: dict[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` after the writer's ``MERGE`` of a :func:`relationship_row` into it."""
    out = {**old, **row["p"]}
    out["sources"] = _union_merge(old.get("sources"), list(row["s"]))
    return out


@dataclass
class _Victim:
    payload: dict[str, Any]
    level: str
    sources: list[Any]


class BulkBuilder:
    """Turns validated records into the rows of a new database (see the module docstring).

    The inputs mirror :class:`~casegraph.graph.writer.GraphWriter`'s: ``protect`` (real id
    → level of every person the input protects), ``kinds`` (id → kind of every entity of
    the input), ``links`` (``hash(id)`` → pseudonymous ids of the protected people the
    input links it to), plus the ids and relationship hashes the input gives more than once
    (``repeated_ids``, ``repeated_rels`` with ``rel_hash``): those are merged in memory and
    written by :meth:`finish`, the rest are written as they come.

    Protected people are added first (:meth:`add_victim`, every record of each, then
    :meth:`victims_done`), so that text linked to them is scrubbed as it is written.
    """

    def __init__(
        self,
        csv: CsvSet,
        key: ProtectionKey,
        *,
        protect: Mapping[str, str],
        kinds: Mapping[str, str],
        links: Mapping[int, Collection[str]],
        repeated_ids: Collection[str],
        repeated_rels: Collection[int],
        rel_hash: Callable[[RelationshipRecord], int],
    ) -> None:
        self.csv = csv
        self.key = key
        self.kinds = kinds
        self.links = links
        self.repeated_ids = repeated_ids
        self.repeated_rels = repeated_rels
        self.rel_hash = rel_hash
        self.counts = WriteCounts()
        # real id -> pseudonymous id of every person stored protected
        self.pseudo: dict[str, str] = {
            rid: key.pseudo_id(rid)
            for rid, kind in kinds.items()
            if kind == PERSON and rid in protect
        }
        self.levels = protect
        self._victims: dict[str, _Victim] = {}
        self._parts: dict[str, frozenset[str]] = {}
        self._nodes: dict[str, tuple[str, dict[str, Any]]] = {}  # repeated: id -> (label, props)
        self._rels: dict[int, tuple[str, str, str, dict[str, Any]]] = {}

    # -- protected people --------------------------------------------------------------

    def is_victim(self, record: Record) -> bool:
        return isinstance(record, EntityRecord) and record.id in self.pseudo

    def add_victim(self, record: EntityRecord) -> None:
        """One record of a protected person (records of the same person are merged)."""
        payload = {
            "id": record.id,
            "name": record.name,
            "aliases": list(record.aliases),
            "properties": dict(record.properties),
        }
        level = stronger_level(self.levels.get(record.id), own_level(record.properties))
        prev = self._victims.get(record.id)
        if prev is not None:
            payload = merge_payloads(prev.payload, payload)
            level = stronger_level(prev.level, level)
            sources = union(prev.sources, record.sources)
        else:
            sources = union(record.sources)
        self._victims[record.id] = _Victim(payload, level or "all", sources)
        self.counts.protected += 1
        if record.id not in self.repeated_ids:
            self._write_victim(record.id)

    def _write_victim(self, rid: str) -> None:
        v = self._victims.pop(rid)
        pid = self.pseudo[rid]
        payload = dict(v.payload)
        payload.setdefault("id", rid)
        level = stronger_level(v.level, own_level(payload.get("properties") or {})) or v.level
        self._parts[pid] = name_parts(payload_names(payload))
        self.csv.node(PERSON, protected_props(self.key, pid, payload, level, v.sources))

    def victims_done(self) -> None:
        """Write the protected people given more than once (merged)."""
        for rid in list(self._victims):
            self._write_victim(rid)

    # -- everything else ---------------------------------------------------------------

    def add(self, record: Record) -> None:
        """One record that is not a protected person."""
        if isinstance(record, RelationshipRecord):
            self._add_rel(record)
            return
        if isinstance(record, SourceRecord):
            label, row = SOURCE, source_row(record)
        else:
            label, row = check_kind(record.label), entity_row(record)
        rid = row["id"]
        if rid in self.repeated_ids:
            prev = self._nodes.get(rid)
            if prev is None:
                self._nodes[rid] = (label, node_props(row))
                self.counts.add(label, 1, 1, 0)
            else:
                merged = merge_node(prev[1], row)
                self.counts.add(label, 1, 0, int(merged != prev[1]))
                self._nodes[rid] = (label, merged)
            return
        self.counts.add(label, 1, 1, 0)
        self._write_node(label, node_props(row))

    def _write_node(self, label: str, props: dict[str, Any]) -> None:
        pids = self.links.get(hash(props["id"]), ()) if self.links else ()
        if pids:
            parts: frozenset[str] = frozenset().union(*(self._parts.get(p, ()) for p in pids))
            kind = KINDS.get(label)
            props = scrubbed_props(
                props,
                parts,
                self.key,
                str(props["id"]),
                names=kind.scrub_names if kind else True,
            )
        self.csv.node(label, props)

    def _add_rel(self, record: RelationshipRecord) -> None:
        rtype = check_rel_type(record.type)
        row = relationship_row(record)
        start = self.pseudo.get(record.from_id, record.from_id)
        end = self.pseudo.get(record.to_id, record.to_id)
        if self.repeated_rels:
            h = self.rel_hash(record)
            if h in self.repeated_rels:
                prev = self._rels.get(h)
                if prev is None:
                    self._rels[h] = (start, end, rtype, rel_props(row))
                    self.counts.add(rtype, 1, 1, 0)
                else:
                    merged = merge_rel(prev[3], row)
                    self.counts.add(rtype, 1, 0, int(merged != prev[3]))
                    self._rels[h] = (start, end, rtype, merged)
                return
        self.counts.add(rtype, 1, 1, 0)
        self._write_rel(start, end, rtype, rel_props(row), record)

    def _write_rel(
        self, start: str, end: str, rtype: str, props: dict[str, Any], record: RelationshipRecord
    ) -> None:
        victims = [self.pseudo[r] for r in (record.from_id, record.to_id) if r in self.pseudo]
        if victims:
            parts: frozenset[str] = frozenset().union(*(self._parts.get(p, ()) for p in victims))
            props = scrubbed_props(props, parts, self.key, REL_AAD, names=False)
        self.csv.relationship(start, end, rtype, props)

    def finish(self) -> WriteCounts:
        """Write what was held back (records given more than once); close the files."""
        for label, props in self._nodes.values():
            self._write_node(label, props)
        self._nodes.clear()
        back = {v: k for k, v in self.pseudo.items()}
        for start, end, rtype, props in self._rels.values():
            rec = RelationshipRecord(rtype, back.get(start, start), back.get(end, end))
            self._write_rel(start, end, rtype, props, rec)
        self._rels.clear()
        self.csv.close()
        return self.counts


# -- the import tool and the server ------------------------------------------------------


def store_exists(data_dir: Path) -> bool:
    """Whether ``data_dir`` (a local Neo4j's home) holds a ``neo4j`` database."""
    for sub in ("databases", "transactions"):
        folder = data_dir / "data" / sub / DATABASE
        if folder.is_dir() and any(folder.iterdir()):
            return True
    return False


def check_target(data_dir: Path, *, replace: bool) -> None:
    """Refuse a folder whose Neo4j runs, or that holds a database (unless ``replace``)."""
    if data_dir.exists() and not data_dir.is_dir():
        raise InvalidRequestError(f"--data {data_dir} is a file, not a folder")
    state = local_neo4j.status(data_dir)
    if state["running"]:
        raise InvalidRequestError(
            f"the local Neo4j of {data_dir} is running (pid {state['pid']}); stop it first "
            f"(casegraph neo4j stop --data {data_dir}); nothing was changed"
        )
    if store_exists(data_dir) and not replace:
        raise InvalidRequestError(
            f"{data_dir} already holds a database; give --replace to build a new one in its "
            "place (the old one is deleted), or choose another --data folder; nothing was changed"
        )


def run_import(
    data_dir: Path,
    csv: CsvSet,
    *,
    replace: bool,
    memory: str = "2g",
    heap: str = "1g",
    output: IO[bytes] | None = None,
) -> float:
    """Run ``neo4j-admin database import full`` into ``data_dir`` (the Neo4j home); its
    progress goes to the terminal (or ``output``). Returns the seconds it took."""
    java, classpath = local_neo4j.ensure_built()
    conf = csv.folder / "conf"
    conf.mkdir(exist_ok=True)
    (conf / "neo4j.conf").write_text("", encoding="utf-8")
    command = [
        str(java),
        f"-Xmx{heap}",
        *local_neo4j.jvm_flags(java),
        "-cp",
        classpath,
        ADMIN_MAIN,
        "database",
        "import",
        "full",
        DATABASE,
        f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
        "--id-type=string",
        f"--max-off-heap-memory={memory}",
        f"--report-file={csv.folder / 'import.report'}",
        f"--overwrite-destination={'true' if replace else 'false'}",
        *csv.arguments(),
    ]
    env = dict(os.environ, NEO4J_HOME=str(data_dir), NEO4J_CONF=str(conf))
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=csv.folder, env=env, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT if output is not None else None, check=False,
        )  # fmt: skip
    except OSError as exc:
        raise LocalNeo4jError(f"could not run {java}: {exc}") from exc
    if done.returncode != 0:
        report = csv.folder / "import.report"
        tail = report.read_text("utf-8", "replace")[-4000:] if report.is_file() else ""
        raise LocalNeo4jError(
            f"neo4j-admin database import failed (exit {done.returncode}); its messages are "
            f"above" + (f"; the end of its report:\n{tail}" if tail.strip() else "")
        )
    return time.perf_counter() - started


def finish_database(
    data_dir: Path,
    csv: CsvSet,
    key: ProtectionKey,
    work: Callable[[GraphDB], None],
    *,
    heap: str = "1g",
    pagecache: str = "512m",
    port: int | None = None,
) -> tuple[dict[str, float], str]:
    """Start the imported database (on ``port``, else a free port), set the empty lists
    the CSV files could not hold, create the constraints and indexes (``db init``) and run
    ``work`` (it records the ``IngestRun``). The server is stopped at the end unless a
    ``port`` was given. Returns the time of each step and the server's URI."""
    timings: dict[str, float] = defaultdict(float)
    t = time.perf_counter()
    keep = port is not None
    uri = local_neo4j.start(
        port if port is not None else local_neo4j.free_port(),
        data_dir,
        heap=heap,
        pagecache=pagecache,
    )
    timings["start"] = time.perf_counter() - t
    failed = True
    try:
        with GraphDB(uri, protection_key=key) as db:
            t = time.perf_counter()
            for prop in sorted(csv.empty_node_lists):
                if prop in NODE_LISTS:
                    db.run_autocommit(EMPTY_NODE_LIST.format(prop=prop))
            for prop in sorted(csv.empty_rel_lists):
                if prop in REL_LISTS:
                    db.run_autocommit(EMPTY_REL_LIST.format(prop=prop))
            timings["empty lists"] = time.perf_counter() - t
            t = time.perf_counter()
            init_schema(db)
            timings["constraints and indexes"] = time.perf_counter() - t
            work(db)
        failed = False
    finally:
        if failed or not keep:
            t = time.perf_counter()
            local_neo4j.stop(data_dir)
            timings["stop"] = time.perf_counter() - t
    return dict(timings), uri


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


__all__ = [
    "BulkBuilder",
    "CsvSet",
    "check_target",
    "finish_database",
    "run_import",
    "store_exists",
]
