"""FollowTheMoney (FtM) JSON Lines: ``{"id", "schema", "properties": {name: [values]}}``.

Every line is read as an ``EntityProxy`` of the ``followthemoney`` library's model
(``model.get_proxy``), which supplies the schema (inheritance, edge ends, the type of every
property) and the caption: an entity's name is ``proxy.caption``, so an ``Address`` with
``street`` and ``city`` but no ``name`` is a Location named by its caption. Values are read
as written (the proxy does not clean them), so a bad date or amount is refused with its line.
The file itself becomes a ``Source`` (id ``ftm:<file name>``) that every record cites.

One table, read both ways (:func:`read_ftm` and :func:`to_ftm`):

=================================================  ============================================
FtM schema                                         casegraph
=================================================  ============================================
Person                                             ``Person``
Organization, Company, PublicBody, LegalEntity     ``Organization`` (``org_type`` = schema)
Address                                            ``Location`` (``location_type`` address; name
                                                   = caption: full, else city ...)
Territory                                          ``Location`` (``location_type`` territory)
CourtCase                                          ``Case`` (fileDate, closeDate → dates)
Document and every descendant (Pages, Email, ...)  ``Source`` (title, sourceUrl, publishedAt)
Ownership (owner → asset)                          ``OWNS`` {share, start_date, end_date}
Directorship (director → organization)             ``CONTROLS`` {role: director or its role}
Control (controller → controlled)                  ``CONTROLS`` {role: controlType}
Membership (member → organization)                 ``MEMBER_OF`` {role, dates}
Employment (employee → employer)                   ``EMPLOYED_BY`` {role, dates}
Family (person → relative)                         ``FAMILY_OF`` {relationship}
Associate (person → associate)                     ``ASSOCIATE_OF`` {relationship}
Representation (agent → client)                    ``REPRESENTS`` {role}
Payment (payer → beneficiary)                      ``PAID`` {amount, currency, date, purpose}
Debt (debtor → creditor)                           ``OWES`` {amount, currency, date}
Succession (predecessor → successor)               ``SUCCEEDED_BY`` {start_date}
UnknownLink (subject → object)                     ``LINKED_TO`` {role, dates}; a ``role`` that
                                                   is a casegraph type name gives that type
CourtCaseParty (party → case)                      by role: victim → ``VICTIM_IN``, witness →
                                                   ``WITNESS_IN``, suspect/defendant/accused →
                                                   ``SUSPECT_IN``, convicted → ``CONVICTED_IN``,
                                                   a type name → that type, else ``LINKED_TO``
Documentation (document → entity)                  ``MENTIONED_IN`` (entity → Source)
Mention (resolved → document)                      ``MENTIONED_IN``; unresolved: a warning
Note (→ entity)                                    the entity's ``note`` (a warning when the
                                                   entity is not in the file)
``addressEntity`` of an entity                     ``LOCATED_IN`` (a case: ``OCCURRED_IN``)
``proof`` (→ Document in the file)                 the record's ``sources``
any other reference (``parent``, ``proof`` to a    property ``ftm_<prop>_ref`` (the ids)
document not in the file ...)
every other schema (Vessel, Sanction, Event ...)   not loaded: a warning naming schema and line
=================================================  ============================================

Amounts come from ``amount`` (with ``currency``), else ``amountEur`` or ``amountUsd`` (with
that currency). An FtM schema that lands on a type whose own schema is another (Control on
``CONTROLS``, CourtCaseParty on ``LINKED_TO``) is kept as ``ftm_schema``, and so is an
entity's (Company on ``Organization``); relationships keep their FtM id as ``ftm_id``.

References: an edge schema whose end is neither in the file nor in the graph is rejected
(an error naming line, field and id; with ``--skip-invalid`` it is listed and not written).
Any other reference to an id outside the file is kept on the entity as ``ftm_<prop>_ref``;
its relationship (``addressEntity`` → ``LOCATED_IN``) is made when the graph holds the id,
and otherwise dropped with a warning: the entity is never dropped for it.

The writer carries casegraph properties that FtM has no field for (``is_minor``, ``age``,
``role``, an exploitation's ``form`` ...) in a ``summary`` value ``casegraph:{json}``, which
the reader reads back, so that ``casegraph export --format ftm`` loads back into the same
graph (the same protection of victims included), plus the file's own Source.

>>> recs = ftm_records(3, {"id": "pay-1", "schema": "Payment", "properties": {
...     "payer": ["p1"], "beneficiary": ["c1"], "amountEur": ["1500"],
...     "date": ["2017-03-01"]}}, "ftm:x.jsonl")
>>> rec = recs[0]
>>> rec["type"], rec["from"], rec["to"], rec["properties"]["amount"], rec["properties"]["currency"]
('PAID', 'p1', 'c1', 1500.0, 'EUR')
>>> addr = ftm_records(4, {"id": "a1", "schema": "Address", "properties": {
...     "street": ["Schillerstraße 19"], "city": ["76135 Karlsruhe"]}}, "ftm:x.jsonl")[0]
>>> addr["label"], addr["name"], addr["properties"]["street"]
('Location', '76135 Karlsruhe', 'Schillerstraße 19')
>>> ftm_records(5, {"id": "v1", "schema": "Vessel", "properties": {"name": ["Aurora"]}},
...             "ftm:x.jsonl")[0].reason
"FtM schema 'Vessel' is not loaded by casegraph: entity 'v1' (Aurora) left out"
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from casegraph.errors import RecordError, RecordWarning
from casegraph.formats.jsonl import Parsed, read_jsonl
from casegraph.values import parse_date, parse_number

MARKER = "casegraph:"  # a summary value carrying casegraph properties FtM has no field for

# FtM edge schema -> (relationship type, properties set as given, FtM prop -> ours)
_DATES = {"startDate": "start_date", "endDate": "end_date"}
EDGES: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "Ownership": ("OWNS", {}, {"percentage": "share", **_DATES}),
    "Directorship": ("CONTROLS", {"role": "director"}, {"role": "role", **_DATES}),
    "Control": ("CONTROLS", {}, {"controlType": "role", **_DATES}),
    "Membership": ("MEMBER_OF", {}, {"role": "role", **_DATES}),
    "Employment": ("EMPLOYED_BY", {}, {"role": "role", **_DATES}),
    "Family": ("FAMILY_OF", {}, {"relationship": "relationship"}),
    "Associate": ("ASSOCIATE_OF", {}, {"relationship": "relationship"}),
    "Representation": ("REPRESENTS", {}, {"role": "role"}),
    "Payment": (
        "PAID",
        {},
        {"currency": "currency", "date": "date", "startDate": "date", "purpose": "purpose"},
    ),
    "Debt": ("OWES", {}, {"currency": "currency", "date": "date", "startDate": "date"}),
    "Succession": ("SUCCEEDED_BY", {}, {"startDate": "start_date", "date": "start_date"}),
    "UnknownLink": ("LINKED_TO", {}, {"role": "role", **_DATES}),
    "CourtCaseParty": ("LINKED_TO", {}, {"role": "role", **_DATES}),
}
MONEY_SCHEMATA = ("Payment", "Debt")
# amount properties, first found wins, with the currency each implies
AMOUNTS = (("amount", None), ("amountEur", "EUR"), ("amountUsd", "USD"))
# CourtCaseParty role words -> type (the party is the source, the case the target)
COURT_ROLES = (
    ("victim", "VICTIM_IN"),
    ("witness", "WITNESS_IN"),
    ("convicted", "CONVICTED_IN"),
    ("suspect", "SUSPECT_IN"),
    ("defendant", "SUSPECT_IN"),
    ("accused", "SUSPECT_IN"),
)
CASE_TYPES = ("VICTIM_IN", "WITNESS_IN", "SUSPECT_IN", "CONVICTED_IN", "INVESTIGATES")

# FtM property -> ours, per kind (first value kept; dates and numbers checked)
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
    "Location": {
        "country": "country",
        "full": "address",
        "street": "street",
        "postalCode": "postal_code",
        "city": "city",
        "region": "region",
    },
    "Case": {
        "type": "case_type",
        "status": "status",
        "fileDate": "start_date",
        "closeDate": "end_date",
        "caseNumber": "case_number",
        "court": "court",
        "description": "description",
    },
    "Source": {
        "title": "title",
        "sourceUrl": "url",
        "publishedAt": "published",
        "language": "language",
    },
}
_ALIAS_PROPS = ("name", "alias", "previousName", "weakAlias")
_HANDLED_REFS = frozenset({"addressEntity", "proof"})

# The same table, read backwards for the writer.
NODE_SCHEMAS = {
    "Person": "Person",
    "Organization": "Organization",
    "Location": "Address",
    "Case": "CourtCase",
    "Source": "Document",
}
EDGE_SCHEMAS: dict[str, str] = {}
for _schema, (_rtype, _, _) in EDGES.items():
    EDGE_SCHEMAS.setdefault(_rtype, _schema)
FALLBACK_EDGE = "UnknownLink"  # a relationship type without an FtM schema of its own


@dataclass
class Scan:
    """What one read of the whole file tells about it before mapping: every id with its
    schema, and the notes (``Note`` entities) on each entity."""

    schemata: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)


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

    >>> [kind_of_schema(s) for s in ("Company", "PublicBody", "Email", "CourtCase", "Vessel")]
    ['Organization', 'Organization', 'Source', 'Case', None]
    """
    schema = ftm_model.get(schema_name)
    if schema is None or schema.edge:
        return None
    if schema.is_a("Person"):
        return "Person"
    if schema.is_a("LegalEntity"):
        return "Organization"
    if schema.is_a("Address") or schema.is_a("Territory"):
        return "Location"
    if schema.is_a("CourtCase"):
        return "Case"
    if schema.is_a("Document"):
        return "Source"
    return None


