"""The directory in the two forms Open Referral HSDS 3.0 defines: full service records (JSON) and the tabular package.

- exports/hsds/services.json: a JSON list of full service records, nested like the compiled
  `service.json` the HSDS API returns for /services/{id} (a `service_package.json`).
- exports/hsds/*.csv + datapackage.json: the same records as HSDS tables, as in the spec's examples/csv/.

Fields that begin with `x-` are extension fields: what we hold and HSDS has no field for. With them
the records carry every field of data/helplines.yaml, so `import-hsds` can read our own export back
without loss. docs/exports.md documents the mapping; tests/unit/test_hsds.py validates both forms against
the official schemas.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sitedata.constants import LONDON, TIMEZONE
from sitedata.data.hours import DAY_MINUTES, TIMETABLE_DAYS, compiled_hours
from sitedata.data.load import SiteData
from sitedata.text import phone_display, tel_uri
from sitedata.views.directory import CHANNEL_NAMES, SERVICES_LIST

HSDS_VERSION = "3.0"
HSDS_DIR = "exports/hsds"
SERVICES_JSON = f"{HSDS_DIR}/services.json"
DATAPACKAGE = f"{HSDS_DIR}/datapackage.json"
# Fixed once for this project: HSDS ids are UUIDs, derived from our ids so they stay the same between builds.
NAMESPACE = uuid.UUID("4101ad35-4212-4d58-987c-b27cb25bbec8")
PHONE_TYPES = {"phone": "voice", "text": "text"}
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The field our entries record the date an editor last read them against their sources (the
# provenance model renames it last_reviewed; change it here and in hsds_import.REVIEWED).
REVIEWED = "last_reviewed"
BANK_HOLIDAYS_ROW = "Bank holidays"

# The HSDS 3.0 tables we publish, in the order of the official datapackage.json, with their fields
# (name, Table Schema type, format, required) exactly as it defines them. tests/unit/test_hsds.py compares them.
_STR, _UUID = ("string", None), ("string", "uuid")
TABLES: dict[str, tuple[str, tuple[tuple[str, str, str | None, bool], ...]]] = {
    "organization": ("organizations.csv", (
        ("id", *_UUID, True), ("name", *_STR, True), ("alternate_name", *_STR, False), ("description", *_STR, True),
        ("email", "string", "email", False), ("website", "string", "uri", False), ("tax_status", *_STR, False),
        ("tax_id", *_STR, False), ("year_incorporated", "number", None, False), ("legal_status", *_STR, False),
        ("logo", *_STR, False), ("uri", "string", "uri", False), ("parent_organization_id", *_UUID, False),
    )),
    "service": ("services.csv", (
        ("id", *_UUID, True), ("organization_id", *_UUID, True), ("program_id", *_UUID, False), ("name", *_STR, True),
        ("alternate_name", *_STR, False), ("description", *_STR, False), ("url", "string", "uri", False),
        ("email", "string", "email", False), ("status", *_STR, True), ("interpretation_services", *_STR, False),
        ("application_process", *_STR, False), ("fees_description", *_STR, False), ("wait_time", *_STR, False),
        ("fees", *_STR, False), ("accreditations", *_STR, False), ("eligibility_description", *_STR, False),
        ("minimum_age", "number", None, False), ("maximum_age", "number", None, False), ("assured_date", "date", None, False),
        ("assurer_email", "string", "email", False), ("licenses", *_STR, False), ("alert", *_STR, False),
        ("last_modified", "datetime", None, False),
    )),
    "phone": ("phones.csv", (
        ("id", *_UUID, True), ("location_id", *_UUID, False), ("service_id", *_UUID, False), ("organization_id", *_UUID, False),
        ("contact_id", *_UUID, False), ("service_at_location_id", *_UUID, False), ("number", *_STR, True),
        ("extension", "number", None, False), ("type", *_STR, False), ("description", *_STR, False),
    )),
    "schedule": ("schedules.csv", (
        ("id", *_UUID, True), ("service_id", *_UUID, False), ("location_id", *_UUID, False), ("service_at_location_id", *_UUID, False),
        ("valid_from", "date", None, False), ("valid_to", "date", None, False), ("dtstart", "date", None, False),
        ("timezone", "number", None, False), ("until", "date", None, False), ("count", "number", None, False),
        ("wkst", *_STR, False), ("freq", *_STR, False), ("interval", "number", None, False), ("byday", *_STR, False),
        ("byweekno", *_STR, False), ("bymonthday", *_STR, False), ("byyearday", *_STR, False), ("description", *_STR, False),
        ("opens_at", "time", None, False), ("closes_at", "time", None, False), ("schedule_link", "string", "uri", False),
        ("attending_type", *_STR, False), ("notes", *_STR, False),
    )),
    "service_area": ("service_areas.csv", (
        ("id", *_UUID, True), ("service_id", *_UUID, False), ("name", *_STR, False), ("description", *_STR, False),
        ("extent", *_STR, False), ("extent_type", *_STR, False), ("uri", *_STR, False),
    )),
    "language": ("languages.csv", (
        ("id", *_UUID, True), ("service_id", *_UUID, False), ("location_id", *_UUID, False), ("phone_id", *_UUID, False),
        ("name", *_STR, False), ("code", *_STR, False), ("note", *_STR, False),
    )),
}  # fmt: skip
# Our extension columns in the tabular form: (name, Table Schema type). Lists are JSON arrays in one cell.
EXTENSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "organization": (),
    "service": (
        ("x-local_id", "string"), ("x-short_names", "array"), ("x-audiences", "array"), ("x-accessibility", "array"),
        ("x-notes", "array"), ("x-tags", "array"), ("x-keywords", "array"), ("x-sources", "array"), ("x-other_channels", "array"),
        (f"x-{REVIEWED}", "date"), ("x-assurer", "string"), ("x-assurance_method", "string"), ("x-assurance_url", "string"),
        ("x-help_now", "boolean"),
    ),
    "phone": (
        ("x-channel_index", "integer"), ("x-label", "string"), ("x-number_as_published", "string"), ("x-tel", "string"),
        ("x-hours_text", "string"), ("x-cost", "string"), ("x-note", "string"), ("x-opening_hours", "string"),
    ),
    "schedule": (("x-channel", "string"), ("x-channel_index", "integer"), ("x-opening_hours", "string"), ("x-timezone", "string")),
    "service_area": (),
    "language": (),
}  # fmt: skip
_FOREIGN_KEYS = {"service": ("organization_id", "organization"), "phone": ("service_id", "service"),
                 "schedule": ("service_id", "service"), "service_area": ("service_id", "service"), "language": ("service_id", "service")}  # fmt: skip
_NESTED = {"phones": "phone", "schedules": "schedule", "service_areas": "service_area", "languages": "language"}
PACKAGE_DESCRIPTION = (
    "Helplines and services from this guide's directory as Open Referral HSDS 3.0 tables. Fields that begin with x- are"
    " extensions; times are the UK wall clock with the offset in force (schedule.timezone), Europe/London."
)


def hsds_uuid(*parts: str) -> str:
    """A stable UUID (version 5) for one of our records: the same ids give the same UUID in every build."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def export_files(site: SiteData, *, generated: date) -> dict[str, str]:
    """The HSDS downloads by their path in the built site: the JSON list and the tabular package."""
    records = service_records(site, generated=generated)
    # Compact: one line per file, written by json's C encoder (indenting runs the pure-Python one, 3x slower at 3,000 services).
    files = {SERVICES_JSON: json.dumps(records, ensure_ascii=False, separators=(",", ":")) + "\n"}
    files.update(tabular_files(records, generated=generated))
    return files


