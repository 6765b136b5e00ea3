"""Victim protection by construction: the key, pseudonyms, sealing and scrubbing.

Who is protected is decided when data is written (:mod:`casegraph.graph.protected_writes`
applies it in the transaction that writes her). A protected person is stored as:

- ``id``: her pseudonymous id, ``victim-`` and 12 hex digits of a keyed HMAC of her real id;
- ``name``: her pseudonym, ``Victim`` and the same digits;
- ``sealed``: her real id, name, aliases and every property, encrypted with AES-256-GCM
  (the pseudonymous id is the associated data, so a sealed value cannot be moved to
  another node);
- ``blind_text``: keyed hashes of the words of her names, so that a role allowed to see
  her finds her by real name without the name being stored;
- ``protection``: her level (see :data:`~casegraph.graph.model.PROTECTION_LEVELS`).

Nothing else: no alias, no age, no free text. The key lives outside the graph: in
``CASEGRAPH_PROTECTION_KEY`` (base64 of 32 bytes) or in a key file (mode 0600) beside the
local database, created on first use. The same key gives the same pseudonyms in every
process and across ``db reset``.

Free text linked to a protected person (a case's description, a relationship's notes) is
scrubbed of every word of her names of three letters or more (:func:`scrub`), matched on
name keys, so Cyrillic, Latin and inflected forms ("Сапаровой" for "Сапарова") go too.

Examples
--------
>>> key = ProtectionKey(bytes(32))
>>> key.pseudo_id("p-1") == key.pseudo_id("p-1"), key.pseudo_id("p-1").startswith("victim-")
(True, True)
>>> sealed = key.seal({"name": "Айгерим Сапарова"}, "victim-0")
>>> "Айгерим" in sealed, key.unseal(sealed, "victim-0")["name"]
(False, 'Айгерим Сапарова')
>>> own_level({"age": 16}), own_level({"role": "victim of fraud"}), own_level({"age": 40})
('minors', 'all', None)
>>> parts = name_parts(["Айгерим Сапарова", "Aika"])
>>> scrub("Свидетель видел Айгерим и Сапарову, AIKA тоже", parts)
'Свидетель видел [redacted] и [redacted], [redacted] тоже'
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casegraph.errors import ConfigurationError
from casegraph.graph.model import MINOR_AGE, SCRUB_STOPWORDS, VICTIM_ROLE_PREFIX
from casegraph.graph.names import name_key
from casegraph.values import parse_number

REDACTED = "[redacted]"
PSEUDO_ID_PREFIX = "victim-"
PSEUDONYM_PREFIX = "Victim "
PSEUDO_ID = re.compile(r"^victim-[0-9a-f]{12}$")
KEY_BYTES = 32
MIN_PART = 3
# An inflected form is the name key plus at most this many letters (Russian and Kazakh
# case endings: -ой, -ому, -ның, -дан …), or, for a key ending in a vowel, its stem plus them.
MAX_SUFFIX = 4
_VOWELS = frozenset("aeiouy")
_WORD = re.compile(r"\w+")


class ProtectionKey:
    """The key that protects victims: derives the encryption key and the HMAC key."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != KEY_BYTES:
            raise ConfigurationError(f"the protection key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(hmac.new(secret, b"casegraph seal", hashlib.sha256).digest())
        self._mac = hmac.new(secret, b"casegraph mac", hashlib.sha256).digest()

    # -- loading ----------------------------------------------------------------------

    @classmethod
    def from_text(cls, text: str) -> ProtectionKey:
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except ValueError as exc:
            raise ConfigurationError("the protection key is not valid base64") from exc
        return cls(raw)

    @classmethod
    def load_or_create(cls, path: Path) -> ProtectionKey:
        """The key in ``path``, created there (mode 0600, never overwritten) if missing."""
        path = Path(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            text = base64.b64encode(secrets.token_bytes(KEY_BYTES))
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first: use theirs
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(text + b"\n")
                    out.flush()
                    os.fsync(out.fileno())
        return cls.from_text(path.read_text(encoding="ascii"))

    # -- pseudonyms and blind index -----------------------------------------------------

    def tag(self, purpose: str, text: str) -> str:
        msg = purpose.encode() + b"\x00" + text.encode("utf-8")
        return hmac.new(self._mac, msg, hashlib.sha256).hexdigest()

    def pseudo_id(self, real_id: str) -> str:
        """The pseudonymous id of a protected entity (the same in every process)."""
        return PSEUDO_ID_PREFIX + self.tag("id", real_id)[:12]

    def blind_token(self, word: str) -> str:
        """The keyed hash under which a name word (a name key's word) is found."""
        return "b" + self.tag("name", word)[:20]

    def blind_text(self, names: Iterable[str]) -> str:
        """Blind tokens of every word of every name (space-separated, for full-text)."""
        words = {w for n in names for w in name_key(n).split()}
        return " ".join(sorted(self.blind_token(w) for w in words))

    def query_hash(self, text: str) -> str:
        """A keyed hash of a search text (what the audit keeps of a protected name)."""
        return "hmac:" + self.tag("query", name_key(text))[:32]

    # -- sealing ------------------------------------------------------------------------

    def seal(self, value: Mapping[str, Any], aad: str) -> str:
        nonce = secrets.token_bytes(12)
        data = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()
        return base64.b64encode(nonce + self._aead.encrypt(nonce, data, aad.encode())).decode()

    def unseal(self, sealed: str, aad: str) -> dict[str, Any]:
        raw = base64.b64decode(sealed)
        try:
            data = self._aead.decrypt(raw[:12], raw[12:], aad.encode())
        except InvalidTag as exc:
            raise ConfigurationError(
                "the protection key cannot open this graph's sealed records: use the key "
                "the graph was written with (CASEGRAPH_PROTECTION_KEY or the key file)"
            ) from exc
        out: dict[str, Any] = json.loads(data)
        return out


def pseudonym_of(pseudo_id: str) -> str:
    """The display name that goes with a pseudonymous id.

    >>> pseudonym_of("victim-0123456789ab")
    'Victim 0123456789ab'
    """
    return PSEUDONYM_PREFIX + pseudo_id.removeprefix(PSEUDO_ID_PREFIX)


def is_pseudo_id(value: object) -> bool:
    return isinstance(value, str) and PSEUDO_ID.match(value) is not None


# -- who is protected --------------------------------------------------------------------


def is_minor(props: Mapping[str, Any], today: dt.date | None = None) -> bool:
    """Whether a person's own properties make her a minor.

    >>> is_minor({"is_minor": True}), is_minor({"age": "17"}), is_minor({"age": 40})
    (True, True, False)
    """
    flag = props.get("is_minor")
    if flag is True or str(flag).lower() == "true":
        return True
    age = parse_number(props.get("age"))
    if age is not None and age < MINOR_AGE:
        return True
    born = parse_number(props.get("birth_year"))
    year = (today or dt.date.today()).year
    return born is not None and year - born < MINOR_AGE


def says_adult(props: Mapping[str, Any]) -> bool:
    """Whether properties state outright that a person is an adult (``is_minor`` false or
    an age of 18 or more): what would lower a minor's protection."""
    flag = props.get("is_minor")
    if flag is False or str(flag).lower() == "false":
        return True
    age = parse_number(props.get("age"))
    return age is not None and age >= MINOR_AGE


def own_level(props: Mapping[str, Any]) -> str | None:
    """The protection a person's own properties call for (``None``: none)."""
    if is_minor(props):
        return "minors"
    role = props.get("role")
    if isinstance(role, str) and role.strip().lower().startswith(VICTIM_ROLE_PREFIX):
        return "all"
    return None


# -- scrubbing linked free text ----------------------------------------------------------


def name_parts(names: Iterable[str]) -> frozenset[str]:
    """The words (as name keys) of names that are scrubbed from linked text: three letters
    or more, not digits, not generic words (:data:`~casegraph.graph.model.SCRUB_STOPWORDS`)."""
    parts: set[str] = set()
    for name in names:
        for word in name_key(name).split():
            if len(word) >= MIN_PART and not word.isdigit() and word not in SCRUB_STOPWORDS:
                parts.add(word)
    return frozenset(parts)


def payload_names(payload: Mapping[str, Any]) -> list[str]:
    """Every name a sealed person payload holds: name, aliases, nicknames."""
    names = [str(payload.get("name") or ""), *[str(a) for a in payload.get("aliases") or []]]
    props = payload.get("properties") or {}
    for key in ("nickname", "nicknames", "first_name", "last_name", "patronymic", "maiden_name"):
        value = props.get(key)
        names.extend(str(v) for v in (value if isinstance(value, list) else [value]) if v)
    return names


def _stems(parts: frozenset[str]) -> frozenset[str]:
    return frozenset(p[:-1] for p in parts if p[-1] in _VOWELS and len(p) > MIN_PART)


def _hit(word: str, parts: frozenset[str], stems: frozenset[str]) -> bool:
    key = name_key(word).replace(" ", "")
    if not key:
        return False
    for cut in range(min(MAX_SUFFIX, len(key) - MIN_PART) + 1):
        head = key[: len(key) - cut] if cut else key
        if head in parts or head in stems:
            return True
    return False


def scrub(text: str, parts: frozenset[str]) -> str:
    """``text`` with every word that is (an inflected form of) one of ``parts`` replaced."""
    if not parts or not text:
        return text
    stems = _stems(parts)
    return _WORD.sub(lambda m: REDACTED if _hit(m.group(), parts, stems) else m.group(), text)


MASK = "█"


def mask(text: str, parts: frozenset[str]) -> str:
    """``text`` with every word :func:`scrub` would replace masked letter for letter, so that
    character offsets into it stay those of the original (a review set's spans).

    >>> mask("Свидетель видел Сапарову.", name_parts(["Айгерим Сапарова"]))
    'Свидетель видел ████████.'
    """
    if not parts or not text:
        return text
    stems = _stems(parts)
    return _WORD.sub(
        lambda m: MASK * len(m.group()) if _hit(m.group(), parts, stems) else m.group(), text
    )
