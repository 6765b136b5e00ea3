"""Linking proposed entities to the graph: ``match: {id, name, score}`` or None.

Candidates come from the graph's own search (name key prefix, full text over names, aliases
and their transliterations, see :func:`casegraph.graph.repository.search`), so "Думан Таев"
finds "Duman Taev". Each candidate is scored with ``rapidfuzz`` over the name keys of its
name and aliases, after the disclosure step of the caller's role: a protected person
(stored under a pseudonym, her real name sealed) can be matched by her real name only for a
role that may see her, and for anyone else she is never a candidate under her real name.

>>> score("Duman Taev", ["Думан Таев"])
1.0
>>> round(score("Investigative Department of the MVD", ["Investigative Department"]), 2)
0.81
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure, visible_levels
from casegraph.graph.names import name_key
from casegraph.graph.repository import search

#: The lowest score that links an entity.
THRESHOLD = 0.88


def score(name: str, candidates: list[str]) -> float:
    """How well ``name`` matches the best of ``candidates`` (0..1), by name key."""
    key = name_key(name)
    best = 0.0
    for c in candidates:
        other = name_key(c)
        if not other or not key:
            continue
        if other == key:
            return 1.0
        best = max(best, fuzz.token_sort_ratio(key, other) / 100.0)
    return best


class Linker:
    """Matches names against ``db`` as ``role`` may see it (None: the least rights)."""

    def __init__(self, db: GraphDB, role: str | None) -> None:
        self.db = db
        self.levels = visible_levels(role)
        self.disclosure = Disclosure.for_role(db, role)

    def match(self, name: str, label: str, aliases: list[str] | tuple[str, ...] = ()) -> Any:
        """The best entity of kind ``label`` for ``name`` (or one of ``aliases``), or None."""
        found: dict[str, dict[str, Any]] = {}
        for q in dict.fromkeys([name, *aliases]):
            if not name_key(q):
                continue
            for c in search(self.db, q, label=label, limit=10, levels=self.levels):
                found.setdefault(c["id"], c)
        if not found:
            return None
        candidates = self.disclosure.apply(list(found.values()))
        best: tuple[float, dict[str, Any]] | None = None
        for c in candidates:
            if c.get("redacted"):
                continue  # a protected person this role may not see: never a match
            names = [c.get("name") or "", *(c.get("aliases") or [])]
            s = max(score(q, names) for q in [name, *aliases])
            if best is None or s > best[0]:
                best = (s, c)
        if best is None or best[0] < THRESHOLD:
            return None
        return {"id": best[1]["id"], "name": best[1]["name"], "score": round(best[0], 3)}
