"""Offline language detection among the languages casegraph extracts from.

``lingua-language-detector`` carries its models in its wheel, so nothing is downloaded.
Only English, Russian and Kazakh are considered: a document in another language is
reported as the nearest of the three, which the caller may override with ``--lang``.

>>> detect_language("Over a thousand Kazakhstan residents have vanished.")
'en'
>>> detect_language("Более тысячи жителей Казахстана пропали без вести.")
'ru'
>>> detect_language("Қазақстанда мыңнан астам адам із-түзсіз жоғалып кетті.")
'kk'
"""

from __future__ import annotations

import functools
from typing import Any

LANGUAGES = ("en", "ru", "kk")
#: Letters only Kazakh Cyrillic has: a text with them is Kazakh whatever else it holds.
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


@functools.cache
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.RUSSIAN, Language.KAZAKH
    ).build()


def detect_language(text: str, *, sample: int = 4000) -> str:
    """``en``, ``ru`` or ``kk`` for ``text`` (its first ``sample`` characters)."""
    head = text[:sample]
    if not head.strip():
        return "en"
    letters = [c for c in head if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if letters and cyrillic / len(letters) > 0.3:
        kazakh = sum(1 for c in letters if c in KAZAKH_LETTERS)
        if kazakh / max(cyrillic, 1) > 0.01:
            return "kk"
    found = _detector().detect_language_of(head)
    if found is None:
        return "en"
    return str(found.iso_code_639_1.name).lower()
