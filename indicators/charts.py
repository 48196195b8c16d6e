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


# --- Lines: month by month, several series, gaps where nothing was reported (issue #15) ------

LINE_HEIGHT = 132
LINE_LEFT = 34  # room for the tick labels on the left
LINE_TOP, LINE_BOTTOM_ROOM = 8, 16  # the months' numbers sit below the plot


@dataclass(frozen=True)
class LinePoint:
    month: int
    value: Decimal | int
    x: int
    y: int
    pending: bool  # drawn hollow: counted from reports not approved yet


@dataclass(frozen=True)
class LineSeries:
    label: str
    css: str  # the stroke class: "line-0" (this year), "line-1" (previous year), "pace"
    points: list[LinePoint]
    paths: list[str]  # polyline `points` attributes, one per run of months without a gap
    dashed: bool = False


@dataclass(frozen=True)
class Tick:
    value: int
    y: int


@dataclass(frozen=True)
class LineChart:
    """Months 1..12 across, one line per series, broken where a month has no value."""

    series: list[LineSeries]
    ticks: list[Tick]
    months: list[tuple[int, int]]  # (month, x)
    scale: int  # the value at the top of the plot
    width: int
    height: int
    left: int
    right: int
    top: int
    baseline: int
    axes: bool
    dot: int  # the radius of a point

    @property
    def label_y(self) -> int:
        return self.height - 3

    @property
    def tick_x(self) -> int:
        return self.left - 4


@dataclass(frozen=True)
class SeriesData:
    """What a line is drawn from: twelve values (None: a gap), January first."""

    label: str
    css: str
    values: Sequence[Decimal | int | None]
    pending: Sequence[bool] = ()
    dashed: bool = False


def nice_ceiling(value: float, *, floor: int = 1) -> int:
    """The smallest of 1, 2, 2.5, 5 x 10^k at least `value` (and at least `floor`): round
    numbers at the top of an axis."""
    value = max(float(value), float(floor), 1.0)
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return max(int(math.ceil(step * magnitude)), floor)
    return int(10 * magnitude)  # pragma: no cover: the loop ends at 10


def line_scale(values: Sequence[Decimal | int | None], *, floor: int = 1) -> int:
    """The top of an axis that holds every value: to share one scale across small multiples."""
    largest = max((float(v) for v in values if v is not None), default=0.0)
    return nice_ceiling(largest, floor=floor)


def line_chart(
    series: Sequence[SeriesData],
    *,
    floor: int = 1,
    scale: int | None = None,
    width: int = WIDTH,
    height: int = LINE_HEIGHT,
    axes: bool = True,
) -> LineChart:
    """Lines over the twelve months. The axis runs from 0 to `scale` (else the round number
    above the largest value and `floor`: 100 for percentages); values above it are drawn at the
    top. Without `axes` (small multiples) there are no labels and the plot fills the box."""
    if scale is None:
        scale = line_scale([v for s in series for v in s.values], floor=floor)
    left = LINE_LEFT if axes else 3
    right = width - (8 if axes else 3)
    top = LINE_TOP if axes else 3
    baseline = height - (LINE_BOTTOM_ROOM if axes else 3)
    step = (right - left) / 11

    def x_of(month: int) -> int:
        return round(left + (month - 1) * step)

    def y_of(value: Decimal | int) -> int:
        share = min(max(float(value), 0.0), scale) / scale
        return round(baseline - (baseline - top) * share)

    drawn = []
    for data in series:
        points: list[LinePoint] = []
        paths: list[str] = []
        run: list[str] = []
        for index, value in enumerate(data.values):
            if value is None:
                if run:
                    paths.append(" ".join(run))
                run = []
                continue
            pending = bool(data.pending[index]) if index < len(data.pending) else False
            point = LinePoint(index + 1, value, x_of(index + 1), y_of(value), pending)
            points.append(point)
            run.append(f"{point.x},{point.y}")
        if run:
            paths.append(" ".join(run))
        drawn.append(LineSeries(data.label, data.css, points, paths, data.dashed))
    ticks = [Tick(value, y_of(value)) for value in (0, scale // 2, scale)] if axes else []
    return LineChart(
        series=drawn,
        ticks=ticks,
        months=[(month, x_of(month)) for month in range(1, 13)],
        scale=scale,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        baseline=baseline,
        axes=axes,
        dot=3 if axes else 2,
    )
