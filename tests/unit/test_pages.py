"""Generated pages: front matter that reads back exactly, and HTML that Python-Markdown would only copy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import markdown
import pytest
import yaml
from markupsafe import escape

from conftest import ROOT, DataCopy
from payloads import write_payload_data
from sitedata.data.load import load_site
from sitedata.views import directory
from sitedata.views.pages import GeneratedPage, Views

TODAY = date(2026, 12, 2)  # on or after every date in the real data
TRICKY = ["a: b # c", 'Émilie "quoted" \\ back', "line\u2028sep\u2029x\x85y", "😀 tab\there", "it's <b>bold</b> & co", "- [x] {{ 1 }}"]


@pytest.mark.parametrize("text", TRICKY)
def test_front_matter_reads_back_as_the_escaped_text(text: str) -> None:
    page = GeneratedPage(src_uri="x.md", title=text, description=text, html="<p>x</p>")
    meta = yaml.safe_load(page.markdown().split("---\n")[1])
    assert meta == {"title": str(escape(text)), "description": str(escape(text))}


def _project_markdown() -> markdown.Markdown:
    """Python-Markdown as mkdocs.yml sets it up (the extensions and their settings)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    names, settings = [], {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        names.append(name)
        settings[name] = options or {}
    return markdown.Markdown(extensions=names, extension_configs=settings)


def _generated_bodies(data_dir: Path) -> list[tuple[str, str]]:
    site = load_site(data_dir=data_dir, today=TODAY)
    views = Views(site)
    bodies = [(p.src_uri, p.html) for p in views.practice_pages(link_for=lambda src: lambda target: target)]
    for page in directory.area_pages(site, page_size=1):
        bodies.append((page.src, directory.area_page_html(site, page=page, link=lambda target: target, start=TODAY, page_size=1)))
    return bodies


@pytest.mark.parametrize("which", ["real", "payloads"])
def test_python_markdown_would_copy_every_generated_page_unchanged(which: str, real_data: DataCopy, tmp_path: Path) -> None:
    # The build hands these pages' HTML over without Python-Markdown, and the prebuilt tree hands it to any generator as Markdown: this is why both are safe.
    data_dir = real_data.path
    if which == "payloads":
        data_dir = tmp_path / "payload-data"
        write_payload_data(data_dir)
    md = _project_markdown()
    bodies = _generated_bodies(data_dir)
    assert len(bodies) > 40
    for src, html in bodies:
        body = GeneratedPage(src_uri=src, title="t", description="d", html=html).markdown().split("---\n", 2)[2]
        assert md.reset().convert(body) == body.strip(), src
