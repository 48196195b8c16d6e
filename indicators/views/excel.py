"""Monthly SPM data in and out of Excel: template, upload with progress, export (issue #4).

This module ends with its own `urlpatterns`, which indicators/urls.py appends.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from .. import services
from ..forms import UploadForm
from ..models import ImportJob, Puskesmas, ReportingYear
from ..scoping import get_in_area_or_404, in_area
from ..spreadsheets import MAX_UPLOAD_BYTES, XLSX_CONTENT_TYPE
from ..web import run_service

# TODO(#4): move these two forms into indicators/forms.py (kept here while forms.py was being
# edited in parallel).


def _years() -> list[int]:
    today = timezone.localdate()
    return list(
        ReportingYear.objects.filter(year__lte=today.year)
        .order_by("-year")
        .values_list("year", flat=True)
    )


class MonthlyTemplateForm(forms.Form):
    """Which year, months and (for a district) puskesmas a template covers; defaults: this year."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    months = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Months"),
        coerce=int,
        choices=sorted(MONTHS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    puskesmas = forms.ModelMultipleChoiceField(
        label="Puskesmas",
        queryset=Puskesmas.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("None ticked: every puskesmas of your district."),
    )

    def __init__(self, data=None, *, user, years: list[int]):
        super().__init__(data, initial=self.defaults(years))
        self.fields["year"].choices = [(y, y) for y in years]
        self.scope = in_area(Puskesmas.objects.all(), user)
        self.fields["puskesmas"].queryset = self.scope
        if user.puskesmas_id:
            del self.fields["puskesmas"]

    @staticmethod
    def defaults(years: list[int]) -> dict:
        """This year and its months so far (or the latest year set up, whole)."""
        today = timezone.localdate()
        year = today.year if today.year in years else (years[0] if years else today.year)
        last = today.month if year == today.year else 12
        return {"year": year, "months": list(range(1, last + 1))}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        year, months = data.get("year"), data.get("months") or []
        future = [m for m in months if year and (year, m) > (today.year, today.month)]
        if future:
            raise forms.ValidationError(
                _("%(month)s %(year)s has not started yet.")
                % {"month": MONTHS[future[0]], "year": year}
            )
        return data

    def puskesmas_list(self):
        """The puskesmas ticked, or every puskesmas of the user's area."""
        return self.cleaned_data.get("puskesmas") or self.scope


class MonthlyExportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, data=None, *, years: list[int]):
        super().__init__(data, initial=MonthlyTemplateForm.defaults(years))
        self.fields["year"].choices = [(y, y) for y in years]


class MonthlyUploadForm(UploadForm):
    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 1024**2}
            )
        return upload


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
        jobs = []
        start = lambda: jobs.append(  # noqa: E731
            services.monthly_import_start(upload=request.FILES["file"], user=request.user)
        )
        if upload_form.is_valid() and run_service(request, upload_form, start):
            return redirect("indicators:importjob-detail", pk=jobs[0].pk)
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
    form = MonthlyExportForm(request.GET or None, years=_years())
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
    content = services.monthly_values_export(user=request.user, year=year)
    return _download(content, f"spm-monthly-values-{year}.xlsx")


def job_status(job: ImportJob) -> dict:
    """What the job page and its poller show: status, progress and a sentence saying it."""
    label = job.get_status_display()
    if job.status == ImportJob.Status.RUNNING and job.total:
        label = _("Working: %(done)s of %(total)s values") % {
            "done": number_format(job.done),
            "total": number_format(job.total),
        }
    return {
        "status": job.status,
        "label": str(label),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
    }


@never_cache  # its poller must see the latest progress
@login_required
def importjob_detail(request, pk):
    job = get_in_area_or_404(ImportJob.objects.select_related("created_by"), request.user, pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if request.GET.get("format") == "json":
        return JsonResponse(job_status(job))
    return render(
        request,
        "indicators/importjob_detail.html",
        {"job": job, "state": job_status(job), "result": job.result},
    )


urlpatterns = [
    path("reports/excel/", monthly_import, name="monthly-import"),
    path("reports/excel/template/", monthly_template, name="monthly-template"),
    path("reports/excel/export/", monthly_export, name="monthly-export"),
    path("reports/excel/jobs/<int:pk>/", importjob_detail, name="importjob-detail"),
]
