"""`python -m sitedata import-hsds FILE`: Open Referral HSDS 3.0 services into data/helplines.yaml.

FILE is one full service record (JSON), a list of them, an API page (`{"contents": [...]}`), or a
tabular datapackage.json with its CSV files. Each service becomes an entry of data/helplines.yaml
citing the feed, which is added to data/sources.yaml with the date it was retrieved. Nothing is
marked verified. Fields are mapped to our vocabularies and to opening_hours only where that is
faithful; otherwise the publisher's text is kept and a message says so. Every message is located
against the input (`feed.json: [3].phones[0].number: ...`, `phones.csv:7: number: ...`).

Re-importing the same feed updates the entries it made (matched on `hsds_id`) and leaves every
other entry, and every comment, alone. Nothing is written unless the whole data set, with the new
entries in it, passes every check (`make check`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from sitedata.data.checks import phone_problem, url_problem
from sitedata.data.errors import DataErrors
from sitedata.data.hours import hours_error
from sitedata.data.load import DATA_DIR, load_site
from sitedata.tools import fmt
from sitedata.tools.scaffold import slugify, unique_id
from sitedata.views.hsds import BYDAY, REVIEWED, TABLES, uk_offset_periods

AT = "__at__"  # where a record came from in the input, kept beside its fields
HELPLINES = "helplines"
SOURCES = "sources"
FLOW_LISTS = ("short_names", "audiences", "coverage", "tags", "keywords", "languages", "accessibility")
PHONE_FROM_HSDS = {"voice": "phone", "cell": "phone", "textphone": "phone", "text": "text"}
SUMMARY_MAX = 400
NAME_MAX = 120
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$")
_RRULE_UNSUPPORTED = ("byweekno", "bymonthday", "byyearday", "count", "until")
# Service fields the mapping reads; any other field with a value gets a message saying it was not taken.
_TAKEN = {
    "id", "name", "alternate_name", "description", "url", "email", "status", "organization", "organization_id", "eligibility_description",
    "fees_description", "interpretation_services", "application_process", "alert", "minimum_age", "maximum_age", "wait_time",
    "phones", "schedules", "service_areas", "languages",
}  # fmt: skip
_WHY_NOT = {
    "assured_date": "the publisher's assurance is not this guide's verification with the service, so the entry is not marked verified",
    "assurer_email": "the publisher's assurance is not this guide's verification with the service",
    "last_modified": "the feed's own change date; the source records when it was retrieved",
}
_CHANNEL_FIELDS = ("type", "label", "number", "email", "url", "hours", "hours_text", "cost", "note")


@dataclass(frozen=True)
class Message:
    """One thing the import could not take as it was, located in the input."""

    where: str
    text: str
    severity: str = "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.text}" if self.severity != "note" else f"{self.where}: note: {self.text}"


@dataclass
class Imported:
    """What an import did: the entries it wrote or would write, and every message."""

    entries: list[CommentedMap] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Options:
    """The editor's choices for one feed."""

    retrieved: date
    source_id: str | None = None
    publisher: str | None = None
    url: str | None = None
    area: str | None = None
    audience: str | None = None
    upgrade_http: bool = False


# ---------------------------------------------------------------- reading the feed


def read_feed(path: Path) -> list[dict[str, Any]]:
    """The service records in a feed, each with its location in the input under AT; raises ValueError when unreadable."""
    name = path.name
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{name}: cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if isinstance(document, dict) and isinstance(document.get("resources"), list):
        return _read_tabular(path, document)
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items, prefix = document["contents"], "contents"
    elif isinstance(document, list):
        items, prefix = document, ""
    elif isinstance(document, dict):
        return [_located(document, f"{name}:", json_path=True)]
    else:
        raise ValueError(f"{name}: expected an HSDS service record, a list of them, an API page or a datapackage.json")
    return [_located(item, f"{name}: {prefix}[{i}]", json_path=True) for i, item in enumerate(items) if isinstance(item, dict)]


def _located(value: Any, at: str, *, json_path: bool) -> Any:
    """A copy of a JSON value in which every object knows where it is in the input."""
    if isinstance(value, dict):
        out = {k: _located(v, _join(at, k) if json_path else at, json_path=json_path) for k, v in value.items()}
        out[AT] = at
        return out
    if isinstance(value, list):
        return [_located(v, f"{at}[{i}]", json_path=json_path) for i, v in enumerate(value)]
    return value


