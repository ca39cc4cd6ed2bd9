"""The synthetic banks: shape, determinism, contract-valid cells, plausible shares, samples."""

from __future__ import annotations

import runpy
from pathlib import Path

import pandas as pd
import pytest

from matcher.synthetic import (
    MENTEE_COLUMNS,
    MENTOR_COLUMNS,
    RUSSIAN_HEADERS,
    generate_banks,
    institution_names,
    write_banks,
)
from matcher.taxonomy import load_taxonomy

SAMPLES = Path(__file__).parents[2] / "data" / "samples"


@pytest.fixture(scope="module")
def banks() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_banks(n_mentees=2000, n_mentors=5000, seed=11)


def _items(cells: pd.Series) -> pd.Series:
    """Every ``code[:level]`` item of a list column, one per row."""
    return cells[cells != ""].str.split(";").explode()


def test_same_seed_same_banks_other_seed_other_banks() -> None:
    first = generate_banks(n_mentees=300, n_mentors=700, seed=4)
    again = generate_banks(n_mentees=300, n_mentors=700, seed=4)
    other = generate_banks(n_mentees=300, n_mentors=700, seed=5)
    for frame, same in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(frame, same)
    assert not first[1].equals(other[1])


@pytest.mark.parametrize(("n_mentees", "n_mentors"), [(0, 0), (1, 0), (0, 3), (3, 2), (120, 80)])
def test_sizes_and_columns(n_mentees: int, n_mentors: int) -> None:
    mentors, mentees = generate_banks(n_mentees=n_mentees, n_mentors=n_mentors)
    assert mentors.shape == (n_mentors, len(MENTOR_COLUMNS))
    assert mentees.shape == (n_mentees, len(MENTEE_COLUMNS))
    assert tuple(mentors.columns) == MENTOR_COLUMNS
    assert tuple(mentees.columns) == MENTEE_COLUMNS


