"""Fit scores for the allowed mentee–mentor pairs, from named components; top k per mentee.

Scoring goes block by block of mentees and never holds anything of size mentees × mentors:
each block is scored against every mentor as dense block × mentors arrays, one per component
(small matrix products over the taxonomy, subjects, levels and the SVD text space, and outer
comparisons for experience and institution), masked by the hard rules, and only each mentee's
best ``candidates_per_mentee`` allowed pairs (plus every preferred, pinned or previously
proposed one) leave the block, with their components. The kept pairs are exactly each
mentee's top k of all allowed pairs. ``PairTable.cut_best`` records, per mentee, the best
score among the allowed pairs that were not kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.eligibility import Eligibility, Index
from matcher.options import COMPONENTS, Options, ScoringWeights
from matcher.vectorising import Profiles

Floats = npt.NDArray[np.float32]
FULL_EXPERIENCE_LEAD = 10.0
"""Years of lead over the mentee that give the experience component its full value."""
MAX_BLOCK_CELLS = 4_000_000
"""Mentees per block are chosen so that a block × mentors array has at most this many cells."""


@dataclass(frozen=True, slots=True)
class PairTable:
    """The allowed pairs kept after scoring, one row per pair (long form)."""

    mentee_idx: npt.NDArray[np.int32]
    mentor_idx: npt.NDArray[np.int32]
    format: npt.NDArray[np.int8]
    """How the pair meets on its own: 0 in person (preferred where possible), 1 remote."""
    can_remote: npt.NDArray[np.bool_]
    """Whether the pair may also meet remotely (a group with a remote member meets remotely)."""
    score: Floats
    components: dict[str, Floats]
    allowed_per_mentee: npt.NDArray[np.int64]
    """Per mentee, the mentors with consent and room who cover at least one difficulty."""
    cut_best: Floats
    """Per mentee, the best score among scored pairs that were not kept (-1: none)."""

    def __len__(self) -> int:
        return int(self.mentee_idx.size)

    def take(self, rows: npt.NDArray[np.int64]) -> PairTable:
        return PairTable(
            mentee_idx=self.mentee_idx[rows],
            mentor_idx=self.mentor_idx[rows],
            format=self.format[rows],
            can_remote=self.can_remote[rows],
            score=self.score[rows],
            components={name: values[rows] for name, values in self.components.items()},
            allowed_per_mentee=self.allowed_per_mentee,
            cut_best=self.cut_best,
        )


def _experience(mentee_years: Floats, mentor_years: Floats, strong: npt.NDArray[np.bool_]) -> Floats:
    lead = mentor_years - mentee_years
    value = np.clip(lead / FULL_EXPERIENCE_LEAD, 0.0, 1.0)
    value = np.where(np.isnan(lead), 0.5, value)
    reverse = strong & (np.nan_to_num(lead, nan=0.0) < 0)
    return np.where(reverse, 1.0, value).astype(np.float32)


def _row_share(
    mentee_side: sparse.csr_matrix, mentor_side: sparse.csr_matrix, glob: Index, cols: Index
) -> Floats:
    """Share of each pair's mentee items (rows of ``mentee_side``) that its mentor also has."""
    mine = mentee_side[glob]
    overlap = np.asarray(mine.multiply(mentor_side[cols]).sum(axis=1), dtype=np.float32).ravel()
    own = np.asarray(mine.sum(axis=1), dtype=np.float32).ravel()
    share: Floats = np.divide(overlap, own, out=np.zeros_like(overlap), where=own > 0)
    return share


class PairScorer:
    """Full components of any pairs, allowed or not (scoring, pins, what-if diagnosis)."""

    def __init__(self, mentees: Profiles, mentors: Profiles, eligibility: Eligibility) -> None:
        self.mentees = mentees
        self.mentors = mentors
        self.eligibility = eligibility
        self.credit = sparse.csr_matrix(mentors.topics / 3.0, dtype=np.float32)
        strong = mentors.topics.copy()
        strong.data = (strong.data >= 3).astype(np.float32)
        self.strong = strong
        binary = mentees.topics.copy()
        binary.data[:] = 1.0
        self.binary = binary

    def components(self, glob: Index, cols: Index) -> dict[str, Floats]:
        strong = np.asarray(self.binary[glob].multiply(self.strong[cols]).sum(axis=1)).ravel() > 0
        text = (
            np.einsum("ij,ij->i", self.mentees.text[glob], self.mentors.text[cols])
            if glob.size
            else np.zeros(0, dtype=np.float32)
        )
        elig = self.eligibility
        return {
            "coverage": _row_share(self.mentees.topics, self.credit, glob, cols),
            "subject": _row_share(self.mentees.subjects, self.mentors.subjects, glob, cols),
            "level": _row_share(self.mentees.levels, self.mentors.levels, glob, cols),
            "text": np.clip(text, 0.0, 1.0).astype(np.float32),
            "experience": _experience(self.mentees.experience[glob], self.mentors.experience[cols], strong),
            "institution": (elig.mentee_institution[glob] == elig.mentor_institution[cols]).astype(
                np.float32
            ),
            "preference": elig.preferred.contains(glob, cols).astype(np.float32),
        }


