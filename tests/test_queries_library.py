"""Loading and checking saved-query files, and checking parameters before Neo4j sees them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casegraph.graph.db import GraphDB
from casegraph.queries.errors import QueryParameterError
from casegraph.queries.library import (
    BUILTIN_DIR,
    cypher_parameters,
    load_library,
    query_folders,
)
from casegraph.queries.params import ParamTypeError, coerce_params, coerce_value, parse_param_line

GOOD = """// name: people-named
// description: People with a given name.
// param: name: string — the name
// param: limit: int = 10
MATCH (p:Person {name: $name}) RETURN p.id AS id LIMIT $limit
"""

BAD_FILES = {
    "no-name.cypher": ("// description: d\nRETURN 1", "exactly one '// name:'"),
    "no-description.cypher": ("// name: x1\nRETURN 1", "'// description:'"),
    "undeclared.cypher": (
        "// name: x2\n// description: d\nRETURN $who AS w",
        "used but not declared: who",
    ),
    "unused.cypher": (
        "// name: x3\n// description: d\n// param: who: string\nRETURN 1",
        "declared but not used: who",
    ),
    "bad-type.cypher": (
        "// name: x4\n// description: d\n// param: n: integer\nRETURN $n",
        "unknown type 'integer'",
    ),
    "bad-default.cypher": (
        "// name: x5\n// description: d\n// param: n: int = many\nRETURN $n",
        "default of 'n'",
    ),
    "empty-body.cypher": ("// name: x6\n// description: d\n", "no Cypher"),
    "twice.cypher": (
        "// name: x7\n// description: d\n// param: n: int\n// param: n: int\nRETURN $n",
        "declared twice",
    ),
    "bad-name.cypher": ("// name: Bad Name!\n// description: d\nRETURN 1", "name 'Bad Name!'"),
    "malformed-param.cypher": (
        "// name: x8\n// description: d\n// param: just words\nRETURN 1",
        "malformed parameter declaration",
    ),
}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_with_its_parameters(tmp_path: Path) -> None:
    write(tmp_path, "people.cypher", GOOD)
    lib = load_library([tmp_path])
    assert lib.problems == []
    q = lib.get("people-named")
    assert q.description == "People with a given name."
    assert [(p.name, p.type, p.required, p.default) for p in q.params] == [
        ("name", "string", True, None),
        ("limit", "int", False, 10),
    ]
    assert q.params[0].description == "the name"
    assert q.cypher.startswith("MATCH (p:Person")


def test_malformed_files_are_reported_with_path_and_reason_and_others_still_load(
    tmp_path: Path,
) -> None:
    write(tmp_path, "people.cypher", GOOD)
    for name, (text, _) in BAD_FILES.items():
        write(tmp_path, name, text)
    lib = load_library([tmp_path])
    assert list(lib.queries) == ["people-named"]
    reasons = {Path(p.path).name: p.reason for p in lib.problems}
    assert set(reasons) == set(BAD_FILES)
    for name, (_, expected) in BAD_FILES.items():
        assert expected in reasons[name], (name, reasons[name])
    for p in lib.problems:
        assert Path(p.path).parent == tmp_path


def test_query_path_folders_load_the_same_way_and_a_clash_names_both_files(
    tmp_path: Path,
) -> None:
    a = write(tmp_path / "a", "people.cypher", GOOD)
    b = write(tmp_path / "b", "same-name.cypher", GOOD)
    write(tmp_path / "b", "other.cypher", GOOD.replace("people-named", "other-people"))
    write(tmp_path / "b", "broken.cypher", BAD_FILES["unused.cypher"][0])
    folders = query_folders(os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert folders[0] == BUILTIN_DIR
    lib = load_library(folders)
    assert {"people-named", "other-people", "victims-by-destination"} <= set(lib.queries)
    assert lib.get("people-named").path == str(a)
    clash = [p for p in lib.problems if "clash" in p.reason]
    assert len(clash) == 1
    assert str(a) in clash[0].reason and str(b) in clash[0].reason
    assert any(p.path.endswith("broken.cypher") for p in lib.problems)


def test_a_missing_query_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    lib = load_library(query_folders(str(tmp_path / "nowhere")))
    assert [p.reason for p in lib.problems] == ["not a folder"]
    assert len(lib.queries) >= 15


def test_the_shipped_library_is_clean() -> None:
    lib = load_library([BUILTIN_DIR])
    assert lib.problems == []
    assert len(lib.queries) >= 15
    for q in lib.list():
        assert q.description and q.cypher
        assert Path(q.path).stem == q.name


def test_a_saved_query_that_writes_is_refused_at_load_naming_the_file(
    db: GraphDB, tmp_path: Path
) -> None:
    db.write("CREATE (:Entity:Person {id: 'p1', name: 'Ann'})")
    write(tmp_path, "people.cypher", GOOD)
    deleter = write(
        tmp_path,
        "wipe.cypher",
        "// name: wipe\n// description: looks harmless\nMATCH (n) DETACH DELETE n",
    )
    setter = write(
        tmp_path,
        "rename.cypher",
        "// name: rename\n// description: d\n// param: name: string\n"
        "MATCH (p:Person) SET p.name = $name RETURN p",
    )
    reader = write(
        tmp_path,
        "files.cypher",
        "// name: files\n// description: d\nLOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    )
    lib = load_library([tmp_path])
    assert {"wipe", "rename", "files", "people-named"} == set(lib.queries)
    lib.check_plans(db)
    assert set(lib.queries) == {"people-named"}
    reasons = {p.path: p.reason for p in lib.problems}
    assert "writes" in reasons[str(deleter)]
    assert "writes" in reasons[str(setter)]
    assert "LOAD CSV" in reasons[str(reader)]
    assert db.read("MATCH (n:Person) RETURN n.name AS name") == [{"name": "Ann"}]


def test_parameters_used_are_found_outside_strings_and_comments() -> None:
    text = (
        "MATCH (n {id: $id}) // uses $not_this\n"
        "WHERE n.x = '$nor_this' /* $nor */ RETURN $`odd name`"
    )
    assert cypher_parameters(text) == ["id", "odd name"]


# -- parameters ----------------------------------------------------------------------------

SPECS = [
    parse_param_line("country: string — where"),
    parse_param_line("limit: int = 50"),
    parse_param_line("min_amount: float = 0"),
    parse_param_line("minors_only: bool = false"),
    parse_param_line("since: date = null — optional"),
    parse_param_line('kinds: list<string> = ["a", "b"]'),
    parse_param_line("years: list<int> = []"),
]


def test_parameters_are_coerced_and_defaults_filled_in() -> None:
    got = coerce_params(
        SPECS,
        {"country": "BH", "limit": "7", "minors_only": "yes", "since": "2016-05", "years": "1,2"},
    )
    assert got == {
        "country": "BH",
        "limit": 7,
        "min_amount": 0.0,
        "minors_only": True,
        "since": "2016-05",
        "kinds": ["a", "b"],
        "years": [1, 2],
    }
    got = coerce_params(SPECS, {"country": "KZ", "limit": 3.0, "kinds": ["x"], "since": None})
    assert got["limit"] == 3 and got["kinds"] == ["x"] and got["since"] is None


@pytest.mark.parametrize(
    ("ptype", "value", "reason"),
    [
        ("int", "seven", "expected a number"),
        ("int", 2.5, "whole number"),
        ("int", True, "expected a number"),
        ("float", "nan", "finite"),
        ("bool", "maybe", "true or false"),
        ("date", "2017-02-30", "expected a date"),
        ("date", 2017, "expected a date"),
        ("string", {"a": 1}, "expected text"),
        ("list<int>", "[1, 2", "not a JSON list"),
        ("list<int>", ["1", "x"], "item 1"),
        ("list<string>", 5, "expected a list"),
    ],
)
def test_bad_values_are_refused_with_the_reason(ptype: str, value: object, reason: str) -> None:
    with pytest.raises(ParamTypeError, match=reason):
        coerce_value(ptype, value)


def test_missing_unknown_and_bad_parameters_give_one_error_listing_what_the_query_takes() -> None:
    with pytest.raises(QueryParameterError) as info:
        coerce_params(SPECS, {"limit": "lots", "colour": "red"})
    exc = info.value
    assert exc.status_code == 422
    problems = {p["param"]: p["reason"] for p in exc.details["problems"]}
    assert problems == {
        "colour": "unknown parameter",
        "country": "required",
        "limit": 'expected a number, got "lots"',
    }
    assert [p["name"] for p in exc.details["parameters"]] == [s.name for s in SPECS]
    assert "This query takes: country: string, limit: int = 50" in exc.message


@pytest.mark.parametrize("bad", ["n: integer", "n int", "n: list<map>", "9n: int"])
def test_unknown_types_and_malformed_declarations_are_refused(bad: str) -> None:
    with pytest.raises(ParamTypeError):
        parse_param_line(bad)
