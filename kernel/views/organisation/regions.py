"""Home and the region pages: districts, their kecamatan, their desa."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import selectors
from ...models import District, Subdistrict
from ...scoping import get_in_area_or_404
from ...tables import Col, SearchFilter, Table, table_page
from ...todo import todo_for


@login_required
def home(request):
    """What waits for the user (kernel.todo's providers), then their area in numbers."""
    sections = todo_for(request.user, timezone.localdate())
    summary = selectors.area_summary(user=request.user)
    return render(request, "kernel/home.html", {"todo": sections, "summary": summary})


DISTRICT_TABLE = Table(
    filename="districts.xlsx",
    sheet=gettext_lazy("Districts"),
    empty=gettext_lazy("No district in your area matches."),
    columns=[
        Col(gettext_lazy("Code"), "code", phone=False),
        Col(
            gettext_lazy("District"),
            "name",
            wrap=True,
            link=lambda d: reverse("kernel:district-detail", args=[d.pk]),
        ),
        Col(gettext_lazy("Province"), "province.name", phone=False),
        Col(gettext_lazy("Subdistricts"), "subdistrict_count", format="number", phone=False),
        Col("Puskesmas", "puskesmas_count", format="number"),
        Col(gettext_lazy("Population"), "population", format="number"),
    ],
)


@login_required
def region_list(request):
    filters = SearchFilter(request.GET or None)
    rows = selectors.district_list(user=request.user, search=filters.value("q").strip())
    return table_page(
        request,
        table=DISTRICT_TABLE,
        rows=rows,
        template="kernel/region_list.html",
        context={"filters": filters},
    )


SUBDISTRICT_TABLE = Table(
    filename="subdistricts.xlsx",
    sheet=gettext_lazy("Subdistricts"),
    empty=gettext_lazy("No subdistrict in your area."),
    columns=[
        Col(gettext_lazy("Code"), "code", phone=False),
        Col(
            gettext_lazy("Subdistrict"),
            "name",
            wrap=True,
            link=lambda s: reverse("kernel:subdistrict-detail", args=[s.pk]),
        ),
        Col(gettext_lazy("Villages"), "village_count", format="number"),
        Col("Puskesmas", "puskesmas_count", format="number"),
    ],
)


@login_required
def district_detail(request, pk):
    district = get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)
    return table_page(
        request,
        table=replace(SUBDISTRICT_TABLE, filename=f"subdistricts-{district.code}.xlsx"),
        rows=selectors.subdistrict_list(user=request.user, district=district),
        template="kernel/district_detail.html",
        context={"district": district},
    )


VILLAGE_TABLE = Table(
    filename="villages.xlsx",
    sheet=gettext_lazy("Villages"),
    empty=gettext_lazy("No village in your area."),
    columns=[
        Col(gettext_lazy("Code"), "code", phone=False),
        Col(gettext_lazy("Village"), "name", wrap=True),
        Col(
            gettext_lazy("Kind"),
            lambda v: _("Kelurahan") if v.is_kelurahan else _("Desa"),
            phone=False,
        ),
        Col(
            "Puskesmas",
            "puskesmas.name",
            wrap=True,
            link=lambda v: (
                reverse("kernel:puskesmas-detail", args=[v.puskesmas_id])
                if v.puskesmas_id
                else None
            ),
        ),
        Col(gettext_lazy("Service points"), "service_point_count", format="number"),
    ],
)


@login_required
def subdistrict_detail(request, pk):
    subdistrict = get_in_area_or_404(
        Subdistrict.objects.select_related("district"), request.user, pk=pk
    )
    return table_page(
        request,
        table=replace(VILLAGE_TABLE, filename=f"villages-{subdistrict.code}.xlsx"),
        rows=selectors.village_list(user=request.user, subdistrict=subdistrict),
        template="kernel/subdistrict_detail.html",
        context={"subdistrict": subdistrict},
    )
