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

#: Node shapes a kind may be drawn with (Cytoscape.js shape names; the web explorer's
#: legend draws the same shapes in CSS).
Shape = Literal["ellipse", "round-rectangle", "rectangle", "diamond", "hexagon", "triangle"]


@dataclass(frozen=True)
class Display:
    """How the web explorer draws a kind: a fill colour (``#rrggbb``) and a node shape."""

    color: str
    shape: Shape = "ellipse"


@dataclass(frozen=True)
class Kind:
    """An entity kind: one Neo4j label besides ``Entity``."""

    name: str
    description: str
    properties: dict[str, PropType] = field(default_factory=dict)
    # Whether free text linked to a protected person is scrubbed from this kind's names
    # too (a case or a company can be named after a victim; a place is not).
    scrub_names: bool = True
    # How the web explorer draws entities of this kind (served by ``GET /model``).
    display: Display = Display("#94a3b8")
    # The closed interval a numeric property must lie in (checked on ingest).
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Properties given all together or not at all (a latitude without its longitude).
    together: tuple[tuple[str, ...], ...] = ()


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
    # Which end of a relationship of this type is thereby a victim ("from" or "to").
    marks_victim: Literal["from", "to"] | None = None
    # Whether the source directs its target (leads, controls, owns it): the target's
    # controllers are the scheme's side of a pyramid, and its leadership in the explorer.
    control: bool = False
    # Whether a target has one holder of this relationship at a time: two different
    # sources claiming it (two heads of one foundation) contradict each other.
    single_holder: bool = False


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
            display=Display("#3b82f6", "ellipse"),
        ),
        Kind(
            ORGANIZATION,
            "A company, foundation, agency, criminal group or scheme.",
            {"org_type": "string", "country": "string", "description": "string"},
            display=Display("#f59e0b", "round-rectangle"),
        ),
        Kind(
            LOCATION,
            "A country, region, city or address.",
            {
                "location_type": "string",
                "iso_code": "string",
                "country": "string",
                # where the map draws it (WGS 84 degrees); else the gazetteer places it
                "lat": "float",
                "lon": "float",
            },
            scrub_names=False,
            display=Display("#10b981", "diamond"),
            ranges={"lat": (-90.0, 90.0), "lon": (-180.0, 180.0)},
            together=(("lat", "lon"),),
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
            display=Display("#8b5cf6", "hexagon"),
        ),
        Kind(
            SOURCE,
            "A document: news article, court record, report.",
            {"url": "string", "published": "date", "language": "string", "title": "string"},
            display=Display("#6b7280", "rectangle"),
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
            control=True,
            single_holder=True,
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
            control=True,
        ),
        RelType(
            "CONTROLS",
            "Directs or controls an organization.",
            _ACTORS,
            frozenset({ORGANIZATION}),
            {"role": "string", "start_date": "date", "end_date": "date"},
            control=True,
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
            marks_victim="to",
        ),
        RelType(
            "TRAFFICKED_TO",
            "A person taken to a place.",
            frozenset({PERSON}),
            frozenset({LOCATION}),
            {"purpose": "string", "date": "date"},
            marks_victim="from",
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
        RelType(
            "VICTIM_IN",
            "Victim in a case.",
            frozenset({PERSON}),
            frozenset({CASE}),
            marks_victim="from",
        ),
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
        RelType(
            "OWES",
            "A debt from one actor to another (FollowTheMoney Debt).",
            _ACTORS,
            _ACTORS,
            _MONEY,
            identity=("amount", "currency", "date"),
        ),
        RelType(
            "SUCCEEDED_BY",
            "An actor taken over or renamed into another (FollowTheMoney Succession).",
            _ACTORS,
            _ACTORS,
            {"start_date": "date"},
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


# -- policy flags, derived from the vocabulary above ------------------------------------
#
# Queries, analytics and the web explorer (through ``GET /model``) read these instead of
# spelling relationship types of their own.

#: Relationship types whose source directs its target (``RelType.control``).
CONTROL_RELATIONSHIPS: tuple[str, ...] = tuple(n for n, r in RELATIONSHIPS.items() if r.control)
#: Relationship types a target holds from one source at a time (``RelType.single_holder``).
SINGLE_HOLDER_RELATIONSHIPS: tuple[str, ...] = tuple(
    n for n, r in RELATIONSHIPS.items() if r.single_holder
)
#: Relationship types that make one of their ends a victim (``RelType.marks_victim``).
VICTIM_MARKING_RELATIONSHIPS: tuple[str, ...] = tuple(
    n for n, r in RELATIONSHIPS.items() if r.marks_victim is not None
)
#: Person properties that identify a human being: names, birth data, contact details and
#: identity numbers (served by ``GET /model``). Declared once so that protection and the
#: page can derive from one list; the protection section below does not read it yet.
IDENTIFYING_PROPERTIES = frozenset(
    {
        "name", "aliases", "nickname", "nicknames", "first_name", "last_name", "patronymic",
        "maiden_name", "birth_date", "birth_year", "birth_place", "age", "phone", "phones",
        "email", "emails", "address", "passport_number", "id_number", "national_id",
        "tax_number", "photo",
    }
)  # fmt: skip


# -- victim protection, as data ---------------------------------------------------------
#
# Who is protected is decided when data is written (see casegraph.graph.protection):
# a Person is protected when her own properties say she is a minor or a victim, or when a
# relationship whose type ``marks_victim`` points at her. A protected node stores a level:

#: Protection levels, weakest first. ``all``: a victim, hidden from every role that hides
#: victims; ``minors``: a child, hidden also from roles that may see adult victims.
PROTECTION_LEVELS: tuple[str, ...] = ("all", "minors")
#: The levels each role may see in clear (roles not listed see none).
VISIBLE_LEVELS: dict[str, frozenset[str]] = {
    "admin": frozenset(PROTECTION_LEVELS),
    "analyst": frozenset({"all"}),
}
#: Under this age a person is a minor.
MINOR_AGE = 18
#: A ``role`` property starting with this word makes a person a victim.
VICTIM_ROLE_PREFIX = "victim"
#: Properties that stay in clear on a protected node: structure, never identity.
PROTECTED_NODE_FIELDS = frozenset(
    {
        "id",
        "name",
        "name_key",
        "aliases",
        "search_keys",
        "search_text",
        "sources",
        "protection",
        "sealed",
        "blind_text",
    }
)
#: Properties that are never free text: they are not scrubbed of victims' names.
NON_TEXT_FIELDS = frozenset(
    {
        "id",
        "sources",
        "key",
        "name_key",
        "search_keys",
        "search_text",
        "protection",
        "sealed",
        "sealed_text",
        "blind_text",
        "url",
        "language",
        "iso_code",
        "published",
        "date",
        "start_date",
        "end_date",
        "currency",
        "form",
        "location_type",
        "case_type",
        "org_type",
        "status",
        "gender",
    }
)
#: Words of a victim's name that are too generic to scrub from linked text: descriptions
#: that stand in for a name ("Unnamed 16-year-old girl"), not a name.
SCRUB_STOPWORDS = frozenset(
    {
        "unnamed", "unknown", "victim", "victims", "girl", "boy", "man", "woman", "men",
        "women", "child", "children", "minor", "year", "years", "old", "group", "person",
        "people", "the", "and", "from", "with", "abroad", "forced", "labor", "labour",
        "kazakh", "citizen", "citizens", "foreign", "unidentified", "anonymous",
    }
)  # fmt: skip


def date_properties() -> frozenset[str]:
    """The names of every date property of any kind or relationship type (the columns whose
    spreadsheet dates a CSV reader converts).

    >>> sorted(date_properties())
    ['date', 'end_date', 'published', 'start_date']
    """
    tables = [k.properties for k in KINDS.values()] + [r.properties for r in RELATIONSHIPS.values()]
    return frozenset(name for t in tables for name, ptype in t.items() if ptype == "date")


def stronger_level(a: str | None, b: str | None) -> str | None:
    """The stronger of two protection levels (``None``: unprotected).

    >>> stronger_level(None, "all"), stronger_level("minors", "all")
    ('all', 'minors')
    """
    if a is None or b is None:
        return a or b
    return max(a, b, key=PROTECTION_LEVELS.index)


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
