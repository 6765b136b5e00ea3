"""The typed contract of the HTTP API: one module of response models per area.

Every JSON route declares one of these as its ``response_model``, so ``/openapi.json``
names a schema for every 2xx JSON answer and every error answer (:class:`ErrorOut`).

Two rules keep the models faithful to what the routes have always answered:

- Routes answer exactly the keys their handler returned (the routers' route class sets
  ``response_model_exclude_unset``): an optional field that a handler leaves out stays out,
  rather than coming back as ``null``.
- Models that hold entity or relationship dicts accept keys they do not declare
  (``extra="allow"``): the graph layer puts ``_sealed``, ``_level`` and ``_sealed_text``
  into those dicts, and only :class:`~casegraph.api.disclosure.DisclosingJSONResponse`,
  which renders the validated answer, reads and removes them. The disclosure step also adds
  ``protected``, ``redacted`` and ``original_id`` to protected people's dicts; :class:`NodeOut`
  documents them.
"""

from casegraph.api.schemas.common import (
    Disclosed,
    EdgeOut,
    EntityRef,
    ErrorBody,
    ErrorOut,
    GraphOut,
    NodeOut,
    Schema,
)

__all__ = [
    "Disclosed",
    "EdgeOut",
    "EntityRef",
    "ErrorBody",
    "ErrorOut",
    "GraphOut",
    "NodeOut",
    "Schema",
]
