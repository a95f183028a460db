"""A tiny benchmark run builds both sites and prints every target."""

from __future__ import annotations

import re
from pathlib import Path

from bench.report import NOT_MEASURED, format_report, verdicts
from bench.run import Options, run_bench
from unit.test_bench_synth import SIZE, TODAY


def test_tiny_run_builds_both_sites_and_prints_every_target(tmp_path: Path) -> None:
    options = Options(sizes=[SIZE], runs=1, check_runs=1, real=False, browser=False, serve=False, work=tmp_path / "work", out_dir=tmp_path / "out")
    results = run_bench(options, today=TODAY)
    row = results.at(SIZE)
    assert row is not None and row.services == SIZE and row.practices == SIZE
    assert len(row.build_runs) == len(row.plain_runs) == len(row.check_runs) == 1
    assert len(row.bare_runs) == len(row.edit_runs) == 1 and row.bare_s > 0 and row.edit_s > 0
    assert row.peak_rss > 0 and row.site_bytes > 0
    ours = {p.relative_to(tmp_path / "work" / "sites" / str(SIZE)) for p in (tmp_path / "work" / "sites" / str(SIZE)).rglob("*.html")}
    plain = {
        p.relative_to(tmp_path / "work" / "sites" / f"{SIZE}-plain")
        for p in (tmp_path / "work" / "sites" / f"{SIZE}-plain").rglob("*.html")
    }
    assert ours == plain  # the plain twin has exactly our pages
    # ... with the same content: the prebuilt tree holds each generated page as Markdown around its finished HTML
    # (the plain twin only lacks what the core's post-build step adds, such as glossary definitions).
    sites = tmp_path / "work" / "sites"
    for page in sorted(p for p in ours if p.parts[0] == "practices" and len(p.parts) == 3)[:5]:
        ours_html, plain_html = ((sites / name / page).read_text(encoding="utf-8") for name in (str(SIZE), f"{SIZE}-plain"))
        assert f'data-practice-id="{page.parts[1]}"' in plain_html, page
        headings = re.findall(r"<h[1-6] id=\"[^\"]+\">", ours_html)
        assert headings and all(h in plain_html for h in headings), page
    assert sum(1 for p in ours if p.parts[0] == "practices" and p.name == "index.html" and len(p.parts) == 3) == SIZE
    directory = (tmp_path / "work" / "sites" / str(SIZE) / "directory" / "index.html").read_text(encoding="utf-8")
    assert directory.count("data-service-id=") == SIZE
    report = format_report(results)
    assert re.search(rf"^\| {SIZE} +\| {SIZE} +\| {SIZE} +\| \d+\.\d\d ", report, re.MULTILINE), report
    assert f"{NOT_MEASURED} search" in report
    assert re.search(rf"^\| {SIZE} +\| \d+\.\d\d +\| \d+\.\d\d +\| \d+\.\d\dx +\| \d+\.\d\d +\| \d+\.\d\dx ", report, re.MULTILINE), report
    assert len(re.findall(r"^(PASS|FAIL|NOT MEASURED) ", report, re.MULTILINE)) == len(verdicts(results))
    partial = (tmp_path / "out" / "partial.md").read_text(encoding="utf-8")  # saved after every step
    assert re.search(rf"^\| {SIZE} +\| {SIZE} +\| {SIZE} +\| \d+\.\d\d ", partial, re.MULTILINE), partial
