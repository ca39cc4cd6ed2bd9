"""Fit scores for every allowed mentee–mentor pair, from named components.

Pairs are found and scored block by block of mentees: the sparse product of the mentees'
severity-weighted difficulties with the mentors' level-weighted competences yields exactly the
pairs that cover at least one difficulty, with their coverage; the other components are read
off small per-block products. Only the best ``candidates_per_mentee`` pairs of each mentee are
kept (plus every preferred, pinned or previously proposed pair), so memory stays proportional to
mentees × k, never mentees × mentors. ``PairTable.cut_best`` records, per mentee, the best score
that was cut, so the run can say whether pruning could have mattered.
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
MAX_BLOCK_CELLS = 8_000_000
"""Mentees per block are chosen so that a dense block has at most this many cells."""


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
    """How many allowed pairs each mentee had before pruning."""
    cut_best: Floats
    """Per mentee, the best score among pruned pairs (-1 when nothing was pruned)."""

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


@dataclass(frozen=True, slots=True)
class _Mentors:
    """Mentor-side matrices prepared once for every block."""

    credit: sparse.csc_matrix  # topics × mentors, level / 3, zero for inactive mentors
    strong: sparse.csc_matrix  # topics × mentors, 1 where level is 3
    subjects: sparse.csc_matrix
    levels: sparse.csc_matrix
    text: Floats
    experience: Floats

    @classmethod
    def prepare(cls, profiles: Profiles, active: npt.NDArray[np.bool_]) -> _Mentors:
        topics = sparse.diags(active.astype(np.float32)) @ profiles.topics
        strong = topics.copy()
        strong.data = (strong.data >= 3).astype(np.float32)
        strong.eliminate_zeros()
        return cls(
            credit=(topics / 3.0).T.tocsc().astype(np.float32),
            strong=strong.T.tocsc(),
            subjects=profiles.subjects.T.tocsc(),
            levels=profiles.levels.T.tocsc(),
            text=profiles.text,
            experience=profiles.experience,
        )


def _share(block: sparse.csr_matrix, mentor_side: sparse.csc_matrix, local: Index, cols: Index) -> Floats:
    """Share of each mentee's items (rows of ``block``) that the pair's mentor also has."""
    if block.shape[1] == 0:
        return np.zeros(local.size, dtype=np.float32)
    overlap: Floats = (block @ mentor_side).toarray()[local, cols].astype(np.float32)
    own = np.asarray(block.sum(axis=1), dtype=np.float32).ravel()[local]
    share: Floats = np.divide(overlap, own, out=np.zeros_like(overlap), where=own > 0)
    return share


def _experience(mentee_years: Floats, mentor_years: Floats, strong: npt.NDArray[np.bool_]) -> Floats:
    lead = mentor_years - mentee_years
    value = np.clip(lead / FULL_EXPERIENCE_LEAD, 0.0, 1.0)
    value = np.where(np.isnan(lead), 0.5, value)
    reverse = strong & (np.nan_to_num(lead, nan=0.0) < 0)
    return np.where(reverse, 1.0, value).astype(np.float32)


def _assemble(
    mentees: Profiles,
    mentor_experience: Floats,
    eligibility: Eligibility,
    glob: Index,
    cols: Index,
    measured: dict[str, Floats],
    strong: npt.NDArray[np.bool_],
) -> dict[str, Floats]:
    """All components of the pairs (glob[i], cols[i]) from the measured overlaps."""
    return {
        **measured,
        "experience": _experience(mentees.experience[glob], mentor_experience[cols], strong),
        "institution": (eligibility.mentee_institution[glob] == eligibility.mentor_institution[cols]).astype(
            np.float32
        ),
        "preference": eligibility.preferred.contains(glob, cols).astype(np.float32),
    }


def _block_components(
    mentees: Profiles, mentors: _Mentors, eligibility: Eligibility, rows: slice
) -> tuple[Index, Index, npt.NDArray[np.int8], dict[str, Floats]]:
    severity = mentees.topics[rows]
    coverage = (severity @ mentors.credit).tocoo()
    local = coverage.row.astype(np.int64)
    cols = coverage.col.astype(np.int64)
    glob = local + int(rows.start or 0)
    ok, in_person, remote = eligibility.allowed(glob, cols)
    local, cols, glob = local[ok], cols[ok], glob[ok]
    fmt = np.stack([np.where(in_person[ok], 0, 1).astype(np.int8), remote[ok].astype(np.int8)])
    own_severity = np.asarray(severity.sum(axis=1), dtype=np.float32).ravel()
    binary = severity.copy()
    binary.data[:] = 1.0
    strong = (binary @ mentors.strong).toarray()[local, cols] > 0
    text_block = mentees.text[rows] @ mentors.text.T
    measured = {
        "coverage": (coverage.data[ok] / own_severity[local]).astype(np.float32),
        "subject": _share(mentees.subjects[rows], mentors.subjects, local, cols),
        "level": _share(mentees.levels[rows], mentors.levels, local, cols),
        "text": np.clip(text_block[local, cols], 0.0, 1.0).astype(np.float32),
    }
    return glob, cols, fmt, _assemble(mentees, mentors.experience, eligibility, glob, cols, measured, strong)


def _row_share(
    mentee_side: sparse.csr_matrix, mentor_side: sparse.csr_matrix, glob: Index, cols: Index
) -> Floats:
    overlap = np.asarray(mentee_side[glob].multiply(mentor_side[cols]).sum(axis=1), dtype=np.float32).ravel()
    own = np.asarray(mentee_side[glob].sum(axis=1), dtype=np.float32).ravel()
    share: Floats = np.divide(overlap, own, out=np.zeros_like(overlap), where=own > 0)
    return share


def pair_components(
    mentees: Profiles, mentors: Profiles, eligibility: Eligibility, glob: Index, cols: Index
) -> dict[str, Floats]:
    """Components of arbitrary pairs, allowed or not (pins, what-if diagnosis); row by row."""
    credit = mentors.topics / 3.0
    strong_side = mentors.topics.copy()
    strong_side.data = (strong_side.data >= 3).astype(np.float32)
    binary = mentees.topics.copy()
    binary.data[:] = 1.0
    strong = np.asarray(binary[glob].multiply(strong_side[cols]).sum(axis=1)).ravel() > 0
    text = np.einsum("ij,ij->i", mentees.text[glob], mentors.text[cols]) if glob.size else np.zeros(0)
    measured = {
        "coverage": _row_share(mentees.topics, sparse.csr_matrix(credit), glob, cols),
        "subject": _row_share(mentees.subjects, mentors.subjects, glob, cols),
        "level": _row_share(mentees.levels, mentors.levels, glob, cols),
        "text": np.clip(text, 0.0, 1.0).astype(np.float32),
    }
    return _assemble(mentees, mentors.experience, eligibility, glob, cols, measured, strong)


def combine(components: dict[str, Floats], weights: ScoringWeights) -> Floats:
    """The fit score: the weighted mean of the components, in [0, 1]."""
    w = weights.as_dict()
    total = sum(w[name] * components[name] for name in COMPONENTS)
    return np.asarray(total / weights.total(), dtype=np.float32)


def _top_k(glob: Index, score: Floats, forced: npt.NDArray[np.bool_], k: int) -> npt.NDArray[np.bool_]:
    """Each mentee's k best pairs, plus the forced ones."""
    order = np.lexsort((-score, glob))
    sorted_rows = glob[order]
    rank = np.arange(order.size) - np.searchsorted(sorted_rows, sorted_rows, side="left")
    keep = np.zeros(order.size, dtype=bool)
    keep[order] = rank < k
    return keep | forced


