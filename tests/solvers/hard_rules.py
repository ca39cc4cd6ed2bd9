"""The contract's hard rules 3 and 4 and pins, checked on any assignment, whatever produced it.

Written plainly over Python sets, independently of every solver, so the property tests and the
brute-force reference can both trust it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from matcher.solvers import Assignment, MatchingProblem


class HardRules:
    """One problem's data as plain Python, and ``breaks`` to list what an assignment breaks.

    Each break is a message starting with what it breaks: "capacity" and "group" (rule 3),
    "max_mentors" and "new coverage" (rule 4), "pins" or "rows". New coverage is read as the
    solvers' brief states it: when a mentee has several mentors, each of them covers a
    difficulty that none of the mentee's other mentors covers.
    """

    def __init__(self, problem: MatchingProblem) -> None:
        covers = problem.covers.tocsr()
        self.mentee = problem.pairs.mentee_idx.tolist()
        self.mentor = problem.pairs.mentor_idx.tolist()
        self.in_person = (problem.pairs.format == 0).tolist()
        self.can_remote = problem.pairs.can_remote.tolist()
        self.codes = [
            frozenset(int(c) for c, v in zip(covers[r].indices, covers[r].data, strict=True) if v > 0)
            for r in range(len(problem.pairs))
        ]
        self.capacity = problem.capacity.tolist()
        self.max_group = problem.max_group.tolist()
        self.max_mentors = problem.max_mentors.tolist()
        self.pinned = frozenset(np.flatnonzero(problem.pinned).tolist())

    def breaks(
        self,
        chosen: Sequence[int],
        group_of: Sequence[int],
        remote: Sequence[bool] | None = None,
        theme: Sequence[int] | None = None,
    ) -> list[str]:
        """What ``chosen`` rows (with ``group_of`` per row, −1 individual) break; empty if nothing."""
        found = [f"rows: row {r} chosen twice" for r, n in Counter(chosen).items() if n > 1]
        found += [f"pins: pinned row {r} not chosen" for r in sorted(self.pinned - set(chosen))]
        members: dict[int, list[int]] = defaultdict(list)
        load: Counter[int] = Counter()
        for r, g in zip(chosen, group_of, strict=True):
            if g < 0:
                load[self.mentor[r]] += 1
            else:
                members[g].append(r)
        for g, rows in members.items():
            found += self._group_breaks(g, rows, remote, theme)
            load[self.mentor[rows[0]]] += 1
        found += [
            f"capacity: mentor {j} load {n} > {self.capacity[j]}"
            for j, n in load.items()
            if n > self.capacity[j]
        ]
        leaders = Counter(self.mentor[rows[0]] for rows in members.values())
        found += [f"group: mentor {j} leads {n} groups" for j, n in leaders.items() if n > 1]
        by_mentee: dict[int, list[int]] = defaultdict(list)
        for r in chosen:
            by_mentee[self.mentee[r]].append(r)
        for i, rows in by_mentee.items():
            found += self._mentee_breaks(i, rows)
        return found

    def breaks_assignment(self, assignment: Assignment) -> list[str]:
        return self.breaks(
            assignment.chosen.tolist(),
            assignment.groups().tolist(),
            assignment.group_remote.tolist(),
            assignment.group_theme.tolist(),
        )

    def _group_breaks(
        self, g: int, rows: list[int], remote: Sequence[bool] | None, theme: Sequence[int] | None
    ) -> list[str]:
        found = []
        mentors = {self.mentor[r] for r in rows}
        if len(mentors) > 1:
            return [f"group: group {g} has several mentors {sorted(mentors)}"]
        j = mentors.pop()
        if not 2 <= len(rows) <= self.max_group[j]:
            found.append(
                f"group: group {g} of mentor {j} has {len(rows)} members, max_group {self.max_group[j]}"
            )
        shared = frozenset.intersection(*(self.codes[r] for r in rows))
        if not shared:
            found.append(f"group: group {g} members share no covered difficulty")
        if theme is not None and theme[g] not in shared:
            found.append(f"group: group {g} theme {theme[g]} not covered for every member")
        meets_remotely = not all(self.in_person[r] for r in rows) if remote is None else remote[g]
        if meets_remotely and not all(self.can_remote[r] for r in rows):
            found.append(f"group: group {g} meets remotely but a member cannot")
        if not meets_remotely and not all(self.in_person[r] for r in rows):
            found.append(f"group: group {g} meets in person but a member may not")
        return found

    def _mentee_breaks(self, i: int, rows: list[int]) -> list[str]:
        found = []
        if len(rows) > self.max_mentors[i]:
            found.append(f"max_mentors: mentee {i} has {len(rows)} mentors > {self.max_mentors[i]}")
        if len({self.mentor[r] for r in rows}) < len(rows):
            found.append(f"max_mentors: mentee {i} has the same mentor twice")
        if len(rows) > 1:
            for r in rows:
                others = frozenset().union(*(self.codes[o] for o in rows if o != r))
                if not self.codes[r] - others:
                    found.append(
                        f"new coverage: mentee {i}: mentor of row {r} covers nothing the others do not"
                    )
        return found
