"""Drawing institutions and people as parallel arrays, one numpy call per attribute.

A person is a row across the arrays of ``Mentees`` or ``Mentors``: institution and role
variant (indices into the ``Tables``), sex, experience, taxonomy codes with levels, and the
small fields of the contract. Nothing here is text yet except full names; ``banks`` writes
the cells.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields

import numpy as np

from matcher.synthetic.tables import BoolArray, FloatArray, IntArray, Tables, TextArray
from matcher.synthetic.vocabulary import CONSERVATIVE, INSTITUTION_KINDS, SETTINGS, YOUNG, Kind

FORMAT_CELLS = ("смешанный", "", "очно", "дистанционно", "очно;дистанционно")
FORMAT_SHARES = (0.35, 0.2, 0.25, 0.12, 0.08)
IN_PERSON_ONLY, REMOTE_ONLY = FORMAT_CELLS.index("очно"), FORMAT_CELLS.index("дистанционно")
NO_CONSENT_SHARE = 0.05
CAPACITY_SHARES = (0.05, 0.3, 0.4, 0.2, 0.05)  # capacity 0 (on leave), 1, 2, 3, 4
GROUP_LEADER_SHARE = 0.15
TWO_MENTORS_SHARE = 0.12  # of mentees with two or more difficulties: about 10 % of all
REVERSE_SHARE = 0.03  # of mentees, who also mentor their elders in ICT
MAX_DIFFICULTIES = 4
MAX_COMPETENCES = 6
YOUNG_NAME_EXPERIENCE = 12  # below this, first names come from the younger generation
CERTAIN = 1e9  # a weight that puts its code first (a specialist's own competence)


@dataclass(frozen=True, slots=True)
class Institutions:
    codes: TextArray
    kind: IntArray  # index into INSTITUTION_KINDS
    size: FloatArray  # relative staff: a few big schools, many small kindergartens


def draw_institutions(rng: np.random.Generator, count: int, kinds: Collection[Kind] | None) -> Institutions:
    """``count`` institutions of the allowed kinds, numbered distinctly within a kind."""
    allowed = np.array([i for i, kind in enumerate(INSTITUTION_KINDS) if kinds is None or kind.key in kinds])
    shares = np.array([INSTITUTION_KINDS[i].share for i in allowed])
    kind = allowed[rng.choice(allowed.size, size=count, p=shares / shares.sum())]
    number = np.zeros(count, dtype=np.int64)
    for k in allowed:  # at most six kinds
        members = np.flatnonzero(kind == k)
        highest = max(INSTITUTION_KINDS[k].highest_number, 2 * members.size)
        number[members] = np.sort(rng.choice(highest, size=members.size, replace=False)) + 1
    typical = np.array([kind.size for kind in INSTITUTION_KINDS])
    size = typical[kind] * rng.lognormal(0.0, 0.6, size=count)
    codes = [f"{INSTITUTION_KINDS[k].prefix}-{n}" for k, n in zip(kind, number, strict=True)]
    return Institutions(np.array(codes, dtype=object), kind, size)


@dataclass(frozen=True, slots=True)
class Mentees:
    number: IntArray  # the id's digits
    full_name: TextArray
    institution: IntArray
    variant: IntArray
    female: BoolArray
    category: IntArray
    experience: IntArray
    codes: IntArray  # people × MAX_DIFFICULTIES, most salient first; the first ``count`` are theirs
    count: IntArray
    severity: IntArray
    formats: IntArray  # index into FORMAT_CELLS
    consent: BoolArray
    max_mentors: IntArray


@dataclass(frozen=True, slots=True)
class Mentors:
    number: IntArray
    full_name: TextArray
    institution: IntArray
    variant: IntArray
    female: BoolArray
    experience: IntArray
    qualification: IntArray  # index into QUALIFICATIONS
    codes: IntArray  # people × MAX_COMPETENCES, strongest first; the first ``count`` are theirs
    count: IntArray
    level: IntArray
    capacity: IntArray
    max_group: IntArray
    formats: IntArray
    consent: BoolArray
    reverse: BoolArray  # a young teacher mentoring elders in ICT, also in the mentee bank

    def covers(self, n_codes: int) -> BoolArray:
        """mentors × taxonomy codes: which codes each mentor's competences hold."""
        covered = np.zeros((self.number.size, n_codes), dtype=bool)
        rows = np.broadcast_to(np.arange(self.number.size)[:, None], self.codes.shape)
        own = np.arange(self.codes.shape[1]) < self.count[:, None]
        covered[rows[own], self.codes[own]] = True
        return covered


