"""Reads of the four stages worksheet (issue #16 must-have 3): for a district, service and year,
what Simpul's data already says at each stage, beside what the district wrote on its sheet.

(1) data collection: people to serve (targets of record), served year to date (the latest
    computed quarter, else the approved monthly reports), goods, staff and facilities
    available against needed (the quality roll-up of the latest quarter with approved quality
    reports), partners' services (agency roles "delivers");
(2) calculating needs: the roll-up's gaps with the items' standard unit costs, and the sheet's
    need lines (gap x unit cost = the cost of meeting the need);
(3) planning: the target of record, the plan activities of the year tied to the service (the
    Dinkes plan and approved RUKs);
(4) integration into regional plans: the sheet's lines.
Problems and the action plan come from the meetings' problems and RTL (`service_problems`).

Every read starts from `in_area` and costs a fixed number of queries, whatever the data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.models import (
    Achievement,
    Level,
    MonthlyReport,
    QualityItem,
    QualityReport,
    ReportingYear,
    SPMService,
    Target,
)
from indicators.readable import readable_values
from indicators.selectors.quality import ItemQuality, ServiceQuality, quality_rollup
from kernel.models import District, User
from kernel.scoping import get_in_area_or_404, in_area
from planning.models import Activity, Plan
from workshops.models import FollowUp, Problem

from ..models import IntegrationLine, NeedLine, RoleAssignment, StageSheet
from ..models.stages import StageStatus

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)

# The four stages: the sheet's status field, its number and the worksheet's section.
STAGES = (
    ("data_status", 1, "data"),
    ("needs_status", 2, "needs"),
    ("plan_status", 3, "plan"),
    ("integration_status", 4, "integration"),
)


@dataclass(frozen=True)
class Stage:
    """How far one stage of a worksheet got."""

    number: int
    name: str
    section: str
    status: str

    @property
    def label(self) -> str:
        return str(StageStatus(self.status).label)

    @property
    def is_done(self) -> bool:
        return self.status == StageStatus.DONE


def stage_label(name: str) -> str:
    """The stage's name as the sheet's field says it ("1. data collection")."""
    field = StageSheet._meta.get_field(name)
    assert isinstance(field, models.Field)  # a status field of the sheet
    return str(field.verbose_name)


# --- The year's services ------------------------------------------------------------------------


def stage_services(*, year: int) -> list[SPMService]:
    """The district SPM services of the year's edition, in number order; none when the year has
    no edition set up (one query)."""
    return list(
        SPMService.objects.filter(
            edition__years__year=year, level=SPMService.Level.DISTRICT
        ).order_by("number")
    )


def stage_years() -> list[int]:
    """Years the pages offer: those with an SPM edition set up, newest first (one query)."""
    return list(ReportingYear.objects.order_by("-year").values_list("year", flat=True))


# --- Worksheets ----------------------------------------------------------------------------------


def _needs_prefetch(user: User) -> Prefetch:
    activities = in_area(Activity.objects.select_related("plan__puskesmas", "service"), user)
    return Prefetch(
        "needs",
        queryset=NeedLine.objects.select_related("item").prefetch_related(
            Prefetch("activities", queryset=activities.order_by("plan__puskesmas__name", "pk"))
        ),
    )


def sheets_in_area(*, user: User) -> QuerySet[StageSheet]:
    """Worksheets `user` may open (scoped), with what their pages show about them."""
    return in_area(
        StageSheet.objects.select_related("district__province", "service", "updated_by"), user
    )


def stage_sheets(*, user: User, district: District, year: int) -> dict[int, StageSheet]:
    """Service id -> the district's worksheet of the year, with its needs (and their linked
    activities) and integration lines prefetched; scoped; four queries."""
    sheets = (
        sheets_in_area(user=user)
        .filter(district=district, year=year)
        .prefetch_related(_needs_prefetch(user), "integrations")
    )
    return {sheet.service_id: sheet for sheet in sheets}


def sheet_get(*, user: User, pk: int) -> StageSheet:
    """One worksheet with its needs and integration lines, or 404 outside the user's area."""
    sheets = sheets_in_area(user=user).prefetch_related(_needs_prefetch(user), "integrations")
    return get_in_area_or_404(sheets, user, pk=pk)


# --- (1) People to serve and served --------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """People to serve (sum of the targets of record) and served year to date, with where the
    served figure comes from."""

    target: int | None
    served: int | None
    source: str = ""  # where `served` comes from, in words

    @property
    def not_served(self) -> int | None:
        if self.target is None or self.served is None:
            return None
        return max(0, self.target - self.served)

    @property
    def achievement(self) -> Decimal | None:
        if not self.target or self.served is None:
            return None
        return (HUNDRED * self.served / self.target).quantize(CENT)


def targets_of_record(*, user: User, district: District, year: int) -> dict[int, int]:
    """Service id -> the sum of the district's targets of record for `year` (one query)."""
    rows = (
        in_area(Target.objects.all(), user)
        .filter(year=year, is_of_record=True, village__subdistrict__district=district)
        .order_by()
        .values("service_id")
        .annotate(total=Sum("value"))
    )
    return {row["service_id"]: row["total"] for row in rows}


