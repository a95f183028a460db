"""Work shared with a second process: the same results as in place, and errors that reach the caller."""

from __future__ import annotations

from datetime import date

import pytest

from sitedata.background import Job
from sitedata.data import hours

START = date(2026, 12, 1)
EXPRESSIONS = ["24/7", "Mo-Fr 09:00-17:00; PH off", "Mo-Fr 10:00-12:30,13:30-16:00; Sa 10:00-13:00; PH off", "Mo-Su 08:00-20:00; PH unknown", "Fr 20:00-02:00"]


def test_a_job_returns_what_the_function_returns() -> None:
    assert Job(hours.timetable_json, "24/7", start=START, days=7).result() == hours.timetable_json("24/7", start=START, days=7)


def test_a_jobs_error_is_raised_by_result() -> None:
    job = Job(hours.timetable_json, "Mon-Fri 09:00-17:00", start=START, days=7)
    with pytest.raises(ValueError, match="is not valid OSM opening_hours syntax"):
        job.result()


def test_compiling_in_two_processes_gives_what_compiling_in_one_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hours, "_COMPILED", {})
    hours.timetable_json.cache_clear()
    monkeypatch.setattr(hours, "PARALLEL_FROM", len(EXPRESSIONS))
    assert hours.compile_all(EXPRESSIONS, start=START) == len(EXPRESSIONS)
    shared = dict(hours._COMPILED)
    assert hours.compile_all(EXPRESSIONS, start=START) == 0  # nothing left to do
    monkeypatch.setattr(hours, "_COMPILED", {})
    hours.timetable_json.cache_clear()
    monkeypatch.setattr(hours, "PARALLEL_FROM", 10**9)
    hours.compile_all(EXPRESSIONS, start=START)
    assert shared == hours._COMPILED
    assert {k[0] for k in shared} == set(EXPRESSIONS)
