"""The SPM catalogue of a year: the services of the year's SPM edition (DOMAIN.md §2).

The catalogue is national data, the same for every signed-in user (the pages show it to all);
monthly values are pushed and read by the service `code` of the year's edition.
"""

from typing import Annotated

from django.db.models import IntegerField, Value
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from indicators.models import SPMService
from indicators.services import reporting_year

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Year

# An SPM service code as the catalogue writes it ("SPM-01", "SPM-P01"): bounded and plain, so
# no odd byte (a NUL) reaches the database. The other routers filter by it.
ServiceCode = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9._-]+$")]

PREFIX = "/catalogue"
router = Router(tags=["catalogue"])


class ServiceOut(Schema):
    id: int
    code: str
    number: int
    level: str
    name: str
    name_id: str
    name_en: str
    target_group: str
    target_group_id: str
    target_group_en: str
    served: str
    # Monthly values count people: served to standard in the month.
    unit: str = "people"
    population_band: str | None
    is_reported_monthly: bool
    edition: str
    regulation: str
    year: int

    @staticmethod
    def resolve_name(obj: SPMService) -> str:
        return obj.label

    @staticmethod
    def resolve_target_group(obj: SPMService) -> str:
        return obj.denominator

    @staticmethod
    def resolve_target_group_id(obj: SPMService) -> str:
        return obj.denominator_id

    @staticmethod
    def resolve_target_group_en(obj: SPMService) -> str:
        return obj.denominator_en

    @staticmethod
    def resolve_served(obj: SPMService) -> str:
        return obj.numerator

    @staticmethod
    def resolve_population_band(obj: SPMService) -> str | None:
        return obj.population_band.code if obj.population_band_id else None

    @staticmethod
    def resolve_edition(obj: SPMService) -> str:
        return obj.edition.code

    @staticmethod
    def resolve_regulation(obj: SPMService) -> str:
        return obj.edition.regulation

    @staticmethod
    def resolve_year(obj: SPMService) -> int:
        return obj.catalogue_year


@router.get(
    "/services",
    response={200: list[ServiceOut], **ERRORS},
    summary="The SPM services of a year's edition",
)
@paginate(Pages)
def service_list(request, year: Year | None = None, monthly: bool | None = None):
    """The services of the year's edition (this year's when `year` is left out); `monthly=true`
    keeps the services puskesmas report every month (the ones monthly values use)."""
    year = year or timezone.localdate().year
    settings = reporting_year(year)  # a year not set up: 400 with the reason
    rows = (
        SPMService.objects.filter(edition=settings.edition)
        .select_related("edition", "population_band")
        .annotate(catalogue_year=Value(year, output_field=IntegerField()))
    )
    if monthly is not None:
        rows = rows.filter(is_reported_monthly=monthly)
    return rows.order_by("level", "number", "pk")
