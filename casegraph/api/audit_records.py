"""Building one audit record: bounded sizes, route-supplied fields, redacted parameters.

- The path and the query string are kept to :data:`FIELD_LIMIT` characters each; a longer
  one is cut and noted beside it (``path_truncated`` / ``query_truncated``:
  ``{"length", "sha256"}`` of the original), so no request can write a huge line.
- A route adds fields by setting ``request.state.audit_extra`` (a dict): the Cypher text and
  parameters, a saved query's name and parameters, an upload's name, size and sha256.
  They are merged into the record; the fields the middleware sets itself always win, and
  a value whose JSON is over :data:`EXTRA_LIMIT` characters is cut the same way.
- A route that must not leave a parameter in clear (a search for a protected name) sets
  ``request.state.audit_redact = {"q": "<keyed hash>"}``: the record then holds the
  replacement wherever that parameter appears (query string and ``params``), and no hash
  of the clear text.

Examples
--------
>>> params, cut = query_params(b"q=Anna&limit=5", redact={"q": "hmac:ab12"})
>>> params, cut
({'q': 'hmac:ab12', 'limit': '5'}, None)
>>> params, cut = query_params(b"x=" + b"a" * 5000)
>>> len(params["x"]) < 2048, cut["length"]
(True, 5002)
>>> clip("abc", 2)
('ab', {'length': 3, 'sha256': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'})
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

#: The longest path or query string kept in a record (characters).
FIELD_LIMIT = 2048
#: The longest JSON of one route-supplied field kept in a record (characters).
EXTRA_LIMIT = 64 * 1024

STATE_EXTRA = "audit_extra"
STATE_REDACT = "audit_redact"


def _sha256(data: str | bytes) -> str:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def clip(text: str, limit: int = FIELD_LIMIT) -> tuple[str, dict[str, Any] | None]:
    """``text`` cut to ``limit`` characters, and the original's length and sha256 if cut."""
    if len(text) <= limit:
        return text, None
    return text[:limit], {"length": len(text), "sha256": _sha256(text)}


def query_params(
    raw: bytes, *, limit: int = FIELD_LIMIT, redact: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The query string as a dict (repeated names give lists), parsed from at most ``limit``
    bytes, with the redacted parameters replaced; and ``{"length", "sha256"}`` when it was
    cut (no sha256 when a parameter was redacted: it would be a hash of the clear text)."""
    truncated: dict[str, Any] | None = None
    if len(raw) > limit:
        truncated = {"length": len(raw), "sha256": _sha256(raw)}
        raw = raw[:limit]
    params: dict[str, Any] = {}
    for k, v in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if k in params:
            prev = params[k]
            params[k] = [*prev, v] if isinstance(prev, list) else [prev, v]
        else:
            params[k] = v
    redacted = redact_params(params, redact)
    if truncated is not None and redacted:
        del truncated["sha256"]
    return params, truncated


def redact_params(params: dict[str, Any], redact: Mapping[str, Any] | None) -> bool:
    """Replace (in place) the values of the parameters named in ``redact``; whether any was."""
    if not redact:
        return False
    hit = False
    for name, replacement in redact.items():
        if name in params:
            params[name] = replacement
            hit = True
    return hit


def _bounded(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= EXTRA_LIMIT:
        return value
    cut, info = clip(text, EXTRA_LIMIT)
    return {"truncated_json": cut, **(info or {})}


def merge_extra(entry: dict[str, Any], extra: Any, redact: Mapping[str, Any] | None = None) -> None:
    """Merge a route's ``audit_extra`` into ``entry`` (see the module docstring)."""
    if not isinstance(extra, Mapping):
        return
    for key, value in extra.items():
        key = str(key)
        if key in entry:
            continue
        if isinstance(value, dict) and redact and key == "params":
            value = dict(value)
            redact_params(value, redact)
        entry[key] = _bounded(value)


def state_mapping(state: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """``state[name]`` when it is a mapping (what a route set on ``request.state``)."""
    value = state.get(name)
    return value if isinstance(value, Mapping) else None