def people_figures(
    *, user: User, district: District, year: int, services: list[SPMService]
) -> dict[int, People]:
    """Service id -> people to serve and served year to date: served from the district's latest
    computed quarter of `year`, else from its approved monthly reports (three queries at most)."""
    targets = targets_of_record(user=user, district=district, year=year)
    rows = list(
        in_area(Achievement.objects.all(), user)
        .filter(year=year, level=Level.DISTRICT, area_id=district.pk)
        .select_related("run")
        .order_by("-quarter")
    )
    served: dict[int, int] = {}
    source = ""
    if rows:
        quarter = rows[0].quarter
        latest = [row for row in rows if row.quarter == quarter]
        served = {row.service_id: row.served_ytd for row in latest}
        finished = max((row.run.finished_at for row in latest if row.run.finished_at), default=None)
        if finished is None:
            source = _("quarterly achievement computed for Q%(quarter)s %(year)s") % {
                "quarter": quarter,
                "year": year,
            }
        else:
            source = _("quarterly achievement computed for Q%(quarter)s %(year)s on %(date)s") % {
                "quarter": quarter,
                "year": year,
                "date": date_format(timezone.localtime(finished), "SHORT_DATE_FORMAT"),
            }
    else:
        values = (
            readable_values(user=user)
            .filter(
                report__puskesmas__district=district,
                report__year=year,
                report__status__in=MonthlyReport.APPROVED_STATUSES,
            )
            .order_by()
            .values("service_id")
            .annotate(total=Sum("value"), through=Max("report__month"))
        )
        through = 0
        for row in values:
            served[row["service_id"]] = row["total"] or 0
            through = max(through, row["through"] or 0)
        if served:
            source = _("approved monthly reports through month %(month)s") % {"month": through}
    return {
        service.pk: People(
            target=targets.get(service.pk),
            served=served.get(service.pk, 0 if served else None),
            source=source,
        )
        for service in services
    }


# --- (1) and (2) Quality: available against needed, and the gaps --------------------------------


def quality_quarter(*, user: User, district: District, year: int) -> int | None:
    """The latest quarter of `year` with an approved quality report in the district (one
    query); None when none is approved yet."""
    return (
        in_area(QualityReport.objects.all(), user)
        .filter(puskesmas__district=district, year=year, status=QualityReport.Status.APPROVED)
        .order_by()
        .aggregate(latest=Max("quarter"))["latest"]
    )


def quality_by_service(
    *, user: User, district: District, year: int, quarter: int | None
) -> dict[int, ServiceQuality]:
    """Service id -> the quality roll-up of the district's approved reports of
    the quarter; {} without a quarter."""
    if quarter is None:
        return {}
    rollup = quality_rollup(user=user, district=district, year=year, quarter=quarter)
    return {line.service.pk: line for line in rollup}


def gap_items(service_quality: ServiceQuality | None) -> list[ItemQuality]:
    """The items of a service's roll-up with something missing (gap > 0), in the roll-up's
    order."""
    if service_quality is None:
        return []
    return [line for line in service_quality.items if line.gap is not None and line.gap > 0]


# --- (1) Partners' services ----------------------------------------------------------------------


def partner_roles(*, user: User, district: District, year: int) -> dict[int, list[RoleAssignment]]:
    """Service id -> the agencies and partners that deliver it in the district's year (the
    role matrix's "delivers"); scoped; one query."""
    roles = (
        in_area(RoleAssignment.objects.select_related("partner"), user)
        .filter(district=district, year=year, role=RoleAssignment.Role.DELIVERS)
        .order_by("service_id", "pk")
    )
    found: dict[int, list[RoleAssignment]] = defaultdict(list)
    for role in roles:
        found[role.service_id].append(role)
    return dict(found)


# --- (3) Plan activities -------------------------------------------------------------------------


def year_activities(*, user: User, district: District, year: int) -> QuerySet[Activity]:
    """The plan activities of the district's year a worksheet may cite: its Dinkes plan and its
    puskesmas's approved RUKs (scoped)."""
    return (
        in_area(Activity.objects.all(), user)
        .filter(plan__district=district, plan__year=year)
        .filter(Q(plan__puskesmas__isnull=True) | Q(plan__status=Plan.Status.APPROVED))
        .select_related("plan__puskesmas", "service", "sub_activity")
        .order_by("plan__puskesmas__name", "effort", "pk")
    )


