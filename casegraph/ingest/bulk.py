"""``casegraph ingest --bulk``: a new local database from a file, through Neo4j's import tool.

The same pass one as the online ingest (:func:`casegraph.ingest.pipeline.validate_input`)
validates the input whole and plans who is protected; a bad input is refused with every
error listed and nothing is touched. Then, reading the input again:

1. the protected people (only their records; the read stops once all are found, unless one
   is given twice), so that text linked to them is scrubbed as it is written;
2. every other record, as rows of CSV files (:class:`~casegraph.graph.bulk.BulkBuilder`),
   streamed to disk beside the database;
3. ``neo4j-admin database import full`` builds the store (it prints its own progress);
4. the new database is started once to set what CSV cannot say (empty lists), to create the
   constraints and indexes (``db init``) and to record the ``IngestRun``, then stopped.

The target folder is a local Neo4j's home (``casegraph neo4j start --data DIR``): refused
while its Neo4j runs, and refused if it holds a database unless ``replace``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from casegraph.errors import RecordError, ValidationFailed
from casegraph.formats.jsonl import Parsed
from casegraph.graph.bulk import BulkBuilder, CsvSet, check_target, finish_database, run_import
from casegraph.graph.db import GraphDB
from casegraph.graph.protection import ProtectionKey
from casegraph.graph.records import EntityRecord
from casegraph.graph.runs import IngestRun, now, record_run
from casegraph.graph.writer import WriteCounts
from casegraph.ingest.detect import reader_for
from casegraph.ingest.pipeline import ProgressFn, _rel_hash, records, validate_input
from casegraph.ingest.runs import os_user, sha256_of
from casegraph.ingest.validate import Validator

PROGRESS_EVERY = 10_000
CSV_FOLDER = "bulk-import"


@dataclass
class BulkReport:
    """What a bulk load did: counts as the online report gives them, and where time went."""

    path: str
    data_dir: str
    format: str
    records: int
    counts: WriteCounts
    run_id: str
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    csv_bytes: int = 0
    uri: str = ""  # of the new database, when it was left running
    warnings: list[RecordError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "data_dir": self.data_dir,
            "format": self.format,
            "run_id": self.run_id,
            "records": self.records,
            "counts": self.counts.as_dict(),
            "created": self.counts.total_created,
            "updated": self.counts.total_updated,
            "seconds": round(self.seconds, 3),
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
            "warnings": [w.as_dict() for w in self.warnings],
            "csv_bytes": self.csv_bytes,
        }


class _NewGraph:
    """The graph that pass one checks the input against: a database not built yet, in which
    every lookup finds nothing (duck-types the part of :class:`GraphDB` it uses)."""

    def __init__(self, key: ProtectionKey) -> None:
        self.protection_key = key

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[Any]:
        return []


def _victim_records(
    parsed: Iterator[Parsed], wanted: set[str], stop_early: bool
) -> Iterator[EntityRecord]:
    """The valid records of the people in ``wanted``; with ``stop_early``, reading stops
    once each was seen (each is given once)."""
    validator = Validator(track_references=False)
    left = set(wanted)
    for item in parsed:
        if not isinstance(item, tuple):
            continue
        line, raw = item
        if not isinstance(raw, dict) or raw.get("kind") != "entity":
            continue
        rid = raw.get("id")
        if not isinstance(rid, str) or rid.strip() not in wanted:
            continue
        rec, errs = validator.check(line, raw)
        if isinstance(rec, EntityRecord) and not errs:
            yield rec
            left.discard(rec.id)
            if stop_early and not left:
                return


def bulk_ingest(
    path: Path,
    data_dir: Path,
    key: ProtectionKey,
    *,
    fmt: str | None = None,
    replace: bool = False,
    user: str | None = None,
    display_name: str | None = None,
    progress: ProgressFn | None = None,
    before_import: Callable[[], None] | None = None,
    import_output: IO[bytes] | None = None,
    memory: str = "2g",
    serve_port: int | None = None,
    finish: bool = True,
) -> BulkReport:
    """Build a new database in ``data_dir`` from ``path`` (see the module docstring).

    Raises :class:`ValidationFailed` for a bad input and
    :class:`~casegraph.errors.InvalidRequestError` for a folder it may not write, in both
    cases before anything is changed. ``before_import`` is called once the CSV files are
    written (the command line closes its progress bars there: the tool prints its own).
    With ``serve_port``, the new database is left running on that port (``report.uri``).
    ``finish=False`` stops after the import tool: a store never started, without the
    finishing steps (for tests of the offline tools, which need a stopped store)."""
    started = time.perf_counter()
    data_dir = Path(data_dir).expanduser().resolve()
    check_target(data_dir, replace=replace)
    fmt, read = reader_for(path, fmt)
    run = IngestRun(
        file_name=display_name or path.name,
        format=fmt,
        sha256=sha256_of(path),
        user=user or os_user(),
        started_at=now(),
    )
    phases: dict[str, float] = {}
    t = time.perf_counter()
    plan = validate_input(cast(GraphDB, _NewGraph(key)), read(path), progress)
    phases["validate"] = time.perf_counter() - t
    if plan.errors:
        raise ValidationFailed(plan.errors, source=display_name or str(path))

    folder = data_dir / CSV_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        t = time.perf_counter()
        csv = CsvSet(folder)
        builder = BulkBuilder(
            csv,
            key,
            protect=plan.protect,
            kinds=plan.kinds,
            links=plan.links,
            repeated_ids=plan.repeated_ids,
            repeated_rels=plan.repeated_rels,
            rel_hash=_rel_hash,
        )
        victims = set(builder.pseudo)
        if victims:
            stop_early = not (victims & plan.repeated_ids)
            for person in _victim_records(read(path), victims, stop_early):
                builder.add_victim(person)
            builder.victims_done()
        n = 0
        for rec in records(read(path), None, plan.dropped):  # as online: not the dropped
            if not builder.is_victim(rec):
                builder.add(rec)
            n += 1
            if progress and n % PROGRESS_EVERY == 0:
                progress("writing CSV", PROGRESS_EVERY)
        if progress:
            progress("writing CSV", n % PROGRESS_EVERY)
        counts = builder.finish()
        phases["write CSV"] = time.perf_counter() - t
        csv_bytes = csv.size
        if before_import is not None:
            before_import()
        check_target(data_dir, replace=replace)  # still not running
        phases["import tool"] = run_import(data_dir, csv, replace=replace, memory=memory,
                                           output=import_output)  # fmt: skip

        def record(db: GraphDB) -> None:
            run.finished_at = now()
            run.counts = counts.as_dict()
            run.records = plan.records
            run.rejected = 0
            record_run(db, run)
            db.bump_graph_version()

        uri = ""
        if finish:
            t = time.perf_counter()
            finished, uri = finish_database(data_dir, csv, key, record, port=serve_port)
            phases["finish (start, lists, schema, run, stop)"] = time.perf_counter() - t
            phases.update({f"  {k}": v for k, v in finished.items()})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return BulkReport(
        path=display_name or str(path),
        data_dir=str(data_dir),
        format=fmt,
        records=plan.records,
        counts=counts,
        run_id=run.run_id,
        seconds=time.perf_counter() - started,
        phases=phases,
        csv_bytes=csv_bytes,
        uri=uri if serve_port is not None else "",
        warnings=list(plan.warnings),
    )