def draw_mentees(
    rng: np.random.Generator,
    tables: Tables,
    institutions: Institutions,
    n: int,
    two_mentors_share: float | None = None,
) -> Mentees:
    """``n`` mentees without ids yet (``number`` is 0): ids are dealt once both banks are sized.

    ``two_mentors_share``: the share of all mentees allowed two mentors (by default about 10 %,
    drawn among mentees with two or more difficulties)."""
    institution, variant = _place_people(rng, tables, institutions, n, tables.variant_mentee_weight)
    female = rng.random(n) < tables.variant_female[variant]
    category = rng.choice(tables.category_share.size, size=n, p=tables.category_share)
    lowest, highest = tables.category_experience[category].T
    experience = lowest + ((highest - lowest + 1) * rng.random(n) ** 1.6).astype(np.int64)
    full_name = _full_names(rng, tables, female, experience < YOUNG_NAME_EXPERIENCE)
    weights = tables.category_weights[category] * _place_weights(tables, institutions, institution, variant)
    codes = _top_codes(rng, weights, MAX_DIFFICULTIES)
    fewest, most = tables.category_difficulties[category].T
    count = rng.integers(fewest, most + 1)
    conservative = category == list(tables.category_names).index(CONSERVATIVE)
    severity = _grades(rng, np.where(conservative, 0.8, 0.45), MAX_DIFFICULTIES)
    formats = rng.choice(len(FORMAT_CELLS), size=n, p=FORMAT_SHARES)
    formats = np.where(conservative & (formats == REMOTE_ONLY), IN_PERSON_ONLY, formats)
    consent = rng.random(n) >= NO_CONSENT_SHARE
    draw = rng.random(n)
    several = (
        (count >= 2) & (draw < TWO_MENTORS_SHARE) if two_mentors_share is None else draw < two_mentors_share
    )
    max_mentors = np.where(several, 2, 1)
    return Mentees(
        np.zeros(n, dtype=np.int64), full_name, institution, variant, female, category, experience,
        codes, count, severity, formats, consent, max_mentors,
    )  # fmt: skip


def draw_mentors(
    rng: np.random.Generator,
    tables: Tables,
    institutions: Institutions,
    numbers: IntArray,
    group_leader_share: float = GROUP_LEADER_SHARE,
) -> Mentors:
    """Experienced mentors, mostly 10–35 years, competences fitting their position and age;
    ``group_leader_share`` of those with places accept groups of 3–5."""
    n = numbers.size
    institution, variant = _place_people(rng, tables, institutions, n, tables.variant_mentor_weight)
    female = rng.random(n) < tables.variant_female[variant]
    experience = np.clip(np.rint(rng.normal(22.0, 8.0, n)), 5, 45).astype(np.int64)
    full_name = _full_names(rng, tables, female, experience < YOUNG_NAME_EXPERIENCE)
    highest = np.clip((experience - 5) / 25, 0.1, 0.75)
    u = rng.random(n)
    qualification = np.where(u < highest, 0, np.where(u < 0.93, 1, 2))
    stage = np.where(experience < 15, 1, np.where(experience > 25, 2, 0))
    weights = tables.mentor_weights[stage] * _place_weights(tables, institutions, institution, variant)
    core = tables.variant_core[variant]
    specialist = core >= 0
    weights[specialist, core[specialist]] = CERTAIN
    count = 2 + rng.binomial(4, np.clip(experience / 40, 0.2, 0.8))
    codes = _top_codes(rng, weights, MAX_COMPETENCES)
    first_high = np.where(specialist, 0.85, np.clip((experience - 5) / 30, 0.15, 0.7))
    level = _grades(rng, first_high, MAX_COMPETENCES)
    level[specialist, 0] = np.maximum(level[specialist, 0], 2)
    capacity = rng.choice(len(CAPACITY_SHARES), size=n, p=CAPACITY_SHARES)
    leads_groups = (capacity > 0) & (rng.random(n) < group_leader_share)
    max_group = np.where(leads_groups, rng.integers(3, 6, n), 1)
    formats = rng.choice(len(FORMAT_CELLS), size=n, p=FORMAT_SHARES)
    consent = rng.random(n) >= NO_CONSENT_SHARE
    return Mentors(
        numbers, full_name, institution, variant, female, experience, qualification, codes, count,
        level, capacity, max_group, formats, consent, np.zeros(n, dtype=bool),
    )  # fmt: skip


