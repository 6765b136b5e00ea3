"""Name normalization: the ``name_key`` used for search and matching.

A name key is the name transliterated to Latin (Russian and Kazakh Cyrillic included),
with accents removed, case folded, punctuation turned into spaces and runs of spaces
collapsed. Two spellings of one name in two scripts share a key:

>>> name_key("Думан Таев")
'duman taev'
>>> name_key("  Duman TAEV ")
'duman taev'
>>> name_key('"Қорғау Астана"')
'korgau astana'
>>> name_key("Five Winds Asset-Management")
'five winds asset management'
"""

from __future__ import annotations

import re
import unicodedata

# Russian and Kazakh Cyrillic to Latin, close to common English-language practice
# (the way Kazakh names appear in the English press: Таев → Taev, Жанна → Zhanna).
_CYRILLIC: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Kazakh letters
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
    # Ukrainian/Belarusian letters that turn up in regional sources
    "є": "ye",
    "ї": "yi",
    "ў": "u",
    "ґ": "g",
}
_TRANSLATE = str.maketrans(_CYRILLIC)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin; other characters are left as they are.

    >>> transliterate("Алжанова")
    'alzhanova'
    """
    return text.lower().translate(_TRANSLATE)


def name_key(name: str) -> str:
    """The normalized, transliterated form of ``name`` (see the module docstring)."""
    text = transliterate(unicodedata.normalize("NFKC", name).casefold())
    # Strip accents from Latin letters (é → e) after transliteration.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", text).strip()


def search_keys(name: str, aliases: list[str] | None = None) -> list[str]:
    """Every distinct key under which an entity with ``name`` and ``aliases`` is found."""
    keys: list[str] = []
    for n in [name, *(aliases or [])]:
        k = name_key(n)
        if k and k not in keys:
            keys.append(k)
    return keys
