"""Profiles of both banks as sparse vectors over shared vocabularies.

``ProfileVectorizer`` follows scikit-learn's contract: ``__init__`` stores parameters only;
``fit`` learns the vocabularies from both banks (so a mentee's subject and a mentor's subject
land in the same column) and starts the text model on both banks' texts, and returns ``self``;
``transform_*`` returns the ``Profiles`` of the banks it was fitted on.

* ``topics`` — taxonomy codes; a mentee's cell holds the severity (1–3), a mentor's the level.
* ``subjects``, ``levels`` — binary, over the subjects and education levels seen in either bank.
* ``text`` — the mentee's request or the mentor's «Опыт и достижения» as a few dense dimensions
  (``matcher.text_model``: TF-IDF over Russian stems, truncated SVD, L2-normalised), fitted by
  the ``text_model`` given (in this process, or the batch command's side process).
* ``experience`` — years, NaN when unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matcher.errors import NotFittedError
from matcher.model import MenteeBank, MentorBank, Person
from matcher.taxonomy import Taxonomy, normalise_term
from matcher.text_model import Pending, TextModel, fitted_here


@dataclass(frozen=True, slots=True)
class Profiles:
    topics: sparse.csr_matrix
    subjects: sparse.csr_matrix
    levels: sparse.csr_matrix
    text: npt.NDArray[np.float32]
    experience: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return int(self.topics.shape[0])


def _binary_rows(items: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    cols = [vocabulary[item] for row in items for item in row if item in vocabulary]
    lengths = [sum(1 for item in row if item in vocabulary) for row in items]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    data = np.ones(len(cols), dtype=np.float32)
    matrix = sparse.csr_matrix(
        (data, np.asarray(cols, dtype=np.int64), indptr), (len(items), len(vocabulary))
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _weighted_rows(maps: Sequence[dict[str, int]], taxonomy: Taxonomy) -> sparse.csr_matrix:
    cols = [taxonomy.index[code] for row in maps for code in row]
    data = np.asarray([value for row in maps for value in row.values()], dtype=np.float32)
    indptr = np.concatenate([[0], np.cumsum([len(row) for row in maps])]).astype(np.int64)
    return sparse.csr_matrix((data, np.asarray(cols, dtype=np.int64), indptr), (len(maps), len(taxonomy)))


def _experience(people: Sequence[Person]) -> npt.NDArray[np.float32]:
    years = [np.nan if p.experience_years is None else p.experience_years for p in people]
    return np.asarray(years, dtype=np.float32)


class ProfileVectorizer:
    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        text_components: int = 48,
        seed: int = 0,
        text_model: TextModel = fitted_here,
    ) -> None:
        self.taxonomy = taxonomy
        self.text_components = text_components
        self.seed = seed
        self.text_model = text_model

    def fit(self, mentees: MenteeBank, mentors: MentorBank) -> ProfileVectorizer:
        self.texts_: Pending = self.text_model(
            [m.request for m in mentees.mentees],
            [m.about for m in mentors.mentors],
            self.text_components,
            self.seed,
        )
        people: list[Person] = [*mentees.mentees, *mentors.mentors]
        subjects = sorted({normalise_term(s) for p in people for s in p.subjects})
        levels = sorted({level for p in people for level in p.levels})
        self.subjects_vocabulary_ = {s: i for i, s in enumerate(subjects)}
        self.levels_vocabulary_ = {s: i for i, s in enumerate(levels)}
        self.sizes_ = (len(mentees), len(mentors))
        return self

    def _check_fitted(self, size: int, side: int) -> None:
        if not hasattr(self, "sizes_"):
            raise NotFittedError("ProfileVectorizer is not fitted yet; call fit first")
        if self.sizes_[side] != size:
            raise ValueError("ProfileVectorizer transforms the banks it was fitted on")

    def _common(self, people: Sequence[Person], topics: sparse.csr_matrix, side: int) -> Profiles:
        subjects = _binary_rows(
            [[normalise_term(s) for s in p.subjects] for p in people], self.subjects_vocabulary_
        )
        levels = _binary_rows([p.levels for p in people], self.levels_vocabulary_)
        experience = _experience(people)
        return Profiles(topics, subjects, levels, self.texts_()[side], experience)

    def transform_mentees(self, bank: MenteeBank) -> Profiles:
        self._check_fitted(len(bank), 0)
        topics = _weighted_rows([m.difficulties for m in bank.mentees], self.taxonomy)
        return self._common(bank.mentees, topics, 0)

    def transform_mentors(self, bank: MentorBank) -> Profiles:
        self._check_fitted(len(bank), 1)
        topics = _weighted_rows([m.competences for m in bank.mentors], self.taxonomy)
        return self._common(bank.mentors, topics, 1)
