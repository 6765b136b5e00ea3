"""casegraph CSV: ``entities.csv`` and ``relationships.csv`` (and, optionally, ``sources.csv``),
read as spreadsheets save them, and written.

The path is a folder holding them or one of the files. Which file is which is told by its
header, so uploaded files may have any name:

* entities: ``id,label,name,aliases,sources,`` then property columns;
* relationships: ``type,from,to,sources,`` then property columns;
* sources: ``id,title,`` then ``url``, ``published``, ``language`` and other columns.

Each file is read as a spreadsheet program saved it (:class:`CsvOptions` overrides both):

* **encoding** — UTF-8, UTF-8 with a byte-order mark, or, when the bytes are not UTF-8,
  Windows-1251 (the Cyrillic Excel default) or KOI8-R, told apart by ``charset-normalizer``;
  any Python codec may be named instead (``kz1048`` for Kazakh Windows files);
* **delimiter** — ``,``, ``;`` (Excel in Russian and Kazakh locales) or tab, sniffed from the
  header line;
* **list cells** (``aliases``, ``sources``) are ``;``-separated, or ``|``-separated when ``;``
  is the delimiter;
* **dates** in the columns named by :attr:`CsvOptions.date_columns` may be Excel serial
  numbers or ``dd.mm.yyyy``; they become ISO dates (see :func:`casegraph.values.parse_date`).

Empty cells are left out; every other column becomes a property (typed properties are checked
by the validator). Each row becomes a raw record in the casegraph interchange shape with its
line number and, under ``_file``, the name of its file, which errors name as ``FILE:field``.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "entities.csv").write_text("id,label,name,aliases,sources,position\\n"
...                                   "p1,Person,Duman Taev,Думан Таев;D. Taev,,chief\\n")
>>> [(line, raw["name"], raw["aliases"], raw["properties"]) for line, raw in read_csv(d)]
[(2, 'Duman Taev', ['Думан Таев', 'D. Taev'], {'position': 'chief'})]

A Windows-1251 file with ``;`` as its delimiter and an Excel date:

>>> _ = (d / "entities.csv").write_bytes("id;label;name;aliases;birth_date\\r\\n"
...     "p2;Person;Думан Таев;Д. Таев|Таев Д.;01.03.1979\\r\\n".encode("cp1251"))
>>> opts = CsvOptions(date_columns=frozenset({"birth_date"}))
>>> [(raw["name"], raw["aliases"], raw["properties"]) for _, raw in read_csv(d, opts)]
[('Думан Таев', ['Д. Таев', 'Таев Д.'], {'birth_date': '1979-03-01'})]
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer

from casegraph.errors import RecordError
from casegraph.formats.jsonl import Parsed
from casegraph.values import parse_date

__all__ = [
    "CsvOptions",
    "csv_files",
    "csv_role",
    "detect_encoding",
    "looks_like_csv",
    "read_csv",
    "sniff_delimiter",
    "to_csv_zip",
]

ENTITY_COLUMNS = ("id", "label", "name")
RELATIONSHIP_COLUMNS = ("type", "from", "to")
SOURCE_COLUMNS = ("id", "title")
DELIMITERS = (",", ";", "\t")
LIST_SEPARATOR = ";"
LIST_SEPARATOR_WHEN_SEMICOLON = "|"
# Tried, in this order, when a file is not UTF-8 (charset-normalizer picks among them).
LEGACY_ENCODINGS = ("cp1251", "koi8_r")
_BOM = codecs.BOM_UTF8
_ORDER = {"sources": 0, "entities": 1, "relationships": 2}
_FIXED = {
    "entities": ("id", "label", "name", "aliases", "sources"),
    "relationships": ("type", "from", "to", "sources"),
    "sources": ("id", "title"),
}
_MAX_ERRORS = 100


@dataclass(frozen=True)
class CsvOptions:
    """How to read the CSV files: ``None`` means detect (encoding) or sniff (delimiter).

    ``date_columns`` names the columns that hold dates, which may then be written as
    spreadsheets write them (the ingest passes the model's date properties).
    """

    encoding: str | None = None
    delimiter: str | None = None
    date_columns: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(f"unknown encoding {self.encoding!r}") from None
        if self.delimiter is not None and self.delimiter not in DELIMITERS:
            raise ValueError(
                f"delimiter must be one of {', '.join(repr(d) for d in DELIMITERS)}, "
                f"not {self.delimiter!r}"
            )


def csv_role(header: list[str]) -> str | None:
    """``sources``, ``entities`` or ``relationships`` from a header, or ``None``.

    >>> csv_role(["type", "from", "to", "sources", "amount"]), csv_role(["x"])
    ('relationships', None)
    """
    cols = {c.strip() for c in header}
    if set(RELATIONSHIP_COLUMNS) <= cols:
        return "relationships"
    if set(ENTITY_COLUMNS) <= cols:
        return "entities"
    if set(SOURCE_COLUMNS) <= cols:
        return "sources"
    return None


def detect_encoding(path: Path) -> str | None:
    """The encoding a file was saved in: ``utf-8-sig`` (a byte-order mark), ``utf-8``, or
    one of :data:`LEGACY_ENCODINGS` as ``charset-normalizer`` judges the bytes; ``None``
    when none of them reads the file.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
    >>> for enc in ("utf-8", "utf-8-sig", "cp1251", "koi8_r"):
    ...     _ = f.write_bytes("id,label,name\\np1,Person,Жанна Абдрахманова\\n".encode(enc))
    ...     print(detect_encoding(f), end=" ")
    utf-8 utf-8-sig cp1251 koi8_r
    """
    with path.open("rb") as f:
        if f.read(len(_BOM)) == _BOM:
            return "utf-8-sig"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_path(path, cp_isolation=list(LEGACY_ENCODINGS)).best()
    return None if best is None else codecs.lookup(best.encoding).name.replace("-", "_")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV file from its header line: the most frequent of ``,`` ``;``
    and tab outside quotes (``,`` on a tie or when there is none).

    >>> sniff_delimiter("id;label;name"), sniff_delimiter("id,label,name"), sniff_delimiter("x")
    (';', ',', ',')
    >>> sniff_delimiter('id;label;"name, as written"')
    ';'
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first on a tie
    return best if counts[best] else ","


@dataclass(frozen=True)
class _Dialect:
    encoding: str
    delimiter: str

    @property
    def list_separator(self) -> str:
        return LIST_SEPARATOR_WHEN_SEMICOLON if self.delimiter == ";" else LIST_SEPARATOR


def _first_line(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        return f.readline()


def _dialect(path: Path, options: CsvOptions) -> _Dialect | RecordError:
    encoding = options.encoding or detect_encoding(path)
    if encoding is None:
        return RecordError(
            1,
            f"{path.name}:",
            "not text in UTF-8, Windows-1251 or KOI8-R; name its encoding (--encoding)",
        )
    delimiter = options.delimiter or sniff_delimiter(_first_line(path, encoding))
    return _Dialect(encoding, delimiter)


def _header(path: Path, dialect: _Dialect) -> list[str]:
    line = _first_line(path, dialect.encoding)
    return next(csv.reader([line], delimiter=dialect.delimiter), [])


def csv_files(path: Path, options: CsvOptions | None = None) -> list[tuple[str, Path]]:
    """The CSV files under ``path`` (a folder or one file) with their roles, in load order
    (sources, entities, relationships). Files whose header fits no role get role ``""``."""
    options = options or CsvOptions()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    roles = []
    for f in files:
        dialect = _dialect(f, options)
        role = "" if isinstance(dialect, RecordError) else csv_role(_header(f, dialect)) or ""
        roles.append((role, f))
    return sorted(roles, key=lambda rf: (_ORDER.get(rf[0], 3), rf[1].name))


def _split(cell: str | None, separator: str) -> list[str]:
    if not cell:
        return []
    return [part.strip() for part in cell.split(separator) if part.strip()]


def _bad_encoding(path: Path, encoding: str) -> list[RecordError]:
    """Every line (up to 100) that is not text in ``encoding``, with the byte that fails."""
    errors: list[RecordError] = []
    name = codecs.lookup(encoding).name
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if number == 1 and name == "utf-8" and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as exc:
                errors.append(
                    RecordError(
                        number,
                        f"{path.name}:",
                        f"not {name} text ({exc.reason} at byte {exc.start})",
                    )
                )
                if len(errors) >= _MAX_ERRORS:
                    break
    return errors


def _cell_value(column: str, cell: str, options: CsvOptions) -> str:
    """A cell as the validator should see it: a date column's spreadsheet date made ISO."""
    if column in options.date_columns:
        iso = parse_date(cell, spreadsheet=True)
        if iso is not None:
            return iso
    return cell


def _row_record(
    role: str, row: dict[str, str], extra: list[str], separator: str, options: CsvOptions
) -> dict[str, Any]:
    props = {c: _cell_value(c, row[c], options) for c in extra if row.get(c) not in (None, "")}
    if role == "entities":
        return {
            "kind": "entity",
            "id": row.get("id"),
            "label": (row.get("label") or "").strip(),
            "name": row.get("name"),
            "aliases": _split(row.get("aliases"), separator),
            "sources": _split(row.get("sources"), separator),
            "properties": props,
        }
    if role == "relationships":
        return {
            "kind": "relationship",
            "type": (row.get("type") or "").strip(),
            "from": row.get("from"),
            "to": row.get("to"),
            "sources": _split(row.get("sources"), separator),
            "properties": props,
        }
    return {"kind": "source", "id": row.get("id"), "title": row.get("title"), **props}


def iter_csv_file(path: Path, role: str, options: CsvOptions | None = None) -> Iterator[Parsed]:
    """Raw records of one CSV file of ``role``."""
    options = options or CsvOptions()
    name = path.name
    if not role:
        yield RecordError(
            1,
            f"{name}:",
            "header names no known CSV layout: entities need id,label,name; relationships "
            "need type,from,to; sources need id,title (delimiter , ; or tab)",
        )
        return
    dialect = _dialect(path, options)
    if isinstance(dialect, RecordError):
        yield dialect
        return
    bad = _bad_encoding(path, dialect.encoding)
    if bad:
        yield from bad
        return
    encoding = "utf-8-sig" if codecs.lookup(dialect.encoding).name == "utf-8" else dialect.encoding
    with path.open("r", encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=dialect.delimiter)
        try:
            header = [c.strip() for c in next(reader)]
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(1, f"{name}:", f"invalid CSV: {exc}")
            return
        extra = [c for c in header if c and c not in _FIXED[role]]
        width = len(header)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RecordError(reader.line_num, f"{name}:", f"invalid CSV: {exc}")
                return
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                yield RecordError(
                    line, f"{name}:", f"row has {len(cells)} cells, the header has {width}"
                )
                continue
            row = dict(zip(header, cells, strict=True))
            raw = _row_record(role, row, extra, dialect.list_separator, options)
            raw["_file"] = name
            yield line, raw


def read_csv(path: Path, options: CsvOptions | None = None) -> Iterator[Parsed]:
    """Raw records of every CSV file under ``path``, sources first, relationships last."""
    for role, f in csv_files(path, options):
        yield from iter_csv_file(f, role, options)


def looks_like_csv(head: bytes) -> bool:
    """Whether the first bytes of a file look like a casegraph CSV header (any delimiter).

    >>> looks_like_csv(b"id;label;name\\n"), looks_like_csv(b'{"kind": "entity"}')
    (True, False)
    """
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    if not text:
        return False
    header = next(csv.reader([text[0]], delimiter=sniff_delimiter(text[0])), [])
    return csv_role(header) is not None


def to_csv_zip(graph: dict[str, Any]) -> bytes:
    """``entities.csv`` and ``relationships.csv`` (casegraph CSV) in one zip."""
    node_props = sorted({k for n in graph["nodes"] for k in n.get("properties", {})})
    edge_props = sorted({k for e in graph["edges"] for k in e.get("properties", {})})

    def cell(v: Any) -> str:
        return ";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))

    ents = io.StringIO()
    w = csv.writer(ents)
    w.writerow(["id", "label", "name", "aliases", "sources", *node_props])
    for n in graph["nodes"]:
        p = n.get("properties", {})
        w.writerow(
            [
                n["id"],
                n["label"],
                n["name"],
                cell(n.get("aliases")),
                cell(n.get("sources")),
                *(cell(p.get(k)) for k in node_props),
            ]
        )
    rels = io.StringIO()
    w = csv.writer(rels)
    w.writerow(["type", "from", "to", "sources", *edge_props])
    for e in graph["edges"]:
        p = e.get("properties", {})
        w.writerow(
            [
                e["type"],
                e["from"],
                e["to"],
                cell(e.get("sources")),
                *(cell(p.get(k)) for k in edge_props),
            ]
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("entities.csv", ents.getvalue())
        z.writestr("relationships.csv", rels.getvalue())
    return out.getvalue()
