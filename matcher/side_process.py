"""The batch command's side process: the work that can go on beside the command's main line.

Importing scikit-learn takes most of a second (it imports ``scipy.stats``, which builds
docstrings as it loads), as long as reading a municipality's banks, and ``scipy.optimize`` (the
pruning LP's solver) comes with it. ``mentor-match run`` starts one ``SideProcess`` first thing,
forked where the platform forks (spawned elsewhere), which imports that stack while the command
imports the rest and reads the banks. Then it

- stems the mentors' texts (``stem_ahead``) while the command reads the mentees' bank;
- fits the text model (``text_model``) while the command builds the other profiles and the hard
  rules;
- solves the LP that proves the top-k pruning lossless (``certificate``) while the command
  solves the assignment and explains it.

If the process cannot be started, or dies, the work is done in the command itself; if the command
is killed, the process ends too (``matcher.child_processes``).
``IN_THIS_PROCESS`` does everything in the caller (the service, the tests); the results are the
same either way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache, partial
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TypeVar

from matcher.child_processes import end_with_parent
from matcher.text_model import Pending, fitted_here, stem_ahead, text_vectors, text_vectors_after_ahead

if TYPE_CHECKING:  # the certificate's module imports the solvers': only once there is a problem
    from matcher.certificate import PruningCertificate, PruningLP

T = TypeVar("T")
PendingCertificate = Callable[[], "PruningCertificate"]


class Side(Protocol):
    """Where the text model is fitted and the pruning LP solved; each gives its result pending."""

    @property
    def beside(self) -> bool:
        """Whether the work goes on beside the caller (in another process) while it waits."""
        ...

    def stem_ahead(self, texts: list[str]) -> None: ...

    def text_model(
        self, mentee_texts: list[str], mentor_texts: list[str], components: int, seed: int
    ) -> Pending: ...

    def certificate(self, lp: PruningLP) -> PendingCertificate: ...


class InThisProcess:
    """Everything in the caller's process, at once."""

    beside = False

    @staticmethod
    def stem_ahead(texts: list[str]) -> None:
        """Nothing: in this process stemming ahead would only move the work, not overlap it; the
        texts are stemmed when the model is fitted."""

    @staticmethod
    def text_model(mentee_texts: list[str], mentor_texts: list[str], components: int, seed: int) -> Pending:
        return fitted_here(mentee_texts, mentor_texts, components, seed)

    @staticmethod
    def certificate(lp: PruningLP) -> PendingCertificate:
        from matcher.certificate import certify

        certificate = certify(lp)
        return lambda: certificate


IN_THIS_PROCESS = InThisProcess()


def _import_stack() -> None:
    import scipy.optimize  # noqa: F401
    import sklearn.decomposition
    import sklearn.feature_extraction.text
    import sklearn.preprocessing  # noqa: F401


class SideProcess:
    """The side process (see the module); start it before any thread, use it as a context."""

    def __init__(self) -> None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self._pool: ProcessPoolExecutor | None = None
        self._handed_ahead: list[str] | None = None
        try:
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context(method),
                initializer=end_with_parent,
                initargs=(os.getpid(),),
            )
            self._pool.submit(_import_stack)
        except (OSError, BrokenProcessPool):
            self.close()

    @property
    def beside(self) -> bool:
        return self._pool is not None

    def stem_ahead(self, texts: list[str]) -> None:
        """Stemmed in the side process for its next text model; if it cannot take them, the model
        stems them when it is fitted."""
        if self._pool is not None:
            try:
                self._pool.submit(stem_ahead, texts)
            except (OSError, BrokenProcessPool, RuntimeError):
                self.close()
            else:
                self._handed_ahead = texts

    def text_model(
        self, mentee_texts: list[str], mentor_texts: list[str], components: int, seed: int
    ) -> Pending:
        here = partial(text_vectors, mentee_texts, mentor_texts, components, seed)
        if mentor_texts == self._handed_ahead:  # the side process has them: not sent again
            self._handed_ahead = None
            return self._pending(partial(text_vectors_after_ahead, mentee_texts, components, seed), here)
        return self._pending(here, here)

    def certificate(self, lp: PruningLP) -> PendingCertificate:
        from matcher.certificate import certify

        work = partial(certify, lp)
        return self._pending(work, work)

    def _pending(self, there: Callable[[], T], here: Callable[[], T]) -> Callable[[], T]:
        """``there()`` in the side process, else ``here()`` (the same result) in this one; the
        result, waited for once."""
        if self._pool is not None:
            try:
                submitted = self._pool.submit(there)
            except (OSError, BrokenProcessPool, RuntimeError):
                self.close()
            else:

                @cache  # a result asked for twice (once per bank) is computed once, here too
                def collect() -> T:
                    try:
                        return submitted.result()
                    except BrokenProcessPool:
                        self.close()
                        return here()

                return collect
        result = here()
        return lambda: result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> SideProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
