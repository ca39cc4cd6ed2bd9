"""The institutions' registry for synthetic banks: one row per institution code they use.

Columns are the registry's Russian headers (``matcher.reading.COLUMNS["institutions"]``): the
full and short names follow the code (``СОШ-46`` → «Муниципальное бюджетное
общеобразовательное учреждение «Средняя общеобразовательная школа №46»», short name
``institution_names``' «МБОУ «СОШ №46»»), the head and the address are drawn from a generator
seeded by the code, so a code always gets the same head whichever bank it came from.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from matcher.reading import COLUMNS
from matcher.synthetic.banks import DEFAULT_MUNICIPALITY, institution_names
from matcher.synthetic.vocabulary import (
    FIRST_NAMES_FEMALE_OLDER,
    FIRST_NAMES_MALE_OLDER,
    KINDERGARTEN_EPITHETS,
    PATRONYMICS,
    SURNAMES_ADJECTIVAL,
    SURNAMES_INVARIANT,
    SURNAMES_POSSESSIVE,
)

STREETS = (
    "ул. Ленина", "ул. Школьная", "ул. Садовая", "ул. Мира", "ул. Советская", "ул. Молодёжная",
    "ул. Набережная", "ул. Гагарина", "ул. Пушкина", "ул. Заречная", "пр-т Победы", "ул. Строителей",
)  # fmt: skip
TOWN = "г. Нижнереченск"
POSTCODE = 655000
FEMALE_HEAD_SHARE = {"ДС": 0.95, "ДСК": 0.95, "СОШ": 0.75, "ГИМ": 0.7, "ЛИЦ": 0.6, "ДО": 0.8}
_CODE = re.compile(r"(ДСК|ДС|СОШ|ГИМ|ЛИЦ|ДО)-(\d+)")


def _full_name(prefix: str, number: int) -> str:
    if prefix == "ДС":
        form = "автономное" if number % 5 == 0 else "бюджетное"
        epithet = KINDERGARTEN_EPITHETS[number % len(KINDERGARTEN_EPITHETS)]
        return (
            f"Муниципальное {form} дошкольное образовательное учреждение «Детский сад №{number} «{epithet}»»"
        )
    if prefix == "ДСК":
        return (
            "Муниципальное бюджетное дошкольное образовательное учреждение "
            f"«Детский сад №{number} компенсирующего вида»"
        )
    if prefix == "СОШ":
        depth = " с углублённым изучением отдельных предметов" if number % 7 == 0 else ""
        return (
            "Муниципальное бюджетное общеобразовательное учреждение "
            f"«Средняя общеобразовательная школа №{number}{depth}»"
        )
    if prefix == "ГИМ":
        return f"Муниципальное бюджетное общеобразовательное учреждение «Гимназия №{number}»"
    if prefix == "ЛИЦ":
        return f"Муниципальное автономное общеобразовательное учреждение «Лицей №{number}»"
    house = "Дом детского творчества" if number % 2 else "Центр дополнительного образования"
    return f"Муниципальное бюджетное учреждение дополнительного образования «{house} №{number}»"


def _kind(prefix: str) -> str:
    if prefix in ("ДС", "ДСК"):
        return "детский сад"
    if prefix == "ДО":
        return "организация дополнительного образования"
    return "школа"


def _head_name(rng: np.random.Generator, prefix: str) -> str:
    female = bool(rng.random() < FEMALE_HEAD_SHARE[prefix])
    surnames = SURNAMES_POSSESSIVE + SURNAMES_ADJECTIVAL + SURNAMES_INVARIANT
    family = surnames[int(rng.integers(len(surnames)))]
    patronymic = PATRONYMICS[int(rng.integers(len(PATRONYMICS)))][1 if female else 0]
    if female:
        first = FIRST_NAMES_FEMALE_OLDER[int(rng.integers(len(FIRST_NAMES_FEMALE_OLDER)))]
        if family in SURNAMES_ADJECTIVAL:
            family = family[:-2] + "ая"
        elif family in SURNAMES_POSSESSIVE:
            family += "а"
    else:
        first = FIRST_NAMES_MALE_OLDER[int(rng.integers(len(FIRST_NAMES_MALE_OLDER)))]
    return f"{family} {first} {patronymic}"


def institution_registry(codes: Iterable[str], municipality: str = DEFAULT_MUNICIPALITY) -> pd.DataFrame:
    """The registry rows for ``codes`` (made by ``generate_banks``), sorted by code, Russian headers."""
    rows = []
    for code in sorted(set(codes)):
        match = _CODE.fullmatch(code)
        if match is None:
            raise ValueError(f"{code!r} is not an institution code made by matcher.synthetic")
        prefix, number = match[1], int(match[2])
        rng = np.random.default_rng(zlib.crc32(code.encode()))
        head = "заведующий" if prefix in ("ДС", "ДСК") else "директор"
        street = STREETS[int(rng.integers(len(STREETS)))]
        house = int(rng.integers(1, 120))
        rows.append(
            {
                "code": code,
                "full_name": _full_name(prefix, number),
                "short_name": institution_names([code])[code],
                "kind": _kind(prefix),
                "municipality": municipality,
                "head_name": _head_name(rng, prefix),
                "head_position": head,
                "address": f"{POSTCODE + int(rng.integers(1, 60))}, {TOWN}, {street}, д. {house}",
            }
        )
    columns = COLUMNS["institutions"]
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=dict(columns))
