"""A plan's activities: where to start one (the owner's SPM gaps, open RTL items, Musrenbang
proposals), and adding, changing and deleting one."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.models import SPMService
from kernel.scoping import get_in_area_or_404
from kernel.versioning import create_once
from kernel.web import run_service

from .. import documents, rights, selectors, services
from ..forms import ActivityForm, plan_services
from ..models import Activity, Plan

EFFORTS = (
    "KIA-KB",
    "Gizi",
    "Promosi Kesehatan",
    "Kesehatan Lingkungan",
    "P2P (Pencegahan dan Pengendalian Penyakit)",
    "PTM dan Keswa",
    "UKS dan Kesehatan Remaja",
    "Lansia",
    "UKP (Pelayanan Kesehatan Perorangan)",
    "Manajemen Puskesmas",
)


def _plan(request, pk) -> Plan:
    return get_in_area_or_404(selectors.plans_visible(user=request.user), request.user, pk=pk)


@login_required
def plan_sources(request, pk):
    """Start an activity from the owner's SPM gaps, open RTL items or Musrenbang proposals."""
    plan = _plan(request, pk)
    user = request.user
    context = {
        "plan": plan,
        "title": documents.plan_title(plan),
        "can_edit": rights.can_edit_plan(user, plan),
        "gaps": selectors.plan_gaps(user=user, plan=plan),
        "follow_ups": selectors.plan_follow_ups(user=user, plan=plan),
        "proposals": selectors.plan_proposals(user=user, plan=plan),
    }
    return render(request, "planning/plan_sources.html", context)


def _same_service(plan: Plan, service: SPMService | None) -> SPMService | None:
    """The service with the same number in the plan year's edition (the form's choices)."""
    if service is None:
        return None
    return plan_services(plan.year).filter(number=service.number).first()


def _origin(request, plan: Plan) -> tuple[dict, dict, str, object]:
    """From the query string: the origin passed to the service, the form's initial columns and
    a sentence saying where the activity comes from. 404 for an origin outside the owner's."""
    user = request.user
    if request.GET.get("gap"):
        service = SPMService.objects.filter(pk=_id(request.GET["gap"])).first()
        gap = service and selectors.gap_get(user=user, plan=plan, service=service)
        if not gap:
            raise Http404
        initial = {
            "service": _same_service(plan, service),
            "target_group": service.denominator[:200],
            "target": _("100%% of the target group (%(target)s people)") % {"target": gap.target},
            "indicator": service.numerator[:300],
            "goal": _("Raise the achievement of %(service)s from %(achievement)s%% to 100%%")
            % {"service": service.label, "achievement": number_format(gap.achievement, 1)},
        }
        return {"gap_service": service}, initial, "gap", gap
    if request.GET.get("rtl"):
        item = selectors.follow_up_for(user=user, plan=plan, pk=_id(request.GET["rtl"]))
        if item is None:
            raise Http404
        partner = item.partner.name if item.partner_id else item.get_sector_display()
        initial = {
            "name": item.activity,
            "goal": item.goal,
            "target_group": item.target_group,
            "target": item.target,
            "responsible": item.responsible,
            "partners": partner,
            "budget_idr": item.cost_idr,
            "funding_source": item.funding_source,
            "indicator": item.success_indicator,
            "service": _same_service(plan, item.problem.service if item.problem else None),
            "service_point": item.service_point_id,  # the form offers it if it is the plan's
        }
        return {"follow_up": item}, initial, "rtl", item
    if request.GET.get("proposal"):
        proposal = selectors.proposal_for(user=user, plan=plan, pk=_id(request.GET["proposal"]))
        if proposal is None:
            raise Http404
        initial = {
            "name": proposal.title,
            "goal": proposal.description[:300],
            "target": proposal.volume,
            "budget_idr": proposal.estimated_cost_idr,
            "funding_source": proposal.funding_source,
            "service": _same_service(plan, proposal.service),
        }
        return {"proposal": proposal}, initial, "proposal", proposal
    return {}, {}, "", None


def _id(value: str) -> int:
    try:
        return int(value)
    except ValueError as error:
        raise Http404 from error


def _require_writer(request, plan: Plan) -> None:
    if not rights.is_plan_writer(request.user, plan):
        raise PermissionDenied


@login_required
def activity_create(request, pk):
    plan = _plan(request, pk)
    _require_writer(request, plan)
    if not plan.is_editable:
        messages.error(request, _("This RUK is submitted or approved: it cannot be changed now."))
        return redirect("planning:plan-detail", pk=plan.pk)
    origin, initial, kind, source = _origin(request, plan)
    form = ActivityForm(request.POST or None, initial=initial, plan=plan)
    if request.method == "POST" and form.is_valid():
        create = partial(
            services.activity_create, plan=plan, fields=form.columns(), by=request.user, **origin
        )
        token = form.cleaned_data.get("form_token")
        call = partial(create_once, token=token, by=request.user, model=Activity, create=create)
        if run_service(request, form, call):
            messages.success(request, _("Activity added."))
            return redirect(reverse("planning:plan-detail", args=[plan.pk]) + "#activities")
    context = {
        "plan": plan,
        "form": form,
        "kind": kind,
        "source": source,
        "efforts": EFFORTS,
        "title": documents.plan_title(plan),
        "query": request.GET.urlencode(),
    }
    return render(request, "planning/activity_form.html", context)


def _activity(request, pk) -> Activity:
    visible = Activity.objects.select_related(
        "plan__district", "plan__puskesmas", "service", "follow_up__meeting", "proposal"
    )
    return get_in_area_or_404(visible, request.user, pk=pk)


@login_required
def activity_edit(request, pk):
    activity = _activity(request, pk)
    plan = activity.plan
    _require_writer(request, plan)
    if not plan.is_editable:
        messages.error(request, _("This RUK is submitted or approved: it cannot be changed now."))
        return redirect("planning:plan-detail", pk=plan.pk)
    form = ActivityForm(request.POST or None, instance=activity, plan=plan)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or -1
        call = partial(
            services.activity_update,
            activity=activity,
            fields=form.columns(),
            version=version,
            by=request.user,
        )
        if run_service(request, form, call):
            messages.success(request, _("Activity saved."))
            return redirect(reverse("planning:plan-detail", args=[plan.pk]) + "#activities")
    context = {
        "plan": plan,
        "activity": activity,
        "form": form,
        "efforts": EFFORTS,
        "title": documents.plan_title(plan),
        "origin": documents.origin_text(activity),
    }
    return render(request, "planning/activity_form.html", context)


@login_required
@require_POST
def activity_delete(request, pk):
    activity = _activity(request, pk)
    _require_writer(request, activity.plan)
    if run_service(
        request, None, partial(services.activity_delete, activity=activity, by=request.user)
    ):
        messages.success(request, _("Activity deleted."))
    return redirect(reverse("planning:plan-detail", args=[activity.plan_id]) + "#activities")


urlpatterns = [
    path("plans/<int:pk>/sources/", plan_sources, name="plan-sources"),
    path("plans/<int:pk>/activities/new/", activity_create, name="activity-create"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", activity_delete, name="activity-delete"),
]
