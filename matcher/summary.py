"""``summary.json``: the run's proof, so a municipality can defend its order.

It states the objective, the solver's status, its proven bound and the gap, how many mentees
were matched, the severity-weighted share of difficulties covered, the fit distribution, blocking
pairs, and whether pruning candidates could have mattered. Beside the chosen answer it states the
group-free one (min-cost flow, no groups, extra mentors in rounds, same objective): its matched
count, total fit and fit distribution, so a council sees what groups and extra mentors cost or
gained.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt

from matcher.eligibility import Eligibility
from matcher.model import RunSummary, Unmatched
from matcher.options import Options
from matcher.solvers.base import Assignment, MatchingProblem
from matcher.stability import blocking_pairs
from matcher.vectorising import Profiles

OBJECTIVES = {
    "total": (
        "lexicographic: first the number of mentees matched with a mentor who covers at least one of "
        "their difficulties, then the total fit of all proposed pairs"
    ),
    "maxmin": (
        "lexicographic: first the number of mentees matched, then the worst fit among proposed pairs "
        "(raised as far as possible), then the total fit"
    ),
}


def fit_distribution(scores: npt.NDArray[np.float32]) -> dict[str, float]:
    if scores.size == 0:
        return {}
    values = scores.astype(np.float64)
    return {
        "min": round(float(values.min()), 4),
        "p10": round(float(np.percentile(values, 10)), 4),
        "median": round(float(np.median(values)), 4),
        "mean": round(float(values.mean()), 4),
        "max": round(float(values.max()), 4),
    }


def gap(objective: float, bound: float | None) -> float | None:
    """(bound − objective) / objective, the share by which the answer may fall short of the best."""
    if bound is None:
        return None
    return round(max(bound - objective, 0.0) / max(abs(objective), 1e-9), 6)


def group_free_comparison(problem: MatchingProblem, group_free: Assignment) -> dict[str, object]:
    """The group-free answer's objective and fit distribution, for the side-by-side view."""
    chosen = group_free.chosen
    return {
        "method": group_free.method,
        "matched_mentees": int(np.unique(problem.pairs.mentee_idx[chosen]).size),
        "total_fit": round(group_free.objective, 4),
        "fit": fit_distribution(problem.pairs.score[chosen]),
    }


def summarise(
    problem: MatchingProblem,
    assignment: Assignment,
    load: npt.NDArray[np.int64],
    mentee_profiles: Profiles,
    eligibility: Eligibility,
    unmatched: list[Unmatched],
    options: Options,
    group_free: Assignment | None = None,
) -> RunSummary:
    pairs = problem.pairs
    chosen = np.zeros(len(pairs), dtype=bool)
    chosen[assignment.chosen] = True
    per_mentee = np.bincount(pairs.mentee_idx[chosen], minlength=problem.n_mentees)
    matched = int((per_mentee > 0).sum())
    scores = pairs.score[chosen]
    assigned_best = np.zeros(problem.n_mentees, dtype=np.float32)
    np.maximum.at(assigned_best, pairs.mentee_idx[chosen], scores)
    pruned = pairs.cut_best >= 0
    consenting = int(eligibility.mentee_active.sum())
    reasons = Counter(u.reason.value for u in unmatched)
    groups = assignment.groups()
    return RunSummary(
        counts={
            "mentees": problem.n_mentees,
            "mentors": problem.n_mentors,
            "mentees_with_consent": consenting,
            "mentors_available": int(eligibility.mentor_active.sum()),
            "allowed_pairs": int(pairs.allowed_per_mentee.sum()),
            "candidate_pairs": len(pairs),
            "proposals": int(chosen.sum()),
            "matched_mentees": matched,
            "mentees_with_several_mentors": int((per_mentee > 1).sum()),
            "groups": int(np.unique(groups[groups >= 0]).size),
            "mentees_in_groups": int((groups >= 0).sum()),
            "unmatched_mentees": len(unmatched),
            **{f"unmatched_{reason}": n for reason, n in sorted(reasons.items())},
            "unmatched_with_verified_fix": sum(u.fix_verified for u in unmatched),
            "mentor_load_used": int(load.sum()),
            "mentor_capacity": int(problem.capacity[eligibility.mentor_active].sum()),
        },
        objective={
            "description": OBJECTIVES[options.fairness],  # type: ignore[dict-item]
            "matched_mentees": matched,
            "total_fit": round(assignment.objective, 4),
            "bound": None if assignment.bound is None else round(assignment.bound, 4),  # type: ignore[dict-item]
            "gap": gap(assignment.objective, assignment.bound),  # type: ignore[dict-item]
            **(
                {}
                if group_free is None
                else {
                    "group_free_matched_mentees": int(np.unique(pairs.mentee_idx[group_free.chosen]).size),
                    "group_free_total_fit": round(group_free.objective, 4),
                }
            ),
        },
        solver={
            "name": options.solver,
            "method": assignment.method,
            "status": assignment.status.value,
            "seconds": round(assignment.seconds, 4),
            "time_limit": options.time_limit,
            "candidates_per_mentee": options.candidates_per_mentee,
            "mentees_pruned": int(pruned.sum()),
            "mentees_whose_cut_candidate_beats_their_pair": int(
                (pruned & (pairs.cut_best > assigned_best)).sum()
            ),
        },
        quality={
            "share_matched": round(matched / max(problem.n_mentees, 1), 4),
            "share_matched_of_consenting": round(matched / max(consenting, 1), 4),
            "severity_weighted_coverage": round(
                float(problem.covered_by(chosen).sum()) / max(float(mentee_profiles.topics.sum()), 1e-9), 4
            ),
            "fit": fit_distribution(scores),
            "blocking_pairs": blocking_pairs(problem, assignment.chosen, load),
            **({} if group_free is None else {"group_free": group_free_comparison(problem, group_free)}),
        },
        options=options.model_dump(mode="json"),
    )


def side_by_side_ru(summary: RunSummary) -> str:
    """The chosen answer beside the group-free one, in Russian, for the command's printout."""
    objective, quality = summary.objective, summary.quality
    gap_value = objective.get("gap")
    proof = (
        ""
        if gap_value is None
        else f" (верхняя граница {objective['bound']}, разрыв не более {100 * gap_value:.2f} %)"
    )
    lines = [
        f"Выбранное решение: подобрано {objective['matched_mentees']}, суммарное соответствие "
        f"{objective['total_fit']}{proof}; групп: {summary.counts.get('groups', 0)}."
    ]
    free = quality.get("group_free")
    if isinstance(free, dict):
        lines.append(
            f"Без групп (поток, тот же критерий): подобрано {free['matched_mentees']}, суммарное "
            f"соответствие {free['total_fit']}."
        )
        lines.append("Соответствие пар    мин     p10     медиана среднее")
        for label, fit in (("выбранное", quality.get("fit")), ("без групп", free.get("fit"))):
            if not isinstance(fit, dict):
                continue
            cells = " ".join(f"{fit.get(k, float('nan')):<7.3f}" for k in ("min", "p10", "median", "mean"))
            lines.append(f"{label:<19} {cells}")
    return "\n".join(lines)
