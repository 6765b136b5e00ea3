"""casegraph JSON Lines: one JSON object per line (see DESIGN.md).

:func:`read_jsonl` streams ``(line number, raw dict)`` pairs and reports lines that are not
JSON as :class:`~casegraph.errors.RecordError` instead of stopping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from casegraph.errors import RecordError

Parsed = tuple[int, Any] | RecordError


def iter_jsonl(stream: IO[bytes]) -> Iterator[Parsed]:
    """Yield ``(line, value)`` for each non-blank line, or a :class:`RecordError`."""
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RecordError(number, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            continue
        if number == 1:
            text = text.lstrip("\ufeff")
        if not text.strip():
            continue
        try:
            yield number, json.loads(text)
        except json.JSONDecodeError as exc:
            yield RecordError(number, "", f"invalid JSON: {exc.msg} at column {exc.colno}")


def read_jsonl(path: Path) -> Iterator[Parsed]:
    with path.open("rb") as f:
        yield from iter_jsonl(f)
