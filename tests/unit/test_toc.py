"""sitedata.views.toc: the table of contents read from a page's finished HTML (headings from the data templates)."""

from __future__ import annotations

from sitedata.views.toc import toc_tokens


def test_headings_nest_by_level_and_keep_their_ids() -> None:
    html = '<h1 id="t">Title</h1><h2 id="a">A</h2><h3 id="a1">A one</h3><h3 id="a2">A two</h3><h2 id="b">B</h2>'
    assert toc_tokens(html) == [
        {"level": 1, "id": "t", "name": "Title", "children": [
            {"level": 2, "id": "a", "name": "A", "children": [
                {"level": 3, "id": "a1", "name": "A one", "children": []},
                {"level": 3, "id": "a2", "name": "A two", "children": []},
            ]},
            {"level": 2, "id": "b", "name": "B", "children": []},
        ]},
    ]


def test_names_are_escaped_text_without_permalinks_or_hidden_words() -> None:
    html = '<h2 id="x">Men &amp; <em>boys</em> <span hidden>secret</span><a class="headerlink" href="#x">¶</a></h2>'
    assert toc_tokens(html) == [{"level": 2, "id": "x", "name": "Men &amp; boys", "children": []}]


def test_headings_without_an_id_and_deeper_levels_are_left_out() -> None:
    assert toc_tokens('<h2>No id</h2><h4 id="d">Deep</h4><p id="p">Text</p>') == []


def test_a_heading_inside_a_summary_is_found() -> None:
    html = '<details id="s"><summary><h3 id="s-title">Set</h3> <span>8 questions</span></summary><p>x</p></details>'
    assert toc_tokens(html) == [{"level": 3, "id": "s-title", "name": "Set", "children": []}]
