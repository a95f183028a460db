"""Entries made by make new pass the check and show on their pages and in search."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import DataCopy
from sitebuild import mkdocs_build
from sitedata.views.search import read_site_index
from unit.test_contributing import entry_from_template, yaml_block
from unit.test_contributing import section as contributing_section
from unit.test_scaffold import PRACTICE_FLAGS, SERVICE_FLAGS, entries, sitedata


def test_new_entries_pass_the_check_and_show_on_their_pages_and_in_search(real_data: DataCopy, tmp_path: Path) -> None:
    practices = real_data.path / "practices.yaml"
    before = practices.read_text()
    added = sitedata("new", *PRACTICE_FLAGS, data_dir=real_data.path)
    assert added.returncode == 0, added.stderr
    assert "Added practice 'scaffolded-noise-complaint-checks' at data/practices.yaml:" in added.stdout
    assert practices.read_text().startswith(before)  # the rest of the file, comments included, is untouched
    new = entries(practices, "practices")[-1]
    assert new["id"] == "scaffolded-noise-complaint-checks"
    assert new["areas"] == ["Havering"] and new["tags"] == ["risk-assessment", "family-network"]
    assert new["body"] == "Boroughs monitored **noise complaints**.\n\nA second paragraph.\n"
    assert new["sources"] == [{"id": "london-practice-paper-2020", "section": "para 10"}]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(new["last_reviewed"]))

    service = sitedata("new", *SERVICE_FLAGS, data_dir=real_data.path)
    assert service.returncode == 0, service.stderr
    channel = entries(real_data.path / "helplines.yaml", "services")[-1]["channels"][0]
    assert channel == {"type": "phone", "number": "0808 2000 247", "hours": "24/7", "hours_text": "Open 24/7"}

    # The web-editor path: CONTRIBUTING.md's practice template pasted at the end of the file.
    template = entry_from_template(yaml_block(contributing_section("Practice entry template")), new_id="pasted-from-contributing")
    practices.write_text(practices.read_text() + template)

    check = sitedata("check", data_dir=real_data.path)
    assert check.returncode == 0, check.stderr
    assert "data OK" in check.stdout

    site = tmp_path / "site"
    build = mkdocs_build(site, data_dir=real_data.path)
    assert build.returncode == 0, build.stderr
    page = (site / "practices" / "scaffolded-noise-complaint-checks" / "index.html").read_text()
    assert 'data-practice-id="scaffolded-noise-complaint-checks"' in page
    assert "Scaffolded noise-complaint checks" in page
    index = (site / "practices" / "index.html").read_text()
    assert 'href="scaffolded-noise-complaint-checks/"' in html_section(index, 'id="area-havering"')
    assert 'href="scaffolded-noise-complaint-checks/"' in html_section(index, 'id="theme-risk-assessment"')
    assert 'href="scaffolded-noise-complaint-checks/"' in html_section(index, 'id="theme-family-network"')
    assert any(
        d[2] == "practices/scaffolded-noise-complaint-checks/" and "Scaffolded noise-complaint checks" in d[1]
        for d in read_site_index(site)["docs"]
    )
    assert 'data-practice-id="pasted-from-contributing"' in (site / "practices" / "pasted-from-contributing" / "index.html").read_text()
    directory = (site / "directory" / "index.html").read_text()
    assert 'data-service-id="scaffolded-test-line"' in directory
    assert any(
        "Scaffolded test line" in d[1]
        for d in read_site_index(site)["docs"]
        if d[2].startswith("directory/")
    )


def html_section(html: str, heading: str) -> str:
    """The HTML from a heading to the next heading of any level."""
    start = html.index(heading)
    following = re.search(r"<h[1-6][ >]", html[start + len(heading) :])
    return html[start : start + len(heading) + (following.start() if following else len(html))]
