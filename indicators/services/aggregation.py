"""Quarterly SPM achievement from approved monthly data, puskesmas -> district -> province (#5).

Set-based: each level is one statement with GROUP BY, run by the database; no Python loop over
puskesmas. A rebuild writes its scope inside one transaction: it updates in place the rows it
computes again, inserts new ones and deletes the scope's rows it did not write. Readers see the old
quarter until the new one is committed, and a re-run gives the same rows (idempotent).
PostgreSQL sums the puskesmas level in parallel into a temporary table and MERGEs it; SQLite
upserts (INSERT ... ON CONFLICT) from the same SELECT.

Issue #16: each achievement row also carries its quality (part B, from the quarter's approved
quality reports) and its SPM index; the SQL of both lives in aggregation_index.py and is joined
into the same statements (quality: one more GROUP BY per level, no statement of its own).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import District, Puskesmas, Village

from ..models import (
    Achievement,
    AggregationRun,
    IndexParts,
    Level,
    MonthlyReport,
    MonthlyValue,
    ReportingRate,
    SPMService,
    Target,
)
from ..reporting import reporting_year
from .aggregation_index import (
    area_quality,
    index_parts_of,
    item_sums,
    puskesmas_quality,
    with_index,
)

APPROVED = tuple(MonthlyReport.APPROVED_STATUSES)
Progress = Callable[[int, int], None]


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def quarter_months(quarter: int) -> tuple[int, int]:
    return 3 * quarter - 2, 3 * quarter


@dataclass(frozen=True)
class Scope:
    """What a run rebuilds: one puskesmas, one district, or the whole country (both None).

    District and province totals above the scope are always rebuilt whole from the rows below.
    """

    puskesmas_id: int | None = None
    district_id: int | None = None

    def puskesmas_filter(self, alias: str) -> tuple[str, list]:
        if self.puskesmas_id:
            return f" AND {alias}.id = %s", [self.puskesmas_id]
        if self.district_id:
            return f" AND {alias}.district_id = %s", [self.district_id]
        return "", []

    def district_ids(self) -> list[int] | None:
        if self.puskesmas_id:
            return [
                Puskesmas.objects.values_list("district_id", flat=True).get(pk=self.puskesmas_id)
            ]
        if self.district_id:
            return [self.district_id]
        return None

    def province_ids(self) -> list[int] | None:
        districts = self.district_ids()
        if districts is None:
            return None
        return list(
            District.objects.filter(pk__in=districts)
            .values_list("province_id", flat=True)
            .distinct()
        )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in(column: str, ids: list[int] | None) -> tuple[str, list]:
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


# The columns of a quarter's rows besides run, year, quarter and level (which the writer adds),
# in the order every source SELECT gives them, and the natural key after (year, quarter, level).
COLUMNS = {
    Achievement: "province_id district_id puskesmas_id area_id service_id served_quarter "
    "served_ytd target achievement quality service_index".split(),
    ReportingRate: "province_id district_id puskesmas_id area_id expected approved on_time".split(),
}
KEYS = {Achievement: ("area_id", "service_id"), ReportingRate: ("area_id",)}
# PostgreSQL: the puskesmas rows of a run, computed in parallel before they are merged, and the
# quality needed and available per district and item (one pass over the quality values).
PUSKESMAS_ROWS = "simpul_quarter_puskesmas_rows"
QUALITY_SUMS = "simpul_quarter_quality_sums"


def _write(model, run: AggregationRun, *, level: str, source: str, params: list) -> None:
    """Store the rows `source` selects (one level of the run's quarter, COLUMNS[model]) stamped
    with the run: rows with the same natural key are updated in place, the others inserted.

    In place rather than deleted and inserted again: on PostgreSQL such an update changes no
    indexed column, so it is a heap-only (HOT) update that touches no index (the tables keep
    room on each page for it, migration 0009). Rewriting the national quarter this way took
    0.3 s against 1.1-1.5 s for DELETE + INSERT (bench/README.md).
    """
    table = _table(model)
    columns = COLUMNS[model]
    names = ", ".join(["run_id", "year", "quarter", "level", *columns])
    constants = [run.pk, run.year, run.quarter, level]
    changing = [c for c in columns if c not in KEYS[model]]
    # pg_version exists on the PostgreSQL backend only, which the stubs do not tell apart.
    if connection.vendor == "postgresql" and connection.pg_version >= 150000:  # type: ignore[attr-defined]
        match = " AND ".join(f"a.{c} = n.{c}" for c in KEYS[model])
        sql = f"""
            MERGE INTO {table} a USING ({source}) n
            ON a.year = %s AND a.quarter = %s AND a.level = %s AND {match}
            WHEN MATCHED THEN UPDATE SET run_id = %s, {", ".join(f"{c} = n.{c}" for c in changing)}
            WHEN NOT MATCHED THEN INSERT ({names})
                VALUES (%s, %s, %s, %s, {", ".join(f"n.{c}" for c in columns)})
        """
        params = [*params, run.year, run.quarter, level, run.pk, *constants]
    else:  # SQLite (and PostgreSQL before MERGE): the same effect by INSERT ... ON CONFLICT
        sql = f"""
            INSERT INTO {table} ({names})
            SELECT %s, %s, %s, %s, {", ".join(f"n.{c}" for c in columns)} FROM ({source}) n
            WHERE true
            ON CONFLICT (year, quarter, level, {", ".join(KEYS[model])}) DO UPDATE SET
                run_id = excluded.run_id, {", ".join(f"{c} = excluded.{c}" for c in changing)}
        """
        params = [*constants, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _puskesmas_rows(
    run: AggregationRun, *, edition_id: int, scope: Scope, parts: IndexParts | None
) -> tuple[str, list]:
    """One SELECT: served in the quarter and year to date, the annual target, the quality of
    the quarter's approved quality report and the SPM index, for every puskesmas in scope x
    every monthly service of the year's edition."""
    first, last = quarter_months(run.quarter)
    where_p, params_p = scope.puskesmas_filter("p")
    where_r, params_r = scope.puskesmas_filter("rp")
    # Join puskesmas into the inner sums only when the scope filters on it (a whole-country
    # rebuild skips two joins of 12 M and 1 M rows).
    join_reports = f"JOIN {_table(Puskesmas)} rp ON rp.id = r.puskesmas_id" if where_r else ""
    join_villages = f"JOIN {_table(Puskesmas)} rp ON rp.id = vl.puskesmas_id" if where_r else ""
    quality, params_q = puskesmas_quality(
        year=run.year, quarter=run.quarter, where=where_r, where_params=params_r
    )
    sql = f"""
        SELECT d.province_id, p.district_id, p.id AS puskesmas_id, p.id AS area_id,
            s.id AS service_id, COALESCE(v.served_quarter, 0) AS served_quarter,
            COALESCE(v.served_ytd, 0) AS served_ytd, t.target,
            CASE WHEN t.target > 0
                 THEN ROUND(100.0 * COALESCE(v.served_ytd, 0) / t.target, 2) END AS achievement,
            q.quality
        FROM {_table(Puskesmas)} p
        JOIN {_table(District)} d ON d.id = p.district_id
        CROSS JOIN {_table(SPMService)} s
        LEFT JOIN (
            SELECT r.puskesmas_id, mv.service_id,
                SUM(CASE WHEN r.month >= %s THEN mv.value ELSE 0 END) AS served_quarter,
                SUM(mv.value) AS served_ytd
            FROM {_table(MonthlyValue)} mv
            JOIN {_table(MonthlyReport)} r ON r.id = mv.report_id
            {join_reports}
            WHERE r.year = %s AND r.month <= %s AND r.status IN (%s, %s){where_r}
            GROUP BY r.puskesmas_id, mv.service_id
        ) v ON v.puskesmas_id = p.id AND v.service_id = s.id
        LEFT JOIN (
            SELECT vl.puskesmas_id, tg.service_id, SUM(tg.value) AS target
            FROM {_table(Target)} tg
            JOIN {_table(Village)} vl ON vl.id = tg.village_id
            {join_villages}
            WHERE tg.year = %s AND tg.is_of_record = %s{where_r}
            GROUP BY vl.puskesmas_id, tg.service_id
        ) t ON t.puskesmas_id = p.id AND t.service_id = s.id
        LEFT JOIN ({quality}) q ON q.puskesmas_id = p.id AND q.service_id = s.id
        WHERE s.edition_id = %s AND s.level = %s AND s.is_reported_monthly = %s{where_p}
    """
    params = [first, run.year, last, *APPROVED, *params_r, run.year, True, *params_r, *params_q]
    return with_index(sql, [*params, edition_id, "district", True, *params_p], parts)


def _write_puskesmas_rows(
    run: AggregationRun, *, edition_id: int, scope: Scope, parts: IndexParts | None
) -> None:
    source, params = _puskesmas_rows(run, edition_id=edition_id, scope=scope, parts=parts)
    if connection.vendor != "postgresql":
        _write(Achievement, run, level=Level.PUSKESMAS, source=source, params=params)
        return
    # PostgreSQL never runs the SELECT of an INSERT or MERGE in parallel, but does run that of
    # CREATE TABLE AS: sum the 12 M national values into a temporary table on every core first.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {PUSKESMAS_ROWS} ON COMMIT DROP AS {source}", params)
    _write(
        Achievement, run, level=Level.PUSKESMAS, source=f"SELECT * FROM {PUSKESMAS_ROWS}", params=[]
    )
    with connection.cursor() as cursor:
        # Dropped now too: a caller's transaction may rebuild several quarters before it commits.
        cursor.execute(f"DROP TABLE {PUSKESMAS_ROWS}")


def _rollup(
    model,
    run: AggregationRun,
    *,
    level: str,
    ids: list[int] | None,
    parts: IndexParts | None = None,
    sums_table: str | None = None,
) -> None:
    """District rows from puskesmas rows, or province rows from district rows (one statement).

    Achievement: people served are summed from the rows below; quality comes from the sums of
    needed and available per item over the approved quality reports below (not from the
    qualities below: a big puskesmas weighs more), then the index from both."""
    below, group = (
        (Level.PUSKESMAS, "district_id")
        if level == Level.DISTRICT
        else (Level.DISTRICT, "province_id")
    )
    where, params = _in(group, ids)
    district = "district_id" if level == Level.DISTRICT else "CAST(NULL AS BIGINT)"
    group_by = "province_id" + (", district_id" if level == Level.DISTRICT else "")
    if model is Achievement:
        sums = """service_id, SUM(served_quarter) AS served_quarter,
            SUM(served_ytd) AS served_ytd, SUM(target) AS target,
            CASE WHEN SUM(target) > 0
                 THEN ROUND(100.0 * SUM(served_ytd) / SUM(target), 2) END AS achievement"""
        group_by += ", service_id"
    else:
        sums = "SUM(expected) AS expected, SUM(approved) AS approved, SUM(on_time) AS on_time"
    source = f"""
        SELECT province_id, {district} AS district_id, CAST(NULL AS BIGINT) AS puskesmas_id,
            {group} AS area_id, {sums}
        FROM {_table(model)}
        WHERE year = %s AND quarter = %s AND level = %s{where}
        GROUP BY {group_by}
    """
    params = [run.year, run.quarter, below, *params]
    if model is Achievement:
        quality, params_q = area_quality(
            level=level, year=run.year, quarter=run.quarter, ids=ids, sums_table=sums_table
        )
        source = f"""
            SELECT a.*, q.quality FROM ({source}) a
            LEFT JOIN ({quality}) q ON q.area_id = a.area_id AND q.service_id = a.service_id
        """
        source, params = with_index(source, [*params, *params_q], parts)
    _write(model, run, level=level, source=source, params=params)


def _write_quality_sums(run: AggregationRun, *, province_ids: list[int] | None) -> str | None:
    """PostgreSQL: needed and available per (province, district, item) of the provinces the run
    rolls up, into a temporary table both roll-ups read (None elsewhere: they read the values)."""
    if connection.vendor != "postgresql":
        return None
    sql, params = item_sums(year=run.year, quarter=run.quarter, ids=province_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {QUALITY_SUMS} ON COMMIT DROP AS {sql}", params)
    return QUALITY_SUMS


def _write_reporting_rates(run: AggregationRun, *, scope: Scope, last_month: int) -> None:
    """Completeness and timeliness per puskesmas in scope, in SQL (the ORM builds the counts:
    it knows how to take the local date of a timestamp on each database)."""
    first, last = quarter_months(run.quarter)
    last = min(last, last_month)
    expected = max(0, last - first + 1)
    in_quarter = Q(reports__year=run.year, reports__month__gte=first, reports__month__lte=last)
    approved = in_quarter & Q(reports__status__in=APPROVED)
    on_time = approved & Q(reports__first_submitted_at__date__lte=F("reports__due_on"))
    puskesmas = Puskesmas.objects.order_by()
    if scope.puskesmas_id:
        puskesmas = puskesmas.filter(pk=scope.puskesmas_id)
    elif scope.district_id:
        puskesmas = puskesmas.filter(district_id=scope.district_id)
    counts = puskesmas.values(
        rate_puskesmas=F("id"),
        rate_district=F("district_id"),
        rate_province=F("district__province_id"),
    ).annotate(
        rate_approved=Count("reports", filter=approved),
        rate_on_time=Count("reports", filter=on_time),
    )
    sql, params = counts.query.sql_with_params()
    source = f"""
        SELECT q.rate_province AS province_id, q.rate_district AS district_id,
            q.rate_puskesmas AS puskesmas_id, q.rate_puskesmas AS area_id, %s AS expected,
            q.rate_approved AS approved, q.rate_on_time AS on_time
        FROM ({sql}) q
    """
    _write(ReportingRate, run, level=Level.PUSKESMAS, source=source, params=[expected, *params])


def _delete_stale(run: AggregationRun, *, level: str, scope: Scope, ids: list[int] | None) -> None:
    """Delete the rows of `level` in scope that this run did not write (a puskesmas closed or
    moved to another district, a service no longer in the year's edition), before the level
    above sums them."""
    rows = Q(year=run.year, quarter=run.quarter, level=level)
    if level == Level.PUSKESMAS and scope.puskesmas_id:
        rows &= Q(puskesmas_id=scope.puskesmas_id)
    elif level == Level.PUSKESMAS and scope.district_id:
        rows &= Q(district_id=scope.district_id)
    elif level != Level.PUSKESMAS and ids is not None:
        rows &= Q(**{f"{'district' if level == Level.DISTRICT else 'province'}_id__in": ids})
    for model in (Achievement, ReportingRate):
        model.objects.filter(rows).exclude(run=run).delete()


def _fault_injection_pause() -> None:
    """Tests that kill a worker mid-run slow each step down with SIMPUL_AGGREGATION_STEP_SECONDS;
    unset (production) it costs nothing."""
    seconds = float(os.environ.get("SIMPUL_AGGREGATION_STEP_SECONDS") or 0)
    if seconds:
        time.sleep(seconds)


def quarter_aggregate(
    *,
    year: int,
    quarter: int,
    scope: Scope | None = None,
    run: AggregationRun | None = None,
    progress: Progress | None = None,
) -> AggregationRun:
    """Rebuild the quarter's achievement and reporting rates in `scope`; atomic; idempotent.

    Counts approved (and locked) reports only. Records on the run when it ran and what data it
    used (how many approved reports, the latest change among them).
    """
    scope = scope or Scope()
    run = run or AggregationRun.objects.create(
        year=year, quarter=quarter, district_id=scope.district_id, puskesmas_id=scope.puskesmas_id
    )
    settings = reporting_year(year)
    today = timezone.localdate()
    # Completeness and timeliness count the months whose deadline has passed (issue #15).
    last_month = settings.months_due(today)
    steps = 4
    # Autocommitted before the work starts, so the page sees "working" at once.
    AggregationRun.objects.filter(pk=run.pk).update(
        status=AggregationRun.Status.RUNNING, started_at=timezone.now(), total=steps, done=0
    )

    def step(done: int) -> None:
        if progress:
            progress(done, steps)
        _fault_injection_pause()

    parts = index_parts_of(settings.edition_id)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The national GROUP BY sorts 12 M values: let it hash in memory (this transaction).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        _write_puskesmas_rows(run, edition_id=settings.edition_id, scope=scope, parts=parts)
        _write_reporting_rates(run, scope=scope, last_month=last_month)
        _delete_stale(run, level=Level.PUSKESMAS, scope=scope, ids=None)
        step(1)
        province_ids = scope.province_ids()
        sums = _write_quality_sums(run, province_ids=province_ids)
        for done, level, ids in (
            (2, Level.DISTRICT, scope.district_ids()),
            (3, Level.PROVINCE, province_ids),
        ):
            _rollup(Achievement, run, level=level, ids=ids, parts=parts, sums_table=sums)
            _rollup(ReportingRate, run, level=level, ids=ids)
            _delete_stale(run, level=level, scope=scope, ids=ids)
            step(done)
        if sums:
            with connection.cursor() as cursor:  # a caller may rebuild several quarters at once
                cursor.execute(f"DROP TABLE {sums}")
        used = MonthlyReport.objects.filter(
            year=year, month__lte=quarter_months(quarter)[1], status__in=APPROVED
        )
        if scope.puskesmas_id:
            used = used.filter(puskesmas_id=scope.puskesmas_id)
        elif scope.district_id:
            used = used.filter(puskesmas__district_id=scope.district_id)
        facts = used.aggregate(count=Count("id"), latest=Max("updated_at"))
        AggregationRun.objects.filter(pk=run.pk).update(
            status=AggregationRun.Status.DONE,
            done=steps,
            finished_at=timezone.now(),
            approved_reports=facts["count"],
            data_as_of=facts["latest"],
        )
    if connection.vendor == "postgresql" and scope == Scope():
        # A whole rebuild may fill a new quarter: fresh statistics keep the scoped reads on their
        # indexes (stale ones made a dashboard query take 450 ms in bench/national.py).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_table(Achievement)}, {_table(ReportingRate)}")
    if progress:
        progress(steps, steps)
    run.refresh_from_db()
    return run


def aggregation_start(*, year: int, quarter: int, district: District, by) -> AggregationRun:
    """Queue a rebuild of one district's quarter (and its province's totals) for a planner.

    The run row is created now; the Celery job starts after the commit and updates it.
    """
    from ..rights import can_review_report
    from ..tasks import aggregate_quarter

    if not can_review_report(by, district):
        raise PermissionDenied(_("Only the district's planners can compute its quarter."))
    if not 1 <= quarter <= 4:
        raise ValidationError(_("The quarter must be between 1 and 4."))
    reporting_year(year)  # refuses a year without settings
    run = AggregationRun.objects.create(
        year=year,
        quarter=quarter,
        district=district,
        province_id=district.province_id,
        requested_by=by,
    )
    transaction.on_commit(lambda: aggregate_quarter.delay(run.pk), robust=True)
    return run


def achievement_refresh_later(*, report: MonthlyReport) -> None:
    """After a report is approved or unlocked, rebuild what it touches once the change commits."""
    from ..tasks import refresh_achievement

    ids = (report.puskesmas_id, report.year, report.month)
    transaction.on_commit(lambda: refresh_achievement.delay(*ids), robust=True)


def achievement_refresh(*, puskesmas_id: int, year: int, month: int) -> int:
    """After a report of `month` is approved or unlocked: rebuild only that puskesmas, its
    district and province, for each quarter already computed from that month on. Returns how
    many quarters were rebuilt."""
    quarters = [  # one EXISTS per quarter: fetching the rows cost 70 ms at national scale
        q
        for q in range(quarter_of(month), 5)
        if Achievement.objects.filter(year=year, quarter=q).exists()
    ]
    for quarter in quarters:
        quarter_aggregate(year=year, quarter=quarter, scope=Scope(puskesmas_id=puskesmas_id))
    return len(quarters)


def quality_refresh_later(*, report) -> None:
    """After a quality report is approved or reopened, rebuild its puskesmas's quarter (and the
    district and province above) once the change commits."""
    from ..tasks import refresh_quality

    ids = (report.puskesmas_id, report.year, report.quarter)
    transaction.on_commit(lambda: refresh_quality.delay(*ids), robust=True)


def quality_refresh(*, puskesmas_id: int, year: int, quarter: int) -> int:
    """After a quality report of `quarter` changed: rebuild only that puskesmas, its district
    and province, if the quarter is already computed (quality counts in its own quarter only,
    not year to date). Returns how many quarters were rebuilt (0 or 1)."""
    if not Achievement.objects.filter(year=year, quarter=quarter).exists():
        return 0
    quarter_aggregate(year=year, quarter=quarter, scope=Scope(puskesmas_id=puskesmas_id))
    return 1