def _ref(value: Any) -> Any:
    """An entity reference: an id, or a nested entity (its ``id``)."""
    return value.get("id") if isinstance(value, dict) else value


def _normalized(props: dict[str, Any]) -> dict[str, list[Any]]:
    """Properties as lists, nested entities replaced by their ids, empty values left out."""
    out: dict[str, list[Any]] = {}
    for name, value in props.items():
        values = value if isinstance(value, list) else [value]
        kept = [_ref(v) for v in values if v is not None and v != ""]
        if kept:
            out[str(name)] = kept
    return out


def _marker_props(proxy: EntityProxy) -> dict[str, Any]:
    """casegraph properties the writer put in a ``summary`` value (see the module doc)."""
    out: dict[str, Any] = {}
    for value in [*proxy.context.get("casegraph", []), *proxy.get("summary", quiet=True)]:
        if value.startswith(MARKER):
            try:
                extra = json.loads(value[len(MARKER) :])
            except ValueError:
                continue
            if isinstance(extra, dict):
                out.update(extra)
    return out


def _mapped(
    line: int, proxy: EntityProxy, mapping: dict[str, str]
) -> tuple[dict[str, Any], list[RecordError]]:
    """Our properties from the FtM ones of ``mapping`` (first value; dates checked)."""
    out: dict[str, Any] = {}
    errors: list[RecordError] = []
    for theirs, ours in mapping.items():
        prop = proxy.schema.get(theirs)
        if prop is None or ours in out:
            continue
        value = proxy.first(prop)
        if value is None or value == "":
            continue
        if prop.type.name == "date" and parse_date(value) is None:
            errors.append(RecordError(line, f"properties.{theirs}", f"not a date: {value!r}"))
            continue
        if prop.type.name == "number":
            number = parse_number(value)
            if number is None:
                errors.append(RecordError(line, f"properties.{theirs}", f"not a number: {value!r}"))
                continue
            out[ours] = number
            continue
        out[ours] = value
    return out, errors


