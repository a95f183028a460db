"""The evidence page: its data checks, the chart geometry, and the built page with every figure, its source and table alternatives."""

from __future__ import annotations

import pytest

from conftest import REAL_DATA_TODAY, TODAY, DataCopy
from sitedata.data.crosschecks import evidence_problems
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site
from sitedata.views.evidence import CHART_WIDTH, change_chart, number, table_chart

REAL_TODAY = REAL_DATA_TODAY


def problems(data: DataCopy) -> list[str]:
    """What load_site reports for this data (the evidence checks run inside it)."""
    try:
        site = load_site(data_dir=data.path, today=TODAY)
    except DataErrors as exc:
        return [str(e) for e in exc.errors]
    assert evidence_problems(site) == []
    return []


def test_valid_fixture_has_no_problems(data: DataCopy) -> None:
    assert problems(data) == []


def test_a_row_with_the_wrong_number_of_cells(data: DataCopy) -> None:
    line = data.replace("evidence.yaml", 'cells: ["4090", "3,820"]', 'cells: ["4090"]')
    assert problems(data) == [f"data/evidence.yaml:{line}:16: table 'police-figures': rows[0].cells: has 1 cells but the table has 2 columns; give one cell per column"]


def test_a_charted_change_must_match_its_value(data: DataCopy) -> None:
    line = data.replace("evidence.yaml", "percent: 27,", "percent: 72,")
    assert problems(data) == [f"data/evidence.yaml:{line}:44: figure 'contacts-up': change.percent: 72 does not match the value '27%'; the value must contain '72%'"]


def test_a_chart_needs_figures_with_a_change(data: DataCopy) -> None:
    data.replace("evidence.yaml", "    change: {direction: increase, percent: 27, label: Contacts}\n", "")
    line = data.replace("evidence.yaml", "    chart:\n      title: Changes in contacts", "    chart:\n      title: Changes in contacts") + 1
    assert problems(data) == [f"data/evidence.yaml:{line}:7: evidence group 'survey': chart: has a chart but none of its figures has a 'change' to draw; add 'change' to its figures or remove the chart"]


def test_a_change_needs_a_chart_in_its_group(data: DataCopy) -> None:
    data.replace("evidence.yaml", "    chart:\n      title: Changes in contacts\n", "")
    line = data.replace("evidence.yaml", "change: {direction", "change: {direction")
    assert problems(data) == [f"data/evidence.yaml:{line}:13: figure 'contacts-up': change: has a 'change' but its group 'survey' draws no chart; add a chart to the group or remove 'change'"]


def test_table_cells_must_be_numbers_as_printed(data: DataCopy) -> None:
    from sitedata.data.errors import DataErrors

    line = data.replace("evidence.yaml", 'cells: ["4090", "3,820"]', 'cells: ["4090", "about 3800"]')
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    assert [str(e) for e in info.value.errors] == [
        f"data/evidence.yaml:{line}:25: table 'police-figures': rows[0].cells[1]: 'about 3800' is not valid: write the number as the source gives it, in quotes, for example '4090', '1,139' or '87%'"
    ]


def test_numbers_are_read_as_printed() -> None:
    assert number("1,139") == 1139
    assert number("87%") == 87
    assert number("4.1%") == 4.1


def test_rises_and_falls_are_drawn_either_side_of_zero() -> None:
    group = {"id": "g", "chart": {"title": "Changes"}}
    figures = [
        {"value": "27%", "change": {"direction": "increase", "percent": 27, "label": "Up"}},
        {"value": "13.5%", "change": {"direction": "decrease", "percent": 13.5, "label": "Down"}},
        {"value": "Most", "statement": "no change drawn"},
    ]
    chart = change_chart(group, figures)
    assert chart is not None
    up, down = chart.bars
    assert chart.axis_x == CHART_WIDTH / 2
    assert up.x == chart.axis_x and up.kind == "increase"
    assert down.x + down.width == pytest.approx(chart.axis_x, abs=0.1) and down.kind == "decrease"
    assert down.width == pytest.approx(up.width / 2, abs=0.1)
    assert up.x + up.width <= CHART_WIDTH
    assert [line.text for line in up.labels] == ["Up: 27% increase"]
    assert up.y < down.y < chart.height
    assert change_chart({"id": "g"}, figures) is None


def test_table_bars_cluster_by_row_or_by_column() -> None:
    table = {"id": "t", "title": "T", "columns": ["North", "South"], "rows": [{"label": "Crime", "cells": ["4,000", "2000"]}, {"label": "Incidents", "cells": ["1000", "500"]}], "chart": {"by": "rows"}}
    by_rows = table_chart(table)
    assert by_rows is not None
    assert [h.text for h in by_rows.headings] == ["Crime", "Incidents"]
    assert [b.labels[0].text for b in by_rows.bars] == ["North: 4,000", "South: 2000", "North: 1000", "South: 500"]
    assert by_rows.bars[0].width == pytest.approx(CHART_WIDTH - 6) and by_rows.bars[3].width == pytest.approx((CHART_WIDTH - 6) / 8, abs=0.1)
    by_columns = table_chart(dict(table, chart={"by": "columns"}))
    assert by_columns is not None
    assert [h.text for h in by_columns.headings] == ["North", "South"]
    assert [b.labels[0].text for b in by_columns.bars] == ["Crime: 4,000", "Incidents: 1000", "Crime: 2000", "Incidents: 500"]
    assert table_chart({k: v for k, v in table.items() if k != "chart"}) is None


def test_long_labels_wrap_inside_the_chart() -> None:
    table = {"id": "t", "title": "T", "columns": ["A very long column heading that would run off the edge of a phone screen"], "rows": [{"label": "R", "cells": ["1"]}], "chart": {"by": "rows"}}
    chart = table_chart(table)
    assert chart is not None
    assert len(chart.bars[0].labels) == 2
    assert all(len(line.text) <= 54 for line in chart.bars[0].labels)


def test_the_real_evidence_passes_its_checks() -> None:
    assert evidence_problems(load_site(today=REAL_TODAY)) == []


def test_practice_figures_are_also_evidence_figures() -> None:
    """A figure shown on an initiative's page is on the evidence page too, linked to that initiative."""
    site = load_site(today=REAL_TODAY)
    evidence: dict[str, set[str]] = {}
    for f in site.entries("figures"):
        if "practice" in f:
            evidence.setdefault(f["practice"], set()).add(f["value"])
    for t in site.entries("evidence_tables"):
        if "practice" in t:
            evidence.setdefault(t["practice"], set()).update(c for r in t["rows"] for c in r["cells"])
    for practice in site.entries("practices"):
        for figure in practice.get("figures", []):
            assert figure["value"] in evidence.get(practice["id"], set()), (practice["id"], figure["value"])


# The real site (the session fixture real_site, conftest.py).










