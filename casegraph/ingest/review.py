"""Review: nothing an extraction proposes enters the entity graph unreviewed.

:func:`stage` stores a document's proposals (the answer of
:func:`casegraph.extract.pipeline.extract`) as a review set (see
:mod:`casegraph.graph.review` for what is stored, sealed with the protection key).
:func:`view_set` reads one back as a role may see it; :func:`decide` applies decisions
(accept, reject, link to an existing entity, edit the kind or name). Accepted items are
loaded by the normal ingest path (:func:`casegraph.ingest.pipeline.validate_input` and
:func:`~casegraph.ingest.pipeline.write_input`), with the document as their Source and their
spans as properties (``spans`` on entities: ``"SOURCE_ID:START-END"``; ``span`` and
``evidence`` on relationships), so protection applies exactly as for a loaded file.

Victims in staged proposals. A proposal gets a protection level when staged: a Person at the
victim end of a proposed relationship that marks victims (``EXPLOITED``, ``TRAFFICKED_TO``,
``VICTIM_IN``) or linked to a protected person: ``all``; a Person named within a few words
of an age under 18 ("a 16-year-old", "15 лет"): ``minors``; a relationship: the strongest
level of its ends (a victim-marking one at least ``all``). A role that may not see a level
(:data:`~casegraph.graph.model.VISIBLE_LEVELS`) gets such an item under a pseudonym, its
mentions masked, and the document text and every quote masked of its names letter for
letter (so the spans stay right). The review itself is a right of ingesters and admins.

Duplicates (``POSSIBLY_SAME_AS`` from ``casegraph dedupe``) are reviewed too:
:func:`merge` makes one entity of two (one keeps its id and takes the other's names as
aliases, its relationships move) and leaves a ``MergeRecord`` that :func:`undo` uses to
restore both exactly; :func:`reject_duplicate` makes sure the pair is never flagged again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from casegraph.errors import CasegraphError, InvalidRequestError, NotFoundError, ValidationFailed
from casegraph.formats.jsonl import Parsed
from casegraph.graph import review as store
from casegraph.graph.db import GraphDB
from casegraph.graph.dedupe import flagged
from casegraph.graph.disclosure import Disclosure, visible_levels
from casegraph.graph.model import KINDS, PERSON, RELATIONSHIPS, SOURCE, stronger_level
from casegraph.graph.names import name_key, search_keys
from casegraph.graph.protection import (
    MASK,
    is_pseudo_id,
    mask,
    name_parts,
    pseudonym_of,
    scrub,
)
from casegraph.graph.runs import IngestRun, now, record_run
from casegraph.graph.schema import init_schema
from casegraph.ingest.pipeline import validate_input, write_input

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
ACTIONS = ("accept", "reject", "link", "edit")
DUPLICATES = "duplicates"  # the id of the review set of POSSIBLY_SAME_AS candidates
_MINOR_AGE = re.compile(
    r"\b(?:[1-9]|1[0-7])[-\s](?:year|yr)s?[-\s]old\b|\b(?:[1-9]|1[0-7])\s?(?:лет|летн\w*|жаст\w*)",
    re.IGNORECASE,
)
_NEAR = 40  # characters between an age under 18 and a name that make her a minor
_PREFIX = {"Person": "per", "Organization": "org", "Location": "loc", "Case": "case"}


@dataclass(frozen=True)
class Decision:
    """One decision: ``item`` is an item id or ``*`` (every pending item of the set)."""

    item: str
    action: str
    entity_id: str | None = None
    kind: str | None = None
    name: str | None = None


# -- staging --------------------------------------------------------------------------------


def set_id_of(sha256: str) -> str:
    return f"rs-{sha256[:16]}"


def _fingerprint(db: GraphDB, sha256: str, what: str) -> str:
    return db.protection_key.tag("review", f"{sha256}|{what}")


def _minor_near(text: str, spans: list[dict[str, Any]]) -> bool:
    for m in _MINOR_AGE.finditer(text):
        for s in spans:
            if s["start"] - _NEAR <= m.end() and s["end"] + _NEAR >= m.start():
                return True
    return False


def stage(db: GraphDB, result: dict[str, Any], text: str, *, user: str) -> dict[str, Any]:
    """Store ``result`` (an extraction of ``text``) as the review set of its document.

    Pending items of an earlier staging of the same document (same sha256) are replaced;
    decided ones stay, and a proposal decided before (accepted or rejected) is not proposed
    again. Returns ``{id, items, skipped}``."""
    store.init_review_schema(db)
    key = db.protection_key
    src = result["source"]
    sha = str(src["sha256"])
    sid = set_id_of(sha)
    decided = store.decided_fingerprints(db, sid)
    entities = result["entities"]
    # protection levels: victim ends of victim-marking proposals, minors by age, and
    # people linked to protected ones
    levels: dict[int, str | None] = {}
    by_name: dict[str, int] = {}
    for i, e in enumerate(entities):
        by_name[f"{e['label']}|{e['name']}"] = i
        level = None
        if e["label"] == PERSON and _minor_near(text, e["mentions"]):
            level = "minors"
        levels[i] = level
    matched = [e["match"]["id"] for e in entities if e.get("match")]
    graph_levels = store.protection_levels(db, [m for m in matched if is_pseudo_id(m)])
    for i, e in enumerate(entities):
        m = e.get("match")
        if m and m["id"] in graph_levels:
            levels[i] = stronger_level(levels[i], graph_levels[m["id"]])
    for r in result["relationships"]:
        marks = RELATIONSHIPS[r["type"]].marks_victim if r["type"] in RELATIONSHIPS else None
        if marks is None:
            continue
        end = r["from"] if marks == "from" else r["to"]
        label = r["from_label"] if marks == "from" else r["to_label"]
        vi = by_name.get(f"{label}|{end}") if end else None
        if vi is not None and entities[vi]["label"] == PERSON:
            levels[vi] = stronger_level(levels[vi], "all")
    rows: list[dict[str, Any]] = []
    item_of: dict[int, str] = {}
    skipped = 0
    seq = 0
    for i, e in enumerate(entities):
        fp = _fingerprint(db, sha, f"entity|{e['label']}|{name_key(e['name'])}")
        iid = "ri-" + fp[:16]
        item_of[i] = iid
        if fp in decided:
            skipped += 1
            continue
        seq += 1
        payload = {
            "name": e["name"],
            "original_name": e["name"],
            "aliases": list(e.get("aliases") or []),
            "mentions": [{"start": m["start"], "end": m["end"]} for m in e["mentions"]],
            "match": e.get("match"),
            "properties": dict(e.get("properties") or {}),
        }
        rows.append(
            {
                "id": iid,
                "set_id": sid,
                "seq": seq,
                "type": "entity",
                "kind": e["label"],
                "level": levels[i],
                "fingerprint": fp,
                "status": PENDING,
                "confidence": float(e.get("confidence") or 0.0),
                "basis": "ner",
                "match_id": (e.get("match") or {}).get("id"),
                "sealed": key.seal(payload, iid),
            }
        )
    for r in result["relationships"]:
        fi = by_name.get(f"{r['from_label']}|{r['from']}") if r["from"] else None
        ti = by_name.get(f"{r['to_label']}|{r['to']}")
        if ti is None:
            continue
        from_key = name_key(r["from"] or (r.get("from_text") or {}).get("text") or "")
        what = f"rel|{r['type']}|{from_key}|{name_key(r['to'])}|{r['basis']}"
        fp = _fingerprint(db, sha, what)
        iid = "ri-" + fp[:16]
        if fp in decided or any(row["id"] == iid for row in rows):
            skipped += fp in decided
            continue
        seq += 1
        level = stronger_level(levels.get(fi) if fi is not None else None, levels.get(ti))
        if RELATIONSHIPS.get(r["type"]) and RELATIONSHIPS[r["type"]].marks_victim:
            level = stronger_level(level, "all")
        payload = {
            "from": r["from"],
            "to": r["to"],
            "from_text": r.get("from_text"),
            "evidence": {"start": r["evidence"]["start"], "end": r["evidence"]["end"]},
            "properties": dict(r.get("properties") or {}),
            "rule": r.get("rule"),
        }
        rows.append(
            {
                "id": iid,
                "set_id": sid,
                "seq": seq,
                "type": "relationship",
                "kind": r["type"],
                "level": level,
                "fingerprint": fp,
                "status": PENDING,
                "confidence": float(r.get("confidence") or 0.0),
                "basis": r.get("basis") or "pattern",
                "from_item": item_of.get(fi) if fi is not None else None,
                "to_item": item_of[ti],
                "sealed": key.seal(payload, iid),
            }
        )
    doc = {
        "text": text,
        "title": src.get("title") or "",
        "url": src.get("url"),
        "file": src.get("file"),
        "source_id": src["id"],
    }
    store.stage_set(
        db,
        {
            "id": sid,
            "sha256": sha,
            "language": src.get("language"),
            "media_type": src.get("media_type"),
            "sealed": key.seal(doc, sid),
            "now": now(),
            "user": user,
        },
        rows,
        decided,
    )
    return {"id": sid, "items": len(rows), "skipped": skipped}


# -- reading --------------------------------------------------------------------------------


def _load(db: GraphDB, set_id: str) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    s = store.get_set(db, set_id)
    if s is None:
        raise NotFoundError(f"no review set {set_id!r}")
    key = db.protection_key
    doc = key.unseal(s.pop("sealed"), set_id)
    items = store.get_items(db, set_id)
    for it in items:
        it["payload"] = key.unseal(it.pop("sealed"), it["id"])
    return s, doc, items


def _pseudonym(item_id: str) -> str:
    return pseudonym_of("victim-" + item_id.removeprefix("ri-")[:12])


def _hidden(items: list[dict[str, Any]], role: str | None) -> set[str]:
    levels = visible_levels(role)
    return {it["id"] for it in items if it.get("level") and it["level"] not in levels}


def _victim_parts(items: list[dict[str, Any]], ids: set[str], text: str) -> frozenset[str]:
    names: list[str] = []
    for it in items:
        if it["id"] in ids and it["type"] == "entity":
            p = it["payload"]
            names += [p["name"], p.get("original_name") or "", *p.get("aliases", [])]
            names += [text[m["start"] : m["end"]] for m in p["mentions"]]
    return name_parts(names)


def _masked_text(text: str, items: list[dict[str, Any]], hidden: set[str]) -> str:
    if not hidden:
        return text
    out = list(mask(text, _victim_parts(items, hidden, text)))
    for it in items:
        if it["id"] in hidden and it["type"] == "entity":
            for m in it["payload"]["mentions"]:
                for k in range(m["start"], m["end"]):
                    if not out[k].isspace():
                        out[k] = MASK
    return "".join(out)


def view_set(db: GraphDB, set_id: str, role: str | None) -> dict[str, Any]:
    """The review set as ``role`` may see it (see the module docstring)."""
    s, doc, items = _load(db, set_id)
    hidden = _hidden(items, role)
    text = _masked_text(doc["text"], items, hidden)
    parts = _victim_parts(items, hidden, doc["text"]) if hidden else frozenset()
    names: dict[str, str] = {}
    out_items: list[dict[str, Any]] = []
    for it in items:
        if it["type"] == "entity":
            names[it["id"]] = _pseudonym(it["id"]) if it["id"] in hidden else it["payload"]["name"]
    for it in items:
        p = it["payload"]
        entry: dict[str, Any] = {
            "id": it["id"],
            "type": it["type"],
            "kind": it["kind"],
            "status": it["status"],
            "confidence": it.get("confidence"),
            "basis": it.get("basis"),
            "protected": bool(it.get("level")),
            "redacted": it["id"] in hidden,
            "decision": it.get("decision"),
            "decided_by": it.get("decided_by"),
            "decided_at": it.get("decided_at"),
            "entity_id": it.get("entity_id"),
        }
        if it["type"] == "entity":
            entry["name"] = names[it["id"]]
            entry["aliases"] = [] if it["id"] in hidden else list(p.get("aliases") or [])
            entry["mentions"] = [
                {"start": m["start"], "end": m["end"], "quote": text[m["start"] : m["end"]]}
                for m in p["mentions"]
            ]
            match = p.get("match")
            if match and is_pseudo_id(match.get("id")):
                # the disclosure step names her for a role that may see her
                match = {**match, "name": pseudonym_of(match["id"])}
            elif match and it["id"] in hidden:
                match = {"id": match["id"], "name": MASK * 3, "score": match.get("score")}
            entry["match"] = match
            entry["properties"] = {} if it["id"] in hidden else dict(p.get("properties") or {})
        else:
            ev = p["evidence"]
            fi, ti = it.get("from_item"), it.get("to_item")
            entry["from"] = names.get(fi) if fi else None
            entry["to"] = names.get(ti or "")
            entry["from_item"], entry["to_item"] = fi, ti
            if p.get("from_text"):
                ft = p["from_text"]
                entry["from_text"] = {
                    "start": ft["start"],
                    "end": ft["end"],
                    "quote": text[ft["start"] : ft["end"]],
                }
            if p.get("from_entity"):
                entry["from_entity"] = p["from_entity"]
            entry["evidence"] = {
                "start": ev["start"],
                "end": ev["end"],
                "quote": text[ev["start"] : ev["end"]],
            }
            props = dict(p.get("properties") or {})
            entry["properties"] = {
                k: (scrub(v, parts) if isinstance(v, str) and parts else v)
                for k, v in props.items()
            }
            entry["rule"] = p.get("rule")
        out_items.append(entry)
    title = doc.get("title") or ""
    return {
        "id": s["id"],
        "sha256": s.get("sha256"),
        "language": s.get("language"),
        "media_type": s.get("media_type"),
        "title": mask(title, parts) if parts else title,
        "url": doc.get("url"),
        "file": doc.get("file"),
        "source_id": doc.get("source_id"),
        "staged_at": s.get("staged_at"),
        "staged_by": s.get("staged_by"),
        "text": text,
        "items": out_items,
    }


def list_sets(db: GraphDB, role: str | None) -> list[dict[str, Any]]:
    """Every review set, newest first: id, title (masked as for ``role``), counts."""
    key = db.protection_key
    out = []
    for s in store.list_sets(db):
        doc = key.unseal(s["sealed"], s["id"])
        title = doc.get("title") or ""
        if visible_levels(role) != visible_levels("admin"):
            _, _, items = _load(db, s["id"])
            hidden = _hidden(items, role)
            if hidden:
                title = mask(title, _victim_parts(items, hidden, doc["text"]))
        out.append(
            {
                "id": s["id"],
                "title": title,
                "language": s.get("language"),
                "sha256": s.get("sha256"),
                "staged_at": s.get("staged_at"),
                "staged_by": s.get("staged_by"),
                "counts": s["counts"],
            }
        )
    return out


# -- deciding -------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name_key(name)).strip("-")[:60] or "x"


def _existing(db: GraphDB, entity_id: str, role: str | None) -> dict[str, Any]:
    """The entity ``entity_id`` names as ``role`` may name it: ``id`` and ``name`` as stored
    (a protected person's pseudonym), ``real_id`` and ``real_name`` for writing only."""
    stored = Disclosure.for_role(db, role).resolve(entity_id)
    found = store.entity_of(db, stored)
    if found is None:
        raise NotFoundError(f"no entity with id {entity_id!r}")
    out = {
        "id": stored,
        "kind": found["kind"],
        "name": found["name"],
        "aliases": list(found.get("aliases") or []),
        "real_id": stored,
        "real_name": found["name"],
    }
    if is_pseudo_id(stored):
        payload = db.protection_key.unseal(found["sealed"], stored)
        out.update(real_id=payload["id"], real_name=payload.get("name") or "", aliases=[])
    return out


def _new_id(db: GraphDB, kind: str, name: str, taken: set[str]) -> str:
    base = f"{_PREFIX.get(kind, 'ent')}-{_slug(name)}"
    rid = base
    n = 1
    while rid in taken or store.entity_of(db, rid) is not None:
        n += 1
        rid = f"{base}-{n}"
    taken.add(rid)
    return rid


def _parsed(raws: list[dict[str, Any]]) -> Iterator[Parsed]:
    yield from enumerate(raws, start=1)


def decide(
    db: GraphDB, set_id: str, decisions: list[Decision], *, user: str, role: str | None
) -> dict[str, Any]:
    """Apply ``decisions`` to the review set ``set_id``; write what is accepted.

    Returns ``{accepted, rejected, edited, skipped, written: {...}, run_id}``."""
    s, doc, items = _load(db, set_id)
    by_id = {it["id"]: it for it in items}
    key = db.protection_key
    stamp = now()
    changed: dict[str, dict[str, Any]] = {}
    accept: list[str] = []
    report: dict[str, Any] = {"accepted": [], "rejected": [], "edited": [], "skipped": []}

    # items a decision names: "*" leaves them to that decision
    named = {d.item for d in decisions if d.item != "*" and d.action != "edit"}

    def targets(d: Decision) -> list[dict[str, Any]]:
        if d.item == "*":
            return [it for it in items if it["status"] == PENDING and it["id"] not in named]
        it = by_id.get(d.item)
        if it is None:
            raise NotFoundError(f"no item {d.item!r} in review set {set_id!r}")
        return [it]

    for d in decisions:
        if d.action not in ACTIONS:
            raise InvalidRequestError(f"unknown action {d.action!r}; known: {', '.join(ACTIONS)}")
        for it in targets(d):
            p = it["payload"]
            if d.action == "edit":
                if it["type"] != "entity":
                    raise InvalidRequestError(f"{it['id']}: only entity items can be edited")
                if d.kind is not None:
                    if d.kind not in KINDS or d.kind == SOURCE:
                        raise InvalidRequestError(f"unknown kind {d.kind!r}")
                    it["kind"] = d.kind
                if d.name is not None:
                    if not d.name.strip():
                        raise InvalidRequestError("the name may not be empty")
                    p["name"] = d.name.strip()
                p["match"] = None
                it["match_id"] = None
                changed[it["id"]] = it
                it["edited_by"], it["edited_at"] = user, stamp
                report["edited"].append(it["id"])
            elif d.action == "reject":
                if it["status"] == ACCEPTED:
                    raise InvalidRequestError(f"{it['id']} was accepted already")
                it["status"], it["decision"] = REJECTED, "reject"
                it["decided_by"], it["decided_at"] = user, stamp
                changed[it["id"]] = it
                report["rejected"].append(it["id"])
            elif d.action == "link":
                if not d.entity_id:
                    raise InvalidRequestError("link needs an entity id")
                found = _existing(db, d.entity_id, role)
                if it["type"] == "entity":
                    p["link"] = found["id"]
                    p["match"] = {"id": found["id"], "name": found["name"], "score": None}
                    it["match_id"] = found["id"]
                    it["kind"] = found["kind"]
                    it["decision"] = "link"
                elif not it.get("from_item"):
                    p["from_entity"] = found["id"]
                    it["decision"] = "link"
                else:
                    raise InvalidRequestError(f"{it['id']}: both ends are proposals; link those")
                changed[it["id"]] = it
                accept.append(it["id"])
            else:
                if it["status"] == REJECTED and d.item == "*":
                    continue
                accept.append(it["id"])
    # what accepting needs: the pending ends of relationships
    wanted = dict.fromkeys(accept)
    for iid in list(wanted):
        it = by_id[iid]
        if it["type"] != "relationship":
            continue
        for end in (it.get("from_item"), it.get("to_item")):
            if end and by_id[end]["status"] == REJECTED:
                if decisions and all(d.item == "*" for d in decisions):
                    wanted.pop(iid, None)
                    report["skipped"].append(iid)
                    break
                raise InvalidRequestError(f"{iid}: an end of this relationship was rejected")
            if end and by_id[end]["status"] == PENDING:
                wanted[end] = None
        else:
            if not it.get("from_item") and not it["payload"].get("from_entity"):
                wanted.pop(iid, None)
                report["skipped"].append(iid)
                if not all(d.item == "*" for d in decisions):
                    raise InvalidRequestError(
                        f"{iid}: its 'from' end names no entity; link it to one first "
                        "(review link ITEM ENTITY_ID)"
                    )
    written: dict[str, Any] = {}
    run_id = None
    if wanted:
        written, run_id = _write(db, s, doc, items, by_id, list(wanted), user=user, role=role)
        for iid in wanted:
            it = by_id[iid]
            it["status"] = ACCEPTED
            it.setdefault("decision", None)
            it["decision"] = it.get("decision") or "accept"
            it["decided_by"], it["decided_at"] = user, stamp
            changed[iid] = it
            report["accepted"].append(iid)
    rows = []
    for it in changed.values():
        props = {
            k: it.get(k)
            for k in (
                "status", "decision", "decided_by", "decided_at", "kind", "match_id",
                "entity_id", "level", "edited_by", "edited_at",
            )
        }  # fmt: skip
        props["sealed"] = key.seal(it["payload"], it["id"])
        rows.append({"id": it["id"], "props": props})
    store.update_items(db, rows)
    report["written"] = written
    report["run_id"] = run_id
    return report


def _write(
    db: GraphDB,
    s: dict[str, Any],
    doc: dict[str, Any],
    items: list[dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
    accept: list[str],
    *,
    user: str,
    role: str | None,
) -> tuple[dict[str, Any], str]:
    key = db.protection_key
    src = str(doc["source_id"])
    text = str(doc["text"])
    victims = {it["id"] for it in items if it.get("level")}
    parts = _victim_parts(items, victims, text)
    raws: list[dict[str, Any]] = [
        {
            "kind": "source",
            "id": src,
            # a title can name a victim: scrubbed like the evidence
            "title": scrub(str(doc.get("title") or src), parts),
            "properties": {
                k: v
                for k, v in {
                    "url": doc.get("url"),
                    "language": s.get("language"),
                    "sha256": s.get("sha256"),
                }.items()
                if v
            },
        }
    ]
    real_of: dict[str, str] = {}  # item id -> real id of its entity
    taken: set[str] = set()
    order = sorted(accept, key=lambda i: by_id[i]["type"] != "entity")
    for iid in order:
        it = by_id[iid]
        p = it["payload"]
        if it["type"] != "entity":
            continue
        spans = [f"{src}:{m['start']}-{m['end']}" for m in p["mentions"]]
        target = p.get("link") or it.get("match_id")
        if target:
            found = _existing(db, target, "admin")
            real_name = found["real_name"]
            aliases = [a for a in [p["name"], *p.get("aliases", [])] if a != real_name]
            raws.append(
                {
                    "kind": "entity",
                    "id": found["real_id"],
                    "label": found["kind"],
                    "name": real_name,
                    "aliases": aliases,
                    "properties": {"spans": spans},
                    "sources": [src],
                }
            )
            real_of[iid] = found["real_id"]
        else:
            rid = it.get("entity_id") or _new_id(db, it["kind"], p["name"], taken)
            if is_pseudo_id(rid):
                rid = p.get("real_id") or rid
            props = {k: v for k, v in (p.get("properties") or {}).items() if v not in (None, "")}
            raws.append(
                {
                    "kind": "entity",
                    "id": rid,
                    "label": it["kind"],
                    "name": p["name"],
                    "aliases": [a for a in p.get("aliases", []) if a != p["name"]],
                    "properties": {**props, "spans": spans},
                    "sources": [src],
                }
            )
            real_of[iid] = rid
    for iid in order:
        it = by_id[iid]
        if it["type"] != "relationship":
            continue
        p = it["payload"]

        def end(item_id: str | None, p: dict[str, Any] = p) -> str:
            if item_id is None:
                return str(_existing(db, str(p["from_entity"]), "admin")["real_id"])
            if item_id in real_of:
                return real_of[item_id]
            other = by_id[item_id]
            real = other["payload"].get("real_id") or other.get("entity_id")
            return str(real)

        ev = p["evidence"]
        allowed = RELATIONSHIPS[it["kind"]].properties
        props = {k: v for k, v in (p.get("properties") or {}).items() if k in allowed}
        raws.append(
            {
                "kind": "relationship",
                "type": it["kind"],
                "from": end(it.get("from_item")),
                "to": end(it.get("to_item")),
                "properties": {
                    **props,
                    "span": f"{src}:{ev['start']}-{ev['end']}",
                    "evidence": scrub(text[ev["start"] : ev["end"]], parts),
                },
                "sources": [src],
            }
        )
    run = IngestRun(
        file_name=f"review {s['id']}",
        format="review",
        sha256=str(s.get("sha256") or ""),
        user=user,
        started_at=now(),
    )
    plan = validate_input(db, _parsed(raws))
    if plan.errors:
        raise ValidationFailed(plan.errors, source=f"review {s['id']}")
    # a person the review staged as a victim (or a minor) is written protected at that
    # level, even when no record says so (an admin can lift it: casegraph protect lift)
    for iid, real in real_of.items():
        it = by_id[iid]
        if it.get("level") and it["kind"] == PERSON:
            plan.protect[real] = stronger_level(plan.protect.get(real), it["level"]) or it["level"]
    init_schema(db)
    counts = write_input(db, lambda: _parsed(raws), plan)
    run.finished_at = now()
    run.counts = counts.as_dict()
    run.records = plan.records
    record_run(db, run)
    for iid, real in real_of.items():
        it = by_id[iid]
        level = plan.protect.get(real)
        if level is not None or store.protection_levels(db, [key.pseudo_id(real)]):
            it["entity_id"] = key.pseudo_id(real)
            it["level"] = stronger_level(it.get("level"), level or "all")
            it["payload"]["real_id"] = real
        else:
            it["entity_id"] = real
    for iid in accept:
        it = by_id[iid]
        if it["type"] == "relationship":
            ends = [by_id[e] for e in (it.get("from_item"), it.get("to_item")) if e]
            for e in ends:
                it["level"] = stronger_level(it.get("level"), e.get("level"))
    return counts.as_dict(), run.run_id


# -- duplicates -----------------------------------------------------------------------------


def duplicates(db: GraphDB, limit: int = 500) -> list[dict[str, Any]]:
    """The ``POSSIBLY_SAME_AS`` candidates, as review items (``dup:A:B``)."""
    out = []
    for row in flagged(db, limit):
        out.append({"id": f"dup:{row['a']}:{row['b']}", **row})
    return out


def _pair(item: str) -> tuple[str, str]:
    parts = item.split(":")
    if len(parts) != 3 or parts[0] != "dup":
        raise InvalidRequestError(f"not a duplicate pair: {item!r} (dup:ID:ID)")
    return parts[1], parts[2]


def reject_duplicate(db: GraphDB, item: str, *, user: str) -> dict[str, Any]:
    a, b = _pair(item)
    store.reject_pair(db, a, b, now(), user)
    db.bump_graph_version()
    return {"rejected": item}


def merge(db: GraphDB, item: str, *, user: str, keep: str | None = None) -> dict[str, Any]:
    """Merge the pair ``item`` (``dup:A:B``): ``keep`` (default A) keeps its id."""
    a, b = _pair(item)
    kept = keep or a
    if kept not in (a, b):
        raise InvalidRequestError(f"keep must be {a!r} or {b!r}")
    removed = b if kept == a else a
    merge_id = "merge-" + uuid.uuid4().hex[:16]
    key = db.protection_key
    stamp = now()

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        k = store.node_dump(tx, kept)
        r = store.node_dump(tx, removed)
        if k is None or r is None:
            raise NotFoundError(f"no entity {kept if k is None else removed!r}")
        if k["props"].get("protection") or r["props"].get("protection"):
            raise InvalidRequestError("protected people are not merged here")
        if sorted(k["labels"]) != sorted(r["labels"]):
            raise InvalidRequestError("the two entities are of different kinds")
        rels = store.rels_of(tx, removed)
        moved = []
        for rel in rels:
            start = kept if rel["start"] == removed else rel["start"]
            end = kept if rel["end"] == removed else rel["end"]
            if start == end:
                continue
            moved.append({"type": rel["type"], "start": start, "end": end, "props": rel["props"]})
        store.delete_node(tx, removed)
        created = store.create_rels(tx, moved)
        kp, rp = k["props"], r["props"]
        aliases = [
            x
            for x in dict.fromkeys(
                [*(kp.get("aliases") or []), rp.get("name"), *(rp.get("aliases") or [])]
            )
            if x and x != kp.get("name")
        ]
        new = {**{x: v for x, v in rp.items()}, **kp}
        new["aliases"] = aliases
        new["sources"] = list(
            dict.fromkeys([*(kp.get("sources") or []), *(rp.get("sources") or [])])
        )
        keys = search_keys(str(kp.get("name") or ""), aliases)
        new["search_keys"] = keys
        new["search_text"] = " " + " ".join(keys)
        store.set_node(tx, kept, new)
        sealed = key.seal(
            {
                "kept": k,
                "removed": r,
                "rels": [{x: v for x, v in rel.items() if x != "eid"} for rel in rels],
                "created": created,
            },
            merge_id,
        )
        store.create_merge(
            tx,
            {
                "id": merge_id,
                "kept": kept,
                "removed": removed,
                "at": stamp,
                "by": user,
                "sealed": sealed,
            },
        )
        return {"merge_id": merge_id, "kept": kept, "removed": removed, "moved": len(created)}

    out = db.execute_write(work)
    db.bump_graph_version()
    return out


def undo(db: GraphDB, merge_id: str, *, user: str) -> dict[str, Any]:
    """Restore the two entities of a merge and their relationships exactly."""
    rec = store.get_merge(db, merge_id)
    if rec is None:
        raise NotFoundError(f"no merge {merge_id!r}")
    if rec.get("undone_at"):
        raise InvalidRequestError(f"{merge_id} was undone already")
    data = db.protection_key.unseal(rec["sealed"], merge_id)

    def work(tx: ManagedTransaction) -> None:
        store.delete_rels(tx, list(data["created"]))
        r = data["removed"]
        store.create_node(tx, r["labels"], r["props"])
        store.create_rels(tx, list(data["rels"]))
        store.set_node(tx, rec["kept"], data["kept"]["props"])
        store.mark_undone(tx, merge_id, now(), user)

    try:
        db.execute_write(work)
    except CasegraphError:
        raise
    db.bump_graph_version()
    return {"undone": merge_id, "kept": rec["kept"], "restored": rec["removed"]}


def merges(db: GraphDB) -> list[dict[str, Any]]:
    return store.list_merges(db)
