"""Name keys: Latin and Cyrillic spellings of one name meet."""

from __future__ import annotations

import pytest

from casegraph.graph.names import name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Duman Taev", "Думан Таев"),
        ("Anna Ryl", "Анна Рыль"),
        ("Nurdilda Oraz", "Нурдильда Ораз"),
        ("Alzhanova", "Альжанова"),
        ("Korgau Astana", "Қорғау Астана"),
        ("Shymkent", "Шымкент"),
        ("QUESTRA  World!", "questra world"),
    ],
)
def test_same_name_in_two_scripts_has_one_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_different_names_differ() -> None:
    assert name_key("Anna Ryl") != name_key("Anna Rylova")


def test_key_is_ascii_lowercase_words() -> None:
    key = name_key("Ж. Әбенова-Құрманғалиқызы (Almaty)")
    assert key == key.lower()
    assert key.isascii()
    assert "  " not in key
