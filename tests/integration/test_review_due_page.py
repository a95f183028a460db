"""The built review-due page lists what make check warns about, and stays out of the nav and search."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import DataCopy
from sitebuild import mkdocs_build
from sitedata.views.search import read_site_index
from unit.test_review_due import check, warned


def test_the_built_page_lists_what_make_check_warns_about(real_data: DataCopy, tmp_path: Path) -> None:
    # Services are left alone: sitedata.data.checks.warning_level makes a service due for review a build warning.
    first_practice = real_data.replace("practices.yaml", 'last_reviewed: "', 'last_reviewed: "2020-05-06"\n    # was: "')
    real_data.replace("resources.yaml", 'last_reviewed: "', 'last_reviewed: "2019-03-04"\n    # was: "')
    real_data.replace("sources.yaml", 'last_reviewed: "', 'last_reviewed: "2021-01-02"\n    # was: "')
    site = tmp_path / "site"
    result = mkdocs_build(site, data_dir=real_data.path)
    assert result.returncode == 0, result.stderr

    page = (site / "editors" / "review-due" / "index.html").read_text()
    rows = re.findall(r'<tr data-review-entry="([^"]+)">.*?<code>([^<]+)</code>', page, flags=re.DOTALL)
    # The three planted dates, and any entry that has since fallen due by the real clock.
    assert len(rows) >= 3
    assert f"data/practices.yaml:{first_practice}" in {where for _, where in rows}
    assert {"2020-05-06", "2019-03-04", "2021-01-02"} <= set(re.findall(r'<time datetime="([^"]+)">', page))
    assert re.search(r'<a href="\.\./\.\./practices/[a-z0-9-]+/">', page)
    assert re.search(r'<a href="\.\./\.\./about/#source-[a-z0-9-]+">', page)
    assert re.search(r'<a href="\.\./\.\./(resources|safety)/#[a-z0-9-]+">', page)

    made = check(real_data.path)
    assert made.returncode == 0, made.stderr
    assert warned(made.stderr) == {where for _, where in rows}

    home = (site / "index.html").read_text()
    nav = home.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "review-due" not in nav
    assert not any("editors/review-due" in d[2] for d in read_site_index(site)["docs"])
