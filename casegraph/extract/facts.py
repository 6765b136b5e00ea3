"""Amounts with their currency and dates, found in a sentence, with their spans.

>>> [(a.amount, a.currency) for a in find_amounts("invested around 1 billion tenge in them")]
[(1000000000.0, 'KZT')]
>>> [(a.amount, a.currency) for a in find_amounts("вложили 2,5 млн долларов и 300 000 тенге")]
[(2500000.0, 'USD'), (300000.0, 'KZT')]
>>> [d.value for d in find_dates("in 2016 and 2017, and on 12 March 2021", "en")]
['2016', '2017', '2021-03-12']
>>> [d.value for d in find_dates("12 марта 2021 года", "ru")]
['2021-03-12']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "тыс": 1e3,
    "тысяч": 1e3,
    "тысячи": 1e3,
    "мың": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "млн": 1e6,
    "миллион": 1e6,
    "миллиона": 1e6,
    "миллионов": 1e6,
    "миллиард": 1e9,
    "миллиарда": 1e9,
    "миллиардов": 1e9,
    "billion": 1e9,
    "bn": 1e9,
    "млрд": 1e9,
}
_CURRENCIES = {
    "tenge": "KZT",
    "тенге": "KZT",
    "теңге": "KZT",
    "₸": "KZT",
    "kzt": "KZT",
    "$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "долларов": "USD",
    "доллара": "USD",
    "доллар": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "евро": "EUR",
    "rubles": "RUB",
    "roubles": "RUB",
    "рублей": "RUB",
    "рубля": "RUB",
    "₽": "RUB",
    "rub": "RUB",
}
_NUM = r"\d{1,3}(?:[ \u00a0,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_MULT = "|".join(sorted(map(re.escape, _MULTIPLIERS), key=len, reverse=True))
_CUR = "|".join(sorted(map(re.escape, _CURRENCIES), key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?P<pre>[$€₸₽])?\s?(?P<num>{_NUM})\s?(?:(?P<mult>{_MULT})\.?\b)?\s?(?P<cur>{_CUR})?(?!\w)",
    re.I,
)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    r"|қаңтар\w*|ақпан\w*|наурыз\w*|сәуір\w*|мамыр\w*|маусым\w*|шілде\w*|тамыз\w*"
    r"|қыркүйек\w*|қазан\w*|қараша\w*|желтоқсан\w*"
)
_DATE = re.compile(
    rf"\b(?P<full>\d{{1,2}}[./]\d{{1,2}}[./](?:19|20)\d{{2}}"
    rf"|\d{{1,2}} (?:{_MONTHS}) (?:19|20)\d{{2}}"
    rf"|(?:{_MONTHS}) \d{{1,2}},? (?:19|20)\d{{2}})\b|\b(?P<year>(?:19|20)\d{{2}})\b",
    re.I,
)


@dataclass(frozen=True)
class Amount:
    """An amount of money: value, ISO currency, and where it is (``start``, ``end``)."""

    amount: float
    currency: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DateFact:
    """A date (ISO ``YYYY-MM-DD``, or a year ``YYYY``) and where it is."""

    value: str
    start: int
    end: int
    text: str


def _number(text: str) -> float | None:
    from price_parser import Price

    amount = Price.fromstring(text.replace("\u00a0", " ")).amount
    return float(amount) if amount is not None else None


def find_amounts(text: str, offset: int = 0) -> list[Amount]:
    """Amounts of money in ``text``: a number with a currency sign or word (and optionally
    thousand/million/billion in English or Russian). Spans are shifted by ``offset``."""
    out: list[Amount] = []
    for m in _AMOUNT.finditer(text):
        cur = m.group("pre") or m.group("cur")
        if not cur:
            continue
        num = m.group("num")
        if "," in num and not re.search(r",\d{3}(?!\d)", num):
            num = num.replace(",", ".")  # a decimal comma: 2,5
        value = _number(num)
        if value is None:
            continue
        mult = (m.group("mult") or "").lower()
        value *= _MULTIPLIERS.get(mult, 1.0)
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        out.append(Amount(value, _CURRENCIES[cur.lower()], s + offset, e + offset, text[s:e]))
    return out


def find_dates(text: str, language: str, offset: int = 0) -> list[DateFact]:
    """Dates (parsed by ``dateparser``) and bare years in ``text``."""
    out: list[DateFact] = []
    for m in _DATE.finditer(text):
        value: str | None = m.group("year")
        if m.group("full"):
            import dateparser

            parsed = dateparser.parse(
                m.group("full"),
                languages=[language] if language in ("en", "ru", "kk") else None,
                settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"},
            )
            value = parsed.date().isoformat() if parsed else None
        if value:
            out.append(DateFact(value, m.start() + offset, m.end() + offset, m.group()))
    return out
