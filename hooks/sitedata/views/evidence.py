"""The evidence page: figures, findings and tables from data/evidence.yaml, with charts drawn as inline SVG.

Chart geometry is computed here, so the templates only loop over bars and labels. Every chart is
followed on the page by a table of the same figures.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sitedata.data.load import SiteData

EVIDENCE_TEMPLATE = "evidence.html"
CHART_WIDTH = 360  # viewBox units; the chart scales to the column width, so text stays readable on a phone
FONT_SIZE = 13
LINE_HEIGHT = 16
LABEL_CHARS = 54  # characters per label line at FONT_SIZE in CHART_WIDTH (about 6.3 units a character)
BAR_HEIGHT = 14
BAR_GAP = 10
GROUP_GAP = 12
PADDING = 6


@dataclass(frozen=True)
class TextLine:
    """One line of text in a chart."""

    text: str
    x: float
    y: float
    anchor: str = "start"


@dataclass(frozen=True)
class Bar:
    """One bar, with its label lines above it."""

    x: float
    y: float
    width: float
    kind: str
    labels: tuple[TextLine, ...]

    @property
    def axis_top(self) -> float:
        """Where the zero line starts beside this bar."""
        return self.y - 3

    @property
    def axis_bottom(self) -> float:
        """Where the zero line ends beside this bar."""
        return self.y + BAR_HEIGHT + 3


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: group headings, bars and an optional zero axis."""

    id: str
    title: str
    description: str
    height: float
    bars: tuple[Bar, ...]
    headings: tuple[TextLine, ...] = ()
    axis_x: float | None = None  # the zero line of a chart of rises and falls, drawn beside each bar only
    width: int = CHART_WIDTH
    font_size: int = FONT_SIZE
    bar_height: int = BAR_HEIGHT


@dataclass
class _Layout:
    """Running y position while bars and headings are placed top to bottom."""

    y: float = PADDING
    bars: list[Bar] = field(default_factory=list)
    headings: list[TextLine] = field(default_factory=list)

    def heading(self, text: str) -> None:
        for line in textwrap.wrap(text, LABEL_CHARS):
            self.y += LINE_HEIGHT
            self.headings.append(TextLine(line, 0, self.y - 4))
        self.y += 2

    def bar(self, *, label: str, x: float, width: float, kind: str) -> None:
        labels = []
        for line in textwrap.wrap(label, LABEL_CHARS):
            self.y += LINE_HEIGHT
            labels.append(TextLine(line, 0, self.y - 4))
        self.y += 2
        self.bars.append(Bar(x=round(x, 1), y=self.y, width=round(max(width, 1.0), 1), kind=kind, labels=tuple(labels)))
        self.y += BAR_HEIGHT + BAR_GAP


def number(text: str) -> float:
    """The number in a table cell ('1,139' -> 1139.0, '87%' -> 87.0)."""
    return float(text.replace(",", "").removesuffix("%"))


def change_chart(group: dict[str, Any], figures: list[dict[str, Any]]) -> Chart | None:
    """A diverging chart of a group's percentage rises and falls, or None when it has no chart."""
    charted = [f for f in figures if "change" in f]
    if "chart" not in group or not charted:
        return None
    biggest = max(f["change"]["percent"] for f in charted)
    axis = CHART_WIDTH / 2
    scale = (axis - PADDING) / biggest
    layout = _Layout()
    for f in charted:
        change = f["change"]
        width = change["percent"] * scale
        increase = change["direction"] == "increase"
        layout.bar(
            label=f"{change['label']}: {f['value']} {change['direction']}",
            x=axis if increase else axis - width,
            width=width,
            kind=change["direction"],
        )
    chart = group["chart"]
    return Chart(
        id=f"chart-{group['id']}",
        title=chart["title"],
        description=chart.get("description", "A bar chart of the figures in the table that follows it."),
        height=layout.y + PADDING,
        bars=tuple(layout.bars),
        axis_x=axis,
    )


def table_chart(table: dict[str, Any]) -> Chart | None:
    """A bar chart of a table's cells, clustered by row or by column, or None when it has no chart."""
    if "chart" not in table:
        return None
    rows = table["rows"]
    columns = table["columns"]
    biggest = max(number(c) for r in rows for c in r["cells"]) or 1.0
    scale = (CHART_WIDTH - PADDING) / biggest
    if table["chart"]["by"] == "rows":
        clusters = [(r["label"], [(columns[i], c) for i, c in enumerate(r["cells"])]) for r in rows]
    else:
        clusters = [(col, [(r["label"], r["cells"][i]) for r in rows]) for i, col in enumerate(columns)]
    layout = _Layout()
    for n, (heading, bars) in enumerate(clusters):
        if n:
            layout.y += GROUP_GAP
        layout.heading(heading)
        for k, (label, cell) in enumerate(bars):
            layout.bar(label=f"{label}: {cell}", x=0, width=number(cell) * scale, kind=f"series-{k % 4}")
    return Chart(
        id=f"chart-{table['id']}",
        title=table["title"],
        description=f"Bars for each figure in the table '{table['title']}', which follows the chart.",
        height=layout.y + PADDING,
        bars=tuple(layout.bars),
        headings=tuple(layout.headings),
    )


def evidence_page(site: SiteData, *, render_with: Callable[..., str]) -> str:
    """Every evidence group in order, with its chart, table, figures, findings and tables."""
    figures = site.entries("figures")
    tables = site.entries("evidence_tables")
    groups = []
    for group in site.entries("evidence_groups"):
        own = [f for f in figures if f["group"] == group["id"]]
        own_tables = [dict(t, chart_svg=table_chart(t)) for t in tables if t["group"] == group["id"]]
        groups.append(
            {
                "group": group,
                "figures": own,
                "changes": [f for f in own if "change" in f],
                "chart": change_chart(group, own),
                "tables": own_tables,
            }
        )
    return render_with(EVIDENCE_TEMPLATE, groups=groups)
