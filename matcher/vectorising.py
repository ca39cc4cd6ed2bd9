"""Profiles of both banks as sparse vectors over shared vocabularies.

``ProfileVectorizer`` follows scikit-learn's contract: ``__init__`` stores parameters only;
``fit`` learns the vocabularies from both banks (so a mentee's subject and a mentor's subject
land in the same column) and returns ``self``; ``transform_*`` returns ``Profiles``;
``fit_transform`` does both for both banks, reading each text once.

* ``topics`` — taxonomy codes; a mentee's cell holds the severity (1–3), a mentor's the level.
* ``subjects``, ``levels`` — binary, over the subjects and education levels seen in either bank.
* ``text`` — the mentee's request or the mentor's «Опыт и достижения»: TF-IDF over Russian
  Snowball stems, reduced by truncated SVD to a few dense dimensions and L2-normalised, so the
  similarity of any pair is one short dot product.
* ``experience`` — years, NaN when unknown.

TF-IDF is scikit-learn's formula (sublinear tf ``1 + ln tf``, smooth idf
``ln((1 + n) / (1 + df)) + 1``, rows L2-normalised) written with scipy.sparse, and the SVD is
scipy's ``svds`` (exact leading singular vectors): importing scikit-learn alone costs 2.5 s
of CPU (it brings scipy.stats), more than vectorising a municipality.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import snowballstemmer
from scipy import sparse

from matcher.errors import NotFittedError
from matcher.model import MenteeBank, MentorBank, Person
from matcher.taxonomy import Taxonomy, normalise_term

_WORD = re.compile(r"[^\W\d_]{2,}")
_STEMMER = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


DENSE_GRAM_STEMS = 4_000
"""Up to this many distinct stems the SVD goes through the stems × stems Gram matrix."""
_subject = lru_cache(maxsize=20_000)(normalise_term)


def russian_stems(text: str) -> list[str]:
    """Lower-cased Snowball stems of the words of ``text`` (ё read as е)."""
    return [_stem(word) for word in _WORD.findall(text.casefold().replace("ё", "е"))]


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


def _term_counts(texts: Sequence[str], vocabulary: dict[str, int], *, grow: bool) -> sparse.csr_matrix:
    """Texts × stems counts; ``grow`` adds unseen stems to ``vocabulary``, else they are dropped."""
    column_of: dict[str, int] = {}  # word -> its stem's column, -1 for a stem left out
    cols: list[int] = []
    indptr = [0]
    for text in texts:
        for word in _WORD.findall(text.casefold().replace("ё", "е")):
            col = column_of.get(word)
            if col is None:
                stem = _stem(word)
                col = vocabulary.get(stem, -1)
                if col < 0 and grow:
                    col = vocabulary[stem] = len(vocabulary)
                column_of[word] = col
            if col >= 0:
                cols.append(col)
        indptr.append(len(cols))
    counts = sparse.csr_matrix(
        (np.ones(len(cols)), np.asarray(cols, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(texts), len(vocabulary)),
    )
    counts.sum_duplicates()
    return counts


def _leading_directions(matrix: sparse.csr_matrix, k: int, seed: int) -> npt.NDArray[np.float64]:
    """The k leading right singular vectors of ``matrix`` (rows): from the dense Gram matrix when
    the stems are few (milliseconds), else by ARPACK."""
    if matrix.shape[1] <= DENSE_GRAM_STEMS:
        gram = (matrix.T @ matrix).toarray()
        _, vectors = np.linalg.eigh(gram)
        return np.ascontiguousarray(vectors[:, ::-1][:, :k].T)
    from scipy.sparse.linalg import svds  # brings scipy.linalg: only for a large vocabulary

    _, _, directions = svds(matrix, k=k, random_state=seed, return_singular_vectors="vh")
    return np.asarray(directions, dtype=np.float64)


def _unit_rows(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))[:, None]
    unit: npt.NDArray[np.float64] = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit


class ProfileVectorizer:
    def __init__(self, taxonomy: Taxonomy, *, text_components: int = 48, seed: int = 0) -> None:
        self.taxonomy = taxonomy
        self.text_components = text_components
        self.seed = seed

    def fit(self, mentees: MenteeBank, mentors: MentorBank) -> ProfileVectorizer:
        self._fit(mentees, mentors)
        return self

    def fit_transform(self, mentees: MenteeBank, mentors: MentorBank) -> tuple[Profiles, Profiles]:
        """``fit`` then both ``transform_*``, reading each text once."""
        text = self._fit(mentees, mentors)
        return (
            self._profiles(mentees.mentees, self._topics(mentees), text[: len(mentees)]),
            self._profiles(mentors.mentors, self._topics(mentors), text[len(mentees) :]),
        )

    def _fit(self, mentees: MenteeBank, mentors: MentorBank) -> npt.NDArray[np.float32]:
        """Learn the vocabularies, the idf and the SVD; return the fitted texts' reduced vectors."""
        people: list[Person] = [*mentees.mentees, *mentors.mentors]
        subjects = sorted({_subject(s) for p in people for s in p.subjects})
        levels = sorted({level for p in people for level in p.levels})
        self.subjects_vocabulary_ = {s: i for i, s in enumerate(subjects)}
        self.levels_vocabulary_ = {s: i for i, s in enumerate(levels)}
        texts = [m.request for m in mentees.mentees] + [m.about for m in mentors.mentors]
        self.stems_: dict[str, int] = {}
        self.idf_: npt.NDArray[np.float64] | None = None
        self.components_: npt.NDArray[np.float64] | None = None
        if sum(1 for text in texts if text.strip()) < 3:
            return self._text_of(texts, sparse.csr_matrix((len(texts), 0)))
        counts = _term_counts(texts, self.stems_, grow=True)
        n_components = min(self.text_components, counts.shape[1] - 1, counts.shape[0] - 1)
        if n_components < 2:
            return self._text_of(texts, counts)
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1.0
        weighted = self._tfidf(counts)
        with np.errstate(divide="ignore", invalid="ignore"):  # texts all alike: no variance
            self.components_ = np.nan_to_num(_leading_directions(weighted, n_components, self.seed))
        return self._text_of(texts, counts)

    def _tfidf(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        assert self.idf_ is not None
        weighted = counts.copy()
        weighted.data = 1.0 + np.log(weighted.data)
        weighted = sparse.csr_matrix(weighted @ sparse.diags(self.idf_))
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        return sparse.csr_matrix(sparse.diags(1.0 / np.maximum(norms, 1e-300)) @ weighted)

    def _text_of(self, texts: Sequence[str], counts: sparse.csr_matrix) -> npt.NDArray[np.float32]:
        """The texts' reduced, L2-normalised vectors (one zero column when there is no text model)."""
        if self.components_ is None:
            return np.zeros((len(texts), 1), dtype=np.float32)
        reduced = np.asarray(self._tfidf(counts) @ self.components_.T)
        blank = np.fromiter((not t.strip() for t in texts), dtype=bool, count=len(texts))
        reduced[blank] = 0.0
        return _unit_rows(reduced).astype(np.float32)

    def _check_fitted(self) -> None:
        if not hasattr(self, "subjects_vocabulary_"):
            raise NotFittedError("ProfileVectorizer is not fitted yet; call fit first")

    def _text(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if self.components_ is None:
            return np.zeros((len(texts), 1), dtype=np.float32)
        return self._text_of(texts, _term_counts(texts, self.stems_, grow=False))

    def _topics(self, bank: MenteeBank | MentorBank) -> sparse.csr_matrix:
        if isinstance(bank, MenteeBank):
            return _weighted_rows([m.difficulties for m in bank.mentees], self.taxonomy)
        return _weighted_rows([m.competences for m in bank.mentors], self.taxonomy)

    def _profiles(
        self, people: Sequence[Person], topics: sparse.csr_matrix, text: npt.NDArray[np.float32]
    ) -> Profiles:
        self._check_fitted()
        return Profiles(
            topics=topics,
            subjects=_binary_rows(
                [[_subject(s) for s in p.subjects] for p in people], self.subjects_vocabulary_
            ),
            levels=_binary_rows([p.levels for p in people], self.levels_vocabulary_),
            text=text,
            experience=_experience(people),
        )

    def transform_mentees(self, bank: MenteeBank) -> Profiles:
        self._check_fitted()
        return self._profiles(bank.mentees, self._topics(bank), self._text([m.request for m in bank.mentees]))

    def transform_mentors(self, bank: MentorBank) -> Profiles:
        self._check_fitted()
        return self._profiles(bank.mentors, self._topics(bank), self._text([m.about for m in bank.mentors]))
