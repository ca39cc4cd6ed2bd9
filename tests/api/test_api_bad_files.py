"""The bad-file corpus on the service: 422 (or 413) with the CLI's Russian message, nothing imported,
and the server's memory flat across repeated hostile uploads.

The service runs in this process (``tests.api.service``), so its resident memory is ours.
"""

from __future__ import annotations

import os

import pytest

from tests.api.conftest import sqlite_only
from tests.api.service import Service, upload
from tests.workbooks import HOSTILE, MENTOR_HEADER, MENTORS, csv_bytes, shared_strings

SCHOOL = "СОШ-5"
REPEATS = 5
GROWTH_LIMIT_MB = 60


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow(10)
@sqlite_only
def test_every_bad_file_is_a_422_naming_it_and_nothing_is_imported(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    for bad in HOSTILE:
        response = upload(curator, "mentors", bad.make(), filename=bad.name)
        assert response.status_code == 422, (bad.name, response.status_code, response.text[:300])
        problem = response.json()["detail"][0]
        assert (problem["file"], problem["row"]) == (bad.name, bad.row), bad.name
        assert bad.message in problem["message"], bad.name
    assert curator.get("/api/v1/mentors").json()["total"] == 0


def test_a_file_over_the_upload_limit_is_a_413(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    response = upload(curator, "mentors", b"x" * (21 * 2**20), filename="big.csv")
    assert response.status_code == 413
    assert "МБ" in response.json()["detail"]


@pytest.mark.slow(12)
@sqlite_only
def test_memory_stays_flat_across_repeated_hostile_uploads(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    data = shared_strings(3_000_000)
    upload(curator, "mentors", data, filename="strings.xlsx")  # warm up the upload path
    before = _resident_mb()
    for _ in range(REPEATS):
        assert upload(curator, "mentors", data, filename="strings.xlsx").status_code == 422
    assert _resident_mb() - before < GROWTH_LIMIT_MB


def test_the_import_response_names_the_columns_left_aside(service: Service) -> None:
    curator = service.user("curator", SCHOOL)
    header = ("№ п/п", *MENTOR_HEADER, "Примечание")
    rows = [(str(n), *person, "") for n, person in enumerate(MENTORS, 1)]
    response = upload(curator, "mentors", csv_bytes([header, *rows]))
    assert response.status_code == 200, response.text
    assert response.json()["left_aside"] == ["№ п/п", "Примечание"]
