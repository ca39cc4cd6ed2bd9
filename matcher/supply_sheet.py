"""Supply and demand for people: the sheets «Спрос и предложение» and «Нет наставника по
профилю» of ``results.xlsx``, ``supply_demand.csv``, and a Russian conclusion per area.

Areas are named by their Russian taxonomy labels, institutions by their full names, people by
ФИО. The computation is ``matcher.supply_demand``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from matcher.supply_demand import MUNICIPALITY, AreaBalance, LackingMentee, SupplyDemand
from matcher.taxonomy import Taxonomy
from matcher.workbook import REASON_RU, Column, ExtraSheet, People

SUPPLY_SHEET, LACKING_SHEET = "Спрос и предложение", "Нет наставника по профилю"
CSV_NAME = "supply_demand.csv"
CSV_COLUMNS = (
    "institution",
    "area",
    "requests",
    "covered",
    "uncovered",
    "waiting",
    "mentors",
    "places",
    "free_places",
    "shortage",
    "remote_mentors",
    "remote_places",
    "remote_closable",
    "to_recruit",
)
MUNICIPALITY_RU = "Муниципалитет (все организации)"
MAX_NAMES = 5

SUPPLY_COLUMNS = [
    Column("Организация", 30, wrap=True),
    Column("Направление (затруднение)", 34, wrap=True),
    Column("Запросов", 10),
    Column("Закрыто парами", 10),
    Column("Не закрыто", 10),
    Column("Из них ждут наставника", 11),
    Column("Наставников с компетенцией", 15),
    Column("Мест у них", 9),
    Column("Свободно мест после подбора", 12),
    Column("Запросов больше, чем мест, на", 13),
    Column("Дистанционных наставников других организаций со свободными местами", 18),
    Column("Их свободных мест", 12),
    Column("Закроют дистанционно", 15),
    Column("Нужно привлечь наставников", 14),
    Column("Вывод", 44, wrap=True),
]
LACKING_COLUMNS = [
    Column("№", 6),
    Column("Наставляемый (ФИО)", 28, wrap=True),
    Column("Должность", 22, wrap=True),
    Column("Организация", 28, wrap=True),
    Column("Причина", 26, wrap=True),
    Column("Нет наставника в своей организации по направлениям", 36, wrap=True),
    Column("Согласен на дистанционный формат", 17),
    Column("Дистанционные наставники других организаций со свободными местами", 48, wrap=True),
]


def area_label(code: str, taxonomy: Taxonomy) -> str:
    return taxonomy[code].label_ru if code in taxonomy else code


def conclusion_ru(row: AreaBalance) -> str:
    """What the curator should do about one area."""
    if row.uncovered == 0:
        return "все запросы закрыты"
    if row.waiting == 0:
        return "у наставляемых уже есть наставник; направление ведёт другой педагог их организации"
    parts = []
    if row.remote_closable:
        whose = "других организаций" if row.institution != MUNICIPALITY else "с местами"
        parts.append(f"{row.remote_closable} могут взять дистанционные наставники {whose}")
    if row.to_recruit:
        parts.append(f"привлечь наставников ещё на {row.to_recruit}")
        if row.remote_places > row.remote_closable:  # the rest meet in person only
            others = "других организаций " if row.institution != MUNICIPALITY else ""
            parts.append(
                "или получить согласие этих наставляемых на дистанционный формат "
                f"(у дистанционных наставников {others}свободных мест: {row.remote_places})"
            )
    return f"ждут наставника {row.waiting}: " + "; ".join(parts)


def _institution(code: str, institutions: Mapping[str, str]) -> str:
    return MUNICIPALITY_RU if code == MUNICIPALITY else institutions.get(code, code)


def ordered(report: SupplyDemand, institutions: Mapping[str, str]) -> list[AreaBalance]:
    """The municipality first, then institutions by name; in each, the largest gap first."""
    return sorted(
        report.areas,
        key=lambda a: (
            a.institution != MUNICIPALITY,
            _institution(a.institution, institutions),
            -a.to_recruit,
            -a.uncovered,
            a.area,
        ),
    )


def _counts(a: AreaBalance) -> tuple[int, ...]:
    """An area's numbers, in the order of the sheet's and the CSV's columns."""
    return (
        a.requests,
        a.covered,
        a.uncovered,
        a.waiting,
        a.mentors,
        a.places,
        a.free_places,
        a.shortage,
        a.remote_mentors,
        a.remote_places,
        a.remote_closable,
        a.to_recruit,
    )


def supply_rows(
    report: SupplyDemand, taxonomy: Taxonomy, institutions: Mapping[str, str]
) -> Iterable[list[object]]:
    for a in ordered(report, institutions):
        yield [
            _institution(a.institution, institutions),
            area_label(a.area, taxonomy),
            *_counts(a),
            conclusion_ru(a),
        ]


def _mentor_names(mentee: LackingMentee, people: People) -> str:
    cards = [people.mentor(i) for i in mentee.remote_mentors[:MAX_NAMES]]
    shown = "\n".join(f"{c.full_name} ({c.institution})" for c in cards)
    rest = mentee.remote_mentor_count - len(cards)
    return f"{shown}\nи ещё {rest}" if rest > 0 else shown or "нет"


def _mentor_count(mentee: LackingMentee) -> str:
    count = mentee.remote_mentor_count
    return f"{count} (ФИО — у муниципального координатора)" if count else "нет"


def lacking_rows(
    lacking: Sequence[LackingMentee], taxonomy: Taxonomy, people: People, *, named: bool = True
) -> Iterable[list[object]]:
    """One row per mentee left without a fitting mentor; ``named``: the remote mentors who could
    help by ФИО (else only how many: an institution never sees who in another institution)."""
    for number, m in enumerate(lacking, start=1):
        card = people.mentee(m.mentee_id)
        yield [
            number,
            card.full_name,
            card.position,
            card.institution,
            REASON_RU.get(m.reason.value, m.reason.value),
            "; ".join(area_label(a, taxonomy) for a in m.areas),
            "да" if m.accepts_remote else "нет",
            _mentor_names(m, people) if named else _mentor_count(m),
        ]


def supply_sheets(
    report: SupplyDemand,
    taxonomy: Taxonomy,
    people: People,
    institutions: Mapping[str, str],
    *,
    named: bool = True,
) -> tuple[ExtraSheet, ExtraSheet]:
    """The two sheets for ``results.xlsx`` (``ResultsBook.extra_sheets``); ``named`` as in
    ``lacking_rows``."""
    return (
        ExtraSheet(
            SUPPLY_SHEET, SUPPLY_COLUMNS, list(supply_rows(report, taxonomy, institutions)), frozen="C2"
        ),
        ExtraSheet(
            LACKING_SHEET,
            LACKING_COLUMNS,
            list(lacking_rows(report.lacking, taxonomy, people, named=named)),
            frozen="C2",
        ),
    )


def csv_rows(report: SupplyDemand) -> Iterable[tuple[object, ...]]:
    """``supply_demand.csv``: codes, the municipality's rows with an empty institution."""
    for a in report.areas:
        yield (a.institution, a.area, *_counts(a))
