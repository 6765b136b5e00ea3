"""Which format a path holds, and the reader for it.

``casegraph`` (JSON Lines with ``kind``), ``csv`` (a folder of CSV files or one CSV file)
or ``ftm`` (FollowTheMoney JSON Lines with ``schema``). When no format is given it is
guessed from the content: a folder or a CSV header means ``csv``; otherwise the first JSON
record decides (``schema`` without ``kind`` means ``ftm``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson

from casegraph.errors import InvalidRequestError
from casegraph.formats.csv import CsvOptions, looks_like_csv, read_csv
from casegraph.formats.ftm import looks_like_ftm, read_ftm
from casegraph.formats.jsonl import Parsed, read_jsonl
from casegraph.graph.model import date_properties

FORMATS = ("casegraph", "csv", "ftm")
Reader = Callable[[Path], Iterator[Parsed]]
READERS: dict[str, Reader] = {"casegraph": read_jsonl, "csv": read_csv, "ftm": read_ftm}


def detect_format(path: Path) -> str:
    """Guess the format of ``path`` from its content (``casegraph`` when unsure, so that the
    validator explains what is wrong)."""
    if path.is_dir():
        return "csv"
    with path.open("rb") as f:
        head = f.read(64 * 1024)
    for raw in head.splitlines():
        raw = raw.removeprefix(b"\xef\xbb\xbf").strip()
        if not raw:
            continue
        try:
            first = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return "csv" if looks_like_csv(head) else "casegraph"
        return "ftm" if looks_like_ftm(first) else "casegraph"
    return "casegraph"


def csv_options(encoding: str | None = None, delimiter: str | None = None) -> CsvOptions:
    """How to read CSV files (``None``: detect), with the model's date columns; a clear
    error for an unknown encoding or delimiter."""
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    try:
        return CsvOptions(encoding or None, delimiter or None, date_properties())
    except ValueError as exc:
        raise InvalidRequestError(str(exc)) from None


def reader_for(
    path: Path, fmt: str | None, options: CsvOptions | None = None
) -> tuple[str, Reader]:
    """The format (given or guessed) and its reader (CSV read with ``options``)."""
    if fmt is None or fmt == "auto":
        fmt = detect_format(path)
    if fmt not in READERS:
        raise InvalidRequestError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if path.is_dir() and fmt != "csv":
        raise InvalidRequestError(f"{path} is a folder; only the csv format reads folders")
    if fmt == "csv":
        return fmt, functools.partial(read_csv, options=options or csv_options())
    return fmt, READERS[fmt]