def service_number_of(activity: Activity) -> int | None:
    """The SPM service number an activity answers: its service, else its budget code's."""
    if activity.service is not None:
        return activity.service.number
    if activity.sub_activity is not None:
        return activity.sub_activity.spm_number
    return None


def plan_activities(
    *, user: User, district: District, year: int, services: list[SPMService]
) -> dict[int, list[Activity]]:
    """Service id -> the year's plan activities tied to it (by service, or by the service's
    budget sub-activity code); one query."""
    by_number = {service.number: service.pk for service in services}
    found: dict[int, list[Activity]] = defaultdict(list)
    for activity in year_activities(user=user, district=district, year=year):
        number = service_number_of(activity)
        if number in by_number:
            found[by_number[number]].append(activity)
    return dict(found)


def activity_choices(*, user: User, sheet: StageSheet) -> QuerySet[Activity]:
    """Activities a need line of `sheet` may link: the sheet's district and year's plan
    activities tied to its service or to no service, and those already linked (scoped)."""
    number = sheet.service.number
    return year_activities(user=user, district=sheet.district, year=sheet.year).filter(
        Q(service__number=number)
        | Q(service__isnull=True)
        & (Q(sub_activity__spm_number=number) | Q(sub_activity__spm_number__isnull=True))
    )


# --- Problems and the action plan (RTL) -----------------------------------------------------------


@dataclass(frozen=True)
class ProblemLine:
    """A problem a meeting of the district or its puskesmas named for the service, with its RTL
    items and their status."""

    problem: Problem
    follow_ups: list[FollowUp]


def service_problems(
    *, user: User, district: District, year: int, quarter: int | None = None
) -> dict[int, list[ProblemLine]]:
    """Service id -> the problems of the district's and its puskesmas's meetings held in `year`
    (through `quarter`, when given) naming that service, each with its RTL items; scoped; two
    queries."""
    problems = (
        in_area(Problem.objects.all(), user)
        .filter(meeting__district=district, meeting__held_on__year=year, service__isnull=False)
        .select_related("meeting__puskesmas", "service", "village")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=in_area(FollowUp.objects.select_related("partner"), user).order_by(
                    "due_on", "pk"
                ),
            )
        )
        .order_by("meeting__held_on", "meeting_id", "order", "pk")
    )
    if quarter is not None:
        problems = problems.filter(meeting__held_on__month__lte=3 * quarter)
    found: dict[int, list[ProblemLine]] = defaultdict(list)
    for problem in problems:
        assert problem.service_id is not None  # filtered above
        found[problem.service_id].append(ProblemLine(problem, list(problem.follow_ups.all())))
    return dict(found)


# --- The worksheet of one service ----------------------------------------------------------------


@dataclass(frozen=True)
class SuggestedNeed:
    """A gap of the quality roll-up at its item's standard unit cost: what opening the
    worksheet (or filling it from the data again) makes a need line of."""

    line: ItemQuality
    unit_cost_idr: Decimal | None

    @property
    def cost_idr(self) -> Decimal | None:
        if self.unit_cost_idr is None or self.line.gap is None:
            return None
        return (self.line.gap * self.unit_cost_idr).quantize(Decimal(1))


@dataclass
class Worksheet:
    """Everything the worksheet page (and its .xlsx) shows for one service: what the data says
    at each stage, beside what the district wrote (`sheet`, None before it is opened)."""

    district: District
    year: int
    service: SPMService
    sheet: StageSheet | None
    people: People
    quality_quarter: int | None
    quality: ServiceQuality | None
    partners: list[RoleAssignment]
    activities: list[Activity]
    problems: list[ProblemLine]
    needs: list[NeedLine] = field(default_factory=list)
    integrations: list[IntegrationLine] = field(default_factory=list)

    @property
    def items(self) -> list[ItemQuality]:
        return list(self.quality.items) if self.quality is not None else []

    def items_of(self, kind: str) -> list[ItemQuality]:
        return [line for line in self.items if line.item.kind == kind]

    @property
    def item_groups(self) -> list[tuple[str, list[ItemQuality]]]:
        """(kind label, items) for goods, staff and facilities, those with items only."""
        return [
            (str(label), lines)
            for kind, label in QualityItem.Kind.choices
            if (lines := self.items_of(kind))
        ]

    @property
    def gaps(self) -> list[ItemQuality]:
        return gap_items(self.quality)

    @property
    def suggested_needs(self) -> list[SuggestedNeed]:
        return [SuggestedNeed(line, line.item.unit_cost_idr) for line in self.gaps]

    @property
    def suggested_total_idr(self) -> Decimal:
        return sum((need.cost_idr or ZERO for need in self.suggested_needs), ZERO)

    @property
    def needs_total_idr(self) -> Decimal:
        return sum((need.cost_idr for need in self.needs), ZERO)

    @property
    def activities_total_idr(self) -> Decimal:
        return sum((activity.budget_idr for activity in self.activities), ZERO)

    @property
    def fiscal_gap_idr(self) -> Decimal | None:
        """Cost of meeting the need beyond the fiscal capacity written on the sheet."""
        if self.sheet is None or self.sheet.fiscal_capacity_idr is None:
            return None
        return max(ZERO, self.needs_total_idr - self.sheet.fiscal_capacity_idr)

    @property
    def target_differs(self) -> bool:
        """The sheet's target is not the targets of record's (someone typed another)."""
        return (
            self.sheet is not None
            and self.sheet.target_people is not None
            and self.people.target is not None
            and self.sheet.target_people != self.people.target
        )

    @property
    def stages(self) -> list[Stage]:
        return _stages(self.sheet)

    @property
    def integration_groups(self) -> list[tuple[str, list[IntegrationLine]]]:
        """(document, lines) in the planning order RPJMD, Renstra, RKPD, Renja."""
        return [
            (str(label), [line for line in self.integrations if line.document == code])
            for code, label in IntegrationLine.Document.choices
        ]


