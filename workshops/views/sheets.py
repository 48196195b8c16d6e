"""Excel templates and imports of a meeting's participants and RTL items: download the template
(the meeting's rows, to correct and extend), upload it filled; the upload runs as an import job
(workshops/importers.py) whose page says what was saved, or lists every problem by sheet, row
and column with nothing saved. Only whoever runs the meeting; a closed meeting refuses."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.forms import UploadForm
from kernel.models import ImportJob
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.views.imports import start_import

from ..models import Meeting
from ..services import sheets
from .meetings.base import download, manager_only, meeting_in_area


@dataclass(frozen=True)
class Kind:
    """One of the two imports: its services, its pages and its words."""

    name: str  # the URL names' prefix and the file name's
    template: object  # service building the template
    job: str  # the ImportJob kind that imports a filled template (workshops/importers.py)
    back: str  # the list page the import returns to
    title: object
    rows_hint: object


PARTICIPANTS = Kind(
    name="participants",
    template=sheets.participants_template,
    job=ImportJob.Kind.PARTICIPANTS,
    back="workshops:meeting-participants",
    title=gettext_lazy("Import participants from Excel"),
    rows_hint=gettext_lazy(
        "Correct the rows or add new ones: one row per person, with the sector code from the "
        "Lists sheet and attendance as Yes or No."
    ),
)
RTL = Kind(
    name="rtl",
    template=sheets.rtl_template,
    job=ImportJob.Kind.RTL_ITEMS,
    back="workshops:meeting-rtl",
    title=gettext_lazy("Import RTL items from Excel"),
    rows_hint=gettext_lazy(
        "Correct the rows or add new ones: one row per RTL item, with the problem number, "
        "codes and partner names from the Lists sheet. Statuses are not imported."
    ),
)


def _template(request, pk, kind: Kind):
    meeting = meeting_in_area(request, pk)
    manager_only(request, meeting)
    content = kind.template(meeting=meeting, user=request.user)
    filename = f"{kind.name}-{meeting.pk}-template.xlsx"
    return download(content, filename=filename, content_type=XLSX_CONTENT_TYPE)


def _import(request, pk, kind: Kind):
    meeting = meeting_in_area(request, pk)
    manager_only(request, meeting)
    if meeting.status == Meeting.Status.CLOSED:
        messages.error(request, _("This meeting is closed: nothing can be imported into it."))
        return redirect(kind.back, pk=meeting.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(request, form, kind=kind.job, params={"meeting": meeting.pk})
        if started:
            return started
    context = {"meeting": meeting, "form": form, "kind": kind}
    return render(request, "workshops/sheet_import.html", context)


@login_required
def participants_template(request, pk):
    return _template(request, pk, PARTICIPANTS)


@login_required
def participants_import(request, pk):
    return _import(request, pk, PARTICIPANTS)


@login_required
def rtl_template(request, pk):
    return _template(request, pk, RTL)


@login_required
def rtl_import(request, pk):
    return _import(request, pk, RTL)


urlpatterns = [
    path("<int:pk>/participants/template/", participants_template, name="participants-template"),
    path("<int:pk>/participants/import/", participants_import, name="participants-import"),
    path("<int:pk>/rtl/template/", rtl_template, name="rtl-template"),
    path("<int:pk>/rtl/import/", rtl_import, name="rtl-import"),
]
