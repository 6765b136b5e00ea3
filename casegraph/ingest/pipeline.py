"""Ingest as get → validate → load, in two streaming passes over the input.

Pass one (:func:`validate_input`) validates every record and keeps only what whole-input
checks need: each id with its kind, references not yet resolvable, a hash per relationship
(to find repeats) and which ids already exist in the graph (looked up in chunks of 10,000,
which also refuses an id the graph holds under another kind). If anything is wrong, nothing
is written: :class:`~casegraph.errors.ValidationFailed` lists every error. With
``skip_invalid`` the valid records are loaded and the rejected ones written, with their
reasons, to a rejects file (JSON Lines).

Pass two (:func:`write_input`) reads the input again and hands the records to the
:class:`~casegraph.graph.writer.GraphWriter`, on its CREATE path when pass one proved a
record new (an entity absent from the graph and given once; a relationship with a new end
given once), on its MERGE path otherwise. When a relationship came before an entity it
names, pass two reads the input twice (entities, then relationships). When the input links
entities to people it protects, pass two first writes those people (protected), and every
entity linked to them is scrubbed of their names in the transaction that writes it
(:class:`~casegraph.graph.protected_writes.Needles`), so that no text names them in clear
between that batch and the later one that writes the relationship.

Every load is recorded as an ``IngestRun`` (see :mod:`casegraph.ingest.runs`).
"""

from __future__ import annotations

import json
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from casegraph.errors import RecordError, RecordWarning, ValidationFailed
from casegraph.formats.csv import CsvOptions
from casegraph.formats.jsonl import Parsed, read_jsonl
from casegraph.graph.db import GraphDB
from casegraph.graph.model import PERSON, RELATIONSHIPS, stronger_level
from casegraph.graph.protection import own_level, says_adult
from casegraph.graph.records import EntityRecord, Record, RelationshipRecord, SourceRecord
from casegraph.graph.runs import IngestRun, now, record_run
from casegraph.graph.schema import init_schema
from casegraph.graph.writer import GraphWriter, WriteCounts, kinds_of_ids
from casegraph.ingest.detect import Reader, reader_for
from casegraph.ingest.links import EMPTY as NO_LINKS
from casegraph.ingest.links import VictimLinks, victim_links
from casegraph.ingest.runs import os_user, sha256_of
from casegraph.ingest.validate import Validator

# phase ("validating" or "loading"), records done since the last call
ProgressFn = Callable[[str, int], None]
Where = tuple[str, int]  # (file name for multi-file inputs, line)
Dropped = tuple[str, int, str, str, str]  # (file, line, type, from, to) of a relationship
LOOKUP_CHUNK = 10_000
PROGRESS_EVERY = 10_000


@dataclass
class IngestReport:
    path: str
    records: int
    counts: WriteCounts
    rejected: list[RecordError] = field(default_factory=list)
    warnings: list[RecordWarning] = field(default_factory=list)
    format: str = "casegraph"
    run_id: str = ""
    seconds: float = 0.0
    rejects_path: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "run_id": self.run_id,
            "records": self.records,
            "counts": self.counts.as_dict(),
            "created": self.counts.total_created,
            "updated": self.counts.total_updated,
            "rejected": [e.as_dict() for e in self.rejected],
            "warnings": [w.as_dict() for w in self.warnings],
            "rejects_path": self.rejects_path,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Plan:
    """What pass one learned about the input."""

    records: int
    errors: list[RecordError]
    kinds: dict[str, str]  # id -> kind of every valid entity and source in the input
    preexisting: set[str]  # ids of the input already in the graph
    repeated_ids: set[str]
    repeated_rels: set[int]
    forward_references: bool
    # real id -> protection level of every person the input protects or the graph holds
    # protected (see casegraph.graph.protection)
    protect: dict[str, str] = field(default_factory=dict)
    # hash(entity id) -> pseudonymous ids of the protected people the input links it to
    links: Mapping[int, Collection[str]] = field(default_factory=dict)
    # ids the input references without defining them, found in the graph
    graph_refs: set[str] = field(default_factory=set)
    # what was noted without refusing anything, and the relationships a reader derived
    # from a reference that nothing satisfies (not written; the reference stays a property)
    warnings: list[RecordWarning] = field(default_factory=list)
    dropped: set[Dropped] = field(default_factory=set)

    def bad_places(self) -> set[Where]:
        return {where_of(e) for e in self.errors}

    def is_new(self, rid: str) -> bool:
        return rid in self.kinds and rid not in self.preexisting


