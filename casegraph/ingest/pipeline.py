"""Ingest as get → validate → load.

:func:`ingest_file` validates a whole file first (pass one keeps only ids and kinds), and
writes nothing unless every record is valid; then it reads the file again and hands the
records to the :class:`~casegraph.graph.writer.GraphWriter` in batches (pass two).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casegraph.errors import RecordError, ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.graph.schema import init_schema
from casegraph.graph.writer import GraphWriter, WriteCounts, kinds_of_ids
from casegraph.ingest.jsonl import Parsed, read_jsonl
from casegraph.ingest.records import Record
from casegraph.ingest.validate import Validator

Reader = Callable[[Path], Iterator[Parsed]]


@dataclass
class IngestReport:
    path: str
    records: int
    counts: WriteCounts
    rejected: list[RecordError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "records": self.records,
            "counts": self.counts.as_dict(),
            "created": self.counts.total_created,
            "updated": self.counts.total_updated,
            "rejected": [e.as_dict() for e in self.rejected],
        }


def validate_stream(db: GraphDB, parsed: Iterator[Parsed]) -> tuple[int, list[RecordError]]:
    """Pass one: validate every record; return (record count, errors)."""
    validator = Validator()
    errors: list[RecordError] = []
    count = 0
    for item in parsed:
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        count += 1
        _, errs = validator.check(*item)
        errors.extend(errs)
    missing = validator.unresolved_ids()
    graph_kinds = kinds_of_ids(db, missing) if missing else {}
    errors.extend(validator.unresolved_errors(graph_kinds))
    if count == 0 and not errors:
        errors.append(RecordError(0, "", "the file holds no records"))
    return count, sorted(errors, key=lambda e: (e.line, e.field))


def records(parsed: Iterator[Parsed]) -> Iterator[Record]:
    """Pass two: the validated records (the input was checked whole in pass one)."""
    validator = Validator()
    for item in parsed:
        if isinstance(item, RecordError):
            continue
        rec, errs = validator.check(*item)
        if rec is not None and not errs:
            yield rec


def ingest_file(
    db: GraphDB,
    path: Path,
    *,
    reader: Reader = read_jsonl,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Validate ``path`` whole, then load it. Raises :class:`ValidationFailed` (and writes
    nothing) when any record is invalid."""
    count, errors = validate_stream(db, reader(path))
    if errors:
        raise ValidationFailed(errors, source=str(path))
    init_schema(db)
    writer = GraphWriter(db, batch_size=batch_size, progress=progress)
    writer.add_all(records(reader(path)))
    return IngestReport(str(path), count, writer.counts)
