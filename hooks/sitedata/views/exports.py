"""The directory as downloads: services as JSON and CSV, and the Open Referral HSDS 3.0 forms (hsds.py).

docs/exports.md documents every field and the HSDS mapping; tests/unit/test_exports.py holds them to it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from sitedata.data.hours import compiled_hours
from sitedata.data.load import SiteData
from sitedata.text import phone_display, tel_uri
from sitedata.views import hsds
from sitedata.views.directory import CHANNEL_NAMES, SERVICES_LIST

FORMAT_VERSION = 1
SERVICES_JSON = "exports/services.json"
SERVICES_CSV = "exports/services.csv"
HOURS_NOTE = "hours are OpenStreetMap opening_hours expressions; all times are the Europe/London wall clock"
CSV_COLUMNS = (
    "service_id", "service_name", "operator", "audiences", "coverage",
    "channel", "channel_label", "phone", "tel", "email", "url",
    "hours", "hours_text", "weekly_hours", "channel_note",
    "languages", "accessibility", "cost", "sources", "last_reviewed",
    "verified_date", "verified_method",
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula (or a DDE command, '|'), in ASCII or
# full width, once it has skipped the leading whitespace; a leading apostrophe stops it (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "|", "%", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff5c", "\uff05")
_SKIPPED_BEFORE_FORMULA = " \t\r\n\u00a0\u3000"


def export_files(site: SiteData, *, generated: date) -> dict[str, str]:
    """Every download, by its path in the built site."""
    records = service_records(site, generated=generated)
    return {
        SERVICES_JSON: services_json(site, generated=generated, records=records),
        SERVICES_CSV: services_csv(site, generated=generated, records=records),
        **hsds.export_files(site, generated=generated),
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


def _channel_record(channel: Mapping[str, Any], *, generated: date) -> dict[str, Any]:
    record = dict(channel)
    if "number" in channel:
        record["number_display"] = phone_display(channel["number"])
        record["tel"] = tel_uri(channel["number"])
    if channel.get("hours"):
        week = compiled_hours(channel["hours"], start=generated).week
        record["weekly_hours"] = [{"days": days, "hours": text} for days, text in week]
    return record


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


def _spreadsheet_safe(value: str) -> str:
    if value[:1] in ("\t", "\r", "\n") or value.lstrip(_SKIPPED_BEFORE_FORMULA).startswith(_FORMULA_START):
        return "'" + value
    return value
