"""Builders of casegraph records (the JSON Lines input of ``casegraph ingest``, see
docs/formats) and of the files that hold them, shared by the tests.

>>> entity("p-1", name="Anna Ryl")
{'kind': 'entity', 'id': 'p-1', 'label': 'Person', 'name': 'Anna Ryl', 'sources': ['src-test']}
>>> rel("LEADS", "p-1", "o-1", sources=["src-court"])["sources"]
['src-court']
>>> print(jsonl([source(), entity("o-1", "Organization", sources=None)]), end="")
{"kind": "source", "id": "src-test", "title": "test network"}
{"kind": "entity", "id": "o-1", "label": "Organization", "name": "o-1"}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

#: the source every record built here cites unless told otherwise
SOURCE = "src-test"


def source(sid: str = SOURCE, title: str = "test network", **fields: Any) -> dict[str, Any]:
    """A ``source`` record (``fields``: ``language``, ``url``, ``properties`` …)."""
    return {"kind": "source", "id": sid, "title": title, **fields}


def entity(
    eid: str,
    label: str = "Person",
    name: str | None = None,
    *,
    aliases: Iterable[str] | None = None,
    props: Mapping[str, Any] | None = None,
    sources: Iterable[str] | None = (SOURCE,),
) -> dict[str, Any]:
    """An ``entity`` record, named by its id unless ``name`` is given. ``aliases`` and
    ``props`` are left out when not given, ``sources`` when None."""
    record: dict[str, Any] = {"kind": "entity", "id": eid, "label": label, "name": name or eid}
    if aliases is not None:
        record["aliases"] = list(aliases)
    if props is not None:
        record["properties"] = dict(props)
    if sources is not None:
        record["sources"] = list(sources)
    return record


def rel(
    rtype: str,
    frm: str,
    to: str,
    props: Mapping[str, Any] | None = None,
    sources: Iterable[str] | None = (SOURCE,),
) -> dict[str, Any]:
    """A ``relationship`` record from ``frm`` to ``to`` (``sources`` left out when None)."""
    record: dict[str, Any] = {
        "kind": "relationship",
        "type": rtype,
        "from": frm,
        "to": to,
        "properties": dict(props or {}),
    }
    if sources is not None:
        record["sources"] = list(sources)
    return record


def jsonl(records: Iterable[Mapping[str, Any]]) -> str:
    """The records as JSON Lines text (one record a line, each line ending in a newline)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    """Write the records to ``path`` as JSON Lines (UTF-8); return ``path``."""
    path.write_text(jsonl(records), encoding="utf-8")
    return path


def write_lines(path: Path, lines: Iterable[str]) -> Path:
    """Write lines of text as they are (for lines a test spells out, broken ones too)."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
