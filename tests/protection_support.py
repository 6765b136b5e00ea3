"""Shared pieces of the victim-protection tests (tests/test_protection_*.py).

Victims carry realistic names in Cyrillic and Latin, a nickname and a birth date, so that
a leak is found by looking for the words of their names in an HTTP answer or in what Neo4j
holds: :func:`needles` lists what must not be seen (every name word of three letters or
more, in both scripts, lower-cased, and their transliterations), :func:`leaks` finds them
in a text (whole words, and inflected forms by stem), :func:`graph_text` dumps every
property of every node and relationship as one text.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from casegraph.graph.db import GraphDB
from casegraph.graph.names import name_key
from casegraph.settings import Settings

SOURCE_ID = "src-prot"
YEAR = dt.date.today().year
_WORD = re.compile(r"\w+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# -- records ---------------------------------------------------------------------------------


def source(sid: str = SOURCE_ID, title: str = "Operational report 17") -> dict[str, Any]:
    return {"kind": "source", "id": sid, "title": title, "language": "ru"}


def entity(
    eid: str,
    label: str,
    name: str,
    *,
    aliases: Iterable[str] = (),
    props: Mapping[str, Any] | None = None,
    sources: Iterable[str] = (SOURCE_ID,),
) -> dict[str, Any]:
    return {
        "kind": "entity",
        "id": eid,
        "label": label,
        "name": name,
        "aliases": list(aliases),
        "properties": dict(props or {}),
        "sources": list(sources),
    }


def rel(
    rtype: str,
    frm: str,
    to: str,
    props: Mapping[str, Any] | None = None,
    sources: Iterable[str] = (SOURCE_ID,),
) -> dict[str, Any]:
    return {
        "kind": "relationship",
        "type": rtype,
        "from": frm,
        "to": to,
        "properties": dict(props or {}),
        "sources": list(sources),
    }


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


@dataclass(frozen=True)
class Victim:
    """A person to protect, with everything that must never be seen of her."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    props: Mapping[str, Any] = field(default_factory=dict)

    def record(self, **extra: Any) -> dict[str, Any]:
        return entity(
            self.id, "Person", self.name, aliases=self.aliases, props={**self.props, **extra}
        )

    @property
    def names(self) -> list[str]:
        nick = self.props.get("nickname")
        return [self.name, *self.aliases, *([str(nick)] if nick else [])]

    def needles(self) -> set[str]:
        exact = [str(self.props[k]) for k in ("birth_date", "phone") if k in self.props]
        return needles(self.names, exact)


def needles(names: Iterable[str], exact: Iterable[str] = ()) -> set[str]:
    """What must not be seen of a person called ``names``: each word of 3 letters or more
    (lower-cased, as written and transliterated); ``exact`` strings (a birth date, a phone
    number) as they are."""
    out: set[str] = {e.lower() for e in exact}
    for name in names:
        for word in _WORD.findall(name):
            if len(word) >= 3 and not word.isdigit():
                out.add(word.lower())
                out.add(name_key(word))
    return out


class Finder:
    """Finds needles in texts: a word as a whole word or (6 letters or more) by its stem
    followed by at most 4 letters, so that inflected forms count (Сапаровой for Сапарова);
    a date as a date; anything else as a substring."""

    def __init__(self, found: Iterable[str]) -> None:
        found = set(found)
        self.words = {n for n in found if n.isalpha()}
        self.dates = {n for n in found if _DATE.fullmatch(n)}
        self.phrases = found - self.words - self.dates
        self.stems = {n[:-1] for n in self.words if len(n) >= 6}

    def __call__(self, text: str) -> set[str]:
        low = text.lower()
        hits = {p for p in self.phrases if p in low}
        if self.dates:
            hits |= set(_DATE.findall(low)) & self.dates
        for w in set(_WORD.findall(low)):
            if w in self.words:
                hits.add(w)
            elif self.stems:
                for cut in range(0, min(5, len(w) - 4)):
                    if w[: len(w) - cut] in self.stems:
                        hits.add(w)
                        break
        return hits


