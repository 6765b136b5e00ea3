"""The saved-query library: ``.cypher`` files with a header, loaded and checked.

A file holds one query. Its header (the leading ``//`` lines) names it, describes it and
declares its parameters::

    // name: victims-by-destination
    // description: Victims trafficked to a country, with the cases and suspects linked to them.
    // param: country: string — country name or ISO code
    // param: limit: int = 50

The loader reads the shipped folder (``casegraph/cypher``) and the folders of
``CASEGRAPH_QUERY_PATH`` (separated by ``os.pathsep``), and checks every file: a complete
header, every ``$parameter`` of the body declared and every declared one used, known
types and valid defaults. A file that fails is reported (path and reason) and left out;
the others still load. Two files with one name are an error naming both (the first one
found is kept). :meth:`Library.check_plans` then ``EXPLAIN``\\ s every query and leaves out
those whose plan writes.

Examples
--------
>>> q = parse_query(
...     "// name: one\\n// description: d\\n// param: n: int = 1\\nRETURN $n AS n", "one.cypher"
... )
>>> q.name, [p.name for p in q.params], q.cypher
('one', ['n'], 'RETURN $n AS n')
>>> cypher_parameters("RETURN $a, '$b', $c // $d")
['a', 'c']
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casegraph.errors import NotFoundError
from casegraph.graph.db import GraphDB
from casegraph.queries.errors import CypherError, QueryLibraryError, QueryRefusedError
from casegraph.queries.params import ParamSpec, ParamTypeError, parse_param_line
from casegraph.queries.readonly import check_read_only

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "cypher"
SUFFIX = ".cypher"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_HEADER = re.compile(r"^//\s*(?P<key>[A-Za-z]+)\s*:\s*(?P<value>.*)$")
_PARAM_REF = re.compile(r"\$(?:([A-Za-z_][A-Za-z0-9_]*)|`([^`]+)`)")
# (server, Cypher) pairs whose plan was found read-only: whether a plan writes depends on
# the text alone, so each text is EXPLAINed once per process and server.
_READ_ONLY_PLANS: set[tuple[str, str]] = set()
# Values used to EXPLAIN a saved query at load (plans do not depend on them).
_SAMPLE = {"string": "x", "int": 1, "float": 1.0, "bool": False, "date": "2000-01-01"}


@dataclass(frozen=True)
class SavedQuery:
    """One saved query: its name, description, parameters, Cypher and file."""

    name: str
    description: str
    params: list[ParamSpec]
    cypher: str
    path: str

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "params": [p.as_dict() for p in self.params],
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary(), "cypher": self.cypher, "path": self.path}

    def sample_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in self.params:
            out[p.name] = [] if p.type.startswith("list<") else _SAMPLE[p.type]
        return out


@dataclass(frozen=True)
class LibraryProblem:
    """A file left out of the library, and why."""

    path: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass
class Library:
    """The loaded queries by name, and the problems found while loading."""

    queries: dict[str, SavedQuery] = field(default_factory=dict)
    problems: list[LibraryProblem] = field(default_factory=list)
    plans_checked: bool = False

    def get(self, name: str) -> SavedQuery:
        try:
            return self.queries[name]
        except KeyError:
            known = ", ".join(sorted(self.queries)) or "none"
            raise NotFoundError(
                f"no saved query named {name!r}; known queries: {known}",
                details={"known": sorted(self.queries)},
            ) from None

    def list(self) -> list[SavedQuery]:
        return [self.queries[k] for k in sorted(self.queries)]

    def check_plans(self, db: GraphDB) -> None:
        """``EXPLAIN`` every query; leave out (and report) those that do not plan as
        read-only or do not compile."""
        for name, q in list(self.queries.items()):
            if (db.uri, q.cypher) in _READ_ONLY_PLANS:
                continue
            try:
                check_read_only(db, q.cypher, q.sample_params())
                _READ_ONLY_PLANS.add((db.uri, q.cypher))
            except (QueryRefusedError, CypherError) as exc:
                del self.queries[name]
                self.problems.append(LibraryProblem(q.path, exc.message))
        self.plans_checked = True


def _strip_strings_and_comments(text: str) -> str:
    """``text`` with string literals, quoted names and comments blanked out."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            out.append(" ")
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def cypher_parameters(text: str) -> list[str]:
    """The ``$parameter`` names used in Cypher text, in order of first use."""
    body = _strip_strings_and_comments(text)
    names = (a or b for a, b in _PARAM_REF.findall(body))
    return list(dict.fromkeys(names))


