"""The directory as downloads: services as JSON and CSV, and an Open Referral HSDS 3.0-shaped JSON.

docs/exports.md documents every field and the HSDS mapping; tests/test_exports.py holds them to it.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from .directory import CHANNEL_NAMES, SERVICES_LIST, TIMETABLE_DAYS, compiled_hours
from .hours import DAY_MINUTES
from .load import SiteData
from .render import phone_display, tel_uri

FORMAT_VERSION = 1
SERVICES_JSON = "exports/services.json"
SERVICES_CSV = "exports/services.csv"
HSDS_JSON = "exports/hsds.json"
HOURS_NOTE = "hours are OpenStreetMap opening_hours expressions; all times are the Europe/London wall clock"
# Fixed once for this project: HSDS ids are UUIDs, derived from our ids so they stay the same between builds.
HSDS_NAMESPACE = uuid.UUID("4101ad35-4212-4d58-987c-b27cb25bbec8")
HSDS_VERSION = "3.0"
HSDS_TABLES = ("organization", "service", "phone", "schedule", "service_area", "language")
HSDS_ABOUT = (
    "Helplines and services from this guide's directory as Open Referral HSDS tables; the site's exports page documents the mapping."
)
CSV_COLUMNS = (
    "service_id", "service_name", "operator", "audiences", "coverage",
    "channel", "channel_label", "phone", "tel", "email", "url",
    "hours", "hours_text", "weekly_hours", "channel_note",
    "languages", "accessibility", "cost", "sources", "last_reviewed",
    "verified_date", "verified_method",
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula; a leading apostrophe stops it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PHONE_TYPES = {"phone": "voice", "text": "text"}


def export_files(site: SiteData, *, generated: date) -> dict[str, str]:
    """Every download, by its path in the built site."""
    records = service_records(site, generated=generated)
    return {
        SERVICES_JSON: services_json(site, generated=generated, records=records),
        SERVICES_CSV: services_csv(site, generated=generated, records=records),
        HSDS_JSON: hsds_json(site, generated=generated),
    }


def service_records(site: SiteData, *, generated: date) -> list[dict[str, Any]]:
    """Each service as plain data: the YAML fields, names for ids, dialable numbers and the usual week."""
    audiences = site.by_key("audiences")
    sources = site.by_key("sources")
    out = []
    for service in site.entries(SERVICES_LIST):
        record: dict[str, Any] = {
            "id": service["id"],
            "name": service["name"],
            "short_names": service.get("short_names", []),
            "operator": service["operator"],
            "summary": service["summary"],
            "audiences": [{"id": a, "name": audiences[a]["name"]} for a in service["audiences"]],
            "coverage": service["coverage"],
            "channels": [_channel_record(c, generated=generated) for c in service["channels"]],
            "languages": service.get("languages", []),
            "accessibility": service.get("accessibility", []),
            "cost": service.get("cost"),
            "notes": service.get("notes", []),
            "sources": [
                _without_empty(
                    {
                        "id": s["id"],
                        "title": sources[s["id"]]["title"],
                        "publisher": sources[s["id"]]["publisher"],
                        "published": sources[s["id"]].get("published"),
                        "accessed": sources[s["id"]].get("accessed"),
                        "section": s["section"],
                        "note": s.get("note"),
                    }
                )
                for s in service["sources"]
            ],  # fmt: skip
            "last_reviewed": service["last_reviewed"],
            # Absent when nobody has confirmed the details with the service (never a copy of last_reviewed).
            "verified": service.get("verified"),
        }
        out.append(_without_empty(record))
    return out


def services_json(site: SiteData, *, generated: date, records: list[dict[str, Any]] | None = None) -> str:
    """exports/services.json (from service_records, passed in when the caller has them already)."""
    records = service_records(site, generated=generated) if records is None else records
    document = {
        "version": FORMAT_VERSION,
        "generated": generated.isoformat(),
        "hours": HOURS_NOTE,
        "count": len(records),
        "services": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def services_csv(site: SiteData, *, generated: date, records: list[dict[str, Any]] | None = None) -> str:
    """exports/services.csv: one row per contact channel, UTF-8 with a byte-order mark so spreadsheets read it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in service_records(site, generated=generated) if records is None else records:
        for channel in record["channels"]:
            row = {
                "service_id": record["id"],
                "service_name": record["name"],
                "operator": record["operator"],
                "audiences": "; ".join(a["name"] for a in record["audiences"]),
                "coverage": "; ".join(record["coverage"]),
                "channel": CHANNEL_NAMES[channel["type"]],
                "channel_label": channel.get("label", ""),
                "phone": channel.get("number_display", ""),
                "tel": channel.get("tel", ""),
                "email": channel.get("email", ""),
                "url": channel.get("url", ""),
                "hours": channel.get("hours", ""),
                "hours_text": channel.get("hours_text", ""),
                "weekly_hours": "; ".join(f"{r['days']}: {r['hours']}" for r in channel.get("weekly_hours", [])),
                "channel_note": " ".join(filter(None, (channel.get("cost"), channel.get("note")))),
                "languages": "; ".join(record.get("languages", [])),
                "accessibility": "; ".join(record.get("accessibility", [])),
                "cost": record.get("cost", ""),
                "sources": "; ".join(f"{s['title']} ({s['section']})" for s in record["sources"]),
                "last_reviewed": record["last_reviewed"],
                "verified_date": record.get("verified", {}).get("date", ""),
                "verified_method": record.get("verified", {}).get("method", ""),
            }
            writer.writerow([_spreadsheet_safe(row[column]) for column in CSV_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def hsds_json(site: SiteData, *, generated: date) -> str:
    """exports/hsds.json: organization, service, phone, schedule and service_area tables, HSDS 3.0-shaped."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in HSDS_TABLES}
    services = site.entries(SERVICES_LIST)
    operators: dict[str, list[str]] = {}
    for service in services:
        operators.setdefault(service["operator"], []).append(service["name"])
    for operator, names in operators.items():
        description = f"Runs: {'; '.join(names)}."
        tables["organization"].append({"id": _uuid("organization", operator), "name": operator, "description": description})
    for service in services:
        service_id = _uuid("service", service["id"])
        tables["service"].append(_hsds_service(service, audiences=site.by_key("audiences"), sources=site.by_key("sources")))
        for area in service["coverage"]:
            tables["service_area"].append({"id": _uuid("service_area", service["id"], area), "service_id": service_id, "name": area})
        for language in service.get("languages", []):
            tables["language"].append({"id": _uuid("language", service["id"], language), "service_id": service_id, "name": language})
        for index, channel in enumerate(service["channels"]):
            if channel["type"] in _PHONE_TYPES:
                tables["phone"].append(_hsds_phone(service, index=index, channel=channel))
            if channel.get("hours"):
                tables["schedule"].extend(_hsds_schedules(service, index=index, channel=channel, start=generated))
    about = {"description": HSDS_ABOUT, "hsds_version": HSDS_VERSION, "generated": generated.isoformat(), "timezone": "Europe/London"}
    document = {"x-about": about, **{name: rows for name, rows in tables.items() if rows}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _hsds_service(service: Mapping[str, Any], *, audiences: Mapping[str, Any], sources: Mapping[str, Any]) -> dict[str, Any]:
    channels = service["channels"]
    website = next((c["url"] for c in channels if c["type"] == "website"), None)
    cited = [
        _without_empty(
            {"title": sources[s["id"]]["title"], "publisher": sources[s["id"]]["publisher"], "section": s["section"], "note": s.get("note")}
        )
        for s in service["sources"]
    ]
    return _without_empty(
        {
            "id": _uuid("service", service["id"]),
            "organization_id": _uuid("organization", service["operator"]),
            "name": service["name"],
            "alternate_name": "; ".join(service.get("short_names", [])),
            "description": service["summary"],
            "url": website or next((c["url"] for c in channels if c.get("url")), None),
            "email": next((c["email"] for c in channels if c["type"] == "email"), None),
            "status": "active",
            "eligibility_description": "; ".join(audiences[a]["name"] for a in service["audiences"]),
            "fees_description": service.get("cost"),
            # HSDS assurance is confirmation with the service: absent until someone has done it.
            "assured_date": service.get("verified", {}).get("date"),
            "assurer_email": _assurer_email(service.get("verified", {}).get("by")),
            "x-assurer": service.get("verified", {}).get("by"),
            "x-assurance_method": service.get("verified", {}).get("method"),
            "x-last_reviewed": service["last_reviewed"],
            "x-local_id": service["id"],
            "x-audiences": service["audiences"],
            "x-accessibility": service.get("accessibility", []),
            "x-notes": service.get("notes", []),
            "x-sources": cited,
        }
    )


def _assurer_email(by: str | None) -> str | None:
    """HSDS wants an email for the assurer; an editor recorded by name has none."""
    return by if by and "@" in by else None


def _hsds_phone(service: Mapping[str, Any], *, index: int, channel: Mapping[str, Any]) -> dict[str, Any]:
    described = [channel.get("label"), channel.get("hours_text"), channel.get("cost"), channel.get("note")]
    return _without_empty(
        {
            "id": _uuid("phone", service["id"], str(index)),
            "service_id": _uuid("service", service["id"]),
            "number": phone_display(channel["number"]),
            "type": _PHONE_TYPES[channel["type"]],
            "description": " ".join(d for d in described if d),
            "x-tel": tel_uri(channel["number"]),
        }
    )


def _channel_record(channel: Mapping[str, Any], *, generated: date) -> dict[str, Any]:
    record = dict(channel)
    if "number" in channel:
        record["number_display"] = phone_display(channel["number"])
        record["tel"] = tel_uri(channel["number"])
    if channel.get("hours"):
        week = compiled_hours(channel["hours"], start=generated).week
        record["weekly_hours"] = [{"days": days, "hours": text} for days, text in week]
    return record


def _hsds_schedules(service: Mapping[str, Any], *, index: int, channel: Mapping[str, Any], start: date) -> list[dict[str, Any]]:
    """HSDS weekly rows for one channel's usual week: one row per distinct open interval, with the days it applies."""
    hours = channel["hours"]
    compiled = compiled_hours(hours, start=start)
    week = compiled.timetable["week"]
    intervals: dict[tuple[int, int], list[int]] = {}
    for weekday in range(7):
        day = week[weekday % len(week)]
        if day == "u":
            continue
        for item in day:
            if len(item) == 2:  # open; [start, end, "u"] is unknown and not published as opening time
                intervals.setdefault((item[0], item[1]), []).append(weekday)
    summary = "; ".join(f"{days}: {text}" for days, text in compiled.week)
    name = CHANNEL_NAMES[channel["type"]]
    common = {
        "service_id": _uuid("service", service["id"]),
        "valid_from": start.isoformat(),
        "valid_to": (start + timedelta(days=TIMETABLE_DAYS - 1)).isoformat(),
        "description": f"{name}: {summary} (UK time)",
        "notes": f"Bank holidays (England and Wales): {compiled.bank_holidays}" if compiled.bank_holidays else None,
        "x-channel": channel["type"],
        "x-opening_hours": hours,
        "x-timezone": "Europe/London",
    }
    rows = []
    ordered = sorted(intervals.items(), key=lambda item: (min(item[1]), item[0]))
    for n, ((first, last), weekdays) in enumerate(ordered):
        rows.append(
            _without_empty(
                {
                    "id": _uuid("schedule", service["id"], str(index), str(n)),
                    **common,
                    "freq": "WEEKLY",
                    "byday": ",".join(_BYDAY[d] for d in weekdays),
                    "opens_at": _clock(first),
                    "closes_at": _clock(last),
                }
            )
        )
    if not rows:
        rows.append(_without_empty({"id": _uuid("schedule", service["id"], str(index), "0"), **common}))
    return rows


def _clock(minute: int) -> str:
    """HH:MM; the end of the day is written 23:59, the HSDS convention for 'until midnight'."""
    if minute >= DAY_MINUTES:
        return "23:59"
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(HSDS_NAMESPACE, "/".join(parts)))


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


def _spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value
