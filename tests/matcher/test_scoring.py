"""Scoring keeps exactly each mentee's top k allowed pairs, though it scores few of them in full."""

from __future__ import annotations

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
