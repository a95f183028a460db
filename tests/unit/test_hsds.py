"""The HSDS 3.0 exports, validated against the official schemas in tests/fixtures/hsds/ (openreferral/specification v3.0).

The importer's tests are in test_import_hsds.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from frictionless import Package
from jsonschema import Draft202012Validator

from conftest import REAL_DATA_TODAY, ROOT, DataCopy
from sitedata.data.hours import TIMETABLE_DAYS
from sitedata.data.load import SiteData, load_site
from sitedata.views import hsds

BUILT_ON = date(2026, 11, 22)
HSDS = ROOT / "tests" / "fixtures" / "hsds"
DOC = ROOT / "docs" / "exports.md"


@cache
def validator(name: str) -> Draft202012Validator:
    """One of the official compiled schemas, checking formats too (uuid, email, date-time)."""
    schema = json.loads((HSDS / "schema" / f"{name}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(document)]


def _site(data: DataCopy) -> SiteData:
    # Checked as of the day the real data was last reviewed; the exports below are made as of BUILT_ON.
    return load_site(data_dir=data.path, today=REAL_DATA_TODAY)


def _files(site: SiteData, *, generated: date = BUILT_ON) -> dict[str, str]:
    return hsds.export_files(site, generated=generated)


def _records(site: SiteData) -> list[dict[str, Any]]:
    return json.loads(_files(site)[hsds.SERVICES_JSON])


def _by_local_id(records: list[dict[str, Any]], local_id: str) -> dict[str, Any]:
    return next(r for r in records if r["x-local_id"] == local_id)


def _write(files: dict[str, str], root: Path) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root / hsds.DATAPACKAGE


# The official schemas: the test fixtures themselves


def test_the_schemas_reject_what_the_issue_found_wrong() -> None:
    """The fixtures are the real schemas: a service without its status, and tables written as JSON, fail them."""
    record = json.loads((HSDS / "examples" / "service_full.json").read_text(encoding="utf-8"))
    assert schema_errors("service", {k: v for k, v in record.items() if k != "status"}) == [": 'status' is a required property"]
    assert schema_errors("service_package", {"service": [], "phone": []})  # the old exports/hsds.json shape
    assert schema_errors("service", {**record, "id": "not-a-uuid"})


# JSON: a list of full service records


def test_services_json_is_a_valid_service_package_of_valid_service_records(real_data: DataCopy) -> None:
    records = _records(_site(real_data))
    assert schema_errors("service_package", records) == []
    for record in records:
        assert schema_errors("service", record) == [], record["x-local_id"]
    assert [r["x-local_id"] for r in records] == [s["id"] for s in _site(real_data).entries("services")]


def test_records_nest_organization_phones_schedules_and_service_areas(real_data: DataCopy) -> None:
    galop = _by_local_id(_records(_site(real_data)), "galop-lgbt-helpline")
    assert galop["organization"] == {
        "id": galop["organization_id"],
        "name": "Galop",
        "description": "Runs: Galop LGBT+ domestic abuse helpline.",
    }
    assert [(p["number"], p["type"], p["x-tel"]) for p in galop["phones"]] == [("0800 999 5428", "voice", "tel:+448009995428")]
    assert [a["name"] for a in galop["service_areas"]] == ["England"]
    assert {row["service_id"] for key in ("phones", "schedules", "service_areas") for row in galop[key]} == {galop["id"]}
    assert (galop["email"], galop["status"]) == ("help@galop.org.uk", "active")


def test_phone_description_is_one_sentence_per_part() -> None:
    assert hsds.sentences("Emergency", "If you cannot speak, stay on the line and press 55 when asked.") == (
        "Emergency. If you cannot speak, stay on the line and press 55 when asked."
    )
    assert hsds.sentences("Open 24/7", None, "", "Free from landlines?") == "Open 24/7. Free from landlines?"


def test_the_999_phone_keeps_label_and_note_apart(real_data: DataCopy) -> None:
    voice, text = _by_local_id(_records(_site(real_data)), "police-emergency-999")["phones"]
    note = "Cannot speak? Cough or tap. On a mobile, press 55 when a recording asks. It tells police the call is real, not where you are. A landline has no 55."
    assert (voice["type"], voice["description"]) == ("voice", f"Emergency. {note}")
    assert (voice["x-label"], voice["x-note"]) == ("Emergency", note)
    assert (text["type"], text["x-label"]) == ("text", "emergencySMS, for deaf people and people who cannot speak")
    assert text["description"] == "emergencySMS, for deaf people and people who cannot speak. Register first, by texting 'register' to 999."


def test_schedules_say_the_bank_holiday_exception_once_and_carry_the_osm_rule(real_data: DataCopy) -> None:
    galop = _by_local_id(_records(_site(real_data)), "galop-lgbt-helpline")
    for row in galop["schedules"]:
        assert row["description"] == "Phone: Monday to Friday: 10:00–12:30, 13:30–16:00; Saturday and Sunday: Closed (UK time)"
        assert row["notes"] == "Bank holidays (England and Wales): Hours not confirmed"
        assert (row["x-opening_hours"], row["x-channel"], row["x-channel_index"], row["x-timezone"]) == (
            "Mo-Fr 10:00-12:30,13:30-16:00; PH unknown",
            "phone",
            0,
            "Europe/London",
        )
        assert json.dumps(row).count("Bank holiday") == 1


def test_schedules_carry_the_uk_offset_in_force_and_split_at_clock_changes(real_data: DataCopy) -> None:
    galop = _by_local_id(_records(_site(real_data)), "galop-lgbt-helpline")
    rows = [(r["valid_from"], r["valid_to"], r["timezone"], r["byday"], r["opens_at"], r["closes_at"]) for r in galop["schedules"]]
    last = (BUILT_ON + timedelta(days=TIMETABLE_DAYS - 1)).isoformat()
    assert rows == [
        ("2026-11-22", "2027-03-27", 0, "MO,TU,WE,TH,FR", "10:00:00+00:00", "12:30:00+00:00"),
        ("2026-11-22", "2027-03-27", 0, "MO,TU,WE,TH,FR", "13:30:00+00:00", "16:00:00+00:00"),
        ("2027-03-28", "2027-10-30", 1, "MO,TU,WE,TH,FR", "10:00:00+01:00", "12:30:00+01:00"),
        ("2027-03-28", "2027-10-30", 1, "MO,TU,WE,TH,FR", "13:30:00+01:00", "16:00:00+01:00"),
        ("2027-10-31", last, 0, "MO,TU,WE,TH,FR", "10:00:00+00:00", "12:30:00+00:00"),
        ("2027-10-31", last, 0, "MO,TU,WE,TH,FR", "13:30:00+00:00", "16:00:00+00:00"),
    ]


def test_offset_periods_cover_every_day_once() -> None:
    periods = list(hsds.uk_offset_periods(date(2026, 1, 1), date(2027, 12, 31)))
    assert [(p[0].isoformat(), p[1].isoformat(), p[2]) for p in periods] == [
        ("2026-01-01", "2026-03-28", 0),
        ("2026-03-29", "2026-10-24", 1),
        ("2026-10-25", "2027-03-27", 0),
        ("2027-03-28", "2027-10-30", 1),
        ("2027-10-31", "2027-12-31", 0),
    ]


def test_split_days_and_24_7(real_data: DataCopy) -> None:
    records = _records(_site(real_data))
    mal = _by_local_id(records, "mens-advice-line")
    winter = [(r["byday"], r["opens_at"], r["closes_at"]) for r in mal["schedules"] if r["timezone"] == 0][:2]
    assert winter == [("MO,WE", "09:00:00+00:00", "20:00:00+00:00"), ("TU,TH,FR", "09:00:00+00:00", "17:00:00+00:00")]
    police = _by_local_id(records, "police-emergency-999")
    assert {(r["byday"], r["opens_at"][:5], r["closes_at"][:5]) for r in police["schedules"]} == {("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")}


def test_never_verified_means_no_assurance(real_data: DataCopy) -> None:
    for record in _records(_site(real_data)):
        assert not {"assured_date", "assurer_email", "x-assurer", "x-assurance_method"} & set(record), record["x-local_id"]
        # Reviewed against a document, which is not assurance.
        assert record["x-last_reviewed"] in ("2026-11-22", "2026-12-02")


def test_assurance_comes_from_the_verified_data(real_data: DataCopy) -> None:
    """No service is verified yet, so the verified mappings here are synthetic."""
    site = _site(real_data)
    services = site.by_key("services")
    services["galop-lgbt-helpline"]["verified"] = {"date": "2026-11-30", "method": "phoned the service", "by": "editor@example.org.uk"}
    services["mens-advice-line"]["verified"] = {
        "date": "2026-12-01",
        "method": "the service's own current web page",
        "by": "A. Editor",
        "url": "https://mensadviceline.org.uk/contact-us/",
    }
    records = _records(site)
    assert schema_errors("service_package", records) == []
    galop, mal = _by_local_id(records, "galop-lgbt-helpline"), _by_local_id(records, "mens-advice-line")
    assert (galop["assured_date"], galop["assurer_email"], galop["x-assurance_method"]) == ("2026-11-30", "editor@example.org.uk", "phoned the service")
    assert "x-assurer" not in galop
    assert (mal["assured_date"], mal["x-assurer"], mal["x-assurance_url"]) == ("2026-12-01", "A. Editor", "https://mensadviceline.org.uk/contact-us/")
    assert "assurer_email" not in mal


def test_ids_are_uuids_and_stay_the_same_between_builds(real_data: DataCopy) -> None:
    site = _site(real_data)
    first = _records(site)
    later = json.loads(_files(site, generated=BUILT_ON + timedelta(days=30))[hsds.SERVICES_JSON])

    def ids(records: list[dict[str, Any]]) -> list[str]:
        return [r["id"] for r in records] + [row["id"] for r in records for key in ("phones", "service_areas") for row in r.get(key, [])]

    assert ids(first) == ids(later)
    assert all(str(uuid.UUID(i)) == i for i in ids(first))


# Tabular: CSV files and datapackage.json


def test_the_tabular_package_passes_frictionless(real_data: DataCopy, tmp_path: Path) -> None:
    files = _files(_site(real_data))
    report = Package(str(_write(files, tmp_path))).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    records = json.loads(files[hsds.SERVICES_JSON])
    expected = {"organization": len({r["organization_id"] for r in records}), "service": len(records)}
    expected |= {table: sum(len(r.get(key, [])) for r in records) for key, table in (("phones", "phone"), ("schedules", "schedule"), ("service_areas", "service_area"), ("languages", "language"))}
    assert {task.name: task.stats.get("rows", 0) for task in report.tasks} == expected
    assert expected["schedule"] > expected["phone"] > 0


def test_frictionless_catches_a_broken_table(real_data: DataCopy, tmp_path: Path) -> None:
    files = _files(_site(real_data))
    files[f"{hsds.HSDS_DIR}/phones.csv"] = files[f"{hsds.HSDS_DIR}/phones.csv"].replace("voice", "voice,extra-cell", 1)
    files[f"{hsds.HSDS_DIR}/schedules.csv"] = files[f"{hsds.HSDS_DIR}/schedules.csv"].replace("10:00:00+00:00", "10am", 1)
    report = Package(str(_write(files, tmp_path))).validate()
    assert not report.valid
    assert {row[1] for row in report.flatten(["type", "fieldName"])} >= {"opens_at"}
    assert {row[0] for row in report.flatten(["type"])} >= {"extra-cell", "type-error"}


def test_the_tables_have_the_official_fields_then_our_extensions(real_data: DataCopy) -> None:
    ours = json.loads(_files(_site(real_data))[hsds.DATAPACKAGE])
    official = {r["name"]: r for r in json.loads((HSDS / "examples" / "csv" / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    for resource in ours["resources"]:
        spec = official[resource["name"]]
        assert resource["path"] == spec["path"]
        n = len(spec["schema"]["fields"])

        def shape(field: dict[str, Any]) -> tuple[Any, ...]:
            return (field["name"], field["type"], field.get("format"), field.get("constraints", {}).get("required"))

        assert [shape(f) for f in resource["schema"]["fields"][:n]] == [shape(f) for f in spec["schema"]["fields"]], resource["name"]
        assert all(f["name"].startswith("x-") for f in resource["schema"]["fields"][n:])
        for key in resource["schema"].get("foreignKeys", []):
            assert key in spec["schema"]["foreignKeys"]


def test_the_tables_hold_the_same_records_as_the_json(real_data: DataCopy) -> None:
    files = _files(_site(real_data))
    records = json.loads(files[hsds.SERVICES_JSON])

    def table(path: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(files[f"{hsds.HSDS_DIR}/{path}"])))

    assert [r["id"] for r in table("services.csv")] == [r["id"] for r in records]
    assert [r["id"] for r in table("phones.csv")] == [p["id"] for r in records for p in r.get("phones", [])]
    assert [r["id"] for r in table("schedules.csv")] == [s["id"] for r in records for s in r.get("schedules", [])]
    services = {r["x-local_id"]: r for r in table("services.csv")}
    assert json.loads(services["galop-lgbt-helpline"]["x-audiences"]) == ["lgbt"]
    assert len(table("organizations.csv")) == len({r["organization_id"] for r in records})


# docs/exports.md


def test_every_hsds_field_we_write_is_documented(real_data: DataCopy) -> None:
    site = _site(real_data)
    site.by_key("services")["galop-lgbt-helpline"]["verified"] = {"date": "2026-11-30", "method": "phoned", "by": "A. Editor"}
    site.by_key("services")["mens-advice-line"]["verified"] = {"date": "2026-11-30", "method": "phoned", "by": "e@example.org.uk", "url": "https://example.org.uk/"}
    emitted: set[tuple[str, str]] = set()
    for record in _records(site):
        for field, value in record.items():
            emitted.add(("service", field))
            nested = {"phones": "phone", "schedules": "schedule", "service_areas": "service_area", "languages": "language", "organization": "organization"}
            if field in nested:
                for row in value if isinstance(value, list) else [value]:
                    emitted |= {(nested[field], f) for f in row}
    documented = documented_fields()
    assert emitted <= documented, sorted(emitted - documented)
    # Every extension column of the tabular form is documented too.
    assert {(t, name) for t, cols in hsds.EXTENSIONS.items() for name, _type in cols} <= documented


def documented_fields() -> set[tuple[str, str]]:
    """(table, field) pairs in the first column of docs/exports.md's HSDS mapping tables."""
    text = DOC.read_text(encoding="utf-8").split("## HSDS", 1)[1]
    out: set[tuple[str, str]] = set()
    table = ""
    for line in text.splitlines():
        heading = re.match(r"### (\w+)", line)
        if heading:
            table = heading.group(1)
        elif line.startswith("| `"):
            for name in re.findall(r"`([\w.-]+)`", line.split("|")[1]):
                out.add((table, name))
    return out


@pytest.mark.parametrize("path", [hsds.SERVICES_JSON, hsds.DATAPACKAGE])
def test_the_downloads_are_named_in_the_docs(path: str) -> None:
    assert path.removeprefix("exports/") in DOC.read_text(encoding="utf-8")
