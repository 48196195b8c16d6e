"""The dashboards' repeated blocks (a puskesmas's desa and months per service, a district's
matrix and rates), rendered once and kept by a digest of everything they show (issue #13:
a dashboard within 30 ms of server CPU).

The key is the content, not an id: equal digests mean the same figures, names, statuses, period
and language, so a kept block is always what rendering would give, and any change of data makes
a new key (nothing to invalidate). Blocks are kept in each web worker's own memory, never in the
shared cache: a deploy's restart drops them with the templates they came from.
"""

from __future__ import annotations

import hashlib

from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

# About 6 KB a block: at most 12 MB a worker; least recently used go first.
_blocks = LocMemCache(
    "simpul-dashboard-blocks", {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 2000}}
)


def digest(*parts: object) -> str:
    """A short digest of `parts` by their repr (dataclasses, numbers, strings and tuples)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def cached_block(template: str, *, key: str, context: dict) -> SafeString:
    """`template` rendered with `context` (no request: blocks use no context processor), kept
    under `key`, which must cover everything the block shows, and the active language."""
    full_key = f"{template}:{get_language()}:{key}"
    html = _blocks.get(full_key)
    if html is None:
        html = render_to_string(template, context)
        _blocks.set(full_key, html)
    return SafeString(html)


def service_line_key(line) -> str:
    """What the puskesmas page's block of one service shows: the service, its figure, each
    desa's figure and each month's served and status (its chart comes from those)."""
    service = line.service
    return digest(
        service.pk,
        service.number,
        service.label,
        line.figure,
        [(village.pk, village.name, figure) for village, figure in line.villages],
        [(m.month, m.served, m.status) for m in line.months],
    )


def _rate(rate) -> tuple | None:
    if rate is None:
        return None
    return (rate.completeness, rate.timeliness, rate.approved, rate.expected)


def matrix_key(*, period, lines, totals, services) -> str:
    """What a matrix of areas x services shows: each line's name, link and figures, the
    totals, the services, and the period its links carry."""
    return digest(
        period,
        [(line.pk, line.name, line.href, line.cells) for line in lines],
        [(line.name, line.cells) for line in totals],
        [(service.pk, service.number, service.label) for service in services],
    )


def rates_key(*, lines, totals) -> str:
    """What a completeness and timeliness table shows: each line's name and rate."""
    return digest(
        [(line.name, _rate(line.rate)) for line in lines],
        [(line.name, _rate(line.rate)) for line in totals],
    )


def services_key(dash) -> str:
    """What the achievement-by-service chart and table show: each service's figure against
    the period's pace (the chart is drawn from those)."""
    return digest(
        dash.period,
        [
            (line.service.pk, line.service.number, line.service.label, line.figure)
            for line in dash.services
        ],
    )


def services_block(dash) -> SafeString:
    return cached_block(
        "indicators/_dashboard_service_chart.html", key=services_key(dash), context={"dash": dash}
    )


def index_key(dash) -> str:
    """What the SPM index block shows (issue #16): the area's index, the weights of its parts,
    each service's index and budget, whether a budget is recorded, and the period."""
    parts = dash.parts
    return digest(
        dash.period,
        dash.index,
        dash.has_budget,
        None
        if parts is None
        else (parts.people_served_weight, parts.quality_weight, parts.missing_quality_as_zero),
        [
            (line.service.pk, line.service.number, line.service.code, line.service.label)
            + (line.index, line.budget)
            for line in dash.services
        ],
    )


def index_block(dash) -> SafeString:
    """The area's SPM index, its services' indexes and budgets, and how the index is weighed."""
    return cached_block(
        "indicators/_dashboard_index_block.html", key=index_key(dash), context={"dash": dash}
    )


def area_index_block(
    dash, *, lines, totals, area_header: str, testid: str, show_budget: bool, spaced: bool = False
) -> SafeString:
    """A table of areas (puskesmas of a district, districts of a province) with each one's SPM
    index, its parts and (show_budget) its budget realised, then the totals."""
    rows = [
        (line.pk, line.name, line.href, line.index, line.index_band, line.index_services)
        + (line.index_people, line.index_quality, line.budget)
        for line in [*lines, *totals]
    ]
    services_total = len(dash.services)
    return cached_block(
        "indicators/_dashboard_index_table.html",
        key=digest(
            dash.period, rows, len(lines), area_header, testid, show_budget, spaced, services_total
        ),
        context={
            "period": dash.period,
            "lines": lines,
            "totals": totals,
            "area_header": area_header,
            "testid": testid,
            "show_budget": show_budget,
            "spaced": spaced,
            "services_total": services_total,
        },
    )
