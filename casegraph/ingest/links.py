"""Who the input links to a protected person, held in arrays rather than Python objects.

Pass one of an ingest (:func:`casegraph.ingest.pipeline.validate_input`) notes, for every
entity the input links to a protected person, that person's pseudonymous id: pass two
scrubs the entity's text of her names as it writes it. On a million entities a dict of sets
(or tuples) of strings costs hundreds of MiB; :class:`VictimLinks` keeps the same mapping
as three numpy arrays (the sorted entity hashes, offsets into the person indices, the
person indices) and one string per person.

>>> links = victim_links(["v-1", "v-2"], [(hash("a"), hash("v-1")), (hash("v-2"), hash("a")),
...                                      (hash("b"), hash("c"))], lambda rid: "victim-" + rid)
>>> sorted(links.get(hash("a"), ())), links.get(hash("b"), ()), len(links)
(['victim-v-1', 'victim-v-2'], (), 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np


class VictimLinks(Mapping[int, tuple[str, ...]]):
    """``hash(entity id)`` → the pseudonymous ids of the protected people the input links
    that entity to (a read-only mapping; see the module docstring)."""

    def __init__(
        self, keys: np.ndarray, offsets: np.ndarray, people: np.ndarray, pids: Sequence[str]
    ) -> None:
        self._keys = keys  # sorted, unique int64 hashes of the linked entities
        self._offsets = offsets  # len(keys) + 1 positions in people
        self._people = people  # indices into pids, per key in order
        self._pids = pids

    def _index(self, h: object) -> int:
        if not isinstance(h, int) or not self._keys.size:
            return -1
        i = int(np.searchsorted(self._keys, h))
        return i if i < self._keys.size and int(self._keys[i]) == h else -1

    def __getitem__(self, h: int) -> tuple[str, ...]:
        found = self.get(h)
        if found is None:
            raise KeyError(h)
        return found

    def get(self, h: int, default: Any = None) -> Any:
        """``self[h]``, or ``default`` for an entity linked to no one (most of them):
        one search, no ``KeyError`` raised and caught per miss as ``Mapping.get`` does."""
        i = self._index(h)
        if i < 0:
            return default
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        return tuple(self._pids[p] for p in self._people[start:end].tolist())

    def __contains__(self, h: object) -> bool:
        return self._index(h) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys.tolist())

    def __len__(self) -> int:
        return int(self._keys.size)


EMPTY = VictimLinks(np.empty(0, np.int64), np.zeros(1, np.int64), np.empty(0, np.int32), ())


def victim_links(
    protected: Sequence[str],
    ends: Iterable[tuple[int, int]] | np.ndarray,
    pseudo_id: Callable[[str], str],
) -> VictimLinks:
    """The links of :class:`VictimLinks` from the relationships' ends (``hash(from)``,
    ``hash(to)`` pairs, or an ``(n, 2)`` int64 array of them) and the real ids of the
    protected people (``pseudo_id`` gives each her pseudonymous id, once)."""
    pairs = np.asarray(ends if isinstance(ends, np.ndarray) else list(ends), dtype=np.int64)
    if not len(protected) or not pairs.size:
        return EMPTY
    pairs = pairs.reshape(-1, 2)
    hashes = np.fromiter((hash(r) for r in protected), dtype=np.int64, count=len(protected))
    order = np.argsort(hashes, kind="stable")
    marked = hashes[order]
    others, people = [], []
    for a, b in ((0, 1), (1, 0)):
        col = pairs[:, a]
        pos = np.searchsorted(marked, col)
        pos[pos == marked.size] = 0
        hit = marked[pos] == col
        others.append(pairs[hit, b])
        people.append(order[pos[hit]])
    other = np.concatenate(others)
    person = np.concatenate(people)
    if not other.size:
        return EMPTY
    by = np.lexsort((person, other))
    other, person = other[by], person[by]
    keep = np.ones(other.size, dtype=bool)
    keep[1:] = (other[1:] != other[:-1]) | (person[1:] != person[:-1])
    other, person = other[keep], person[keep]
    keys, starts = np.unique(other, return_index=True)
    offsets = np.append(starts, other.size).astype(np.int64)
    pids = [pseudo_id(r) for r in protected]
    return VictimLinks(keys, offsets, person.astype(np.int32), pids)
