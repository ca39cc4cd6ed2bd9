"""The personalised mentoring programme's draft: problem, goals and a plan across the months.

004's template: the explanatory note states the problem (the mentee's difficulties), the goals
and tasks, the possible content, the dates, the intermediate and final results, the schedule of
meetings and the mode of work; the plan of activities lists measures against each difficulty with
approximate dates. The draft orders the difficulties by severity and gives each its months
between a first month of diagnosis and a last month of self-analysis, the mentor's report and the
questionnaires (000 §§ on the stages; 004's roadmap, stage 6). A difficulty the mentor does not
cover gets the help of another teacher with their consent (000: the mentor may involve others).
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.documents.content import Pairing, Period, month_name
from matcher.taxonomy import Taxonomy

SEVERITY_RU = {1: "небольшое", 2: "заметное", 3: "острое"}


@dataclass(frozen=True, slots=True)
class Difficulty:
    code: str
    label: str
    severity: int
    covered: bool
    mentees: tuple[str, ...]
    """Whose difficulty it is (names), for a group."""

    @property
    def severity_ru(self) -> str:
        return SEVERITY_RU.get(self.severity, "")


@dataclass(frozen=True, slots=True)
class Activity:
    direction: str
    content: str
    term: str
    result: str


def difficulties_of(pairing: Pairing, taxonomy: Taxonomy) -> list[Difficulty]:
    """The mentees' difficulties, the most severe first, then in the taxonomy's order."""
    severity: dict[str, int] = {}
    whose: dict[str, list[str]] = {}
    for mentee in pairing.mentees:
        for code, level in mentee.difficulties.items():
            severity[code] = max(severity.get(code, 0), int(level))
            whose.setdefault(code, []).append(mentee.full_name)
    order = {code: i for i, code in enumerate(taxonomy.codes)}
    codes = sorted(severity, key=lambda c: (-severity[c], order.get(c, len(order)), c))
    return [
        Difficulty(
            code=code,
            label=taxonomy[code].label_ru if code in taxonomy else code,
            severity=severity[code],
            covered=code in pairing.covered,
            mentees=tuple(whose[code]),
        )
        for code in codes
    ]


def _term(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]} – {months[-1]}"


def plan_of(
    pairing: Pairing, difficulties: list[Difficulty], period: Period, *, lessons_word: tuple[str, str]
) -> list[Activity]:
    """Activities month by month: diagnosis, each difficulty in turn, the midpoint, the close."""
    lesson, lessons = lessons_word
    whom = "наставляемых" if pairing.grouped else "наставляемого"
    months = [month_name(day) for day in period.month_starts()]
    first, last = months[0], months[-1]
    middle = months[1:-1] or [first]
    plan = [
        Activity(
            "Диагностика и планирование",
            f"Встреча наставника и {whom}: запросы и ожидания, посещение {lessons} {whom}, "
            "уточнение затруднений и сильных сторон, "
            "согласование расписания встреч и доработка программы",
            first,
            "Цели уточнены, программа подписана",
        )
    ]
    for index, difficulty in enumerate(difficulties):
        start = index * len(middle) // len(difficulties)
        span = middle[start : max(start + 1, (index + 1) * len(middle) // len(difficulties))]
        if difficulty.covered:
            content = (
                f"Консультации наставника; посещение {lessons} наставника и их совместный разбор; "
                f"{lesson} {whom} с применением освоенного и самоанализ"
            )
        else:
            content = (
                "Тема вне компетенций наставника: консультации другого педагога организации "
                "(с его согласия), самообразование наставляемого по подобранным материалам"
            )
        plan.append(
            Activity(
                f"{difficulty.label} ({difficulty.severity_ru} затруднение)",
                content,
                _term(span),
                "Затруднение преодолено или уменьшено",
            )
        )
    plan.append(
        Activity(
            "Промежуточные итоги",
            "Встреча с куратором: что удалось, что нет; при необходимости изменение плана или срока",
            middle[len(middle) // 2],
            "Итоги подведены, план уточнён",
        )
    )
    plan.append(
        Activity(
            "Завершение программы",
            f"Самоанализ {whom}, отчёт наставника о реализации программы, анкетирование наставника и {whom}",
            last,
            "Анкеты заполнены, отчёт сдан куратору",
        )
    )
    return plan
