"""casegraph CSV: ``entities.csv`` and ``relationships.csv`` (and, optionally, ``sources.csv``).

The path is a folder holding them or one of the files. Which file is which is told by its
header, so uploaded files may have any name:

* entities: ``id,label,name,aliases,sources,`` then property columns;
* relationships: ``type,from,to,sources,`` then property columns;
* sources: ``id,title,`` then ``url``, ``published``, ``language`` and other columns.

List cells (``aliases``, ``sources``) are ``;``-separated; empty cells are left out; every
other column becomes a property (typed properties are checked by the validator). Each row
becomes a raw record in the casegraph interchange shape with its line number and, under
``_file``, the name of its file, which errors name as ``FILE:field``.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "entities.csv").write_text("id,label,name,aliases,sources,position\\n"
...                                   "p1,Person,Duman Taev,Думан Таев;D. Taev,,chief\\n")
>>> [(line, raw["name"], raw["aliases"], raw["properties"]) for line, raw in read_csv(d)]
[(2, 'Duman Taev', ['Думан Таев', 'D. Taev'], {'position': 'chief'})]
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casegraph.errors import RecordError
from casegraph.formats.jsonl import Parsed

ENTITY_COLUMNS = ("id", "label", "name")
RELATIONSHIP_COLUMNS = ("type", "from", "to")
SOURCE_COLUMNS = ("id", "title")
LIST_SEPARATOR = ";"
_ORDER = {"sources": 0, "entities": 1, "relationships": 2}


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


def _header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        return next(csv.reader(f), [])


def csv_files(path: Path) -> list[tuple[str, Path]]:
    """The CSV files under ``path`` (a folder or one file) with their roles, in load order
    (sources, entities, relationships). Files whose header fits no role get role ``""``."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    roles = [(csv_role(_header(f)) or "", f) for f in files]
    return sorted(roles, key=lambda rf: (_ORDER.get(rf[0], 3), rf[1].name))


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _bad_encoding(path: Path) -> list[RecordError]:
    errors: list[RecordError] = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                errors.append(
                    RecordError(
                        number,
                        f"{path.name}:",
                        f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                    )
                )
                if len(errors) >= 100:
                    break
    return errors


def _row_record(role: str, row: dict[str, str], extra: list[str]) -> dict[str, Any]:
    props = {c: row[c] for c in extra if row.get(c) not in (None, "")}
    if role == "entities":
        return {
            "kind": "entity",
            "id": row.get("id"),
            "label": (row.get("label") or "").strip(),
            "name": row.get("name"),
            "aliases": _split(row.get("aliases")),
            "sources": _split(row.get("sources")),
            "properties": props,
        }
    if role == "relationships":
        return {
            "kind": "relationship",
            "type": (row.get("type") or "").strip(),
            "from": row.get("from"),
            "to": row.get("to"),
            "sources": _split(row.get("sources")),
            "properties": props,
        }
    return {"kind": "source", "id": row.get("id"), "title": row.get("title"), **props}


def iter_csv_file(path: Path, role: str) -> Iterator[Parsed]:
    """Raw records of one CSV file of ``role``."""
    name = path.name
    if not role:
        yield RecordError(
            1,
            f"{name}:",
            "header names no known CSV layout: entities need id,label,name; relationships "
            "need type,from,to; sources need id,title",
        )
        return
    bad = _bad_encoding(path)
    if bad:
        yield from bad
        return
    fixed = {
        "entities": ("id", "label", "name", "aliases", "sources"),
        "relationships": ("type", "from", "to", "sources"),
        "sources": ("id", "title"),
    }[role]
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        try:
            header = [c.strip() for c in next(reader)]
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(1, f"{name}:", f"invalid CSV: {exc}")
            return
        extra = [c for c in header if c and c not in fixed]
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
            raw = _row_record(role, dict(zip(header, cells, strict=True)), extra)
            raw["_file"] = name
            yield line, raw


def read_csv(path: Path) -> Iterator[Parsed]:
    """Raw records of every CSV file under ``path``, sources first, relationships last."""
    for role, f in csv_files(path):
        yield from iter_csv_file(f, role)


def looks_like_csv(head: bytes) -> bool:
    """Whether the first bytes of a file look like a casegraph CSV header."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    if not text:
        return False
    return csv_role(next(csv.reader(io.StringIO(text[0])), [])) is not None


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