def pair_components(
    mentees: Profiles, mentors: Profiles, eligibility: Eligibility, glob: Index, cols: Index
) -> dict[str, Floats]:
    """Components of arbitrary pairs, allowed or not (pins, what-if diagnosis)."""
    return PairScorer(mentees, mentors, eligibility).components(glob, cols)


def combine(components: dict[str, Floats], weights: ScoringWeights) -> Floats:
    """The fit score: the weighted mean of the components, in [0, 1]."""
    w = weights.as_dict()
    total = sum(w[name] * components[name] for name in COMPONENTS)
    return np.asarray(total / weights.total(), dtype=np.float32)


@dataclass(slots=True)
class _Scored:
    glob: Index
    cols: Index
    fmt: npt.NDArray[np.int8]
    remote: npt.NDArray[np.bool_]
    components: dict[str, Floats]
    score: Floats

    @classmethod
    def empty(cls) -> _Scored:
        none = np.zeros(0, dtype=np.int64)
        return cls(
            none,
            none,
            np.zeros(0, np.int8),
            np.zeros(0, bool),
            {n: np.zeros(0, np.float32) for n in COMPONENTS},
            np.zeros(0, np.float32),
        )

    @staticmethod
    def concatenate(parts: list[_Scored]) -> _Scored:
        return _Scored(
            np.concatenate([p.glob for p in parts]),
            np.concatenate([p.cols for p in parts]),
            np.concatenate([p.fmt for p in parts]),
            np.concatenate([p.remote for p in parts]),
            {n: np.concatenate([p.components[n] for p in parts]) for n in COMPONENTS},
            np.concatenate([p.score for p in parts]),
        )