def service_records(site: SiteData, *, generated: date) -> list[dict[str, Any]]:
    """Every service as a full HSDS 3.0 service record (compiled service.json), extensions included."""
    services = site.entries(SERVICES_LIST)
    runs: dict[str, list[str]] = {}
    for service in services:
        runs.setdefault(service["operator"], []).append(service["name"])
    audiences, sources = site.by_key("audiences"), site.by_key("sources")
    return [_service(s, runs=runs[s["operator"]], audiences=audiences, sources=sources, start=generated) for s in services]


def tabular_files(records: list[dict[str, Any]], *, generated: date) -> dict[str, str]:
    """The same records as HSDS tables: one CSV per table and a datapackage.json describing them."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    organizations: dict[str, dict[str, Any]] = {}
    for record in records:
        organizations.setdefault(record["organization"]["id"], record["organization"])
        rows["service"].append({k: v for k, v in record.items() if k not in _NESTED and k != "organization"})
        for key, table in _NESTED.items():
            rows[table].extend(record.get(key, []))
    rows["organization"] = list(organizations.values())
    files = {}
    resources = []
    for table, (path, fields) in TABLES.items():
        columns = [f[0] for f in fields] + [name for name, _type in EXTENSIONS[table]]
        files[f"{HSDS_DIR}/{path}"] = _csv(rows[table], columns=columns)
        resources.append(_resource(table))
    package = {
        "name": "domestic-abuse-practice-guide-directory",
        "title": "Helplines and services (Open Referral HSDS 3.0)",
        "description": PACKAGE_DESCRIPTION,
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "x-generated": generated.isoformat(),
        "x-hsds_version": HSDS_VERSION,
        "x-timezone": TIMEZONE,
        "resources": resources,
    }
    files[DATAPACKAGE] = json.dumps(package, ensure_ascii=False, indent=1) + "\n"
    return files


# ---------------------------------------------------------------- one service


def _service(
    service: Mapping[str, Any], *, runs: list[str], audiences: Mapping[str, Any], sources: Mapping[str, Any], start: date
) -> dict[str, Any]:
    sid = hsds_uuid("service", service["id"])
    channels = service["channels"]
    verified = service.get("verified") or {}
    by = verified.get("by", "")
    organization = {
        "id": hsds_uuid("organization", service["operator"]),
        "name": service["operator"],
        "description": f"Runs: {'; '.join(runs)}.",
    }
    record: dict[str, Any] = {
        "id": sid,
        "organization_id": organization["id"],
        "name": service["name"],
        "alternate_name": "; ".join(service.get("short_names", [])),
        "description": service["summary"],
        "url": next((c["url"] for c in channels if c["type"] == "website"), None) or next((c["url"] for c in channels if c.get("url")), None),
        "email": next((c["email"] for c in channels if c["type"] == "email"), None),
        "status": "active",
        "eligibility_description": "; ".join(audiences[a]["name"] for a in service["audiences"]),
        "fees_description": service.get("cost"),
        # Assurance is the editors' verification with the service itself; a review against a document is not.
        "assured_date": verified.get("date"),
        "assurer_email": by if "@" in by else None,
        "x-local_id": service["id"],
        "x-short_names": service.get("short_names", []),
        "x-audiences": service["audiences"],
        "x-accessibility": service.get("accessibility", []),
        "x-notes": service.get("notes", []),
        "x-tags": service.get("tags", []),
        "x-keywords": service.get("keywords", []),
        "x-sources": [_cited(s, sources=sources) for s in service["sources"]],
        "x-other_channels": [{"x-channel_index": i, **c} for i, c in enumerate(channels) if c["type"] not in PHONE_TYPES],
        "x-help_now": True if service.get("help_now") else None,
        f"x-{REVIEWED}": service[REVIEWED],
        "x-assurer": by if by and "@" not in by else None,
        "x-assurance_method": verified.get("method"),
        "x-assurance_url": verified.get("url"),
        "organization": organization,
        "phones": [_phone(service, index=i, channel=c) for i, c in enumerate(channels) if c["type"] in PHONE_TYPES],
        "schedules": [row for i, c in enumerate(channels) if c.get("hours") for row in _schedules(service, index=i, channel=c, start=start)],
        "service_areas": [{"id": hsds_uuid("service_area", service["id"], a), "service_id": sid, "name": a} for a in service["coverage"]],
        "languages": [{"id": hsds_uuid("language", service["id"], lang), "service_id": sid, "name": lang} for lang in service.get("languages", [])],
    }
    return _without_empty(record)


def _cited(cited: Mapping[str, Any], *, sources: Mapping[str, Any]) -> dict[str, Any]:
    source = sources[cited["id"]]
    return _without_empty(
        {"id": cited["id"], "title": source["title"], "publisher": source["publisher"],
         "published": source.get("published"), "accessed": source.get("accessed"),
         "url": source.get("url"), "section": cited["section"], "note": cited.get("note")}
    )  # fmt: skip


def _phone(service: Mapping[str, Any], *, index: int, channel: Mapping[str, Any]) -> dict[str, Any]:
    return _without_empty(
        {
            "id": hsds_uuid("phone", service["id"], str(index)),
            "service_id": hsds_uuid("service", service["id"]),
            "number": phone_display(channel["number"]),
            "type": PHONE_TYPES[channel["type"]],
            "description": sentences(channel.get("label"), channel.get("hours_text"), channel.get("cost"), channel.get("note")),
            "x-channel_index": index,
            "x-label": channel.get("label"),
            "x-number_as_published": channel["number"],
            "x-tel": tel_uri(channel["number"]),
            "x-hours_text": channel.get("hours_text"),
            "x-cost": channel.get("cost"),
            "x-note": channel.get("note"),
            "x-opening_hours": channel.get("hours"),
        }
    )


def sentences(*parts: str | None) -> str:
    """'Emergency', 'If you cannot speak, ...' -> 'Emergency. If you cannot speak, ...': each part its own sentence."""
    out = []
    for part in parts:
        text = (part or "").strip()
        if text:
            out.append(text if text[-1] in ".!?" else text + ".")
    return " ".join(out)


def _schedules(service: Mapping[str, Any], *, index: int, channel: Mapping[str, Any], start: date) -> list[dict[str, Any]]:
    """HSDS weekly rows for one channel's usual week, once per stretch of the UK's clock (GMT, then BST, ...).

    HSDS times carry a fixed UTC offset and UK time has none, so every row is valid only while one
    offset is in force (`timezone`, and the offset on opens_at/closes_at). The OSM expression in
    x-opening_hours is the exact rule, bank holidays included.
    """
    hours = channel["hours"]
    compiled = compiled_hours(hours, start=start)
    week = compiled.timetable["week"]
    intervals: dict[tuple[int, int], list[int]] = {}
    for weekday in range(7):
        day = week[weekday % len(week)]
        if day == "u":
            continue
        for item in day:
            if len(item) == 2:  # open; [start, end, "u"] is unknown and never published as opening time
                intervals.setdefault((item[0], item[1]), []).append(weekday)
    summary = "; ".join(f"{days}: {text}" for days, text in compiled.week if days != BANK_HOLIDAYS_ROW)
    common = {
        "service_id": hsds_uuid("service", service["id"]),
        "description": f"{CHANNEL_NAMES[channel['type']]}: {summary} (UK time)",
        "notes": f"Bank holidays (England and Wales): {compiled.bank_holidays}" if compiled.bank_holidays else None,
        "x-channel": channel["type"],
        "x-channel_index": index,
        "x-opening_hours": hours,
        "x-timezone": TIMEZONE,
    }
    ordered = sorted(intervals.items(), key=lambda item: (min(item[1]), item[0]))
    rows = []
    for period, (first, last, offset) in enumerate(uk_offset_periods(start, start + timedelta(days=TIMETABLE_DAYS - 1))):
        stretch = {"valid_from": first.isoformat(), "valid_to": last.isoformat(), "timezone": offset}
        for n, ((opens, closes), weekdays) in enumerate(ordered):
            rows.append(
                _without_empty(
                    {
                        "id": hsds_uuid("schedule", service["id"], str(index), str(period), str(n)),
                        **common,
                        **stretch,
                        "freq": "WEEKLY",
                        "byday": ",".join(BYDAY[d] for d in weekdays),
                        "opens_at": clock(opens, offset=offset),
                        "closes_at": clock(closes, offset=offset),
                    }
                )
            )
        if not ordered:
            rows.append(_without_empty({"id": hsds_uuid("schedule", service["id"], str(index), str(period), "0"), **common, **stretch}))
    return rows


@lru_cache(maxsize=64)
def uk_offset_periods(first: date, last: date) -> tuple[tuple[date, date, int], ...]:
    """(from, to, hours ahead of UTC) for each stretch of days between first and last on which UK clocks keep one offset.

    The clocks change at 01:00 UTC, so the day of a change belongs to the new offset from then on;
    a schedule's opening hours on that day are almost always after the change. Cached: every
    channel of a build asks for the same window.
    """
    out = []
    day, begin = first, first
    offset = _offset(first)
    while day < last:
        day += timedelta(days=1)
        now = _offset(day)
        if now != offset:
            out.append((begin, day - timedelta(days=1), offset))
            begin, offset = day, now
    out.append((begin, last, offset))
    return tuple(out)


def _offset(day: date) -> int:
    delta = datetime.combine(day, time(12), tzinfo=LONDON).utcoffset() or timedelta(0)
    return int(delta.total_seconds() // 3600)


def clock(minute: int, *, offset: int) -> str:
    """'10:00:00+01:00' (HH:MM:SS, the tabular form's time type, with the offset HSDS asks for).

    The end of the day is written 23:59, the HSDS convention for 'until midnight'.
    """
    minute = min(minute, DAY_MINUTES - 1)
    return f"{minute // 60:02d}:{minute % 60:02d}:00+{offset:02d}:00"


# ---------------------------------------------------------------- tabular


def _resource(table: str) -> dict[str, Any]:
    path, fields = TABLES[table]
    described = []
    for name, kind, fmt, required in fields:
        field: dict[str, Any] = {"name": name, "type": kind}
        if fmt:
            field["format"] = fmt
        field["constraints"] = {"required": required, **({"unique": True} if name == "id" else {})}
        described.append(field)
    described += [{"name": name, "type": kind, "description": "Extension field of this directory (docs: /exports/)"} for name, kind in EXTENSIONS[table]]
    schema: dict[str, Any] = {"primaryKey": "id", "fields": described}
    if table in _FOREIGN_KEYS:
        column, target = _FOREIGN_KEYS[table]
        schema["foreignKeys"] = [{"fields": column, "reference": {"resource": target, "fields": "id"}}]
    return {"name": table, "path": path, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource", "schema": schema}


def _csv(rows: list[dict[str, Any]], *, columns: list[str]) -> str:
    """UTF-8, no byte-order mark (the spec's examples have none); lists and objects as JSON in one cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}
