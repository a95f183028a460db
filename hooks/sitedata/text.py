"""Plain text and values written the site's way: Markdown fields as HTML, UK phone numbers, dates.

Used by the data checks (a field's Markdown is judged by rendering it) and by every view.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import markdown as md
import phonenumbers
from markupsafe import Markup, escape

from sitedata.constants import MONTH_NAMES

_NATIONAL_GROUPED = re.compile(r"^0\d{2,5}( \d{2,6}){1,3}$")


@lru_cache(maxsize=65_536)  # `make check` renders fields with links to judge them; the build then reuses the HTML
def markdown_html(text: str) -> Markup:
    """Markdown to HTML. Raw HTML is rejected by the checks; escaping '<' here makes sure of it."""
    source = str(escape(text)).replace("&#34;", '"').replace("&#39;", "'")
    return Markup(_markdown().reset().convert(source))


@lru_cache(maxsize=1)
def _markdown() -> md.Markdown:
    return md.Markdown(extensions=["sane_lists"], output_format="html")


@lru_cache(maxsize=65_536)  # the same numbers appear on the cards and in every export
def tel_uri(number: str) -> str:
    """'tel:+448082000247' (E.164), or 'tel:999' for a UK short code."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) <= 6:
        return f"tel:{digits}"
    parsed = phonenumbers.parse(number, "GB")
    return "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65_536)
def phone_display(number: str) -> str:
    """A UK number written the UK way, keeping the service's own published grouping ('0808 2000 247')."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) <= 6:
        return digits
    if _NATIONAL_GROUPED.match(number.strip()):
        return " ".join(number.split())
    parsed = phonenumbers.parse(number, "GB")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def long_date(value: str | date) -> str:
    """'22 November 2026'."""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def month_year(value: str) -> str:
    """A source's publication date as precise as it is: '2020', 'April 2020', '3 November 2022'."""
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return f"{MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    return long_date(value)
