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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from threadpoolctl import threadpool_limits

from matcher.eligibility import REMOTE_BIT, Eligibility, Index, PairKeys
from matcher.options import COMPONENTS, Options, ScoringWeights
from matcher.vectorising import Profiles

Floats = npt.NDArray[np.float32]
FULL_EXPERIENCE_LEAD = 10.0
"""Years of lead over the mentee that give the experience component its full value."""
BLOCK_CELLS = 1_000_000
"""Mentees per block are chosen so that a block × mentors array has about this many cells: the
block's dozen arrays (4 MB each) stay near the processor's caches. With 4 million cells the
municipality's blocks took 0.53 s, with 1 million 0.30–0.33 s (the same pairs)."""
MIN_BLOCK_ROWS = 32
"""But never fewer mentees than this: each block costs some fixed work in Python, and with a
region's 67,000 remote-capable mentors 14-mentee blocks (1 million cells) took 18.8 s against
13.2–14.7 s with 29 (2 million) and 15.6–16.1 s with 59 (4 million)."""
SCORING_THREADS = 2
"""Blocks scored at once (the machines have two cores)."""


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
    """Per mentee, how many allowed pairs (rules 1, 2, 5, a covered difficulty) there were."""
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
    """The fit score: the weighted mean of the components, in [0, 1]; a component left out of
    ``components`` counts as 0 everywhere."""
    w = weights.as_dict()
    total = np.zeros_like(components[COMPONENTS[0]], dtype=np.float32)
    term = np.empty_like(total)
    for name in COMPONENTS:
        if w[name] and name in components:
            total += np.multiply(np.float32(w[name] / weights.total()), components[name], out=term)
    return total


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

    def take(self, mask: npt.NDArray[np.bool_]) -> _Scored:
        return _Scored(
            self.glob[mask],
            self.cols[mask],
            self.fmt[mask],
            self.remote[mask],
            {n: v[mask] for n, v in self.components.items()},
            self.score[mask],
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


def _dense_t(matrix: sparse.spmatrix) -> Floats:
    """A mentors × items matrix as a C-ordered dense items × mentors array (fast products)."""
    return np.ascontiguousarray(sparse.csr_matrix(matrix).T.toarray(), dtype=np.float32)


def _dense(block: sparse.spmatrix) -> Floats:
    return np.asarray(block.toarray(), dtype=np.float32)


SAMPLE_STRIDE = 8


def _row_top_k(score: Floats, allowed: npt.NDArray[np.bool_], k: int) -> tuple[Index, Index]:
    """Per row, the positions of the k best allowed scores (exactly; ties broken arbitrarily).

    The k-th best of every 8th column is at most the row's k-th best, so the cells reaching it
    hold the row's top k; only those few are sorted.
    """
    sample = score[:, ::SAMPLE_STRIDE]
    if k < sample.shape[1]:
        kth = sample.shape[1] - k
        floor = np.partition(sample, kth, axis=1)[:, kth]
        reaching = np.greater_equal(score, floor[:, None])
        local, cols = np.nonzero(np.logical_and(reaching, allowed, out=reaching))
    else:
        local, cols = np.nonzero(allowed)
    values = score[local, cols]
    order = np.lexsort((-values, local))
    ranked = local[order]
    rank = np.arange(order.size) - np.searchsorted(ranked, ranked, side="left")
    best = order[rank < k]
    return local[best].astype(np.int64), cols[best].astype(np.int64)


class _BlockScorer:
    """Scores blocks of remote-capable mentees against every remote-capable mentor, densely.

    A block's fits are summed in place into one block × mentors array, the weights folded into
    the operands: one matrix product gives coverage, subject and level together (each mentee's
    row divided by its own total first), one the text, one whether the pair covers a difficulty
    and whether the mentor is strong in one (``strong``); the experience is a few passes over
    the lead in years, and the institution adds its weight only to the few cells where the
    mentee's institution is the mentor's. A block's pass over every cell is what costs (the
    region has 950 million), and this needs about half the passes of summing the components one
    by one (``combine``). The kept pairs' components are then computed pair by pair, and their
    fit from them (``combine``), as for every listed pair; the block's sum may differ from it in
    the last bits, which can only reorder pairs whose fits tie to 1e-6.
    """

    def __init__(self, scorer: PairScorer, options: Options, columns: Index) -> None:
        self.scorer = scorer
        self.options = options
        self.columns = columns
        mentors = scorer.mentors
        weights = options.weights.as_dict()
        total = options.weights.total()
        self.weight = {name: np.float32(weights[name] / total) for name in COMPONENTS}
        self.shared_t = {
            "coverage": _dense_t(scorer.credit[columns]),
            "subject": _dense_t(mentors.subjects[columns]),
            "level": _dense_t(mentors.levels[columns]),
        }
        self.linear_t = np.vstack(list(self.shared_t.values()))
        held = mentors.topics[columns].copy()
        self.strong = np.float32(held.shape[1] + 1)
        """In ``held_t`` a difficulty the mentor holds at all counts 1, one they hold strongly
        this much more: a product with the mentee's difficulties says both whether the pair
        covers one (> 0) and whether the mentor is strong in one (≥ ``strong``), exactly."""
        held.data = (held.data > 0).astype(np.float32) + self.strong * (held.data >= 3)
        self.held_t = _dense_t(held)
        self.text_t = np.ascontiguousarray(mentors.text[columns].T * self.weight["text"], dtype=np.float32)
        experience = mentors.experience[columns]
        self.experience = np.nan_to_num(experience, nan=0.0)
        self.unknown_experience = np.flatnonzero(np.isnan(experience))
        institution = scorer.eligibility.mentor_institution[columns]
        self.by_institution = np.argsort(institution, kind="stable")
        self.institution_sorted = institution[self.by_institution]

    def _shares(self, rows: Index) -> dict[str, Floats]:
        """The block's mentees' difficulties, subjects and levels, each row divided by its total
        (``_row_share``'s share of the mentee's items the mentor also has is then a product)."""
        mentees = self.scorer.mentees
        shares = {}
        for name, matrix, floor in (
            ("coverage", mentees.topics, 1e-9),
            ("subject", mentees.subjects, 1.0),
            ("level", mentees.levels, 1.0),
        ):
            block = matrix[rows]
            dense = _dense(block)
            dense /= np.maximum(np.asarray(block.sum(axis=1), dtype=np.float32), floor)
            shares[name] = dense
        return shares

    def _same_institution(self, rows: Index) -> tuple[Index, Index]:
        """The block's cells (row, column) whose mentee and mentor share an institution."""
        institution = self.scorer.eligibility.mentee_institution[rows]
        lo = np.searchsorted(self.institution_sorted, institution, side="left")
        hi = np.searchsorted(self.institution_sorted, institution, side="right")
        counts = hi - lo
        local = np.repeat(np.arange(rows.size), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return local, self.by_institution[np.repeat(lo, counts) + offsets]

    def _fit(self, rows: Index, shares: dict[str, Floats]) -> tuple[Floats, Floats]:
        """The block's fits (preference left at 0), and per pair how many of the mentee's
        difficulties the mentor covers (+ ``strong`` for each held strongly)."""
        mentees, weight = self.scorer.mentees, self.weight
        fit = np.hstack([part * weight[name] for name, part in shares.items()]) @ self.linear_t
        held = _dense(self.scorer.binary[rows]) @ self.held_t
        if weight["text"]:
            text = mentees.text[rows] @ self.text_t
            np.clip(text, 0.0, weight["text"], out=text)
            fit += text
        if weight["experience"]:
            fit += self._experience(rows, held)
        if weight["institution"]:
            fit[self._same_institution(rows)] += weight["institution"]
        return fit, held

    def _kept(
        self, rows: Index, shares: dict[str, Floats], held: Floats, local: Index, cols: Index
    ) -> _Scored:
        """The kept cells as pairs, their components computed one by one from the block's
        operands. ``PairScorer.components`` gives the same from the sparse profiles, but its
        sparse row selections took 6.5 ms a block at the region against 4 ms, and the
        municipality's scoring 0.62–0.71 s against 0.42–0.48 s."""
        elig, mentees, mentors = self.scorer.eligibility, self.scorer.mentees, self.scorer.mentors
        glob, mentor = rows[local], self.columns[cols]
        components = {
            name: np.einsum("ij,ji->i", part[local], self.shared_t[name][:, cols])
            for name, part in shares.items()
        }
        text = np.einsum("ij,ij->i", mentees.text[glob], mentors.text[mentor])
        components["text"] = np.clip(text, 0.0, 1.0).astype(np.float32)
        strong = held[local, cols] >= self.strong
        components["experience"] = _experience(mentees.experience[glob], mentors.experience[mentor], strong)
        components["institution"] = (elig.mentee_institution[glob] == elig.mentor_institution[mentor]).astype(
            np.float32
        )
        components["preference"] = np.zeros(glob.size, dtype=np.float32)
        in_person, remote = elig.formats(glob, mentor)
        return _Scored(
            glob,
            mentor,
            np.where(in_person, 0, 1).astype(np.int8),
            remote,
            components,
            combine(components, self.options.weights),
        )

    def _experience(self, rows: Index, held: Floats) -> Floats:
        """``_experience`` of every pair of the block, weighted: the lead over the mentee in
        years up to ``FULL_EXPERIENCE_LEAD``, full for a strong mentor younger in service
        (reverse mentoring), half where either's experience is unknown."""
        weight = self.weight["experience"]
        years = self.scorer.mentees.experience[rows]
        lead = self.experience[None, :] - np.nan_to_num(years, nan=0.0)[:, None]
        reverse = np.less(lead, 0.0)
        reverse &= held >= self.strong
        lead *= weight / np.float32(FULL_EXPERIENCE_LEAD)
        np.clip(lead, 0.0, weight, out=lead)
        np.copyto(lead, weight, where=reverse)
        half = weight * np.float32(0.5)
        lead[:, self.unknown_experience] = half
        lead[np.isnan(years)] = half
        return lead

    def score(self, rows: Index) -> tuple[_Scored, Floats, npt.NDArray[np.int64]]:
        """The block's top k allowed pairs, per mentee the best score not kept, and allowed counts.

        Preference is left at 0 here: preferred pairs are scored separately and always kept.
        """
        elig = self.scorer.eligibility
        shares = self._shares(rows)
        score, held = self._fit(rows, shares)
        n_rows, n_cols = score.shape
        allowed = held > 0  # rule 2 holds in a block: every pair of it may meet remotely
        # -1 where no difficulty is covered, in four plain passes (score × 0 or 1, then − 1 or 0):
        # writing through the mask took seven passes' time
        blocked = np.minimum(held, 1.0)
        score *= blocked
        blocked -= 1.0
        score += blocked
        self_pos = np.searchsorted(self.columns, elig.self_mentor[rows])
        has_self = (elig.self_mentor[rows] >= 0) & (self_pos < n_cols)
        has_self[has_self] &= self.columns[self_pos[has_self]] == elig.self_mentor[rows][has_self]
        banned_glob, banned_cols = elig.banned.pairs()
        at_row = np.searchsorted(rows, banned_glob)
        at_col = np.searchsorted(self.columns, banned_cols)
        hit = (at_row < n_rows) & (at_col < n_cols)
        hit[hit] &= (rows[at_row[hit]] == banned_glob[hit]) & (self.columns[at_col[hit]] == banned_cols[hit])
        for cells in ((np.flatnonzero(has_self), self_pos[has_self]), (at_row[hit], at_col[hit])):
            allowed[cells] = False
            score[cells] = -1.0
        local, cols = _row_top_k(score, allowed, self.options.candidates_per_mentee)
        kept = self._kept(rows, shares, held, local, cols)
        counts = np.count_nonzero(allowed, axis=1).astype(np.int64)
        score[local, cols] = -1.0
        return kept, score.max(axis=1, initial=-1.0).astype(np.float32), counts


def _local_pairs(
    eligibility: Eligibility, remote_mentee: npt.NDArray[np.bool_], remote_mentor: npt.NDArray[np.bool_]
) -> tuple[Index, Index]:
    """Same-institution pairs of active people the remote blocks do not hold (one side in person only)."""
    mentees = np.flatnonzero(eligibility.mentee_active)
    mentors = np.flatnonzero(eligibility.mentor_active)
    by_institution = np.argsort(eligibility.mentor_institution[mentors], kind="stable")
    mentor_inst = eligibility.mentor_institution[mentors][by_institution]
    mentors = mentors[by_institution]
    lo = np.searchsorted(mentor_inst, eligibility.mentee_institution[mentees], side="left")
    hi = np.searchsorted(mentor_inst, eligibility.mentee_institution[mentees], side="right")
    counts = hi - lo
    glob = np.repeat(mentees, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cols = mentors[np.repeat(lo, counts) + offsets]
    outside_blocks = ~(remote_mentee[glob] & remote_mentor[cols])
    return glob[outside_blocks], cols[outside_blocks]


def _score_listed(scorer: PairScorer, options: Options, glob: Index, cols: Index) -> _Scored:
    """Listed pairs scored in full, the allowed ones that cover a difficulty kept."""
    ok, in_person, remote = scorer.eligibility.allowed(glob, cols)
    glob, cols = glob[ok], cols[ok]
    comps = scorer.components(glob, cols)
    keep = comps["coverage"] > 0
    comps = {name: values[keep] for name, values in comps.items()}
    return _Scored(
        glob[keep],
        cols[keep],
        np.where(in_person[ok][keep], 0, 1).astype(np.int8),
        remote[ok][keep],
        comps,
        combine(comps, options.weights),
    )


LISTED_PAIRS_PER_CHUNK = 2_000_000


def add_improving_pairs(
    table: PairTable,
    mentees: Profiles,
    mentors: Profiles,
    eligibility: Eligibility,
    options: Options,
    rows: Index,
    improving: Callable[[Index, Index, Floats], npt.NDArray[np.bool_]],
) -> tuple[PairTable, int]:
    """Every allowed pair of the mentees ``rows`` scored; those ``improving`` accepts and the
    table lacks are added to it. Returns the table and how many pairs were added."""
    scorer = PairScorer(mentees, mentors, eligibility)
    n_mentors = len(mentors)
    have = PairKeys.build(zip(table.mentee_idx.tolist(), table.mentor_idx.tolist(), strict=True), n_mentors)
    step = max(1, LISTED_PAIRS_PER_CHUNK // max(n_mentors, 1))
    found = [_Scored.empty()]
    for start in range(0, rows.size, step):
        chunk = rows[start : start + step]
        listed = _score_listed(
            scorer, options, np.repeat(chunk, n_mentors), np.tile(np.arange(n_mentors), chunk.size)
        )
        new = ~have.contains(listed.glob, listed.cols) & improving(listed.glob, listed.cols, listed.score)
        found.append(listed.take(new))
    extra = _Scored.concatenate(found)
    if extra.glob.size == 0:
        return table, 0
    return (
        PairTable(
            mentee_idx=np.concatenate([table.mentee_idx, extra.glob.astype(np.int32)]),
            mentor_idx=np.concatenate([table.mentor_idx, extra.cols.astype(np.int32)]),
            format=np.concatenate([table.format, extra.fmt]),
            can_remote=np.concatenate([table.can_remote, extra.remote]),
            score=np.concatenate([table.score, extra.score]),
            components={n: np.concatenate([table.components[n], extra.components[n]]) for n in COMPONENTS},
            allowed_per_mentee=table.allowed_per_mentee,
            cut_best=table.cut_best,
        ),
        int(extra.glob.size),
    )


def _sorted_unique(keys: Index) -> Index:
    """``np.unique(keys)`` by sorting: NumPy 2.4's hashing ``unique`` took ten times as long."""
    ordered = np.sort(keys)
    first = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    unique: Index = ordered[first]
    return unique


def _top_k(scored: _Scored, forced: npt.NDArray[np.bool_], k: int) -> npt.NDArray[np.bool_]:
    """Each mentee's k best pairs, plus the forced ones."""
    order = np.lexsort((-scored.score, scored.glob))
    sorted_rows = scored.glob[order]
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
    """The top ``candidates_per_mentee`` allowed pairs of every mentee, exactly, scored.

    Pairs are blocked by format: remote-capable mentees meet every remote-capable mentor in
    dense blocks; the pairs where one side meets only in person are the few of one
    institution, listed and scored one by one, as are the preferred, pinned and previous pairs.
    """
    scorer = PairScorer(mentees, mentors, eligibility)
    remote_mentee = (eligibility.mentee_formats & REMOTE_BIT) != 0
    remote_mentor = (eligibility.mentor_formats & REMOTE_BIT) != 0
    columns = np.flatnonzero(eligibility.mentor_active & remote_mentor)
    rows = np.flatnonzero(eligibility.mentee_active & remote_mentee)
    blocks = _BlockScorer(scorer, options, columns)
    size = max(1, min(options.chunk_size, max(MIN_BLOCK_ROWS, BLOCK_CELLS // max(columns.size, 1))))
    n_mentors = max(len(mentors), 1)
    cut_best = np.full(len(mentees), -1.0, dtype=np.float32)
    allowed = np.zeros(len(mentees), dtype=np.int64)
    local_glob, local_cols = _local_pairs(eligibility, remote_mentee, remote_mentor)
    forced = [eligibility.preferred.pairs(), eligibility.pinned.pairs(), eligibility.previous.pairs()]
    listed_glob = np.concatenate([local_glob, *(p[0] for p in forced)])
    listed_cols = np.concatenate([local_cols, *(p[1] for p in forced)])
    keys = _sorted_unique(listed_glob * n_mentors + listed_cols)
    listed = _score_listed(scorer, options, keys // n_mentors, keys % n_mentors)
    is_local = ~(remote_mentee[listed.glob] & remote_mentor[listed.cols])
    allowed += np.bincount(listed.glob[is_local], minlength=len(mentees))
    parts = [listed]
    starts = range(0, rows.size, size)
    # one BLAS thread per block (skinny products), and two blocks at once: NumPy and BLAS release
    # the interpreter lock for the block's arrays; results are taken in block order
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(max_workers=SCORING_THREADS) as pool,
    ):
        for start, (kept, cut, counts) in zip(
            starts, pool.map(blocks.score, (rows[start : start + size] for start in starts)), strict=True
        ):
            block = rows[start : start + size]
            parts.append(kept)
            cut_best[block] = cut
            allowed[block] += counts
            if progress is not None:
                progress(min(1.0, (start + size) / max(rows.size, 1)))
    scored = _Scored.concatenate(parts)
    keys = scored.glob * n_mentors + scored.cols
    _, first = np.unique(keys, return_index=True)
    firsts = np.zeros(keys.size, dtype=bool)
    firsts[first] = True
    scored = scored.take(firsts)
    is_forced = (
        eligibility.preferred.contains(scored.glob, scored.cols)
        | eligibility.pinned.contains(scored.glob, scored.cols)
        | eligibility.previous.contains(scored.glob, scored.cols)
    )
    keep = _top_k(scored, is_forced, options.candidates_per_mentee)
    np.maximum.at(cut_best, scored.glob[~keep], scored.score[~keep])
    table = scored.take(keep)
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
