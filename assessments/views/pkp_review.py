"""The PKP list of every role and the district's side of the PKP (issue #18 must-have 2): a
puskesmas's PKP years with "start this year's PKP"; a district's comparison of its puskesmas
for a year (best first, year on year, counts per rank); a province's approved PKPs per district;
the phone-first verification page (a verified score per item with its reason, the service
shortfalls, the feedback, return / approve / reopen) and one PKP as PDF and .xlsx. Thin:
services write, selectors read."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kernel.models import District
from kernel.roles import is_mentor
from kernel.scoping import get_in_area_or_404, in_area
from kernel.spreadsheets import XLSX_CONTENT_TYPE, Sheet, build_workbook
from kernel.tables import Col, FilterForm, Table, table_page
from kernel.views.exports import export_offer
from kernel.web import query_year, run_service, wants_xlsx

from ..exports import PKP_PDF, pkp_file_name, pkp_readable
from ..models import PkpAssessment, PkpScore, Rank
from ..rights import can_fill_pkp, can_verify_pkp
from ..selectors import pkp_review as selectors
from ..services import pkp_review as services

Status = PkpAssessment.Status
YEARS_BACK = 4
RANK_BADGES = {"good": "text-bg-success", "fair": "text-bg-warning", "poor": "text-bg-danger"}


def _years() -> range:
    this_year = timezone.localdate().year
    return range(this_year, this_year - YEARS_BACK - 1, -1)


def _version(text) -> int | None:
    try:
        number = int(str(text or "").strip()[:12])
    except ValueError:
        return None
    return number if number >= 0 else None


def _posted(request, name: str, limit: int = services.TEXT_LENGTH + 1) -> str:
    return str(request.POST.get(name, ""))[:limit]


# --- The list -----------------------------------------------------------------------------------

PKP_TABLE = Table(
    filename="pkp.xlsx",
    sheet=gettext_lazy("PKP"),
    empty=gettext_lazy("No PKP of this year matches."),
    columns=[
        Col(gettext_lazy("District"), "district_name", phone=False),
        Col(gettext_lazy("Puskesmas"), "puskesmas.name", wrap=True, link=lambda line: line.url),
        Col(
            gettext_lazy("Status"),
            "status_label",
            badge=lambda line: f"status-{line.status}" if line.status else None,
        ),
        Col(gettext_lazy("Service part (% of target)"), "service_score", "number"),
        Col(gettext_lazy("Management part (score)"), "management_score", "number"),
        Col(gettext_lazy("Service rank"), "service_rank_label", phone=False),
        Col(gettext_lazy("Management rank"), "management_rank_label", phone=False),
        Col(
            gettext_lazy("Rank"),
            "rank_label",
            badge=lambda line: RANK_BADGES.get(line.rank),
        ),
        Col(gettext_lazy("Service part last year"), "last_service_score", "number", phone=False),
        Col(gettext_lazy("Change (service)"), "service_change", "number", phone=False),
        Col(
            gettext_lazy("Management part last year"),
            "last_management_score",
            "number",
            phone=False,
        ),
        Col(gettext_lazy("Change (management)"), "management_change", "number", phone=False),
    ],
)


class PkpFilter(FilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Every status")), *Status.choices],
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"),
        required=False,
        queryset=District.objects.none(),
        empty_label=gettext_lazy("Every district"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = in_area(District.objects.all(), user).order_by("name")


@login_required
@require_safe
def pkp_list(request):
    user = request.user
    year = query_year(request)
    context = {"year": year, "years": _years(), "ranks": Rank.labels}
    if user.puskesmas_id is not None:
        context |= {
            "pkps": selectors.own_pkps(user=user, puskesmas=user.puskesmas),
            "puskesmas": user.puskesmas,
            "can_start": can_fill_pkp(user, user.puskesmas),
            "this_year": timezone.localdate().year,
        }
        return render(request, "assessments/pkp_review/list_puskesmas.html", context)
    reads_districts = user.district_id or user.province_id or is_mentor(user)
    if not (reads_districts or user.is_system_admin):
        raise PermissionDenied
    pkp_filter = PkpFilter(request.GET or None, user=user)
    district = pkp_filter.value("district", None)
    status = pkp_filter.value("status")
    lines = selectors.pkp_lines(
        user=user, year=year, district_id=district.pk if district else None, status=status
    )
    if wants_xlsx(request):
        response = PKP_TABLE.export(lines)
        response["Content-Disposition"] = f'attachment; filename="pkp-{year}.xlsx"'
        return response
    context |= {
        "filter": pkp_filter,
        "status": status,
        "district": district,
        "counts": selectors.rank_counts(lines),
        "many_districts": user.district_id is None,
    }
    return table_page(
        request,
        table=PKP_TABLE,
        rows=lines,
        template="assessments/pkp_review/list.html",
        context=context,
    )


# --- One PKP: verification ----------------------------------------------------------------------


def _pkp(request, pk) -> PkpAssessment:
    return get_in_area_or_404(pkp_readable(request.user), request.user, pk=pk)


@login_required
def pkp_verify(request, pk):
    pkp = _pkp(request, pk)  # scoped first: another area's id is a 404 whatever the method
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    can_verify = can_verify_pkp(request.user, pkp)
    context = {
        "view": selectors.pkp_view(pkp=pkp),
        "pkp": pkp,
        "can_verify": can_verify and pkp.status == Status.SUBMITTED,
        "can_reopen": can_verify and pkp.status == Status.APPROVED,
    }
    return render(request, "assessments/pkp_review/verify.html", context)


def _back(pkp: PkpAssessment, anchor: str = ""):
    url = reverse("assessments:pkp-verify", args=[pkp.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _step(request, pkp: PkpAssessment, call, done: str, anchor: str = ""):
    if not can_verify_pkp(request.user, pkp):
        raise PermissionDenied
    if run_service(request, None, call):
        messages.success(request, done)
    return _back(pkp, anchor)


@login_required
@require_POST
def pkp_verify_item(request, pk):
    score = get_in_area_or_404(
        PkpScore.objects.select_related("assessment__puskesmas__district", "item"),
        request.user,
        pk=pk,
    )
    pkp = _pkp(request, score.assessment_id)
    score.assessment = pkp
    return _step(
        request,
        pkp,
        lambda: services.verify_item(
            score=score,
            by=request.user,
            version=_version(request.POST.get("version")),
            verified_score=_posted(request, "verified_score", 20),
            reason=_posted(request, "reason"),
        ),
        _("Verified score saved."),
        f"item-{score.pk}",
    )


@login_required
@require_POST
def pkp_feedback(request, pk):
    pkp = _pkp(request, pk)
    return _step(
        request,
        pkp,
        lambda: services.save_feedback(
            assessment=pkp,
            by=request.user,
            version=_version(request.POST.get("version")),
            feedback=_posted(request, "feedback"),
        ),
        _("Feedback saved."),
        "feedback",
    )


@login_required
@require_POST
def pkp_return(request, pk):
    pkp = _pkp(request, pk)
    return _step(
        request,
        pkp,
        lambda: services.pkp_return(
            assessment=pkp,
            by=request.user,
            reason=_posted(request, "reason"),
            version=_version(request.POST.get("version")),
        ),
        _("PKP returned to the puskesmas."),
    )


@login_required
@require_POST
def pkp_approve(request, pk):
    pkp = _pkp(request, pk)
    return _step(
        request,
        pkp,
        lambda: services.pkp_approve(
            assessment=pkp, by=request.user, version=_version(request.POST.get("version"))
        ),
        _("PKP approved and ranked."),
    )


@login_required
@require_POST
def pkp_reopen(request, pk):
    pkp = _pkp(request, pk)
    return _step(
        request,
        pkp,
        lambda: services.pkp_reopen(
            assessment=pkp,
            by=request.user,
            reason=_posted(request, "reason"),
            version=_version(request.POST.get("version")),
        ),
        _("PKP reopened for the puskesmas."),
    )


# --- Documents ----------------------------------------------------------------------------------


@login_required
def pkp_pdf(request, pk):
    pkp = _pkp(request, pk)  # scoped first: another area's id is a 404 whatever the method
    return export_offer(  # made by an export job (assessments/exports.py)
        request,
        kind=PKP_PDF,
        params={"pkp": pkp.pk},
        file_name=pkp_file_name(pkp, "pdf"),
        title=_("PKP %(year)s: %(puskesmas)s") % {"year": pkp.year, "puskesmas": pkp.puskesmas},
        back_url=reverse("assessments:pkp-detail", args=[pkp.pk]),
    )


@login_required
def pkp_xlsx(request, pk):
    pkp = _pkp(request, pk)  # scoped first: another area's id is a 404 whatever the method
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    view = selectors.pkp_view(pkp=pkp)
    service_rows = [
        [
            pkp.puskesmas.name,
            result.item.section.label,
            result.item.code,
            result.item.label,
            result.item.target_pct,
            result.target_group,
            result.target_count,
            result.actual,
            result.coverage,
            result.pct_of_target,
            result.problem,
            result.cause,
            result.rtl,
        ]
        for result in view.results
    ]
    management_rows = [
        [
            pkp.puskesmas.name,
            line.score.item.section.label,
            line.score.item.code,
            line.score.item.label,
            line.score.self_score,
            line.score.self_note,
            line.score.data_note,
            line.score.verified_score,
            line.score.verify_reason,
        ]
        for line in view.scores
    ]
    content = build_workbook(
        sheet=_("Service part"),
        headers=[
            "Puskesmas",
            _("Programme"),
            _("Code"),
            _("Activity"),
            _("Annual target (%)"),
            _("Target group (people)"),
            _("Target (people)"),
            _("Achieved"),
            _("Coverage (%)"),
            _("% of target"),
            _("Problem"),
            _("Cause"),
            _("Follow-up plan (RTL)"),
        ],
        rows=service_rows,
        more=[
            Sheet(
                _("Management part"),
                [
                    "Puskesmas",
                    _("Section"),
                    _("Code"),
                    _("Item"),
                    _("Own score"),
                    _("Evidence"),
                    _("What the data shows"),
                    _("Verified score"),
                    _("Reason for the verified score"),
                ],
                management_rows,
            )
        ],
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pkp_file_name(pkp, "xlsx")}"'
    return response


urlpatterns = [
    path("pkp/", pkp_list, name="pkp-list"),
    path("pkp/<int:pk>/verify/", pkp_verify, name="pkp-verify"),
    path("pkp/<int:pk>/feedback/", pkp_feedback, name="pkp-feedback"),
    path("pkp/<int:pk>/return/", pkp_return, name="pkp-return"),
    path("pkp/<int:pk>/approve/", pkp_approve, name="pkp-approve"),
    path("pkp/<int:pk>/reopen/", pkp_reopen, name="pkp-reopen"),
    path("pkp/<int:pk>/pdf/", pkp_pdf, name="pkp-pdf"),
    path("pkp/<int:pk>/xlsx/", pkp_xlsx, name="pkp-xlsx"),
    path("pkp/items/<int:pk>/verify/", pkp_verify_item, name="pkp-verify-item"),
]
