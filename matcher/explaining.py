"""From chosen pair-table rows back to people: proposals a council member can read.

Here ids reappear. Each proposal names what the mentor covers of the mentee's difficulties,
what else supports the pair, and how and where they would meet, in one short Russian sentence,
e.g. «Закрывает затруднения: ИКТ (наставник — высокий уровень), работа с родителями; тот же
предмет; очно, ОО-012».
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from matcher.documents.declension import gender_of, surname_initials
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
SCHOOL_LEVELS = frozenset({"НОО", "ООО", "СОО"})
"""Levels whose teachers give lessons («урок»); elsewhere (ДО, ДОП, СПО) it is an «занятие»."""
_LESSON = {
    "урок": "занятие", "урока": "занятия", "уроку": "занятию", "уроком": "занятием",
    "уроке": "занятии", "уроки": "занятия", "уроков": "занятий", "урокам": "занятиям",
    "уроками": "занятиями", "уроках": "занятиях",
}  # fmt: skip
_LESSON_WORD = re.compile(r"\b(" + "|".join(sorted(_LESSON, key=len, reverse=True)) + r")\b", re.IGNORECASE)
NAMES_LISTED = 5


def for_level(text: str, levels: tuple[str, ...]) -> str:
    """``text`` in the words of the mentee's level: «занятие» instead of «урок» for a teacher who
    works at no school level (a kindergarten, additional education)."""
    if not levels or SCHOOL_LEVELS & set(levels):
        return text

    def replace(match: re.Match[str]) -> str:
        word = _LESSON[match.group(1).lower()]
        return word.capitalize() if match.group(1)[0].isupper() else word

    return _LESSON_WORD.sub(replace, text)


def short_name(person: Mentee | Mentor) -> str:
    """«Иванова Ирина Ивановна» → «Иванова И. И.»."""
    return surname_initials(person.full_name)


def names_list(people: list[Mentee] | list[Mentor]) -> str:
    """At most five names, then «и ещё N»."""
    shown = ", ".join(short_name(p) for p in people[:NAMES_LISTED])
    rest = len(people) - NAMES_LISTED
    return f"{shown} и ещё {rest}" if rest > 0 else shown


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
        parts.append(f"наставляемый сам назвал наставника {short_name(mentor)}")
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


WHAT_MATTERS_RU = {
    "coverage": "закрыть как можно больше затруднений",
    "subject": "совпадение предметов",
    "level": "общий уровень образования",
    "text": "созвучие запроса и опыта наставника",
    "experience": "больший стаж наставника",
    "institution": "работа в одной организации",
    "preference": "выбор самого наставляемого",
}
"""What a council might value more, per score component (the sentence of a close choice)."""


def robustness_ru(label: str) -> str:
    """A short label for tables: «устойчивое предложение» or what the choice hangs on."""
    if not label:
        return ""
    if label in ROBUSTNESS_RU:
        return ROBUSTNESS_RU[label]
    component = label.partition(":")[2]
    return f"выбор почти равный: решает {WHAT_MATTERS_RU.get(component, component)}"


def close_choice_ru(label: str, alternative: Mentor | None) -> str:
    """For a pair that another weighting would change: who the other mentor is and what would
    make the council choose them. Empty for a solid pair."""
    if not label or label in ROBUSTNESS_RU:
        return ""
    component = label.partition(":")[2]
    matters = WHAT_MATTERS_RU.get(component, component)
    if alternative is None:
        return f"выбор почти равный; он зависит от того, насколько важно {matters}"
    return (
        f"выбор почти равный: другой возможный наставник — {short_name(alternative)}; "
        f"выбор изменится, если для совета важнее {matters}"
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """What the explanations need of the run beyond the pairs: pins and each mentor's load."""

    pinned: npt.NDArray[np.bool_] | None = None
    """Per pair-table row, whether the council pinned (or approved) the pair."""
    load: npt.NDArray[np.int64] | None = None
    """Per mentor, the places taken in this proposal."""
    mentor_position: dict[str, int] = field(default_factory=dict)


def _meets(mentee: Mentee, mentor: Mentor) -> bool:
    shared = mentee.formats & mentor.formats
    return MeetingFormat.REMOTE in shared or (
        MeetingFormat.IN_PERSON in shared and mentee.institution == mentor.institution
    )


def _full_ru(mentor: Mentor) -> str:
    verb = "набрала" if gender_of(mentor.full_name) == "femn" else "набрал"
    return f"уже {verb} максимум наставляемых ({mentor.capacity})"


def preference_ru(mentee: Mentee, chosen: Mentor | None, mentors: MentorBank, standing: Standing) -> str:
    """Why the mentors the mentee asked for are not theirs, in plain words (empty if one is)."""
    if not mentee.preferred_mentors or (chosen is not None and chosen.id in mentee.preferred_mentors):
        return ""
    reasons = []
    for wanted_id in mentee.preferred_mentors[:NAMES_LISTED]:
        j = standing.mentor_position.get(wanted_id)
        if j is None:
            reasons.append(f"желаемого наставника с идентификатором {wanted_id} нет в базе наставников")
            continue
        wanted = mentors.mentors[j]
        who = f"желаемый наставник {short_name(wanted)}"
        if not wanted.consent:
            reasons.append(f"{who} не дал(а) согласия на участие")
        elif wanted.capacity == 0:
            reasons.append(f"{who} сейчас не берёт наставляемых")
        elif not covered_codes(mentee, wanted):
            reasons.append(f"{who} не закрывает ни одного из затруднений")
        elif wanted.id in mentee.excluded_mentors:
            reasons.append(f"{who} одновременно указан(а) в исключённых")
        elif not _meets(mentee, wanted):
            reasons.append(f"{who} работает в другой организации, а дистанционный формат подходит не обоим")
        elif standing.load is not None and standing.load[j] >= wanted.capacity:
            reasons.append(f"{who} {_full_ru(wanted)}")
        else:
            reasons.append(f"{who} подходит меньше по затруднениям, предмету и опыту")
    return "; ".join(reasons)


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