def leaks(text: str, found: Iterable[str]) -> set[str]:
    return Finder(found)(text)


# -- the victims of the hand-written tests ---------------------------------------------------

AIGERIM = Victim(
    "kz-minor-aigerim",
    "Айгерим Сапарова",
    ("Aigerim Saparova", "Айгерим Сапарқызы"),
    {
        "is_minor": True,
        "age": 16,
        "birth_date": f"{YEAR - 16}-03-14",
        "nickname": "Аика",
        "gender": "female",
        "phone": "+7 701 555 19 84",
    },
)
ZHANAR = Victim(  # an adult, a victim only through a VICTIM_IN relationship
    "kz-adult-zhanar",
    "Zhanar Kemelbekova",
    ("Жанар Кемелбекова",),
    {"nickname": "Zhanka", "birth_date": "1994-11-02", "city": "Shymkent"},
)
MADINA = Victim(  # a minor by birth year only
    "kz-minor-madina",
    "Мадина Оразбаева",
    ("Madina Orazbayeva",),
    {"birth_year": YEAR - 14, "nickname": "Маша"},
)
SUSPECT = entity("kz-suspect-ruslan", "Person", "Ruslan Tokhtarov", aliases=["Руслан Тохтаров"])
CASE_ID = "kz-case-almaty-5"
CITY_ID = "kz-loc-almaty"


def case_file(*victims: Victim, description: str = "") -> list[dict[str, Any]]:
    """A source, a case, a city, a suspect and ``victims``, each marked as a victim of the
    case by a VICTIM_IN relationship at the end of the file."""
    recs: list[dict[str, Any]] = [
        source(),
        entity(
            CASE_ID,
            "Case",
            "Almaty sexual exploitation case",
            props={"description": description or "Two women forced a girl into prostitution."},
        ),
        entity(CITY_ID, "Location", "Almaty", aliases=["Алматы"]),
        SUSPECT,
        *(v.record() for v in victims),
        rel("SUSPECT_IN", SUSPECT["id"], CASE_ID),
    ]
    recs += [rel("VICTIM_IN", v.id, CASE_ID) for v in victims]
    return recs


# -- generated victims -------------------------------------------------------------------------

# Latin first names (all sort before "Victim …", so a name left in clear shows at the head of
# a listing sorted by name) with their Cyrillic spelling.
FIRST_NAMES = [
    ("Aigul", "Айгуль"),
    ("Akbota", "Акбота"),
    ("Aruzhan", "Аружан"),
    ("Balnur", "Балнур"),
    ("Dilnaz", "Дилназ"),
    ("Gulmira", "Гульмира"),
    ("Kamila", "Камила"),
    ("Laura", "Лаура"),
    ("Meruert", "Меруерт"),
    ("Nazerke", "Назерке"),
    ("Perizat", "Перизат"),
    ("Sabina", "Сабина"),
    ("Togzhan", "Тогжан"),
    ("Ulbala", "Улбала"),
]
_SYLLABLES = [
    "ба",
    "бе",
    "бо",
    "да",
    "ду",
    "жа",
    "ке",
    "ку",
    "ла",
    "лы",
    "ма",
    "ми",
    "мо",
    "на",
    "ну",
    "ра",
    "ро",
    "са",
    "ту",
    "ша",
]


def _code(i: int, width: int = 4) -> str:
    out = []
    for _ in range(width):
        out.append(_SYLLABLES[i % len(_SYLLABLES)])
        i //= len(_SYLLABLES)
    return "".join(out)


