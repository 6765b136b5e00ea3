"""The errors of the saved-query library and the read-only runner.

Each carries its HTTP status (see :mod:`casegraph.api.errors`):

- :class:`QueryParameterError` (422): a missing, unknown or badly typed parameter; its
  ``details`` list every problem and every parameter the query takes.
- :class:`CypherError` (422): Cypher that does not compile, or that Neo4j rejects.
- :class:`QueryRefusedError` (403): a query whose plan writes, administers the server or
  reads outside the graph (``LOAD CSV``); nothing runs and nothing changes.
- :class:`QueryTimeoutError` (408): the query ran past its timeout and was stopped.
- :class:`QueryLibraryError` (422): a saved-query file that cannot be loaded.
"""

from __future__ import annotations

from casegraph.errors import CasegraphError, InvalidRequestError


class QueryParameterError(InvalidRequestError):
    """Parameters that do not fit the query's declaration (422)."""


class CypherError(InvalidRequestError):
    """Cypher that Neo4j cannot compile or run (422)."""


class QueryRefusedError(CasegraphError):
    """A query that would write, administer the server or read files: refused (403)."""

    status_code = 403


class QueryTimeoutError(CasegraphError):
    """A query stopped by its timeout (408)."""

    status_code = 408


class QueryLibraryError(CasegraphError):
    """A saved-query file that is malformed, clashes with another, or writes (422)."""

    status_code = 422