def _by_mentee(pairs: PairTable, n_mentees: int) -> tuple[npt.NDArray[np.intp], list[int]]:
    """The pairs' rows by mentee, best fit first, and where each mentee's rows start (mentee
    ``i``'s are ``order[starts[i] : starts[i + 1]]``). Found once: a search per mentee converted
    the whole column each time, 0.7 ms a search at a region's million pairs."""
    order = np.lexsort((-pairs.score, pairs.mentee_idx))
    starts = np.searchsorted(pairs.mentee_idx[order], np.arange(n_mentees + 1)).tolist()
    return order, starts


@dataclass(frozen=True, slots=True)
class ProposalDrafts:
    """The proposals explained but for their robustness (``matcher.robustness``): ``proposals``
    have no label yet and ``settled`` adds the labels and, to a pair another weighting would
    change, the sentence naming the other possible mentor. The pipeline writes what does not
    depend on the labels while the re-solves that give them run."""

    proposals: list[Proposal]
    """Sorted by mentee, best first; robustness empty."""
    rows: list[int]
    """Each proposal's row of the pair table."""
    close_choice: Callable[[int, str], str]
    """(row, robustness label) → ``close_choice_ru`` in the mentee's words; empty for a solid pair."""

    @classmethod
    def of(
        cls,
        rows: npt.NDArray[np.int64],
        pairs: PairTable,
        mentees: MenteeBank,
        mentors: MentorBank,
        taxonomy: Taxonomy,
        groups: Mapping[int, GroupLabel],
        standing: Standing | None = None,
    ) -> ProposalDrafts:
        standing = standing or Standing()
        if not standing.mentor_position:
            standing = Standing(
                standing.pinned, standing.load, {m.id: j for j, m in enumerate(mentors.mentors)}
            )
        order, starts = _by_mentee(pairs, len(mentees))
        taken = {(int(pairs.mentee_idx[r]), int(pairs.mentor_idx[r])) for r in rows.tolist()}

        def alternative(i: int) -> Mentor | None:
            for r in order[starts[i] : starts[i + 1]].tolist():
                if (i, int(pairs.mentor_idx[r])) not in taken:
                    return mentors.mentors[int(pairs.mentor_idx[r])]
            return None

        def close_choice(row: int, label: str) -> str:
            if not label or label in ROBUSTNESS_RU:
                return ""
            i = int(pairs.mentee_idx[row])
            return for_level(close_choice_ru(label, alternative(i)), mentees.mentees[i].levels)

        drafts = []
        for row in rows.tolist():
            mentee = mentees.mentees[int(pairs.mentee_idx[row])]
            mentor = mentors.mentors[int(pairs.mentor_idx[row])]
            group = groups.get(row)
            fmt = FORMAT_CODES[int(pairs.format[row])]
            if group is not None:
                fmt = MeetingFormat.REMOTE if group.remote else MeetingFormat.IN_PERSON
            breakdown = {name: round(float(values[row]), 4) for name, values in pairs.components.items()}
            parts = (
                "пара закреплена советом" if standing.pinned is not None and standing.pinned[row] else "",
                group_ru(group, taxonomy) if group else "",
                explain_pair(mentee, mentor, fmt, breakdown, taxonomy),
                preference_ru(mentee, mentor, mentors, standing),
            )
            proposal = Proposal(
                mentee_id=mentee.id,
                mentor_id=mentor.id,
                format=fmt,
                score=round(float(pairs.score[row]), 4),
                covered=covered_codes(mentee, mentor),
                explanation=for_level("; ".join(part for part in parts if part), mentee.levels),
                breakdown=breakdown,
                group_id=group.id if group else "",
            )
            drafts.append((proposal, row))
        drafts.sort(key=lambda draft: (draft[0].mentee_id, -draft[0].score))
        return cls([proposal for proposal, _ in drafts], [row for _, row in drafts], close_choice)

    def settled(self, robustness: Mapping[int, str]) -> list[Proposal]:
        """The proposals with their labels (empty where ``robustness`` has none)."""
        settled = []
        for proposal, row in zip(self.proposals, self.rows, strict=True):
            label = robustness.get(row, "")
            close = self.close_choice(row, label)
            explanation = "; ".join(part for part in (proposal.explanation, close) if part)
            settled.append(replace(proposal, robustness=label, explanation=explanation))
        return settled


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
    order, starts = _by_mentee(pairs, len(mentees))
    out = []
    for i in np.flatnonzero(~matched).tolist():
        mentee = mentees.mentees[i]
        lo, hi = starts[i], starts[i + 1]
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