def _money(line: int, proxy: EntityProxy) -> tuple[dict[str, Any], list[RecordError]]:
    """``amount`` and ``currency`` from the first amount property given."""
    for theirs, currency in AMOUNTS:
        value = proxy.first(theirs, quiet=True)
        if value is None:
            continue
        number = parse_number(value)
        if number is None:
            return {}, [RecordError(line, f"properties.{theirs}", f"not a number: {value!r}")]
        out: dict[str, Any] = {"amount": number}
        if currency is not None:
            out["currency"] = currency
        return out, []
    return {}, []


def _refs(proxy: EntityProxy, skip: frozenset[str]) -> dict[str, list[str]]:
    """Every entity reference of ``proxy`` not in ``skip``, as ``ftm_<prop>_ref``."""
    out: dict[str, list[str]] = {}
    for prop in proxy.schema.properties.values():
        if prop.type.name != "entity" or prop.name in skip:
            continue
        if proxy.schema.edge and prop in (proxy.schema.source_prop, proxy.schema.target_prop):
            continue
        values = proxy.get(prop)
        if values:
            out[f"ftm_{prop.name}_ref"] = list(values)
    return out


def _unknown_props(line: int, schema: Schema, props: dict[str, Any]) -> list[RecordWarning]:
    return [
        RecordWarning(
            line,
            f"properties.{name}",
            f"{name!r} is not a property of FtM schema {schema.name!r}: ignored",
        )
        for name in props
        if schema.get(name) is None
    ]


