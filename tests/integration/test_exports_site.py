"""The downloads in the built site, linked from the directory, equal what the exports module makes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

from sitedata.data.load import load_site
from sitedata.views.directory import EXPORTS
from sitedata.views.exports import SERVICES_CSV, SERVICES_JSON, export_files
from sitedata.views.hsds import DATAPACKAGE as HSDS_DATAPACKAGE


def test_built_site_has_the_downloads_linked_from_the_directory(real_site: Path) -> None:
    site = real_site
    generated = date.fromisoformat(json.loads((site / SERVICES_JSON).read_text(encoding="utf-8"))["generated"])
    expected = export_files(load_site(today=generated), generated=generated)
    for path, content in expected.items():
        assert (site / path).read_bytes().decode("utf-8") == content, path
    page = (site / "directory" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*exports[^"]*)"', page)
    targets = {urljoin("/directory/", href) for href in links}
    assert {"/" + path for path, _title in EXPORTS} <= targets
    # The HSDS tables are reached through their datapackage.json, which names every CSV beside it.
    package = json.loads(expected[HSDS_DATAPACKAGE])
    tables = {f"exports/hsds/{r['path']}" for r in package["resources"]}
    assert tables | {path for path, _title in EXPORTS} | {SERVICES_JSON, SERVICES_CSV} >= set(expected)
    assert "/exports/" in targets  # the page that documents the mapping
    assert (site / "exports" / "index.html").is_file()
