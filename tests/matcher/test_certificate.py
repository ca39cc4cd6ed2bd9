"""The LP dual proves the top-k pruning lossless, or k is widened until it does."""

from __future__ import annotations

from matcher.model import MenteeBank, MentorBank
from matcher.options import Options
from matcher.pipeline import run_batch
from matcher.taxonomy import load_taxonomy
from tests.matcher.test_pipeline import mentee, mentor

TAXONOMY = load_taxonomy()
MENTORS = MentorBank((mentor("M1", {"ict": 3}, capacity=1), mentor("M2", {"ict": 2}, capacity=1)))
MENTEES = MenteeBank((mentee("A", {"ict": 3}), mentee("B", {"ict": 2})))


def test_a_lossy_pruning_is_caught_and_the_missing_pair_added() -> None:
    blind = run_batch(
        MENTEES, MENTORS, options=Options(candidates_per_mentee=1, certify_pruning=False), taxonomy=TAXONOMY
    )
    assert blind.summary.counts["matched_mentees"] == 1, "keeping only M1 for both loses a mentee"
    checked = run_batch(MENTEES, MENTORS, options=Options(candidates_per_mentee=1), taxonomy=TAXONOMY)
    assert checked.summary.counts["matched_mentees"] == 2
    assert checked.summary.solver["pruning_proved_lossless"] is True
    assert {p.mentor_id for p in checked.proposals} == {"M1", "M2"}
    assert checked.summary.solver["candidates_per_mentee"] == 1, "pairs were added, k was not widened"


def test_nothing_pruned_needs_no_proof() -> None:
    result = run_batch(MENTEES, MENTORS, options=Options(), taxonomy=TAXONOMY)
    assert result.summary.solver["pruning_proved_lossless"] is True
    assert result.summary.solver["mentees_pruning_not_proved"] == 0
    assert result.summary.solver["candidates_per_mentee"] == 60
