"""Saved and ad-hoc Cypher for analysts, run read-only and bounded.

- :mod:`casegraph.queries.params`: declared parameter types and coercion.
- :mod:`casegraph.queries.library`: ``.cypher`` files with a header, loaded and checked.
- :mod:`casegraph.queries.readonly`: the plan check and the READ-mode runner.
- :mod:`casegraph.queries.service`: what the API and the CLI call.
"""
