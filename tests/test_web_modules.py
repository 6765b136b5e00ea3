"""The explorer page's pure ES modules, unit-tested by Node's own runner.

``web/test/*.test.mjs`` import the page's modules straight from ``casegraph/web/`` (no build
step, no npm package needed) and test the pure functions: the Cytoscape style and legend
swatches built from ``GET /model``, the conflict rule, the pyramid tree from the server's
report, formatting, GraphML. This test runs ``node --test web/test/`` and needs only
``node`` (Node.js 20.19 or later, which loads ``.js`` files written as ES modules).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_TESTS = ROOT / "web" / "test"


def test_node_unit_tests_of_the_page_modules_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: apt-get install nodejs npm", pytrace=False)
    done = subprocess.run(
        [node, "--test", str(NODE_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = "\n".join(line for line in done.stdout.splitlines() if line.startswith("# "))
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert "# fail 0" in summary and "# pass " in summary, summary
