"""Monthly SPM reports and their values: read as the pages read them, written as the entry page
writes them (issue #19).

Reads start from indicators.readable (scoped by kernel.scoping.in_area; a province token reads
approved or locked reports only). The write opens the month's report as a draft if needed
(services.report_open), checks the values with the entry page's own parse_cells and saves them
with report_save: the same checks, the same per-cell conflict rule, the same audit.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from pydantic import StrictInt, StrictStr

from indicators import selectors, services
from indicators.models import MonthlyReport, MonthlyValue
from indicators.readable import readable_reports, readable_values
from indicators.reporting import Grid
from indicators.rights import can_enter_report
from kernel.models import Puskesmas
from kernel.scoping import get_in_area_or_404

from ..errors import ERRORS, body_guard, problem
from ..pagination import Pages
from ..params import Id, Month, Quarter, Year
from .catalogue import ServiceCode

PREFIX = "/monthly"
router = Router(tags=["monthly"])

# At most this many values in one write: a puskesmas's whole month is a few hundred.
MAX_VALUES = 5000
Status = MonthlyReport.Status


def dhis2_period(year: int, month: int) -> str:
    """A month as DHIS2 writes it: 202611."""
    return f"{year:04d}{month:02d}"


def quarter_months(quarter: int) -> list[int]:
    """The three months of a quarter (1: January to March)."""
    return [3 * quarter - 2, 3 * quarter - 1, 3 * quarter]


# --- Reading ------------------------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    puskesmas_id: int
    district_id: int
    year: int
    month: int
    period: str
    status: str
    version: int
    due_on: date
    updated_at: datetime
    submitted_at: datetime | None
    first_submitted_at: datetime | None
    decided_at: datetime | None
    locked_at: datetime | None

    @staticmethod
    def resolve_district_id(obj: MonthlyReport) -> int:
        return obj.puskesmas.district_id

    @staticmethod
    def resolve_period(obj: MonthlyReport) -> str:
        return dhis2_period(obj.year, obj.month)


class ValueOut(Schema):
    id: int
    report_id: int
    puskesmas_id: int
    village_id: int
    village_code: str
    service: str
    year: int
    month: int
    period: str
    value: int | None
    comment: str
    status: str
    updated_at: datetime

    @staticmethod
    def resolve_puskesmas_id(obj: MonthlyValue) -> int:
        return obj.report.puskesmas_id

    @staticmethod
    def resolve_village_code(obj: MonthlyValue) -> str:
        return obj.village.code

    @staticmethod
    def resolve_service(obj: MonthlyValue) -> str:
        return obj.service.code

    @staticmethod
    def resolve_year(obj: MonthlyValue) -> int:
        return obj.report.year

    @staticmethod
    def resolve_month(obj: MonthlyValue) -> int:
        return obj.report.month

    @staticmethod
    def resolve_period(obj: MonthlyValue) -> str:
        return dhis2_period(obj.report.year, obj.report.month)

    @staticmethod
    def resolve_status(obj: MonthlyValue) -> str:
        return obj.report.status


def _period_filters(
    prefix: str, year: int | None, month: int | None, quarter: int | None
) -> dict[str, Any]:
    lookups: dict[str, Any] = {}
    if year is not None:
        lookups[f"{prefix}year"] = year
    if month is not None:
        lookups[f"{prefix}month"] = month
    if quarter is not None:
        lookups[f"{prefix}month__in"] = quarter_months(quarter)
    return lookups


@router.get(
    "/reports",
    response={200: list[ReportOut], **ERRORS},
    summary="Monthly reports you may read",
)
@paginate(Pages)
def report_list(
    request,
    year: Year | None = None,
    month: Month | None = None,
    quarter: Quarter | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
    status: Status | None = None,
):
    """Reports of your area (a province token: approved and locked ones only), by period."""
    rows = readable_reports(user=request.user).filter(**_period_filters("", year, month, quarter))
    if district_id is not None:
        rows = rows.filter(puskesmas__district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.select_related("puskesmas").order_by("year", "month", "puskesmas_id", "pk")


@router.get(
    "/reports/{report_id}",
    response={200: ReportOut, **ERRORS},
    summary="One monthly report you may read",
)
def report_get(request, report_id: Id):
    reports = readable_reports(user=request.user).select_related("puskesmas")
    return get_in_area_or_404(reports, request.user, pk=report_id)


@router.get(
    "/values",
    response={200: list[ValueOut], **ERRORS},
    summary="Monthly values you may read",
)
@paginate(Pages)
def value_list(
    request,
    year: Year | None = None,
    month: Month | None = None,
    quarter: Quarter | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
    service: ServiceCode | None = None,
    status: Status | None = None,
):
    """Values per desa and service (a province token: of approved and locked reports only).
    A null value was not reported; 0 was reported as nobody served."""
    rows = readable_values(user=request.user).filter(
        **_period_filters("report__", year, month, quarter)
    )
    if district_id is not None:
        rows = rows.filter(report__puskesmas__district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(report__puskesmas_id=puskesmas_id)
    if service:
        rows = rows.filter(service__code=service)
    if status is not None:
        rows = rows.filter(report__status=status)
    return rows.select_related("report", "village", "service").order_by(
        "report__year",
        "report__month",
        "report__puskesmas_id",
        "village__code",
        "service__number",
        "pk",
    )


# --- Writing ------------------------------------------------------------------------------------


class ValueIn(Schema):
    village_id: int = Field(ge=1, le=2_147_483_647)
    service: str = Field(min_length=1, max_length=20)
    # A whole number of people, or null (not reported). Text is checked as the entry page
    # checks what is typed, and refused per value with the reason.
    value: StrictInt | StrictStr | None = Field(default=None)
    # Left out: the stored comment stays. "" clears it.
    comment: str | None = Field(default=None, max_length=5000)


class ValuesIn(Schema):
    # The report's version these values are based on (GET /monthly/reports/{id}); null: the
    # report's current version, so only a write that lands between reading and saving conflicts.
    version: int | None = Field(default=None, ge=0, le=2_147_483_647)
    # Why the values change: required once the report has been submitted before.
    reason: str = Field(default="", max_length=2000)
    values: list[ValueIn] = Field(max_length=MAX_VALUES)


class CellWarning(Schema):
    village_id: int
    service: str
    message: str
    kind: str


class SaveOut(Schema):
    report_id: int
    status: str
    version: int
    changed: int
    warnings: list[CellWarning]


def _api_problem(request: HttpRequest, status: int, title: str, **kwargs: Any) -> HttpResponse:
    from ..main import api  # the API imports this module: ask for it when answering

    return problem(api, request, status, title, **kwargs)


def _unsavable(text: str) -> bool:
    """A NUL or a lone surrogate: text no database column takes (a 500, were it saved)."""
    return any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in text)


def _cells(
    payload: ValuesIn, report: MonthlyReport, grid: Grid
) -> tuple[dict, list[dict[str, Any]]]:
    """The entry page's form fields for the sent values (so parse_cells checks them exactly as
    it checks the page), and the values refused before: unknown desa or service, sent twice."""
    villages = {village.pk: village for village in grid.villages}
    by_code = {service.code: service for service in grid.services}
    stored = selectors.report_cells(report)
    raw: dict[str, str] = {}
    refused: list[dict[str, Any]] = []
    sent = set()
    for item in payload.values:
        where = {"village_id": item.village_id, "service": item.service}
        village, service = villages.get(item.village_id), by_code.get(item.service)
        if village is None:
            message = _("this desa is not in the puskesmas's working area.")
        elif service is None:
            message = _("no SPM service reported monthly in %(year)s has this code.") % {
                "year": report.year
            }
        elif (village.pk, service.pk) in sent:
            message = _("this value is sent twice.")
        elif item.comment is not None and _unsavable(item.comment):
            message = _("the comment holds a character that cannot be saved.")
        elif isinstance(item.value, str) and not item.value.isascii():
            # The page's own words; parse_cells would take "١٢" for 12 and trip over "²".
            message = _("“%(text)s” is not a whole number of people.") % {"text": item.value}
        else:
            message = ""
        if message:
            refused.append({**where, "message": message})
            continue
        key = (village.pk, service.pk)
        sent.add(key)
        name = f"{village.pk}-{service.pk}"
        raw[f"v-{name}"] = "" if item.value is None else str(item.value)
        comment = item.comment if item.comment is not None else stored.get(key, (None, ""))[1]
        raw[f"c-{name}"] = comment
    return raw, refused


@router.put(
    "/reports/{puskesmas_id}/{year}/{month}/values",
    response={200: SaveOut, **ERRORS},
    summary="Enter a puskesmas's monthly values (as a draft)",
)
@decorate_view(body_guard)
def values_save(request, puskesmas_id: Id, year: Year, month: Month, payload: ValuesIn):
    """Save values into the puskesmas's report for the month, opening it as a draft if needed,
    with the entry page's checks and rules: every refused value is listed (422, nothing saved);
    a value someone else changed after `version` is a conflict (409, with their value); a
    submitted, approved or locked report refuses (400). Answers the warnings now on the values
    (they need a comment before the report can be submitted on its page)."""
    user = request.user
    if _unsavable(payload.reason):
        return _api_problem(
            request,
            422,
            _("The request is not valid."),
            errors=[
                {
                    "location": "body.payload.reason",
                    "message": _("the reason holds a character that cannot be saved."),
                }
            ],
        )
    puskesmas = get_in_area_or_404(Puskesmas, user, pk=puskesmas_id)
    if not can_enter_report(user, puskesmas):
        raise PermissionDenied(_("Only the puskesmas's own staff can enter its data."))
    report = services.report_open(puskesmas=puskesmas, year=year, month=month, by=user)
    readable = readable_values(user=user)
    grid = selectors.report_grid(report, values=readable)
    raw, refused = _cells(payload, report, grid)
    cells, problems = services.parse_cells(raw, villages=grid.villages, services=grid.services)
    refused += [
        {"village_id": p.village.pk, "service": p.service.code, "message": p.message}
        for p in problems
    ]
    if refused:
        return _api_problem(
            request,
            422,
            _("Nothing was saved: correct the values listed."),
            errors=refused,
        )
    version = report.version if payload.version is None else payload.version
    try:
        result = services.report_save(
            report=report, cells=cells, version=version, by=user, reason=payload.reason
        )
    except services.CellConflicts as error:
        conflicts = [
            {
                "village_id": c.village.pk,
                "service": c.service.code,
                "value": c.value,
                "comment": c.comment,
                "by": c.by,
                "message": c.problem.message,
            }
            for c in error.conflicts
        ]
        return _api_problem(
            request, 409, error.messages[0], detail=" ".join(error.messages), errors=conflicts
        )
    entered = {key: services.CellInput(cell.value) for key, cell in cells.items()}
    warnings = services.report_warnings(
        report=report,
        cells={key: cell for key, cell in entered.items() if cell.value is not None},
        values=readable,
        grid=grid,
    )
    return {
        "report_id": report.pk,
        "status": report.status,
        "version": result.version,
        "changed": result.changed,
        "warnings": [
            {
                "village_id": w.village.pk,
                "service": w.service.code,
                "message": w.message,
                "kind": w.kind,
            }
            for w in warnings
        ],
    }