def parse_query(text: str, path: str) -> SavedQuery:
    """Parse one saved-query file; :class:`QueryLibraryError` names the path and reason."""

    def fail(reason: str) -> QueryLibraryError:
        return QueryLibraryError(f"{path}: {reason}", details={"path": path, "reason": reason})

    lines = text.splitlines()
    header: dict[str, list[str]] = {"name": [], "description": [], "param": []}
    body_start = len(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("//"):
            body_start = i
            break
        m = _HEADER.match(stripped)
        if m and m["key"].lower() in header:
            header[m["key"].lower()].append(m["value"].strip())
    cypher = "\n".join(lines[body_start:]).strip()
    if len(header["name"]) != 1 or not header["name"][0]:
        raise fail("the header needs exactly one '// name:' line")
    name = header["name"][0]
    if not _NAME.match(name):
        raise fail(f"name {name!r}: lower-case letters, digits, '-' and '_' only")
    description = " ".join(d for d in header["description"] if d)
    if not description:
        raise fail("the header needs a '// description:' line")
    if not cypher:
        raise fail("the file holds no Cypher after its header")
    specs: list[ParamSpec] = []
    for line in header["param"]:
        try:
            spec = parse_param_line(line)
        except ParamTypeError as exc:
            raise fail(str(exc)) from exc
        if any(s.name == spec.name for s in specs):
            raise fail(f"parameter {spec.name!r} is declared twice")
        specs.append(spec)
    used = cypher_parameters(cypher)
    undeclared = [u for u in used if u not in {s.name for s in specs}]
    if undeclared:
        raise fail(f"parameter(s) used but not declared: {', '.join(undeclared)}")
    unused = [s.name for s in specs if s.name not in used]
    if unused:
        raise fail(f"parameter(s) declared but not used: {', '.join(unused)}")
    return SavedQuery(name, description, specs, cypher, path)


def query_folders(query_path: str = "") -> list[Path]:
    """The shipped folder, then the folders named by ``query_path`` (``os.pathsep``-separated)."""
    extra = [Path(p).expanduser() for p in query_path.split(os.pathsep) if p.strip()]
    return [BUILTIN_DIR, *extra]


def load_library(folders: list[Path]) -> Library:
    """Load every ``*.cypher`` file of ``folders`` (in order; files sorted by name)."""
    lib = Library()
    for folder in folders:
        if not folder.is_dir():
            lib.problems.append(LibraryProblem(str(folder), "not a folder"))
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            try:
                q = parse_query(path.read_text(encoding="utf-8"), str(path))
            except QueryLibraryError as exc:
                lib.problems.append(LibraryProblem(str(path), exc.details["reason"]))
                continue
            except (OSError, UnicodeDecodeError) as exc:
                lib.problems.append(LibraryProblem(str(path), f"cannot be read: {exc}"))
                continue
            other = lib.queries.get(q.name)
            if other is not None:
                lib.problems.append(
                    LibraryProblem(
                        str(path),
                        f"name clash: {q.name!r} is defined in both {other.path} and {path}; "
                        f"keeping {other.path}",
                    )
                )
                continue
            lib.queries[q.name] = q
    return lib


def load_checked_library(db: GraphDB | None, query_path: str = "") -> Library:
    """Load the shipped and configured folders; check plans when ``db`` is given."""
    lib = load_library(query_folders(query_path))
    if db is not None:
        lib.check_plans(db)
    return lib
