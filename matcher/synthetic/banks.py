"""The two banks as a curator's file holds them: draw people, then write every cell."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from matcher.synthetic.people import (
    FORMAT_CELLS,
    GROUP_LEADER_SHARE,
    Institutions,
    Mentees,
    Mentors,
    draw_institutions,
    draw_mentees,
    draw_mentors,
    pick_reverse,
    reverse_mentors,
    stack,
)
from matcher.synthetic.preferences import excluded_mentors, preferred_mentors
from matcher.synthetic.tables import BoolArray, IntArray, Tables, TextArray, load_tables
from matcher.synthetic.vocabulary import (
    INSTITUTION_KINDS,
    KINDERGARTEN_EPITHETS,
    QUALIFICATION_TAILS,
    QUALIFICATIONS,
    Kind,
)

MENTOR_COLUMNS = (
    "id", "full_name", "institution", "municipality", "position", "subjects", "levels",
    "experience_years", "qualification", "competences", "about", "capacity", "max_group",
    "formats", "consent",
)  # fmt: skip
MENTEE_COLUMNS = (
    "id", "full_name", "institution", "municipality", "position", "subjects", "levels",
    "experience_years", "category", "difficulties", "request", "preferred_mentors",
    "excluded_mentors", "max_mentors", "formats", "consent",
)  # fmt: skip
RUSSIAN_HEADERS = {  # the contract's Russian aliases
    "id": "Идентификатор", "full_name": "ФИО", "institution": "Образовательная организация",
    "municipality": "Муниципалитет", "position": "Должность", "subjects": "Предметы",
    "levels": "Уровни образования", "experience_years": "Стаж",
    "qualification": "Квалификационная категория", "competences": "Компетенции",
    "about": "Опыт и достижения", "capacity": "Максимум наставляемых",
    "max_group": "Максимальный размер группы", "formats": "Формат", "consent": "Согласие",
    "category": "Категория", "difficulties": "Затруднения", "request": "Запрос",
    "preferred_mentors": "Желаемые наставники", "excluded_mentors": "Исключённые наставники",
    "max_mentors": "Максимум наставников",
}  # fmt: skip
DEFAULT_MUNICIPALITY = "Нижнереченский муниципальный округ"
PEOPLE_PER_INSTITUTION = 40  # both banks together, when the caller does not say
BARE_LEVEL_SHARE = 0.4  # level 2 written as a bare code
OPENER_SHARE = 0.7
SECOND_PHRASE_SHARE = 0.6
NO_REQUEST_SHARE = 0.07
_PREFIXES = sorted((kind.prefix for kind in INSTITUTION_KINDS), key=len, reverse=True)
_INSTITUTION_CODE = re.compile(rf"({'|'.join(_PREFIXES)})-(\d+)")


def generate_banks(
    *,
    n_mentees: int,
    n_mentors: int,
    n_institutions: int | None = None,
    seed: int = 0,
    municipality: str = DEFAULT_MUNICIPALITY,
    kinds: Collection[Kind] | None = None,
    group_leader_share: float = GROUP_LEADER_SHARE,
    two_mentors_share: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(mentors, mentees) working in ``n_institutions`` institutions (one per 40 people by default).

    ``group_leader_share`` of the mentors with places accept groups of 3–5 (15 % by default);
    ``two_mentors_share`` of the mentees are allowed two mentors (by default about 10 %, among
    those with two or more difficulties).

    ``kinds`` limits the institutions to some kinds (``"kindergarten"``, ``"school"``, …; see
    ``Kind``); by default they mix as in a municipality. Columns are ``MENTOR_COLUMNS`` and
    ``MENTEE_COLUMNS``, rows are sorted by id.
    """
    _check_arguments(n_mentees, n_mentors, n_institutions, kinds)
    rng = np.random.default_rng(seed)
    tables = load_tables()
    count = n_institutions or max(1, round((n_mentees + n_mentors) / PEOPLE_PER_INSTITUTION))
    institutions = draw_institutions(rng, count, kinds)
    mentees = draw_mentees(rng, tables, institutions, n_mentees, two_mentors_share)
    reverse = pick_reverse(rng, tables, mentees, n_mentors)
    numbers = rng.permutation(n_mentees + n_mentors - reverse.size).astype(np.int64) + 1
    mentees = replace(mentees, number=numbers[:n_mentees])
    mentors = stack(
        draw_mentors(rng, tables, institutions, numbers[n_mentees:], group_leader_share),
        reverse_mentors(rng, tables, institutions, mentees, reverse),
    )
    place = _Place(institutions, tables.kind_setting[institutions.kind], municipality)
    return _mentor_frame(rng, tables, place, mentors), _mentee_frame(rng, tables, place, mentees, mentors)


