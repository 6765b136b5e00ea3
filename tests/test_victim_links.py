"""The links pass one keeps for scrubbing (casegraph.ingest.links): held in arrays, they
must say exactly what a dict of sets built the plain way says, for every entity."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from casegraph.ingest.links import victim_links

pytestmark = pytest.mark.unit


def plain(protected: list[str], rels: list[tuple[str, str]]) -> dict[int, set[str]]:
    marked = set(protected)
    out: dict[int, set[str]] = defaultdict(set)
    for a, b in rels:
        if a in marked:
            out[hash(b)].add("victim-" + a)
        if b in marked:
            out[hash(a)].add("victim-" + b)
    return dict(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_array_links_say_what_a_dict_of_sets_says(seed: int) -> None:
    rng = random.Random(seed)
    ids = [f"p-{i}" for i in range(400)]
    protected = rng.sample(ids, 40)
    rels = [(rng.choice(ids), rng.choice(ids)) for _ in range(3000)]
    rels += [(protected[0], protected[0]), (protected[1], protected[2])]  # loops, victim pairs
    links = victim_links(
        protected, [(hash(a), hash(b)) for a, b in rels], lambda rid: "victim-" + rid
    )
    expected = plain(protected, rels)
    assert len(links) == len(expected) and set(links) == set(expected)
    for rid in [*ids, "nobody"]:
        got = links.get(hash(rid), ())
        assert len(got) == len(set(got))  # each person once
        assert set(got) == expected.get(hash(rid), set()), rid
        assert (hash(rid) in links) == (hash(rid) in expected)
        if hash(rid) in expected:
            assert links[hash(rid)] == got
        else:
            with pytest.raises(KeyError):
                links[hash(rid)]


def test_no_protected_person_or_no_relationship_links_nothing() -> None:
    assert len(victim_links([], [(1, 2)], str)) == 0
    assert len(victim_links(["v"], [], str)) == 0
    assert victim_links(["v"], [(hash("a"), hash("b"))], str).get(hash("a"), ()) == ()
