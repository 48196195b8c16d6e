"""Target figures from Excel: the template for one source and the upload that starts its import
job (indicators/importers.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from kernel.forms import UploadForm
from kernel.models import District, ImportJob
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.views.imports import start_import

from ... import selectors, services
from .base import Source, _year


class TargetUploadForm(UploadForm):
    source = forms.ChoiceField(label=gettext_lazy("Source of the figures"))

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, Source(s).label) for s in sources]


def _import_scope(request) -> tuple[District, tuple[str, ...]]:
    """The district and sources the user may import for; PermissionDenied (403) otherwise."""
    district, _villages, sources = services.target_import_scope(by=request.user)
    return district, sources


@login_required
def target_template(request):
    _district, sources = _import_scope(request)
    year = _year(request)
    source = request.GET.get("source") if request.GET.get("source") in sources else sources[0]
    content = services.target_template(year=year, source=source, by=request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="targets-{source}-{year}.xlsx"'
    return response


@login_required
def target_import(request):
    district, sources = _import_scope(request)
    years = selectors.target_years()
    year = _year(request, years)
    form = TargetUploadForm(
        request.POST or None,
        request.FILES or None,
        sources=sources,
        initial={"source": request.GET.get("source")},
    )
    if request.method == "POST" and form.is_valid():
        started = start_import(
            request,
            form,
            kind=ImportJob.Kind.TARGETS,
            params={"year": year, "source": form.cleaned_data["source"]},
        )
        if started:
            return started
    context = {
        "form": form,
        "year": year,
        "years": years,
        "district": district,
        "sources": [(s, Source(s).label) for s in sources],
    }
    return render(request, "indicators/target_import.html", context)
