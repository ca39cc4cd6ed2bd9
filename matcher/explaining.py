"""From chosen pair-table rows back to people: proposals a council member can read.

Here ids reappear. Each proposal names what the mentor covers of the mentee's difficulties,
what else supports the pair, and how and where they would meet, in one short Russian sentence,
e.g. «Закрывает затруднения: ИКТ (наставник — высокий уровень), работа с родителями; тот же
предмет; очно, ОО-012».
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.eligibility import FORMAT_CODES
from matcher.model import (
    MeetingFormat,
    Mentee,
    MenteeBank,
    Mentor,
    MentorBank,
    Proposal,
    Unmatched,
    UnmatchedReason,
)
from matcher.scoring import PairTable
from matcher.solvers.base import Assignment, MatchingProblem
from matcher.taxonomy import Taxonomy, normalise_term

LEVEL_NOTES = {1: " (наставник — базовый уровень)", 3: " (наставник — высокий уровень)"}
STRONG_TEXT = 0.35
"""Text similarity from which the explanation says the request echoes the mentor's experience."""
CANDIDATES_LISTED = 3


def years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} год"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} года"
    return f"{n} лет"


def covered_codes(mentee: Mentee, mentor: Mentor) -> tuple[str, ...]:
    """The mentee's difficulties the mentor's competences cover, most severe first."""
    codes = [code for code in mentee.difficulties if code in mentor.competences]
    return tuple(sorted(codes, key=lambda code: -mentee.difficulties[code]))


def _difficulties_part(mentee: Mentee, mentor: Mentor, covered: tuple[str, ...], taxonomy: Taxonomy) -> str:
    named = ", ".join(taxonomy.short(c) + LEVEL_NOTES.get(mentor.competences[c], "") for c in covered)
    text = f"Закрывает затруднения: {named}"
    missing = [taxonomy.short(c) for c in mentee.difficulties if c not in mentor.competences]
    if missing:
        text += f"; не закрывает: {', '.join(missing)}"
    return text


def _subject_part(mentee: Mentee, mentor: Mentor) -> str | None:
    theirs = {normalise_term(s) for s in mentor.subjects}
    common = [s for s in mentee.subjects if normalise_term(s) in theirs]
    if not common:
        return None
    if len(common) == len(mentee.subjects) == 1:
        return "тот же предмет"
    return f"общие предметы: {', '.join(common)}"


def _experience_part(
    mentee: Mentee, mentor: Mentor, covered: tuple[str, ...], taxonomy: Taxonomy
) -> str | None:
    if mentee.experience_years is None or mentor.experience_years is None:
        return None
    lead = mentor.experience_years - mentee.experience_years
    strong = [taxonomy.short(c) for c in covered if mentor.competences[c] >= 3]
    if lead < 0 and strong:
        return f"реверсивное наставничество: стаж наставника меньше, но высокий уровень ({', '.join(strong)})"
    if lead >= 5:
        return f"стаж наставника {years_ru(mentor.experience_years)}"
    return None


def _format_part(fmt: MeetingFormat, mentee: Mentee, mentor: Mentor) -> str:
    if fmt is MeetingFormat.IN_PERSON:
        return f"очно, {mentor.institution}"
    if mentee.institution == mentor.institution:
        return f"дистанционно, {mentor.institution}"
    return f"дистанционно, {mentee.institution} → {mentor.institution}"


def explain_pair(
    mentee: Mentee, mentor: Mentor, fmt: MeetingFormat, breakdown: Mapping[str, float], taxonomy: Taxonomy
) -> str:
    covered = covered_codes(mentee, mentor)
    parts = [_difficulties_part(mentee, mentor, covered, taxonomy)]
    if mentor.id in mentee.preferred_mentors:
        parts.append("наставляемый сам назвал этого наставника")
    parts.extend(
        part
        for part in (_subject_part(mentee, mentor), _experience_part(mentee, mentor, covered, taxonomy))
        if part
    )
    if breakdown.get("text", 0.0) >= STRONG_TEXT:
        parts.append("запрос созвучен опыту наставника")
    parts.append(_format_part(fmt, mentee, mentor))
    return "; ".join(parts)


ROBUSTNESS_RU = {"solid": "устойчивое предложение"}
COMPONENTS_RU = {
    "coverage": "покрытие затруднений",
    "subject": "совпадение предметов",
    "level": "уровни образования",
    "text": "сходство запроса и опыта",
    "experience": "стаж",
    "institution": "та же организация",
    "preference": "выбор наставляемого",
}


def group_ru(group: GroupLabel, taxonomy: Taxonomy) -> str:
    return f"Группа {group.id} ({group.size} наставляемых), общая тема: {taxonomy.short(group.theme)}"


