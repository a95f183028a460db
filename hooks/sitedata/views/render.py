"""Render data into HTML through autoescaping Jinja templates kept in overrides/partials/data/."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from sitedata.constants import TEMPLATE_DIR
from sitedata.text import long_date, markdown_html, month_year, phone_display, tel_uri


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
