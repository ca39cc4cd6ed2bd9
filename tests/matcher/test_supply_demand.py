"""Supply and demand (``matcher.supply_demand``) on a hand-checked municipality of two schools,
and the same through ``run_batch``: a mentee no mentor of her school can take."""

from __future__ import annotations

from matcher.model import MeetingFormat, Mentee, MenteeBank, Mentor, MentorBank, UnmatchedReason
from matcher.options import Options
from matcher.pipeline import run_batch
from matcher.supply_demand import MUNICIPALITY, AreaBalance, Placed, balance
from matcher.supply_sheet import conclusion_ru
from matcher.taxonomy import load_taxonomy

IN_PERSON = frozenset({MeetingFormat.IN_PERSON})


def mentor(id: str, institution: str, competences: dict[str, int], **fields: object) -> Mentor:
    return Mentor.model_validate(
        {"id": id, "full_name": f"Наставник {id}", "institution": institution, "consent": True}
        | {"competences": competences, **fields}
    )


def mentee(id: str, institution: str, difficulties: dict[str, int], **fields: object) -> Mentee:
    return Mentee.model_validate(
        {"id": id, "full_name": f"Педагог {id}", "institution": institution, "consent": True}
        | {"difficulties": difficulties, **fields}
    )


MENTEES = [
    mentee("A1", "A", {"ict": 3, "parents": 2}),  # placed with TA1 (covers ict only)
    mentee("A2", "A", {"ict": 2}),  # placed with TA1
    mentee("A3", "A", {"ict": 2}, formats=IN_PERSON),  # unmatched: TA1 full, in person only
    mentee("A4", "A", {"legal": 2}),  # unmatched: nobody in A covers legal
    mentee("A5", "A", {"legal": 1}, consent=False),  # no consent: not a request
    mentee("B1", "B", {"parents": 2}),  # placed with TB1
]
MENTORS = [
    mentor("TA1", "A", {"ict": 3}, capacity=2),
    mentor("TB1", "B", {"parents": 3, "legal": 2}, capacity=3),
    mentor("TB2", "B", {"ict": 2}, capacity=1, formats=IN_PERSON),  # not remote
    mentor("TB3", "B", {"legal": 3}, consent=False),  # no consent: no supply
]
PLACED = [
    Placed("A1", "TA1", ("ict",)),
    Placed("A2", "TA1", ("ict",)),
    Placed("B1", "TB1", ("parents",)),
]
UNMATCHED = {"A3": UnmatchedReason.CAPACITY_EXHAUSTED, "A4": UnmatchedReason.NO_COMPATIBLE_MENTOR}


def test_requests_against_places_per_institution_and_for_the_municipality() -> None:
    report = balance(MENTEES, MENTORS, PLACED, UNMATCHED)
    rows = {(a.institution, a.area): a for a in report.areas}
    assert set(rows) == {
        ("A", "ict"), ("A", "parents"), ("A", "legal"), ("B", "parents"),
        (MUNICIPALITY, "ict"), (MUNICIPALITY, "parents"), (MUNICIPALITY, "legal"),
    }  # fmt: skip
    ict = rows["A", "ict"]
    assert (ict.requests, ict.covered, ict.waiting) == (3, 2, 1)
    assert (ict.mentors, ict.places, ict.free_places, ict.shortage) == (1, 2, 0, 1)
    # TB2 covers ict with a free place but meets in person only; A3 would not meet remotely anyway
    assert (ict.remote_mentors, ict.remote_places, ict.remote_closable, ict.to_recruit) == (0, 0, 0, 1)
    parents = rows["A", "parents"]  # A1 has her one mentor: the area is left to a colleague
    assert (parents.requests, parents.covered, parents.waiting, parents.to_recruit) == (1, 0, 0, 0)
    assert parents.remote_mentors == 1 and parents.remote_places == 2
    assert conclusion_ru(parents).startswith("у наставляемых уже есть наставник")
    legal = rows["A", "legal"]  # A5 did not consent; TB1 of school B has 2 free places and meets remotely
    assert (legal.requests, legal.waiting, legal.mentors, legal.shortage) == (1, 1, 0, 1)
    assert (legal.remote_mentors, legal.remote_places, legal.remote_closable, legal.to_recruit) == (
        1,
        2,
        1,
        0,
    )
    assert (
        conclusion_ru(legal) == "ждут наставника 1: 1 могут взять дистанционные наставники других организаций"
    )
    assert conclusion_ru(ict) == "ждут наставника 1: привлечь наставников ещё на 1"
    in_person = AreaBalance("A", "parents", 2, 0, 2, 0, 0, 0, 1, 3, 0)  # both meet in person only
    assert conclusion_ru(in_person) == (
        "ждут наставника 2: привлечь наставников ещё на 2; или получить согласие этих наставляемых на "
        "дистанционный формат (у дистанционных наставников других организаций свободных мест: 3)"
    )
    everyone = rows[MUNICIPALITY, "ict"]
    assert (everyone.requests, everyone.mentors, everyone.places, everyone.free_places) == (3, 2, 3, 1)
    assert (rows[MUNICIPALITY, "parents"].requests, rows[MUNICIPALITY, "parents"].covered) == (2, 1)


