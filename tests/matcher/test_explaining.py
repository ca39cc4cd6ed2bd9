"""Explanations a teacher reads without help, on hand-made banks: the real sentences."""

from __future__ import annotations

from matcher.explaining import close_choice_ru, for_level, names_list
from matcher.model import Decisions, Mentee, MenteeBank, Mentor, MentorBank
from matcher.options import Options
from matcher.pipeline import run_batch
from matcher.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
NAMES = {
    "M1": "Иванова Ирина Ивановна",
    "M2": "Петров Сергей Олегович",
    "M3": "Смирнова Анна Павловна",
    "M4": "Кузнецов Олег Петрович",
    "M5": "Соколова Мария Игоревна",
    "M6": "Попов Павел Андреевич",
    "M7": "Лебедева Ольга Юрьевна",
}


def mentor(id: str, competences: dict[str, int], **fields: object) -> Mentor:
    return Mentor.model_validate(
        {
            "id": id,
            "full_name": NAMES[id],
            "institution": "СОШ-1",
            "consent": True,
            "competences": competences,
            **fields,
        }
    )


def mentee(id: str, difficulties: dict[str, int], **fields: object) -> Mentee:
    return Mentee.model_validate(
        {
            "id": id,
            "full_name": f"Орлова Мария Сергеевна {id}",
            "institution": "СОШ-1",
            "consent": True,
            "difficulties": difficulties,
            **fields,
        }
    )


def run(mentees: list[Mentee], mentors: list[Mentor], decisions: Decisions | None = None, **options: object):  # type: ignore[no-untyped-def]
    return run_batch(
        MenteeBank(tuple(mentees)),
        MentorBank(tuple(mentors)),
        options=Options.model_validate({"robustness": False, **options}),
        taxonomy=TAXONOMY,
        decisions=decisions,
    )


def test_a_full_preferred_mentor_is_said_plainly_with_the_reason() -> None:
    mentors = [mentor("M1", {"ict": 3}, capacity=1), mentor("M2", {"ict": 2})]
    mentees = [
        mentee("A", {"ict": 3}, subjects=("информатика",)),
        mentee("B", {"ict": 3}, preferred_mentors=("M1",)),
    ]
    mentors[0] = mentor("M1", {"ict": 3}, capacity=1, subjects=("информатика",))
    result = run(mentees, mentors, weights={"preference": 0.0})
    by_mentee = {p.mentee_id: p for p in result.proposals}
    assert by_mentee["A"].mentor_id == "M1"
    assert "желаемый наставник Иванова И. И. уже набрала максимум наставляемых (1)" in (
        by_mentee["B"].explanation
    )


def test_a_chosen_preferred_mentor_is_named() -> None:
    result = run([mentee("A", {"ict": 3}, preferred_mentors=("M2",))], [mentor("M2", {"ict": 3})])
    (proposal,) = result.proposals
    assert "наставляемый сам назвал наставника Петров С. О." in proposal.explanation
    assert "желаемый" not in proposal.explanation


def test_a_preferred_mentor_who_covers_nothing() -> None:
    result = run(
        [mentee("A", {"ict": 3}, preferred_mentors=("M3",))],
        [mentor("M3", {"parents": 3}), mentor("M2", {"ict": 3})],
    )
    (proposal,) = result.proposals
    assert "желаемый наставник Смирнова А. П. не закрывает ни одного из затруднений" in proposal.explanation


def test_lesson_becomes_an_activity_in_a_kindergarten() -> None:
    kindergarten = mentee("A", {"lesson": 3}, levels=("ДО",))
    school = mentee("B", {"lesson": 3}, levels=("НОО",))
    result = run([kindergarten, school], [mentor("M1", {"lesson": 3}, capacity=2)])
    by_mentee = {p.mentee_id: p.explanation for p in result.proposals}
    assert "занятия" in by_mentee["A"] and "урок" not in by_mentee["A"]
    assert "организация урока" in by_mentee["B"]
    assert for_level("Организация урока; уроки", ("ДОП",)) == "Организация занятия; занятия"
    assert for_level("Организация урока; внеурочная", ("ДО", "НОО")) == "Организация урока; внеурочная"


def test_a_pinned_pair_is_marked_as_pinned() -> None:
    result = run(
        [mentee("A", {"ict": 3})],
        [mentor("M1", {"ict": 1}), mentor("M2", {"ict": 3})],
        Decisions(pinned=frozenset({("A", "M1")})),
    )
    (proposal,) = result.proposals
    assert proposal.mentor_id == "M1"
    assert proposal.explanation.startswith("пара закреплена советом; ")


def test_a_close_choice_names_the_other_mentor_without_weight_jargon() -> None:
    other = mentor("M4", {"ict": 3})
    text = close_choice_ru("weight-sensitive:subject", other)
    assert text == (
        "выбор почти равный: другой возможный наставник — Кузнецов О. П.; "
        "выбор изменится, если для совета важнее совпадение предметов"
    )
    assert close_choice_ru("solid", other) == ""
    result = run(
        [mentee("A", {"ict": 3}, subjects=("математика",))],
        [mentor("M1", {"ict": 3}, subjects=("математика",)), mentor("M4", {"ict": 3}, experience_years=30)],
        robustness=True,
    )
    for proposal in result.proposals:
        assert "вес" not in proposal.explanation and "перепровер" not in proposal.explanation


def test_lists_name_at_most_five_people() -> None:
    people = [mentor(id, {"ict": 3}) for id in NAMES]
    assert names_list(people) == (
        "Иванова И. И., Петров С. О., Смирнова А. П., Кузнецов О. П., Соколова М. И. и ещё 2"
    )


def test_diagnosis_names_people_and_fixes_at_the_mentees_level() -> None:
    mentors = [
        mentor("M1", {"ict": 3}, capacity=1, levels=("ООО",)),
        mentor("M2", {"ict": 3}, capacity=1, levels=("ДО",)),
    ]
    mentees = [
        mentee("A", {"ict": 3}, levels=("ООО",), subjects=("информатика",)),
        mentee("B", {"ict": 3}, levels=("ДО",)),
        mentee("C", {"ict": 1}, levels=("ДО",)),
    ]
    mentors[0] = mentor("M1", {"ict": 3}, capacity=1, levels=("ООО",), subjects=("информатика",))
    result = run(mentees, mentors)
    (unmatched,) = result.unmatched
    assert unmatched.mentee_id == "C"
    assert "Иванова И. И." in unmatched.explanation and "Петров С. О." in unmatched.explanation
    assert "M1" not in unmatched.explanation
    assert unmatched.fix == "добавить одно место наставнику Петрову С. О."
