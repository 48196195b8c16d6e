"""Review at a glance (issue #15): what a district planner needs to decide on submitted reports.

For each report: blank cells and services with no value at all, hard errors, warnings with or
without their comment, values changed since the report was last returned, and outliers against
the desa's own history. The checks are the entry page's (`services.report_warnings`), fed with
figures read once for every report of the list, so a list of many reports costs the same few
queries as a list of two.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils.translation import gettext as _

from kernel.models import AuditEvent, Puskesmas, User, Village
from kernel.scoping import in_area

from ..models import (
    MonthlyReport,
    ReportingYear,
    SPMService,
    Target,
    ValueChange,
    VillagePopulation,
)
from ..readable import readable_reports, readable_values
from ..reporting import Grid
from ..services.reports import CellInput, CellProblem, report_warnings

Cell = tuple[int, int]  # (village id, service id)

# The largest number a cell save accepts (services.parse_cells); anything above is an error.
LARGEST_VALUE = 1_000_000


@dataclass(frozen=True)
class ReviewWarning:
    """A warning on a cell and the comment the puskesmas gave it ("" when none)."""

    problem: CellProblem
    comment: str

    @property
    def has_comment(self) -> bool:
        return bool(self.comment.strip())


@dataclass(frozen=True)
class ChangedCell:
    """A value changed since the last return: what it was then and what it is now."""

    village: Village
    service: SPMService
    old_value: int | None
    new_value: int | None


@dataclass(frozen=True)
class BlankService:
    """A service with blank cells: how many, and the first one (to jump to it)."""

    service: SPMService
    blank_count: int
    village_count: int
    first: Village

    @property
    def is_empty(self) -> bool:
        """No value at all for this service."""
        return self.blank_count == self.village_count


@dataclass
class ReviewSummary:
    """A submitted report at a glance (see the module's docstring)."""

    report: MonthlyReport
    cell_count: int = 0
    # The report's grid, for the return form's "another value" choices.
    villages: list[Village] = field(default_factory=list)
    services: list[SPMService] = field(default_factory=list)
    blanks: list[BlankService] = field(default_factory=list)
    errors: list[CellProblem] = field(default_factory=list)
    warnings: list[ReviewWarning] = field(default_factory=list)
    changed: list[ChangedCell] = field(default_factory=list)
    returned_at: datetime.datetime | None = None

    @property
    def blank_count(self) -> int:
        return sum(b.blank_count for b in self.blanks)

    @property
    def empty_services(self) -> list[SPMService]:
        return [b.service for b in self.blanks if b.is_empty]

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def warning_count(self) -> int:
        return len(self.warnings)

    @property
    def uncommented(self) -> list[ReviewWarning]:
        return [w for w in self.warnings if not w.has_comment]

    @property
    def uncommented_count(self) -> int:
        return len(self.uncommented)

    @property
    def changed_count(self) -> int:
        return len(self.changed)

    @property
    def outliers(self) -> list[ReviewWarning]:
        """Warnings of the "far from the desa's history" check."""
        return [w for w in self.warnings if w.problem.kind == "history"]

    @property
    def outlier_count(self) -> int:
        return len(self.outliers)

    @property
    def is_clean(self) -> bool:
        """May be approved from the list: no blank, no error, every warning explained."""
        return not (self.blank_count or self.errors or self.uncommented)

    @property
    def flagged(self) -> list[tuple[Village, SPMService, str]]:
        """The cells worth a reason when returning: errors, warnings and changed values, once
        each, in grid order, with what flags them."""
        cells: dict[Cell, tuple[Village, SPMService, list[str]]] = {}
        for problem in self.errors + [w.problem for w in self.warnings]:
            key = (problem.village.pk, problem.service.pk)
            cells.setdefault(key, (problem.village, problem.service, []))[2].append(problem.message)
        for change in self.changed:
            key = (change.village.pk, change.service.pk)
            cells.setdefault(key, (change.village, change.service, []))
        ordered = sorted(cells.values(), key=lambda c: (c[1].number, c[0].code))
        return [(village, service, " ".join(messages)) for village, service, messages in ordered]


@dataclass(frozen=True)
class ReturnNote:
    """A reason the district gave for one value when it returned the report."""

    village: Village
    service: SPMService
    reason: str

    @property
    def anchor(self) -> str:
        return f"cell-{self.village.pk}-{self.service.pk}"


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _last_returns(report_ids: Iterable[int]) -> dict[int, AuditEvent]:
    """The latest RETURNED event of each report (one query)."""
    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(MonthlyReport),
            object_id__in=list(report_ids),
            action=AuditEvent.Action.RETURNED,
        )
        .only("object_id", "at", "data", "reason")
        .order_by("object_id", "-at", "-pk")
    )
    latest: dict[int, AuditEvent] = {}
    for event in events:
        latest.setdefault(event.object_id, event)
    return latest


