"""The directory downloads: services JSON and CSV, the HSDS 3.0-shaped JSON, and docs/exports.md's mapping."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from conftest import REAL_DATA_TODAY, ROOT, DataCopy
from sitedata.directory import TIMETABLE_DAYS, week_rows
from sitedata.exports import CSV_COLUMNS, HSDS_JSON, SERVICES_CSV, SERVICES_JSON, export_files
from sitedata.hours import compile_timetable
from sitedata.load import load_site
from test_build import mkdocs_build

BUILT_ON = date(2026, 11, 22)
DOC = ROOT / "docs" / "exports.md"
# HSDS 3.0 required fields of each table we publish (from the specification's JSON schemas).
HSDS_REQUIRED = {
    "organization": {"id", "name", "description"},
    "service": {"id", "name", "status", "organization_id"},
    "phone": {"id", "number"},
    "schedule": {"id"},
    "service_area": {"id"},
    "language": {"id"},
}


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


# hsds.json


def test_hsds_tables_are_linked_by_uuids(real_data: DataCopy) -> None:
    document = json.loads(_exports(real_data)[HSDS_JSON])
    tables = {name: rows for name, rows in document.items() if not name.startswith("x-")}
    assert set(tables) == {"organization", "service", "phone", "schedule", "service_area"}  # no service lists languages yet
    ids = [row["id"] for rows in tables.values() for row in rows]
    assert len(ids) == len(set(ids))
    assert all(str(uuid.UUID(i)) == i for i in ids)
    organizations = {o["id"] for o in tables["organization"]}
    services = {s["id"] for s in tables["service"]}
    assert {s["organization_id"] for s in tables["service"]} == organizations
    for name in ("phone", "schedule", "service_area"):
        assert {row["service_id"] for row in tables[name]} <= services, name
    for name, rows in tables.items():
        for row in rows:
            assert HSDS_REQUIRED[name] <= set(row), (name, row)


def test_hsds_service_phone_and_schedules(real_data: DataCopy) -> None:
    document = json.loads(_exports(real_data)[HSDS_JSON])
    galop = next(s for s in document["service"] if s["x-local_id"] == "galop-lgbt-helpline")
    assert (galop["name"], galop["status"], galop["email"], galop["x-last_reviewed"]) == (
        "Galop LGBT+ domestic abuse helpline",
        "active",
        "help@galop.org.uk",
        "2026-11-22",
    )
    # Nobody has confirmed Galop's details with Galop: no assurance, never last_reviewed passed off as one.
    assert not {"assured_date", "assurer_email", "x-assurer", "x-assurance_method"} & set(galop)
    (phone,) = [p for p in document["phone"] if p["service_id"] == galop["id"]]
    assert (phone["number"], phone["type"], phone["x-tel"]) == ("0800 999 5428", "voice", "tel:+448009995428")
    schedules = [s for s in document["schedule"] if s["service_id"] == galop["id"]]
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in schedules] == [
        ("WEEKLY", "MO,TU,WE,TH,FR", "10:00", "12:30"),
        ("WEEKLY", "MO,TU,WE,TH,FR", "13:30", "16:00"),
    ]
    for schedule in schedules:
        assert schedule["x-opening_hours"] == "Mo-Fr 10:00-12:30,13:30-16:00; PH unknown"
        assert (schedule["valid_from"], schedule["valid_to"]) == ("2026-11-22", (BUILT_ON + timedelta(days=TIMETABLE_DAYS - 1)).isoformat())
        assert schedule["notes"] == "Bank holidays (England and Wales): Hours not confirmed"
        assert schedule["description"].startswith("Phone: Monday to Friday: 10:00–12:30, 13:30–16:00;")
    police = next(s for s in document["service"] if s["x-local_id"] == "police-emergency-999")
    (always,) = [s for s in document["schedule"] if s["service_id"] == police["id"]]
    assert (always["byday"], always["opens_at"], always["closes_at"]) == ("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")
    mal = next(s for s in document["service"] if s["x-local_id"] == "mens-advice-line")
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in document["schedule"] if s["service_id"] == mal["id"]] == [
        ("MO,WE", "09:00", "20:00"),
        ("TU,TH,FR", "09:00", "17:00"),
    ]


def test_hsds_ids_stay_the_same_between_builds(real_data: DataCopy) -> None:
    first = json.loads(_exports(real_data)[HSDS_JSON])
    later = json.loads(_exports(real_data, generated=BUILT_ON + timedelta(days=30))[HSDS_JSON])
    for table in ("organization", "service", "phone", "schedule", "service_area"):
        assert [r["id"] for r in first[table]] == [r["id"] for r in later[table]], table


def test_every_hsds_field_is_documented(real_data: DataCopy) -> None:
    documented = _documented_hsds_fields()
    document = json.loads(_exports(real_data)[HSDS_JSON])
    emitted = {(table, field) for table, rows in document.items() if not table.startswith("x-") for row in rows for field in row}
    assert emitted <= documented, sorted(emitted - documented)
    # The mapping describes no field that is never produced; the real data has no languages or accessibility yet.
    # and no service has been verified with the service, so none has an assurance yet.
    no_data_yet = {("service", "x-accessibility")} | {(t, f) for t, f in documented if t == "language"}
    no_data_yet |= {("service", f) for f in ("assured_date", "assurer_email", "x-assurer", "x-assurance_method")}
    assert documented - emitted == no_data_yet


def _documented_hsds_fields() -> set[tuple[str, str]]:
    """(table, field) pairs in the first column of docs/exports.md's HSDS mapping tables."""
    text = DOC.read_text(encoding="utf-8").split("## hsds.json", 1)[1]
    out: set[tuple[str, str]] = set()
    table = ""
    for line in text.splitlines():
        heading = re.match(r"### (\w+)", line)
        if heading:
            table = heading.group(1)
        elif line.startswith("| `"):
            for name in re.findall(r"`([\w.-]+)`", line.split("|")[1]):
                out.add(tuple(name.split(".", 1)) if "." in name else (table, name))  # type: ignore[arg-type]
    return out


# In the built site.


@pytest.mark.build
def test_built_site_has_the_downloads_linked_from_the_directory(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    generated = date.fromisoformat(json.loads((site / SERVICES_JSON).read_text(encoding="utf-8"))["generated"])
    expected = export_files(load_site(today=generated), generated=generated)
    for path, content in expected.items():
        assert (site / path).read_bytes().decode("utf-8") == content, path
    page = (site / "directory" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*exports[^"]*)"', page)
    targets = {urljoin("/directory/", href) for href in links}
    assert {"/" + path for path in expected} <= targets
    assert "/exports/" in targets  # the page that documents the mapping
    assert (site / "exports" / "index.html").is_file()
