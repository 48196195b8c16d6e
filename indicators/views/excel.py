"""Monthly SPM data in and out of Excel: template, upload with progress, export (issue #4).

This module ends with its own `urlpatterns`, which indicators/urls.py appends.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import ImportJob
from kernel.scoping import in_area
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.views.exports import export_offer
from kernel.views.imports import start_import

from .. import exports, services
from ..forms import MonthlyExportForm, MonthlyTemplateForm, MonthlyUploadForm
from ..models import ReportingYear


def _years() -> list[int]:
    today = timezone.localdate()
    return list(
        ReportingYear.objects.filter(year__lte=today.year)
        .order_by("-year")
        .values_list("year", flat=True)
    )


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _recent_jobs(user):
    jobs = in_area(ImportJob.objects.filter(kind=ImportJob.Kind.MONTHLY_VALUES), user)
    return jobs.select_related("created_by").order_by("-created_at")[:10]


@login_required
def monthly_import(request):
    may_import = services.can_import_monthly(request.user)
    upload_form = MonthlyUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        if upload_form.is_valid():
            started = start_import(request, upload_form, kind=ImportJob.Kind.MONTHLY_VALUES)
            if started:
                return started
    years = _years()
    context = {
        "may_import": may_import,
        "template_form": MonthlyTemplateForm(user=request.user, years=years),
        "upload_form": upload_form,
        "export_form": MonthlyExportForm(years=years),
        "jobs": _recent_jobs(request.user),
    }
    return render(request, "indicators/monthly_import.html", context)


@login_required
def monthly_template(request):
    if not services.can_import_monthly(request.user):
        raise PermissionDenied
    years = _years()
    data = request.GET or MonthlyTemplateForm.defaults(years)
    form = MonthlyTemplateForm(data, user=request.user, years=years)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("indicators:monthly-import")
    year, months = form.cleaned_data["year"], sorted(form.cleaned_data["months"])
    content = services.monthly_template(
        puskesmas_list=form.puskesmas_list(), year=year, months=months
    )
    period = f"{year}-{months[0]:02d}" + (f"-{months[-1]:02d}" if len(months) > 1 else "")
    return _download(content, f"spm-monthly-{period}.xlsx")


@login_required
def monthly_export(request):
    """The year's monthly values the user may read, made by an export job (a province's year
    is hundreds of thousands of rows): the page's form POSTs here; a GET offers the button."""
    form = MonthlyExportForm(request.POST or request.GET or None, years=_years())
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
    return export_offer(
        request,
        kind=exports.MONTHLY_VALUES_YEAR,
        params={"year": year},
        file_name=f"spm-monthly-values-{year}.xlsx",
        title=_("Monthly values %(year)s") % {"year": year},
        back_url=reverse("indicators:monthly-import"),
    )


urlpatterns = [
    path("reports/excel/", monthly_import, name="monthly-import"),
    path("reports/excel/template/", monthly_template, name="monthly-template"),
    path("reports/excel/export/", monthly_export, name="monthly-export"),
]
