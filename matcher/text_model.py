"""The free text of both banks as dense vectors: the mentee's request and the mentor's «Опыт и
достижения», TF-IDF over Russian Snowball stems (sublinear term frequency) fitted on the texts of
both banks, reduced by truncated SVD to a few dimensions and L2-normalised, so the similarity of
any pair is one short dot product. A blank text is a zero row; with fewer than three texts, or a
vocabulary too small to reduce, every row is a single zero.

Importing scikit-learn takes most of a second (it imports ``scipy.stats``, which builds
docstrings as it loads), as long as reading a municipality's banks. The batch command therefore
fits the model in its side process (``matcher.side_process``), which imports scikit-learn while
the banks are read. Anything else (the service, the tests) fits in its own process with
``fitted_here``; the vectors are the same either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import snowballstemmer

TextVectors = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]
"""The mentees' rows and the mentors' rows, in bank order."""
Pending = Callable[[], TextVectors]
"""The vectors, waited for if they are still being fitted."""
TextModel = Callable[[list[str], list[str], int, int], Pending]
"""(mentee texts, mentor texts, SVD components, seed) → the vectors, pending."""

_WORD = re.compile(r"[^\W\d_]{2,}")
_STEMMER = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def russian_stems(text: str) -> list[str]:
    """Lower-cased Snowball stems of the words of ``text`` (ё read as е)."""
    return [_stem(word) for word in _WORD.findall(text.casefold().replace("ё", "е"))]


_STEMMED_AHEAD: dict[str, tuple[str, ...]] = {}
"""Texts stemmed before the model is fitted (``stem_ahead``), taken by the next ``text_vectors``."""
_HANDED_AHEAD: list[list[str]] = []
"""The texts of the last ``stem_ahead``, as they were handed over (``text_vectors_after_ahead``)."""


def stem_ahead(texts: list[str]) -> None:
    """Stem ``texts`` now, for the next ``text_vectors`` of this process: the batch command's side
    process stems the mentors' texts while the command reads the mentees' bank (a region's
    100,000 texts took 2–3 s to stem, all of it waited for)."""
    _HANDED_AHEAD[:] = [texts]
    for text in texts:
        if text not in _STEMMED_AHEAD:
            _STEMMED_AHEAD[text] = tuple(russian_stems(text))


def text_vectors(mentee_texts: list[str], mentor_texts: list[str], components: int, seed: int) -> TextVectors:
    """Both banks' texts as vectors of one model fitted on all of them (see the module)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    texts = [*mentee_texts, *mentor_texts]
    stems = dict(_STEMMED_AHEAD)  # a text's stems are the same whenever they are taken
    _STEMMED_AHEAD.clear()

    def analyse(text: str) -> tuple[str, ...]:
        """Each distinct text is stemmed once (a bank repeats many)."""
        found = stems.get(text)
        if found is None:
            found = stems[text] = tuple(russian_stems(text))
        return found

    def blank() -> TextVectors:
        return (
            np.zeros((len(mentee_texts), 1), dtype=np.float32),
            np.zeros((len(mentor_texts), 1), dtype=np.float32),
        )

    if sum(1 for text in texts if text.strip()) < 3:
        return blank()
    # TfidfVectorizer is these two; apart, the texts are counted once instead of at fit and again
    # at each side's transform (region: 5.2 → 3.8 s), and the vectors are the same to the bit:
    # the SVD is fitted on what TfidfVectorizer.fit_transform gives, and each side is the
    # weighting of its counts in column order, as TfidfVectorizer.transform gives it
    counts = CountVectorizer(analyzer=analyse, dtype=np.float64).fit_transform(texts)
    weighting = TfidfTransformer(sublinear_tf=True).fit(counts)
    matrix = weighting.transform(counts)
    n_components = min(components, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if n_components < 2:
        return blank()
    # one BLAS thread: the products are skinny, and a second thread made the SVD eight times
    # costlier in CPU on a shared two-core machine (issue 9, item 5)
    with (
        np.errstate(divide="ignore", invalid="ignore"),  # texts all alike: no variance
        threadpool_limits(limits=1, user_api="blas"),
    ):
        svd = TruncatedSVD(n_components, random_state=seed, n_iter=4).fit(matrix)

    counts.sort_indices()
    rows = weighting.transform(counts)

    def side(part: Any, side_texts: list[str]) -> npt.NDArray[np.float32]:
        reduced = svd.transform(part)
        empty = np.fromiter((not t.strip() for t in side_texts), dtype=bool, count=len(side_texts))
        reduced[empty] = 0.0
        return np.asarray(normalize(reduced), dtype=np.float32)

    return side(rows[: len(mentee_texts)], mentee_texts), side(rows[len(mentee_texts) :], mentor_texts)


def text_vectors_after_ahead(mentee_texts: list[str], components: int, seed: int) -> TextVectors:
    """``text_vectors`` with the texts of the last ``stem_ahead`` as the mentors': a process that
    has them is not sent them again (a region's 100,000 texts, 12 MB to pickle and send)."""
    return text_vectors(mentee_texts, _HANDED_AHEAD.pop(), components, seed)


def fitted_here(mentee_texts: list[str], mentor_texts: list[str], components: int, seed: int) -> Pending:
    """The vectors fitted in this process, now."""
    vectors = text_vectors(mentee_texts, mentor_texts, components, seed)
    return lambda: vectors