def generated_victim(i: int, *, minor: bool, prefix: str = "gen") -> Victim:
    """Victim ``i``: a unique surname and nickname (Cyrillic, with a Latin alias)."""
    lat_first, cyr_first = FIRST_NAMES[i % len(FIRST_NAMES)]
    surname = "Жан" + _code(i) + "ова"
    nickname = "Ерке" + _code(i, 3)
    latin_surname = name_key(surname).capitalize()
    born = f"{{}}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    props: dict[str, Any] = {"nickname": nickname, "birth_date": born.format(1975 + i % 25)}
    if minor:
        age = 12 + i % 6
        props.update(is_minor=True, age=age, birth_date=born.format(YEAR - 1 - age))
    return Victim(
        f"{prefix}-{i:06d}",
        f"{lat_first} {latin_surname}",
        (f"{cyr_first} {surname}",),
        props,
    )


def mass_file(
    path: Path, n: int, *, prefix: str = "gen", case_id: str = "gen-case"
) -> tuple[Path, list[Victim]]:
    """``n`` victims: the first half minors by their own properties, the second half marked
    only by a VICTIM_IN relationship near the end of the file; suspects in clear."""
    half = n // 2
    victims = [generated_victim(i, minor=i < half, prefix=prefix) for i in range(n)]
    recs: list[dict[str, Any]] = [
        source(),
        entity(case_id, "Case", "Operation Stop Trafficking", props={"status": "open"}),
        *(v.record() for v in victims),
        *(entity(f"{prefix}-sus-{k}", "Person", f"Boris Suspect{k}") for k in range(20)),
        *(rel("SUSPECT_IN", f"{prefix}-sus-{k}", case_id) for k in range(20)),
        *(rel("VICTIM_IN", v.id, case_id) for v in victims[half:]),
    ]
    return write_jsonl(path, recs), victims


# -- reading what is stored ------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if hasattr(value, "iso_format"):
        return str(value.iso_format())
    if isinstance(value, list):
        return " ".join(_as_text(v) for v in value)
    return str(value)


def stored_strings(db: GraphDB) -> Iterator[str]:
    """Every label, key and value of every node and relationship of the whole graph."""
    for row in db.read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p"):
        yield " ".join(row["l"])
        for k, v in row["p"].items():
            yield k
            yield _as_text(v)
    for row in db.read("MATCH ()-[r]->() RETURN type(r) AS t, properties(r) AS p"):
        yield row["t"]
        for k, v in row["p"].items():
            yield k
            yield _as_text(v)


def graph_text(db: GraphDB) -> str:
    return "\n".join(stored_strings(db))


def answer_text(resp: httpx.Response, *, drop: tuple[str, ...] = ("query",)) -> str:
    """An HTTP answer as text (JSON re-dumped unescaped), without top-level keys that only
    echo the caller's own input (``query`` of a search)."""
    try:
        body = resp.json()
    except ValueError:
        return resp.text
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in drop}
    return json.dumps(body, ensure_ascii=False)


def key_material(settings: Settings) -> set[str]:
    """Every form in which the protection key (or a key derived from it) could be stored."""
    text = settings.protection_key or settings.protection_key_path().read_text("ascii")
    raw = base64.b64decode(text.strip())
    out = {text.strip(), raw.hex(), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    for purpose in (b"casegraph seal", b"casegraph mac"):
        derived = hmac.new(raw, purpose, hashlib.sha256).digest()
        out |= {derived.hex(), base64.b64encode(derived).decode()}
    return out


def key_env(settings: Settings) -> dict[str, str]:
    """Environment that makes a ``casegraph`` subprocess use the test database and key."""
    env = {
        "CASEGRAPH_NEO4J_URI": settings.neo4j_uri,
        "CASEGRAPH_NEO4J_DATA": str(settings.neo4j_data),
        "CASEGRAPH_AUDIT_PATH": str(settings.audit_path),
    }
    if settings.protection_key:
        env["CASEGRAPH_PROTECTION_KEY"] = settings.protection_key
    else:
        env["CASEGRAPH_PROTECTION_KEY_FILE"] = str(settings.protection_key_path())
    return env


CLI = [sys.executable, "-m", "casegraph.cli"]


# -- a server in a subprocess ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``casegraph serve`` in a subprocess on a free port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"casegraph serve exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"casegraph serve did not answer on {self.url}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()
