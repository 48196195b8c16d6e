"""The district's quarterly SPM report and the puskesmas's monthly feedback (issue #5): a page to
print, the same as PDF (`?format=pdf`) and, for the quarterly report, as .xlsx (`?format=xlsx`);
the files are made by export jobs (indicators/exports.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form as DjangoForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.models import District
from kernel.scoping import get_in_area_or_404
from kernel.tables import Action, Col, Table, table_page
from kernel.views.exports import export_offer
from kernel.web import paginate, query_int, query_year, run_service, wants_xlsx

from .. import exports, selectors, services
from ..forms import QuarterNoteForm
from ..rights import can_read_quarterly, can_review_report


def _period(request, default: tuple[int, int]) -> tuple[int, int]:
    year = query_year(request, default[0])
    return year, query_int(request, "quarter", default=default[1], low=1, high=4)


def _years() -> range:
    return range(timezone.localdate().year, 2023, -1)


def _wants_pdf(request) -> bool:
    return request.GET.get("format") == "pdf"


@login_required
def quarterly_list(request):
    year, quarter = _period(request, selectors.last_ended_quarter())
    districts = selectors.quarterly_districts(user=request.user).order_by("code")
    page = paginate(request, districts)
    rows = selectors.quarterly_list(districts=page["rows"], year=year, quarter=quarter)
    return render(
        request,
        "indicators/quarterly_list.html",
        {
            **page,
            "quarter_rows": rows,
            "year": year,
            "quarter": quarter,
            "years": _years(),
            "quarters": range(1, 5),
            "can_read": can_read_quarterly(request.user),
        },
    )


@login_required
def quarterly_detail(request, pk):
    districts = selectors.quarterly_districts(user=request.user)
    district = get_in_area_or_404(districts, request.user, pk=pk)
    latest = selectors.quarterly_latest(district=district) or selectors.last_ended_quarter()
    year, quarter = _period(request, latest)
    report = selectors.quarterly_report(
        user=request.user, district=district, year=year, quarter=quarter
    )
    name = f"spm-{district.code}-{year}-q{quarter}"
    if (_wants_pdf(request) or wants_xlsx(request)) and not report.is_computed:
        raise Http404
    if _wants_pdf(request) or wants_xlsx(request):  # made by an export job
        pdf = _wants_pdf(request)
        return export_offer(
            request,
            kind=exports.QUARTERLY_PDF if pdf else exports.QUARTERLY_XLSX,
            params={"district": district.pk, "year": year, "quarter": quarter},
            file_name=f"{name}.pdf" if pdf else f"{name}.xlsx",
            title=_("Quarterly SPM report %(district)s, %(year)s Q%(quarter)s")
            % {"district": district.name, "year": year, "quarter": quarter},
        )
    return render(
        request,
        "indicators/quarterly_detail.html",
        {
            "report": report,
            "years": _years(),
            "quarters": range(1, 5),
            "can_write": can_review_report(request.user, district),
        },
    )


@login_required
def quarterly_notes(request, pk):
    district = get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)
    if not can_review_report(request.user, district):
        raise PermissionDenied
    year, quarter = _period(request, selectors.last_ended_quarter())
    spm = services.monthly_services(year)
    existing = {
        n.service_id: n
        for n in selectors.quarter_notes(district=district, year=year, quarter=quarter)
    }
    forms = [
        (
            service,
            QuarterNoteForm(
                request.POST or None, prefix=f"s{service.pk}", instance=existing.get(service.pk)
            ),
        )
        for service in spm
    ]
    refusal = DjangoForm(data={})  # carries a refusal (a note saved meanwhile) for base.html
    if request.method == "POST" and all(form.is_valid() for __, form in forms):
        notes = {service: form.cleaned_data for service, form in forms}
        if run_service(
            request,
            refusal,
            lambda: services.quarter_notes_save(
                district=district, year=year, quarter=quarter, notes=notes, by=request.user
            ),
        ):
            messages.success(request, _("Quarterly notes saved."))
            url = reverse("indicators:quarterly-detail", args=[district.pk])
            return redirect(f"{url}?year={year}&quarter={quarter}")
    stale = getattr(refusal, "stale", None)
    for __, form in forms:  # the refused note's form now carries the version it was shown
        if stale and form.instance.pk == stale.current.pk:
            data = form.data.copy()
            data[form.add_prefix("version")] = str(stale.current_version)
            form.data = data
    context = {
        "district": district,
        "year": year,
        "quarter": quarter,
        "forms": forms,
        "form": refusal,
    }
    return render(request, "indicators/quarterly_notes.html", context)


FEEDBACK_TABLE = Table(
    filename="spm-feedback.xlsx",
    sheet=gettext_lazy("Monthly feedback"),
    empty=gettext_lazy("No approved month this year yet."),
    columns=[
        Col(gettext_lazy("Month"), "period_label"),
        Col("Puskesmas", "puskesmas.name", wrap=True),
        Col(gettext_lazy("Approved on"), "decided_at", format="datetime", phone=False),
    ],
    actions=[
        Action(
            gettext_lazy("Feedback"), lambda r: reverse("indicators:feedback-detail", args=[r.pk])
        ),
        Action("PDF", lambda r: reverse("indicators:feedback-detail", args=[r.pk]) + "?format=pdf"),
    ],
)


@login_required
def feedback_list(request):
    year = query_year(request)
    return table_page(
        request,
        table=FEEDBACK_TABLE,
        rows=selectors.feedback_list(user=request.user, year=year),
        template="indicators/feedback_list.html",
        context={"year": year, "years": _years()},
    )


@login_required
def feedback_detail(request, pk):
    visible = selectors.readable_reports(user=request.user).select_related(
        "puskesmas__district__province", "puskesmas__district__health_office"
    )
    report = get_in_area_or_404(visible, request.user, pk=pk)
    if not report.is_approved:  # no feedback before the district approves the month
        if _wants_pdf(request):
            raise Http404
        return render(request, "indicators/feedback_detail.html", {"report": report})
    if _wants_pdf(request):  # made by an export job
        return export_offer(
            request,
            kind=exports.FEEDBACK_PDF,
            params={"report": report.pk},
            file_name=f"feedback-{report.puskesmas.code}-{report.year}-{report.month:02d}.pdf",
            title=_("Monthly feedback %(puskesmas)s, %(period)s")
            % {"puskesmas": report.puskesmas.name, "period": report.period_label},
        )
    feedback = selectors.feedback_get(report=report)
    return render(
        request, "indicators/feedback_detail.html", {"report": report, "feedback": feedback}
    )


urlpatterns = [
    path("quarterly/", quarterly_list, name="quarterly-list"),
    path("quarterly/<int:pk>/", quarterly_detail, name="quarterly-detail"),
    path("quarterly/<int:pk>/notes/", quarterly_notes, name="quarterly-notes"),
    path("feedback/", feedback_list, name="feedback-list"),
    path("feedback/<int:pk>/", feedback_detail, name="feedback-detail"),
]