def _stages(sheet: StageSheet | None) -> list[Stage]:
    """The four stages of `sheet` (not started, before it is opened)."""
    return [
        Stage(
            number,
            stage_label(name),
            section,
            getattr(sheet, name) if sheet is not None else StageStatus.NOT_STARTED,
        )
        for name, number, section in STAGES
    ]


def worksheet_get(
    *,
    user: User,
    district: District,
    year: int,
    service: SPMService,
    sheet: StageSheet | None = None,
) -> Worksheet:
    """The worksheet of one service: the data at each stage and the sheet (its needs and
    lines prefetched, as `sheet_get` and `stage_sheets` give it); scoped; a fixed number of
    queries."""
    services = [service]
    quarter = quality_quarter(user=user, district=district, year=year)
    quality = quality_by_service(user=user, district=district, year=year, quarter=quarter)
    return Worksheet(
        district=district,
        year=year,
        service=service,
        sheet=sheet,
        people=people_figures(user=user, district=district, year=year, services=services)[
            service.pk
        ],
        quality_quarter=quarter,
        quality=quality.get(service.pk),
        partners=partner_roles(user=user, district=district, year=year).get(service.pk, []),
        activities=plan_activities(user=user, district=district, year=year, services=services).get(
            service.pk, []
        ),
        problems=service_problems(user=user, district=district, year=year).get(service.pk, []),
        needs=list(sheet.needs.all()) if sheet is not None else [],
        integrations=list(sheet.integrations.all()) if sheet is not None else [],
    )


# --- The district's overview ---------------------------------------------------------------------


@dataclass
class OverviewRow:
    service: SPMService
    sheet: StageSheet | None
    people: People
    activity_count: int
    problem_count: int

    @property
    def stages(self) -> list[Stage]:
        return _stages(self.sheet)

    @property
    def needs_total_idr(self) -> Decimal | None:
        if self.sheet is None:
            return None
        return sum((need.cost_idr for need in self.sheet.needs.all()), ZERO)

    def status_of(self, name: str) -> str:
        return getattr(self.sheet, name) if self.sheet is not None else StageStatus.NOT_STARTED

    def status_label_of(self, name: str) -> str:
        return str(StageStatus(self.status_of(name)).label)


@dataclass
class Overview:
    district: District
    year: int
    rows: list[OverviewRow]

    @property
    def stage_names(self) -> list[str]:
        return [stage_label(name) for name, _number, _section in STAGES]

    @property
    def sheet_count(self) -> int:
        return sum(1 for row in self.rows if row.sheet is not None)

    @property
    def done_counts(self) -> list[tuple[str, int]]:
        """(stage, services with the stage done)."""
        return [
            (
                stage_label(name),
                sum(1 for row in self.rows if row.status_of(name) == StageStatus.DONE),
            )
            for name, _number, _section in STAGES
        ]


def stage_overview(*, user: User, district: District, year: int) -> Overview:
    """The district's services x four stages for the year, with the people to serve, the cost
    of the needs written, and the activities and problems found; scoped; a fixed number of
    queries."""
    services = stage_services(year=year)
    if not services:
        return Overview(district, year, [])
    sheets = stage_sheets(user=user, district=district, year=year)
    people = people_figures(user=user, district=district, year=year, services=services)
    activities = plan_activities(user=user, district=district, year=year, services=services)
    problems = service_problems(user=user, district=district, year=year)
    rows = [
        OverviewRow(
            service=service,
            sheet=sheets.get(service.pk),
            people=people[service.pk],
            activity_count=len(activities.get(service.pk, [])),
            problem_count=len(problems.get(service.pk, [])),
        )
        for service in services
    ]
    return Overview(district, year, rows)
