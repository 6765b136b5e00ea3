"""The code's shape: Cypher lives in ``casegraph/graph/`` (and the saved queries' files), and
the layers of ``[tool.importlinter]`` hold (``make lint`` checks them with ``lint-imports``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "casegraph"
CYPHER = re.compile(r"\b(MATCH|MERGE|UNWIND|CREATE|DETACH DELETE)\b\s*[\(\[:$]")

pytestmark = pytest.mark.unit


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_cypher_outside_graph() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text.strip()[:60]!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "graph" not in path.relative_to(PACKAGE).parts[:1]
        for line, text in _code_strings(path)
        if CYPHER.search(text)
    ]
    assert found == []


def test_the_check_sees_cypher(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""MATCH (n) in a docstring is fine."""\nQ = "MATCH (n) RETURN n"\n')
    assert [line for line, text in _code_strings(module) if CYPHER.search(text)] == [2]


def test_import_layers_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint)], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 kept, 0 broken" in done.stdout