def _edge_type(schema: Schema, proxy: EntityProxy) -> str:
    """The relationship type of an edge schema, reading a role where the table says so."""
    rtype = EDGES[schema.name][0]
    role = str(proxy.first("role", quiet=True) or "")
    if schema.name in ("UnknownLink", "CourtCaseParty") and role in _known_types():
        return role
    if schema.name == "CourtCaseParty":
        lowered = role.lower()
        for word, court_type in COURT_ROLES:
            if word in lowered:
                return court_type
    return rtype


@lru_cache(maxsize=1)
def _known_types() -> frozenset[str]:
    """The relationship types an UnknownLink's ``role`` may name (the writer's fallback)."""
    names = {"LEADS", "PART_OF", "AFFILIATED_WITH", "RECRUITED", "EXPLOITED", "TRAFFICKED_TO"}
    names |= {"TRANSITED", "ORIGINATES_FROM", "LOCATED_IN", "OCCURRED_IN", "RELATED_TO"}
    names |= {"INVESTED_IN", "POSSIBLY_SAME_AS", *CASE_TYPES}
    return frozenset(names)


def _sources(proxy: EntityProxy, source_id: str, scan: Scan | None) -> tuple[list[str], list[str]]:
    """(sources, proof refs kept as a property): proofs that are Documents in the file cite
    them, the file itself is always cited."""
    cited, kept = [source_id], []
    for doc in proxy.get("proof", quiet=True):
        schema = scan.schemata.get(doc) if scan else None
        if schema is not None and kind_of_schema(schema) == "Source":
            cited.append(doc)
        else:
            kept.append(doc)
    return cited, kept


def _edge_records(line: int, proxy: EntityProxy, source_id: str, scan: Scan | None) -> list[Any]:
    schema = proxy.schema
    if schema.name in ("Documentation", "Mention"):
        doc_prop, entity_prop = (
            "document",
            ("entity" if schema.name == "Documentation" else "resolved"),
        )
        docs, ents = proxy.get(doc_prop), proxy.get(entity_prop)
        if not docs or not ents:
            missing = doc_prop if not docs else entity_prop
            what = f"{schema.name} {proxy.id!r}"
            if schema.name == "Mention":
                what += f" of {proxy.caption!r}"
            return [RecordWarning(line, missing, f"{what} has no {missing}: not loaded")]
        return [
            {
                "kind": "relationship",
                "type": "MENTIONED_IN",
                "from": e,
                "to": d,
                "properties": {"ftm_id": proxy.id, "ftm_schema": schema.name},
                "sources": [source_id],
                "_fields": {"from": entity_prop, "to": doc_prop},
            }
            for e, d in product(ents, docs)
        ]
    rtype = _edge_type(schema, proxy)
    _, fixed, mapping = EDGES[schema.name]
    props, errors = _mapped(line, proxy, mapping)
    if schema.name in MONEY_SCHEMATA:
        money, money_errors = _money(line, proxy)
        errors += money_errors
        props = {**money, **props} if "currency" not in money else {**props, **money}
    if errors:
        return list(errors)
    src, dst = schema.source_prop, schema.target_prop
    assert src is not None and dst is not None
    froms, tos = proxy.get(src), proxy.get(dst)
    if not froms or not tos:
        missing = src.name if not froms else dst.name
        return [RecordError(line, f"properties.{missing}", f"{schema.name} needs a {missing}")]
    out: list[Any] = []
    if scan is not None:
        for prop, ids in ((src.name, froms), (dst.name, tos)):
            for rid in ids:
                other = scan.schemata.get(rid)
                if other is not None and kind_of_schema(other) is None:
                    out.append(
                        RecordError(
                            line,
                            prop,
                            f"{rid!r} is a {other}, which casegraph does not load: no {rtype} made",
                        )
                    )
        if out:
            return out
    carried = schema.name in ("UnknownLink", "CourtCaseParty") and rtype != EDGES[schema.name][0]
    if carried and props.get("role") == rtype:
        del props["role"]  # the writer's carrier of the type, not a role
    cited, kept = _sources(proxy, source_id, scan)
    extra: dict[str, Any] = {"ftm_id": proxy.id}
    if schema.name != EDGE_SCHEMAS.get(rtype):
        extra["ftm_schema"] = schema.name
    refs = _refs(proxy, frozenset({"proof"}))
    if kept:
        refs["ftm_proof_ref"] = kept
    properties = {**fixed, **props, **refs, **_marker_props(proxy), **extra}
    return [
        {
            "kind": "relationship",
            "type": rtype,
            "from": f,
            "to": t,
            "properties": properties,
            "sources": cited,
            "_fields": {"from": src.name, "to": dst.name},
        }
        for f, t in product(froms, tos)
    ]


