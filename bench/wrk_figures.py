"""The figures of one wrk run for ``bench/load.py``: what ``bench/load_mix.lua`` prints, the
CPU time of processes from /proc, and the server's own view of the requests from its audit
log. Pure functions and /proc reads only (no Neo4j, no casegraph), so they are unit-tested
in ``tests/test_bench_wrk.py``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

#: the line bench/load_mix.lua's done() prints
MARKER = "WRK_JSON "

#: request kind by the path the audit log records
KINDS = (
    ("search", re.compile(r"^/entities$")),
    ("neighborhood", re.compile(r"^/entities/[^/]+/neighborhood$")),
    ("centrality", re.compile(r"^/analytics/centrality$")),
    ("health", re.compile(r"^/health$")),
)


def pct(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values`` (nan when empty).

    >>> pct([5.0, 1.0, 3.0], 50)
    3.0
    """
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def lua_string(text: str) -> str:
    r"""``text`` as a Lua string literal.

    >>> print(lua_string('a"b\\c'))
    "a\"b\\c"
    """
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):03d}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def lua_data(key: str, terms: list[str], people: list[str], seed: int = 0) -> str:
    """The data file bench/load_mix.lua reads: the key, and the search prefixes and person
    ids URL-encoded (they go into the request line as they are)."""

    def items(values: Iterable[str]) -> str:
        return ",\n    ".join(lua_string(quote(v, safe="")) for v in values)

    return (
        "-- written by bench/load.py for bench/load_mix.lua\n"
        "return {\n"
        f"  key = {lua_string(key)},\n"
        f"  seed = {int(seed)},\n"
        f"  terms = {{\n    {items(terms)}\n  }},\n"
        f"  people = {{\n    {items(people)}\n  }},\n"
        "}\n"
    )


def parse_wrk(stdout: str) -> dict[str, Any]:
    """Throughput, latency percentiles (ms), socket errors and HTTP statuses of one wrk run,
    from the ``WRK_JSON`` line bench/load_mix.lua prints (the last one, if several)."""
    lines = [line for line in stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise ValueError("no WRK_JSON line in wrk's output (did bench/load_mix.lua run?)")
    raw = json.loads(lines[-1][len(MARKER) :])
    seconds = raw["duration_us"] / 1e6
    requests = int(raw["requests"])
    lat = raw["latency_us"]
    errors = {k: int(v) for k, v in sorted(raw["errors"].items())}
    statuses = {k: int(v) for k, v in sorted(raw.get("statuses", {}).items())}
    non_2xx = sum(v for k, v in statuses.items() if not k.startswith("2"))
    socket_errors = sum(v for k, v in errors.items() if k != "status")
    return {
        "requests": requests,
        "seconds": round(seconds, 1),
        "throughput_rps": round(requests / seconds, 1) if seconds else float("nan"),
        "p50_ms": round(lat["p50"] / 1000, 1),
        "p90_ms": round(lat["p90"] / 1000, 1),
        "p99_ms": round(lat["p99"] / 1000, 1),
        "max_ms": round(lat["max"] / 1000, 1),
        "mean_ms": round(lat["mean"] / 1000, 1),
        "statuses": statuses,
        "non_2xx": non_2xx,
        "socket_errors": {k: v for k, v in errors.items() if k != "status"},
        "timeouts": errors.get("timeout", 0),
        "errors": non_2xx + socket_errors,
    }


# -- CPU time from /proc


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, utime+stime+cutime+cstime in clock ticks) of ``pid``, or None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    # fields[0] is the state (field 3 of proc(5)): ppid is field 4, utime..cstime 14..17
    ppid = int(fields[1])
    ticks = sum(int(x) for x in fields[11:15])
    return ppid, ticks


def cpu_ms(root: int) -> float:
    """CPU time (user + system, ms) of ``root`` and every process descending from it, read
    from /proc; children that ended and were waited for count through their parent's
    cutime/cstime."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                parents[int(entry.name)], ticks[int(entry.name)] = stat
    if root not in ticks:
        raise ProcessLookupError(f"no process {root}")
    tree = {root}
    grew = True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(ticks[p] for p in tree) * 1000 / os.sysconf("SC_CLK_TCK")


# -- the server's view, from its audit log


def kind_of(path: str) -> str:
    """The mix's name for a request path.

    >>> kind_of("/entities/p-17/neighborhood"), kind_of("/entities"), kind_of("/other")
    ('neighborhood', 'search', 'other')
    """
    for kind, pattern in KINDS:
        if pattern.match(path):
            return kind
    return "other"


def audit_by_kind(lines: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per request kind, from audit log lines (one JSON record each): how many requests the
    server answered, how many of them not with a 2xx (per status), and the server-side
    time (p50/p99 ms, from the record's ``ms``)."""
    ms: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by the read racing the writer
        if not isinstance(record, dict) or "path" not in record:
            continue
        kind = kind_of(str(record["path"]))
        ms.setdefault(kind, []).append(float(record.get("ms") or 0.0))
        status = str(record.get("status"))
        counts = statuses.setdefault(kind, {})
        counts[status] = counts.get(status, 0) + 1
    return {
        kind: {
            "n": len(values),
            "non_2xx": sum(v for k, v in statuses[kind].items() if not k.startswith("2")),
            "statuses": dict(sorted(statuses[kind].items())),
            "server_p50_ms": round(pct(values, 50), 1),
            "server_p99_ms": round(pct(values, 99), 1),
        }
        for kind, values in sorted(ms.items())
    }


def audit_lines_since(path: Path, offset: int) -> list[str]:
    """The lines appended to the audit log at ``path`` since it was ``offset`` bytes long
    (reading the rotated ``path.1`` from ``offset`` too if it was rotated meanwhile)."""
    size = path.stat().st_size if path.exists() else 0
    chunks = []
    rotated = path.with_name(path.name + ".1")
    if size < offset and rotated.exists():
        with rotated.open("rb") as handle:
            handle.seek(offset)
            chunks.append(handle.read())
        offset = 0
    if path.exists():
        with path.open("rb") as handle:
            handle.seek(offset)
            chunks.append(handle.read())
    return b"".join(chunks).decode("utf-8", errors="replace").splitlines()