def where_of(error: RecordError) -> Where:
    """(file, line) of an error: CSV errors name their file before ``:`` in the field."""
    head, sep, _ = error.field.partition(":")
    return (head, error.line) if sep and head.endswith(".csv") else ("", error.line)


def _file_of(raw: Any) -> str:
    return str(raw.get("_file") or "") if isinstance(raw, dict) else ""


def _rel_hash(rec: RelationshipRecord) -> int:
    return hash((rec.type, rec.from_id, rec.to_id, rec.identity_key(_identity(rec.type))))


def _identity(rtype: str) -> tuple[str, ...]:
    return RELATIONSHIPS[rtype].identity


def _repeats(hashes: array[int]) -> set[int]:
    """The values that occur more than once (sorting 8-byte integers, not a Python set)."""
    if len(hashes) < 2:
        return set()
    values = np.frombuffer(hashes, dtype=np.int64).copy()
    values.sort()
    return {int(v) for v in np.unique(values[1:][values[1:] == values[:-1]])}


def _victim_links(db: GraphDB, protect: dict[str, str], ends: array[int]) -> VictimLinks:
    """``hash(id)`` -> pseudonymous ids of the protected people linked to it, from the
    relationships' ends (``ends``: hash(from), hash(to), … as 8-byte integers), held in
    arrays (:mod:`casegraph.ingest.links`)."""
    if not protect or not ends:
        return NO_LINKS
    pairs = np.frombuffer(ends, dtype=np.int64).reshape(-1, 2)
    return victim_links(list(protect), pairs, db.protection_key.pseudo_id)


