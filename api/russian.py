"""Russian wording the documents and messages share: the plural form that goes with a number."""

from __future__ import annotations


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """``one`` for 1, 21, 101…; ``few`` for 2–4, 22–24…; ``many`` for the rest (5–20, 11–14…)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many
