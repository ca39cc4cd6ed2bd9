"""The council's decisions file: pairs to keep (pin) and pairs to forbid.

Columns ``mentee_id,mentor_id,decision,comment`` (Russian: Наставляемый, Наставник, Решение,
Комментарий); ``decision`` is ``pin``/«закрепить» or ``forbid``/«запретить». The «Пары» sheet of
``results.xlsx`` is read too: there «утвердить» keeps the pair as a pin and «отклонить» forbids
it. A pin must keep
every hard rule, and the pins together must fit the mentors' capacities and the mentees'
``max_mentors``; every problem names its row, and all are reported at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from matcher.eligibility import Eligibility
from matcher.errors import CellProblem, InputError
from matcher.model import Decisions, MenteeBank, MentorBank
from matcher.reading import RawTable, read_table
from matcher.taxonomy import normalise_term
from matcher.workbook import council_decisions, is_results_workbook

PIN = "pin"
FORBID = "forbid"
SPELLINGS = {
    "pin": PIN,
    "закрепить": PIN,
    "закрепить пару": PIN,
    "утвердить": PIN,
    "forbid": FORBID,
    "запретить": FORBID,
    "отклонить": FORBID,
}
"""A decision as written; ``results.xlsx`` says утвердить (kept, as a pin), отклонить, закрепить."""


def _row_problems(
    table: RawTable, mentees: MenteeBank, mentors: MentorBank
) -> Iterator[CellProblem | tuple[int, str, str, str]]:
    """A problem per bad cell, or the row's (number, mentee_id, mentor_id, decision)."""
    mentee_ids = {m.id for m in mentees.mentees}
    mentor_ids = {m.id for m in mentors.mentors}
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        mentee_id, mentor_id = row.get("mentee_id", ""), row.get("mentor_id", "")
        decision = SPELLINGS.get(normalise_term(row.get("decision", "")))
        bad = [
            CellProblem(table.file, number, table.headers[column], value, message)
            for column, value, message in (
                ("mentee_id", mentee_id, "нет наставляемого с таким идентификатором в базе наставляемых"),
                ("mentor_id", mentor_id, "нет наставника с таким идентификатором в базе наставников"),
                (
                    "decision",
                    row.get("decision", ""),
                    "решение должно быть «закрепить» или «утвердить» (pin), "
                    "«запретить» или «отклонить» (forbid)",
                ),
            )
            if (column == "mentee_id" and mentee_id not in mentee_ids)
            or (column == "mentor_id" and mentor_id not in mentor_ids)
            or (column == "decision" and decision is None)
        ]
        if bad:
            yield from bad
        else:
            yield number, mentee_id, mentor_id, str(decision)


def _pin_problems(
    table: RawTable, pins: list[tuple[int, str, str]], mentees: MenteeBank, mentors: MentorBank
) -> Iterator[CellProblem]:
    """Hard rules for each pin, then capacity and max_mentors over all pins."""
    mentee_pos = {m.id: i for i, m in enumerate(mentees.mentees)}
    mentor_pos = {m.id: j for j, m in enumerate(mentors.mentors)}
    eligibility = Eligibility.build(mentees, mentors, Decisions())
    header = table.headers["mentor_id"]
    per_mentor: Counter[str] = Counter()
    per_mentee: dict[str, set[str]] = {}
    for number, mentee_id, mentor_id in pins:
        mentee, mentor = mentees.mentees[mentee_pos[mentee_id]], mentors.mentors[mentor_pos[mentor_id]]
        i, j = mentee_pos[mentee_id], mentor_pos[mentor_id]
        in_person, remote = eligibility.formats(np.array([i]), np.array([j]))
        checks = (
            (not mentee.consent, "у наставляемого нет согласия: закреплять пару нельзя"),
            (not mentor.consent, "у наставника нет согласия: закреплять пару нельзя"),
            (mentee_id == mentor_id, "педагог не может быть наставником самому себе"),
            (mentor_id in mentee.excluded_mentors, "наставляемый исключил этого наставника"),
            (
                not (in_person[0] or remote[0]),
                "нет подходящего формата встреч: очно — только в одной "
                "организации и по согласию обоих, дистанционно — только если оба согласны",
            ),
            (
                not set(mentee.difficulties) & set(mentor.competences),
                "наставник не закрывает ни одного затруднения наставляемого",
            ),
        )
        yield from (
            CellProblem(table.file, number, header, mentor_id, message)
            for broken, message in checks
            if broken
        )
        per_mentor[mentor_id] += 1
        if per_mentor[mentor_id] > mentor.capacity:
            yield CellProblem(
                table.file,
                number,
                header,
                mentor_id,
                f"закреплённых пар у наставника больше, чем его нагрузка ({mentor.capacity})",
            )
        mine = per_mentee.setdefault(mentee_id, set())
        others = set().union(*(mentors.mentors[mentor_pos[k]].competences for k in mine))
        if mine and not (set(mentee.difficulties) & set(mentor.competences)) - others:
            yield CellProblem(
                table.file,
                number,
                header,
                mentor_id,
                "ещё один наставник должен закрывать "
                "затруднение, которое не закрывают уже закреплённые наставники",
            )
        mine.add(mentor_id)
        if len(mine) > mentee.max_mentors:
            yield CellProblem(
                table.file,
                number,
                table.headers["mentee_id"],
                mentee_id,
                f"закреплённых наставников больше, чем допускает наставляемый ({mentee.max_mentors})",
            )


def decisions_from_table(table: RawTable, mentees: MenteeBank, mentors: MentorBank) -> Decisions:
    problems: list[CellProblem] = []
    rows: list[tuple[int, str, str, str]] = []
    for item in _row_problems(table, mentees, mentors):
        if isinstance(item, CellProblem):
            problems.append(item)
        else:
            rows.append(item)
    pins = [(n, a, b) for n, a, b, d in rows if d == PIN]
    forbids = {(a, b) for _, a, b, d in rows if d == FORBID}
    problems.extend(
        CellProblem(
            table.file, n, table.headers["decision"], PIN, "эта же пара в файле и закреплена, и запрещена"
        )
        for n, a, b in pins
        if (a, b) in forbids
    )
    problems.extend(_pin_problems(table, pins, mentees, mentors))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row))
    return Decisions(pinned=frozenset((a, b) for _, a, b in pins), forbidden=frozenset(forbids))


def load_decisions(path: Path, mentees: MenteeBank, mentors: MentorBank) -> Decisions:
    """A decisions file, or a ``results.xlsx`` whose «Решение» the council filled (rows left
    blank there are undecided)."""
    table = council_decisions(path) if is_results_workbook(path) else read_table(path, kind="decisions")
    return decisions_from_table(table, mentees, mentors)