def validate_input(
    db: GraphDB, parsed: Iterator[Parsed], progress: ProgressFn | None = None
) -> Plan:
    """Pass one: validate every record (see the module docstring)."""
    validator = Validator()
    errors: list[RecordError] = []
    warnings: list[RecordWarning] = []
    preexisting: set[str] = set()
    rel_hashes = array("q")  # 8 bytes per relationship, repeats found at the end
    rel_ends = array("q")  # hash(from), hash(to) per relationship: who is linked to whom
    id_buffer: list[tuple[str, int, str, str]] = []
    protect: dict[str, str] = {}  # real id -> level, from the input and the graph
    adult_claims: list[tuple[str, int, str]] = []  # people said to be adults
    count = 0

    def raise_level(rid: str, level: str | None) -> None:
        if level is not None:
            protect[rid] = stronger_level(protect.get(rid), level) or level

    def check_graph() -> None:
        found = kinds_of_ids(db, (rid for _, _, rid, _ in id_buffer))
        for file, line, rid, kind in id_buffer:
            graph_kind, level = found.get(rid, (None, None))
            if graph_kind is None:
                continue
            if graph_kind != kind:
                prefix = f"{file}:" if file else ""
                errors.append(
                    RecordError(line, prefix + "id", f"id {rid!r} is a {graph_kind} in the graph")
                )
            else:
                preexisting.add(rid)
                raise_level(rid, level)
        id_buffer.clear()

    for item in parsed:
        if isinstance(item, RecordWarning):
            warnings.append(item)
            continue
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        line, raw = item
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("validating", PROGRESS_EVERY)
        file = _file_of(raw)
        validator.prefix = f"{file}:" if file else ""
        rec, errs = validator.check(line, raw)
        if errs:
            errors.extend(errs)
        elif isinstance(rec, RelationshipRecord):
            rel_hashes.append(_rel_hash(rec))
            rel_ends.extend((hash(rec.from_id), hash(rec.to_id)))
            marks = RELATIONSHIPS[rec.type].marks_victim
            if marks is not None:
                raise_level(rec.from_id if marks == "from" else rec.to_id, "all")
        elif isinstance(rec, EntityRecord):
            id_buffer.append((file, line, rec.id, rec.label))
            if rec.label == PERSON:
                raise_level(rec.id, own_level(rec.properties))
                if says_adult(rec.properties):
                    adult_claims.append((file, line, rec.id))
        elif isinstance(rec, SourceRecord):
            id_buffer.append((file, line, rec.id, "Source"))
        if len(id_buffer) >= LOOKUP_CHUNK:
            check_graph()
    check_graph()
    if progress:
        progress("validating", count % PROGRESS_EVERY)
    missing = validator.unresolved_ids()
    in_graph = kinds_of_ids(db, missing) if missing else {}
    for rid, (_, level) in in_graph.items():
        raise_level(rid, level)
    graph_kinds = {k: v[0] for k, v in in_graph.items()}
    errors.extend(validator.unresolved_errors(graph_kinds))
    dropped: set[Dropped] = set()
    for line, prop, rid, rtype, frm, to in validator.dangling(graph_kinds):
        dropped.add(("", line, rtype, frm, to))
        warnings.append(
            RecordWarning(
                line,
                prop,
                f"no entity with id {rid!r} in the file or the graph: kept as a property "
                f"of {frm!r}, no {rtype} made",
            )
        )
    stored = kinds_of_ids(db, [rid for _, _, rid in adult_claims]) if adult_claims else {}
    for file, line, rid in adult_claims:
        if stored.get(rid, (None, None))[1] == "minors":
            prefix = f"{file}:" if file else ""
            errors.append(
                RecordError(
                    line,
                    prefix + "properties",
                    "would lower the protection of a protected person; only an admin can "
                    "lift it (casegraph protect lift)",
                )
            )
    if count == 0 and not errors:
        errors.append(RecordError(1, "", "the input holds no records"))
    errors.sort(key=lambda e: (where_of(e), e.field))
    return Plan(
        records=count,
        errors=errors,
        kinds=validator.kinds,
        preexisting=preexisting,
        repeated_ids=validator.repeated_ids,
        repeated_rels=_repeats(rel_hashes),
        forward_references=validator.forward_references,
        protect=protect,
        links=_victim_links(db, protect, rel_ends),
        graph_refs=set(in_graph),
        warnings=sorted(warnings, key=lambda w: (w.line, w.field)),
        dropped=dropped,
    )


def cascade_rejections(reader: Callable[[], Iterator[Parsed]], plan: Plan) -> list[RecordError]:
    """The records that must be rejected with the ones already rejected, so that nothing is
    lost silently with ``skip_invalid``: an entity citing a rejected source, and a
    relationship with a rejected end or source. (A record can be refused after it validated
    on its own, e.g. for a source missing from the file, or an id that the graph holds under
    another kind.) Two more passes over the input; run only when some record was rejected.
    """
    skip = plan.bad_places()
    graph = plan.preexisting | plan.graph_refs
    sources: set[str] = set()
    for _, rec in _valid(reader(), skip, plan.dropped):
        if isinstance(rec, SourceRecord):
            sources.add(rec.id)
    errors: list[RecordError] = []
    entities: set[str] = set()

    def refused(file: str, line: int, fld: str, what: str, rid: str) -> None:
        prefix = f"{file}:" if file else ""
        errors.append(
            RecordError(line, prefix + fld, f"not loaded: the {what} {rid!r} was rejected")
        )

    def cited(file: str, line: int, rec: EntityRecord | RelationshipRecord) -> bool:
        lost = [s for s in rec.sources if s not in sources and s not in graph]
        for sid in lost[:1]:
            refused(file, line, "sources", "source", sid)
        return not lost

    for (file, line), rec in _valid(reader(), skip, plan.dropped):
        if isinstance(rec, EntityRecord) and cited(file, line, rec):
            entities.add(rec.id)
    known = entities | sources | graph
    for (file, line), rec in _valid(reader(), skip, plan.dropped):
        if not isinstance(rec, RelationshipRecord):
            continue
        for fld, rid in (("from", rec.from_id), ("to", rec.to_id)):
            if rid not in known:
                refused(file, line, fld, "entity", rid)
                break
        else:
            cited(file, line, rec)
    return errors