def pick_reverse(rng: np.random.Generator, tables: Tables, mentees: Mentees, n_mentors: int) -> IntArray:
    """Rows of young specialists, past their first year and without an ICT difficulty, who will
    also mentor in ICT."""
    n = mentees.count.size
    wanted = min(max(1, round(REVERSE_SHARE * n)), n_mentors // 2) if n else 0
    ict = list(tables.codes).index("ict")
    own = np.arange(MAX_DIFFICULTIES) < mentees.count[:, None]
    has_ict = ((mentees.codes == ict) & own).any(axis=1)
    young = mentees.category == list(tables.category_names).index(YOUNG)
    eligible = np.flatnonzero(young & ~has_ict & (mentees.experience >= 1))
    chosen = rng.choice(eligible, size=min(wanted, eligible.size), replace=False)
    return np.sort(chosen).astype(np.int64)


def reverse_mentors(
    rng: np.random.Generator, tables: Tables, institutions: Institutions, mentees: Mentees, rows: IntArray
) -> Mentors:
    """The mentor side of ``mentees[rows]``: ICT at level 3 first, then one or two other codes."""
    n = rows.size
    institution, variant = mentees.institution[rows], mentees.variant[rows]
    weights = tables.reverse_weights * _place_weights(tables, institutions, institution, variant)
    level = _grades(rng, np.full(n, 0.2), MAX_COMPETENCES)
    level[:, 0] = 3
    return Mentors(
        number=mentees.number[rows],
        full_name=mentees.full_name[rows],
        institution=institution,
        variant=variant,
        female=mentees.female[rows],
        experience=mentees.experience[rows],
        qualification=np.where((mentees.experience[rows] >= 2) & (rng.random(n) < 0.3), 1, 2),
        codes=_top_codes(rng, weights, MAX_COMPETENCES),
        count=rng.integers(2, 4, n),
        level=level,
        capacity=rng.integers(1, 3, n),
        max_group=np.where(rng.random(n) < 0.4, 3, 1),
        formats=mentees.formats[rows],
        consent=rng.random(n) >= NO_CONSENT_SHARE,
        reverse=np.ones(n, dtype=bool),
    )


def stack(first: Mentors, second: Mentors) -> Mentors:
    parts = {
        f.name: np.concatenate([getattr(first, f.name), getattr(second, f.name)]) for f in fields(Mentors)
    }
    return Mentors(**parts)


def _place_people(
    rng: np.random.Generator, tables: Tables, institutions: Institutions, n: int, role_weight: FloatArray
) -> tuple[IntArray, IntArray]:
    """Institution and role variant of ``n`` people, spread by institution size."""
    institution = rng.choice(institutions.size.size, size=n, p=institutions.size / institutions.size.sum())
    setting = tables.kind_setting[institutions.kind[institution]]
    variant = np.zeros(n, dtype=np.int64)
    for s in range(len(SETTINGS)):
        rows = np.flatnonzero(setting == s)
        weight = role_weight * (tables.variant_setting == s)
        variant[rows] = rng.choice(weight.size, size=rows.size, p=weight / weight.sum())
    return institution, variant


def _place_weights(
    tables: Tables, institutions: Institutions, institution: IntArray, variant: IntArray
) -> FloatArray:
    """people × codes: how likely each code is where a person works and in their position."""
    kind = institutions.kind[institution]
    presence = tables.setting_presence[tables.kind_setting[kind]]
    return presence * tables.kind_boost[kind] * tables.variant_boost[variant]


def _full_names(rng: np.random.Generator, tables: Tables, female: BoolArray, young: BoolArray) -> TextArray:
    """«Фамилия Имя Отчество» in the person's gender; first names follow their generation."""
    gender, generation = female.astype(np.intp), young.astype(np.intp)
    n = female.size
    surname = tables.surnames[gender, rng.integers(0, tables.surnames.shape[1], n)]
    first_index = (rng.random(n) * tables.first_name_counts[gender, generation]).astype(np.intp)
    first = tables.first_names[gender, generation, first_index]
    patronymic = tables.patronymics[gender, rng.integers(0, tables.patronymics.shape[1], n)]
    names: TextArray = surname + " " + first + " " + patronymic
    return names


def _top_codes(rng: np.random.Generator, weights: FloatArray, width: int) -> IntArray:
    """people × ``width`` taxonomy columns drawn without replacement in proportion to ``weights``.

    Gumbel top-k: the largest ``log(weight) + Gumbel noise`` of a row are a weighted sample
    without replacement, most salient first; a zero weight is never drawn while others remain.
    """
    keys = np.full(weights.shape, -np.inf)
    np.log(weights, out=keys, where=weights > 0)
    keys += rng.gumbel(size=weights.shape)
    return np.argsort(-keys, axis=1)[:, :width].astype(np.int64)


def _grades(rng: np.random.Generator, first_high: FloatArray, width: int) -> IntArray:
    """Levels or severities 1–3: P(3) is ``first_high`` in the first column, 0.1 less per column."""
    column = np.arange(width)
    high = first_high[:, None] - 0.1 * column
    low = 0.1 + 0.05 * column
    u = rng.random((first_high.size, width))
    return np.where(u < high, 3, np.where(u > 1 - low, 1, 2)).astype(np.int64)