def review_summaries(*, user: User, reports: list[MonthlyReport]) -> list[ReviewSummary]:
    """The summary of each of `reports` (already read, scoped, with their puskesmas), from the
    values `user` may read; a fixed number of queries whatever the number of reports."""
    if not reports:
        return []
    years = {r.year for r in reports}
    settings = {
        s.year: s for s in ReportingYear.objects.select_related("edition").filter(year__in=years)
    }
    services_of: dict[int, list[SPMService]] = defaultdict(list)
    for service in SPMService.objects.filter(
        edition_id__in={s.edition_id for s in settings.values()},
        level=SPMService.Level.DISTRICT,
        is_reported_monthly=True,
    ).order_by("number"):
        services_of[service.edition_id].append(service)
    puskesmas_ids = {r.puskesmas_id for r in reports}
    villages_of: dict[int | None, list[Village]] = defaultdict(list)
    for village in Village.objects.filter(puskesmas_id__in=puskesmas_ids).order_by("code"):
        villages_of[village.puskesmas_id].append(village)
    village_ids = [v.pk for vs in villages_of.values() for v in vs]
    targets: dict[tuple[int, int, int], int] = {
        (year, v, s): value
        for year, v, s, value in Target.objects.filter(
            village_id__in=village_ids, year__in=years, is_of_record=True
        )
        .order_by()
        .values_list("year", "village_id", "service_id", "value")
    }
    people: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for year, v, band, count in (
        VillagePopulation.objects.filter(village_id__in=village_ids, year__in=years)
        .order_by()
        .values_list("year", "village_id", "band_id", "count")
    ):
        people[year][(v, band)] = count

    # Every value of these puskesmas from 12 months before the earliest report to the latest:
    # each report's own cells, its year to date before the month and its 12 months of history.
    indexes = [_month_index(r.year, r.month) for r in reports]
    rows = (
        readable_values(user=user)
        .filter(
            report__puskesmas_id__in=puskesmas_ids,
            report__year__gte=min(years) - 1,
            report__year__lte=max(years),
        )
        .annotate(
            index=F("report__year") * 12 + F("report__month") - 1,
            puskesmas_id=F("report__puskesmas_id"),
        )
        .filter(index__gte=min(indexes) - 12, index__lte=max(indexes))
        .order_by()
        .values_list("puskesmas_id", "index", "village_id", "service_id", "value", "comment")
    )
    by_puskesmas: dict[int, list[tuple]] = defaultdict(list)
    for puskesmas_id, *rest in rows:
        by_puskesmas[puskesmas_id].append(tuple(rest))

    returns = _last_returns(r.pk for r in reports)
    changes_of: dict[int, list[ValueChange]] = defaultdict(list)
    if returns:
        since = min(event.at for event in returns.values())
        for change in (
            ValueChange.objects.filter(report_id__in=list(returns), changed_at__gt=since)
            .only("report_id", "village_id", "service_id", "old_value", "new_value", "changed_at")
            .order_by("changed_at", "pk")
        ):
            if change.changed_at > returns[change.report_id].at:
                changes_of[change.report_id].append(change)

    summaries = []
    for report in reports:
        summary = ReviewSummary(report=report)
        year_settings = settings.get(report.year)
        if year_settings is not None:
            summary = _summary(
                report,
                settings=year_settings,
                villages=villages_of[report.puskesmas_id],
                services=services_of[year_settings.edition_id],
                rows=by_puskesmas[report.puskesmas_id],
                targets={
                    (v, s): value for (year, v, s), value in targets.items() if year == report.year
                },
                people=people[report.year],
                changes=changes_of[report.pk],
            )
        event = returns.get(report.pk)
        summary.returned_at = event.at if event else None
        summaries.append(summary)
    return summaries


