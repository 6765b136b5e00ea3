"""The load bench's figures (bench/wrk_figures.py): wrk's output as bench/load_mix.lua prints
it, the audit log's per-kind view, the Lua data file, and CPU time from /proc."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wrk_figures", ROOT / "bench" / "wrk_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["wrk_figures"] = module
    spec.loader.exec_module(module)
    return module


wf = _load()

#: wrk 4.1's output of a run of bench/load_mix.lua (the text part abridged)
WRK_OUTPUT = """\
Running 15s test @ http://127.0.0.1:41234
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   310.12ms  120.50ms   1.90s    70.00%
  1500 requests in 15.00s, 9.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    100.00
WRK_JSON {"duration_us":15000000,"bytes":9542000,"requests":1500,"statuses":{"200":1497,\
"503":2,"404":1},"latency_us":{"p999":1800000,"p90":450000,"min":1200,"max":1900000,\
"p99":1200000,"mean":310120.5,"stdev":120500.25,"p50":290500},"errors":{"read":1,\
"write":0,"status":3,"connect":0,"timeout":2}}
"""


def test_parse_wrk_figures() -> None:
    r = wf.parse_wrk(WRK_OUTPUT)
    assert r["requests"] == 1500
    assert r["seconds"] == 15.0
    assert r["throughput_rps"] == 100.0
    assert (r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"]) == (290.5, 450.0, 1200.0, 1900.0)
    assert r["statuses"] == {"200": 1497, "404": 1, "503": 2}
    assert r["non_2xx"] == 3
    assert r["socket_errors"] == {"connect": 0, "read": 1, "timeout": 2, "write": 0}
    assert r["timeouts"] == 2
    assert r["errors"] == 3 + 1 + 2  # non-2xx answers plus socket errors (timeouts included)


def test_parse_wrk_without_the_lua_line_fails() -> None:
    with pytest.raises(ValueError, match="WRK_JSON"):
        wf.parse_wrk(WRK_OUTPUT.split("WRK_JSON")[0])


def test_audit_by_kind() -> None:
    def rec(path: str, status: int | None, ms: float) -> str:
        return json.dumps({"method": "GET", "path": path, "status": status, "ms": ms})

    lines = [
        rec("/entities", 200, 10.0),
        rec("/entities", 200, 30.0),
        rec("/entities", 503, 20.0),
        rec("/entities/p-1/neighborhood", 200, 50.0),
        rec("/entities/p%2F2/neighborhood", 404, 5.0),
        rec("/analytics/centrality", 200, 2.0),
        rec("/health", None, 1.0),
        '{"method": "GET", "pa',  # a line cut by a read racing the writer
        "",
    ]
    by = wf.audit_by_kind(lines)
    assert set(by) == {"search", "neighborhood", "centrality", "health"}
    assert by["search"] == {
        "n": 3,
        "non_2xx": 1,
        "statuses": {"200": 2, "503": 1},
        "server_p50_ms": 20.0,
        "server_p99_ms": 30.0,
    }
    assert by["neighborhood"]["n"] == 2 and by["neighborhood"]["non_2xx"] == 1
    assert by["centrality"]["non_2xx"] == 0
    assert by["health"]["statuses"] == {"None": 1} and by["health"]["non_2xx"] == 1


def test_audit_lines_since_reads_across_a_rotation(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    log.write_text("old\nnew-1\n")
    offset = len("old\n")
    assert wf.audit_lines_since(log, offset) == ["new-1"]
    log.replace(tmp_path / "audit.log.1")  # rotated, then the writer starts a new file
    log.write_text("new-2\n")
    assert wf.audit_lines_since(log, offset + len("new-1\n") + 100) == ["new-2"]
    assert wf.audit_lines_since(log, len("old\nnew-1\n") + 10) == ["new-2"]


def test_lua_data_is_read_by_wrk_lua_script(tmp_path: Path) -> None:
    """The data file bench/load.py writes, read by the real bench/load_mix.lua in wrk against
    a local server: the requests wrk sends carry the key and URL-encoded targets."""
    wrk = shutil.which("wrk")
    assert wrk is not None, "wrk is missing: scripts/ensure-system.sh load installs it"
    data = tmp_path / "data.lua"
    data.write_text(wf.lua_data('k"ey', ["Ив а"], ["p/1"]))
    seen = tmp_path / "seen.txt"
    server_code = f"""
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        with open({str(seen)!r}, "a") as f:
            f.write(self.path + " " + self.headers.get("Authorization", "") + "\\n")
        body = b"{{}}"
        self.send_response(404 if "neighborhood" in self.path else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""
    server = subprocess.Popen(
        [sys.executable, "-c", server_code], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        out = subprocess.run(
            [wrk, "-t", "1", "-c", "2", "-d", "1s", "-s", str(ROOT / "bench" / "load_mix.lua"),
             f"http://127.0.0.1:{port}", "--", str(data), "mix"],
            capture_output=True, text=True, check=True, timeout=30,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)
    r = wf.parse_wrk(out.stdout)
    lines = seen.read_text().splitlines()
    assert r["requests"] > 0 and len(lines) >= r["requests"]
    paths = {line.split(" ")[0] for line in lines}
    assert all(line.endswith('Bearer k"ey') for line in lines)
    assert paths <= {
        "/entities?q=%D0%98%D0%B2%20%D0%B0&limit=20",
        "/entities/p%2F1/neighborhood?depth=2&limit=50",
        "/analytics/centrality?measure=degree&top=10",
    }
    assert len(paths) == 3  # a second of requests draws every kind
    neighborhoods = sum(1 for line in lines if "neighborhood" in line)
    assert r["statuses"].get("404", 0) == r["non_2xx"] and r["non_2xx"] > 0
    assert abs(r["non_2xx"] - neighborhoods) <= 2  # requests in flight at the end


def test_cpu_ms_counts_children() -> None:
    """A parent that only waits, and a child that burns CPU: the parent's tree has it."""
    code = (
        "import subprocess, sys; "
        "subprocess.run([sys.executable, '-c', 'import time\\nt=time.process_time()\\n"
        "while time.process_time()-t<0.5: pass\\nprint(1, flush=True)\\ninput()'])"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        parent.stdout.readline()  # the child has burnt its 0.5 s and waits
        assert wf.cpu_ms(parent.pid) >= 450
        assert wf.cpu_ms(os.getpid()) >= wf.cpu_ms(parent.pid)
    finally:
        assert parent.stdin is not None
        parent.stdin.write("\n")
        parent.stdin.close()
        parent.wait(10)
    with pytest.raises(ProcessLookupError):
        wf.cpu_ms(parent.pid)
