"""Values as people write them: dates, numbers and yes/no, parsed in one place.

The ingest validator (:mod:`casegraph.ingest.validate`), the readers of
:mod:`casegraph.formats` and the saved-query parameters (:mod:`casegraph.queries.params`)
all read values with these functions, so a date that loads from a file is a date that a query
accepts, and the other way round. Each returns ``None`` for a value it does not accept; the
caller words the error, with its line and field.

>>> parse_date("2016"), parse_date("2017-12-31"), parse_date("2017-02-30")
('2016', '2017-12-31', None)
>>> parse_number("1500.5"), parse_number(12), parse_number("ten"), parse_number(True)
(1500.5, 12.0, None, None)
>>> parse_bool("Yes"), parse_bool(False), parse_bool("maybe")
(True, False, None)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "parse_bool", "parse_date", "parse_number"]

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (it counts 1900-02-29, which never was)
TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off"})


def parse_date(value: Any, *, spreadsheet: bool = False) -> str | None:
    """An ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), checked; ``None`` if invalid.

    A timestamp keeps its date; a :class:`datetime.date` is written in ISO form. With
    ``spreadsheet``, dates as spreadsheets write them are read too: ``dd.mm.yyyy`` (the
    Russian and Kazakh locales) and Excel serial numbers of five digits (days since
    1899-12-30: 10000 is 1927-05-18, 99999 is 2173-10-14), so that a four-digit year stays a
    year.

    >>> parse_date("2019-03-01T10:00:00Z"), parse_date(dt.date(2020, 1, 2)), parse_date(2020)
    ('2019-03-01', '2020-01-02', None)
    >>> parse_date("01.03.2017", spreadsheet=True), parse_date("42795", spreadsheet=True)
    ('2017-03-01', '2017-03-01')
    >>> parse_date("31.02.2017", spreadsheet=True), parse_date("2017", spreadsheet=True)
    (None, '2017')
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    if spreadsheet:
        found = _spreadsheet_date(value)
        if found is not None:
            return found
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "T" in text:  # a timestamp: keep its date
        text = text.split("T", 1)[0]
    if not _DATE.match(text):
        return None
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return text


def _spreadsheet_date(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        dotted = _DOTTED.match(text)
        if dotted:
            day, month, year = (int(g) for g in dotted.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                return None
        serial = _SERIAL.match(text)
        value = int(serial.group(1)) if serial else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 10_000 <= value <= 99_999:
        return (_EXCEL_EPOCH + dt.timedelta(days=value)).isoformat()
    return None


def parse_number(value: Any) -> float | None:
    """A finite number from a number or a numeric string (``"1 000,50"`` is refused).

    >>> parse_number(" 42 "), parse_number("nan"), parse_number("1 000,50")
    (42.0, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
    elif isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return f if math.isfinite(f) else None


def parse_bool(value: Any) -> bool | None:
    """``True``/``False`` from a boolean or a word: true/false, yes/no, on/off, 1/0 (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None
