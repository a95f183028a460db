"""The glossary: its checks, the marker that defines terms in page text, and the built pages."""

from __future__ import annotations

import re

import pytest

from conftest import REAL_DATA_TODAY, TODAY, DataCopy
from sitedata.data.crosschecks import glossary_problems
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site
from sitedata.views.glossary import CONTENT_START, term_marker, trie_pattern

ARTICLE = CONTENT_START + "{}</article>"
TIP = re.compile(
    r'<span class="dv-gl"><abbr class="dv-gl__term" tabindex="0" aria-describedby="(?P<id>[^"]+)">(?P<text>[^<]*)</abbr>'
    r'<span class="dv-gl__tip" role="tooltip" id="(?P<tip_id>[^"]+)">(?P<tip>.*?)</span></span>'
)


def marked(data: DataCopy, html: str) -> list[tuple[str, str]]:
    """(marked text, tooltip text) for every marked use in `html`, in order."""
    marker = term_marker(load_site(data_dir=data.path, today=TODAY))
    out = marker.mark(html)
    return [(m["text"], re.sub("<[^>]+>", "", m["tip"])) for m in TIP.finditer(out)]


def test_a_term_in_text_gets_its_definition(data: DataCopy) -> None:
    assert marked(data, "<p>Refer to MARAC today.</p>") == [
        ("MARAC", "MARAC (Multi-Agency Risk Assessment Conference): A meeting where agencies share information on high-risk victims and agree a safety plan.")
    ]


def test_the_description_is_wired_to_the_tooltip_with_unique_ids(data: DataCopy) -> None:
    marker = term_marker(load_site(data_dir=data.path, today=TODAY))
    out = marker.mark("<p>MARAC</p><h2>Next</h2><p>MARAC and IDVA</p>")
    found = list(TIP.finditer(out))
    assert [m["text"] for m in found] == ["MARAC", "MARAC", "IDVA"]
    assert all(m["id"] == m["tip_id"] for m in found)
    assert len({m["id"] for m in found}) == 3


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="x">MARAC</a></p>',
        "<p><code>MARAC</code></p>",
        "<pre><code>MARAC</code></pre>",
        "<h3>MARAC</h3>",
        '<h2 id="x">MARAC<a class="headerlink" href="#x">¶</a></h2>',
        '<p><abbr title="x">MARAC</abbr></p>',
        "<p><button>MARAC</button></p>",
        "<svg><text>MARAC</text></svg>",
        "<script>var x = 'MARAC';</script>",
        "<style>.MARAC {}</style>",
        "<!-- MARAC -->",
        '<p><img alt="MARAC meeting" title="MARAC"></p>',
        '<p data-note="MARAC">text</p>',
        "<p>eMARACs and MARACish and pre-MARAC</p>",
        "<p><dfn>MARAC</dfn></p>",
    ],
)
def test_terms_in_links_code_headings_attributes_and_other_words_are_left_alone(data: DataCopy, html: str) -> None:
    marker = term_marker(load_site(data_dir=data.path, today=TODAY))
    assert marker.mark(html) == html


def test_text_after_a_skipped_element_is_marked_again(data: DataCopy) -> None:
    assert [t for t, _ in marked(data, '<p><a href="x">MARAC</a> then MARAC</p>')] == ["MARAC"]
    assert [t for t, _ in marked(data, "<p><code>IDVA</code></p><p>IDVA</p>")] == ["IDVA"]


def test_only_the_first_use_in_each_section_is_marked(data: DataCopy) -> None:
    html = "<p>MARAC, MARACs and MARAC.</p><h2>Two</h2><p>A MARAC.</p><h3>Three</h3><p>MARAC again.</p>"
    assert [t for t, _ in marked(data, html)] == ["MARAC", "MARAC"]


def test_an_element_that_defines_a_term_does_not_pop_up_its_own_definition(data: DataCopy) -> None:
    html = '<article data-glossary-defined="marac"><p>MARAC meets; see IDVA.</p></article><p>MARAC</p><h2>Next</h2><p>MARAC</p>'
    assert [t for t, _ in marked(data, html)] == ["IDVA", "MARAC"]


def test_every_match_word_of_a_term_counts_as_that_term(data: DataCopy) -> None:
    assert marked(data, "<p>Two MARACs met; one MARAC.</p>")[0][0] == "MARACs"
    assert len(marked(data, "<p>Two MARACs met; one MARAC.</p>")) == 1


def test_only_the_main_article_of_a_page_is_marked(data: DataCopy) -> None:
    marker = term_marker(load_site(data_dir=data.path, today=TODAY))
    page = "<html><head><title>MARAC</title></head><body><nav>MARAC</nav>" + ARTICLE.format("<p>MARAC</p>") + "<footer>MARAC</footer></body></html>"
    out = marker.mark_page(page)
    assert out.count('class="dv-gl"') == 1
    assert out.startswith("<html><head><title>MARAC</title></head><body><nav>MARAC</nav>")
    assert out.endswith("</article><footer>MARAC</footer></body></html>")
    assert marker.mark_page("<html><body><p>MARAC</p></body></html>") == "<html><body><p>MARAC</p></body></html>"


def test_definitions_are_escaped(data: DataCopy) -> None:
    data.replace("glossary.yaml", "definition: A specialist who supports adult victims at high risk.", "definition: 'Supports <script>alert(1)</script> victims & families.'")
    marker = term_marker(load_site(data_dir=data.path, today=TODAY))
    out = marker.mark("<p>IDVA</p>")
    assert "<script>" not in out
    assert "Supports &lt;script&gt;alert(1)&lt;/script&gt; victims &amp; families." in out


def test_trie_prefers_the_longest_word_and_falls_back_to_a_shorter_one() -> None:
    pattern = re.compile(r"(?<![\w-])(?:" + trie_pattern(["DA", "DA Act", "DA Act 2021", "DASH"]) + r")(?![\w-])")
    assert pattern.findall("DA Act 2021, DA Act, DASH, DA Actually, DA.") == ["DA Act 2021", "DA Act", "DASH", "DA", "DA"]


def test_a_word_claimed_by_two_terms_is_an_error(data: DataCopy) -> None:
    line = data.replace("glossary.yaml", "matches: [IDVA]", "matches: [IDVA, MARACs]")
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    assert [str(e) for e in info.value.errors] == [
        f"data/glossary.yaml:{line}:21: term 'idva': matches[1]: 'MARACs' already belongs to term 'marac'; a word can point to one definition only, so remove it here or there"
    ]


def test_a_match_word_with_markup_characters_is_rejected(data: DataCopy) -> None:
    line = data.replace("glossary.yaml", "matches: [IDVA]", "matches: ['IDVA<b>']")
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    assert [str(e) for e in info.value.errors] == [
        f"data/glossary.yaml:{line}:15: term 'idva': matches[0]: 'IDVA<b>' is not valid: use letters, digits, spaces, hyphens, dots or slashes only, "
        "starting and ending with a letter or digit, for example 'MARAC' or 'Operation Encompass'"
    ]


def test_see_also_must_name_a_term(data: DataCopy) -> None:
    line = data.replace("glossary.yaml", "see_also: [idva]", "see_also: [idv]")
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    assert [str(e) for e in info.value.errors] == [f"data/glossary.yaml:{line}:16: term 'marac': see_also[0]: 'idv' is not a known term (did you mean 'idva'?)"]


def test_the_real_glossary_passes_its_checks() -> None:
    site = load_site(today=REAL_DATA_TODAY)
    assert glossary_problems(site) == []
    assert len(site.entries("terms")) >= 50


# The real site (the session fixture real_site, conftest.py).








