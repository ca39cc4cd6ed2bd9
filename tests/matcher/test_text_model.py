"""The text model gives the same vectors in the batch command's own process as in the caller's,
and falls back to the caller when that process is gone."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from matcher.text_model import TextModelProcess, fitted_here, russian_stems, text_vectors

MENTEES = [
    "Не умею работать с родителями, конфликты на собраниях",
    "",
    "Нужна помощь с интерактивной доской и электронным журналом",
    "Дисциплина на уроках в пятом классе",
]
MENTORS = [
    "Провожу родительские собрания без конфликтов, веду школу для родителей",
    "Учитель информатики: электронный журнал, интерактивные доски, цифровые инструменты",
    "   ",
    "Классный руководитель, работа с дисциплиной и мотивацией подростков",
    "Методист по ФГОС, рабочие программы и технологические карты уроков",
]


def test_stems_are_lower_case_russian_stems_with_yo_read_as_ye() -> None:
    assert russian_stems("Ёлки, РОДИТЕЛЯМИ и родителей!") == ["елк", "родител", "родител"]


def test_vectors_are_normalised_and_blank_texts_are_zero() -> None:
    mentees, mentors = text_vectors(MENTEES, MENTORS, 48, 0)
    assert mentees.shape[0] == len(MENTEES) and mentors.shape[0] == len(MENTORS)
    assert mentees.dtype == mentors.dtype == np.float32
    assert not mentees[1].any() and not mentors[2].any()
    norms = np.linalg.norm(np.vstack([mentees[[0, 2, 3]], mentors[[0, 1, 3, 4]]]), axis=1)
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)
    similarity = mentees @ mentors.T
    assert similarity[0].argmax() == 0  # the parents' meetings
    assert similarity[2].argmax() == 1  # the digital tools


def test_too_few_texts_give_one_zero_column() -> None:
    mentees, mentors = text_vectors(["родители"], ["", "дисциплина"], 48, 0)
    assert mentees.shape == (1, 1) and mentors.shape == (2, 1)
    assert not mentees.any() and not mentors.any()


def test_the_commands_process_gives_the_same_vectors_as_this_one() -> None:
    here = fitted_here(MENTEES, MENTORS, 48, 7)()
    with TextModelProcess() as model:
        pending = model(MENTEES, MENTORS, 48, 7)
        there = pending()
    for mine, theirs in zip(here, there, strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the process is killed by its pid")
def test_a_dead_process_leaves_the_fitting_to_the_caller() -> None:
    with TextModelProcess() as model:
        pool = model._pool
        assert pool is not None
        pool.submit(os.getpid).result()  # started
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGKILL)
        vectors = model(MENTEES, MENTORS, 48, 7)()
        again = model(MENTEES, MENTORS, 48, 7)()
    expected = text_vectors(MENTEES, MENTORS, 48, 7)
    for got in (vectors, again):
        for mine, theirs in zip(got, expected, strict=True):
            np.testing.assert_array_equal(mine, theirs)
