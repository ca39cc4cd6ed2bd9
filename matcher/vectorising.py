"""Profiles of both banks as sparse vectors over shared vocabularies.

``ProfileVectorizer`` follows scikit-learn's contract: ``__init__`` stores parameters only;
``fit`` learns the vocabularies from both banks (so a mentee's subject and a mentor's subject
land in the same column) and returns ``self``; ``transform_*`` returns ``Profiles``.

* ``topics`` — taxonomy codes; a mentee's cell holds the severity (1–3), a mentor's the level.
* ``subjects``, ``levels`` — binary, over the subjects and education levels seen in either bank.
* ``text`` — the mentee's request or the mentor's «Опыт и достижения»: TF-IDF over Russian
  Snowball stems, reduced by truncated SVD to a few dense dimensions and L2-normalised, so the
  similarity of any pair is one short dot product.
* ``experience`` — years, NaN when unknown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import snowballstemmer
from scipy import sparse

from matcher.errors import NotFittedError
from matcher.model import MenteeBank, MentorBank, Person
from matcher.taxonomy import Taxonomy, normalise_term

if TYPE_CHECKING:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

_WORD = re.compile(r"[^\W\d_]{2,}")
_STEMMER = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


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


class ProfileVectorizer:
    def __init__(self, taxonomy: Taxonomy, *, text_components: int = 48, seed: int = 0) -> None:
        self.taxonomy = taxonomy
        self.text_components = text_components
        self.seed = seed

    def fit(self, mentees: MenteeBank, mentors: MentorBank) -> ProfileVectorizer:
        # scikit-learn is imported here, in the vectorising stage only (not by --help or reading)
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from threadpoolctl import threadpool_limits

        people: list[Person] = [*mentees.mentees, *mentors.mentors]
        subjects = sorted({normalise_term(s) for p in people for s in p.subjects})
        levels = sorted({level for p in people for level in p.levels})
        self.subjects_vocabulary_ = {s: i for i, s in enumerate(subjects)}
        self.levels_vocabulary_ = {s: i for i, s in enumerate(levels)}
        texts = [m.request for m in mentees.mentees] + [m.about for m in mentors.mentors]
        self.tfidf_: TfidfVectorizer | None = None
        self.svd_: TruncatedSVD | None = None
        self._stems: dict[str, tuple[str, ...]] = {}
        if sum(1 for text in texts if text.strip()) >= 3:
            tfidf = TfidfVectorizer(analyzer=self._analyse, sublinear_tf=True, min_df=1)
            matrix = tfidf.fit_transform(texts)
            n_components = min(self.text_components, matrix.shape[1] - 1, matrix.shape[0] - 1)
            if n_components >= 2:
                self.tfidf_ = tfidf
                # one BLAS thread: the products are skinny, and a second thread made the SVD
                # eight times costlier in CPU on a shared two-core machine (issue 9, item 5)
                with (
                    np.errstate(divide="ignore", invalid="ignore"),  # texts all alike: no variance
                    threadpool_limits(limits=1, user_api="blas"),
                ):
                    self.svd_ = TruncatedSVD(n_components, random_state=self.seed, n_iter=4).fit(matrix)
        return self

    def _analyse(self, text: str) -> tuple[str, ...]:
        """``russian_stems`` of a text, remembered: ``transform_*`` meets the texts ``fit`` read."""
        stems = self._stems.get(text)
        if stems is None:
            stems = self._stems[text] = tuple(russian_stems(text))
        return stems

    def _check_fitted(self) -> None:
        if not hasattr(self, "subjects_vocabulary_"):
            raise NotFittedError("ProfileVectorizer is not fitted yet; call fit first")

    def _text(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if self.tfidf_ is None or self.svd_ is None:
            return np.zeros((len(texts), 1), dtype=np.float32)
        from sklearn.preprocessing import normalize

        reduced = self.svd_.transform(self.tfidf_.transform(texts))
        blank = np.fromiter((not t.strip() for t in texts), dtype=bool, count=len(texts))
        reduced[blank] = 0.0
        return np.asarray(normalize(reduced), dtype=np.float32)

    def _common(self, people: Sequence[Person], topics: sparse.csr_matrix, texts: list[str]) -> Profiles:
        self._check_fitted()
        return Profiles(
            topics=topics,
            subjects=_binary_rows(
                [[normalise_term(s) for s in p.subjects] for p in people], self.subjects_vocabulary_
            ),
            levels=_binary_rows([p.levels for p in people], self.levels_vocabulary_),
            text=self._text(texts),
            experience=_experience(people),
        )

    def transform_mentees(self, bank: MenteeBank) -> Profiles:
        topics = _weighted_rows([m.difficulties for m in bank.mentees], self.taxonomy)
        return self._common(bank.mentees, topics, [m.request for m in bank.mentees])

    def transform_mentors(self, bank: MentorBank) -> Profiles:
        topics = _weighted_rows([m.competences for m in bank.mentors], self.taxonomy)
        return self._common(bank.mentors, topics, [m.about for m in bank.mentors])