def test_a_mentee_unmatched_for_lack_of_a_competence_and_who_could_take_her() -> None:
    report = balance(MENTEES, MENTORS, PLACED, UNMATCHED)
    [lacking] = report.lacking  # A3 waits for a place, not for a competence
    assert (lacking.mentee_id, lacking.areas, lacking.accepts_remote) == ("A4", ("legal",), True)
    assert lacking.remote_mentors == ("TB1",)
    assert report.of("B").lacking == () and {a.institution for a in report.of("B").areas} == {"B"}


def test_before_a_run_every_request_waits() -> None:
    report = balance(MENTEES, MENTORS, [], {})
    ict = next(a for a in report.areas if (a.institution, a.area) == ("A", "ict"))
    assert (ict.covered, ict.waiting, ict.free_places, ict.to_recruit) == (
        0,
        3,
        2,
        3,
    )  # nobody remote covers ict


def test_the_run_s_diagnosis_feeds_the_lacking_list() -> None:
    mentees = MenteeBank(
        (
            mentee("A1", "A", {"ict": 2}),
            mentee("A2", "A", {"legal": 3}),  # nobody covers legal
            mentee("A3", "A", {"subject": 2}, formats=IN_PERSON),  # only school B covers it
        )
    )
    mentors = MentorBank((mentor("TA1", "A", {"ict": 3}), mentor("TB1", "B", {"subject": 2}, capacity=1)))
    result = run_batch(mentees, mentors, options=Options(robustness=False), taxonomy=load_taxonomy())
    unmatched = {u.mentee_id: u.reason for u in result.unmatched}
    placed = [Placed(p.mentee_id, p.mentor_id, p.covered, p.group_id) for p in result.proposals]
    report = balance(mentees.mentees, mentors.mentors, placed, unmatched)
    assert [(m.mentee_id, m.reason, m.accepts_remote, m.remote_mentors) for m in report.lacking] == [
        ("A2", UnmatchedReason.NO_COMPATIBLE_MENTOR, True, ()),
        ("A3", UnmatchedReason.FORMAT_MISMATCH, False, ("TB1",)),
    ]
    legal = next(a for a in report.areas if (a.institution, a.area) == ("A", "legal"))
    assert legal.to_recruit == 1 and legal.remote_places == 0


def test_a_mentee_many_could_take_lists_the_best_ten_and_counts_the_rest() -> None:
    """A region's lacking mentee may have thousands of remote helpers: the ten best are listed
    (one of her levels first, then the strongest in her areas, then by id), all are counted."""
    lacking = mentee("A4", "A", {"legal": 2}, levels=["ООО"], excluded_mentors=["X05"])
    helpers = [
        mentor(f"X{n:02d}", "B" if n % 2 else "C", {"legal": 1 + n % 3}, levels=["ООО" if n < 6 else "СОО"])
        for n in range(14)
    ]
    helpers += [mentor("Y01", "A", {"legal": 3}), mentor("Z01", "C", {"ict": 3})]  # her school; no area
    [report] = balance([lacking], helpers, [], {"A4": UnmatchedReason.NO_COMPATIBLE_MENTOR}).lacking
    assert report.areas == ("legal",) and report.remote_mentor_count == 13  # X05 excluded
    assert report.remote_mentors == (
        "X02", "X01", "X04", "X00", "X03", "X08", "X11", "X07", "X10", "X13",
    )  # fmt: skip
