"""FollowTheMoney (FtM) JSON Lines: ``{"id", "schema", "properties": {name: [values]}}``.

Each FtM entity becomes one casegraph record (the validator then checks it like any other):

========================================================  =========================================
FtM schema                                                casegraph
========================================================  =========================================
Person                                                    ``Person``
Company, Organization, LegalEntity, PublicBody (and       ``Organization`` (``org_type`` = schema)
every other LegalEntity)
Address                                                   ``Location`` (``location_type`` address)
Ownership (owner → asset)                                 ``OWNS`` {share, start_date, end_date}
Directorship (director → organization)                    ``CONTROLS`` {role: director or its role}
Membership (member → organization)                        ``MEMBER_OF`` {role, dates}
Employment (employee → employer)                          ``EMPLOYED_BY`` {role, dates}
Family (person → relative)                                ``FAMILY_OF`` {relationship}
Associate (person → associate)                            ``ASSOCIATE_OF`` {relationship}
Representation (agent → client)                           ``REPRESENTS`` {role}
Payment (payer → beneficiary)                             ``PAID`` {amount, currency, date, purpose}
UnknownLink (subject → object)                            ``LINKED_TO`` {role, dates}
``addressEntity`` of a Person or organization             ``LOCATED_IN`` to the Address
========================================================  =========================================

The ``followthemoney`` library supplies the schema (names, inheritance, edge ends and the
type of every property); values are read as they are written, so that a bad date or amount
is refused with its line instead of silently dropped. FtM dates and amounts are kept. The
file itself becomes a ``Source`` (id ``ftm:<file name>``) that every record cites.

>>> rec = ftm_record(3, {"id": "pay-1", "schema": "Payment", "properties": {
...     "payer": ["p1"], "beneficiary": ["c1"], "amount": ["1500"], "currency": ["USD"],
...     "date": ["2017-03-01"]}}, "ftm:x.jsonl")[0]
>>> rec["type"], rec["from"], rec["to"], rec["properties"]["amount"]
('PAID', 'p1', 'c1', '1500')
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followthemoney import model as ftm_model

from casegraph.errors import RecordError
from casegraph.formats.jsonl import Parsed, read_jsonl
from casegraph.values import parse_date

# FtM edge schema -> (relationship type, property copied as given, FtM prop -> ours)
EDGES: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "Ownership": (
        "OWNS",
        {},
        {"percentage": "share", "startDate": "start_date", "endDate": "end_date"},
    ),
    "Directorship": (
        "CONTROLS",
        {"role": "director"},
        {"role": "role", "startDate": "start_date", "endDate": "end_date"},
    ),
    "Membership": (
        "MEMBER_OF",
        {},
        {"role": "role", "startDate": "start_date", "endDate": "end_date"},
    ),
    "Employment": (
        "EMPLOYED_BY",
        {},
        {"role": "role", "startDate": "start_date", "endDate": "end_date"},
    ),
    "Family": ("FAMILY_OF", {}, {"relationship": "relationship"}),
    "Associate": ("ASSOCIATE_OF", {}, {"relationship": "relationship"}),
    "Representation": ("REPRESENTS", {}, {"role": "role"}),
    "Payment": (
        "PAID",
        {},
        {
            "amount": "amount",
            "currency": "currency",
            "date": "date",
            "startDate": "date",
            "purpose": "purpose",
        },
    ),
    "UnknownLink": (
        "LINKED_TO",
        {},
        {"role": "role", "startDate": "start_date", "endDate": "end_date"},
    ),
}

# FtM property -> ours, per kind (first value kept; dates checked)
NODE_PROPS: dict[str, dict[str, str]] = {
    "Person": {
        "gender": "gender",
        "nationality": "nationality",
        "position": "position",
        "birthDate": "birth_date",
        "description": "description",
    },
    "Organization": {
        "jurisdiction": "country",
        "country": "country",
        "incorporationDate": "incorporation_date",
        "dissolutionDate": "dissolution_date",
        "registrationNumber": "registration_number",
        "description": "description",
    },
    "Location": {"country": "country", "city": "city", "full": "address"},
}
_ALIAS_PROPS = ("alias", "previousName", "weakAlias")

# The same table, read backwards for the writer: our kind -> FtM schema, our relationship
# type -> FtM edge schema (ends from the library's schema), our property -> FtM property.
NODE_SCHEMAS = {"Person": "Person", "Organization": "Organization", "Location": "Address"}
EDGE_SCHEMAS = {rtype: schema for schema, (rtype, _, _) in EDGES.items()}
FALLBACK_EDGE = "UnknownLink"  # a relationship type without an FtM schema of its own


def _backwards(mapping: dict[str, str]) -> dict[str, str]:
    """Our property -> the FtM property it is written to: the one of the same name when the
    table has it, else the first that reads into it.

    >>> _backwards({"jurisdiction": "country", "country": "country", "full": "address"})
    {'country': 'country', 'address': 'full'}
    """
    out: dict[str, str] = {}
    for theirs, ours in mapping.items():
        if ours not in out or theirs == ours:
            out[ours] = theirs
    return out


def kind_of_schema(schema_name: str) -> str | None:
    """The casegraph kind of an FtM node schema, or ``None`` when it is not mapped.

    >>> kind_of_schema("Company"), kind_of_schema("PublicBody"), kind_of_schema("Vessel")
    ('Organization', 'Organization', None)
    """
    schema = ftm_model.get(schema_name)
    if schema is None or schema.edge:
        return None
    if schema.is_a("Person"):
        return "Person"
    if schema.is_a("Address"):
        return "Location"
    if schema.is_a("LegalEntity"):
        return "Organization"
    return None


def _values(props: dict[str, Any], name: str) -> list[Any]:
    value = props.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first(props: dict[str, Any], name: str) -> Any:
    values = _values(props, name)
    return values[0] if values else None


def _ref(value: Any) -> Any:
    """An entity reference: an id, or a nested entity (its ``id``)."""
    return value.get("id") if isinstance(value, dict) else value


def _mapped_props(
    line: int, schema_name: str, props: dict[str, Any], mapping: dict[str, str]
) -> tuple[dict[str, Any], list[RecordError]]:
    schema = ftm_model.get(schema_name)
    out: dict[str, Any] = {}
    errors: list[RecordError] = []
    for ftm_name, ours in mapping.items():
        value = _first(props, ftm_name)
        if value is None or value == "" or ours in out:
            continue
        prop = schema.get(ftm_name) if schema is not None else None
        if prop is not None and prop.type.name == "date" and parse_date(value) is None:
            errors.append(RecordError(line, f"properties.{ftm_name}", f"not a date: {value!r}"))
            continue
        out[ours] = value
    return out, errors


def ftm_record(line: int, raw: Any, source_id: str) -> list[dict[str, Any]] | RecordError:
    """The casegraph raw records for one FtM entity (or why it cannot be mapped)."""
    if not isinstance(raw, dict):
        return RecordError(line, "", "an FtM entity must be a JSON object")
    schema_name = raw.get("schema")
    schema = ftm_model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        return RecordError(line, "schema", f"unknown FtM schema {schema_name!r}")
    props = raw.get("properties") or {}
    if not isinstance(props, dict):
        return RecordError(line, "properties", "must be an object of lists")
    rid = raw.get("id")
    sources = [source_id]
    if schema.edge and schema.name in EDGES:
        rtype, fixed, mapping = EDGES[schema.name]
        mapped, errors = _mapped_props(line, schema.name, props, mapping)
        if errors:
            return errors[0]
        src_prop = schema.source_prop.name if schema.source_prop else ""
        dst_prop = schema.target_prop.name if schema.target_prop else ""
        return [
            {
                "kind": "relationship",
                "type": rtype,
                "from": _ref(_first(props, src_prop)),
                "to": _ref(_first(props, dst_prop)),
                "properties": {**fixed, **mapped, "ftm_id": rid, "ftm_schema": schema.name},
                "sources": sources,
            }
        ]
    kind = kind_of_schema(schema.name)
    if kind is None:
        return RecordError(
            line,
            "schema",
            f"FtM schema {schema.name!r} is not mapped to a casegraph kind or type",
        )
    names = [str(n) for n in _values(props, "name") if n]
    if not names:
        names = [str(n) for n in _values(props, "full") if n]
    aliases = names[1:] + [str(a) for p in _ALIAS_PROPS for a in _values(props, p) if a]
    mapped, errors = _mapped_props(line, schema.name, props, NODE_PROPS[kind])
    if errors:
        return errors[0]
    if kind == "Person" and "birth_date" in mapped:
        mapped["birth_year"] = str(mapped["birth_date"])[:4]
    if kind == "Organization":
        mapped["org_type"] = schema.label.lower()
    if kind == "Location":
        mapped["location_type"] = "address"
    records: list[dict[str, Any]] = [
        {
            "kind": "entity",
            "id": rid,
            "label": kind,
            "name": names[0] if names else None,
            "aliases": aliases,
            "properties": {**mapped, "ftm_schema": schema.name},
            "sources": sources,
        }
    ]
    if kind != "Location":
        for address in _values(props, "addressEntity"):
            records.append(
                {
                    "kind": "relationship",
                    "type": "LOCATED_IN",
                    "from": rid,
                    "to": _ref(address),
                    "properties": {},
                    "sources": sources,
                }
            )
    return records


def source_id_for(path: Path) -> str:
    return f"ftm:{path.name}"


def read_ftm(path: Path) -> Iterator[Parsed]:
    """Raw casegraph records from an FtM JSON Lines file: first the file as a source, then
    each entity mapped (line numbers are the file's)."""
    sid = source_id_for(path)
    yield 0, {"kind": "source", "id": sid, "title": path.name, "format": "followthemoney"}
    for item in read_jsonl(path):
        if isinstance(item, RecordError):
            yield item
            continue
        line, raw = item
        mapped = ftm_record(line, raw, sid)
        if isinstance(mapped, RecordError):
            yield mapped
            continue
        for rec in mapped:
            yield line, rec


def looks_like_ftm(first: Any) -> bool:
    """Whether a first JSON record looks like FtM (a ``schema`` and no ``kind``)."""
    return isinstance(first, dict) and "schema" in first and "kind" not in first


def to_ftm(graph: dict[str, Any]) -> str:
    """FollowTheMoney entities for a graph snapshot: Person, Organization, Address, and the
    link schemata of :data:`EDGES` (types without one become ``UnknownLink`` with the type as
    its ``role``). Cases and sources have no FtM schema and are left out, with their links.

    >>> g = {"nodes": [{"id": "p1", "label": "Person", "name": "A", "properties": {}},
    ...                {"id": "o1", "label": "Organization", "name": "B",
    ...                 "properties": {"country": "KZ"}}],
    ...      "edges": [{"type": "PAID", "from": "p1", "to": "o1",
    ...                 "properties": {"amount": 5.0, "date": "2017"}}]}
    >>> [json.loads(x)["properties"] for x in to_ftm(g).splitlines()][1:]
    [{'name': ['B'], 'country': ['KZ']}, {'payer': ['p1'], 'beneficiary': ['o1'], \
'amount': [5.0], 'date': ['2017']}]
    """
    kinds = {n["id"]: n["label"] for n in graph["nodes"]}
    lines = []
    for n in graph["nodes"]:
        schema = NODE_SCHEMAS.get(n["label"])
        if schema is None:
            continue
        props: dict[str, list[Any]] = {"name": [n["name"]]}
        if n.get("aliases"):
            props["alias"] = list(n["aliases"])
        for ours, theirs in _backwards(NODE_PROPS[n["label"]]).items():
            if ours in n.get("properties", {}):
                props[theirs] = [n["properties"][ours]]
        lines.append({"id": n["id"], "schema": schema, "properties": props})
    for i, e in enumerate(graph["edges"]):
        if kinds.get(e["from"]) not in NODE_SCHEMAS or kinds.get(e["to"]) not in NODE_SCHEMAS:
            continue
        schema_name = EDGE_SCHEMAS.get(e["type"], FALLBACK_EDGE)
        edge = ftm_model.get(schema_name)
        assert edge is not None and edge.source_prop and edge.target_prop
        props = {edge.source_prop.name: [e["from"]], edge.target_prop.name: [e["to"]]}
        for ours, theirs in _backwards(EDGES[schema_name][2]).items():
            if ours in e.get("properties", {}):
                props[theirs] = [e["properties"][ours]]
        if schema_name == FALLBACK_EDGE:
            props.setdefault("role", [e["type"]])
        lines.append(
            {
                "id": f"{e['from']}-{e['type']}-{e['to']}-{i}",
                "schema": schema_name,
                "properties": props,
            }
        )
    return "".join(json.dumps(x, ensure_ascii=False, default=str) + "\n" for x in lines)
