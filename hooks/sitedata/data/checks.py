"""Checks the schema cannot express. Each is a small named function returning DataErrors."""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from sitedata.data.errors import SEVERITY_WARNING, DataError, describe, did_you_mean
from sitedata.data.phones import phone_problem
from sitedata.data.schemas import entry_label, load_schema
from sitedata.data.urls import https_problem, image_problem, link_problem
from sitedata.data.yamlsource import Located
from sitedata.text import markdown_html

SCHEMA_COMMENT = "# yaml-language-server: $schema=schema/{name}.schema.json"
REVIEW_MONTHS_DEFAULT = 12

# Deliberately plain: one @, no spaces, a dotted domain with a 2+ letter top level.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# Raw HTML in Markdown: a tag, a closing tag, a comment, or a declaration.
_RAW_HTML = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*[\s/>]|!--|![A-Za-z]|\?)")
# Markdown that a plain-text summary should never hold: emphasis, code, links, headings, list items.
_SUMMARY_MARKDOWN = re.compile(r"\*\*|__|`|\]\(|(?:^|\s)[*_][^\s*_][^*_]*[*_](?=\s|[.,;:!?]|$)|(?:^|\n)\s*(?:#{1,6}\s|[-*+]\s|\d+\.\s)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A sentence ends at . ! or ? (maybe closed by a quote or bracket) followed by a space and a capital or digit.
_SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]?\s+(?=[A-Z0-9“‘\"'])")


@dataclass(frozen=True)
class Node:
    """One value in a data file, with its schema and where it is."""

    doc: Located
    name: str
    path: tuple[str | int, ...]
    value: Any
    schema: Mapping[str, Any]

    def error(self, message: str, *, severity: str = "error", line: int | None = None) -> DataError:
        """A DataError located at this value (or at `line` within it)."""
        at_line, col = self.doc.at(self.path)
        line = line or at_line
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
        if not vocab or not isinstance(node.value, str):
            continue
        problem = reference_problem(node.value, vocab, vocabularies=vocabularies)
        if problem:
            out.append(node.error(problem))
    return out


def reference_problem(value: str, vocab: str, *, vocabularies: Mapping[str, Vocabulary]) -> str | None:
    """Why `value` is not a known entry of the vocabulary `vocab`, or None."""
    if vocab not in vocabularies:
        return None  # a vocabulary whose file failed to load has already been reported
    known = vocabularies[vocab]
    if value in known.values:
        return None
    hint = did_you_mean(value, sorted(known.values)) or f"; use one listed in {known.file}, or add it there first"
    return f"{describe(value)} is not a known {known.entry}{hint}"


def check_dates(nodes: Iterable[Node], *, today: date) -> list[DataError]:
    """Dates are real calendar dates; a `format: date` (a day something was done) is not in the future either.

    `x-calendar-date: true` marks a date that may lie ahead (the last day a link-allowlist entry applies).
    """
    out: list[DataError] = []
    for node in nodes:
        past = node.schema.get("format") == "date"
        if not (past or node.schema.get("x-calendar-date")) or not isinstance(node.value, str):
            continue
        problem = date_problem(node.value, today=today if past else date.max)
        if problem:
            out.append(node.error(problem))
    return out


def date_problem(value: str, *, today: date) -> str | None:
    """Why a date field's text is not a real date on or before `today`, or None."""
    if not _DATE.fullmatch(value):
        return None  # the schema's pattern already reports the format
    try:
        when = date.fromisoformat(value)
    except ValueError:
        return f"{describe(value)} is not a real date; check the month and day"
    if when > today:
        return f"{describe(value)} is in the future (today is {today.isoformat()}); use the date you actually checked it"
    return None


# The checks below judge one value alone, so a value that passed them once passes them again (sitedata.data.entrywise
# keeps that result for each entry). Each is a value-level function, which the named check applies to every node.


def _phone(value: Any, schema: Mapping[str, Any]) -> str | None:
    if schema.get("format") != "phone" or not isinstance(value, str):
        return None
    return phone_problem(value)


def _email(value: Any, schema: Mapping[str, Any]) -> str | None:
    if schema.get("format") != "email" or not isinstance(value, str) or _EMAIL.match(value):
        return None
    return f"{describe(value)} is not a well-formed email address; it should look like name@example.org.uk"


def _url(value: Any, schema: Mapping[str, Any]) -> str | None:
    if schema.get("format") != "uri" or not isinstance(value, str):
        return None
    return url_problem(value)


def _markdown(value: Any, schema: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(message, link target or None) for each problem in a Markdown field."""
    if schema.get("contentMediaType") != "text/markdown" or not isinstance(value, str):
        return []
    out: list[tuple[str, str | None]] = []
    m = _RAW_HTML.search(value)
    if m:
        end = value.find(">", m.start())
        snippet = value[m.start() : end + 1 if 0 < end < m.start() + 40 else m.start() + 20]
        fix = "use Markdown instead, for example **bold** or [text](https://...)"
        out.append((f"raw HTML is not allowed in Markdown fields (found {describe(snippet)}); {fix}", None))
    if "[" not in value:
        return out  # Python-Markdown makes links and images only from [...]; '<' is escaped before it runs, so no autolinks
    # Judge what the build will publish, not the source: reference links, escapes and entities all resolved.
    page = LexborHTMLParser(str(markdown_html(value)))
    for element in page.css("a[href], img[src]"):
        target = element.attributes.get("href" if element.tag == "a" else "src") or ""
        problem = link_problem(target) if element.tag == "a" else image_problem(target)
        if problem:
            out.append((problem, target))
    return out


def _summary(value: Any, schema: Mapping[str, Any]) -> str | None:
    limit = schema.get("x-summary-sentences")
    if not isinstance(limit, int) or not isinstance(value, str):
        return None
    hint = "if this text is the entry's body, put back the 'body: |' line above it, on its own line"
    m = _SUMMARY_MARKDOWN.search(value)
    if m:
        return f"a summary is shown as plain text, but this one holds Markdown ({describe(m.group().strip())}); remove it, or {hint}"
    sentences = len(_SENTENCE_END.findall(value.strip())) + 1
    if sentences > limit:
        return f"a summary is at most {limit} sentences, and this one runs to {sentences}; shorten it, or {hint}"
    return None


def _real_date(value: Any, schema: Mapping[str, Any]) -> str | None:
    """check_dates less the comparison with today: whether a date field names a real day."""
    if not (schema.get("format") == "date" or schema.get("x-calendar-date")) or not isinstance(value, str):
        return None
    return date_problem(value, today=date.max)


def _hours(value: Any, schema: Mapping[str, Any], hours_error: Callable[[str], str | None]) -> str | None:
    if schema.get("format") != "opening-hours" or not isinstance(value, str):
        return None
    return hours_error(value)


def passes_value_checks(value: Any, schema: Mapping[str, Any], *, hours_error: Callable[[str], str | None]) -> bool:
    """Whether every check that judges a value alone (phones, emails, addresses, Markdown, summaries, hours, real dates) passes it."""
    for check in _value_checks(schema):
        if check(value, schema, hours_error):
            return False
    return True


def _value_checks(schema: Mapping[str, Any], _memo: dict[int, tuple[Any, ...]] = {}) -> tuple[Callable[..., Any], ...]:  # noqa: B006 - deliberate memo
    """The value checks that can find something in a node with this schema (the others return nothing at once)."""
    found = _memo.get(id(schema))
    if found is None or found[0] is not schema:  # the schema is kept in the memo, so its id is never reused
        fmt = schema.get("format")
        applies = (
            (fmt == "phone", lambda v, s, _h: _phone(v, s)),
            (fmt == "email", lambda v, s, _h: _email(v, s)),
            (fmt == "uri", lambda v, s, _h: _url(v, s)),
            (schema.get("contentMediaType") == "text/markdown", lambda v, s, _h: _markdown(v, s)),
            (isinstance(schema.get("x-summary-sentences"), int), lambda v, s, _h: _summary(v, s)),
            (fmt == "opening-hours", _hours),
            (fmt == "date", lambda v, s, _h: _real_date(v, s)),
        )
        found = _memo[id(schema)] = (schema, tuple(check for wanted, check in applies if wanted))
    return found[1]


def check_phone_numbers(nodes: Iterable[Node]) -> list[DataError]:
    """Phone numbers are valid UK numbers (or UK short codes such as 999)."""
    return [node.error(problem) for node in nodes if (problem := _phone(node.value, node.schema))]


def check_emails(nodes: Iterable[Node]) -> list[DataError]:
    """Email addresses are well formed."""
    return [node.error(problem) for node in nodes if (problem := _email(node.value, node.schema))]


def check_urls(nodes: Iterable[Node]) -> list[DataError]:
    """Web addresses are complete and use https."""
    return [node.error(problem) for node in nodes if (problem := _url(node.value, node.schema))]


def url_problem(url: str) -> str | None:
    """Why `url` is not an https address of a public web site, or None (the same rules as links in Markdown)."""
    return https_problem(url)


def check_markdown(nodes: Iterable[Node]) -> list[DataError]:
    """Markdown fields hold no raw HTML, and every link and image in the HTML they render to is allowed (sitedata.data.urls)."""
    return [
        node.error(problem, line=None if target is None else _line_of_link(node, target))
        for node in nodes
        for problem, target in _markdown(node.value, node.schema)
    ]


def check_summaries(nodes: Iterable[Node]) -> list[DataError]:
    """Summaries are short plain text: Markdown or a run of sentences usually means a `body: |` line was deleted."""
    return [node.error(problem) for node in nodes if (problem := _summary(node.value, node.schema))]


def _line_of_link(node: Node, target: str) -> int | None:
    """The data line a link's target is written on, in a literal block ('|'); None for the field's own line."""
    if node.doc.styles.get(node.path) != "|":
        return None
    # The rendered target may differ from the source by Markdown's escapes; fall back to its longest plain run.
    runs = sorted(re.findall(r"[A-Za-z0-9.:/?=@_-]{4,}", target), key=len, reverse=True)
    index = next((i for i in (node.value.find(t) for t in (target, *runs[:1])) if i >= 0), -1)
    if index < 0:
        return None
    return node.doc.at(node.path)[0] + 1 + node.value.count("\n", 0, index)


def check_opening_hours(nodes: Iterable[Node], *, hours_error: Callable[[str], str | None]) -> list[DataError]:
    """Opening hours parse as OpenStreetMap opening_hours."""
    return [node.error(problem) for node in nodes if (problem := _hours(node.value, node.schema, hours_error))]


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


# Entries overdue for review that fail a strict build: a service's numbers and hours are read by people who
# need help now. Other entries overdue are listed for editors (the review-due page, make check) and logged.
REVIEW_FATAL_KINDS = frozenset({"service"})


def warning_level(warning: DataError) -> int:
    """The review policy in one place: logging.WARNING for a warning that fails a strict build, logging.INFO for one editors read.

    - an entry overdue for review: fatal for the kinds in REVIEW_FATAL_KINDS, informational for the rest;
    - every other warning (a 24/7 claim its hours contradict): fatal.
    """
    if warning.field == "last_reviewed":
        kind = warning.entry.split(" ", 1)[0]
        return logging.WARNING if kind in REVIEW_FATAL_KINDS else logging.INFO
    return logging.WARNING


def _months_before(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)
