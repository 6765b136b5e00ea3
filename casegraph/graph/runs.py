"""Ingest runs: every load leaves an ``(:IngestRun)`` node (not an ``Entity``) that says what
was loaded, from which file (name and SHA-256), when, by whom, and what it changed.

Runs refused by validation change nothing and leave no node.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from casegraph.graph.db import GraphDB

CREATE_RUN = """
CREATE (r:IngestRun {run_id: $run_id})
SET r.file_name = $file_name, r.format = $format, r.sha256 = $sha256,
    r.started_at = $started_at, r.finished_at = $finished_at,
    r.counts = $counts, r.user = $user, r.records = $records, r.rejected = $rejected
"""

LIST_RUNS = """
MATCH (r:IngestRun)
RETURN r {.*} AS run ORDER BY r.started_at DESC LIMIT $limit
"""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class IngestRun:
    file_name: str
    format: str
    sha256: str
    user: str
    started_at: str = field(default_factory=now)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    finished_at: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    records: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "file_name": self.file_name,
            "format": self.format,
            "sha256": self.sha256,
            "user": self.user,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "counts": self.counts,
            "records": self.records,
            "rejected": self.rejected,
        }


def record_run(db: GraphDB, run: IngestRun) -> None:
    """Store ``run`` as an ``IngestRun`` node (``counts`` as a JSON string)."""
    params = run.as_dict()
    params["counts"] = json.dumps(run.counts, sort_keys=True)
    db.write(CREATE_RUN, params)


def list_runs(db: GraphDB, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first, ``counts`` decoded."""
    out = []
    for row in db.read(LIST_RUNS, {"limit": limit}):
        run = dict(row["run"])
        run["counts"] = json.loads(run.get("counts") or "{}")
        out.append(run)
    return out
