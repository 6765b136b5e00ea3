"""Relationship proposals: high-precision patterns, then same-sentence co-occurrence.

A pattern looks at the words between (or just before) two mentions of one sentence. Every
proposal is checked against the model's allowed endpoints and carries its sentence as
evidence. Co-occurrence proposals (``basis: co-occurrence``, type ``LINKED_TO``) have a
lower confidence than pattern ones (``basis: pattern``).

>>> from casegraph.extract.recognizers import Mention as M
>>> s = "Anna Ryl, head of the Korgau Astana foundation, spoke."
>>> ms = [M(0, 8, "Anna Ryl", "Person", "Anna Ryl"),
...       M(22, 35, "Korgau Astana", "Organization", "Korgau Astana")]
>>> [(p.type, p.source.name, p.target.name, p.basis) for p in propose(s, 0, ms, "en")]
[('LEADS', 'Anna Ryl', 'Korgau Astana', 'pattern')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from casegraph.extract.recognizers import Mention
from casegraph.graph.model import LOCATION, PERSON, allowed_endpoints

PATTERN_CONFIDENCE = 0.9
COOCCURRENCE_CONFIDENCE = 0.3

_HEAD = (
    r"head|chief|director|chairman|chairwoman|chairperson|leader|founder|president"
    r"|глава|главы|руководитель|руководителя|директор|директора|председатель|председателя"
    r"|начальник|начальника|основатель|основателя|басшысы|төрағасы|директоры"
)
_Q = "\"'«“„”»"
# Person, head of [the] ["]Org
_HEAD_AFTER_PERSON = re.compile(
    rf"^\s*,?\s*(?:the |a )?(?:{_HEAD})\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+)?[{_Q}]?\s*$", re.I
)
# head of [the] Org[,] Person  (looked for before the organization)
_HEAD_BEFORE_ORG = re.compile(rf"(?:{_HEAD})\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+)?[{_Q}]?\s*$", re.I)
_ORG_TO_PERSON_GAP = re.compile(rf"^[{_Q}]?\s*(?:\w+)?\s*,?\s*$")
_TAKEN = re.compile(
    r"\b(?:taken|trafficked|transported|smuggled|sent|sold|moved|lured|brought)\b(?:\s+\w+){0,3}"
    r"\s+(?:to|into)\b|\b(?:вывез\w*|вывоз\w*|переправ\w*|продан\w*|продал\w*|отправ\w*"
    r"|увез\w*|доставлен\w*)\b(?:\s+\w+){0,3}\s+(?:в|во|на)\b",
    re.I,
)
_INVESTIGATES = re.compile(r"\binvestigat\w*|\bрасследу\w*|\bрасследова\w*|\bтерге\w*", re.I)
_INVESTIGATED_BY = re.compile(
    r"\binvestigated\s+by\s+(?:the\s+)?$|\bрасследу\w*\s+$|\bрасследование\s+ведет\s+$", re.I
)
_INVESTED = re.compile(
    r"\binvest(?:ed|s|ing)?\b|\bвлож\w*|\bвклад\w*|\bинвестир\w*|\bинвестициял\w*", re.I
)
_EXPLOITED = re.compile(
    r"\b(?:forc\w*|coerc\w*|exploit\w*|принуди\w*|принужд\w*|заставля\w*|заставил\w*"
    r"|эксплуатир\w*|склони\w*|склоня\w*)\b",
    re.I,
)
_AUXILIARY = re.compile(
    r"(?:\s+(?:have|has|had|been|were|was|are|is|being|были|был|была|было))+$", re.I
)
_SEXUAL = re.compile(r"prostitut|sexual|sex\b|проститу|сексуал|интим", re.I)
_LABOR = re.compile(r"\blabou?r|\bwork|труд|работ|еңбек", re.I)


@dataclass
class Proposal:
    """A proposed relationship between two mentions of one sentence."""

    type: str
    source: Mention
    target: Mention | None
    basis: str
    rule: str
    confidence: float
    evidence: tuple[int, int]
    properties: dict[str, Any] = field(default_factory=dict)


def _between(text: str, a: Mention, b: Mention, offset: int) -> str:
    return text[a.end - offset : b.start - offset]


def _before(text: str, m: Mention, offset: int, width: int = 60) -> str:
    start = max(0, m.start - offset - width)
    return text[start : m.start - offset]


def _between_any(ordered: list[Mention], a: Mention, b: Mention, label: str) -> bool:
    """Whether a mention of ``label`` stands between ``a`` and ``b``."""
    return any(x.label == label and a.end <= x.start and x.end <= b.start for x in ordered)


def propose(sentence: str, offset: int, mentions: list[Mention], language: str) -> list[Proposal]:
    """Proposals among ``mentions`` (all inside ``sentence``, which starts at ``offset``)."""
    span = (offset, offset + len(sentence))
    out: list[Proposal] = []
    seen: set[tuple[str, int, int]] = set()

    def add(kind: str, a: Mention, b: Mention, rule: str, **props: Any) -> None:
        if not allowed_endpoints(kind, a.label, b.label):
            return
        key = (kind, a.start, b.start)
        if key not in seen:
            seen.add(key)
            out.append(Proposal(kind, a, b, "pattern", rule, PATTERN_CONFIDENCE, span, props))

    ordered = sorted(mentions, key=lambda m: m.start)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            gap = _between(sentence, a, b, offset)
            # LEADS
            if a.label == PERSON and _HEAD_AFTER_PERSON.match(gap):
                add("LEADS", a, b, "PERSON, head of ORG")
            if (
                b.label == PERSON
                and _ORG_TO_PERSON_GAP.match(gap)
                and _HEAD_BEFORE_ORG.search(_before(sentence, a, offset))
            ):
                add("LEADS", b, a, "head of ORG, PERSON")
            # TRAFFICKED_TO: a person before "taken to" before a place (the nearest person)
            if (
                a.label == PERSON
                and b.label == LOCATION
                and _TAKEN.search(gap)
                and not _between_any(ordered, a, b, PERSON)
            ):
                add("TRAFFICKED_TO", a, b, "PERSON taken to PLACE")
            # INVESTIGATES: "ORG ... investigating ... CASE"
            if _INVESTIGATES.search(gap) and len(gap) < 120:
                add("INVESTIGATES", a, b, "ACTOR investigates CASE")
            if _INVESTIGATED_BY.search(gap):
                add("INVESTIGATES", b, a, "CASE investigated by ACTOR")
            # INVESTED_IN
            if _INVESTED.search(gap) and len(gap) < 120:
                add("INVESTED_IN", a, b, "ACTOR invested in ORG")
            # EXPLOITED
            if (
                b.label == PERSON
                and _EXPLOITED.search(gap)
                and len(gap) < 80
                and not _between_any(ordered, a, b, PERSON)
            ):
                rest = sentence[b.end - offset :]
                form = (
                    "sexual" if _SEXUAL.search(rest) else "labor" if _LABOR.search(rest) else None
                )
                add(
                    "EXPLOITED",
                    a,
                    b,
                    "ACTOR forced PERSON into",
                    **({"form": form} if form else {}),
                )
    out.extend(_trafficked_unnamed(sentence, offset, ordered, seen, span))
    linked = {(p.source.start, p.target.start) for p in out if p.target is not None}
    linked |= {(t, s) for s, t in linked}
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if (a.start, b.start) in linked or a.name == b.name:
                continue
            if a.label == LOCATION and b.label == LOCATION:
                continue
            out.append(
                Proposal(
                    "LINKED_TO",
                    a,
                    b,
                    "co-occurrence",
                    "same sentence",
                    COOCCURRENCE_CONFIDENCE,
                    span,
                )
            )
    return out


def _trafficked_unnamed(
    sentence: str,
    offset: int,
    ordered: list[Mention],
    seen: set[tuple[str, int, int]],
    span: tuple[int, int],
) -> list[Proposal]:
    """ "Kazakhs have been taken abroad to Bahrain, Turkey": places after a "taken to" with no
    named person before it become TRAFFICKED_TO proposals whose person is left to the
    reviewer (``source`` is a mention of the words before the verb, label ``Person``)."""
    out: list[Proposal] = []
    m = _TAKEN.search(sentence)
    if not m or any(x.label == PERSON and x.end - offset <= m.start() for x in ordered):
        return out
    subject_text = _AUXILIARY.sub("", sentence[: m.start()].strip())
    words = subject_text.split()
    subject_text = " ".join(words[-4:]) if words else ""
    if not subject_text:
        return out
    s_start = offset + sentence.rfind(subject_text, 0, m.start() + 1)
    subject = Mention(s_start, s_start + len(subject_text), subject_text, PERSON, "", 0.0)
    for place in [x for x in ordered if x.label == LOCATION and x.start - offset >= m.end()]:
        if ("TRAFFICKED_TO", -1, place.start) in seen:
            continue
        purpose = (
            "sexual" if _SEXUAL.search(sentence) else "labor" if _LABOR.search(sentence) else None
        )
        props = {"purpose": f"{purpose} exploitation"} if purpose else {}
        out.append(
            Proposal(
                "TRAFFICKED_TO",
                subject,
                place,
                "pattern",
                "unnamed people taken to PLACE",
                PATTERN_CONFIDENCE - 0.2,
                span,
                props,
            )
        )
    return out
