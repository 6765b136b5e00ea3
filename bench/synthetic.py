"""A synthetic casegraph network of any size, as casegraph JSON Lines records.

One source, then ``n_entities`` entities (people, organizations, locations, cases), then
about ``rels_per_entity * n_entities`` relationships of valid types between allowed kinds:
payments (``PAID`` with amount, currency and date), memberships, employment, recruitment,
associations, locations, case roles. Endpoints are drawn by preferential attachment within
each kind (an entity is picked with probability proportional to 1 + its degree so far), so
degrees follow a power law with a few hubs. No two relationships share (type, from, to), and
payments carry random amounts and dates, so every record is (almost surely) a distinct fact.

The output is deterministic for a given ``seed``.

Examples
--------
>>> records = list(generate(20, rels_per_entity=3.0, seed=1))
>>> records[0]["kind"], sum(r["kind"] == "entity" for r in records)
('source', 20)
>>> rels = [r for r in records if r["kind"] == "relationship"]
>>> len(rels) > 0 and all(r["sources"] == [SOURCE_ID] for r in rels)
True

Command line::

    python bench/synthetic.py OUT.jsonl --entities 200000 --rels-per-entity 5
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SOURCE_ID = "src-synthetic"

# kind label, id prefix, share of entities
KIND_MIX: tuple[tuple[str, str, float], ...] = (
    ("Person", "person", 0.60),
    ("Organization", "org", 0.25),
    ("Location", "loc", 0.05),
    ("Case", "case", 0.10),
)
_KIND_INDEX = {k: i for i, (k, _, _) in enumerate(KIND_MIX)}
_ACTORS = ("Person", "Organization")

# relationship type, allowed source kinds, allowed target kinds, weight
REL_MIX: tuple[tuple[str, tuple[str, ...], tuple[str, ...], float], ...] = (
    ("PAID", _ACTORS, _ACTORS, 0.30),
    ("ASSOCIATE_OF", _ACTORS, _ACTORS, 0.12),
    ("MEMBER_OF", _ACTORS, ("Organization",), 0.10),
    ("EMPLOYED_BY", ("Person",), ("Organization",), 0.10),
    ("RECRUITED", _ACTORS, ("Person",), 0.10),
    ("LOCATED_IN", ("Person", "Organization"), ("Location",), 0.08),
    ("OWNS", _ACTORS, ("Organization",), 0.05),
    ("SUSPECT_IN", _ACTORS, ("Case",), 0.05),
    ("VICTIM_IN", ("Person",), ("Case",), 0.04),
    ("TRAFFICKED_TO", ("Person",), ("Location",), 0.03),
    ("OCCURRED_IN", ("Case",), ("Location",), 0.03),
)

_FIRST = tuple(
    [
        "Aigerim",
        "Akmaral",
        "Aliya",
        "Arman",
        "Asel",
        "Askar",
        "Aidos",
        "Bauyrzhan",
        "Daniyar",
        "Dana",
        "Dinara",
        "Duman",
        "Erlan",
        "Gulnara",
        "Kairat",
        "Madina",
        "Marat",
        "Nurlan",
        "Olzhas",
        "Saule",
        "Serik",
        "Timur",
        "Yerlan",
        "Zhanna",
        "Anna",
        "Ivan",
        "Olga",
    ]
)
_SYLLABLES = tuple(
    [
        "ba",
        "be",
        "da",
        "ka",
        "kar",
        "ko",
        "ma",
        "mu",
        "na",
        "nur",
        "sa",
        "se",
        "ta",
        "tu",
        "zha",
        "bek",
        "gul",
        "ai",
        "ol",
        "er",
        "an",
        "ov",
        "ev",
        "in",
    ]
)
_ORG_SUFFIX = ("LLP", "Holding", "Group", "Asset Management", "Foundation", "Trading", "JSC")
_CURRENCIES = ("KZT", "USD", "EUR", "RUB")


def _surname(rng: random.Random) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word.capitalize() + rng.choice(("ov", "ev", "ova", "eva", "in", "ina", ""))


def _entity(rng: random.Random, kind: str, prefix: str, i: int) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if kind == "Person":
        name = f"{rng.choice(_FIRST)} {_surname(rng)}"
        props = {"gender": rng.choice(("female", "male")), "birth_year": rng.randint(1950, 2008)}
    elif kind == "Organization":
        name = f"{_surname(rng)} {rng.choice(_ORG_SUFFIX)}"
        props = {"org_type": rng.choice(("company", "foundation", "criminal group", "scheme"))}
    elif kind == "Location":
        name = f"{_surname(rng)} {rng.choice(('City', 'Region', 'District', 'Village'))}"
        props = {"location_type": "city"}
    else:
        name = f"Case {i} ({_surname(rng)})"
        props = {
            "case_type": rng.choice(("trafficking", "pyramid", "fraud")),
            "status": rng.choice(("open", "closed")),
            "start_date": f"{rng.randint(2010, 2024)}-{rng.randint(1, 12):02d}-01",
        }
    return {
        "kind": "entity",
        "id": f"{prefix}-{i}",
        "label": kind,
        "name": name,
        "properties": props,
        "sources": [SOURCE_ID],
    }


def generate(n_entities: int, rels_per_entity: float = 5.0, seed: int = 0) -> Iterator[dict]:
    """Yield casegraph JSON Lines records: one source, the entities, then relationships."""
    rng = random.Random(seed)
    yield {
        "kind": "source",
        "id": SOURCE_ID,
        "title": f"Synthetic network ({n_entities} entities, seed {seed})",
        "published": "2026-01-01",
        "language": "en",
    }
    # Entities: a kind code per global index; a per-kind pool for preferential attachment.
    kinds = array("b")
    ids: list[str] = []
    pools: list[array[int]] = [array("l") for _ in KIND_MIX]
    counters = [0] * len(KIND_MIX)
    weights = [share for _, _, share in KIND_MIX]
    for idx in range(n_entities):
        # The first entities cover every kind so that small networks have them all.
        k = idx if idx < len(KIND_MIX) else rng.choices(range(len(KIND_MIX)), weights)[0]
        kind, prefix, _ = KIND_MIX[k]
        counters[k] += 1
        rec = _entity(rng, kind, prefix, counters[k])
        kinds.append(k)
        ids.append(rec["id"])
        pools[k].append(idx)
        yield rec

    target = round(n_entities * rels_per_entity)
    type_weights = [w for _, _, _, w in REL_MIX]
    seen: set[int] = set()
    n = max(n_entities, 1)
    made = 0
    attempts = 0
    while made < target and attempts < target * 4:
        attempts += 1
        t = rng.choices(range(len(REL_MIX)), type_weights)[0]
        rtype, from_kinds, to_kinds, _ = REL_MIX[t]
        fk = _KIND_INDEX[rng.choice(from_kinds)]
        tk = _KIND_INDEX[rng.choice(to_kinds)]
        if not pools[fk] or not pools[tk]:
            continue
        a = pools[fk][rng.randrange(len(pools[fk]))]
        b = pools[tk][rng.randrange(len(pools[tk]))]
        if a == b:
            continue
        props: dict[str, Any] = {}
        key = (t * n + a) * n + b
        if rtype == "PAID":
            props = {
                "amount": round(rng.lognormvariate(8, 2), 2),
                "currency": rng.choice(_CURRENCIES),
                "date": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
            }
        elif key in seen:
            continue
        else:
            seen.add(key)
        pools[fk].append(a)
        pools[tk].append(b)
        made += 1
        yield {
            "kind": "relationship",
            "type": rtype,
            "from": ids[a],
            "to": ids[b],
            "properties": props,
            "sources": [SOURCE_ID],
        }


def write_jsonl(
    path: str | Path, n_entities: int, rels_per_entity: float = 5.0, seed: int = 0
) -> tuple[int, int]:
    """Write :func:`generate`'s records to ``path``; return (entities, relationships)."""
    entities = relationships = 0
    with Path(path).open("w", encoding="utf-8") as f:
        for rec in generate(n_entities, rels_per_entity, seed):
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
            if rec["kind"] == "entity":
                entities += 1
            elif rec["kind"] == "relationship":
                relationships += 1
    return entities, relationships


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic casegraph JSON Lines file.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--rels-per-entity", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    e, r = write_jsonl(args.out, args.entities, args.rels_per_entity, args.seed)
    print(f"wrote {args.out}: 1 source, {e} entities, {r} relationships")
    return 0


if __name__ == "__main__":
    sys.exit(main())
