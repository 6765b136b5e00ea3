"""casegraph JSON Lines: one JSON object per line (see DESIGN.md).

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
