"""Scoring keeps exactly each mentee's top k allowed pairs, though it scores few of them in full."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from matcher.eligibility import Eligibility
from matcher.model import Decisions
from matcher.options import Options
from matcher.scoring import PairScorer, combine, score_pairs
from matcher.synthetic import generate_banks, write_banks
from matcher.taxonomy import load_taxonomy
from matcher.validation import load_banks
from matcher.vectorising import ProfileVectorizer

TAXONOMY = load_taxonomy()


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("banks")
    mentors_frame, mentees_frame = generate_banks(n_mentees=150, n_mentors=400, n_institutions=6, seed=3)
    mentors, mentees = load_banks(*write_banks(mentors_frame, mentees_frame, Path(folder)), TAXONOMY)
    vectorizer = ProfileVectorizer(TAXONOMY).fit(mentees, mentors)
    mentee_profiles, mentor_profiles = (
        vectorizer.transform_mentees(mentees),
        vectorizer.transform_mentors(mentors),
    )
    eligibility = Eligibility.build(mentees, mentors, Decisions())
    return mentee_profiles, mentor_profiles, eligibility


def _brute_force(instance, options: Options) -> dict[int, np.ndarray]:  # type: ignore[no-untyped-def]
    mentee_profiles, mentor_profiles, eligibility = instance
    n, m = len(mentee_profiles), len(mentor_profiles)
    glob, cols = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    ok, _, _ = eligibility.allowed(glob, cols)
    comps = PairScorer(mentee_profiles, mentor_profiles, eligibility).components(glob, cols)
    ok &= comps["coverage"] > 0
    score = combine(comps, options.weights)
    return {i: np.sort(score[ok & (glob == i)])[::-1] for i in range(n)}


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("weights", [{}, {"coverage": 0.2, "text": 0.5}, {"coverage": 0.0}])
def test_kept_pairs_are_exactly_the_top_k(instance, k: int, weights: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    options = Options(candidates_per_mentee=k, chunk_size=37).with_overrides({"weights": weights})
    table = score_pairs(*instance, options)
    expected = _brute_force(instance, options)
    eligibility = instance[2]
    forced = eligibility.preferred.contains(
        table.mentee_idx.astype(np.int64), table.mentor_idx.astype(np.int64)
    )
    for i, scores in expected.items():
        mine = table.mentee_idx == i
        kept = np.sort(table.score[mine])[::-1]
        np.testing.assert_allclose(kept[:k], scores[:k], atol=1e-6)
        assert kept.size - min(k, scores.size) <= int((mine & forced).sum()), (
            "only preferred pairs go beyond k"
        )
    full = PairScorer(*instance).components(
        table.mentee_idx.astype(np.int64), table.mentor_idx.astype(np.int64)
    )
    np.testing.assert_allclose(combine(full, options.weights), table.score, atol=1e-6)


@pytest.mark.parametrize(
    "weights",
    [{}, {"coverage": 0.2, "text": 0.5}, {"coverage": 0.0, "experience": 0.6}, {"institution": 0.0}],
)
def test_a_blocks_sums_are_the_pairwise_fits_of_every_allowed_pair(
    instance, weights: dict[str, float]
) -> None:  # type: ignore[no-untyped-def]
    """The block sums the fit with the weights folded into its operands; it must give every
    allowed pair (not only the kept) the fit ``combine`` gives its components, and no other
    pair an allowed fit."""
    from matcher.eligibility import REMOTE_BIT
    from matcher.scoring import _BlockScorer

    mentee_profiles, mentor_profiles, eligibility = instance
    unknown = np.arange(0, 400, 7)  # some mentees and mentors whose experience is not known
    mentee_profiles = dataclasses.replace(mentee_profiles, experience=mentee_profiles.experience.copy())
    mentor_profiles = dataclasses.replace(mentor_profiles, experience=mentor_profiles.experience.copy())
    mentee_profiles.experience[unknown[unknown < len(mentee_profiles)]] = np.nan
    mentor_profiles.experience[unknown] = np.nan
    options = Options().with_overrides({"weights": weights})
    scorer = PairScorer(mentee_profiles, mentor_profiles, eligibility)
    rows = np.flatnonzero(eligibility.mentee_active & ((eligibility.mentee_formats & REMOTE_BIT) != 0))
    columns = np.flatnonzero(eligibility.mentor_active & ((eligibility.mentor_formats & REMOTE_BIT) != 0))
    block = _BlockScorer(scorer, options, columns)
    fit, held = block._fit(rows, block._shares(rows))
    glob, cols = np.repeat(rows, columns.size), np.tile(columns, rows.size)
    components = scorer.components(glob, cols)
    components["preference"] = np.zeros(glob.size, dtype=np.float32)
    covers = (components["coverage"] > 0).reshape(fit.shape)
    np.testing.assert_array_equal(held > 0, covers)
    expected = combine(components, options.weights).reshape(fit.shape)
    np.testing.assert_allclose(fit[covers], expected[covers], atol=1e-6)
    younger = mentor_profiles.experience[cols] < mentee_profiles.experience[glob]
    assert (younger & (components["experience"] == 1.0)).any(), (
        "some pairs are reverse mentoring (a strong mentor younger in service)"
    )