def robustness_ru(label: str) -> str:
    if not label:
        return ""
    if label in ROBUSTNESS_RU:
        return ROBUSTNESS_RU[label]
    component = label.partition(":")[2]
    return f"зависит от веса «{COMPONENTS_RU.get(component, component)}» — стоит перепроверить"


@dataclass(frozen=True, slots=True)
class GroupLabel:
    """What a proposal needs to know of the group it belongs to."""

    id: str
    remote: bool
    theme: str
    size: int


def group_labels(
    problem: MatchingProblem, assignment: Assignment, mentors: MentorBank, taxonomy: Taxonomy
) -> dict[int, GroupLabel]:
    """Per chosen pair-table row in a group, its group; groups numbered Г1, Г2, … by mentor id."""
    groups = assignment.groups()
    rows = assignment.chosen[groups >= 0]
    numbers = groups[groups >= 0]
    if rows.size == 0:
        return {}
    leader = {
        int(k): mentors.mentors[int(problem.pairs.mentor_idx[r])].id
        for k, r in zip(numbers, rows, strict=True)
    }
    order = sorted(leader, key=lambda k: (leader[k], k))
    names = {k: f"Г{n}" for n, k in enumerate(order, start=1)}
    sizes = np.bincount(numbers)
    return {
        int(r): GroupLabel(
            names[int(k)],
            bool(assignment.group_remote[k]),
            taxonomy.codes[int(assignment.group_theme[k])],
            int(sizes[k]),
        )
        for r, k in zip(rows, numbers, strict=True)
    }


def proposals_from(
    rows: npt.NDArray[np.int64],
    pairs: PairTable,
    mentees: MenteeBank,
    mentors: MentorBank,
    taxonomy: Taxonomy,
    robustness: Mapping[int, str],
    groups: Mapping[int, GroupLabel],
) -> list[Proposal]:
    proposals = []
    for row in rows.tolist():
        mentee = mentees.mentees[int(pairs.mentee_idx[row])]
        mentor = mentors.mentors[int(pairs.mentor_idx[row])]
        group = groups.get(row)
        fmt = FORMAT_CODES[int(pairs.format[row])]
        if group is not None:
            fmt = MeetingFormat.REMOTE if group.remote else MeetingFormat.IN_PERSON
        breakdown = {name: round(float(values[row]), 4) for name, values in pairs.components.items()}
        robust = robustness.get(row, "")
        parts = (
            group_ru(group, taxonomy) if group else "",
            explain_pair(mentee, mentor, fmt, breakdown, taxonomy),
            robustness_ru(robust),
        )
        explanation = "; ".join(part for part in parts if part)
        proposals.append(
            Proposal(
                mentee_id=mentee.id,
                mentor_id=mentor.id,
                format=fmt,
                score=round(float(pairs.score[row]), 4),
                covered=covered_codes(mentee, mentor),
                explanation=explanation,
                breakdown=breakdown,
                group_id=group.id if group else "",
                robustness=robust,
            )
        )
    return sorted(proposals, key=lambda p: (p.mentee_id, -p.score))


UNMATCHED_TEXT = {
    UnmatchedReason.NO_CONSENT: "нет согласия на участие и обработку персональных данных",
    UnmatchedReason.NO_COMPATIBLE_MENTOR: (
        "ни один наставник с согласием и свободной нагрузкой не закрывает затруднения этого педагога "
        "в доступном формате встреч"
    ),
    UnmatchedReason.CAPACITY_EXHAUSTED: (
        "подходящие наставники заняты; кандидаты указаны на случай, если освободится место"
    ),
}


def unmatched_from(
    matched: npt.NDArray[np.bool_], pairs: PairTable, mentees: MenteeBank, mentors: MentorBank
) -> list[Unmatched]:
    """Every mentee without a proposal, with the first-glance reason and the best candidates.

    ``diagnosis`` refines the reason by looking at every mentor who covers a difficulty.
    """
    order = np.lexsort((-pairs.score, pairs.mentee_idx))
    sorted_mentees = pairs.mentee_idx[order]
    out = []
    for i in np.flatnonzero(~matched).tolist():
        mentee = mentees.mentees[i]
        lo, hi = np.searchsorted(sorted_mentees, [i, i + 1])
        if not mentee.consent:
            reason = UnmatchedReason.NO_CONSENT
        elif hi == lo:
            reason = UnmatchedReason.NO_COMPATIBLE_MENTOR
        else:
            reason = UnmatchedReason.CAPACITY_EXHAUSTED
        rows = order[lo : min(hi, lo + CANDIDATES_LISTED)]
        candidates = tuple(mentors.mentors[int(pairs.mentor_idx[r])].id for r in rows)
        out.append(Unmatched(mentee.id, reason, candidates, UNMATCHED_TEXT[reason]))
    return out