def _node_records(
    line: int, proxy: EntityProxy, kind: str, source_id: str, scan: Scan | None
) -> list[Any]:
    schema = proxy.schema
    mapped, errors = _mapped(line, proxy, NODE_PROPS[kind])
    if errors:
        return list(errors)
    name = proxy.caption
    if kind == "Location" and proxy.get("name", quiet=True):
        # FtM's Address caption skips ``name`` (full, then the parts); a name given, as
        # casegraph's writer gives every Location, is what an investigator called the place
        name = proxy.get("name", quiet=True)[0]
    if kind == "Source":
        props = {k: v for k, v in mapped.items() if k != "title"}
        if schema.name != NODE_SCHEMAS[kind]:
            props["ftm_schema"] = schema.name
        props.update(_refs(proxy, frozenset({"proof"})))
        props.update(_marker_props(proxy))
        return [
            {
                "kind": "source",
                "id": proxy.id,
                "title": mapped.get("title") or name,
                "properties": props,
            }
        ]
    aliases: list[str] = []
    for prop in _ALIAS_PROPS:
        for value in proxy.get(prop, quiet=True):
            if value != name and value not in aliases:
                aliases.append(value)
    if kind == "Person" and "birth_date" in mapped:
        mapped["birth_year"] = int(str(mapped["birth_date"])[:4])
    if kind == "Organization":
        mapped["org_type"] = schema.label.lower()
    if kind == "Location":
        mapped["location_type"] = "territory" if schema.is_a("Territory") else "address"
    if schema.name != NODE_SCHEMAS[kind]:
        mapped["ftm_schema"] = schema.name
    notes = list(proxy.get("notes", quiet=True))
    if scan is not None:
        notes += scan.notes.get(str(proxy.id), [])
    if notes:
        mapped["note"] = "\n\n".join(notes)
    cited, kept = _sources(proxy, source_id, scan)
    refs = _refs(proxy, _HANDLED_REFS)
    if kept:
        refs["ftm_proof_ref"] = kept
    rtype = "OCCURRED_IN" if kind == "Case" else "LOCATED_IN"
    links: list[dict[str, Any]] = []
    if kind in ("Person", "Organization", "Location", "Case"):
        outside = []
        for address in proxy.get("addressEntity", quiet=True):
            link: dict[str, Any] = {
                "kind": "relationship",
                "type": rtype,
                "from": proxy.id,
                "to": address,
                "properties": {},
                "sources": [source_id],
                "_fields": {"to": "addressEntity"},
            }
            if scan is None or address not in scan.schemata:
                link["_soft"] = "addressEntity"  # a warning, not an error, when dangling
                outside.append(address)
            links.append(link)
        if outside:
            refs["ftm_addressEntity_ref"] = outside
    entity = {
        "kind": "entity",
        "id": proxy.id,
        "label": kind,
        "name": name,
        "aliases": aliases,
        "properties": {**mapped, **refs, **_marker_props(proxy)},
        "sources": cited,
    }
    return [entity, *links]


