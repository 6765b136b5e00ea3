"""Declared parameters of saved queries: their types, defaults and coercion.

A saved query declares each parameter in its header::

    // param: country: string — country name or ISO code
    // param: limit: int = 50 — at most this many rows
    // param: since: date = null — only payments on or after this date

Types are ``string``, ``int``, ``float``, ``bool``, ``date`` and ``list<T>`` of those.
A parameter is required unless it has a default (``= null`` makes it optional with no
value). Values from JSON or from the command line (text) are coerced to the declared
type before Neo4j sees them; dates become ISO text (``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD``), the form in which casegraph stores dates.

Examples
--------
>>> spec = parse_param_line("limit: int = 50 — at most this many rows")
>>> spec.name, spec.type, spec.default, spec.required
('limit', 'int', 50, False)
>>> coerce_params([spec], {"limit": "7"})
{'limit': 7}
>>> coerce_value("list<int>", "1, 2,3")
[1, 2, 3]
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from casegraph.queries.errors import QueryParameterError
from casegraph.values import parse_bool, parse_date, parse_number

SCALAR_TYPES = ("string", "int", "float", "bool", "date")
MAX_TEXT = 10_000
MAX_LIST = 10_000

_PARAM_LINE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<type>[A-Za-z]+(?:\s*<\s*[A-Za-z]+\s*>)?)"
    r"\s*(?:=\s*(?P<default>.*?))?\s*(?:(?:—|--)\s*(?P<text>.*))?$"
)


class ParamTypeError(ValueError):
    """A value that cannot be coerced to a parameter's type (the message says why)."""


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter."""

    name: str
    type: str
    required: bool
    default: Any = None
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "description": self.description,
        }

    def signature(self) -> str:
        """``name: type`` or ``name: type = default``, as the header declares it."""
        if self.required:
            return f"{self.name}: {self.type}"
        return f"{self.name}: {self.type} = {json.dumps(self.default, ensure_ascii=False)}"


def normalize_type(text: str) -> str:
    """The canonical spelling of a type, or :class:`ParamTypeError` if it is unknown.

    >>> normalize_type("List< String >")
    'list<string>'
    """
    t = re.sub(r"\s+", "", text).lower()
    inner = t[5:-1] if t.startswith("list<") and t.endswith(">") else None
    if t in SCALAR_TYPES or (inner is not None and inner in SCALAR_TYPES):
        return t
    known = ", ".join((*SCALAR_TYPES, "list<T>"))
    raise ParamTypeError(f"unknown type {text!r}; known types: {known}")


def parse_param_line(text: str) -> ParamSpec:
    """Parse the part of a ``// param:`` line after ``param:``.

    Raises :class:`ParamTypeError` with the reason when the line is malformed.
    """
    m = _PARAM_LINE.match(text.strip())
    if not m:
        raise ParamTypeError(
            f"malformed parameter declaration {text.strip()!r}; "
            "expected 'NAME: TYPE [= default] [— description]'"
        )
    ptype = normalize_type(m["type"])
    description = (m["text"] or "").strip()
    if m["default"] is None:
        return ParamSpec(m["name"], ptype, True, None, description)
    raw = m["default"].strip()
    if raw == "null":
        return ParamSpec(m["name"], ptype, False, None, description)
    try:
        value = json.loads(raw) if raw[:1] in {'"', "["} else raw
        default = coerce_value(ptype, value)
    except (ParamTypeError, json.JSONDecodeError) as exc:
        raise ParamTypeError(f"default of {m['name']!r}: {exc}") from exc
    return ParamSpec(m["name"], ptype, False, default, description)


def coerce_value(ptype: str, value: Any) -> Any:
    """``value`` (from JSON or text) as ``ptype``; :class:`ParamTypeError` if it is not one.

    >>> coerce_value("bool", "yes"), coerce_value("float", 2), coerce_value("date", "2017-03")
    (True, 2.0, '2017-03')
    """
    if ptype.startswith("list<"):
        inner = ptype[5:-1]
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ParamTypeError(f"not a JSON list: {exc.msg}") from exc
            else:
                value = [p.strip() for p in text.split(",") if p.strip()] if text else []
        if not isinstance(value, list):
            raise ParamTypeError(f"expected a list of {inner}, got {_shown(value)}")
        if len(value) > MAX_LIST:
            raise ParamTypeError(f"a list of at most {MAX_LIST} items")
        out = []
        for i, item in enumerate(value):
            try:
                out.append(coerce_value(inner, item))
            except ParamTypeError as exc:
                raise ParamTypeError(f"item {i}: {exc}") from exc
        return out
    if ptype == "string":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ParamTypeError(f"expected text, got {_shown(value)}")
        text = str(value)
        if len(text) > MAX_TEXT:
            raise ParamTypeError(f"text longer than {MAX_TEXT} characters")
        return text
    if ptype == "bool":
        b = parse_bool(value)
        if b is not None:
            return b
        raise ParamTypeError(f"expected true or false, got {_shown(value)}")
    if ptype in {"int", "float"}:
        number = _number(value)
        if ptype == "float":
            return number
        if not number.is_integer():
            raise ParamTypeError(f"expected a whole number, got {_shown(value)}")
        return int(number)
    if ptype == "date":
        d = parse_date(value) if isinstance(value, str) else None
        if d is None:
            raise ParamTypeError(
                f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {_shown(value)}"
            )
        return d
    raise ParamTypeError(f"unknown type {ptype!r}")


def _number(value: Any) -> float:
    f = parse_number(value)
    if f is None:
        try:  # a number, but infinite or not a number at all ("nan", "inf")
            nonfinite = not isinstance(value, bool) and not math.isfinite(float(value))
        except (TypeError, ValueError):
            nonfinite = False
        wanted = "a finite number" if nonfinite else "a number"
        raise ParamTypeError(f"expected {wanted}, got {_shown(value)}")
    return f


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def coerce_params(specs: list[ParamSpec], given: dict[str, Any] | None) -> dict[str, Any]:
    """Check ``given`` against ``specs``: every required one present, no unknown names,
    each value coerced. Returns the parameters for Neo4j (defaults filled in).

    Every problem is collected; one :class:`QueryParameterError` lists them all together
    with what the query takes.

    >>> specs = [parse_param_line("country: string"), parse_param_line("limit: int = 5")]
    >>> coerce_params(specs, {"country": "BH"})
    {'country': 'BH', 'limit': 5}
    >>> try:
    ...     coerce_params(specs, {"limit": "many", "colour": "red"})
    ... except QueryParameterError as exc:
    ...     print(exc.message)
    3 parameter problem(s): colour: unknown parameter; country: required; limit: expected \
a number, got "many". This query takes: country: string, limit: int = 5
    """
    given = dict(given or {})
    problems: list[dict[str, str]] = []
    known = {s.name for s in specs}
    for name in sorted(given):
        if name not in known:
            problems.append({"param": name, "reason": "unknown parameter"})
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name not in given or given[spec.name] is None:
            if spec.required:
                problems.append({"param": spec.name, "reason": "required"})
            else:
                out[spec.name] = spec.default
            continue
        try:
            out[spec.name] = coerce_value(spec.type, given[spec.name])
        except ParamTypeError as exc:
            problems.append({"param": spec.name, "reason": str(exc)})
    if problems:
        problems.sort(key=lambda p: p["param"])
        takes = ", ".join(s.signature() for s in specs) or "no parameters"
        listed = "; ".join(f"{p['param']}: {p['reason']}" for p in problems)
        raise QueryParameterError(
            f"{len(problems)} parameter problem(s): {listed}. This query takes: {takes}",
            details={"problems": problems, "parameters": [s.as_dict() for s in specs]},
        )
    return out
