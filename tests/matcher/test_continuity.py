"""A re-run keeps the base run's pairs unless changing them gains more than the tolerance."""

from __future__ import annotations

from matcher.model import Decisions, MenteeBank, MentorBank
from matcher.options import Options
from matcher.pipeline import run_batch
from matcher.taxonomy import load_taxonomy
from tests.matcher.test_pipeline import mentee, mentor

TAXONOMY = load_taxonomy()


def _pairs(result) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(p.mentee_id, p.mentor_id) for p in result.proposals}


def test_previous_pairs_are_kept_within_the_tolerance_and_given_up_beyond_it() -> None:
    # A is better off with M2 (also its subject) than with M1; the base run proposed A–M1.
    mentors = MentorBank((mentor("M1", {"ict": 2}), mentor("M2", {"ict": 3}, subjects=("физика",))))
    mentees = MenteeBank((mentee("A", {"ict": 3}, subjects=("физика",)),))
    base = Decisions(previous=frozenset({("A", "M1")}))
    fresh = run_batch(mentees, mentors, options=Options(), taxonomy=TAXONOMY)
    assert _pairs(fresh) == {("A", "M2")}
    gain = fresh.summary.objective["total_fit"]
    kept = run_batch(
        mentees, mentors, options=Options(stability_tolerance=0.5), taxonomy=TAXONOMY, decisions=base
    )
    assert _pairs(kept) == {("A", "M1")}
    assert kept.summary.counts["base_pairs_kept"] == 1
    assert kept.summary.objective["total_fit"] >= 0.5 * gain
    strict = run_batch(
        mentees, mentors, options=Options(stability_tolerance=0.0), taxonomy=TAXONOMY, decisions=base
    )
    assert _pairs(strict) == {("A", "M2")}


def test_a_rejection_moves_only_the_rejected_mentee_when_the_tolerance_allows() -> None:
    mentors = MentorBank(
        (mentor("M1", {"ict": 3}, capacity=1), mentor("M2", {"ict": 2}, capacity=1), mentor("M3", {"ict": 2}))
    )
    mentees = MenteeBank((mentee("A", {"ict": 3}), mentee("B", {"ict": 2})))
    first = _pairs(run_batch(mentees, mentors, options=Options(), taxonomy=TAXONOMY))
    rejected = next(p for p in first if p[0] == "A")
    decisions = Decisions(forbidden=frozenset({rejected}), previous=frozenset(first - {rejected}))
    # Freeing M1 lets B move up to it (about 17 % more fit): within 25 % B stays, within 0 % it moves.
    stay = _pairs(
        run_batch(
            mentees,
            mentors,
            options=Options(stability_tolerance=0.25),
            taxonomy=TAXONOMY,
            decisions=decisions,
        )
    )
    assert first - {rejected} <= stay
    assert rejected not in stay and len(stay) == 2
    move = _pairs(
        run_batch(
            mentees, mentors, options=Options(stability_tolerance=0.0), taxonomy=TAXONOMY, decisions=decisions
        )
    )
    assert ("B", "M1") in move and rejected not in move
