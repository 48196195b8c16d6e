"""Geometry of the dashboards' small SVG charts (issue #5): pure, no database, no markup.

Templates write the SVG (STYLE.md §8: a chart is a few hundred bytes, no JS, no CDN); this module
only turns figures into whole-number coordinates, so templates do no arithmetic and the page needs
no inline style (the CSP forbids it). Coordinates are SVG user units of a fixed viewBox that CSS
scales to the screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 320  # viewBox width: a 360 px phone shows it at about 1:1
BAR_AREA = 262  # bars use 0..BAR_AREA; the value is written right-aligned after them
ROW = 30  # one bar: its label on a line, the bar below
TOP = 16  # room for the pace label above the first bar
PLOT_TOP, PLOT_BOTTOM, COLUMN = 14, 84, 20  # the monthly columns
STEP = (WIDTH - 8) // 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    css: str
    label_y: int
    bar_y: int
    width: int

    @property
    def value_y(self) -> int:
        return self.bar_y + 9


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars (one per service, district ...) with a marker at the expected pace."""

    bars: list[Bar]
    height: int
    scale: int  # the value at the right end of the bar area (100 or more)
    pace_x: int | None
    full_x: int  # where 100 % is
    width: int = WIDTH
    bar_area: int = BAR_AREA

    @property
    def pace_anchor(self) -> str:
        return "end" if self.pace_x is not None and self.pace_x > WIDTH / 2 else "start"


def _scale(values: Sequence[Decimal | None]) -> int:
    """100, or the largest value rounded up to ten (at most 200: beyond that, bars are cut)."""
    largest = max((v for v in values if v is not None), default=Decimal(0))
    return int(min(200, max(100, math.ceil(largest / 10) * 10)))


def _x(value: Decimal | float, scale: int) -> int:
    return round(BAR_AREA * min(max(float(value), 0.0), scale) / scale)


def bar_chart(
    rows: Sequence[tuple[str, Decimal | None, str]], *, pace: Decimal | None = None
) -> BarChart:
    """Bars for (label, value %, css class) rows; None draws no bar (no target)."""
    scale = _scale([row[1] for row in rows] + [pace])
    bars = []
    for index, (label, value, css) in enumerate(rows):
        top = TOP + index * ROW
        bars.append(
            Bar(
                label=label,
                value=value,
                css=css,
                label_y=top + 10,
                bar_y=top + 14,
                width=0 if value is None else max(1, _x(value, scale)),
            )
        )
    return BarChart(
        bars=bars,
        height=TOP + len(rows) * ROW + 2,
        scale=scale,
        pace_x=None if pace is None else _x(pace, scale),
        full_x=_x(100, scale),
    )


@dataclass(frozen=True)
class Column:
    month: int
    value: int | None
    css: str  # "col-approved" or "col-pending" (not yet approved)
    x: int
    y: int
    height: int

    @property
    def centre(self) -> int:
        return self.x + COLUMN // 2


@dataclass(frozen=True)
class ColumnChart:
    """Twelve monthly columns; months without a report have no column."""

    columns: list[Column]
    largest: int
    width: int = WIDTH
    height: int = PLOT_BOTTOM + 14
    baseline: int = PLOT_BOTTOM
    column_width: int = COLUMN


def column_chart(months: Sequence[tuple[int | None, bool]]) -> ColumnChart:
    """Columns for the twelve (served, is approved) pairs of a year, January first."""
    largest = max((value or 0 for value, __ in months), default=0)
    columns = []
    for index, (value, approved) in enumerate(months):
        height = 0
        if value and largest:
            height = max(1, round((PLOT_BOTTOM - PLOT_TOP) * value / largest))
        columns.append(
            Column(
                month=index + 1,
                value=value,
                css="col-approved" if approved else "col-pending",
                x=4 + index * STEP + (STEP - COLUMN) // 2,
                y=PLOT_BOTTOM - height,
                height=height,
            )
        )
    return ColumnChart(columns=columns, largest=largest)