def _join(at: str, key: str) -> str:
    """'feed.json: [3]' + 'phones' -> 'feed.json: [3].phones'; 'feed.json:' + 'name' -> 'feed.json: name'."""
    return f"{at} {key}" if at.endswith(":") else f"{at}.{key}"


def _read_tabular(path: Path, package: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A datapackage's CSV tables put back together as nested service records."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for resource in package["resources"]:
        table = resource.get("name")
        if table not in TABLES or not isinstance(resource.get("path"), str):
            continue
        csv_path = path.parent / resource["path"]
        if not csv_path.is_file():
            continue
        arrays = {f["name"] for f in resource.get("schema", {}).get("fields", []) if f.get("type") in ("array", "object")}
        rows = []
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                record: dict[str, Any] = {AT: f"{csv_path.name}:{reader.line_num}"}
                for key, cell in row.items():
                    if key is None or cell in (None, ""):
                        continue
                    record[key] = _cell(key, cell, arrays=arrays)
                rows.append(record)
        tables[table] = rows
    organizations = {o.get("id"): o for o in tables.get("organization", [])}
    children: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table, key in (("phone", "phones"), ("schedule", "schedules"), ("service_area", "service_areas"), ("language", "languages")):
        for row in tables.get(table, []):
            children.setdefault(row.get("service_id", ""), {}).setdefault(key, []).append(row)
    services = []
    for row in tables.get("service", []):
        record = {**row, **children.get(row.get("id", ""), {})}
        if row.get("organization_id") in organizations:
            record["organization"] = organizations[row["organization_id"]]
        services.append(record)
    return services


def _cell(key: str, cell: str, *, arrays: set[str]) -> Any:
    if key in arrays:
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell
    if key in ("x-channel_index", "timezone", "extension", "interval"):
        try:
            number = float(cell)
        except ValueError:
            return cell
        return int(number) if number.is_integer() else number
    return cell


# ---------------------------------------------------------------- one record -> one entry


def _where(obj: Mapping[str, Any], key: str | None = None) -> str:
    at = obj.get(AT, "?")
    if key is None:
        return at
    return f"{at}: {key}" if re.search(r"\.csv:\d+$", at) else _join(at, key)


class _Mapper:
    """Maps one HSDS service record onto an entry, collecting a message for each field it cannot take."""

    def __init__(self, *, vocab: Mapping[str, Any], options: Options, source_id: str) -> None:
        self.audiences = vocab["audiences"]
        self.areas = vocab["areas"]
        self.tags = vocab["tags"]
        self.sources = vocab["sources"]
        self.options = options
        self.source_id = source_id
        self.messages: list[Message] = []

    def say(self, obj: Mapping[str, Any], key: str | None, text: str, severity: str = "warning") -> None:
        self.messages.append(Message(_where(obj, key), text, severity))

    def entry(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        """The entry for `record`, or None (with an error message) when it cannot be imported."""
        hsds_id, name = record.get("id"), record.get("name")
        if not isinstance(hsds_id, str) or not hsds_id.strip():
            self.say(record, "id", "missing; HSDS gives every service an id, and re-imports match on it. Not imported", "error")
            return None
        if not isinstance(name, str) or not name.strip():
            self.say(record, "name", "missing; not imported", "error")
            return None
        status = record.get("status", "active")
        if status != "active":
            self.say(record, "status", f"'{status}': only active services are listed. Not imported", "error")
            return None
        notes: list[str] = list(_strings(record.get("x-notes")))
        entry: dict[str, Any] = {"id": record.get("x-local_id") or slugify(name), "name": name.strip()}
        if len(entry["name"]) > NAME_MAX:
            self.say(record, "name", f"is {len(name)} characters long, more than {NAME_MAX}; not imported", "error")
            return None
        short = _strings(record.get("x-short_names")) or [s.strip() for s in str(record.get("alternate_name") or "").split(";") if s.strip()]
        if short:
            entry["short_names"] = short
        operator = (record.get("organization") or {}).get("name")
        if not isinstance(operator, str) or not operator.strip():
            self.say(record, "organization", "no organization with a name; we show who runs every service. Not imported", "error")
            return None
        entry["operator"] = operator.strip()
        summary = self._summary(record, notes)
        if summary is None:
            return None
        entry["summary"] = summary
        entry["audiences"] = self._audiences(record, notes)
        entry["coverage"] = self._coverage(record, notes)
        if not entry["audiences"] or not entry["coverage"]:
            return None
        entry["channels"] = self._channels(record, notes)
        if not entry["channels"]:
            self.say(record, None, "no phone, email or web address we could take; not imported", "error")
            return None
        languages = [lang["name"] for lang in record.get("languages", []) if isinstance(lang, dict) and lang.get("name")]
        if languages:
            entry["languages"] = list(dict.fromkeys(languages))
        accessibility = [a for a in _strings(record.get("x-accessibility")) if a in ("bsl", "text-relay", "interpreters")]
        if accessibility:
            entry["accessibility"] = accessibility
        if record.get("fees_description"):
            entry["cost"] = str(record["fees_description"]).strip()
        for key, text in (
            ("interpretation_services", "Interpretation"), ("application_process", "How to apply"), ("wait_time", "Waiting time"), ("alert", "Alert"),
        ):  # fmt: skip
            if record.get(key):
                notes.append(f"{text} (as the publisher says): {str(record[key]).strip()}")
        ages = _ages(record.get("minimum_age"), record.get("maximum_age"))
        if ages:
            notes.append(f"Ages (as the publisher says): {ages}")
        for key, value in record.items():
            if key not in _TAKEN and key != AT and not key.startswith("x-") and value not in (None, "", [], {}):
                self.say(record, key, f"not taken: {_WHY_NOT.get(key, 'this directory has no field for it')}")
        if notes:
            entry["notes"] = list(dict.fromkeys(notes))
        tags = [t for t in _strings(record.get("x-tags")) if t in self.tags]
        if tags:
            entry["tags"] = tags
        keywords = _strings(record.get("x-keywords"))
        if keywords:
            entry["keywords"] = keywords
        entry["hsds_id"] = hsds_id.strip()
        if record.get("x-help_now") in (True, "true", "True"):  # our own export: a call button on home and safety
            entry["help_now"] = True
        entry["sources"] = self._citations(record, hsds_id=hsds_id.strip())
        reviewed = record.get(f"x-{REVIEWED}")
        entry[REVIEWED] = reviewed if isinstance(reviewed, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", reviewed) else self.options.retrieved.isoformat()
        return entry

    def _summary(self, record: Mapping[str, Any], notes: list[str]) -> str | None:
        text = " ".join(str(record.get("description") or "").split())
        if not text:
            self.say(record, "description", "missing; every card has a summary. Not imported", "error")
            return None
        if len(text) <= SUMMARY_MAX:
            return text
        cut = text[:SUMMARY_MAX]
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        if end < 0:
            self.say(record, "description", f"is {len(text)} characters with no sentence break in the first {SUMMARY_MAX}; not imported", "error")
            return None
        notes.append(f"The publisher's full description: {text}")
        self.say(record, "description", f"is {len(text)} characters; the summary is its first sentences and the whole text is kept in notes")
        return cut[: end + 1]

    def _audiences(self, record: Mapping[str, Any], notes: list[str]) -> list[str]:
        ours = [a for a in _strings(record.get("x-audiences")) if a in self.audiences]
        if ours:
            return ours
        text = str(record.get("eligibility_description") or "").strip()
        names = {a["name"].lower(): a["id"] for a in self.audiences.values()}
        parts = [p.strip() for p in text.split(";") if p.strip()]
        mapped = [names[p.lower()] for p in parts if p.lower() in names]
        if parts and len(mapped) == len(parts):
            return mapped
        if text:
            notes.append(f"Who it is for (as the publisher says): {text}")
        if self.options.audience:
            used = f"is not one of our audiences; used --audience {self.options.audience} and kept the text in notes"
            self.say(record, "eligibility_description", used, "note")
            return [self.options.audience]
        self.say(
            record, "eligibility_description",
            f"{text[:80]!r} is not one of our audiences ({', '.join(sorted(self.audiences))}); not imported. Give --audience ID for this feed"
            if text else "missing, so we cannot say who the service is for; not imported. Give --audience ID for this feed",
            "error",
        )  # fmt: skip
        return []

    def _coverage(self, record: Mapping[str, Any], notes: list[str]) -> list[str]:
        names: dict[str, str] = {}
        for area in self.areas.values():
            names[area["name"].lower()] = area["name"]
            for alias in area.get("aliases", []):
                names[alias.lower()] = area["name"]
        out, unmapped = [], []
        for area in record.get("service_areas", []):
            if not isinstance(area, dict):
                continue
            text = str(area.get("name") or area.get("description") or "").strip()
            if text.lower() in names:
                out.append(names[text.lower()])
            elif text:
                unmapped.append((area, text))
        for area, text in unmapped:
            notes.append(f"Where it is available (as the publisher says): {text}")
            self.say(area, "name", f"{text[:80]!r} is not an area in data/areas.yaml; kept the text in notes")
        if out:
            return list(dict.fromkeys(out))
        if self.options.area:
            self.say(record, "service_areas", f"no area we know; used --area {self.options.area!r}", "note")
            return [self.options.area]
        unknown = "no area we know, so we cannot say where the service is available; not imported. Give --area NAME for this feed"
        self.say(record, "service_areas", unknown, "error")
        return []

    def _channels(self, record: Mapping[str, Any], notes: list[str]) -> list[dict[str, Any]]:
        hours, hours_text = self._hours(record)
        placed: list[tuple[float, dict[str, Any]]] = []
        for phone in record.get("phones", []):
            if not isinstance(phone, dict):
                continue
            channel = self._phone(phone, hours=hours, hours_text=hours_text)
            if channel:
                placed.append((phone.get("x-channel_index", 100 + len(placed)), channel))
        other = record.get("x-other_channels")
        if isinstance(other, list) and other:
            for item in other:
                if isinstance(item, dict):
                    channel = {k: item[k] for k in _CHANNEL_FIELDS if item.get(k) not in (None, "")}
                    if self._urls_ok(item, channel):
                        placed.append((item.get("x-channel_index", 100 + len(placed)), channel))
        else:
            if record.get("email"):
                placed.append((200, {"type": "email", "email": str(record["email"]).strip()}))
            if record.get("url"):
                channel = {"type": "website", "url": str(record["url"]).strip()}
                if self._urls_ok(record, channel, key="url"):
                    placed.append((201, channel))
        return [c for _i, c in sorted(placed, key=lambda pair: pair[0])]

    def _phone(self, phone: Mapping[str, Any], *, hours: str | None, hours_text: str | None) -> dict[str, Any] | None:
        raw = str(phone.get("x-number_as_published") or phone.get("number") or "")
        number = raw.strip().strip("\"'").strip()
        if number != raw:
            self.say(phone, "number", f"{raw!r} has quotes or spaces around it; read it as {number!r}", "note")
        problem = phone_problem(number) if number else "is missing"
        if problem:
            self.say(phone, "number", f"{problem}; this phone was not imported", "error")
            return None
        kind = str(phone.get("type") or "voice")
        if kind not in PHONE_FROM_HSDS:
            self.say(phone, "type", f"'{kind}' is not a way we list (voice, cell, textphone or text); this phone was not imported", "error")
            return None
        channel: dict[str, Any] = {"type": PHONE_FROM_HSDS[kind], "number": number}
        label = phone.get("x-label") or ("Textphone" if kind == "textphone" else None)
        if phone.get("extension") not in (None, ""):
            label = ", ".join(filter(None, (label, f"Extension {phone['extension']}")))
        if label:
            channel["label"] = str(label)
        if "x-channel_index" in phone:  # our own export: every field is there, one by one
            for key in ("hours_text", "cost", "note"):
                if phone.get(f"x-{key}"):
                    channel[key] = phone[f"x-{key}"]
            if phone.get("x-opening_hours"):
                channel["hours"] = phone["x-opening_hours"]
            return channel
        if phone.get("description"):
            channel["note"] = str(phone["description"]).strip()
        if hours:
            channel["hours"] = hours
        if hours_text:
            channel["hours_text"] = hours_text
        return channel

    def _urls_ok(self, obj: Mapping[str, Any], channel: dict[str, Any], key: str = "url") -> bool:
        url = channel.get("url")
        if not url:
            return True
        if urlsplit(url).scheme == "http":
            if self.options.upgrade_http:
                channel["url"] = "https://" + url[7:]
                self.say(obj, key, f"'{url}' uses http; written as '{channel['url']}' (--upgrade-http). Check that the page opens", "note")
            else:
                self.say(obj, key, f"'{url}' uses http, which this site does not link to; dropped. Give --upgrade-http to write it as https://")
                return False
        problem = url_problem(channel["url"])
        if problem:
            self.say(obj, key, f"{problem}; dropped")
            return False
        return True

    def _hours(self, record: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """The service's schedules as one opening_hours expression and the publisher's words, or (None, words)."""
        rows = [r for r in record.get("schedules", []) if isinstance(r, dict)]
        if not rows:
            return None, None
        words = "; ".join(dict.fromkeys(" ".join(str(r["description"]).split()) for r in rows if r.get("description"))) or None
        if any(r.get("x-opening_hours") for r in rows):
            return None, None  # our own export: each channel carries its own opening_hours
        expression = self._weekly(rows)
        if expression is None and words:
            self.say(record, "schedules", "kept the publisher's description as the hours text; the site will show no open-now state for them", "note")
        return expression, words

    def _weekly(self, rows: list[dict[str, Any]]) -> str | None:
        """WEEKLY rows in UK time as opening_hours ('Mo,Tu 09:00-17:00; PH unknown'), or None with a message saying why not."""
        window_first = self.options.retrieved
        window_last = window_first + timedelta(days=365)
        uk = {(first, last): offset for first, last, offset in uk_offset_periods(window_first, window_last)}
        weeks: dict[str, list[tuple[str, str, str]]] = {}
        for row in rows:
            problem = _rrule_problem(row)
            if problem:
                self.say(row, problem[0], f"{problem[1]}, which opening_hours cannot say here")
                return None
            first, last = _date(row.get("valid_from")) or window_first, _date(row.get("valid_to")) or window_last
            if last < window_first or first > window_last:
                continue  # not in force in the coming year
            opens, closes = _TIME.match(row["opens_at"]), _TIME.match(row["closes_at"])
            assert opens and closes  # _rrule_problem checked them
            offset = _offset_hours(row, opens.group(4) or closes.group(4))
            if offset is not None:
                offsets = {o for (a, b), o in uk.items() if a <= last and b >= first}
                if offsets != {offset}:
                    self.say(row, "timezone", f"UTC{offset:+d} is not the UK clock for all of {first} to {last}; the times cannot be read as UK time")
                    return None
            start, end = f"{opens.group(1)}:{opens.group(2)}", f"{closes.group(1)}:{closes.group(2)}"
            end = "24:00" if end == "23:59" else end
            key = f"{first}/{last}"
            for day in row["byday"].split(","):
                weeks.setdefault(key, []).append((day.strip(), start, end))
        distinct = {tuple(sorted(set(w))) for w in weeks.values()}
        if len(distinct) != 1:
            if rows:
                self.say(rows[0], "valid_from", "the weekly hours change during the coming year; opening_hours here holds one week")
            return None
        (week,) = distinct
        by_times: dict[tuple[str, ...], list[str]] = {}
        for day in BYDAY:
            times = tuple(sorted(f"{s}-{e}" for d, s, e in week if d == day))
            if times:
                by_times.setdefault(times, []).append(day[0] + day[1].lower())
        rules = [f"{','.join(days)} {','.join(times)}" for times, days in sorted(by_times.items(), key=lambda kv: BYDAY.index(kv[1][0].upper()))]
        expression = "; ".join(rules + ["PH unknown"])
        problem = hours_error(expression)
        if problem:
            self.say(rows[0], "opens_at", f"the hours became {expression!r}, which is not valid: {problem}")
            return None
        return expression

    def _citations(self, record: Mapping[str, Any], *, hsds_id: str) -> list[dict[str, Any]]:
        cited = [{"id": self.source_id, "section": f"service {hsds_id}"}]
        for source in record.get("x-sources", []) if isinstance(record.get("x-sources"), list) else []:
            known = self.sources.get(source.get("id")) if isinstance(source, dict) else None
            if known and known["title"] == source.get("title") and source.get("section"):
                cited.append({k: source[k] for k in ("id", "section", "note") if source.get(k)})
        return cited


def _ages(low: Any, high: Any) -> str | None:
    def age(value: Any) -> str | None:
        return str(int(value)) if isinstance(value, int | float) and float(value).is_integer() else None

    low_text, high_text = age(low), age(high)
    if low_text and high_text:
        return f"{low_text} to {high_text}"
    if low_text:
        return f"{low_text} and over"
    return f"up to {high_text}" if high_text else None


def _rrule_problem(row: Mapping[str, Any]) -> tuple[str, str] | None:
    if row.get("freq") != "WEEKLY":
        return "freq", f"freq is {row.get('freq')!r}, not WEEKLY" if row.get("freq") else "freq is missing"
    if row.get("interval") not in (None, "", 1):
        return "interval", f"interval {row['interval']} (every {row['interval']} weeks)"
    for key in _RRULE_UNSUPPORTED:
        if row.get(key) not in (None, ""):
            return key, f"{key} {row[key]!r} limits the weeks"
    days = [d.strip() for d in str(row.get("byday") or "").split(",") if d.strip()]
    if not days or any(d not in BYDAY for d in days):
        return "byday", f"byday {row.get('byday')!r} is not a list of days (MO,TU,...)"
    for key in ("opens_at", "closes_at"):
        if not isinstance(row.get(key), str) or not _TIME.match(row[key]):
            return key, f"{key} {row.get(key)!r} is not a time (HH:MM)"
    if row["closes_at"][:5] <= row["opens_at"][:5] and row["closes_at"][:5] != "00:00":
        return "closes_at", f"closes_at {row['closes_at']} is not after opens_at {row['opens_at']}"
    return None


def _offset_hours(row: Mapping[str, Any], suffix: str | None) -> int | None:
    if suffix:
        if suffix == "Z":
            return 0
        sign = -1 if suffix[0] == "-" else 1
        digits = suffix[1:].replace(":", "")
        return sign * int(digits[:2]) if digits[2:] in ("", "00") else 99
    if isinstance(row.get("timezone"), int | float):
        return int(row["timezone"]) if float(row["timezone"]).is_integer() else 99
    return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _strings(value: Any) -> list[str]:
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


# ---------------------------------------------------------------- writing


def import_feed(path: Path, *, data_dir: Path = DATA_DIR, options: Options, write: bool = True, progress: Any = None) -> Imported:
    """Read, map, check and (unless write is false) write one feed; raises ValueError when the feed cannot be read.

    `progress` is called with a line of text at each long step (the command line prints them).
    """
    say = progress or (lambda _text: None)
    records = read_feed(path)
    say(f"read {len(records)} service record(s); loading the data")
    site = load_site(data_dir=data_dir, today=options.retrieved)
    source_id = options.source_id or "hsds-" + slugify(path.parent.name if path.name == "datapackage.json" else path.stem)
    vocab = {
        "audiences": site.by_key("audiences"), "areas": site.by_key("areas", "name"), "tags": site.by_key("tags"),
        "sources": {k: v for k, v in site.by_key("sources").items() if k != source_id},
    }  # fmt: skip
    for flag, value, known in (("--area", options.area, vocab["areas"]), ("--audience", options.audience, vocab["audiences"])):
        if value is not None and value not in known:
            raise ValueError(f"{flag} {value!r} is not in {'data/areas.yaml' if flag == '--area' else 'data/vocabularies.yaml'}")
    mapper = _Mapper(vocab=vocab, options=options, source_id=source_id)
    result = Imported()
    mapped: list[tuple[dict[str, Any], dict[str, Any]]] = []
    seen: dict[str, str] = {}
    for record in records:
        entry = mapper.entry(record)
        if entry is not None and entry["hsds_id"] in seen:
            mapper.say(record, "id", f"'{entry['hsds_id']}' is also the id of {seen[entry['hsds_id']]}; not imported", "error")
            entry = None
        if entry is None:
            result.skipped += 1
            continue
        seen[entry["hsds_id"]] = _where(record)
        mapped.append((record, entry))
    result.messages = mapper.messages
    plan = _Plan.of(site, mapped)
    say(f"mapped {len(mapped)}; writing them as YAML")
    chunks = _entry_texts([entry for _record, entry in mapped])
    helplines_text = (data_dir / f"{HELPLINES}.yaml").read_text(encoding="utf-8")
    sources = _sources_text((data_dir / f"{SOURCES}.yaml").read_text(encoding="utf-8"), options=options, source_id=source_id, path=path)
    accepted = list(range(len(mapped)))
    # Entries the data refuses are left out, each with the data's own message, until the rest pass.
    while True:
        helplines = plan.text(helplines_text, chunks=chunks, accepted=accepted)
        say(f"checking all the data with {len(accepted)} imported service(s) in it (make check)")
        try:
            _check(data_dir, {HELPLINES: helplines, SOURCES: sources}, today=options.retrieved)
        except DataErrors as exc:
            refused = _refused(exc, {i: mapped[i][1]["id"] for i in accepted})
            if not refused:
                raise
            for index, errors in sorted(refused.items()):
                for error in errors:
                    result.messages.append(Message(_where(mapped[index][0]), f"not imported: {error.message} ({error.field or 'entry'})", "error"))
                result.skipped += 1
            accepted = [i for i in accepted if i not in refused]
            continue
        break
    result.entries = [mapped[i][1] for i in accepted]
    result.updated = sum(1 for i in accepted if i in plan.replaces)
    result.added = len(accepted) - result.updated
    if write and accepted:
        say("writing data/sources.yaml and data/helplines.yaml")
        _write(data_dir / f"{SOURCES}.yaml", sources)
        _write(data_dir / f"{HELPLINES}.yaml", helplines)
    return result


@dataclass
class _Plan:
    """Where each imported entry goes: in place of the entry with its hsds_id, or at the end of the file."""

    replaces: dict[int, tuple[int, int]]  # index in `mapped` -> (first line, end line) of the entry it replaces, 0-based

    @classmethod
    def of(cls, site: Any, mapped: list[tuple[dict[str, Any], dict[str, Any]]]) -> _Plan:
        existing = site.entries("services")
        starts = [int(site.origin("services", i).rsplit(":", 2)[1]) - 1 for i in range(len(existing))]
        by_hsds = {s["hsds_id"]: i for i, s in enumerate(existing) if s.get("hsds_id")}
        taken = {s["id"] for s in existing}
        replaces = {}
        for index, (_record, entry) in enumerate(mapped):
            at = by_hsds.get(entry["hsds_id"])
            if at is None:
                entry["id"] = unique_id(entry["id"], taken=taken)
                taken.add(entry["id"])
            else:
                entry["id"] = existing[at]["id"]
                replaces[index] = (starts[at], starts[at + 1] if at + 1 < len(starts) else -1)
        return cls(replaces=replaces)

    def text(self, original: str, *, chunks: list[str], accepted: list[int]) -> str:
        """The file with the accepted entries in place: every other line, comments included, as it was."""
        lines = original.splitlines(keepends=True)
        spans = []
        for index, (first, end) in self.replaces.items():
            end = len(lines) if end < 0 else end
            while end > first + 1 and lines[end - 1].lstrip().startswith("#") or end > first + 1 and not lines[end - 1].strip():
                end -= 1  # a comment above the next entry belongs to it
            spans.append((first, end, chunks[index] if index in accepted else "".join(lines[first:end])))
        out, at = [], 0
        for first, end, text in sorted(spans):
            out.append("".join(lines[at:first]))
            out.append(text)
            at = end
        out.append("".join(lines[at:]))
        body = "".join(out)
        appended = "".join(chunks[i] for i in accepted if i not in self.replaces)
        return body if not appended else body.rstrip("\n") + "\n" + appended


def _entry_texts(entries: list[dict[str, Any]]) -> list[str]:
    """Each entry as the house style writes it in data/helplines.yaml ('  - id: ...' and its lines), dumped in one go."""
    if not entries:
        return []
    text = fmt.dump(CommentedMap({"services": CommentedSeq([_yaml_entry(e) for e in entries])}))
    body = text.split("\n", 1)[1]
    starts = [m.start() for m in re.finditer(r"^  - ", body, flags=re.M)]
    chunks = [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    assert len(chunks) == len(entries), "an entry's text has a line that looks like the start of another"
    return chunks


def _sources_text(text: str, *, options: Options, source_id: str, path: Path) -> str:
    """data/sources.yaml with the feed added, or updated with the new retrieval date."""
    sources_doc = fmt.round_trip_yaml().load(text)
    source = CommentedMap(
        id=source_id,
        title=f"Open Referral HSDS feed: {path.parent.name + '/' if path.name == 'datapackage.json' else ''}{path.name}",
        publisher=options.publisher or "The feed's publisher (not named in the feed)",
        # A feed carries no publication date: the day it was retrieved is the day it was read.
        accessed=DoubleQuotedScalarString(options.retrieved.isoformat()),
        summary=(
            "Services imported with make import-hsds from an Open Referral HSDS 3.0 feed, as it stood when retrieved on"
            f" {options.retrieved.isoformat()}. Not verified with the services."
        ),
        reference=path.name,
    )
    if options.url:
        source["url"] = options.url
    source[REVIEWED] = DoubleQuotedScalarString(options.retrieved.isoformat())
    listed = sources_doc["sources"]
    at = next((i for i, s in enumerate(listed) if s["id"] == source_id), None)
    if at is None:
        listed.append(source)
    else:
        listed[at] = source
    return fmt.dump(sources_doc)


def _yaml_entry(entry: Mapping[str, Any]) -> CommentedMap:
    out = CommentedMap()
    for key, value in entry.items():
        if key in FLOW_LISTS:
            seq = CommentedSeq(value)
            seq.fa.set_flow_style()
            out[key] = seq
        elif key == "channels":
            out[key] = CommentedSeq(
                [CommentedMap({k: DoubleQuotedScalarString(v) if k in ("number", "hours") else v for k, v in c.items()}) for c in value]
            )
        elif key == "sources":
            out[key] = CommentedSeq([CommentedMap(s) for s in value])
        elif key in (REVIEWED, "hsds_id"):
            out[key] = DoubleQuotedScalarString(value)
        else:
            out[key] = value
    fmt.order_keys(CommentedMap({"services": CommentedSeq([out])}), name=HELPLINES)
    return out


def _check(data_dir: Path, texts: Mapping[str, str], *, today: date) -> None:
    with tempfile.TemporaryDirectory(prefix="sitedata-import-") as scratch:
        trial = Path(scratch) / data_dir.name
        shutil.copytree(data_dir, trial, ignore=shutil.ignore_patterns("schema", "*.md"))
        for name, text in texts.items():
            (trial / f"{name}.yaml").write_text(text, encoding="utf-8")
        load_site(data_dir=trial, today=today)


def _refused(exc: DataErrors, ids: Mapping[int, str]) -> dict[int, list[Any]]:
    by_id = {f"'{entry_id}'": index for index, entry_id in ids.items()}
    out: dict[int, list[Any]] = {}
    for error in exc.errors:
        match = re.search(r"'[^']*'", error.entry)
        if match and match.group(0) in by_id:
            out.setdefault(by_id[match.group(0)], []).append(error)
    return out


def _write(path: Path, text: str) -> None:
    scratch = path.with_name(f".{path.name}.import-tmp")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


# ---------------------------------------------------------------- command line


def add_parser(sub: Any) -> None:
    """Register `import-hsds` on the `python -m sitedata` command line."""
    parser = sub.add_parser("import-hsds", help="import Open Referral HSDS 3.0 services into data/helplines.yaml", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("file", type=str, help="a .json service record, list or API page, or a datapackage.json (a local file)")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder (default: data/)")
    parser.add_argument("--retrieved", type=date.fromisoformat, help="the date the feed was retrieved (YYYY-MM-DD; default today)")
    parser.add_argument("--source-id", help="the id of the feed in data/sources.yaml (default: hsds- and the file name)")
    parser.add_argument("--publisher", help="who publishes the feed, for data/sources.yaml")
    parser.add_argument("--url", help="the https address the feed was downloaded from, for data/sources.yaml")
    parser.add_argument("--area", help="the area (data/areas.yaml) for services whose service_areas we cannot map")
    parser.add_argument("--audience", help="the audience id (data/vocabularies.yaml) for services whose eligibility we cannot map")
    parser.add_argument("--upgrade-http", action="store_true", help="write http:// addresses as https:// (with a note) instead of dropping them")
    parser.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")


def main(args: argparse.Namespace, *, today: date) -> int:
    """Run `import-hsds`; returns the exit status (0 when something or nothing was imported cleanly, 1 when services were refused)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", args.file):
        print(f"{args.file}: error: this command reads a local file; download the feed first (from an https address), then pass the file "
              "and --url with its address", file=sys.stderr)  # fmt: skip
        return 2
    if args.url and urlsplit(args.url).scheme != "https":
        print(f"--url {args.url}: error: the feed's address must start with https:// (data/sources.yaml links only to https)", file=sys.stderr)
        return 2
    options = Options(
        retrieved=args.retrieved or today, source_id=args.source_id, publisher=args.publisher, url=args.url,
        area=args.area, audience=args.audience, upgrade_http=args.upgrade_http,
    )  # fmt: skip
    path = Path(args.file)
    print(f"==> reading {path}", file=sys.stderr)
    try:
        result = import_feed(path, data_dir=args.data, options=options, write=not args.dry_run, progress=lambda text: print(f"==> {text}", file=sys.stderr))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DataErrors as exc:
        print(exc.report(), file=sys.stderr)
        print("The data did not pass its checks with the import in it; nothing was written.", file=sys.stderr)
        return 1
    for message in result.messages:
        print(message, file=sys.stderr)
    verb = "would add" if args.dry_run else "added"
    print(f"{path.name}: {verb} {result.added}, {'would update' if args.dry_run else 'updated'} {result.updated}, not imported {result.skipped}"
          f"{' (see the errors above)' if result.skipped else ''}; run 'make check' and review the entries before committing")  # fmt: skip
    return 1 if result.skipped else 0

