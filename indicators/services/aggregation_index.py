"""The quarterly aggregation's quality part (B) and SPM index (issue #16), as SQL fragments the
aggregation's statements embed: no statement of its own, no Python loop over areas.

Quality of a puskesmas and service (DOMAIN.md §2, §7; the rule of helpers' contract): over the
service's active quality items with needed > 0 in the puskesmas's APPROVED quality report of the
quarter, SUM(weight x LEAST(available / needed, 1)) / SUM(weight) x 100, rounded to 2 places;
NULL when no item counts. An available left blank counts as 0. A district or province: the
same over the SUMS of needed and available per item across the approved reports below it (so
the district's roll-up page and the aggregation agree).

SPM index of a service, with the edition's IndexParts (wA people served, wB quality):
(wA x LEAST(achievement, 100) + wB x quality) / (wA + wB); without quality, LEAST(achievement,
100) alone, or wA x LEAST(achievement, 100) / (wA + wB) when the edition counts missing quality
as 0; without an IndexParts row (or both weights 0), LEAST(achievement, 100); without a target
(achievement NULL), NULL. Weights are data per edition, never code.
"""

from __future__ import annotations

from django.db import connection

from kernel.models import District, Puskesmas

from ..models import IndexParts, QualityItem, QualityReport, QualityValue

APPROVED_QUALITY = QualityReport.Status.APPROVED


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def index_parts_of(edition_id: int) -> IndexParts | None:
    """The edition's index weights (one query); None when the edition has none."""
    return IndexParts.objects.filter(edition_id=edition_id).first()


def _capped(achievement: str) -> str:
    return f"(CASE WHEN {achievement} > 100 THEN 100.0 ELSE {achievement} END)"


def index_expression(
    parts: IndexParts | None, *, achievement: str = "n.achievement", quality: str = "n.quality"
) -> tuple[str, list]:
    """The SQL of a row's service index from its `achievement` and `quality` columns, and its
    parameters (the edition's weights)."""
    capped = _capped(achievement)
    if parts is None or not (parts.people_served_weight + parts.quality_weight):
        return f"ROUND({capped}, 2)", []
    weight = "CAST(%s AS NUMERIC)"
    a, b = parts.people_served_weight, parts.quality_weight
    if parts.missing_quality_as_zero:
        missing, missing_params = f"{weight} * {capped} / ({weight} + {weight})", [a, a, b]
    else:
        missing, missing_params = capped, []
    both = f"({weight} * {capped} + {weight} * {quality}) / ({weight} + {weight})"
    sql = f"ROUND(CASE WHEN {quality} IS NULL THEN {missing} ELSE {both} END, 2)"
    return sql, [*missing_params, a, b, a, b]


def with_index(source: str, params: list, parts: IndexParts | None) -> tuple[str, list]:
    """`source` (rows with achievement and quality) with its service_index column added."""
    expression, expression_params = index_expression(parts)
    return (
        f"SELECT n.*, {expression} AS service_index FROM ({source}) n",
        [*expression_params, *params],
    )


def _quality_percent(needed: str, available: str, weight: str) -> str:
    """SUM(weight x LEAST(available / needed, 1)) / SUM(weight) x 100, rounded; NULL without
    weight (1.0 x: SQLite divides integers as integers)."""
    ratio = f"CASE WHEN {available} >= {needed} THEN 1.0 ELSE 1.0 * {available} / {needed} END"
    return (
        f"CASE WHEN SUM({weight}) > 0 "
        f"THEN ROUND(100.0 * SUM({weight} * ({ratio})) / SUM({weight}), 2) END"
    )


