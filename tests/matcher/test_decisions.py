"""The council's decisions file: spellings, pins honoured, and every broken rule named by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.decisions import load_decisions
from matcher.errors import InputError
from matcher.model import MeetingFormat, Mentee, MenteeBank, Mentor, MentorBank
from matcher.options import Options
from matcher.pipeline import run_batch
from matcher.taxonomy import load_taxonomy

HEADER = "Наставляемый,Наставник,Решение,Комментарий\n"


def _mentor(id: str, **fields: object) -> Mentor:
    data = {"id": id, "full_name": "Н", "institution": "ОО-1", "consent": True, "competences": {"ict": 3}}
    return Mentor.model_validate({**data, **fields})


def _mentee(id: str, **fields: object) -> Mentee:
    data = {"id": id, "full_name": "П", "institution": "ОО-1", "consent": True, "difficulties": {"ict": 2}}
    return Mentee.model_validate({**data, **fields})


MENTORS = MentorBank(
    (
        _mentor("M1", capacity=1),
        _mentor("M2"),
        _mentor("M3", consent=False),
        _mentor("M4", institution="ОО-2", formats=frozenset({MeetingFormat.IN_PERSON})),
        _mentor("M5", competences={"legal": 2}),
    )
)
MENTEES = MenteeBank(
    (
        _mentee("A"),
        _mentee("B", excluded_mentors=("M2",)),
        _mentee("C"),
        _mentee("D", max_mentors=2),
    )
)


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "decisions.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_pins_and_forbids_in_any_spelling_are_honoured(tmp_path: Path) -> None:
    path = _file(tmp_path, "C,M1,Закрепить,совет\nA,M1,запретить,\nA,M2,FORBID,\n")
    decisions = load_decisions(path, MENTEES, MENTORS)
    assert decisions.pinned == {("C", "M1")}
    assert decisions.forbidden == {("A", "M1"), ("A", "M2")}
    result = run_batch(MENTEES, MENTORS, options=Options(), taxonomy=load_taxonomy(), decisions=decisions)
    pairs = {(p.mentee_id, p.mentor_id) for p in result.proposals}
    assert ("C", "M1") in pairs
    assert not pairs & decisions.forbidden


def test_every_broken_pin_is_named_by_row(tmp_path: Path) -> None:
    body = (
        "A,M1,pin,\n"  # row 2: fine
        "C,M1,pin,\n"  # row 3: M1 has room for one
        "B,M2,pin,\n"  # row 4: excluded by the mentee
        "A,M3,pin,\n"  # row 5: no consent
        "A,M4,pin,\n"  # row 6: in person only, another institution
        "D,M5,pin,\n"  # row 7: covers nothing
        "D,M2,pin,\n"  # row 8: fine
        "D,M2,запретить,\n"  # row 9: pinned and forbidden
        "X,M2,pin,\n"  # row 10: unknown mentee
    )
    with pytest.raises(InputError) as caught:
        load_decisions(_file(tmp_path, body), MENTEES, MENTORS)
    found = {(p.row, p.value) for p in caught.value.problems}
    assert found >= {(3, "M1"), (4, "M2"), (5, "M3"), (6, "M4"), (7, "M5"), (10, "X")}
    assert any(p.row == 8 and "и закреплена, и запрещена" in p.message_ru for p in caught.value.problems)
    assert all(p.file == "decisions.csv" for p in caught.value.problems)
    assert 2 not in {p.row for p in caught.value.problems}


def test_second_pinned_mentor_must_add_a_difficulty(tmp_path: Path) -> None:
    mentors = MentorBank((_mentor("M1"), _mentor("M2")))
    mentees = MenteeBank((_mentee("A", max_mentors=2),))
    with pytest.raises(InputError) as caught:
        load_decisions(_file(tmp_path, "A,M1,pin,\nA,M2,pin,\n"), mentees, mentors)
    assert [(p.row, p.value) for p in caught.value.problems] == [(3, "M2")]
