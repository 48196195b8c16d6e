"""Pages of the assessment instruments (issue #18): the editions (and their .xlsx), one
edition's sections, items, levels and rank bands (and the edition as the import workbook), the
blank template and the import of a new edition. Instruments are national data: every signed-in
user reads them; only system administrators import (assessments.rights.can_keep_instruments)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kernel.forms import UploadForm
from kernel.models import ImportJob
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.tables import Col, FilterForm, Table, table_page
from kernel.views.imports import start_import

from ..data_rules import RULES
from ..importers import (
    BAND_SHEET,
    EDITION_SHEET,
    ITEM_SHEET,
    LEVEL_SHEET,
    SECTION_SHEET,
    edition_workbook,
)
from ..models import Instrument, Part
from ..rights import can_keep_instruments
from ..selectors import instruments as selectors

INSTRUMENT_TABLE = Table(
    filename="instruments.xlsx",
    sheet=gettext_lazy("Instruments"),
    empty=gettext_lazy("No instrument matches."),
    columns=[
        Col(
            gettext_lazy("Name"),
            "label",
            wrap=True,
            link=lambda i: reverse("assessments:instrument-detail", args=[i.pk]),
        ),
        Col(gettext_lazy("Applies from year"), "valid_from"),
        Col(gettext_lazy("Kind"), "get_kind_display", wrap=True, phone=False),
        Col(gettext_lazy("Code"), "code", phone=False),
        Col(gettext_lazy("Items"), "item_count", "number"),
        Col(gettext_lazy("Verified"), "is_verified", "yesno", phone=False),
        Col(gettext_lazy("In use"), "in_use", "yesno", phone=False),
    ],
)


class InstrumentFilter(FilterForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *Instrument.Kind.choices],
    )


@login_required
@require_safe
def instrument_list(request):
    filters = InstrumentFilter(request.GET or None)
    rows = selectors.instrument_list(kind=filters.value("kind"))
    context = {"filters": filters, "can_keep": can_keep_instruments(request.user)}
    return table_page(
        request,
        table=INSTRUMENT_TABLE,
        rows=rows,
        template="assessments/instruments/list.html",
        context=context,
        actions=False,
    )


def _instrument(pk) -> Instrument:
    return get_object_or_404(selectors.instrument_detail(), pk=pk)


@login_required
@require_safe
def instrument_detail(request, pk):
    instrument = _instrument(pk)
    sections = list(instrument.sections.all())
    rules = {key: label for key, (label, _rule) in RULES.items()}
    for section in sections:
        section.scored = section.part != Part.SERVICE
        for item in section.items.all():
            item.rule_label = rules.get(item.rule, item.rule) if item.rule else ""
    context = {
        "instrument": instrument,
        "sections": sections,
        "bands": list(instrument.bands.all()),
        "in_use": instrument.is_in_use(),
        "can_keep": can_keep_instruments(request.user),
    }
    return render(request, "assessments/instruments/detail.html", context)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def instrument_export(request, pk):
    """The edition as the import's workbook: change its year (and what changed) and import it
    as a new edition."""
    instrument = _instrument(pk)
    return _xlsx(edition_workbook(instrument), f"{instrument.code}-{instrument.valid_from}.xlsx")


@login_required
@require_safe
def instrument_template(request):
    return _xlsx(edition_workbook(), "instrument-template.xlsx")


@login_required
def instrument_import(request):
    if not can_keep_instruments(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(request, form, kind=ImportJob.Kind.INSTRUMENTS)
        if started:
            return started
    context = {
        "form": form,
        "sheets": [
            (spec.title, spec.headings())
            for spec in (EDITION_SHEET, SECTION_SHEET, ITEM_SHEET, LEVEL_SHEET, BAND_SHEET)
        ],
    }
    return render(request, "assessments/instruments/import.html", context)


urlpatterns = [
    path("instruments/", instrument_list, name="instrument-list"),
    path("instruments/template/", instrument_template, name="instrument-template"),
    path("instruments/import/", instrument_import, name="instrument-import"),
    path("instruments/<int:pk>/", instrument_detail, name="instrument-detail"),
    path("instruments/<int:pk>/excel/", instrument_export, name="instrument-export"),
]