def ftm_records(line: int, raw: Any, source_id: str, scan: Scan | None = None) -> list[Any]:
    """What one FtM line gives: casegraph raw records, and warnings or errors about it.

    ``scan`` (of the whole file) tells which ids the file holds, with their schemata, and
    the notes on each entity; without it every reference counts as outside the file.
    """
    if not isinstance(raw, dict):
        return [RecordError(line, "", "an FtM entity must be a JSON object")]
    schema_name = raw.get("schema")
    schema = ftm_model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        return [RecordError(line, "schema", f"unknown FtM schema {schema_name!r}")]
    props = raw.get("properties") or {}
    if not isinstance(props, dict):
        return [RecordError(line, "properties", "must be an object of lists")]
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.strip():
        return [RecordError(line, "id", "required, a non-empty string")]
    clean = _normalized(props)
    markers = [v for v in clean.get("summary", []) if isinstance(v, str) and v.startswith(MARKER)]
    if markers:  # the writer's carrier: never a caption (Address captions use summary)
        clean["summary"] = [v for v in clean["summary"] if v not in markers]
        clean = {k: v for k, v in clean.items() if v}
    try:
        proxy = ftm_model.get_proxy({"id": rid, "schema": schema.name, "properties": clean})
    except (TypeError, ValueError) as exc:  # followthemoney's InvalidData is a ValueError
        return [RecordError(line, "properties", f"not an FtM entity: {exc}")]
    proxy.context["casegraph"] = markers
    warnings: list[Any] = _unknown_props(line, schema, clean)
    if schema.name == "Note":
        targets = proxy.get("entity")
        text = " ".join(proxy.get("description")) or proxy.caption
        kept = [t for t in targets if scan is not None and _loads(scan.schemata.get(t))]
        if kept:
            return warnings
        return [
            *warnings,
            RecordWarning(
                line,
                "entity",
                f"Note {rid!r} ({text[:60]!r}) is on {', '.join(map(repr, targets)) or 'nothing'}"
                ", which the file does not hold as a loaded entity: not loaded",
            ),
        ]
    if schema.name in EDGES or schema.name in ("Mention", "Documentation"):
        return [*warnings, *_edge_records(line, proxy, source_id, scan)]
    kind = kind_of_schema(schema.name)
    if kind is None:
        return [
            *warnings,
            RecordWarning(
                line,
                "schema",
                f"FtM schema {schema.name!r} is not loaded by casegraph: entity {rid!r} "
                f"({proxy.caption}) left out",
            ),
        ]
    return [*warnings, *_node_records(line, proxy, kind, source_id, scan)]


def _loads(schema_name: str | None) -> bool:
    return schema_name is not None and kind_of_schema(schema_name) not in (None, "Source")


def source_id_for(path: Path) -> str:
    return f"ftm:{path.name}"


@lru_cache(maxsize=2)
def _scan_cached(path: str, mtime_ns: int, size: int) -> Scan:
    scan = Scan()
    for item in read_jsonl(Path(path)):
        if isinstance(item, RecordError):
            continue
        _, raw = item
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            continue
        schema = raw.get("schema")
        if isinstance(schema, str):
            scan.schemata[raw["id"]] = schema
        if schema == "Note":
            props = _normalized(raw.get("properties") or {})
            text = " ".join(str(v) for v in props.get("description", []))
            for target in props.get("entity", []):
                if text:
                    scan.notes.setdefault(str(target), []).append(text)
    return scan


def scan_file(path: Path) -> Scan:
    """The :class:`Scan` of an FtM file (cached while the file is unchanged, since the
    ingest reads a file two or three times)."""
    st = os.stat(path)
    return _scan_cached(str(path.resolve()), st.st_mtime_ns, st.st_size)


def read_ftm(path: Path) -> Iterator[Parsed]:
    """Raw casegraph records from an FtM JSON Lines file: first the file as a source, then
    each entity mapped (line numbers are the file's), with its warnings and errors."""
    sid = source_id_for(path)
    scan = scan_file(path)
    yield 0, {"kind": "source", "id": sid, "title": path.name, "format": "followthemoney"}
    for item in read_jsonl(path):
        if isinstance(item, RecordError):
            yield item
            continue
        line, raw = item
        for out in ftm_records(line, raw, sid, scan):
            if isinstance(out, RecordError):
                yield out
            else:
                yield line, out


