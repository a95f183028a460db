"""Checks across whole data files, run once every file is valid on its own (sitedata.data.load calls them last).

They see the loaded data through `LoadedData`, which SiteData satisfies, so this module sits below
load.py and nothing in the data layer imports a view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sitedata.data.checks import Node
from sitedata.data.errors import DataError
from sitedata.data.yamlsource import Located


class LoadedData(Protocol):
    """What the checks read: the parsed files, and a list's entries by its name."""

    docs: dict[str, Located]

    def entries(self, list_name: str) -> list[dict[str, Any]]: ...


def glossary_problems(site: LoadedData) -> list[DataError]:
    """Each match word points to one term only, so a page never has to choose between definitions."""
    doc = site.docs.get("glossary")
    if doc is None:
        return []
    owner: dict[str, str] = {}
    out: list[DataError] = []
    for i, term in enumerate(site.entries("terms")):
        for j, word in enumerate(term["matches"]):
            if word in owner and owner[word] != term["id"]:
                node = Node(doc, "glossary", ("terms", i, "matches", j), word, {})
                out.append(node.error(f"'{word}' already belongs to term '{owner[word]}'; a word can point to one definition only, so remove it here or there"))
            owner.setdefault(word, term["id"])
    return out


def evidence_problems(site: LoadedData) -> list[DataError]:
    """Checks the schema cannot express: table shapes, chart values that match their text, charts with figures."""
    doc = site.docs.get("evidence")
    if doc is None:
        return []
    out: list[DataError] = []
    figures = site.entries("figures")
    charted_groups = {f["group"] for f in figures if "change" in f}
    for i, group in enumerate(site.entries("evidence_groups")):
        if "chart" in group and group["id"] not in charted_groups:
            node = Node(doc, "evidence", ("evidence_groups", i, "chart"), group["chart"], {})
            out.append(node.error("has a chart but none of its figures has a 'change' to draw; add 'change' to its figures or remove the chart"))
    with_chart = {g["id"] for g in site.entries("evidence_groups") if "chart" in g}
    for i, figure in enumerate(figures):
        change = figure.get("change")
        if not change:
            continue
        written = f"{change['percent']:g}%"
        if written not in figure["value"]:
            node = Node(doc, "evidence", ("figures", i, "change", "percent"), change["percent"], {})
            out.append(node.error(f"{change['percent']:g} does not match the value '{figure['value']}'; the value must contain '{written}'"))
        if figure["group"] not in with_chart:
            node = Node(doc, "evidence", ("figures", i, "change"), change, {})
            out.append(node.error(f"has a 'change' but its group '{figure['group']}' draws no chart; add a chart to the group or remove 'change'"))
    for i, table in enumerate(site.entries("evidence_tables")):
        width = len(table["columns"])
        for j, row in enumerate(table["rows"]):
            if len(row["cells"]) != width:
                node = Node(doc, "evidence", ("evidence_tables", i, "rows", j, "cells"), row["cells"], {})
                out.append(node.error(f"has {len(row['cells'])} cells but the table has {width} columns; give one cell per column"))
    return out


def cross_entry_checks() -> tuple[Callable[[LoadedData], list[DataError]], ...]:
    """Every check that needs more than one entry or file, in the order their errors are reported."""
    return (glossary_problems, evidence_problems)
