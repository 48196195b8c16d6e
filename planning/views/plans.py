"""Plans: the planning home (a puskesmas's RUKs, a district's compilation), one plan with its
activities (page, .xlsx, PDF), and its workflow: start, submit, return, approve."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.scoping import get_in_area_or_404
from kernel.tables import Col, Table, table_page
from kernel.views.exports import export_offer
from kernel.web import run_service, wants_xlsx

from .. import documents, exports, rights, selectors, services
from ..forms import CompilationFilter, ReviewForm, VersionForm
from ..models import Plan
from .common import districts_for, download, wants_pdf


def _status_badge(p) -> str:
    return f"status-{p.plan_status}" if p.plan_status else "text-bg-light border"


COMPILATION_TABLE = Table(
    filename="ruk-compilation.xlsx",
    sheet="RUK",
    empty=gettext_lazy("No puskesmas matches."),
    columns=[
        Col(gettext_lazy("District"), "district.name", phone=False),
        Col(gettext_lazy("Kemenkes code"), "code", phone=False),
        Col(
            "Puskesmas",
            "name",
            wrap=True,
            link=lambda p: reverse("planning:plan-detail", args=[p.plan_id]) if p.plan_id else None,
        ),
        Col(
            gettext_lazy("Status"),
            lambda p: Plan.Status(p.plan_status).label if p.plan_status else _("Not started"),
            badge=_status_badge,
        ),
        Col(
            gettext_lazy("Submitted"),
            lambda p: timezone.localdate(p.plan_submitted_at) if p.plan_submitted_at else None,
            format="date",
            phone=False,
        ),
        Col(gettext_lazy("Activities"), "activity_count", format="number"),
        Col(gettext_lazy("Budget (Rp)"), lambda p: p.budget_total or 0, format="idr"),
    ],
)


@login_required
def ruk_list(request):
    """A puskesmas's own RUKs; for districts and provinces, the puskesmas RUKs of a year."""
    user = request.user
    own = selectors.plan_own_list(user=user)
    context = {
        "own_plans": own,
        "can_create": rights.can_create_plan(user),
        "years": selectors.plan_years(),
        "next_year": selectors.next_plan_year(),
    }
    if user.puskesmas_id:
        return render(request, "planning/ruk_list.html", context)
    filters = CompilationFilter(request.GET or None, districts=districts_for(request))
    year, district_id = filters.chosen_year, filters.district_id
    rows = selectors.ruk_compilation(
        user=user, year=year, district_id=district_id, status=filters.value("status")
    )
    context.update(
        year=year,
        filters=filters,
        counts=selectors.ruk_status_counts(user=user, year=year, district_id=district_id),
        compilation=True,
    )
    table = replace(
        COMPILATION_TABLE,
        filename=f"ruk-compilation-{year}.xlsx",
        sheet=_("RUK %(year)s") % {"year": year},
    )
    return table_page(
        request, table=table, rows=rows, template="planning/ruk_list.html", context=context
    )


@login_required
@require_POST
def plan_create(request):
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    plan = None

    def start():
        nonlocal plan
        plan = services.plan_create(year=year, by=request.user)

    if run_service(request, None, start):
        return redirect("planning:plan-detail", pk=plan.pk)
    return redirect("planning:ruk-list")


def _plan_context(request, plan: Plan, review_form: ReviewForm | None = None) -> dict:
    user = request.user
    return {
        "plan": plan,
        "detail": selectors.plan_detail(plan=plan, user=user),
        "title": documents.plan_title(plan),
        "can_edit": rights.can_edit_plan(user, plan),
        "can_submit": rights.can_submit_plan(user, plan),
        "can_approve": rights.can_approve_plan(user, plan),
        "can_return": rights.can_return_plan(user, plan),
        "can_schedule": rights.can_schedule(user, plan),
        "review_form": review_form or ReviewForm(initial={"version": plan.version}),
    }


@login_required
def plan_detail(request, pk):
    plan = get_in_area_or_404(selectors.plans_visible(user=request.user), request.user, pk=pk)
    if wants_pdf(request):  # made by an export job (planning/exports.py)
        return export_offer(
            request,
            kind=exports.RUK_PDF,
            params={"plan": plan.pk},
            file_name=documents.plan_filename(plan, "ruk", "pdf"),
            title=documents.plan_title(plan),
        )
    if wants_xlsx(request):  # one plan's table: small, made in the request
        detail = selectors.plan_detail(plan=plan, user=request.user)
        content = documents.ruk_xlsx(detail)
        return download(content, filename=documents.plan_filename(plan, "ruk", "xlsx"))
    return render(request, "planning/plan_detail.html", _plan_context(request, plan))


@login_required
@require_POST
def plan_submit(request, pk):
    plan = get_in_area_or_404(Plan, request.user, pk=pk)
    if not rights.is_plan_submitter(request.user, plan):
        raise PermissionDenied
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else -1
    if run_service(
        request, None, lambda: services.plan_submit(plan=plan, version=version, by=request.user)
    ):
        messages.success(request, _("RUK submitted to the district."))
    return redirect("planning:plan-detail", pk=plan.pk)


@login_required
@require_POST
def plan_review(request, pk):
    plan = get_in_area_or_404(selectors.plans_visible(user=request.user), request.user, pk=pk)
    if not rights.is_plan_reviewer(request.user, plan):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        version, reason = form.cleaned_data["version"], form.cleaned_data["reason"]
        if request.POST.get("action") == "approve":
            call = partial(services.plan_approve, plan=plan, version=version, by=request.user)
            done = _("RUK approved: the puskesmas can now schedule it (RPK).")
        else:
            call = partial(
                services.plan_return, plan=plan, version=version, reason=reason, by=request.user
            )
            done = _("RUK returned to the puskesmas with your reason.")
        if run_service(request, form, call):
            messages.success(request, done)
            return redirect("planning:plan-detail", pk=plan.pk)
    plan.refresh_from_db()
    return render(request, "planning/plan_detail.html", _plan_context(request, plan, form))


urlpatterns = [
    path("", ruk_list, name="ruk-list"),
    path("plans/new/", plan_create, name="plan-create"),
    path("plans/<int:pk>/", plan_detail, name="plan-detail"),
    path("plans/<int:pk>/submit/", plan_submit, name="plan-submit"),
    path("plans/<int:pk>/review/", plan_review, name="plan-review"),
]