class _BlockScorer:
    """Scores one block of mentees against every mentor as dense block × mentors arrays."""

    def __init__(self, scorer: PairScorer, options: Options) -> None:
        self.scorer = scorer
        self.options = options
        self.weights = options.weights.as_dict()
        elig = scorer.eligibility
        mentors = scorer.mentors
        active = elig.mentor_active.astype(np.float32)[:, None]
        self.credit_t = np.asarray(scorer.credit.multiply(active).T.todense(), dtype=np.float32)
        self.strong_t = np.asarray(scorer.strong.T.todense(), dtype=np.float32)
        self.subjects_t = sparse.csc_matrix(mentors.subjects.T, dtype=np.float32)
        self.levels_t = sparse.csc_matrix(mentors.levels.T, dtype=np.float32)
        self.text_t = np.ascontiguousarray(mentors.text.T)
        specials = [elig.preferred.pairs(), elig.pinned.pairs(), elig.previous.pairs()]
        self.forced_glob = np.concatenate([p[0] for p in specials])
        self.forced_cols = np.concatenate([p[1] for p in specials])

    def _share(self, block: sparse.csr_matrix, mentor_side_t: sparse.csc_matrix) -> Floats:
        if block.shape[1] == 0:
            return np.zeros((block.shape[0], mentor_side_t.shape[1]), dtype=np.float32)
        overlap = np.asarray((block @ mentor_side_t).todense(), dtype=np.float32)
        own = np.asarray(block.sum(axis=1), dtype=np.float32)
        overlap /= np.maximum(own, 1.0)
        return overlap

    def _components(self, rows: slice) -> dict[str, Floats]:
        """Every component of every pair of the block (block × mentors arrays)."""
        mentees, elig = self.scorer.mentees, self.scorer.eligibility
        severity = mentees.topics[rows]
        own = np.asarray(severity.sum(axis=1), dtype=np.float32)
        coverage = np.asarray(severity @ self.credit_t, dtype=np.float32) / np.maximum(own, 1e-9)
        strong = np.asarray(self.scorer.binary[rows] @ self.strong_t) > 0
        lead = self.scorer.mentors.experience[None, :] - mentees.experience[rows, None]
        experience = np.clip(lead / FULL_EXPERIENCE_LEAD, 0.0, 1.0)
        experience[np.isnan(lead)] = 0.5
        experience[strong & (lead < 0)] = 1.0
        text = mentees.text[rows] @ self.text_t
        np.clip(text, 0.0, 1.0, out=text)
        return {
            "coverage": coverage,
            "subject": self._share(mentees.subjects[rows], self.subjects_t),
            "level": self._share(mentees.levels[rows], self.levels_t),
            "text": text,
            "experience": experience.astype(np.float32),
            "institution": (elig.mentee_institution[rows, None] == elig.mentor_institution[None, :]).astype(
                np.float32
            ),
            "preference": np.zeros_like(coverage),
        }

    def score(self, rows: slice) -> tuple[_Scored, npt.NDArray[np.int64], Floats]:
        """The block's top k allowed pairs (and forced ones), coverage counts and best cut scores."""
        start = int(rows.start or 0)
        elig = self.scorer.eligibility
        comps = self._components(rows)
        n_rows, n_mentors = comps["coverage"].shape
        inside = (self.forced_glob >= start) & (self.forced_glob < start + n_rows)
        forced_local, forced_cols = self.forced_glob[inside] - start, self.forced_cols[inside]
        comps["preference"][forced_local, forced_cols] = elig.preferred.contains(
            forced_local + start, forced_cols
        ).astype(np.float32)
        score = combine(comps, self.options.weights)
        covering = comps["coverage"] > 0
        counts = np.count_nonzero(covering & elig.mentor_active[None, :], axis=1).astype(np.int64)
        glob_grid = np.arange(start, start + n_rows)[:, None]
        in_person, remote = elig.formats(glob_grid, np.arange(n_mentors)[None, :])
        allowed = (
            covering & (in_person | remote) & elig.mentor_active[None, :] & elig.mentee_active[rows, None]
        )
        self_pos = elig.self_mentor[rows]
        allowed[np.flatnonzero(self_pos >= 0), self_pos[self_pos >= 0]] = False
        banned_glob, banned_cols = elig.banned.pairs()
        hit = (banned_glob >= start) & (banned_glob < start + n_rows)
        allowed[banned_glob[hit] - start, banned_cols[hit]] = False
        score[~allowed] = -1.0
        k = min(self.options.candidates_per_mentee, n_mentors)
        top = (
            np.argpartition(-score, k - 1, axis=1)[:, :k]
            if k < n_mentors
            else np.tile(np.arange(n_mentors), (n_rows, 1))
        )
        local = np.concatenate([np.repeat(np.arange(n_rows), top.shape[1]), forced_local])
        cols = np.concatenate([top.ravel(), forced_cols])
        keys = np.unique(local * n_mentors + cols)
        local, cols = keys // n_mentors, keys % n_mentors
        local, cols = local[allowed[local, cols]], cols[allowed[local, cols]]
        kept = _Scored(
            local + start,
            cols,
            np.where(in_person[local, cols], 0, 1).astype(np.int8),
            remote[local, cols],
            {name: values[local, cols] for name, values in comps.items()},
            score[local, cols],
        )
        score[local, cols] = -1.0
        cut_best = score.max(axis=1, initial=-1.0).astype(np.float32)
        return kept, counts, cut_best


def score_pairs(
    mentees: Profiles,
    mentors: Profiles,
    eligibility: Eligibility,
    options: Options,
    progress: Callable[[float], None] | None = None,
) -> PairTable:
    """The top ``candidates_per_mentee`` allowed pairs of every mentee, exactly, scored."""
    blocks = _BlockScorer(PairScorer(mentees, mentors, eligibility), options)
    n_mentees, n_mentors = len(mentees), len(mentors)
    size = max(1, min(options.chunk_size, MAX_BLOCK_CELLS // max(n_mentors, 1)))
    allowed = np.zeros(n_mentees, dtype=np.int64)
    cut_best = np.full(n_mentees, -1.0, dtype=np.float32)
    kept = [_Scored.empty()]
    for start in range(0, n_mentees, size):
        if not eligibility.mentee_active[start : start + size].any():
            continue
        scored, covering, cut = blocks.score(slice(start, start + size))
        allowed[start : start + covering.size] = covering
        cut_best[start : start + cut.size] = cut
        kept.append(scored)
        if progress is not None:
            progress(min(1.0, (start + size) / max(n_mentees, 1)))
    allowed[~eligibility.mentee_active] = 0
    table = _Scored.concatenate(kept)
    return PairTable(
        mentee_idx=table.glob.astype(np.int32),
        mentor_idx=table.cols.astype(np.int32),
        format=table.fmt,
        can_remote=table.remote,
        score=table.score,
        components=table.components,
        allowed_per_mentee=allowed,
        cut_best=cut_best,
    )
