"""The implementation plan (RPK) of an approved RUK: each activity's months, a month's view for
the monthly lokmin, and adding or removing schedule entries (page, .xlsx, PDF)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.scoping import get_in_area_or_404
from kernel.versioning import create_once
from kernel.views.exports import export_offer
from kernel.web import run_service, wants_xlsx

from .. import documents, exports, rights, selectors, services
from ..forms import ScheduleForm
from ..models import Activity, Plan, ScheduleEntry
from .common import download, number, wants_pdf


def _rpk_page(request, plan: Plan, *, month: int | None, bound: ScheduleForm | None = None):
    rpk = selectors.rpk_get(plan=plan, month=month)
    can_schedule = rights.can_schedule(request.user, plan)
    forms = {}
    if can_schedule:
        for line in rpk.lines:
            prefix = f"a{line.activity.pk}"
            forms[line.activity.pk] = (
                bound
                if bound is not None and bound.prefix == prefix
                else ScheduleForm(prefix=prefix)
            )
    context = {
        "plan": plan,
        "rpk": rpk,
        "lines": [(line, forms.get(line.activity.pk)) for line in rpk.lines],
        "title": documents.plan_title(plan),
        "can_schedule": can_schedule,
        "month_choices": [(m.month, m.name) for m in rpk.months],
    }
    return render(request, "planning/rpk_detail.html", context)


@login_required
def rpk_detail(request, pk):
    plan = get_in_area_or_404(selectors.plans_visible(user=request.user), request.user, pk=pk)
    month = number(request, "month", None, 1, 12)
    has_rpk = plan.is_approved or plan.is_dinkes  # the Dinkes plan is not reviewed
    if has_rpk and wants_pdf(request):  # made by an export job (planning/exports.py)
        return export_offer(
            request,
            kind=exports.RPK_PDF,
            params={"plan": plan.pk},
            file_name=documents.plan_filename(plan, "rpk", "pdf"),
            title=_("RPK: %(plan)s") % {"plan": documents.plan_title(plan)},
        )
    if has_rpk and wants_xlsx(request):  # one plan's schedule: made in the request
        rpk = selectors.rpk_get(plan=plan)
        content = documents.rpk_xlsx(rpk)
        return download(content, filename=documents.plan_filename(plan, "rpk", "xlsx"))
    if not has_rpk:
        context = {"plan": plan, "title": documents.plan_title(plan), "not_ready": True}
        return render(request, "planning/rpk_detail.html", context)
    return _rpk_page(request, plan, month=month)


def _activity(request, pk) -> Activity:
    visible = Activity.objects.select_related("plan__district", "plan__puskesmas")
    return get_in_area_or_404(visible, request.user, pk=pk)


@login_required
@require_POST
def schedule_create(request, pk):
    activity = _activity(request, pk)
    plan = activity.plan
    if not rights.is_plan_writer(request.user, plan):
        raise PermissionDenied
    form = ScheduleForm(request.POST, prefix=f"a{activity.pk}")
    if form.is_valid():
        data = form.cleaned_data
        add = partial(
            services.schedule_add,
            activity=activity,
            month=data["month"],
            cost_idr=data["cost_idr"] or 0,
            volume=data["volume"],
            location=data["location"],
            details=data["details"],
            by=request.user,
        )
        token = data.get("form_token")
        call = partial(create_once, token=token, by=request.user, model=ScheduleEntry, create=add)
        if run_service(request, form, call):
            messages.success(
                request,
                _("%(activity)s scheduled in %(month)s.")
                % {
                    "activity": activity.name,
                    "month": dict(form.fields["month"].choices)[data["month"]],
                },
            )
            url = reverse("planning:rpk-detail", args=[plan.pk])
            return redirect(f"{url}#activity-{activity.pk}")
    messages.error(request, _("The entry was not saved: see the activity's form below."))
    return _rpk_page(request, plan, month=None, bound=form)


@login_required
@require_POST
def schedule_delete(request, pk):
    visible = ScheduleEntry.objects.select_related("activity__plan")
    entry = get_in_area_or_404(visible, request.user, pk=pk)
    plan = entry.activity.plan
    if not rights.is_plan_writer(request.user, plan):
        raise PermissionDenied
    if run_service(request, None, partial(services.schedule_delete, entry=entry, by=request.user)):
        messages.success(request, _("Schedule entry removed."))
    url = reverse("planning:rpk-detail", args=[plan.pk])
    return redirect(f"{url}#activity-{entry.activity_id}")


urlpatterns = [
    path("plans/<int:pk>/rpk/", rpk_detail, name="rpk-detail"),
    path("activities/<int:pk>/schedule/", schedule_create, name="schedule-create"),
    path("schedule/<int:pk>/delete/", schedule_delete, name="schedule-delete"),
]