def records(
    parsed: Iterator[Parsed], skip: set[Where] | None = None, dropped: set[Dropped] | None = None
) -> Iterator[Record]:
    """The valid records of an input already checked whole (``skip``: places to leave out;
    ``dropped``: relationships whose soft reference nothing satisfies, see :class:`Plan`)."""
    for _, rec in _valid(parsed, skip or set(), dropped):
        yield rec


def _valid(
    parsed: Iterator[Parsed],
    skip: set[Where],
    dropped: set[Dropped] | None = None,
    wanted: Callable[[Any], bool] | None = None,
) -> Iterator[tuple[Where, Record]]:
    """The valid records of ``parsed`` (``wanted``: a test on the raw record that spares
    validating records the caller would drop anyway; it must keep every record it wants)."""
    validator = Validator(track_references=False)
    for item in parsed:
        if isinstance(item, RecordError):
            continue
        line, raw = item
        if wanted is not None and not wanted(raw):
            continue
        where = (_file_of(raw), line)
        if where in skip:
            continue
        rec, errs = validator.check(line, raw)
        if rec is None or errs:
            continue
        if (
            dropped
            and isinstance(rec, RelationshipRecord)
            and (where[0], where[1], rec.type, rec.from_id, rec.to_id) in dropped
        ):
            continue
        yield where, rec


def write_input(
    db: GraphDB,
    reader: Callable[[], Iterator[Parsed]],
    plan: Plan,
    *,
    batch_size: int = 10_000,
    progress: ProgressFn | None = None,
) -> WriteCounts:
    """Pass two: load the valid records (see the module docstring)."""
    skip = plan.bad_places()

    def advance(n: int) -> None:
        if progress:
            progress("loading", n)

    writer = GraphWriter(
        db,
        batch_size=batch_size,
        progress=advance,
        protect=plan.protect,
        kinds=plan.kinds,
        links=plan.links,
    )
    sweeps: tuple[str, ...] = ("nodes", "relationships") if plan.forward_references else ("",)
    victims_first = bool(plan.links) and any(plan.kinds.get(rid) == PERSON for rid in plan.protect)
    if victims_first:  # the people it protects first, so linked text is scrubbed as written
        sweeps = ("victims", *sweeps)

    def is_victim(rec: Record) -> bool:
        return isinstance(rec, EntityRecord) and rec.label == PERSON and rec.id in plan.protect

    def maybe_victim(raw: Any) -> bool:
        """Whether a raw record may be an entity the input protects (the validator takes
        ``kind`` as given and the ``id`` stripped)."""
        rid = raw.get("id") if isinstance(raw, dict) and raw.get("kind") == "entity" else None
        return isinstance(rid, str) and rid.strip() in plan.protect

    try:
        for sweep in sweeps:
            wanted = maybe_victim if sweep == "victims" else None
            for (file, _), rec in _valid(reader(), skip, plan.dropped, wanted):
                if sweep == "victims" or (victims_first and is_victim(rec)):
                    if sweep == "victims" and is_victim(rec):
                        assert isinstance(rec, EntityRecord)
                        new = plan.is_new(rec.id) and rec.id not in plan.repeated_ids
                        writer.add(rec, new=new)
                    continue
                if isinstance(rec, RelationshipRecord):
                    if sweep == "nodes":
                        continue
                    new = (plan.is_new(rec.from_id) or plan.is_new(rec.to_id)) and (
                        _rel_hash(rec) not in plan.repeated_rels
                    )
                else:
                    if sweep == "relationships":
                        continue
                    new = plan.is_new(rec.id) and rec.id not in plan.repeated_ids
                writer.add(rec, new=new, where=f"{file}:" if file else "")
            if sweep == "victims":
                writer.send_entities()
    except BaseException:
        writer.close()
        raise
    writer.flush()
    return writer.counts


