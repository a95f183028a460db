"""The directory downloads: services JSON and CSV (the HSDS forms are in test_hsds.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest

from conftest import REAL_DATA_TODAY, DataCopy
from sitedata.data.hours import TIMETABLE_DAYS, compile_timetable, week_rows
from sitedata.data.load import load_site
from sitedata.views.exports import CSV_COLUMNS, SERVICES_CSV, SERVICES_JSON, export_files

BUILT_ON = date(2026, 11, 22)


def _exports(data: DataCopy, *, generated: date = BUILT_ON) -> dict[str, str]:
    return export_files(load_site(data_dir=data.path, today=max(generated, REAL_DATA_TODAY)), generated=generated)


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *[x for v in value.values() for x in _walk(v)]]
    if isinstance(value, list):
        return [x for v in value for x in _walk(v)]
    return [value]


# services.json


def test_services_json_has_every_service_with_dialable_numbers_and_weeks(real_data: DataCopy) -> None:
    document = json.loads(_exports(real_data)[SERVICES_JSON])
    site = load_site(data_dir=real_data.path, today=REAL_DATA_TODAY)
    assert (document["version"], document["generated"], document["count"]) == (1, "2026-11-22", len(site.entries("services")))
    assert [s["id"] for s in document["services"]] == [s["id"] for s in site.entries("services")]
    galop = next(s for s in document["services"] if s["id"] == "galop-lgbt-helpline")
    phone = galop["channels"][0]
    assert (phone["number"], phone["number_display"], phone["tel"]) == ("0800 999 5428", "0800 999 5428", "tel:+448009995428")
    assert phone["weekly_hours"] == [
        {"days": "Monday to Friday", "hours": "10:00–12:30, 13:30–16:00"},
        {"days": "Saturday and Sunday", "hours": "Closed"},
        {"days": "Bank holidays", "hours": "Hours not confirmed"},
    ]
    assert galop["audiences"] == [{"id": "lgbt", "name": "LGBT+ people"}]
    assert galop["sources"][0]["section"] == "para 20"
    assert None not in _walk(document) and "" not in _walk(document)


def test_every_timed_channel_has_the_week_the_card_shows(real_data: DataCopy) -> None:
    for service in json.loads(_exports(real_data)[SERVICES_JSON])["services"]:
        for channel in service["channels"]:
            if "hours" in channel:
                rows = week_rows(compile_timetable(channel["hours"], start=BUILT_ON, days=TIMETABLE_DAYS), hours=channel["hours"])
                assert [(r["days"], r["hours"]) for r in channel["weekly_hours"]] == rows
            else:
                assert "weekly_hours" not in channel


# services.csv


def test_csv_has_one_row_per_channel(real_data: DataCopy) -> None:
    text = _exports(real_data)[SERVICES_CSV]
    rows = _csv_rows(text)
    site = load_site(data_dir=real_data.path, today=REAL_DATA_TODAY)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == sum(len(s["channels"]) for s in site.entries("services"))
    assert "\r\n" in text
    galop = next(r for r in rows if r["service_id"] == "galop-lgbt-helpline" and r["channel"] == "Phone")
    assert galop["phone"] == "0800 999 5428"
    assert galop["tel"] == "tel:+448009995428"
    assert (
        galop["weekly_hours"]
        == "Monday to Friday: 10:00–12:30, 13:30–16:00; Saturday and Sunday: Closed; Bank holidays: Hours not confirmed"
    )
    assert galop["last_reviewed"] == "2026-11-22"
    assert next(r for r in rows if r["service_id"] == "police-emergency-999")["tel"] == "tel:999"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_never_start_a_formula(data: DataCopy, start: str) -> None:
    data.replace("helplines.yaml", "name: Example helpline", f"name: \"{start}HYPERLINK('https://example.org.uk','x')\"")
    (row, *_) = _csv_rows(_exports(data, generated=date(2026, 2, 1))[SERVICES_CSV])
    assert row["service_name"] == f"'{start}HYPERLINK('https://example.org.uk','x')"


# In the built site.


