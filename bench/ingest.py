"""Ingest benchmark: a synthetic network loaded from casegraph JSON Lines, end to end.

Generates ``--entities`` entities and ``--rels-per-entity`` relationships per entity with
``bench/synthetic.py`` (in a subprocess, so that its memory is not counted), loads the file
with :func:`casegraph.ingest.pipeline.ingest_file` (validate whole, then write), and prints
entities/s, relationships/s, the split between validation and writing, and the peak RSS of
this Python process. Beside it, in the same run and on the same server, the naive baseline:
one transaction per record (MERGE, no batching) on a sample of ``--baseline-records``
records, extrapolated. ``--reload`` also times loading the same file again (all MERGE, no
change).

Starts its own Neo4j (``casegraph.local_neo4j``) on a free port in a temporary folder unless
``--uri`` names one (whose database it EMPTIES), and stops it at the end.

    python bench/ingest.py --entities 200000 --rels-per-entity 5

``--bulk`` times ``casegraph ingest --bulk`` instead (:func:`casegraph.ingest.bulk.
bulk_ingest`: validation, CSV files, Neo4j's import tool, start, empty lists, constraints
and indexes, the ``IngestRun``, stop) on ``--entities``, then, in the same run, the online
path on ``--online-entities`` as the baseline, and prints both with the load average:

    python bench/ingest.py --bulk --entities 1000000 --rels-per-entity 5 --online-entities 50000
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from casegraph import local_neo4j
from casegraph.formats.jsonl import read_jsonl
from casegraph.graph.db import GraphDB
from casegraph.graph.model import KINDS
from casegraph.graph.schema import init_schema, reset_database
from casegraph.graph.writer import GraphWriter
from casegraph.ingest.pipeline import ingest_file, records
from casegraph.settings import Settings

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate(path: Path, entities: int, rels_per_entity: float, seed: int) -> None:
    subprocess.run(
        [
            sys.executable,
            str(HERE / "synthetic.py"),
            str(path),
            "--entities",
            str(entities),
            "--rels-per-entity",
            str(rels_per_entity),
            "--seed",
            str(seed),
        ],
        check=True,
    )


def naive_baseline(db: GraphDB, path: Path) -> tuple[int, float]:
    """One transaction per record through the MERGE path; (records, seconds)."""
    reset_database(db)
    init_schema(db)
    writer = GraphWriter(db, batch_size=1)
    n = 0
    start = time.perf_counter()
    for rec in records(read_jsonl(path)):
        writer.add(rec)
        n += 1
    writer.flush()
    return n, time.perf_counter() - start


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


def bulk_bench(args: argparse.Namespace, argv: list[str] | None) -> int:
    """``--bulk``: the bulk path on ``--entities``, the online path on ``--online-entities``."""
    from casegraph.graph.protection import ProtectionKey
    from casegraph.ingest.bulk import bulk_ingest

    tmp = Path(tempfile.mkdtemp(prefix="casegraph-bench-bulk-", dir=args.tmp))
    key = ProtectionKey(bytes(range(32)))
    try:
        big = Path(args.input) if args.input else tmp / "synthetic.jsonl"
        gen_s = 0.0
        if not args.input:
            t0 = time.perf_counter()
            generate(big, args.entities, args.rels_per_entity, args.seed)
            gen_s = time.perf_counter() - t0
        size_mib = big.stat().st_size / 2**20
        load_before = load_average()
        marks: dict[str, float] = {}

        def progress(phase: str, n: int) -> None:
            marks.setdefault(f"first {phase}", time.perf_counter())
            marks[f"last {phase}"] = time.perf_counter()

        start = time.perf_counter()
        report = bulk_ingest(big, tmp / "neo4j", key, progress=progress, memory=args.bulk_memory)
        bulk_s = time.perf_counter() - start
        bulk_rss = peak_rss_mib()
        load_after = load_average()
        counts = report.counts
        entities = sum(v for k, v in counts.created.items() if k in KINDS) + counts.protected
        rels = counts.total_created - sum(v for k, v in counts.created.items() if k in KINDS)
        shutil.rmtree(tmp / "neo4j", ignore_errors=True)

        # the online path, same shape, smaller
        online = tmp / "online.jsonl"
        generate(online, args.online_entities, args.rels_per_entity, args.seed)
        data_dir = tmp / "online-neo4j"
        uri = local_neo4j.start(free_port(), data_dir, heap=args.heap, pagecache=args.pagecache)
        try:
            db = GraphDB(uri, protection_key=key)
            db.wait_until_ready(60)
            init_schema(db)
            t = time.perf_counter()
            on = ingest_file(db, online, batch_size=args.batch_size)
            online_s = time.perf_counter() - t
            db.close()
        finally:
            local_neo4j.stop(data_dir)
        cmd = "python bench/ingest.py " + shlex.join(argv if argv is not None else sys.argv[1:])
        phases = "\n".join(f"    {k:<42} {v:8.1f} s" for k, v in report.phases.items())
        print(
            f"bulk ingest benchmark: {report.records:,} records ({entities:,} entities, "
            f"{rels:,} relationships; {size_mib:.0f} MiB JSON Lines"
            + (f", generated in {gen_s:.0f} s" if gen_s else "")
            + ")\n"
            f"  bulk end to end (validation included): {bulk_s:8.1f} s = "
            f"{report.records / bulk_s:,.0f} records/s\n{phases}\n"
            f"  CSV written: {report.csv_bytes / 2**20:,.0f} MiB\n"
            f"  peak RSS of this Python process during the bulk load: {bulk_rss:,.0f} MiB\n"
            f"  protected people: {counts.protected:,}\n"
            f"online baseline ({on.records:,} records, {args.online_entities:,} entities): "
            f"{online_s:.1f} s = {on.records / online_s:,.0f} records/s\n"
            f"bulk / online speed: {report.records / bulk_s / (on.records / online_s):.1f}x\n"
            f"{load_before} before the bulk load, {load_after} after it\n"
            f"command: {cmd}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--rels-per-entity", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--baseline-records", type=int, default=10_000)
    parser.add_argument("--reload", action="store_true", help="also time a second load")
    parser.add_argument("--uri", help="an existing Neo4j to use (its database is emptied)")
    parser.add_argument("--heap", default="2g", help="heap of the Neo4j started here")
    parser.add_argument("--pagecache", default="1g", help="page cache of the Neo4j started here")
    parser.add_argument("--bulk", action="store_true", help="time ingest --bulk (see above)")
    parser.add_argument("--online-entities", type=int, default=50_000, help="with --bulk")
    parser.add_argument("--input", help="with --bulk: this JSON Lines file, not a generated one")
    parser.add_argument("--bulk-memory", default="2g", help="with --bulk: the import tool's")
    parser.add_argument("--tmp", help="with --bulk: the folder for the files (default: TMPDIR)")
    args = parser.parse_args(argv)
    if args.bulk:
        return bulk_bench(args, argv)

    tmp = Path(tempfile.mkdtemp(prefix="casegraph-bench-ingest-"))
    data_dir = tmp / "neo4j"
    try:
        if args.uri:
            uri = args.uri
        else:
            uri = local_neo4j.start(free_port(), data_dir, heap=args.heap, pagecache=args.pagecache)
        db = GraphDB.from_settings(Settings(neo4j_uri=uri))
        db.wait_until_ready(60)

        t0 = time.perf_counter()
        big = tmp / "synthetic.jsonl"
        generate(big, args.entities, args.rels_per_entity, args.seed)
        gen_s = time.perf_counter() - t0
        size_mib = big.stat().st_size / 2**20

        # the naive baseline on a sample of the same shape
        sample = tmp / "sample.jsonl"
        n_sample_entities = max(1, round(args.baseline_records / (1 + args.rels_per_entity)))
        generate(sample, n_sample_entities, args.rels_per_entity, args.seed + 1)
        base_n, base_s = naive_baseline(db, sample)
        base_rate = base_n / base_s

        reset_database(db)
        init_schema(db)
        marks: dict[str, float] = {}

        def progress(phase: str, n: int) -> None:
            marks.setdefault(f"first {phase}", time.perf_counter())
            marks[f"last {phase}"] = time.perf_counter()

        start = time.perf_counter()
        report = ingest_file(db, big, batch_size=args.batch_size, progress=progress)
        total_s = time.perf_counter() - start
        validate_s = marks.get("last validating", start) - start
        counts = report.counts
        entities = sum(v for k, v in counts.created.items() if k in KINDS)
        rels = counts.total_created - entities
        n_records = report.records

        reload_line = ""
        if args.reload:
            t = time.perf_counter()
            again = ingest_file(db, big, batch_size=args.batch_size)
            reload_s = time.perf_counter() - t
            reload_line = (
                f"second load (all MERGE):  {reload_s:8.1f} s, created "
                f"{again.counts.total_created}, updated {again.counts.total_updated}\n"
            )

        cmd = "python bench/ingest.py " + shlex.join(argv if argv is not None else sys.argv[1:])
        print(
            f"ingest benchmark: {args.entities:,} entities, {rels:,} relationships "
            f"({n_records:,} records, {size_mib:.0f} MiB JSON Lines; generated in {gen_s:.1f} s)\n"
            f"end to end (validate + write): {total_s:8.1f} s\n"
            f"  pass one (validate):        {validate_s:8.1f} s\n"
            f"  pass two (write):           {total_s - validate_s:8.1f} s"
            f" (Neo4j write transactions busy {counts.db_seconds:.1f} s of it)\n"
            f"entities/s (end to end):      {entities / total_s:10,.0f}\n"
            f"relationships/s (end to end): {rels / total_s:10,.0f}\n"
            f"records/s (end to end):       {n_records / total_s:10,.0f}\n"
            f"created: {counts.total_created:,} (nodes {entities:,} incl. the source, "
            f"relationships {rels:,})\n"
            f"peak RSS of this Python process: {peak_rss_mib():.0f} MiB\n"
            f"naive baseline (one transaction per record, {base_n:,}-record sample): "
            f"{base_rate:,.0f} records/s -> {n_records / base_rate:,.0f} s extrapolated\n"
            f"speed-up over the baseline:   {n_records / total_s / base_rate:8.1f}x\n"
            + reload_line
            + f"command: {cmd}"
        )
        db.close()
    finally:
        if not args.uri:
            local_neo4j.stop(data_dir)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
