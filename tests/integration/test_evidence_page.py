"""The evidence page of the built site: every figure, table and chart with its source."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from sitedata.data.load import load_site
from unit.test_evidence import REAL_TODAY


@pytest.fixture(scope="module")
def evidence_html(real_site: Path) -> str:
    return (real_site / "evidence" / "index.html").read_text()


def _text(fragment: str) -> str:
    """The text a reader sees, without glossary pop-ups."""
    visible = re.sub(r'<span class="dv-gl__tip" role="tooltip"[^>]*>.*?</span></span>', "</span>", fragment, flags=re.DOTALL)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", visible))


def test_every_figure_appears_with_its_source(evidence_html: str) -> None:
    site = load_site(today=REAL_TODAY)
    sources = site.by_key("sources")
    for figure in site.entries("figures"):
        item = re.search(rf'<li class="dv-figure" id="figure-{figure["id"]}".*?</li>', evidence_html, re.DOTALL)
        assert item, figure["id"]
        text = " ".join(_text(item.group()).split())
        assert figure["value"] in text and " ".join(figure["statement"].split()) in text, figure["id"]
        for ref in figure["sources"]:
            assert (sources[ref["id"]].get("short_title") or sources[ref["id"]]["title"]) in text and ref["section"] in text, figure["id"]


def test_every_table_and_finding_appears_with_its_source(evidence_html: str) -> None:
    site = load_site(today=REAL_TODAY)
    text = " ".join(_text(evidence_html).split())
    for table in site.entries("evidence_tables"):
        block = re.search(rf'<table id="{table["id"]}-table".*?</table>', evidence_html, re.DOTALL)
        assert block, table["id"]
        cells = re.findall(r"<td>([^<]*)</td>", block.group())
        assert cells == [c for r in table["rows"] for c in r["cells"]]
        assert table["sources"][0]["section"] in text
    for group in site.entries("evidence_groups"):
        assert f'<h2 id="{group["id"]}">' in evidence_html
        for finding in group.get("findings", []):
            assert " ".join(finding["text"].split()) in text


def test_every_chart_is_an_accessible_image_followed_by_a_table_of_the_same_figures(evidence_html: str) -> None:
    charts = list(re.finditer(r'<figure class="dv-chart" id="(?P<id>[^"]+)">(?P<body>.*?)</figure>\s*(?:<h3[^>]*>.*?</h3>\s*)?(?P<after>.{0,200000}?</table>)', evidence_html, re.DOTALL))
    assert len(charts) == 4  # London changes, West Mercia Police, WMWA services, Cheshire East funding
    for chart in charts:
        body, chart_id = chart["body"], chart["id"]
        svg = re.search(r"<svg[^>]*>", body)
        assert svg and 'role="img"' in svg.group() and f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg.group()
        assert f'<title id="{chart_id}-title">' in body and f'<desc id="{chart_id}-desc">' in body
        assert "http" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")  # draws nothing from elsewhere
        table = chart["after"][chart["after"].index("<table") :]
        assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table
        labels = " ".join(_text(t) for t in re.findall(r"<text[^>]*>.*?</text>", body))
        for cell in re.findall(r"<td>([^<]*)</td>", table):
            assert cell.split()[0] in labels, (chart_id, cell)
