"""Validated records: what every ingester hands to the writer.

A parser turns a file into raw dicts (one per line or row); :mod:`casegraph.ingest.validate`
turns each raw dict into one of these records or into a list of
:class:`~casegraph.errors.RecordError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Scalar = str | int | float | bool
PropValue = Scalar | list[Scalar]


@dataclass(frozen=True)
class SourceRecord:
    """A document that asserts facts (kind ``source``)."""

    id: str
    title: str
    properties: dict[str, PropValue] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class EntityRecord:
    """A person, organization, location or case (kind ``entity``)."""

    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()
    properties: dict[str, PropValue] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class RelationshipRecord:
    """A typed, directed link between two entities (kind ``relationship``)."""

    type: str
    from_id: str
    to_id: str
    properties: dict[str, PropValue] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    line: int = 0

    def identity_key(self, identity: tuple[str, ...]) -> str:
        """The text that tells this relationship apart from others of its type between
        the same two entities (empty when the type has no identity properties).

        >>> RelationshipRecord("PAID", "a", "b", {"amount": 10.0, "date": "2020-01-02"}
        ...                    ).identity_key(("amount", "currency", "date"))
        'amount=10.0|currency=|date=2020-01-02'
        """
        return "|".join(f"{k}={_key_part(self.properties.get(k))}" for k in identity)


Record = SourceRecord | EntityRecord | RelationshipRecord


def _key_part(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)
