"""Possible duplicates: different ids whose names match, flagged, never merged.

Every entity (not sources) is compared with the others of its kind under its transliterated,
normalized keys (``name_key`` of its name and of each alias, see
:mod:`casegraph.graph.names`), so "Duman Taev" and "Думан Таев" share the key ``duman taev``.

* Same key → score 100, method ``name_key``.
* Near match → rapidfuzz ``token_sort_ratio`` of the two keys at or above ``threshold``
  (default :data:`DEFAULT_THRESHOLD` = 90: one or two letters apart in a two-word name, or
  the words in another order), method ``fuzzy:token_sort_ratio``.

Blocking keeps it from being quadratic: two entities are compared only when they share a
word of three letters or more; a word shared by more than :data:`MAX_BLOCK` entities (a
common first name) makes no block of its own. Each pair gets one ``POSSIBLY_SAME_AS``
relationship (from the smaller id to the larger, ``{score, method}``), written through the
:class:`~casegraph.graph.writer.GraphWriter`, so running it twice changes nothing.

>>> [(p.a, p.b, p.score, p.method) for p in find_pairs([
...     ("p1", "Person", ["duman taev"]), ("p2", "Person", ["duman taev"]),
...     ("p3", "Person", ["duman taeev"]), ("o1", "Organization", ["duman taev"])])]
[('p1', 'p2', 100.0, 'name_key'), ('p1', 'p3', 95.2, 'fuzzy:token_sort_ratio'), \
('p2', 'p3', 95.2, 'fuzzy:token_sort_ratio')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from casegraph.graph.db import GraphDB
from casegraph.graph.dedupe import entity_keys
from casegraph.graph.records import RelationshipRecord
from casegraph.graph.review import rejected_pairs
from casegraph.graph.writer import GraphWriter, WriteCounts

DEFAULT_THRESHOLD = 90.0
MAX_BLOCK = 1000
MIN_TOKEN = 3
EXACT = "name_key"
FUZZY = "fuzzy:token_sort_ratio"


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    score: float
    method: str


def find_pairs(
    entities: Iterable[tuple[str, str, list[str]]],
    threshold: float = DEFAULT_THRESHOLD,
    only: set[str] | None = None,
) -> list[Pair]:
    """Pairs of possible duplicates among ``(id, kind, keys)``; with ``only``, just the
    pairs that involve one of those ids."""
    rows: list[tuple[str, str]] = []  # (id, key), one per key
    exact: dict[tuple[str, str], set[int]] = defaultdict(set)
    blocks: dict[tuple[str, str], set[int]] = defaultdict(set)
    kinds: list[str] = []
    for rid, kind, keys in entities:
        for key in dict.fromkeys(k for k in keys if k):
            i = len(rows)
            rows.append((rid, key))
            kinds.append(kind)
            exact[(kind, key)].add(i)
            for token in set(key.split()):
                if len(token) >= MIN_TOKEN:
                    blocks[(kind, token)].add(i)
    best: dict[tuple[str, str], Pair] = {}

    def offer(i: int, j: int, score: float, method: str) -> None:
        a, b = sorted((rows[i][0], rows[j][0]))
        if a == b or (only is not None and a not in only and b not in only):
            return
        old = best.get((a, b))
        if old is None or score > old.score:
            best[(a, b)] = Pair(a, b, round(score, 1), method)

    for members in exact.values():
        if 1 < len(members) <= MAX_BLOCK:
            ms = sorted(members)
            for x, i in enumerate(ms):
                for j in ms[x + 1 :]:
                    offer(i, j, 100.0, EXACT)
    for members in blocks.values():
        if not 1 < len(members) <= MAX_BLOCK:
            continue
        ms = sorted(members)
        keys = [rows[i][1] for i in ms]
        scores = process.cdist(
            keys, keys, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, workers=1
        )
        for x, y in zip(*scores.nonzero(), strict=True):
            if x < y and keys[x] != keys[y]:
                offer(ms[x], ms[y], float(scores[x, y]), FUZZY)
    return sorted(best.values(), key=lambda p: (-p.score, p.a, p.b))


def flag_duplicates(
    db: GraphDB, threshold: float = DEFAULT_THRESHOLD, only: set[str] | None = None
) -> tuple[list[Pair], WriteCounts]:
    """Find possible duplicates in the graph and flag them with ``POSSIBLY_SAME_AS``."""
    rejected = rejected_pairs(db)  # pairs a reviewer said are two entities
    pairs = [p for p in find_pairs(entity_keys(db), threshold, only) if (p.a, p.b) not in rejected]
    writer = GraphWriter(db)
    for p in pairs:
        writer.add(
            RelationshipRecord("POSSIBLY_SAME_AS", p.a, p.b, {"score": p.score, "method": p.method})
        )
    writer.flush()
    return pairs, writer.counts
