"""A document to proposals: the Source, the entities with their mentions, the relationships.

The answer has one shape (``casegraph extract --json``)::

    {"source": {"id", "title", "language", "sha256", "url", "media_type", "file"},
     "entities": [{"name", "label", "mentions": [{"start", "end", "text"}],
                   "match": {"id", "name", "score"} | null, "confidence", ...}],
     "relationships": [{"type", "from", "to", "evidence": {"start", "end", "text"},
                        "confidence", "basis", "rule", "properties"}]}

Every span is a character offset into the document's text, and ``text`` is exactly
``document.text[start:end]``.

>>> from casegraph.extract.documents import document_from_text
>>> out = extract(document_from_text("Anna Ryl, head of the Korgau Astana foundation."))
>>> [(e["name"], e["label"]) for e in out["entities"]]
[('Anna Ryl', 'Person'), ('Korgau Astana', 'Organization')]
>>> [(r["type"], r["from"], r["to"], r["evidence"]["start"]) for r in out["relationships"]]
[('LEADS', 'Anna Ryl', 'Korgau Astana', 0)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph.extract.documents import Document
from casegraph.extract.facts import find_amounts, find_dates
from casegraph.extract.language import LANGUAGES, detect_language
from casegraph.extract.linking import Linker
from casegraph.extract.places import normalize_place
from casegraph.extract.recognizers import Mention, Recognizer, recognizer_for
from casegraph.extract.relations import Proposal, propose
from casegraph.graph.model import LOCATION, PERSON, RELATIONSHIPS
from casegraph.graph.names import name_key


@dataclass
class _Entity:
    name: str
    label: str
    mentions: list[Mention] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        best = max(m.confidence for m in self.mentions)
        return round(min(0.99, best + 0.05 * (len(self.mentions) - 1)), 2)

    @property
    def aliases(self) -> list[str]:
        seen = dict.fromkeys(m.text for m in self.mentions if m.text != self.name)
        return list(seen)


def _sentences(text: str) -> list[tuple[int, int]]:
    from razdel import sentenize

    spans: list[tuple[int, int]] = []
    for s in sentenize(text):
        # a line break ends a sentence too (headings, list items)
        start = s.start
        for part in text[s.start : s.stop].split("\n"):
            if part.strip():
                spans.append((start, start + len(part)))
            start += len(part) + 1
    return spans


def _group(mentions: list[Mention]) -> tuple[list[_Entity], dict[int, _Entity]]:
    entities: dict[tuple[str, str], _Entity] = {}
    by_mention: dict[int, _Entity] = {}
    for m in mentions:
        name, label, props = m.name, m.label, {}
        place = normalize_place(name) if label == LOCATION else None
        if place is not None:
            name = place.name
            props = {k: v for k, v in vars(place).items() if k != "name" and v}
        key = (label, name_key(name))
        if not key[1]:
            continue
        entity = entities.setdefault(key, _Entity(name, label, properties=props))
        entity.mentions.append(m)
        by_mention[m.start] = entity
    # a surname alone ("Taev") is the person named in full elsewhere ("Duman Taev")
    people = [e for e in entities.values() if e.label == PERSON]
    for short in people:
        words = name_key(short.name).split()
        if len(words) != 1:
            continue
        full = [p for p in people if p is not short and name_key(p.name).split()[-1:] == words]
        if len(full) == 1:
            full[0].mentions.extend(short.mentions)
            for m in short.mentions:
                by_mention[m.start] = full[0]
            del entities[(PERSON, name_key(short.name))]
    ordered = sorted(entities.values(), key=lambda e: min(m.start for m in e.mentions))
    for e in ordered:
        e.mentions.sort(key=lambda m: m.start)
    return ordered, by_mention


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def _relationship(
    p: Proposal, text: str, by_mention: dict[int, _Entity], language: str
) -> dict[str, Any] | None:
    source = by_mention.get(p.source.start) if p.source.name else None
    target = by_mention.get(p.target.start) if p.target is not None else None
    if target is None or (source is None and p.source.name):
        return None
    start, end = p.evidence
    sentence = text[start:end]
    props = dict(p.properties)
    allowed = RELATIONSHIPS[p.type].properties if p.type in RELATIONSHIPS else {}
    amounts = find_amounts(sentence, start)
    dates = find_dates(sentence, language, start)
    if amounts and "amount" in allowed:
        props.update(amount=amounts[0].amount, currency=amounts[0].currency)
    if dates and "date" in allowed:
        props["date"] = dates[0].value
    out: dict[str, Any] = {
        "type": p.type,
        "from": source.name if source else None,
        "to": target.name,
        "from_label": source.label if source else p.source.label,
        "to_label": target.label,
        "evidence": _span(text, start, end),
        "confidence": p.confidence,
        "basis": p.basis,
        "rule": p.rule,
        "properties": props,
    }
    if source is None:
        out["from_text"] = _span(text, p.source.start, p.source.end)
    if amounts:
        out["amounts"] = [
            {"amount": a.amount, "currency": a.currency, **_span(text, a.start, a.end)}
            for a in amounts
        ]
    if dates:
        out["dates"] = [{"value": d.value, **_span(text, d.start, d.end)} for d in dates]
    return out


def extract(
    document: Document,
    *,
    language: str = "auto",
    linker: Linker | None = None,
    recognizer: Recognizer | None = None,
) -> dict[str, Any]:
    """Proposals for ``document`` (see the module docstring); linked when ``linker`` is given."""
    text = document.text
    lang = detect_language(text) if language == "auto" else language
    if lang not in LANGUAGES:
        raise ValueError(f"language must be auto or one of {', '.join(LANGUAGES)}")
    rec = recognizer or recognizer_for(lang)
    mentions = rec.recognize(text)
    entities, by_mention = _group(mentions)
    relationships: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None, str, str]] = set()
    starts = sorted(mentions, key=lambda m: m.start)
    for s_start, s_end in _sentences(text):
        inside = [m for m in starts if m.start >= s_start and m.end <= s_end]
        if not inside:
            continue
        for p in propose(text[s_start:s_end], s_start, inside, lang):
            rel = _relationship(p, text, by_mention, lang)
            if rel is None or rel["from"] == rel["to"]:
                continue
            key = (rel["type"], rel["from"], rel["to"], rel["basis"])
            if rel["from"] is not None and key in seen:
                continue
            seen.add(key)
            relationships.append(rel)
    relationships.sort(key=lambda r: (r["basis"] != "pattern", r["evidence"]["start"]))
    source = {
        "id": f"src-{document.sha256[:16]}",
        "title": document.title,
        "language": lang,
        "sha256": document.sha256,
        "url": document.url,
        "media_type": document.media_type,
        "file": document.name,
    }
    out_entities = []
    for e in entities:
        item: dict[str, Any] = {
            "name": e.name,
            "label": e.label,
            "aliases": e.aliases,
            "mentions": [_span(text, m.start, m.end) for m in e.mentions],
            "match": linker.match(e.name, e.label, e.aliases) if linker else None,
            "confidence": e.confidence,
        }
        if e.properties:
            item["properties"] = e.properties
        out_entities.append(item)
    return {"source": source, "entities": out_entities, "relationships": relationships}
