"""The built-in dataset: the Kazakhstan news report encoded as casegraph JSON Lines."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from casegraph.graph.db import GraphDB
from casegraph.ingest.pipeline import IngestReport, ingest_file


def seed_path() -> Path:
    return Path(str(resources.files("casegraph.ingest") / "data" / "seed.jsonl"))


def load_seed(db: GraphDB) -> IngestReport:
    """Load the seed dataset (idempotent)."""
    return ingest_file(db, seed_path())
