"""The file formats casegraph reads and writes, one module each.

* :mod:`casegraph.formats.jsonl` — casegraph JSON Lines (the interchange format of DESIGN.md);
* :mod:`casegraph.formats.csv` — casegraph CSV (entities, relationships and sources files);
* :mod:`casegraph.formats.ftm` — FollowTheMoney JSON Lines, through one mapping table;
* :mod:`casegraph.formats.graphs` — GraphML, GEXF and Cytoscape.js for graph tools.

A reader turns a file into ``(line, raw dict)`` pairs in the interchange shape (or a
:class:`~casegraph.errors.RecordError` naming the line); validation against the model is the
ingest's (:mod:`casegraph.ingest.validate`). A writer turns a graph snapshot (the
``{"nodes", "edges"}`` shape of DESIGN.md) into text. This package knows nothing of Neo4j.
"""
