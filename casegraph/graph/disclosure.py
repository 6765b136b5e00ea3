"""The one way an entity leaves casegraph: what a caller may see of protected people.

Protected people are stored under pseudonyms (:mod:`casegraph.graph.protection`), so an
answer built from the graph shows no one in clear. :class:`Disclosure` is the step every
answer passes (the API's JSON responses and exports, the CLI): for a caller allowed to see
some protection levels (:data:`~casegraph.graph.model.VISIBLE_LEVELS`) it decrypts the
people at those levels, per node, from the level stored on the node; for everyone it
removes what only it reads (the ``_sealed`` keys of :func:`repository.node_dict
<casegraph.graph.repository.node_dict>`). Nothing is cached across requests.

A node dict of a protected person becomes, for a caller who may not see her::

    {"id": "victim-3f9a12c4d5e6", "name": "Victim 3f9a12c4d5e6", "aliases": [],
     "properties": {}, "protected": true, "redacted": true, ...}

and, for one who may: her real name, aliases and properties, ``"protected": LEVEL`` and
``"original_id"``. Free text scrubbed of victims' names is restored only for callers who
may see every level.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from casegraph.errors import CasegraphError
from casegraph.graph.db import GraphDB
from casegraph.graph.model import PROTECTION_LEVELS, VISIBLE_LEVELS
from casegraph.graph.protected_writes import REL_AAD
from casegraph.graph.protection import is_pseudo_id

HIDDEN_KEYS = ("_sealed", "_level", "_sealed_text")

# Both anchored on Entity(id), the unique index: matched on Person, the planner seeks the
# protection index and filters every protected person of the level by id.
SEALED_OF = """
MATCH (n:Entity) WHERE n.id IN $ids AND n:Person AND n.protection IN $levels
RETURN n.id AS id, n.protection AS level, n.sealed AS sealed
"""

LEVEL_OF = """
MATCH (n:Entity {id: $id}) WHERE n:Person AND n.protection IN $levels RETURN n.id AS id
"""


def visible_levels(role: str | None) -> frozenset[str]:
    """The protection levels ``role`` may see in clear.

    >>> sorted(visible_levels("admin")), sorted(visible_levels("analyst")), visible_levels(None)
    (['all', 'minors'], ['all'], frozenset())
    """
    return VISIBLE_LEVELS.get(role or "", frozenset())


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            yield v
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)


class Disclosure:
    """What one caller may see (``levels``), applied to answers from ``db``."""

    def __init__(self, db: GraphDB | None, levels: frozenset[str] = frozenset()) -> None:
        self.db = db
        self.levels = levels if db is not None else frozenset()
        self.sees_all = levels >= frozenset(PROTECTION_LEVELS)

    @classmethod
    def for_role(cls, db: GraphDB | None, role: str | None) -> Disclosure:
        return cls(db, visible_levels(role))

    @property
    def _db(self) -> GraphDB:
        assert self.db is not None, "a Disclosure that sees nothing reads nothing"
        return self.db

    def resolve(self, entity_id: str) -> str:
        """The stored id a caller means: a caller who may see a protected person may name
        her by her real id; anyone else gets exactly what an unknown id gets."""
        if not self.levels or is_pseudo_id(entity_id):
            return entity_id
        pid = self._db.protection_key.pseudo_id(entity_id)
        rows = self._db.read(LEVEL_OF, {"id": pid, "levels": sorted(self.levels)})
        return pid if rows else entity_id

    def apply(self, value: Any, *, real_ids: bool = False) -> Any:
        """``value`` (JSON-like, changed in place and returned) as this caller may see it.
        ``real_ids`` also puts visible people's real ids in place of pseudonymous ones
        (exports that are loaded again)."""
        nodes = list(_dicts(value))
        payloads: dict[str, tuple[str, dict[str, Any]]] = {}
        if self.levels:
            payloads = self._payloads(nodes)
        for d in nodes:
            ident = d.get("id")
            if is_pseudo_id(ident):
                self._person(d, payloads.get(str(ident)))
            if self.sees_all and "_sealed_text" in d:
                self._restore_text(d)
            for k in HIDDEN_KEYS:
                d.pop(k, None)
        if real_ids and payloads:
            to_real = {pid: str(p.get("id") or pid) for pid, (_, p) in payloads.items()}
            return _replace_strings(value, to_real)
        return value

    def _payloads(self, nodes: list[dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
        key = self._db.protection_key
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        missing: set[str] = set()
        for d in nodes:
            ident = d.get("id")
            if not is_pseudo_id(ident):
                continue
            # The sealed value and level an answer carries are used only for a caller who
            # may see every level: ad-hoc Cypher can return a map shaped like a node dict
            # ({id, _sealed, _level: 'all'}) that claims a weaker level for a minor. For
            # anyone else the level is read from the graph.
            if self.sees_all and d.get("_sealed") and d.get("_level") in self.levels:
                try:
                    out[str(ident)] = (str(d["_level"]), key.unseal(d["_sealed"], str(ident)))
                    continue
                except (CasegraphError, ValueError):
                    pass  # not this node's sealed value: read it from the graph
            missing.add(str(ident))
        missing -= set(out)
        if missing:
            rows = self._db.read(SEALED_OF, {"ids": sorted(missing), "levels": sorted(self.levels)})
            for row in rows:
                out[row["id"]] = (row["level"], key.unseal(row["sealed"], row["id"]))
        return out

    def _person(self, d: dict[str, Any], found: tuple[str, dict[str, Any]] | None) -> None:
        if found is None:
            if "name" in d or "_sealed" in d:
                d["protected"] = True
                d["redacted"] = True
            return
        level, payload = found
        d["name"] = payload.get("name", d.get("name"))
        if "aliases" in d:
            d["aliases"] = list(payload.get("aliases") or [])
        if "properties" in d:
            d["properties"] = dict(sorted((payload.get("properties") or {}).items()))
        d["original_id"] = payload.get("id")
        d["protected"] = level

    def _restore_text(self, d: dict[str, Any]) -> None:
        aad = REL_AAD if "type" in d and "from" in d else str(d.get("id"))
        state = self._db.protection_key.unseal(d["_sealed_text"], aad)
        props = d.get("properties")
        for name, (original, scrubbed) in state.items():
            if name in ("name", "aliases") and d.get(name) == scrubbed:
                d[name] = original
            elif isinstance(props, dict) and props.get(name) == scrubbed:
                props[name] = original


def _replace_strings(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        return [_replace_strings(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, mapping) for k, v in value.items()}
    return value