def write_banks(
    mentors: pd.DataFrame,
    mentees: pd.DataFrame,
    out_dir: Path,
    *,
    fmt: Literal["csv", "xlsx"] = "csv",
    headers: Literal["en", "ru"] = "en",
) -> tuple[Path, Path]:
    """Write ``mentors.<fmt>`` and ``mentees.<fmt>`` into ``out_dir``; return their paths.

    CSV is UTF-8, comma-delimited; XLSX has one sheet. ``headers="ru"`` writes the contract's
    Russian aliases («ФИО», «Затруднения», …), as a curator would type them.
    """
    if fmt not in ("csv", "xlsx") or headers not in ("en", "ru"):
        raise ValueError(f"unknown fmt {fmt!r} or headers {headers!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = (out_dir / f"mentors.{fmt}", out_dir / f"mentees.{fmt}")
    for frame, path, sheet in zip((mentors, mentees), paths, ("Наставники", "Наставляемые"), strict=True):
        table = frame.rename(columns=RUSSIAN_HEADERS) if headers == "ru" else frame
        if fmt == "csv":
            table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        else:
            table.to_excel(path, index=False, sheet_name=sheet)
    return paths


def institution_names(codes: Iterable[str]) -> dict[str, str]:
    """Full names of institutions coded by ``generate_banks``: ``{"СОШ-5": "МБОУ «СОШ №5»", …}``."""
    return {code: _institution_name(code) for code in codes}


def _institution_name(code: str) -> str:
    match = _INSTITUTION_CODE.fullmatch(code)
    if match is None:
        raise ValueError(f"{code!r} is not an institution code made by matcher.synthetic")
    prefix, number = match.group(1), int(match.group(2))
    if prefix == "ДС":
        form = "МАДОУ" if number % 5 == 0 else "МБДОУ"
        epithet = KINDERGARTEN_EPITHETS[number % len(KINDERGARTEN_EPITHETS)]
        return f"{form} «Детский сад №{number} «{epithet}»»"
    if prefix == "ДСК":
        return f"МБДОУ «Детский сад №{number} компенсирующего вида»"
    if prefix == "СОШ":
        depth = " с углублённым изучением отдельных предметов" if number % 7 == 0 else ""
        return f"МБОУ «СОШ №{number}{depth}»"
    if prefix == "ГИМ":
        return f"МБОУ «Гимназия №{number}»"
    if prefix == "ЛИЦ":
        return f"МАОУ «Лицей №{number}»"
    house = "Дом детского творчества" if number % 2 else "Центр дополнительного образования"
    return f"МБУ ДО «{house} №{number}»"


def _check_arguments(
    n_mentees: int, n_mentors: int, n_institutions: int | None, kinds: Collection[Kind] | None
) -> None:
    if n_mentees < 0 or n_mentors < 0:
        raise ValueError(f"bank sizes must not be negative, got {n_mentees} mentees and {n_mentors} mentors")
    if n_institutions is not None and n_institutions < 1:
        raise ValueError(f"n_institutions must be at least 1, got {n_institutions}")
    known = {kind.key for kind in INSTITUTION_KINDS}
    if kinds is not None and (not kinds or not set(kinds) <= known):
        raise ValueError(f"kinds must be a non-empty subset of {sorted(known)}, got {sorted(kinds)}")


# --- frames and cells ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Place:
    institutions: Institutions
    setting: IntArray  # per institution, index into SETTINGS
    municipality: str


def _mentor_frame(rng: np.random.Generator, tables: Tables, place: _Place, mentors: Mentors) -> pd.DataFrame:
    columns = _common_columns(tables, place, mentors) | {
        "qualification": np.array(QUALIFICATIONS, dtype=object)[mentors.qualification],
        "competences": _code_cells(rng, tables, mentors.codes, mentors.level, mentors.count),
        "about": _about(rng, tables, mentors, place.setting[mentors.institution]),
        "capacity": mentors.capacity,
        "max_group": mentors.max_group,
        "formats": np.array(FORMAT_CELLS, dtype=object)[mentors.formats],
        "consent": _yes_no(mentors.consent),
    }
    return _frame(columns, MENTOR_COLUMNS)


def _mentee_frame(
    rng: np.random.Generator, tables: Tables, place: _Place, mentees: Mentees, mentors: Mentors
) -> pd.DataFrame:
    n_institutions = place.setting.size
    preferred = preferred_mentors(rng, mentees, mentors, n_institutions, tables.codes.size)
    excluded = excluded_mentors(rng, mentees, mentors, preferred, n_institutions)
    columns = _common_columns(tables, place, mentees) | {
        "category": tables.category_names[mentees.category],
        "difficulties": _code_cells(rng, tables, mentees.codes, mentees.severity, mentees.count),
        "request": _request(rng, tables, mentees, place.setting[mentees.institution]),
        "preferred_mentors": _id_cells(mentors.number, preferred),
        "excluded_mentors": _id_cells(mentors.number, excluded[:, None]),
        "max_mentors": mentees.max_mentors,
        "formats": np.array(FORMAT_CELLS, dtype=object)[mentees.formats],
        "consent": _yes_no(mentees.consent),
    }
    return _frame(columns, MENTEE_COLUMNS)


def _common_columns(tables: Tables, place: _Place, people: Mentees | Mentors) -> dict[str, object]:
    return {
        "id": _ids(people.number),
        "full_name": people.full_name,
        "institution": place.institutions.codes[people.institution],
        "municipality": place.municipality,
        "position": tables.variant_position[people.variant],
        "subjects": tables.variant_subjects[people.variant],
        "levels": tables.variant_levels[people.variant],
        "experience_years": people.experience,
    }


def _frame(columns: dict[str, object], order: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns)[list(order)].sort_values("id", ignore_index=True)


def _ids(numbers: IntArray) -> TextArray:
    return np.array([f"T{number:06d}" for number in numbers.ravel()], dtype=object).reshape(numbers.shape)


def _id_cells(numbers: IntArray, rows: IntArray) -> TextArray:
    """«T000012;T000345» for each row of mentor rows (−1: none, filled columns first)."""
    if numbers.size == 0:
        return np.full(rows.shape[0], "", dtype=object)
    ids = np.where(rows >= 0, _ids(numbers[np.maximum(rows, 0)]), "")
    return _join(ids.astype(object), (rows >= 0).sum(axis=1))


def _code_cells(
    rng: np.random.Generator, tables: Tables, codes: IntArray, grade: IntArray, count: IntArray
) -> TextArray:
    """``parents:3;lesson;ict:1``: codes with their levels, level 2 sometimes left implicit."""
    suffixes = np.array([":1", ":2", ":3", ""], dtype=object)
    bare = (grade == 2) & (rng.random(grade.shape) < BARE_LEVEL_SHARE)
    tokens: TextArray = tables.codes[codes] + suffixes[np.where(bare, 3, grade - 1)]
    return _join(tokens, count)


def _join(tokens: TextArray, count: IntArray) -> TextArray:
    """The first ``count`` tokens of each row joined with «;»."""
    cells = tokens[:, 0].copy()
    for column in range(1, tokens.shape[1]):
        cells = np.where(count > column, cells + ";" + tokens[:, column], cells)
    return cells


def _yes_no(consent: BoolArray) -> TextArray:
    return np.where(consent, "да", "нет").astype(object)


# --- free text -------------------------------------------------------------------------------


def _request(rng: np.random.Generator, tables: Tables, mentees: Mentees, setting: IntArray) -> TextArray:
    """The mentee's own words: an opener for their category, then their first difficulties."""
    n, gender = setting.size, mentees.female.astype(np.intp)
    opener = tables.openers[gender, setting, mentees.category, rng.integers(0, tables.openers.shape[3], n)]
    variant = rng.integers(0, tables.request_phrases.shape[3], (n, 2))
    phrase = tables.request_phrases[gender[:, None], setting[:, None], mentees.codes[:, :2], variant]
    text = np.where(rng.random(n) < OPENER_SHARE, opener + " " + phrase[:, 0], phrase[:, 0])
    second = (mentees.count >= 2) & (rng.random(n) < SECOND_PHRASE_SHARE)
    text = np.where(second, text + " " + phrase[:, 1], text)
    return np.where(rng.random(n) < NO_REQUEST_SHARE, "", text).astype(object)


def _about(rng: np.random.Generator, tables: Tables, mentors: Mentors, setting: IntArray) -> TextArray:
    """Experience and category, what the mentor is good at, an achievement, group readiness."""
    n, gender = setting.size, mentors.female.astype(np.intp)
    years = mentors.experience.astype(str).astype(object)
    tail = np.array(QUALIFICATION_TAILS, dtype=object)[mentors.qualification]
    text = "Педагогический стаж " + years + " " + tables.years_words[mentors.experience] + tail
    note = tables.reverse_sentences[gender, rng.integers(0, tables.reverse_sentences.shape[1], n)]
    text = np.where(mentors.reverse, text + " " + note, text)
    variant = rng.integers(0, tables.mentor_phrases.shape[3], (n, 2))
    phrase = tables.mentor_phrases[gender[:, None], setting[:, None], mentors.codes[:, :2], variant]
    second = (mentors.count >= 2) & (rng.random(n) < SECOND_PHRASE_SHARE)
    text = np.where(second, text + " " + phrase[:, 0] + " " + phrase[:, 1], text + " " + phrase[:, 0])
    achievement = tables.achievements[gender, setting, rng.integers(0, tables.achievements.shape[2], n)]
    proud = ~mentors.reverse & (rng.random(n) < np.where(mentors.qualification == 0, 0.7, 0.25))
    text = np.where(proud, text + " " + achievement, text)
    about: TextArray = np.where(mentors.max_group >= 3, text + " " + tables.group_sentence[gender], text)
    return about
