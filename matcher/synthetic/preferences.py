"""Whom mentees name: preferred mentors (mostly fitting colleagues) and an excluded colleague.

Candidates are drawn a fixed number of times per asking mentee, all at once: mentors sorted by
institution give each institution a slice, and a uniform draw picks a row inside the slice.
Results are mentor rows, −1 for none.
"""

from __future__ import annotations

import numpy as np

from matcher.synthetic.people import Mentees, Mentors
from matcher.synthetic.tables import BoolArray, IntArray

PREFERRING_SHARE = 0.10  # the rare asker who finds no fitting mentor names nobody
LOCAL_PREFERENCE_SHARE = 0.85
SECOND_PREFERENCE_SHARE = 0.3
EXCLUDING_SHARE = 0.03


def preferred_mentors(
    rng: np.random.Generator, mentees: Mentees, mentors: Mentors, n_institutions: int, n_codes: int
) -> IntArray:
    """mentees × 2: available mentors, mostly colleagues, who cover the mentee's first difficulty."""
    chosen = np.full((mentees.number.size, 2), -1, dtype=np.int64)
    if mentors.number.size == 0:
        return chosen
    asking = np.flatnonzero(rng.random(mentees.number.size) < PREFERRING_SHARE)
    local = rng.random(asking.size) < LOCAL_PREFERENCE_SHARE
    candidate = _candidates(rng, mentors, mentees.institution[asking], local, n_institutions, tries=16)
    safe = np.maximum(candidate, 0)
    covers = mentors.covers(n_codes)[safe, mentees.codes[asking, :1]]
    available = ((mentors.capacity > 0) & mentors.consent)[safe]
    other = mentors.number[safe] != mentees.number[asking, None]
    fits = (candidate >= 0) & covers & available & other
    first = _first_where(candidate, fits)
    fits &= candidate != first[:, None]
    second = np.where(rng.random(asking.size) < SECOND_PREFERENCE_SHARE, _first_where(candidate, fits), -1)
    chosen[asking, 0], chosen[asking, 1] = first, second
    return chosen


def excluded_mentors(
    rng: np.random.Generator, mentees: Mentees, mentors: Mentors, preferred: IntArray, n_institutions: int
) -> IntArray:
    """One mentor per mentee, mostly none: a colleague the mentee would rather not work with."""
    excluded = np.full(mentees.number.size, -1, dtype=np.int64)
    if mentors.number.size == 0:
        return excluded
    asking = np.flatnonzero(rng.random(mentees.number.size) < EXCLUDING_SHARE)
    local = np.ones(asking.size, dtype=bool)
    candidate = _candidates(rng, mentors, mentees.institution[asking], local, n_institutions, tries=4)
    other = mentors.number[np.maximum(candidate, 0)] != mentees.number[asking, None]
    not_preferred = (candidate[:, :, None] != preferred[asking, None, :]).all(axis=2)
    excluded[asking] = _first_where(candidate, (candidate >= 0) & other & not_preferred)
    return excluded


def _candidates(
    rng: np.random.Generator,
    mentors: Mentors,
    institution: IntArray,
    local: BoolArray,
    n_institutions: int,
    tries: int,
) -> IntArray:
    """``tries`` mentor rows per asker: from the asker's institution where ``local`` (−1 if it
    has no mentors), from the whole bank otherwise. The bank must not be empty."""
    order = np.argsort(mentors.institution, kind="stable")
    size = np.bincount(mentors.institution, minlength=n_institutions)
    start = np.cumsum(size) - size
    u = rng.random((institution.size, tries))
    own = size[institution][:, None]
    position = np.minimum(start[institution][:, None] + (u * own).astype(np.int64), order.size - 1)
    in_own = np.where(own > 0, order[position], -1)
    anywhere = (u * order.size).astype(np.int64)
    return np.where(local[:, None], in_own, anywhere).astype(np.int64)


def _first_where(candidate: IntArray, ok: BoolArray) -> IntArray:
    """Per row, the first candidate that is ``ok``, or −1."""
    first = candidate[np.arange(candidate.shape[0]), ok.argmax(axis=1)]
    return np.where(ok.any(axis=1), first, -1).astype(np.int64)
