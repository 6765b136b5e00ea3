"""The exceptions casegraph raises. The API maps each of them to one HTTP answer
(see :mod:`casegraph.api.errors`); the CLI prints them and exits non-zero."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CasegraphError(Exception):
    """Base class of every error casegraph raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ModelError(CasegraphError):
    """A label, relationship type or property that the data model does not know."""

    status_code = 422


class NotFoundError(CasegraphError):
    """An entity, query or other named thing that does not exist."""

    status_code = 404


class InvalidRequestError(CasegraphError):
    """A request whose parameters are out of range or inconsistent."""

    status_code = 422


class DatabaseUnavailableError(CasegraphError):
    """Neo4j cannot be reached."""

    status_code = 503


class ConfigurationError(CasegraphError):
    """A setting that casegraph cannot work with (a bad key, a missing file)."""

    status_code = 500


class LocalNeo4jError(CasegraphError):
    """The local Neo4j could not be started, stopped or inspected."""

    status_code = 500


@dataclass(frozen=True)
class RecordError:
    """One problem found while validating input: where it is and why it is wrong."""

    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class RecordWarning(RecordError):
    """Something noted about the input that does not stop it loading: a reference to an id
    that neither the file nor the graph holds (kept as a property), a FollowTheMoney schema
    casegraph does not load (named, with its line). A reader yields it in the same stream as
    its records and errors; the ingest lists it in the report's ``warnings``. It is a
    :class:`RecordError` so that a consumer that does not know warnings refuses the input
    rather than losing the note silently.

    >>> RecordWarning(3, "addressEntity", "no entity 'a1'").as_dict()["line"]
    3
    """


class ValidationFailed(CasegraphError):
    """Input that failed validation; nothing was written. ``errors`` lists every problem."""

    status_code = 422

    def __init__(self, errors: list[RecordError], *, source: str = "") -> None:
        first = errors[0] if errors else None
        summary = f"{len(errors)} error(s) in {source or 'input'}"
        if first is not None:
            summary += f"; first at line {first.line}, field {first.field!r}: {first.reason}"
        super().__init__(summary, details=[e.as_dict() for e in errors])
        self.errors = errors
        self.source = source
