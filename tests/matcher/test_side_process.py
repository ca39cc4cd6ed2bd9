"""The text model and the pruning LP give the same results in the batch command's side process
as in the caller's, and fall back to the caller when that process is gone."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from matcher import text_model
from matcher.certificate import PruningLP, certify
from matcher.errors import InputError
from matcher.options import Options
from matcher.pipeline import problem_of
from matcher.side_process import IN_THIS_PROCESS, SideProcess
from matcher.taxonomy import load_taxonomy
from matcher.text_model import fitted_here, russian_stems, stem_ahead, text_vectors
from matcher.validation import load_banks
from tests.matcher.test_pipeline import SAMPLES

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


def test_the_side_process_gives_the_same_vectors_as_this_one() -> None:
    here = fitted_here(MENTEES, MENTORS, 48, 7)()
    with SideProcess() as side:
        pending = side.text_model(MENTEES, MENTORS, 48, 7)
        there = pending()
    for mine, theirs in zip(here, there, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_texts_stemmed_ahead_give_the_same_vectors_and_are_taken_by_the_next_model() -> None:
    here = fitted_here(MENTEES, MENTORS, 48, 7)()
    with SideProcess() as side:
        side.stem_ahead([*MENTORS, "текст, которого в банках нет"])
        there = side.text_model(MENTEES, MENTORS, 48, 7)()
    for mine, theirs in zip(here, there, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    stem_ahead(MENTORS)
    again = text_vectors(MENTEES, MENTORS, 48, 7)
    assert not text_model._STEMMED_AHEAD  # taken: a service fitting many models keeps nothing
    for mine, theirs in zip(here, again, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_texts_stemmed_ahead_are_not_sent_again_and_give_the_same_vectors() -> None:
    here = fitted_here(MENTEES, MENTORS, 48, 7)()
    with SideProcess() as side:
        side.stem_ahead(list(MENTORS))
        pending = side.text_model(MENTEES, list(MENTORS), 48, 7)  # equal, not the same list
        assert side._handed_ahead is None  # taken as the side process's own
        there = pending()
        # a second model, after nothing was stemmed ahead, is sent its texts
        other = side.text_model(MENTEES, MENTORS[:3], 48, 7)()
    for mine, theirs in zip(here, there, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(text_vectors(MENTEES, MENTORS[:3], 48, 7), other, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_mentors_texts_are_handed_over_as_validated_before_the_mentees_bank_is_read(
    tmp_path: Path,
) -> None:
    handed: list[list[str]] = []
    with pytest.raises(InputError):
        load_banks(
            SAMPLES / "school" / "mentors.csv",
            tmp_path / "mentees.csv",  # no such file: read after the mentors' texts were handed over
            load_taxonomy(),
            mentor_texts_read=handed.append,
        )
    mentors, _ = load_banks(
        SAMPLES / "school" / "mentors.csv", SAMPLES / "school" / "mentees.csv", load_taxonomy()
    )
    assert handed == [[mentor.about for mentor in mentors.mentors]]


def _pruning_lp() -> PruningLP:
    """The sample school's problem, each mentee keeping its best 5 pairs."""
    taxonomy = load_taxonomy()
    mentors, mentees = load_banks(
        SAMPLES / "school" / "mentors.csv", SAMPLES / "school" / "mentees.csv", taxonomy
    )
    problem = problem_of(mentees, mentors, options=Options(candidates_per_mentee=5), taxonomy=taxonomy)
    assert (problem.pairs.cut_best >= 0).any(), "some mentees were pruned"
    return PruningLP.of(problem)


def test_the_side_process_proves_the_pruning_as_this_one_does() -> None:
    lp = _pruning_lp()
    here = IN_THIS_PROCESS.certificate(lp)()
    with SideProcess() as side:
        there = side.certificate(lp)()
    np.testing.assert_array_equal(here.unproved, there.unproved)
    np.testing.assert_array_equal(here.mentee_value, there.mentee_value)
    np.testing.assert_array_equal(here.mentor_price, there.mentor_price)
    assert here.big == there.big


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the process is killed by its pid")
def test_a_dead_process_leaves_the_work_to_the_caller() -> None:
    lp = _pruning_lp()
    with SideProcess() as side:
        pool = side._pool
        assert pool is not None
        pool.submit(os.getpid).result()  # started
        side.stem_ahead(MENTORS)  # what the dead process had is computed here in full
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGKILL)
        vectors = side.text_model(MENTEES, MENTORS, 48, 7)()
        again = side.text_model(MENTEES, MENTORS, 48, 7)()
        certificate = side.certificate(lp)()
    expected = text_vectors(MENTEES, MENTORS, 48, 7)
    for got in (vectors, again):
        for mine, theirs in zip(got, expected, strict=True):
            np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(certificate.mentee_value, certify(lp).mentee_value)