def puskesmas_quality(
    *, year: int, quarter: int, where: str = "", where_params: list | None = None
) -> tuple[str, list]:
    """Per (puskesmas_id, service_id) of the quarter's approved quality reports: quality.
    `where` filters on `rp` (the report's puskesmas, joined only when filtered)."""
    join = f"JOIN {_table(Puskesmas)} rp ON rp.id = qr.puskesmas_id" if where else ""
    quality = _quality_percent("qv.needed", "COALESCE(qv.available, 0)", "qi.weight")
    sql = f"""
        SELECT qr.puskesmas_id, qi.service_id, {quality} AS quality
        FROM {_table(QualityValue)} qv
        JOIN {_table(QualityReport)} qr ON qr.id = qv.report_id
        JOIN {_table(QualityItem)} qi ON qi.id = qv.item_id
        {join}
        WHERE qr.year = %s AND qr.quarter = %s AND qr.status = %s AND qi.is_active = %s
            AND qv.needed > 0{where}
        GROUP BY qr.puskesmas_id, qi.service_id
    """
    return sql, [year, quarter, APPROVED_QUALITY, True, *(where_params or [])]


def _in(column: str, ids: list[int] | None) -> tuple[str, list]:
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def item_sums(
    *, year: int, quarter: int, level: str = "province", ids: list[int] | None = None
) -> tuple[str, list]:
    """Needed and available summed per (province_id, district_id, item_id) over the quarter's
    approved quality reports of the districts or provinces (`level`) in `ids` (None: all).
    PostgreSQL keeps them in a temporary table for a run: one pass over the values serves both
    levels above the puskesmas."""
    column = "rp.district_id" if level == "district" else "rd.province_id"
    where, params = _in(column, ids)
    sql = f"""
        SELECT rd.province_id, rp.district_id, qv.item_id, SUM(qv.needed) AS needed,
            SUM(COALESCE(qv.available, 0)) AS available
        FROM {_table(QualityValue)} qv
        JOIN {_table(QualityReport)} qr ON qr.id = qv.report_id
        JOIN {_table(Puskesmas)} rp ON rp.id = qr.puskesmas_id
        JOIN {_table(District)} rd ON rd.id = rp.district_id
        WHERE qr.year = %s AND qr.quarter = %s AND qr.status = %s{where}
        GROUP BY rd.province_id, rp.district_id, qv.item_id
    """
    return sql, [year, quarter, APPROVED_QUALITY, *params]


def area_quality(
    *,
    level: str,
    year: int,
    quarter: int,
    ids: list[int] | None,
    sums_table: str | None = None,
) -> tuple[str, list]:
    """Per (area_id, service_id) of the districts (level "district") or provinces ("province")
    in `ids` (None: all): quality from the sums of needed and available per item over the
    approved quality reports of their puskesmas (grouped by area and item, then by area and
    service). Read from `sums_table` (item_sums, covering those areas) when given, else from
    the values."""
    column = "district_id" if level == "district" else "province_id"
    if sums_table and level == "district":  # already one row per district and item
        where, params = _in("s.district_id", ids)
        per_item = f"""
            SELECT s.district_id AS area_id, s.item_id, s.needed, s.available
            FROM {sums_table} s
            WHERE true{where}
        """
    elif sums_table:
        where, params = _in(f"s.{column}", ids)
        per_item = f"""
            SELECT s.{column} AS area_id, s.item_id, SUM(s.needed) AS needed,
                SUM(s.available) AS available
            FROM {sums_table} s
            WHERE true{where}
            GROUP BY s.{column}, s.item_id
        """
    else:
        sql, params = item_sums(year=year, quarter=quarter, level=level, ids=ids)
        per_item = f"""
            SELECT x.{column} AS area_id, x.item_id, SUM(x.needed) AS needed,
                SUM(x.available) AS available
            FROM ({sql}) x
            GROUP BY x.{column}, x.item_id
        """
    quality = _quality_percent("x.needed", "x.available", "qi.weight")
    sql = f"""
        SELECT x.area_id, qi.service_id, {quality} AS quality
        FROM ({per_item}) x
        JOIN {_table(QualityItem)} qi ON qi.id = x.item_id
        WHERE qi.is_active = %s AND x.needed > 0
        GROUP BY x.area_id, qi.service_id
    """
    return sql, [*params, True]
