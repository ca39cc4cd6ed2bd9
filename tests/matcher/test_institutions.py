"""The institutions' registry: read like the banks, a stand-in for an unregistered code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from matcher.errors import InputError
from matcher.institutions import InstitutionKind, InstitutionRegistry, read_institutions, stand_in
from matcher.synthetic import generate_banks, institution_registry

SAMPLES = Path(__file__).parents[2] / "data" / "samples"
HEADER = (
    "Код,Полное наименование,Краткое наименование,Тип,Муниципалитет,ФИО руководителя,"
    "Должность руководителя,Адрес"
)


@pytest.mark.parametrize("sample", ["kindergarten", "school", "municipality"])
def test_samples_register_every_code_their_banks_use(sample: str) -> None:
    registry = read_institutions(SAMPLES / sample / "institutions.csv")
    codes = set()
    for bank in ("mentors.csv", "mentees.csv"):
        frame = pd.read_csv(SAMPLES / sample / bank, dtype=str)
        codes |= set(frame.iloc[:, 2])  # the institution column, whatever its header's language
    assert {item.code for item in registry} == codes
    for item in registry:
        assert item.head_name.count(" ") == 2 and item.address.startswith("655")


def test_kindergarten_sample_reads_as_a_kindergarten() -> None:
    registry = read_institutions(SAMPLES / "kindergarten" / "institutions.csv")
    garden = registry.get("ДС-124")
    assert garden.kind is InstitutionKind.KINDERGARTEN
    assert garden.full_name.startswith("Муниципальное бюджетное дошкольное образовательное учреждение")
    assert garden.short_name == "МБДОУ «Детский сад №124 «Звёздочка»»"
    assert garden.head_title == "заведующий"


def test_xlsx_registry_with_russian_kinds(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["СОШ-1", "МБОУ «Средняя школа №1»", "", "Школа", "", "Иванова Ирина Петровна", "", ""])
    sheet.append(["К-3", "ГБПОУ «Колледж №3»", "Колледж №3", "колледж", "", "", "", ""])
    path = tmp_path / "реестр.xlsx"
    book.save(path)

    registry = read_institutions(path)

    school, college = registry.get("СОШ-1"), registry.get("К-3")
    assert school.kind is InstitutionKind.SCHOOL and school.name == "МБОУ «Средняя школа №1»"
    assert school.head_title == "директор"
    assert college.kind is InstitutionKind.COLLEGE and college.name == "Колледж №3"


def test_problems_are_named_with_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "institutions.csv"
    path.write_text(
        f"{HEADER}\nСОШ-1,Школа №1,,гимназия-интернат,,,,\nСОШ-1,Школа №1 (дубль),,школа,,,,\nСОШ-2,,,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_institutions(path)
    rendered = [p.render_ru() for p in caught.value.problems]
    assert rendered == [
        "файл institutions.csv, строка 2, столбец «Тип», значение «гимназия-интернат»: неизвестный тип "
        "организации; допустимы: «школа», «детский сад», «колледж», "
        "«организация дополнительного образования»",
        "файл institutions.csv, строка 3, столбец «Код», значение «СОШ-1»: код организации повторяется "
        "(уже в строке 2)",
        "файл institutions.csv, строка 4, столбец «Полное наименование»: обязательное поле не заполнено",
    ]


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "institutions.csv"
    path.write_text("Код,Тип\nСОШ-1,школа\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_institutions(path)
    assert any("Полное наименование" in p.message_ru for p in caught.value.problems)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ДС-12", InstitutionKind.KINDERGARTEN),
        ("ДСК-4", InstitutionKind.KINDERGARTEN),
        ("МБДОУ №7", InstitutionKind.KINDERGARTEN),
        ("Детский сад №3", InstitutionKind.KINDERGARTEN),
        ("СОШ-5", InstitutionKind.SCHOOL),
        ("ГИМ-2", InstitutionKind.SCHOOL),
        ("Колледж связи", InstitutionKind.COLLEGE),
        ("ДО-3", InstitutionKind.ADDITIONAL),
        ("42", InstitutionKind.SCHOOL),
    ],
)
def test_unregistered_code_gets_a_stand_in(code: str, kind: InstitutionKind) -> None:
    got = InstitutionRegistry().get(code)
    assert got == stand_in(code)
    assert (got.code, got.full_name, got.kind, got.head_name) == (code, code, kind, "")


def test_generator_is_stable_per_code() -> None:
    mentors, mentees = generate_banks(n_mentees=20, n_mentors=30, n_institutions=4, seed=3)
    codes = list(mentors["institution"]) + list(mentees["institution"])
    whole = institution_registry(codes)
    one = institution_registry(codes[:1])
    assert whole.set_index("Код").loc[codes[0]].to_dict() == one.set_index("Код").iloc[0].to_dict()
