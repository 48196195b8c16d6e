"""The e-SPM package (issue #16 must-have 6): the district's quarterly package with all its parts
(A people served, B quality, C budget, the four stages, problems and action plan, the index),
as a page, a PDF and an .xlsx (both made by export jobs, cycle/exports.py); and the list: a
district planner's quarters, a province's districts side by side.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.selectors.quarterly import last_ended_quarter, quarterly_latest
from kernel.scoping import get_in_area_or_404, user_area
from kernel.views.exports import export_offer
from kernel.web import query_id, query_int, query_year, wants_xlsx

from .. import exports
from ..selectors import package as selectors


def _period(request, default: tuple[int, int]) -> tuple[int, int]:
    year = query_year(request, default[0])
    quarter = query_int(request, "quarter", default=default[1], low=1, high=4)
    return year, default[1] if quarter is None else quarter


def _years() -> range:
    return range(timezone.localdate().year, 2023, -1)


@login_required
def package_list(request):
    """A district planner: their district's quarters of the year. A provincial reviewer (or a
    system administrator, province by province): the districts side by side for a quarter,
    best index first. A puskesmas: a clear word that the package is the district's."""
    user = request.user
    year, quarter = _period(request, last_ended_quarter())
    context = {"year": year, "quarter": quarter, "years": _years(), "quarters": range(1, 5)}
    districts = selectors.package_districts(user=user)
    area = user_area(user)
    if area is not None and area.area_kind == "district":
        district = get_in_area_or_404(districts, user, pk=area.pk)
        context |= {
            "mode": "quarters",
            "district": district,
            "quarter_lines": selectors.package_quarters(user=user, district=district, year=year),
        }
    elif districts.exists():
        provinces = list(selectors.package_provinces(user=user))
        chosen = query_id(request, "province")
        province = next(
            (p for p in provinces if p.pk == chosen), provinces[0] if provinces else None
        )
        sort = request.GET.get("sort")
        sort = sort if sort in selectors.SORTS else "index"
        shown = list(districts.filter(province=province).order_by("code")) if province else []
        context |= {
            "mode": "compare",
            "provinces": provinces,
            "province": province,
            "sort": sort,
            "district_lines": selectors.package_compare(
                user=user, districts=shown, year=year, quarter=quarter, sort=sort
            ),
        }
    else:
        context |= {"mode": "none", "puskesmas": getattr(user, "puskesmas", None)}
    return render(request, "cycle/package_list.html", context)


@login_required
def package_detail(request, pk):
    """The district's package for `?year=&quarter=` (the latest computed quarter by default);
    `?format=pdf` and `?format=xlsx` offer the files, made by export jobs."""
    district = get_in_area_or_404(
        selectors.package_districts(user=request.user), request.user, pk=pk
    )
    year, quarter = _period(request, quarterly_latest(district=district) or last_ended_quarter())
    pdf = request.GET.get("format") == "pdf"
    if pdf or wants_xlsx(request):
        name = f"e-spm-{district.code}-{year}-q{quarter}"
        return export_offer(
            request,
            kind=exports.PACKAGE_PDF if pdf else exports.PACKAGE_XLSX,
            params={"district": district.pk, "year": year, "quarter": quarter},
            file_name=f"{name}.pdf" if pdf else f"{name}.xlsx",
            title=_("e-SPM package %(district)s, %(year)s Q%(quarter)s")
            % {"district": district.name, "year": year, "quarter": quarter},
        )
    package = selectors.package_get(
        user=request.user, district=district, year=year, quarter=quarter
    )
    context = {"package": package, "years": _years(), "quarters": range(1, 5)}
    return render(request, "cycle/package_detail.html", context)


urlpatterns = [
    path("", package_list, name="package-list"),
    path("package/<int:pk>/", package_detail, name="package-detail"),
]