def score_pairs(
    mentees: Profiles,
    mentors: Profiles,
    eligibility: Eligibility,
    options: Options,
    progress: Callable[[float], None] | None = None,
) -> PairTable:
    """Every allowed pair that covers a difficulty, scored; the top k per mentee kept."""
    prepared = _Mentors.prepare(mentors, eligibility.mentor_active)
    n_mentees, n_mentors = len(mentees), len(mentors)
    block = max(1, min(options.chunk_size, MAX_BLOCK_CELLS // max(n_mentors, 1)))
    allowed = np.zeros(n_mentees, dtype=np.int64)
    cut_best = np.full(n_mentees, -1.0, dtype=np.float32)
    parts: list[tuple[Index, Index, npt.NDArray[np.int8], dict[str, Floats], Floats]] = []
    for start in range(0, n_mentees, block):
        glob, cols, fmt, comps = _block_components(
            mentees, prepared, eligibility, slice(start, start + block)
        )
        score = combine(comps, options.weights)
        allowed += np.bincount(glob, minlength=n_mentees)
        forced = (
            eligibility.preferred.contains(glob, cols)
            | eligibility.pinned.contains(glob, cols)
            | eligibility.previous.contains(glob, cols)
        )
        keep = _top_k(glob, score, forced, options.candidates_per_mentee)
        np.maximum.at(cut_best, glob[~keep], score[~keep])
        parts.append(
            (glob[keep], cols[keep], fmt[:, keep], {n: v[keep] for n, v in comps.items()}, score[keep])
        )
        if progress is not None:
            progress(min(1.0, (start + block) / max(n_mentees, 1)))
    return _concatenate(parts, allowed, cut_best)


def _concatenate(
    parts: list[tuple[Index, Index, npt.NDArray[np.int8], dict[str, Floats], Floats]],
    allowed: npt.NDArray[np.int64],
    cut_best: Floats,
) -> PairTable:
    def cat(arrays: list[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
        return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)

    return PairTable(
        mentee_idx=cat([p[0] for p in parts], np.int32),  # type: ignore[arg-type]
        mentor_idx=cat([p[1] for p in parts], np.int32),  # type: ignore[arg-type]
        format=cat([p[2][0] for p in parts], np.int8),  # type: ignore[arg-type]
        can_remote=cat([p[2][1] for p in parts], np.bool_),  # type: ignore[arg-type]
        score=cat([p[4] for p in parts], np.float32),  # type: ignore[arg-type]
        components={n: cat([p[3][n] for p in parts], np.float32) for n in COMPONENTS},  # type: ignore[misc]
        allowed_per_mentee=allowed,
        cut_best=cut_best,
    )
