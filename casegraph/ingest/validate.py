"""Validation of raw records against the data model.

Each ingester parses its format into raw dicts in the casegraph interchange shape
(``{"kind": "entity", "id", "label", "name", ...}``) and passes them, with their line
numbers, to a :class:`Validator`. The validator checks one record at a time and keeps only
what whole-file checks need (every id with its kind, and the references still to be
resolved), so memory does not grow with the size of a record.

>>> v = Validator()
>>> rec, errs = v.check(1, {"kind": "entity", "id": "p1", "label": "Person", "name": "A"})
>>> rec.label, errs
('Person', [])
>>> _, errs = v.check(2, {"kind": "relationship", "type": "LEADS", "from": "p1", "to": "x"})
>>> [e.reason for e in v.unresolved_errors({})]
["no entity with id 'x' in the file or the graph"]
"""

from __future__ import annotations

import math
import re
from typing import Any

from casegraph.errors import RecordError
from casegraph.graph.model import KINDS, RELATIONSHIPS, SOURCE, Kind, PropType
from casegraph.graph.protection import is_pseudo_id
from casegraph.graph.records import (
    EntityRecord,
    PropValue,
    Record,
    RelationshipRecord,
    SourceRecord,
)
from casegraph.values import parse_bool, parse_date, parse_number

RECORD_KINDS = ("source", "entity", "relationship")
RESERVED = frozenset(
    {"id", "label", "name", "aliases", "sources", "name_key", "search_text", "kind", "key"}
)
_PROP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_ID = 256
MAX_TEXT = 10_000