def _summary(
    report: MonthlyReport,
    *,
    settings: ReportingYear,
    villages: list[Village],
    services: list[SPMService],
    rows: list[tuple],
    targets: dict[Cell, int],
    people: dict[tuple[int, int], int],
    changes: list[ValueChange],
) -> ReviewSummary:
    """One report's summary from figures already read (no query)."""
    index = _month_index(report.year, report.month)
    first_of_year = report.year * 12
    cells: dict[Cell, tuple[int | None, str]] = {}
    before: dict[Cell, int] = defaultdict(int)
    history: dict[Cell, list[int]] = defaultdict(list)
    for month, village_id, service_id, value, comment in rows:
        key = (village_id, service_id)
        if month == index:
            cells[key] = (value, comment)
        elif month < index and value is not None:
            if month >= index - 12:
                history[key].append(value)
            if month >= first_of_year:
                before[key] += value
    village_by_id = {v.pk: v for v in villages}
    service_by_id = {s.pk: s for s in services}
    summary = ReviewSummary(
        report=report,
        cell_count=len(villages) * len(services),
        villages=villages,
        services=services,
    )

    for each in services:
        blank = [v for v in villages if cells.get((v.pk, each.pk), (None, ""))[0] is None]
        if blank:
            summary.blanks.append(BlankService(each, len(blank), len(villages), blank[0]))

    # Hard errors: what a save would refuse now, and a month alone above its age group.
    for (village_id, service_id), (value, _comment) in sorted(cells.items()):
        if value is None:
            continue
        village, service = village_by_id.get(village_id), service_by_id.get(service_id)
        if village is None or service is None:
            summary.errors.append(_outside(report, village_id, service_id, village, service))
            continue
        cap = (
            people.get((village_id, service.population_band_id))
            if service.population_band_id
            else None
        )
        if value > LARGEST_VALUE:
            summary.errors.append(
                CellProblem(village, service, _("the number is implausibly large."))
            )
        elif cap is not None and value > cap:
            summary.errors.append(
                CellProblem(
                    village,
                    service,
                    _("%(value)s in a month is over the %(people)s people of this age group.")
                    % {"value": value, "people": cap},
                )
            )

    grid = Grid(
        settings=settings, villages=villages, services=services, before=before, targets=targets
    )
    inside = {key: cell for key, cell in cells.items() if key[0] in village_by_id}
    problems = report_warnings(
        report=report,
        cells={key: CellInput(value, comment) for key, (value, comment) in inside.items()},
        grid=grid,
        history=history,
        people=people,
    )
    summary.warnings = [
        ReviewWarning(p, cells.get((p.village.pk, p.service.pk), (None, ""))[1]) for p in problems
    ]

    first_old: dict[Cell, int | None] = {}
    for change in changes:
        first_old.setdefault((change.village_id, change.service_id), change.old_value)
    for (village_id, service_id), old in sorted(first_old.items()):
        village, service = village_by_id.get(village_id), service_by_id.get(service_id)
        new = cells.get((village_id, service_id), (None, ""))[0]
        if village is not None and service is not None and old != new:
            summary.changed.append(ChangedCell(village, service, old, new))
    summary.changed.sort(key=lambda c: (c.service.number, c.village.code))
    return summary


def _outside(report, village_id, service_id, village, service) -> CellProblem:
    """A value for a desa no longer in the working area, or a service not reported monthly."""
    village = village or Village.objects.filter(pk=village_id).first()  # rare: a moved desa
    service = service or SPMService.objects.filter(pk=service_id).first()
    return CellProblem(village, service, _("this cell is no longer part of the report."))


def review_summary(*, user: User, report: MonthlyReport) -> ReviewSummary:
    """One report at a glance (a dozen queries), for the reviewer panel of its entry page."""
    return review_summaries(user=user, reports=[report])[0]


def waiting_reports(
    user: User,
    *,
    year: int | None = None,
    month: int | None = None,
    puskesmas: Puskesmas | None = None,
    ids: Iterable[int] | None = None,
) -> list[ReviewSummary]:
    """The submitted reports of `user`'s area waiting for a decision, oldest month first, each
    at a glance; optionally of one year, month or puskesmas, or only those of `ids`. Scoped;
    about a dozen queries whatever the number of reports."""
    reports = readable_reports(user=user).filter(status=MonthlyReport.Status.SUBMITTED)
    if ids is not None:
        reports = reports.filter(pk__in=list(ids))
    if year:
        reports = reports.filter(year=year)
    if month:
        reports = reports.filter(month=month)
    if puskesmas is not None:
        reports = reports.filter(puskesmas=puskesmas)
    reports = reports.select_related("puskesmas__district", "submitted_by").order_by(
        "year", "month", "puskesmas__name"
    )
    return review_summaries(user=user, reports=list(reports))


def review_puskesmas(user: User):
    """The puskesmas of `user`'s area, for the list's filter (scoped)."""
    return in_area(Puskesmas.objects.all(), user).order_by("name")


def return_notes(report: MonthlyReport) -> list[ReturnNote]:
    """The per-value reasons of the report's latest return, in grid order (two queries)."""
    event = _last_returns([report.pk]).get(report.pk)
    items = (event.data or {}).get("values") or [] if event else []
    if not items:
        return []
    keys = [(int(i["village"]), int(i["service"])) for i in items]
    villages = {
        v.pk: v
        for v in Village.objects.filter(
            pk__in={k[0] for k in keys}, puskesmas_id=report.puskesmas_id
        )
    }
    services = {s.pk: s for s in SPMService.objects.filter(pk__in={k[1] for k in keys})}
    notes = [
        ReturnNote(villages[v], services[s], str(item["reason"]))
        for (v, s), item in zip(keys, items, strict=True)
        if v in villages and s in services
    ]
    return sorted(notes, key=lambda n: (n.service.number, n.village.code))
