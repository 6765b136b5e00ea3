"""casegraph JSON Lines: one JSON object per line (see DESIGN.md), read and written.

:func:`iter_jsonl` streams ``(line number, raw dict)`` pairs and reports lines that are not
JSON, or not UTF-8, as :class:`~casegraph.errors.RecordError` instead of stopping. Lines are
parsed with ``orjson`` (several times faster than :mod:`json` on large files).

>>> import io
>>> list(iter_jsonl(io.BytesIO(b'{"kind": "source", "id": "s"}\\n\\n{oops\\n')))[0]
(1, {'kind': 'source', 'id': 's'})
>>> list(iter_jsonl(io.BytesIO(b'{"kind": "source", "id": "s"}\\n\\n{oops\\n')))[1].line
3
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from casegraph.errors import RecordError

SOURCE = "Source"  # the kind of a source node in a snapshot (graph.model.SOURCE)

Parsed = tuple[int, Any] | RecordError

_BOM = b"\xef\xbb\xbf"


def _diagnose(number: int, raw: bytes) -> RecordError:
    """Why a line that orjson refused is not a JSON record (encoding or syntax)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RecordError(number, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return RecordError(number, "", f"invalid JSON: {exc.msg} at column {exc.colno}")
    return RecordError(number, "", "invalid JSON")


def iter_jsonl(stream: IO[bytes]) -> Iterator[Parsed]:
    """Yield ``(line, value)`` for each non-blank line, or a :class:`RecordError`."""
    loads = orjson.loads
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            yield number, loads(raw)
        except orjson.JSONDecodeError:
            if raw.strip():
                yield _diagnose(number, raw)


def read_jsonl(path: Path) -> Iterator[Parsed]:
    with path.open("rb") as f:
        yield from iter_jsonl(f)


def to_jsonl(graph: dict[str, Any]) -> str:
    """casegraph JSON Lines: loads back with ``casegraph ingest`` (sources must exist)."""
    lines = [
        json.dumps(
            {
                "kind": "source",
                "id": n["id"],
                "title": n["name"],
                "properties": {k: v for k, v in n.get("properties", {}).items() if k != "title"},
            },
            ensure_ascii=False,
        )
        for n in graph["nodes"]
        if n["label"] == SOURCE
    ]
    lines += [
        json.dumps(
            {
                "kind": "entity",
                "id": n["id"],
                "label": n["label"],
                "name": n["name"],
                "aliases": n.get("aliases", []),
                "properties": n.get("properties", {}),
                "sources": n.get("sources", []),
            },
            ensure_ascii=False,
        )
        for n in graph["nodes"]
        if n["label"] != SOURCE
    ]
    lines += [
        json.dumps(
            {
                "kind": "relationship",
                "type": e["type"],
                "from": e["from"],
                "to": e["to"],
                "properties": e.get("properties", {}),
                "sources": e.get("sources", []),
            },
            ensure_ascii=False,
        )
        for e in graph["edges"]
    ]
    return "".join(line + "\n" for line in lines)