def looks_like_ftm(first: Any) -> bool:
    """Whether a first JSON record looks like FtM (a ``schema`` and no ``kind``)."""
    return isinstance(first, dict) and "schema" in first and "kind" not in first


# -- the writer ---------------------------------------------------------------------------

_SKIP_ON_WRITE = frozenset({"ftm_schema", "ftm_id"})


def _write_props(
    props: dict[str, Any],
    mapping: dict[str, str],
    schema: Schema,
    extra: dict[str, Any] | None = None,
) -> dict[str, list[Any]]:
    """FtM properties for ours: the table's, ``note`` as ``notes``, ``ftm_<prop>_ref`` back
    to ``<prop>``, and the rest (with ``extra``) in a ``summary`` marker.

    >>> _write_props({"city": "Almaty", "age": 3}, NODE_PROPS["Location"],
    ...              ftm_model.get("Address"))
    {'city': ['Almaty'], 'summary': ['casegraph:{"age": 3}']}
    """
    out: dict[str, list[Any]] = {}
    back = {**_backwards(mapping), "note": "notes"}
    extra = dict(extra or {})
    for ours, value in props.items():
        if ours in _SKIP_ON_WRITE or value is None:
            continue
        theirs = back.get(ours)
        if ours.startswith("ftm_") and ours.endswith("_ref"):
            theirs = ours[4:-4]
        if theirs is not None and schema.get(theirs) is not None:
            out[theirs] = list(value) if isinstance(value, list) else [value]
        else:
            extra[ours] = value
    if extra:
        out["summary"] = [MARKER + json.dumps(extra, ensure_ascii=False, sort_keys=True)]
    return out


def _node_schema(n: dict[str, Any]) -> str | None:
    kind = n["label"]
    if kind not in NODE_SCHEMAS:
        return None
    given = (n.get("properties") or {}).get("ftm_schema")
    if isinstance(given, str) and kind_of_schema(given) == kind:
        return given
    if kind == "Organization" and (n.get("properties") or {}).get("org_type") == "company":
        return "Company"
    return NODE_SCHEMAS[kind]


def _edge_schema(e: dict[str, Any], kinds: dict[str, str]) -> str:
    given = (e.get("properties") or {}).get("ftm_schema")
    if isinstance(given, str) and given in EDGES:
        return given
    fitting = [
        name
        for name, (rtype, fixed, _) in EDGES.items()
        if rtype == e["type"]
        and all((e.get("properties") or {}).get(k) == v for k, v in fixed.items())
    ]
    if fitting:  # CONTROLS with role director: Directorship; other CONTROLS: Control
        return fitting[0]
    if kinds.get(e["to"]) == "Case":
        return "CourtCaseParty"
    return FALLBACK_EDGE


