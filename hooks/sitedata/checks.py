"""Checks the schema cannot express. Each is a small named function returning DataErrors."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import shortnumberinfo

from .errors import SEVERITY_WARNING, DataError, describe, did_you_mean
from .schemas import entry_label, load_schema
from .yamlsource import Located

SCHEMA_COMMENT = "# yaml-language-server: $schema=schema/{name}.schema.json"
REGION = "GB"
REVIEW_MONTHS_DEFAULT = 12

# Deliberately plain: one @, no spaces, a dotted domain with a 2+ letter top level.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# Raw HTML in Markdown: a tag, a closing tag, a comment, or a declaration.
_RAW_HTML = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*[\s/>]|!--|![A-Za-z]|\?)")
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Node:
    """One value in a data file, with its schema and where it is."""

    doc: Located
    name: str
    path: tuple[str | int, ...]
    value: Any
    schema: Mapping[str, Any]

    def error(self, message: str, *, severity: str = "error") -> DataError:
        """A DataError located at this value."""
        line, col = self.doc.at(self.path)
        entry, field, _ = entry_label(self.doc, self.path, schema=load_schema(self.name))
        return DataError(self.doc.file, line, col, message, entry=entry, field=field, severity=severity)


def check_schema_comment(doc: Located, *, name: str) -> list[DataError]:
    """The first line names the schema, so editors get autocomplete."""
    want = SCHEMA_COMMENT.format(name=name)
    if doc.first_line.strip() == want:
        return []
    return [DataError(doc.file, 1, 1, f"the first line must be '{want}' so your editor can check the file as you type; add it")]


def check_unique_keys(doc: Located, *, name: str) -> list[DataError]:
    """Ids (or names, for areas) are unique within each list of a file."""
    out: list[DataError] = []
    schema = load_schema(name)
    if not isinstance(doc.data, dict):
        return out
    for list_name, list_schema in schema.get("properties", {}).items():
        items = doc.data.get(list_name)
        if "x-entry" not in list_schema or not isinstance(items, list):
            continue
        key = list_schema.get("x-key", "id")
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            value = item.get(key) if isinstance(item, dict) else None
            if not isinstance(value, str):
                continue
            if value in seen:
                first_line = doc.at((list_name, seen[value], key))[0]
                line, col = doc.at((list_name, i, key))
                kind = list_schema["x-entry"]
                out.append(
                    DataError(
                        doc.file, line, col,
                        f"{describe(value)} is already used by the {kind} on line {first_line}; give this {kind} a different {key}",
                        entry=f"{kind} '{value}'", field=key,
                    )
                )
            else:
                seen[value] = i
    return out


@dataclass(frozen=True)
class Vocabulary:
    """The values other entries may refer to in one list, and where editors add more."""

    values: frozenset[str]
    entry: str
    file: str


def check_references(nodes: Iterable[Node], *, vocabularies: Mapping[str, Vocabulary]) -> list[DataError]:
    """Every reference to an area, tag, source, audience, status, term or other entry resolves."""
    out: list[DataError] = []
    for node in nodes:
        vocab = node.schema.get("x-vocabulary")
        if not vocab or not isinstance(node.value, str) or vocab not in vocabularies:
            continue  # a vocabulary whose file failed to load has already been reported
        known = vocabularies[vocab]
        if node.value not in known.values:
            hint = did_you_mean(node.value, sorted(known.values)) or f"; use one listed in {known.file}, or add it there first"
            out.append(node.error(f"{describe(node.value)} is not a known {known.entry}{hint}"))
    return out


def check_dates(nodes: Iterable[Node], *, today: date) -> list[DataError]:
    """Dates are real calendar dates and are not in the future."""
    out: list[DataError] = []
    for node in nodes:
        if node.schema.get("format") != "date" or not isinstance(node.value, str):
            continue
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", node.value):
            continue  # the schema's pattern already reports the format
        try:
            when = date.fromisoformat(node.value)
        except ValueError:
            out.append(node.error(f"{describe(node.value)} is not a real date; check the month and day"))
            continue
        if when > today:
            out.append(node.error(f"{describe(node.value)} is in the future (today is {today.isoformat()}); use the date you actually checked it"))
    return out


def check_phone_numbers(nodes: Iterable[Node]) -> list[DataError]:
    """Phone numbers are valid UK numbers (or UK short codes such as 999)."""
    out: list[DataError] = []
    for node in nodes:
        if node.schema.get("format") != "phone" or not isinstance(node.value, str):
            continue
        problem = phone_problem(node.value)
        if problem:
            out.append(node.error(problem))
    return out


def phone_problem(text: str) -> str | None:
    """Why `text` is not a valid UK number, or None when it is."""
    digits = re.sub(r"[\s()-]", "", text)
    if re.fullmatch(r"\d{3,6}", digits):
        short = phonenumbers.parse(digits, REGION)
        if shortnumberinfo.is_valid_short_number_for_region(short, REGION):
            return None
        return f"{describe(text)} is not a valid UK short number; check the digits"
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return f"{describe(text)} is not a phone number; write it as published, for example '0808 2000 247'"
    # Almost every number is a valid GB number: that one test (region code 44 lists GB first) settles it;
    # only the rest pay for trying every region that shares +44.
    if phonenumbers.is_valid_number_for_region(number, REGION):
        return None
    if not phonenumbers.is_valid_number(number):
        return f"{describe(text)} is not a valid UK phone number; check the digits (UK numbers have 10 digits after the leading 0)"
    if phonenumbers.region_code_for_number(number) not in (REGION, "GG", "JE", "IM"):
        return f"{describe(text)} is not a UK number; only UK services are listed"
    return None


def check_emails(nodes: Iterable[Node]) -> list[DataError]:
    """Email addresses are well formed."""
    return [
        node.error(f"{describe(node.value)} is not a well-formed email address; it should look like name@example.org.uk")
        for node in nodes
        if node.schema.get("format") == "email" and isinstance(node.value, str) and not _EMAIL.match(node.value)
    ]


def check_urls(nodes: Iterable[Node]) -> list[DataError]:
    """Web addresses are complete and use https."""
    out: list[DataError] = []
    for node in nodes:
        if node.schema.get("format") != "uri" or not isinstance(node.value, str):
            continue
        problem = url_problem(node.value)
        if problem:
            out.append(node.error(problem))
    return out


def url_problem(url: str) -> str | None:
    """Why `url` is not an acceptable https address, or None."""
    if any(c.isspace() for c in url):
        return f"{describe(url)} contains a space; remove it or write it as %20"
    parts = urlsplit(url)
    if parts.scheme == "http":
        return f"{describe(url)} uses http; use 'https://{url[7:]}' (check the page opens with https first)"
    if parts.scheme != "https":
        return f"{describe(url)} is not a full web address; it must start with https://"
    if not _HOST.match(parts.hostname or ""):
        return f"{describe(url)} has no valid host name after https://"
    return None


def check_markdown(nodes: Iterable[Node]) -> list[DataError]:
    """Markdown fields hold no raw HTML and link only to https or site pages."""
    out: list[DataError] = []
    for node in nodes:
        if node.schema.get("contentMediaType") != "text/markdown" or not isinstance(node.value, str):
            continue
        m = _RAW_HTML.search(node.value)
        if m:
            end = node.value.find(">", m.start())
            snippet = node.value[m.start() : end + 1 if 0 < end < m.start() + 40 else m.start() + 20]
            out.append(node.error(f"raw HTML is not allowed in Markdown fields (found {describe(snippet)}); use Markdown instead, for example **bold** or [text](https://...)"))
        for target in _MD_LINK.findall(node.value):
            scheme = urlsplit(target).scheme
            if scheme and scheme not in ("https", "mailto", "tel"):
                out.append(node.error(f"link {describe(target)} must use https (or be a link to a page on this site)"))
    return out


def check_opening_hours(nodes: Iterable[Node], *, hours_error: Callable[[str], str | None]) -> list[DataError]:
    """Opening hours parse as OpenStreetMap opening_hours."""
    out: list[DataError] = []
    for node in nodes:
        if node.schema.get("format") != "opening-hours" or not isinstance(node.value, str):
            continue
        problem = hours_error(node.value)
        if problem:
            out.append(node.error(problem))
    return out


def review_due(docs: Mapping[str, Located], *, today: date, months: int = REVIEW_MONTHS_DEFAULT) -> list[DataError]:
    """Warnings for entries whose last check is older than the review interval."""
    cutoff = _months_before(today, months)
    out: list[DataError] = []
    for name, doc in docs.items():
        schema = load_schema(name)
        if not isinstance(doc.data, dict):
            continue
        for list_name, list_schema in schema.get("properties", {}).items():
            if "x-entry" not in list_schema:
                continue
            for i, item in enumerate(doc.data.get(list_name) or []):
                checked = item.get("last_reviewed") if isinstance(item, dict) else None
                try:
                    when = date.fromisoformat(checked) if isinstance(checked, str) else None
                except ValueError:
                    continue
                if when and when < cutoff:
                    node = Node(doc, name, (list_name, i, "last_reviewed"), checked, {})
                    message = f"last reviewed {checked}, more than {months} months ago; check it against its source and update the date"
                    out.append(node.error(message, severity=SEVERITY_WARNING))
    return sorted(out, key=lambda e: (e.file, e.line, e.column))


def _months_before(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)
