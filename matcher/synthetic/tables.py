"""The vocabulary as arrays, built once: what the draws index with numpy instead of looping.

Every weight matrix has one column per taxonomy code, in the taxonomy's order. Text grids are
indexed gender × setting × item × variant (gender 0 male, 1 female; settings as ``SETTINGS``);
an item with fewer variants than the widest repeats its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product

import numpy as np
import numpy.typing as npt

from matcher.synthetic.vocabulary import (
    ACHIEVEMENTS,
    DEFAULT_COMPETENCE_WEIGHT,
    DEFAULT_DIFFICULTY_WEIGHT,
    FIRST_NAMES_FEMALE_OLDER,
    FIRST_NAMES_FEMALE_YOUNGER,
    FIRST_NAMES_MALE_OLDER,
    FIRST_NAMES_MALE_YOUNGER,
    GROUP_SENTENCE,
    INSTITUTION_KINDS,
    JUNIOR_MENTOR_BOOST,
    MENTEE_CATEGORIES,
    MENTOR_CORE,
    MENTOR_PHRASES,
    MENTOR_WEIGHTS,
    PATRONYMICS,
    REQUEST_PHRASES,
    REVERSE_SENTENCES,
    REVERSE_WEIGHTS,
    ROLES,
    SENIOR_MENTOR_BOOST,
    SETTING_PRESENCE,
    SETTING_WORDS,
    SETTINGS,
    SURNAMES_ADJECTIVAL,
    SURNAMES_INVARIANT,
    SURNAMES_POSSESSIVE,
    Setting,
)
from matcher.taxonomy import load_taxonomy

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
TextArray = npt.NDArray[np.object_]

_ALTERNATIVE = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")


@dataclass(frozen=True, slots=True)
class Tables:
    codes: TextArray  # taxonomy codes: the columns of every weight matrix
    kind_setting: IntArray  # per institution kind
    kind_boost: FloatArray  # kinds × codes
    setting_presence: FloatArray  # settings × codes
    variant_setting: IntArray  # a variant is one (subjects, levels) of one role
    variant_position: TextArray
    variant_subjects: TextArray
    variant_levels: TextArray
    variant_mentee_weight: FloatArray
    variant_mentor_weight: FloatArray
    variant_female: FloatArray
    variant_boost: FloatArray  # variants × codes
    variant_core: IntArray  # the mentor's own competence as a code column, −1 for none
    category_names: TextArray
    category_share: FloatArray
    category_experience: IntArray  # categories × (lowest, highest)
    category_difficulties: IntArray  # categories × (fewest, most)
    category_weights: FloatArray  # categories × codes
    mentor_weights: FloatArray  # (middle, junior, senior) × codes
    reverse_weights: FloatArray  # codes
    surnames: TextArray  # gender × surname
    first_names: TextArray  # gender × (older, younger) × name, shorter lists padded with ""
    first_name_counts: IntArray  # gender × (older, younger)
    patronymics: TextArray  # gender × patronymic
    years_words: TextArray  # «год» / «года» / «лет» for 0–99
    openers: TextArray  # gender × setting × category × variant
    request_phrases: TextArray  # gender × setting × code × variant
    mentor_phrases: TextArray  # gender × setting × code × variant
    achievements: TextArray  # gender × setting × variant
    reverse_sentences: TextArray  # gender × variant
    group_sentence: TextArray  # gender


@cache
def load_tables() -> Tables:
    codes = load_taxonomy().codes
    variants = [(role, subjects, levels) for role in ROLES for subjects, levels in role.variants]
    return Tables(
        codes=np.array(codes, dtype=object),
        kind_setting=np.array([SETTINGS.index(kind.setting) for kind in INSTITUTION_KINDS]),
        kind_boost=np.array([_code_weights(kind.boost, codes, 1.0) for kind in INSTITUTION_KINDS]),
        setting_presence=np.array([_code_weights(SETTING_PRESENCE[s], codes, 1.0) for s in SETTINGS]),
        variant_setting=np.array([SETTINGS.index(role.setting) for role, _, _ in variants]),
        variant_position=np.array([role.position for role, _, _ in variants], dtype=object),
        variant_subjects=np.array([subjects for _, subjects, _ in variants], dtype=object),
        variant_levels=np.array([levels for _, _, levels in variants], dtype=object),
        variant_mentee_weight=np.array([role.mentee_weight / len(role.variants) for role, _, _ in variants]),
        variant_mentor_weight=np.array([role.mentor_weight / len(role.variants) for role, _, _ in variants]),
        variant_female=np.array([role.female_share for role, _, _ in variants]),
        variant_boost=np.array([_code_weights(role.boost, codes, 1.0) for role, _, _ in variants]),
        variant_core=np.array([_column(MENTOR_CORE.get(role.position), codes) for role, _, _ in variants]),
        category_names=np.array([c.name for c in MENTEE_CATEGORIES], dtype=object),
        category_share=np.array([c.share for c in MENTEE_CATEGORIES]),
        category_experience=np.array([c.experience for c in MENTEE_CATEGORIES]),
        category_difficulties=np.array([c.difficulty_count for c in MENTEE_CATEGORIES]),
        category_weights=np.array(
            [_code_weights(c.weights, codes, DEFAULT_DIFFICULTY_WEIGHT) for c in MENTEE_CATEGORIES]
        ),
        mentor_weights=_mentor_weights(codes),
        reverse_weights=_code_weights(REVERSE_WEIGHTS, codes, 0.0),
        surnames=_surnames(),
        first_names=np.array([[_padded(pool, 24) for pool in pair] for pair in _FIRST_NAMES], dtype=object),
        first_name_counts=np.array([[len(pool) for pool in pair] for pair in _FIRST_NAMES]),
        patronymics=np.array(PATRONYMICS, dtype=object).T,
        years_words=np.array([_years_word(n) for n in range(100)], dtype=object),
        openers=_text_grid([c.openers for c in MENTEE_CATEGORIES]),
        request_phrases=_text_grid([REQUEST_PHRASES[code] for code in codes]),
        mentor_phrases=_text_grid([MENTOR_PHRASES[code] for code in codes]),
        # Sentences without setting words: any setting's resolution, [:, 0], will do.
        achievements=_text_grid([ACHIEVEMENTS[s] for s in SETTINGS])[:, 0],
        reverse_sentences=_text_grid([REVERSE_SENTENCES])[:, 0, 0],
        group_sentence=_text_grid([(GROUP_SENTENCE,)])[:, 0, 0, 0],
    )


_FIRST_NAMES = (  # gender × (older, younger)
    (FIRST_NAMES_MALE_OLDER, FIRST_NAMES_MALE_YOUNGER),
    (FIRST_NAMES_FEMALE_OLDER, FIRST_NAMES_FEMALE_YOUNGER),
)


def _code_weights(weights: Mapping[str, float], codes: Sequence[str], default: float) -> FloatArray:
    unknown = set(weights) - set(codes)
    if unknown:
        raise ValueError(f"the vocabulary names codes missing from the taxonomy: {sorted(unknown)}")
    return np.array([weights.get(code, default) for code in codes], dtype=np.float64)


def _column(code: str | None, codes: Sequence[str]) -> int:
    if code is None:
        return -1
    if code not in codes:
        raise ValueError(f"the vocabulary names a code missing from the taxonomy: {code}")
    return codes.index(code)


def _mentor_weights(codes: Sequence[str]) -> FloatArray:
    middle = _code_weights(MENTOR_WEIGHTS, codes, DEFAULT_COMPETENCE_WEIGHT)
    junior = middle * _code_weights(JUNIOR_MENTOR_BOOST, codes, 1.0)
    senior = middle * _code_weights(SENIOR_MENTOR_BOOST, codes, 1.0)
    return np.stack([middle, junior, senior])


def _surnames() -> TextArray:
    male = [*SURNAMES_POSSESSIVE, *SURNAMES_ADJECTIVAL, *SURNAMES_INVARIANT]
    female = [
        *(surname + "а" for surname in SURNAMES_POSSESSIVE),
        *(surname[:-2] + "ая" for surname in SURNAMES_ADJECTIVAL),
        *SURNAMES_INVARIANT,
    ]
    return np.array([male, female], dtype=object)


def _padded(names: Sequence[str], width: int) -> list[str]:
    if len(names) > width:
        raise ValueError(f"at most {width} first names per list, got {len(names)}")
    return [*names, *[""] * (width - len(names))]


def _years_word(number: int) -> str:
    if number % 10 == 1 and number % 100 != 11:
        return "год"
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return "года"
    return "лет"


def _text_grid(templates: Sequence[Sequence[str]]) -> TextArray:
    width = max(len(variants) for variants in templates)
    grid = np.empty((2, len(SETTINGS), len(templates), width), dtype=object)
    for female, (s, setting), (i, variants), v in product(
        (0, 1), enumerate(SETTINGS), enumerate(templates), range(width)
    ):
        grid[female, s, i, v] = _resolve(variants[v % len(variants)], setting, female=bool(female))
    return grid


def _resolve(template: str, setting: Setting, *, female: bool) -> str:
    """Pick the ``[female|male]`` alternatives, then fill the ``{lesson}``-style setting words."""
    chosen = _ALTERNATIVE.sub(lambda match: match.group(1 if female else 2), template)
    return chosen.format_map(SETTING_WORDS[setting])
