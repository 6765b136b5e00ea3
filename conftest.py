"""pytest set-up for the whole repository: the tests under ``tests/`` and the doctests of
``casegraph/`` (``--doctest-modules``, see ``pyproject.toml``).

- The test Neo4j's fixtures (``tests/neo4j_support.py``) are registered here, at the root,
  so that doctests see them too: one real Neo4j per session for both.
- A doctest that names ``db`` runs against that Neo4j holding exactly the seed dataset
  (the ``seeded`` fixture); the other doctests need no database.
- Every test is marked ``unit`` or ``integration``: ``integration`` when it depends on the
  test Neo4j (``neo4j_server``, directly or through any fixture) or on the session's
  Chromium (``browser``), or is a doctest that names ``db``; ``unit`` otherwise.
  ``make test-unit`` (``pytest -m unit``) runs the unit tests without starting Neo4j.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.neo4j_support"]

#: the fixtures that make a test an integration test (and everything that depends on them)
INTEGRATION_FIXTURES = frozenset({"neo4j_server", "browser"})


def doctest_uses_db(item: pytest.Item) -> bool:
    """Whether ``item`` is a doctest whose examples read the name ``db`` before (or
    without) assigning it themselves."""
    dtest = getattr(item, "dtest", None)  # a DoctestItem's doctest.DocTest
    for example in dtest.examples if dtest is not None else ():
        try:
            tree = ast.parse(example.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "db":
                return isinstance(node.ctx, ast.Load)
    return False


def is_integration(item: pytest.Item) -> bool:
    """Whether ``item`` needs the test Neo4j or Chromium (see the module docs)."""
    uses = INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    return bool(uses) or doctest_uses_db(item)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("unit") or item.get_closest_marker("integration"):
            continue  # marked by hand
        item.add_marker(pytest.mark.integration if is_integration(item) else pytest.mark.unit)


@pytest.fixture(autouse=True)
def _doctest_db(request: pytest.FixtureRequest) -> Iterator[None]:
    """Put ``db`` (the test Neo4j holding the seed dataset) in the namespace of each doctest
    that names it, for that doctest only."""
    if not doctest_uses_db(request.node):
        yield
        return
    namespace = request.getfixturevalue("doctest_namespace")
    namespace["db"] = request.getfixturevalue("seeded")
    try:
        yield
    finally:
        namespace.pop("db", None)
