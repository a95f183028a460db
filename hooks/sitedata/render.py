"""Render data into HTML through autoescaping Jinja templates kept in overrides/partials/data/."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markdown as md
import phonenumbers
from markupsafe import Markup, escape

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "overrides" / "partials" / "data"
_NATIONAL_GROUPED = re.compile(r"^0\d{2,5}( \d{2,6}){1,3}$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


class _OptionalUndefined(jinja2.StrictUndefined):
    """Missing optional fields test false and iterate as empty; printing one is still an error."""

    def __bool__(self) -> bool:
        return False

    def __iter__(self):  # type: ignore[override]
        return iter(())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, jinja2.Undefined)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = jinja2.StrictUndefined.__hash__


@lru_cache(maxsize=4)
def environment(template_dir: Path = TEMPLATE_DIR) -> jinja2.Environment:
    """The one Jinja environment for data templates: autoescaping, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=_OptionalUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        markdown=markdown_html,
        tel_uri=tel_uri,
        phone_display=phone_display,
        long_date=long_date,
        month_year=month_year,
    )
    return env


def render(template: str, **context: Any) -> str:
    """Render one data template to an HTML string (already escaped)."""
    html = environment().get_template(template).render(**context)
    # Blank lines would end Markdown's raw-HTML block and expose text to Markdown parsing.
    return "\n".join(line for line in html.splitlines() if line.strip())


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
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def month_year(value: str) -> str:
    """A source's publication date as precise as it is: '2020', 'April 2020', '3 November 2022'."""
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return long_date(value)