def to_ftm(graph: dict[str, Any]) -> str:
    """FollowTheMoney entities for a graph snapshot, by the table of this module: entities
    of every kind (cases as CourtCase, sources as Document), ``LOCATED_IN`` as the
    ``addressEntity`` of its entity, ``MENTIONED_IN`` as Documentation, the types of
    :data:`EDGES` as their schemata, and every other type as an ``UnknownLink`` (a
    ``CourtCaseParty`` when it ends at a case) whose ``role`` is the type's name.

    >>> g = {"nodes": [{"id": "p1", "label": "Person", "name": "A", "properties": {"age": 16}},
    ...                {"id": "o1", "label": "Organization", "name": "B",
    ...                 "properties": {"country": "KZ"}}],
    ...      "edges": [{"type": "PAID", "from": "p1", "to": "o1",
    ...                 "properties": {"amount": 5.0, "date": "2017"}}]}
    >>> [json.loads(x)["properties"] for x in to_ftm(g).splitlines()]
    [{'name': ['A'], 'summary': ['casegraph:{"age": 16}']}, {'name': ['B'], 'country': ['KZ']}, \
{'payer': ['p1'], 'beneficiary': ['o1'], 'amount': [5.0], 'date': ['2017']}]
    """
    kinds = {n["id"]: n["label"] for n in graph["nodes"]}
    exported = {n["id"] for n in graph["nodes"] if _node_schema(n) is not None}
    addresses: dict[str, list[str]] = {}
    mentions: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for e in graph["edges"]:
        if e["from"] not in exported or e["to"] not in exported:
            continue
        if e["type"] in ("LOCATED_IN", "OCCURRED_IN") and not _edge_extra(e):
            addresses.setdefault(e["from"], []).append(e["to"])
        elif e["type"] == "MENTIONED_IN" and not _edge_extra(e):
            mentions.append(e)
        else:
            edges.append(e)
    lines = []
    for n in graph["nodes"]:
        schema_name = _node_schema(n)
        if schema_name is None:
            continue
        schema = ftm_model.get(schema_name)
        assert schema is not None
        node_props = dict(n.get("properties") or {})
        props: dict[str, list[Any]] = {}
        if n["label"] == "Source":
            props["title"] = [n["name"]]
            node_props.pop("title", None)
        else:
            props["name"] = [n["name"]]
        if n.get("aliases"):
            props["alias"] = list(n["aliases"])
        if n["label"] == "Person" and "birth_date" in node_props:
            node_props.pop("birth_year", None)  # the reader derives it from birthDate
        if node_props.get("org_type") == schema.label.lower():
            del node_props["org_type"]  # the reader derives it from the schema
        if node_props.get("location_type") == (
            "territory" if schema.is_a("Territory") else "address"
        ):
            del node_props["location_type"]
        props.update(_write_props(node_props, NODE_PROPS[n["label"]], schema))
        if n["id"] in addresses:
            props["addressEntity"] = props.get("addressEntity", []) + addresses[n["id"]]
        proofs = [s for s in n.get("sources", []) if kinds.get(s) == "Source"]
        if proofs and n["label"] != "Source":
            props["proof"] = proofs
        lines.append({"id": n["id"], "schema": schema_name, "properties": props})
    for i, e in enumerate(mentions):
        lines.append(
            {
                "id": str((e.get("properties") or {}).get("ftm_id") or f"{e['from']}-mention-{i}"),
                "schema": "Documentation",
                "properties": {"entity": [e["from"]], "document": [e["to"]]},
            }
        )
    for i, e in enumerate(edges):
        lines.append(_edge_line(i, e, kinds))
    return "".join(json.dumps(x, ensure_ascii=False, default=str) + "\n" for x in lines)


def _edge_extra(e: dict[str, Any]) -> bool:
    """Whether a relationship has properties of its own (beyond the FtM bookkeeping)."""
    return any(k not in ("ftm_id", "ftm_schema") for k in (e.get("properties") or {}))


def _edge_line(i: int, e: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    schema_name = _edge_schema(e, kinds)
    edge = ftm_model.get(schema_name)
    assert edge is not None and edge.source_prop and edge.target_prop
    eprops = dict(e.get("properties") or {})
    props = {edge.source_prop.name: [e["from"]], edge.target_prop.name: [e["to"]]}
    _, fixed, mapping = EDGES[schema_name]
    for k, v in fixed.items():
        if eprops.get(k) == v:
            del eprops[k]
    if schema_name in MONEY_SCHEMATA and "amount" in eprops:
        props["amount"] = [eprops.pop("amount")]
    extra: dict[str, Any] = {}
    if e["type"] != _edge_type_of(schema_name, eprops):
        # the type travels as the role (read back by name); its own role in the marker
        if "role" in eprops:
            extra["role"] = eprops.pop("role")
        props["role"] = [e["type"]]
    proofs = [s for s in e.get("sources", []) if kinds.get(s) == "Source"]
    props.update(_write_props(eprops, mapping, edge, extra))
    if proofs:
        props["proof"] = proofs
    rid = eprops.get("ftm_id") or f"{e['from']}-{e['type']}-{e['to']}-{i}"
    return {"id": str(rid), "schema": schema_name, "properties": props}


def _edge_type_of(schema_name: str, eprops: dict[str, Any]) -> str:
    """The type the reader gives an edge of ``schema_name`` with these properties."""
    proxy = ftm_model.make_entity(schema_name)
    role = eprops.get("role")
    if isinstance(role, str):
        proxy.add("role", role)
    schema = ftm_model.get(schema_name)
    assert schema is not None
    return _edge_type(schema, proxy)
