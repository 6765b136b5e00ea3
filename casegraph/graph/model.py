"""The casegraph data model, as declarative data.

Every entity node carries the label ``Entity`` plus exactly one *kind* label from
:data:`KINDS`. Relationship types form a closed vocabulary (:data:`RELATIONSHIPS`), each
with the kinds allowed at either end and the properties it may carry.

Nothing outside this module spells a label or a relationship type into Cypher text
without passing it through :func:`check_kind` or :func:`check_rel_type` first.

Examples
--------
>>> check_kind("Person")
'Person'
>>> allowed_endpoints("LEADS", "Person", "Organization")
True
>>> allowed_endpoints("TRAFFICKED_TO", "Organization", "Person")
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from casegraph.errors import ModelError

PropType = Literal["string", "int", "float", "bool", "date", "list"]

ENTITY_LABEL = "Entity"


@dataclass(frozen=True)
class Kind:
    """An entity kind: one Neo4j label besides ``Entity``."""

    name: str
    description: str
    properties: dict[str, PropType] = field(default_factory=dict)


@dataclass(frozen=True)
class RelType:
    """A relationship type with the kinds allowed at its two ends."""

    name: str
    description: str
    sources: frozenset[str]
    targets: frozenset[str]
    properties: dict[str, PropType] = field(default_factory=dict)
    # Properties whose values tell two relationships of this type between the same two
    # entities apart (two payments on different dates are two facts, not one).
    identity: tuple[str, ...] = ()


PERSON = "Person"
ORGANIZATION = "Organization"
LOCATION = "Location"
CASE = "Case"
SOURCE = "Source"

_ACTORS = frozenset({PERSON, ORGANIZATION})
_ANY = frozenset({PERSON, ORGANIZATION, LOCATION, CASE})

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            PERSON,
            "A human being.",
            {
                "is_minor": "bool",
                "gender": "string",
                "birth_year": "int",
                "age": "int",
                "nationality": "string",
                "position": "string",
                "role": "string",
                "description": "string",
            },
        ),
        Kind(
            ORGANIZATION,
            "A company, foundation, agency, criminal group or scheme.",
            {"org_type": "string", "country": "string", "description": "string"},
        ),
        Kind(
            LOCATION,
            "A country, region, city or address.",
            {"location_type": "string", "iso_code": "string", "country": "string"},
        ),
        Kind(
            CASE,
            "An investigation, prosecution or operation.",
            {
                "case_type": "string",
                "status": "string",
                "start_date": "date",
                "end_date": "date",
                "description": "string",
            },
        ),
        Kind(
            SOURCE,
            "A document: news article, court record, report.",
            {"url": "string", "published": "date", "language": "string", "title": "string"},
        ),
    )
}

_MONEY: dict[str, PropType] = {"amount": "float", "currency": "string", "date": "date"}

RELATIONSHIPS: dict[str, RelType] = {
    r.name: r
    for r in (
        RelType(
            "MEMBER_OF",
            "Member of an organization.",
            _ACTORS,
            frozenset({ORGANIZATION}),
            {"role": "string", "start_date": "date", "end_date": "date"},
        ),
        RelType(
            "LEADS",
            "Heads an organization or a case team.",
            _ACTORS,
            frozenset({ORGANIZATION, CASE}),
            {"role": "string"},
        ),
        RelType(
            "EMPLOYED_BY",
            "Works for an organization.",
            frozenset({PERSON}),
            frozenset({ORGANIZATION}),
            {"role": "string", "start_date": "date", "end_date": "date"},
        ),
        RelType(
            "OWNS",
            "Owns (shares in) an organization.",
            _ACTORS,
            frozenset({ORGANIZATION}),
            {"share": "float", "start_date": "date", "end_date": "date"},
        ),
        RelType(
            "CONTROLS",
            "Directs or controls an organization.",
            _ACTORS,
            frozenset({ORGANIZATION}),
            {"role": "string", "start_date": "date", "end_date": "date"},
        ),
        RelType(
            "PART_OF",
            "A unit of a larger organization.",
            frozenset({ORGANIZATION}),
            frozenset({ORGANIZATION}),
        ),
        RelType(
            "AFFILIATED_WITH",
            "Linked to an organization.",
            _ACTORS,
            frozenset({ORGANIZATION}),
            {"role": "string"},
        ),
        RelType(
            "REPRESENTS", "Acts on behalf of another actor.", _ACTORS, _ACTORS, {"role": "string"}
        ),
        RelType("ASSOCIATE_OF", "Known associate.", _ACTORS, _ACTORS, {"relationship": "string"}),
        RelType(
            "FAMILY_OF",
            "Family relation.",
            frozenset({PERSON}),
            frozenset({PERSON}),
            {"relationship": "string"},
        ),
        RelType(
            "RECRUITED",
            "Recruited a victim or a pyramid investor.",
            _ACTORS,
            frozenset({PERSON}),
            {"date": "date"},
        ),
        RelType(
            "EXPLOITED",
            "Exploited a person.",
            _ACTORS,
            frozenset({PERSON}),
            {"form": "string", "duration": "string", "start_date": "date", "end_date": "date"},
            identity=("form",),
        ),
        RelType(
            "TRAFFICKED_TO",
            "A person taken to a place.",
            frozenset({PERSON}),
            frozenset({LOCATION}),
            {"purpose": "string", "date": "date"},
        ),
        RelType(
            "TRANSITED",
            "A person moved through a place.",
            frozenset({PERSON}),
            frozenset({LOCATION}),
            {"date": "date"},
        ),
        RelType(
            "ORIGINATES_FROM",
            "Where a person comes from.",
            frozenset({PERSON}),
            frozenset({LOCATION}),
        ),
        RelType(
            "LOCATED_IN",
            "Where an entity is.",
            frozenset({PERSON, ORGANIZATION, LOCATION}),
            frozenset({LOCATION}),
        ),
        RelType(
            "OCCURRED_IN", "Where a case took place.", frozenset({CASE}), frozenset({LOCATION})
        ),
        RelType("SUSPECT_IN", "Suspected in a case.", _ACTORS, frozenset({CASE})),
        RelType("VICTIM_IN", "Victim in a case.", frozenset({PERSON}), frozenset({CASE})),
        RelType("WITNESS_IN", "Witness in a case.", _ACTORS, frozenset({CASE})),
        RelType("INVESTIGATES", "Investigates a case.", _ACTORS, frozenset({CASE})),
        RelType(
            "CONVICTED_IN",
            "Convicted in a case.",
            _ACTORS,
            frozenset({CASE}),
            {"date": "date", "sentence": "string"},
        ),
        RelType(
            "RELATED_TO",
            "Two cases that belong together.",
            frozenset({CASE}),
            frozenset({CASE}),
            {"relationship": "string"},
        ),
        RelType(
            "INVESTED_IN",
            "Money put into a scheme.",
            _ACTORS,
            frozenset({ORGANIZATION}),
            _MONEY,
            identity=("amount", "currency", "date"),
        ),
        RelType(
            "PAID",
            "Money paid from one actor to another.",
            _ACTORS,
            _ACTORS,
            {**_MONEY, "purpose": "string"},
            identity=("amount", "currency", "date"),
        ),
        RelType("MENTIONED_IN", "An entity named in a document.", _ANY, frozenset({SOURCE})),
        RelType(
            "LINKED_TO",
            "An unspecified link between two entities (FollowTheMoney UnknownLink).",
            _ANY,
            _ANY,
            {"role": "string", "start_date": "date", "end_date": "date"},
        ),
        RelType(
            "POSSIBLY_SAME_AS",
            "Two records that may be one entity.",
            _ANY,
            _ANY,
            {"score": "float", "method": "string"},
        ),
    )
}


def check_kind(name: str) -> str:
    """Return ``name`` if it is a known entity kind, else raise :class:`ModelError`."""
    if name not in KINDS:
        raise ModelError(f"unknown kind {name!r}; known kinds: {', '.join(sorted(KINDS))}")
    return name


def check_rel_type(name: str) -> str:
    """Return ``name`` if it is a known relationship type, else raise :class:`ModelError`."""
    if name not in RELATIONSHIPS:
        raise ModelError(
            f"unknown relationship type {name!r}; known types: {', '.join(sorted(RELATIONSHIPS))}"
        )
    return name


def allowed_endpoints(rel_type: str, from_kind: str, to_kind: str) -> bool:
    """Whether ``rel_type`` may run from an entity of ``from_kind`` to one of ``to_kind``."""
    rt = RELATIONSHIPS[check_rel_type(rel_type)]
    return from_kind in rt.sources and to_kind in rt.targets