def _coerce(value: Any, ptype: PropType) -> tuple[PropValue | None, str | None]:
    """Coerce ``value`` to ``ptype``: (value, None) or (None, reason)."""
    if ptype == "date":
        d = parse_date(value)
        return (d, None) if d else (None, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    if ptype == "float":
        f = parse_number(value)
        return (f, None) if f is not None else (None, f"not a number: {value!r}")
    if ptype == "int":
        f = parse_number(value)
        if f is None or not f.is_integer():
            return None, f"not a whole number: {value!r}"
        return int(f), None
    if ptype == "bool":
        b = parse_bool(value)
        return (b, None) if b is not None else (None, f"not true or false: {value!r}")
    return _free_value(value)


def _free_value(value: Any) -> tuple[PropValue | None, str | None]:
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return None, f"text longer than {MAX_TEXT} characters"
        return value, None
    if isinstance(value, bool | int):
        return value, None
    if isinstance(value, float):
        return (value, None) if math.isfinite(value) else (None, "not a finite number")
    if isinstance(value, list):
        out: list[str | int | float | bool] = []
        for item in value:
            v, err = _free_value(item)
            if err or isinstance(v, list) or v is None:
                return None, "a list may hold only text, numbers and booleans"
            out.append(v)
        return out, None
    return None, f"unsupported value of type {type(value).__name__}"


class Validator:
    """Checks raw records one at a time and remembers what cross-record checks need.

    Memory stays flat for well-ordered input: the validator keeps every id with its kind,
    and only the references it could not resolve when it saw them (an endpoint or a source
    defined later in the input, or only in the graph). A reference to an id already seen is
    checked at once; endpoint-kind errors are collected in :attr:`reference_errors`.
    """

    def __init__(self, *, track_references: bool = True) -> None:
        self.track_references = track_references
        self.prefix = ""  # put before every field name (e.g. "relationships.csv:")
        self.kinds: dict[str, str] = {}  # id -> kind label (Source for sources)
        self.repeated_ids: set[str] = set()  # ids defined more than once in the input
        # (line, field, id, allowed kinds, relationship type) not resolvable when seen
        self._pending: list[tuple[int, str, str, frozenset[str], str]] = []
        self._source_refs: list[tuple[int, str, str]] = []
        # soft references (a relationship a reader derived from a property of an entity,
        # raw ``"_soft": <property>``): (line, property, id, allowed kinds, type, from, to).
        # Unresolved, they are warnings and the relationship is dropped (see dangling()).
        self._soft: list[tuple[int, str, str, frozenset[str], str, str, str]] = []
        self.reference_errors: list[RecordError] = []
        # id -> line of a source or entity record refused for its own errors (so that the
        # references to it say why they cannot be resolved)
        self.rejected: dict[str, int] = {}

    @property
    def forward_references(self) -> bool:
        """Whether some reference named an id not defined before it in the input."""
        return bool(self._pending or self._source_refs or self._soft)

    # -- one record -----------------------------------------------------------------

    def check(self, line: int, raw: Any) -> tuple[Record | None, list[RecordError]]:
        """Validate one raw record; return the record (or ``None``) and its errors."""
        rec, errors = self._check(line, raw)
        if errors and self.prefix:
            errors = [RecordError(e.line, self.prefix + e.field, e.reason) for e in errors]
        return rec, errors

    def _check(self, line: int, raw: Any) -> tuple[Record | None, list[RecordError]]:
        if not isinstance(raw, dict):
            return None, [RecordError(line, "", "a record must be a JSON object")]
        kind = raw.get("kind")
        if kind not in RECORD_KINDS:
            return None, [
                RecordError(
                    line,
                    "kind",
                    f"unknown kind {kind!r}; expected one of {', '.join(RECORD_KINDS)}",
                )
            ]
        if kind == "source":
            return self._check_source(line, raw)
        if kind == "entity":
            return self._check_entity(line, raw)
        return self._check_relationship(line, raw)

    def _id(self, line: int, raw: dict[str, Any], fld: str, errors: list[RecordError]) -> str:
        value = raw.get(fld)
        if not isinstance(value, str) or not value.strip():
            errors.append(RecordError(line, fld, "required, a non-empty string"))
            return ""
        if len(value) > MAX_ID:
            errors.append(RecordError(line, fld, f"longer than {MAX_ID} characters"))
            return ""
        return value.strip()

    def _sources(
        self, line: int, raw: dict[str, Any], errors: list[RecordError]
    ) -> tuple[str, ...]:
        value = raw.get("sources", [])
        if value is None:
            value = []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
            errors.append(RecordError(line, "sources", "must be a list of source ids"))
            return ()
        if not self.track_references:
            return tuple(dict.fromkeys(value)) if len(value) > 1 else tuple(value)
        kinds = self.kinds
        fld = self.prefix + "sources"
        for s in value:
            kind = kinds.get(s)
            if kind is None:
                self._source_refs.append((line, fld, s))
            elif kind != SOURCE:
                self.reference_errors.append(
                    RecordError(line, fld, f"{s!r} is a {kind}, not a source")
                )
        return tuple(dict.fromkeys(value)) if len(value) > 1 else tuple(value)

    def _properties(
        self,
        line: int,
        raw: dict[str, Any],
        known: dict[str, PropType],
        errors: list[RecordError],
    ) -> dict[str, PropValue]:
        props = raw.get("properties") or {}
        if not isinstance(props, dict):
            errors.append(RecordError(line, "properties", "must be an object"))
            return {}
        out: dict[str, PropValue] = {}
        for key, value in props.items():
            fld = f"properties.{key}"
            if not isinstance(key, str) or not _PROP_NAME.match(key):
                errors.append(RecordError(line, fld, "property names are letters, digits and _"))
                continue
            if key in RESERVED:
                errors.append(RecordError(line, fld, f"{key!r} is reserved"))
                continue
            if value is None or value == "" or value == []:
                continue
            v, err = _coerce(value, known[key]) if key in known else _free_value(value)
            if err:
                errors.append(RecordError(line, fld, err))
            elif v is not None:
                out[key] = v
        return out

    @staticmethod
    def _check_ranges(
        line: int, kind: Kind, props: dict[str, PropValue], errors: list[RecordError]
    ) -> None:
        """The kind's bounds on numeric properties, and the properties given together."""
        for key, (low, high) in kind.ranges.items():
            value = props.get(key)
            if isinstance(value, int | float) and not low <= value <= high:
                errors.append(
                    RecordError(
                        line,
                        f"properties.{key}",
                        f"must be between {low:g} and {high:g}: {value!r}",
                    )
                )
        refused = {e.field for e in errors}
        for names in kind.together:
            if any(f"properties.{n}" in refused for n in names):
                continue  # already said why
            given = [n for n in names if n in props]
            if given and len(given) < len(names):
                missing = [n for n in names if n not in props]
                errors.append(
                    RecordError(
                        line,
                        f"properties.{missing[0]}",
                        f"{' and '.join(names)} are given together: "
                        f"{given[0]} without {missing[0]}",
                    )
                )

    def _remember(self, line: int, rid: str, kind: str, errors: list[RecordError]) -> None:
        if not self.track_references:
            return
        previous = self.kinds.get(rid)
        if previous is not None and previous != kind:
            errors.append(RecordError(line, "id", f"id {rid!r} was already given to a {previous}"))
        elif previous is not None:
            self.repeated_ids.add(rid)
        elif rid:
            self.kinds[rid] = kind

    def _rejected(self, rid: str, line: int) -> None:
        if self.track_references and rid and rid not in self.kinds:
            self.rejected.setdefault(rid, line)

    def _check_source(
        self, line: int, raw: dict[str, Any]
    ) -> tuple[Record | None, list[RecordError]]:
        errors: list[RecordError] = []
        rid = self._id(line, raw, "id", errors)
        title = raw.get("title") or raw.get("name") or rid
        if not isinstance(title, str):
            errors.append(RecordError(line, "title", "must be a string"))
        extra = {
            k: v
            for k, v in raw.items()
            if k not in {"kind", "id", "title", "name", "properties", "_file"}
        }
        given = raw.get("properties") or {}
        if not isinstance(given, dict):
            errors.append(RecordError(line, "properties", "must be an object"))
            given = {}
        props = self._properties(
            line,
            {"properties": {**extra, **given}},
            KINDS[SOURCE].properties,
            errors,
        )
        if not errors:
            self._remember(line, rid, SOURCE, errors)
        if errors:
            self._rejected(rid, line)
            return None, errors
        return SourceRecord(rid, str(title), props, line), []

    def _check_entity(
        self, line: int, raw: dict[str, Any]
    ) -> tuple[Record | None, list[RecordError]]:
        errors: list[RecordError] = []
        rid = self._id(line, raw, "id", errors)
        if is_pseudo_id(rid):
            errors.append(
                RecordError(line, "id", "ids of the form victim-<12 hex digits> are reserved")
            )
        label = raw.get("label")
        if not isinstance(label, str) or label not in KINDS or label == SOURCE:
            known = ", ".join(k for k in KINDS if k != SOURCE)
            errors.append(RecordError(line, "label", f"unknown label {label!r}; known: {known}"))
            label = None
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(RecordError(line, "name", "required, a non-empty string"))
        elif len(name) > MAX_TEXT:
            errors.append(RecordError(line, "name", f"longer than {MAX_TEXT} characters"))
        aliases = raw.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            errors.append(RecordError(line, "aliases", "must be a list of strings"))
            aliases = []
        props = self._properties(line, raw, KINDS[label].properties if label else {}, errors)
        if label:
            self._check_ranges(line, KINDS[label], props, errors)
        sources = self._sources(line, raw, errors)
        if label and not errors:
            self._remember(line, rid, label, errors)
        if errors or not label or not isinstance(name, str):
            self._rejected(rid, line)
            return None, errors
        clean_aliases = tuple(dict.fromkeys(a.strip() for a in aliases if a.strip()))
        return EntityRecord(rid, label, name.strip(), clean_aliases, props, sources, line), []

    def _check_relationship(
        self, line: int, raw: dict[str, Any]
    ) -> tuple[Record | None, list[RecordError]]:
        errors: list[RecordError] = []
        rtype = raw.get("type")
        rt = RELATIONSHIPS.get(rtype) if isinstance(rtype, str) else None
        if rt is None:
            errors.append(RecordError(line, "type", f"unknown relationship type {rtype!r}"))
        from_id = self._id(line, raw, "from", errors)
        to_id = self._id(line, raw, "to", errors)
        props = self._properties(line, raw, rt.properties if rt else {}, errors)
        sources = self._sources(line, raw, errors)
        if errors or rt is None:
            return None, errors
        # a reader may name the fields of its own format for the two ends (FtM: payer ...)
        names = raw.get("_fields")
        names = names if isinstance(names, dict) else {}
        soft = raw.get("_soft")
        for fld, rid, allowed in (("from", from_id, rt.sources), ("to", to_id, rt.targets)):
            shown = str(names.get(fld, fld))
            if isinstance(soft, str) and self.track_references and rid not in self.kinds:
                self._soft.append((line, soft, rid, allowed, rt.name, from_id, to_id))
            else:
                self._reference(line, shown, rid, allowed, rt.name)
        return RelationshipRecord(rt.name, from_id, to_id, props, sources, line), []

    def _reference(
        self, line: int, fld: str, rid: str, allowed: frozenset[str], rtype: str
    ) -> None:
        if not self.track_references:
            return
        fld = self.prefix + fld
        kind = self.kinds.get(rid)
        if kind is None:
            self._pending.append((line, fld, rid, allowed, rtype))
        elif kind not in allowed:
            self.reference_errors.append(_endpoint_error(line, fld, rid, kind, allowed, rtype))

    # -- whole-file checks ------------------------------------------------------------

    def unresolved_ids(self) -> set[str]:
        """Ids referenced by relationships or ``sources`` but not defined in the input."""
        refs = {p[2] for p in self._pending} | {s for _, _, s in self._source_refs}
        refs |= {p[2] for p in self._soft}
        return {r for r in refs if r not in self.kinds}

    def _missing(self, what: str, rid: str) -> str:
        if rid in self.rejected:
            return f"the {what} {rid!r} was rejected (line {self.rejected[rid]})"
        return f"no {what} with id {rid!r} in the file or the graph"

    def unresolved_errors(self, graph_kinds: dict[str, str]) -> list[RecordError]:
        """Errors for references that neither the input nor the graph (``graph_kinds``:
        id → kind label of entities already stored) can satisfy, and for endpoints of a
        kind the relationship type does not allow."""
        errors: list[RecordError] = list(self.reference_errors)
        for line, fld, rid, allowed, rtype in self._pending:
            kind = self.kinds.get(rid) or graph_kinds.get(rid)
            if kind is None:
                errors.append(RecordError(line, fld, self._missing("entity", rid)))
            elif kind not in allowed:
                errors.append(_endpoint_error(line, fld, rid, kind, allowed, rtype))
        for line, fld, rid, allowed, rtype, _, _ in self._soft:
            kind = self.kinds.get(rid) or graph_kinds.get(rid)
            if kind is not None and kind not in allowed:
                errors.append(_endpoint_error(line, fld, rid, kind, allowed, rtype))
        for line, fld, sid in self._source_refs:
            kind = self.kinds.get(sid) or graph_kinds.get(sid)
            if kind is None:
                errors.append(RecordError(line, fld, self._missing("source", sid)))
            elif kind != SOURCE:
                errors.append(RecordError(line, fld, f"{sid!r} is a {kind}, not a source"))
        return sorted(errors, key=lambda e: (e.line, e.field))

    def dangling(self, graph_kinds: dict[str, str]) -> list[tuple[int, str, str, str, str, str]]:
        """Soft references that neither the input nor the graph can satisfy: (line,
        property, missing id, relationship type, from, to). Their relationships are not
        made; the reader kept the reference on the entity.

        >>> v = Validator()
        >>> _ = v.check(1, {"kind": "entity", "id": "p1", "label": "Person", "name": "A"})
        >>> _ = v.check(1, {"kind": "relationship", "type": "LOCATED_IN", "from": "p1",
        ...                 "to": "a9", "_soft": "addressEntity"})
        >>> v.dangling({}), v.unresolved_errors({})
        ([(1, 'addressEntity', 'a9', 'LOCATED_IN', 'p1', 'a9')], [])
        """
        out = [
            (line, fld, rid, rtype, frm, to)
            for line, fld, rid, _, rtype, frm, to in self._soft
            if rid not in self.kinds and rid not in graph_kinds
        ]
        return sorted(out)


def _endpoint_error(
    line: int, fld: str, rid: str, kind: str, allowed: frozenset[str], rtype: str
) -> RecordError:
    return RecordError(
        line,
        fld,
        f"{rtype} cannot {'start at' if fld.endswith('from') else 'end at'} a {kind} "
        f"({rid!r}); allowed: {', '.join(sorted(allowed))}",
    )