def test_ids_unique_within_each_bank(banks: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    mentors, mentees = banks
    assert mentors["id"].is_unique
    assert mentees["id"].is_unique
    assert mentors["id"].str.fullmatch(r"T\d{6}").all()


def test_reverse_mentors_share_ids_and_person_across_banks(banks: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    mentors, mentees = banks
    shared = sorted(set(mentors["id"]) & set(mentees["id"]))
    assert 0.02 * len(mentees) <= len(shared) <= 0.04 * len(mentees)
    as_mentors = mentors.set_index("id").loc[shared]
    as_mentees = mentees.set_index("id").loc[shared]
    for column in ("full_name", "institution", "position", "experience_years"):
        assert (as_mentors[column] == as_mentees[column]).all()
    assert as_mentors["competences"].str.startswith("ict:3").all()
    assert not as_mentees["difficulties"].str.contains("ict").any()
    assert (as_mentees["category"] == "молодой специалист").all()


def test_small_banks_still_have_a_reverse_mentor() -> None:
    mentors, mentees = generate_banks(n_mentees=12, n_mentors=15, n_institutions=1, kinds={"kindergarten"})
    assert set(mentors["id"]) & set(mentees["id"])


def test_every_code_is_in_the_taxonomy_with_a_level_from_1_to_3(
    banks: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    mentors, mentees = banks
    codes = set(load_taxonomy().codes)
    for column, fewest, most in ((mentors["competences"], 2, 6), (mentees["difficulties"], 1, 4)):
        assert (column.str.count(";") + 1).between(fewest, most).all()
        items = _items(column).str.split(":", expand=True)
        assert set(items[0]) <= codes
        assert set(items[1].dropna()) <= {"1", "2", "3"}


def test_shares_are_plausible(banks: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    mentors, mentees = banks
    for bank in (mentors, mentees):
        assert set(bank["consent"]) == {"да", "нет"}
        assert 0.92 <= (bank["consent"] == "да").mean() <= 0.98
        assert set(bank["formats"]) <= {"очно", "дистанционно", "смешанный", "очно;дистанционно", ""}
    assert 0.07 <= (mentees["preferred_mentors"] != "").mean() <= 0.13
    assert 0.01 <= (mentees["excluded_mentors"] != "").mean() <= 0.05
    assert 0.07 <= (mentees["max_mentors"] == 2).mean() <= 0.13
    assert 0.02 <= (mentors["capacity"] == 0).mean() <= 0.08
    assert 0.10 <= (mentors["max_group"] >= 3).mean() <= 0.20
    female = mentors["full_name"].str.endswith(("вна", "чна"))
    assert 0.75 <= female.mean() <= 0.92
    assert mentors["experience_years"].between(10, 35).mean() >= 0.75
    assert (mentees["experience_years"] <= 5).mean() >= 0.55


def test_preferred_and_excluded_mentors_exist_and_make_sense(
    banks: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    mentors, mentees = banks
    by_id = mentors.set_index("id")
    preferring = mentees[mentees["preferred_mentors"] != ""]
    named = preferring.assign(mentor=preferring["preferred_mentors"].str.split(";")).explode("mentor")
    assert named["mentor"].isin(by_id.index).all()
    assert (named["mentor"] != named["id"]).all()
    first_difficulty = named["difficulties"].str.split(";").str[0].str.split(":").str[0]
    competences = by_id.loc[named["mentor"], "competences"].str.split(";")
    covered = [
        code in {item.split(":")[0] for item in items}
        for code, items in zip(first_difficulty, competences, strict=True)
    ]
    assert all(covered)
    same_institution = by_id.loc[named["mentor"], "institution"].to_numpy() == named["institution"].to_numpy()
    assert same_institution.mean() >= 0.7
    excluding = mentees[mentees["excluded_mentors"] != ""]
    assert excluding["excluded_mentors"].isin(by_id.index).all()
    assert (excluding["excluded_mentors"] != excluding["id"]).all()
    pairs = zip(excluding["excluded_mentors"], excluding["preferred_mentors"], strict=True)
    assert not any(excluded in str(preferred).split(";") for excluded, preferred in pairs)


def test_kindergartens_have_preschool_levels_areas_and_codes() -> None:
    mentors, mentees = generate_banks(n_mentees=300, n_mentors=400, n_institutions=10, kinds={"kindergarten"})
    for bank in (mentors, mentees):
        assert (bank["levels"] == "ДО").all()
        assert bank["institution"].str.startswith("ДС-").all()
        assert not bank["subjects"].str.contains("математика|физика|русский язык").any()
    assert not _items(mentees["difficulties"]).str.startswith(("assessment", "gifted")).any()
    assert not _items(mentors["competences"]).str.startswith(("assessment", "gifted")).any()


def test_institution_codes_decode_to_full_names(banks: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    mentors, _ = banks
    names = institution_names(mentors["institution"].unique())
    assert len(set(names.values())) == len(names)
    assert institution_names(["СОШ-5", "ДС-12"]) == {
        "СОШ-5": "МБОУ «СОШ №5»",
        "ДС-12": "МБДОУ «Детский сад №12 «Рябинка»»",
    }
    with pytest.raises(ValueError, match="not an institution code"):
        institution_names(["Школа №1"])


def test_institution_sizes_are_skewed(banks: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    mentors, _ = banks
    staff = mentors["institution"].value_counts()
    assert staff.max() >= 4 * staff.median()


def test_bad_sizes_raise() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate_banks(n_mentees=-1, n_mentors=1)
    with pytest.raises(ValueError, match="n_institutions"):
        generate_banks(n_mentees=1, n_mentors=1, n_institutions=0)


def test_unknown_kind_raises() -> None:
    with pytest.raises(ValueError, match="kinds"):
        generate_banks(n_mentees=1, n_mentors=1, kinds={"university"})  # type: ignore[arg-type]


def test_csv_round_trip_with_russian_headers(tmp_path: Path) -> None:
    mentors, mentees = generate_banks(n_mentees=40, n_mentors=60, seed=2)
    mentors_path, mentees_path = write_banks(mentors, mentees, tmp_path, headers="ru")
    assert (mentors_path.name, mentees_path.name) == ("mentors.csv", "mentees.csv")
    back = pd.read_csv(mentees_path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(back.columns) == [RUSSIAN_HEADERS[column] for column in MENTEE_COLUMNS]
    expected = mentees.astype(str).rename(columns=RUSSIAN_HEADERS)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)


def test_xlsx_has_one_sheet_with_the_bank(tmp_path: Path) -> None:
    mentors, mentees = generate_banks(n_mentees=10, n_mentors=20, seed=3)
    mentors_path, _ = write_banks(mentors, mentees, tmp_path, fmt="xlsx")
    back = pd.read_excel(mentors_path, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(back) == ["Наставники"]
    assert list(back["Наставники"]["id"]) == list(mentors["id"])


def test_committed_samples_are_what_generate_py_writes(tmp_path: Path) -> None:
    script = runpy.run_path(str(SAMPLES / "generate.py"))
    for sample in script["SAMPLES"]:
        for path in script["write_sample"](sample, tmp_path / sample.name):
            committed = SAMPLES / sample.name / path.name
            assert path.read_bytes() == committed.read_bytes(), f"regenerate {committed}"
