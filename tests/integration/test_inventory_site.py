"""The inventory in the built site: every practice listed under its areas and themes, every entry in the search index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REAL_DATA_TODAY
from sitedata.data.load import SiteData, load_site
from sitedata.views.search import read_site_index
from sitedata.views.search import stems as search_stems


@pytest.fixture(scope="module")
def site() -> SiteData:
    return load_site(today=REAL_DATA_TODAY)


def _listings(index_html: str) -> dict[str, set[str]]:
    """Each area or theme heading id on the practices index, with the initiative pages listed under it."""
    out: dict[str, set[str]] = {}
    for m in re.finditer(r'<h3 id="(?P<id>(?:area|theme)-[a-z0-9-]+)">.*?</h3>\s*<ul class="dv-practice-list">(?P<list>.*?)</ul>', index_html, re.DOTALL):
        out[m["id"]] = set(re.findall(r'<a href="([a-z0-9-]+)/">', m["list"]))
    return out


def test_every_practice_is_listed_under_each_of_its_areas_and_themes(site, real_site: Path) -> None:
    listings = _listings((real_site / "practices" / "index.html").read_text())
    areas = site.by_key("areas", "name")
    for practice in site.entries("practices"):
        for area in practice.get("areas", []):
            assert practice["id"] in listings.get(f"area-{areas[area]['slug']}", set()), (practice["id"], area)
        if not practice.get("areas"):  # the source gives no area: listed as such, never under a guessed one
            assert practice["id"] in listings.get("area-not-given", set()), practice["id"]
        for tag in practice["tags"]:
            assert practice["id"] in listings.get(f"theme-{tag}", set()), (practice["id"], tag)


def test_every_entry_is_in_the_search_index(site, real_site: Path) -> None:
    # The site search (hooks/sitedata/views/search.py): one document per entry, linked to its place on its page.
    index = read_site_index(real_site)
    locations = {d[2] for d in index["docs"]}
    expected = (
        [f"practices/{p['id']}/" for p in site.entries("practices")]
        + [f"prompts/#{p['id']}" for p in site.entries("prompt_sets")]
        + [f"safety/#{a['id']}" for a in site.entries("advice")]
        + [f"resources/#{r['id']}" for r in site.entries("resources") if r["kind"] != "safety-guide"]
        + [f"safety/#{r['id']}" for r in site.entries("resources") if r["kind"] == "safety-guide"]
        + [f"glossary/#term-{t['id']}" for t in site.entries("terms")]
        + [f"evidence/#{g['id']}" for g in site.entries("evidence_groups")]
        + [f"evidence/#{t['id']}" for t in site.entries("evidence_tables")]
    )
    assert [loc for loc in expected if loc not in locations] == []
    # A figure is searched as part of its group.
    stems = {term for term, _ in index["index"]["invertedIndex"]}
    for figure in site.entries("figures"):
        assert set(search_stems([figure["statement"]])) <= stems, figure["id"]