def write_rejects(
    out: IO[str], reader: Callable[[], Iterator[Parsed]], errors: list[RecordError]
) -> None:
    """One JSON line per rejected record: where it is, its errors and the record itself."""
    by_place: dict[Where, list[RecordError]] = defaultdict(list)
    for e in errors:
        by_place[where_of(e)].append(e)
    written: set[Where] = set()
    for item in reader():
        if isinstance(item, RecordError):
            continue
        line, raw = item
        where = (_file_of(raw), line)
        if where in by_place and where not in written:
            written.add(where)
            _reject_line(out, where, by_place[where], raw)
    for where, errs in by_place.items():  # lines that could not be parsed at all
        if where not in written:
            _reject_line(out, where, errs, None)


def _reject_line(out: IO[str], where: Where, errs: list[RecordError], raw: Any) -> None:
    entry: dict[str, Any] = {"line": where[1]}
    if where[0]:
        entry["file"] = where[0]
    entry["errors"] = [{"field": e.field, "reason": e.reason} for e in errs]
    entry["record"] = raw
    out.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def ingest_file(
    db: GraphDB,
    path: Path,
    *,
    fmt: str | None = None,
    reader: Reader | None = None,
    csv_options: CsvOptions | None = None,
    skip_invalid: bool = False,
    rejects: Path | None = None,
    user: str | None = None,
    display_name: str | None = None,
    batch_size: int = 10_000,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Validate ``path`` whole, then load it. Raises :class:`ValidationFailed` (and writes
    nothing) when any record is invalid, unless ``skip_invalid``: then the valid records
    are loaded and the rejected ones listed in the report (and written to ``rejects``)."""
    started = time.perf_counter()
    if reader is None:
        fmt, reader = reader_for(path, fmt, csv_options)
    elif fmt is None:
        fmt = "casegraph" if reader is read_jsonl else "custom"
    read = reader
    run = IngestRun(
        file_name=display_name or path.name,
        format=fmt,
        sha256=sha256_of(path),
        user=user or os_user(),
        started_at=now(),
    )
    plan = validate_input(db, read(path), progress)
    valid_records = plan.records - len(plan.bad_places())
    if plan.errors and (not skip_invalid or valid_records <= 0):
        raise ValidationFailed(plan.errors, source=display_name or str(path))
    if plan.errors:  # what the rejected records take with them
        plan.errors = sorted(
            plan.errors + cascade_rejections(lambda: read(path), plan),
            key=lambda e: (where_of(e), e.field),
        )
    init_schema(db)
    counts = write_input(db, lambda: read(path), plan, batch_size=batch_size, progress=progress)
    if counts.missed:  # rows that matched nothing when written: errors, never "unchanged"
        plan.errors = sorted(plan.errors + counts.missed, key=lambda e: (where_of(e), e.field))
    if plan.errors and rejects is not None:
        with rejects.open("w", encoding="utf-8") as out:
            write_rejects(out, lambda: read(path), plan.errors)
    run.finished_at = now()
    run.counts = counts.as_dict()
    run.records = plan.records
    run.rejected = len(plan.bad_places())
    record_run(db, run)
    return IngestReport(
        path=display_name or str(path),
        records=plan.records,
        counts=counts,
        rejected=plan.errors,
        warnings=plan.warnings,
        format=fmt,
        run_id=run.run_id,
        seconds=time.perf_counter() - started,
        rejects_path=str(rejects) if rejects is not None and plan.errors else "",
    )
