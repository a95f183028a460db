"""An HSDS import that brings thousands of services: the data, the build, the area pages and the downloads keep working.

bench/synth.py makes a directory of SIZE services; its HSDS export is the feed, imported into the
real services (with the synthetic areas and sources). A few thousand, not 10,000: the machine is
shared. Nothing here is timed; BENCHMARKS-style figures come from measuring, not from tests.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from frictionless import Package
from jsonschema import Draft202012Validator

from conftest import ROOT
from sitebuild import mkdocs_build
from sitedata.data.load import load_site
from sitedata.postbuild import offline
from sitedata.tools.hsds_import import Imported, Options, import_feed
from sitedata.views import hsds, search
from sitedata.views.directory import AREA_PAGES_DIR

sys.path.insert(0, str(ROOT))
from bench import synth  # noqa: E402

SIZE = 3000
TODAY = datetime.now(ZoneInfo("Europe/London")).date()  # builds use today's date
CARD = re.compile(r'<article class="dv-card dv-service" id="(?P<id>[^"]+)" data-service-id=')


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Imported, int]:
    """(data folder, built site, what the import did, services in the feed)."""
    base = tmp_path_factory.mktemp("hsds-scale")
    generated = base / "synthetic"
    synth.write_data(dest=generated, size=SIZE, today=TODAY)
    real = {s["id"] for s in load_site(today=TODAY).entries("services")}
    records = [r for r in json.loads(hsds.export_files(load_site(data_dir=generated, today=TODAY), generated=TODAY)[hsds.SERVICES_JSON]) if r["x-local_id"] not in real]
    feed = base / "feed.json"
    feed.write_text(json.dumps(records), encoding="utf-8")
    data = generated  # the synthetic areas and sources, with only the real services before the import
    (data / "helplines.yaml").write_text((ROOT / "data" / "helplines.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    # Only the real practices: the feed brings services, and thousands of practice pages would only slow the build.
    (data / "practices.yaml").write_text((ROOT / "data" / "practices.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = import_feed(feed, data_dir=data, options=Options(retrieved=TODAY, source_id="synthetic-feed", publisher="bench/synth.py"))
    site = base / "site"
    build = mkdocs_build(site, data_dir=data)
    assert build.returncode == 0, build.stderr[-3000:]
    return data, site, result, len(records)


def test_thousands_of_services_import_cleanly(imported: tuple[Path, Path, Imported, int]) -> None:
    data, _site, result, fed = imported
    assert (result.added, result.updated, result.skipped) == (fed, 0, 0)
    assert [str(m) for m in result.messages if m.severity != "note"] == []
    services = load_site(data_dir=data, today=TODAY).entries("services")
    assert len(services) == SIZE
    assert sum(1 for s in services if s.get("hsds_id")) == fed


def test_every_imported_service_has_one_card_on_an_area_page(imported: tuple[Path, Path, Imported, int]) -> None:
    data, site_dir, _result, _fed = imported
    site = load_site(data_dir=data, today=TODAY)
    areas = site.by_key("areas", "name")
    cards: dict[str, list[str]] = {}
    for page in (site_dir / AREA_PAGES_DIR).glob("*/index.html"):
        for match in CARD.finditer(page.read_text(encoding="utf-8")):
            cards.setdefault(match["id"], []).append(page.parent.name)
    assert cards == {s["id"]: [areas[s["coverage"][0]]["slug"]] for s in site.entries("services")}
    directory = (site_dir / "directory" / "index.html").read_text(encoding="utf-8")
    assert not CARD.search(directory)  # at this size the directory page lists areas, not cards
    assert 'href="../exports/hsds/services.json"' in directory


def test_the_search_knows_every_imported_service_and_where_its_card_is(imported: tuple[Path, Path, Imported, int]) -> None:
    data, site_dir, _result, _fed = imported
    site = load_site(data_dir=data, today=TODAY)
    areas = site.by_key("areas", "name")
    # The site search (and the directory finder, which is the same index kept to services).
    table = [row[1:3] for row in search.read_site_index(site_dir)["docs"] if row[0] == "service"]
    expected = [[s["name"], f"{AREA_PAGES_DIR}/{areas[s['coverage'][0]]['slug']}/#{s['id']}"] for s in site.entries("services")]
    assert table == expected


def test_the_downloads_hold_every_service_and_stay_valid(imported: tuple[Path, Path, Imported, int]) -> None:
    _data, site_dir, _result, _fed = imported
    records = json.loads((site_dir / hsds.SERVICES_JSON).read_text(encoding="utf-8"))
    assert len(records) == SIZE
    assert len(json.loads((site_dir / "exports" / "services.json").read_text(encoding="utf-8"))["services"]) == SIZE
    schema = json.loads((ROOT / "tests" / "fixtures" / "hsds" / "schema" / "service.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for record in records[::25]:  # every 25th: the whole list takes minutes on a shared machine, and the records share one code path
        assert list(validator.iter_errors(record)) == [], record["x-local_id"]
    report = Package(str(site_dir / hsds.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_hsds_downloads_are_not_put_on_every_phone(imported: tuple[Path, Path, Imported, int]) -> None:
    _data, site_dir, _result, _fed = imported
    kept = [e.path for e in offline.precache_entries(site_dir=site_dir, use_directory_urls=True)]
    assert "exports/services.json" in kept
    assert not [p for p in kept if p.startswith("exports/hsds/")]
    assert (site_dir / hsds.SERVICES_JSON).stat().st_size > 10_000_000  # why: see offline._NOT_PRECACHED
