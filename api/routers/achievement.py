"""Quarterly SPM achievement (capaian) as the quarterly report shows it: per service, for each
puskesmas, district and province, the target, people served and the achievement.

The rows are computed by the quarterly aggregation from approved and locked monthly reports
only, so every reader (a province token too) reads approved data. Scoped by
kernel.scoping.in_area on the rows' area: a puskesmas token its own puskesmas's rows, a
district token its puskesmas's and its district's, a province token its districts' and its own.
"""

from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import paginate

from indicators.models import Achievement
from indicators.models.achievement import Level
from kernel.scoping import in_area

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Id, Quarter, Year
from .catalogue import ServiceCode

PREFIX = "/achievement"
router = Router(tags=["achievement"])


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class AchievementOut(Schema):
    year: int
    quarter: int
    level: str
    area_id: int
    province_id: int
    district_id: int | None
    puskesmas_id: int | None
    service: str
    # The annual target of record (null without one), people served in the quarter and in the
    # year to date, and capaian = served year to date / target x 100 (DOMAIN.md §2).
    target: int | None
    served_quarter: int
    served_ytd: int
    achievement: str | None
    quality: str | None
    service_index: str | None

    @staticmethod
    def resolve_service(obj: Achievement) -> str:
        return obj.service.code

    @staticmethod
    def resolve_achievement(obj: Achievement) -> str | None:
        return _decimal(obj.achievement)

    @staticmethod
    def resolve_quality(obj: Achievement) -> str | None:
        return _decimal(obj.quality)

    @staticmethod
    def resolve_service_index(obj: Achievement) -> str | None:
        return _decimal(obj.service_index)


@router.get(
    "",
    response={200: list[AchievementOut], **ERRORS},
    summary="Quarterly achievement per service and area",
)
@paginate(Pages)
def achievement_list(
    request,
    year: Year | None = None,
    quarter: Quarter | None = None,
    level: Level | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
    service: ServiceCode | None = None,
):
    """Rows of the computed quarters (the quarterly report's figures); `level=district` gives a
    district's own lines, `level=puskesmas` its puskesmas's."""
    rows = in_area(Achievement.objects.all(), request.user).select_related("service")
    if year is not None:
        rows = rows.filter(year=year)
    if quarter is not None:
        rows = rows.filter(quarter=quarter)
    if level is not None:
        rows = rows.filter(level=level)
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    if service:
        rows = rows.filter(service__code=service)
    return rows.order_by("year", "quarter", "level", "area_id", "service__number", "pk")
