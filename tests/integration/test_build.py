"""Integration: strict builds of the real data, of broken data, and of data full of HTML payloads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, DataCopy
from payloads import ESCAPED, PAYLOADS, write_payload_data
from sitebuild import mkdocs_build
from sitedata.data.load import load_site
from sitedata.data.provenance import HoursAge
from sitedata.views import browser_constants
from sitedata.views.search import read_site_index


def test_a_build_prints_no_macros_chatter(real_site: Path) -> None:
    log = (real_site.parent / "build.log").read_text()
    assert "Documentation built" in log
    assert "[macros]" not in log


def test_key_pages_exist(real_site: Path) -> None:
    for page in ("index.html", "directory/index.html", "safety/index.html", "prompts/index.html", "practices/index.html", "resources/index.html", "about/index.html"):
        assert (real_site / page).is_file(), page


def test_the_constants_script_is_built_from_mkdocs_yml_and_runs_before_the_scripts_that_read_it(real_site: Path) -> None:
    import yaml

    extra = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nmarkdown_extensions:")[0])["extra"]
    policy = HoursAge(stale_months=extra["hours_stale_months"], very_stale_months=extra["hours_very_stale_months"])
    assert (real_site / browser_constants.SITE_PATH).read_text(encoding="utf-8") == browser_constants.constants_script(hours_age=policy)
    for page in ("index.html", "directory/index.html", "404.html"):
        scripts = re.findall(r'<script src="[./]*(assets/javascripts/[\w.-]+\.js)"( defer)?', (real_site / page).read_text(encoding="utf-8"))
        deferred = [src for src, defer in scripts if defer]
        readers = ("open-now.js", "directory.js", "finder.js", "print.js")
        assert deferred[0] == browser_constants.SITE_PATH, (page, deferred)  # deferred scripts run in order: it runs first
        assert {f"assets/javascripts/{r}" for r in readers} <= set(deferred), (page, deferred)


def test_every_practice_has_its_page_and_index_entry(real_site: Path) -> None:
    from datetime import date

    site = load_site(today=date.today())  # noqa: DTZ011 - only reading the entries, not judging dates
    index = (real_site / "practices" / "index.html").read_text()
    for practice in site.entries("practices"):
        page = real_site / "practices" / practice["id"] / "index.html"
        html = page.read_text()
        assert f'data-practice-id="{practice["id"]}"' in html
        assert "Last reviewed against its source:" in html
        assert f'href="{practice["id"]}/"' in index


def test_every_service_has_a_card_with_an_e164_tel_link(real_site: Path) -> None:
    html = (real_site / "directory" / "index.html").read_text()
    assert 'data-service-id="national-domestic-abuse-helpline"' in html
    assert 'href="tel:+448082000247"' in html  # corrected number, E.164
    assert "0808 2000 247" in html
    assert "0800 2000 247" in html  # the note about the misprint in the source
    cards = re.split(r"(?=<article[^>]*data-service-id=)", html)[1:]
    assert cards and all('data-open-state="' in card for card in cards)


def test_per_entry_pages_are_not_in_the_navigation(real_site: Path) -> None:
    html = (real_site / "index.html").read_text()
    nav = html.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "redbridge-hub-process" not in nav
    assert "Good practice" in nav


def test_entries_are_in_the_search_index(real_site: Path) -> None:
    docs = read_site_index(real_site)["docs"]
    locations = {doc[2] for doc in docs}
    assert "practices/redbridge-hub-process/" in locations
    assert any("Galop" in doc[1] for doc in docs)


def test_broken_data_fails_the_build_with_located_errors(real_data: DataCopy, tmp_path: Path) -> None:
    real_data.replace("practices.yaml", "areas: [Redbridge]", "areas: [Redbrige]")
    real_data.replace("helplines.yaml", "help@galop.org.uk", "help@galop")
    site = tmp_path / "site"
    result = mkdocs_build(site, data_dir=real_data.path)
    assert result.returncode != 0
    assert "practice 'redbridge-hub-process': areas[0]: 'Redbrige' is not a known area (did you mean 'Redbridge'?)" in result.stderr
    assert "service 'galop-lgbt-helpline': channels[1].email: 'help@galop' is not a well-formed email address" in result.stderr
    assert "2 data errors found; no site was built from this data." in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site / "index.html").exists()


def test_check_says_what_it_did_not_that_a_build_was_stopped(real_data: DataCopy) -> None:
    real_data.replace("practices.yaml", "areas: [Redbridge]", "areas: [Redbrige]")
    check = subprocess.run([sys.executable, "-m", "sitedata", "check", "--data", str(real_data.path)], cwd=ROOT,
                           env=dict(os.environ, PYTHONPATH=str(ROOT / "hooks")), capture_output=True, text=True)
    assert check.returncode == 1
    assert check.stderr.splitlines()[-1] == "1 data error found; fix them and run make check again."
    assert "no site was built" not in check.stderr


def test_payloads_in_every_text_field_render_only_as_text(tmp_path: Path) -> None:
    count = write_payload_data(tmp_path / "data")
    assert count > 100  # every free-text field of the real data carries one
    site = tmp_path / "site"
    result = mkdocs_build(site, data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    pages = list(site.rglob("*.html"))
    seen = {e: 0 for e in ESCAPED}
    for page in pages:
        html = page.read_text()
        for payload in PAYLOADS:
            assert payload not in html, f"{payload} unescaped in {page}"
        for escaped in ESCAPED:
            seen[escaped] += html.count(escaped)
    assert all(n > 20 for n in seen.values()), seen
    # The search index holds the payloads as data; search.js shows them with textContent only.
    index = read_site_index(site)
    assert any(p in " ".join(map(str, row)) for row in index["docs"] for p in PAYLOADS)


def test_checks_and_build_never_rewrite_the_data(real_data: DataCopy, tmp_path: Path) -> None:
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in real_data.path.glob("*.yaml")}
    result = mkdocs_build(tmp_path / "site", data_dir=real_data.path)
    assert result.returncode == 0, result.stderr
    check = subprocess.run([sys.executable, "-m", "sitedata", "check", "--data", str(real_data.path)], cwd=ROOT,
                           env=dict(os.environ, PYTHONPATH=str(ROOT / "hooks")), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in real_data.path.glob("*.yaml")}
    assert before == after
