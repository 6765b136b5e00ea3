"""Places in English, Russian and Kazakh normalized to one Location.

Countries come from ``pycountry`` (ISO 3166 names, codes and their Russian and Kazakh
translations) plus the short names the press uses; cities of the region from a small table.
Every spelling of a place gives the same :class:`Place` (English name, ISO code):

>>> normalize_place("Бахрейн") == normalize_place("Bahrain") == normalize_place("BH")
True
>>> normalize_place("Бахрейн")
Place(name='Bahrain', iso_code='BH', location_type='country', country='BH')
>>> normalize_place("Южная Корея").name, normalize_place("Оңтүстік Корея").name
('South Korea', 'South Korea')
>>> normalize_place("Алматы"), normalize_place("Қазақстан").iso_code
(Place(name='Almaty', iso_code=None, location_type='city', country='KZ'), 'KZ')
>>> normalize_place("Questra World") is None
True
"""

from __future__ import annotations

import functools
import gettext
from dataclasses import dataclass

from casegraph.graph.names import name_key


@dataclass(frozen=True)
class Place:
    """A normalized place: its English name, ISO 3166 code (countries), type, country."""

    name: str
    iso_code: str | None
    location_type: str
    country: str | None


#: English names the press uses where ISO's differ (``Korea, Republic of``).
COUNTRY_NAMES = {
    "KR": "South Korea",
    "KP": "North Korea",
    "TR": "Turkey",
    "RU": "Russia",
    "US": "United States",
    "GB": "United Kingdom",
    "IR": "Iran",
    "SY": "Syria",
    "VN": "Vietnam",
    "LA": "Laos",
    "MD": "Moldova",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "TW": "Taiwan",
    "CZ": "Czech Republic",
}

#: More spellings of countries, in the three languages (ISO's are added to these).
COUNTRY_ALIASES = {
    "KR": ["South Korea", "Republic of Korea", "Korea", "Южная Корея", "Корея", "Оңтүстік Корея"],
    "TR": ["Turkey", "Türkiye", "Турция", "Түркия"],
    "RU": ["Russia", "Россия", "Ресей"],
    "US": ["USA", "U.S.", "United States of America", "США", "АҚШ"],
    "GB": ["UK", "Britain", "Great Britain", "Великобритания", "Ұлыбритания"],
    "AE": ["UAE", "ОАЭ", "БАӘ", "Эмираты", "Emirates"],
    "KZ": [
        "Kazakhstan",
        "Republic of Kazakhstan",
        "Казахстан",
        "Қазақстан",
        "Республика Казахстан",
    ],
    "UZ": ["Uzbekistan", "Узбекистан", "Өзбекстан"],
    "KG": ["Kyrgyzstan", "Киргизия", "Кыргызстан", "Қырғызстан"],
    "TJ": ["Tajikistan", "Таджикистан", "Тәжікстан"],
    "TM": ["Turkmenistan", "Туркмения", "Туркменистан", "Түрікменстан"],
    "CN": ["China", "Китай", "Қытай"],
    "BH": ["Bahrain", "Бахрейн"],
    "DE": ["Germany", "Германия", "Германия"],
    "TH": ["Thailand", "Таиланд", "Тайланд"],
    "IL": ["Israel", "Израиль", "Израиль"],
    "SA": ["Saudi Arabia", "Саудовская Аравия", "Сауд Арабиясы"],
    "UA": ["Ukraine", "Украина", "Украина"],
    "BY": ["Belarus", "Беларусь", "Белоруссия"],
    "AZ": ["Azerbaijan", "Азербайджан", "Әзірбайжан"],
    "GE": ["Georgia", "Грузия", "Грузия"],
    "AM": ["Armenia", "Армения", "Армения"],
    "PL": ["Poland", "Польша", "Польша"],
    "CY": ["Cyprus", "Кипр", "Кипр"],
    "EG": ["Egypt", "Египет", "Мысыр"],
    "QA": ["Qatar", "Катар", "Катар"],
}

#: Cities of the region and common destinations: English name, country, other spellings.
CITIES: dict[str, tuple[str, list[str]]] = {
    "Almaty": ("KZ", ["Алматы", "Alma-Ata", "Алма-Ата"]),
    "Astana": ("KZ", ["Астана", "Nur-Sultan", "Нур-Султан", "Нұр-Сұлтан", "Akmola"]),
    "Shymkent": ("KZ", ["Шымкент", "Chimkent", "Чимкент"]),
    "Karaganda": ("KZ", ["Караганда", "Қарағанды", "Karagandy"]),
    "Aktobe": ("KZ", ["Актобе", "Ақтөбе"]),
    "Taraz": ("KZ", ["Тараз"]),
    "Pavlodar": ("KZ", ["Павлодар"]),
    "Oskemen": ("KZ", ["Усть-Каменогорск", "Өскемен", "Ust-Kamenogorsk"]),
    "Semey": ("KZ", ["Семей", "Семипалатинск", "Semipalatinsk"]),
    "Atyrau": ("KZ", ["Атырау"]),
    "Kostanay": ("KZ", ["Костанай", "Қостанай"]),
    "Kyzylorda": ("KZ", ["Кызылорда", "Қызылорда"]),
    "Aktau": ("KZ", ["Актау", "Ақтау"]),
    "Oral": ("KZ", ["Уральск", "Орал", "Uralsk"]),
    "Turkistan": ("KZ", ["Туркестан", "Түркістан", "Turkestan"]),
    "Petropavl": ("KZ", ["Петропавловск", "Петропавл", "Petropavlovsk"]),
    "Tashkent": ("UZ", ["Ташкент", "Ташкент"]),
    "Bishkek": ("KG", ["Бишкек"]),
    "Moscow": ("RU", ["Москва", "Мәскеу"]),
    "Seoul": ("KR", ["Сеул"]),
    "Istanbul": ("TR", ["Стамбул", "Ыстамбұл"]),
    "Dubai": ("AE", ["Дубай"]),
    "Manama": ("BH", ["Манама"]),
}


def _translations(domain: str, language: str) -> gettext.NullTranslations:
    import pycountry

    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


@functools.cache
def _table() -> dict[str, Place]:
    import pycountry

    table: dict[str, Place] = {}
    locales = [_translations("iso3166-1", lang) for lang in ("ru", "kk")]
    for c in pycountry.countries:
        code = c.alpha_2
        english = COUNTRY_NAMES.get(code) or getattr(c, "common_name", None) or c.name
        place = Place(english, code, "country", code)
        names = [c.name, english, getattr(c, "official_name", None), c.alpha_3]
        names += [t.gettext(c.name) for t in locales]
        names += COUNTRY_ALIASES.get(code, [])
        for n in names:
            if n:
                table.setdefault(name_key(n), place)
    for city, (country, others) in CITIES.items():
        place = Place(city, None, "city", country)
        for n in [city, *others]:
            table[name_key(n)] = place
    return table


@functools.cache
def _alpha2() -> dict[str, Place]:
    return {p.iso_code: p for p in _table().values() if p.iso_code}


def normalize_place(text: str) -> Place | None:
    """The :class:`Place` that ``text`` names, or None. Two upper-case letters are read as an
    ISO 3166 code ("BH"); anything else by its name key, in any of the three languages."""
    stripped = text.strip()
    if len(stripped) == 2 and stripped.isascii() and stripped.isupper():
        return _alpha2().get(stripped)
    key = name_key(stripped)
    if key.startswith("the "):
        key = key[4:]
    return _table().get(key)


def place_names() -> dict[str, Place]:
    """Every known spelling (as a name key) and its place: the gazetteer."""
    return dict(_table())
