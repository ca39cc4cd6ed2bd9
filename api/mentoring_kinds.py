"""The kind (form) of mentoring a pair or group is, as the order and the council's page name it."""

from __future__ import annotations

from collections.abc import Sequence

from api.storage.tables import MenteeRow, MentorRow

FORMAT_RU = {"in_person": "очно", "remote": "дистанционно"}


def mentoring_kind_ru(
    meeting_format: str, *, grouped: bool, mentor: MentorRow, mentees: Sequence[MenteeRow]
) -> str:
    """Групповая, виртуальная (remote), else традиционная; реверсивная for a less experienced mentor."""
    kinds = [
        kind
        for kind, applies in (("групповая", grouped), ("виртуальная", meeting_format == "remote"))
        if applies
    ] or ["традиционная"]
    mentor_years = mentor.experience_years
    if mentor_years is not None and all(
        m.experience_years is not None and m.experience_years > mentor_years for m in mentees
    ):
        kinds.append("реверсивная")
    return f"{', '.join(kinds)} ({FORMAT_RU[meeting_format]})"
