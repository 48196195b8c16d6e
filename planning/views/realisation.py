"""Realisation of a plan's schedule (issue #16, the e-SPM report's part C): a page per plan and
month with the month's scheduled activities as cards (done / not done, cost realised, note),
each saved on its own without JS, and taken back to "not yet reported" while the year is open."""

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
from kernel.web import run_service

from .. import documents, rights, services
from ..forms import RealisationForm, UndoForm
from ..models import Plan, ScheduleEntry
from ..selectors import budget as selectors
from .common import number


def _page(request, plan: Plan, month: int, bound: RealisationForm | None = None):
    data = selectors.realisation_month(plan=plan, month=month)
    can_realise = rights.can_realise(request.user, plan) and data.is_started
    cards = []
    for entry in data.entries:
        form = None
        if can_realise:
            form = bound if bound is not None and bound.entry.pk == entry.pk else None
            form = form or RealisationForm(entry=entry)
        cards.append((entry, form))
    context = {
        "plan": plan,
        "data": data,
        "cards": cards,
        "title": documents.plan_title(plan),
        "can_realise": can_realise,
        "is_writer": rights.can_realise(request.user, plan),
        "year_open": selectors.year_is_open(plan.year),
        "has_rpk": plan.is_dinkes or plan.is_approved,
    }
    return render(request, "planning/realisation_month.html", context)


@login_required
def realisation_month(request, pk):
    plans = selectors.readable_plans(user=request.user)
    plan = get_in_area_or_404(plans, request.user, pk=pk)
    month = number(request, "month", None, 1, 12) or selectors.default_month(plan.year)
    return _page(request, plan, month)


def _entry(request, pk) -> ScheduleEntry:
    visible = ScheduleEntry.objects.select_related(
        "activity__plan__district", "activity__plan__puskesmas"
    )
    entry = get_in_area_or_404(visible, request.user, pk=pk)
    if not rights.is_plan_writer(request.user, entry.activity.plan):
        raise PermissionDenied
    return entry


def _back(entry: ScheduleEntry):
    url = reverse("planning:realisation", args=[entry.activity.plan_id])
    return redirect(f"{url}?month={entry.month}#entry-{entry.pk}")


@login_required
@require_POST
def realisation_save(request, pk):
    entry = _entry(request, pk)
    form = RealisationForm(request.POST, entry=entry)
    if form.is_valid():
        data = form.cleaned_data
        call = partial(
            services.realisation_record,
            entry=entry,
            realisation=data["realisation"],
            cost_realised_idr=data["cost_realised_idr"],
            note=data["realisation_note"],
            version=data["version"],
            by=request.user,
        )
        if run_service(request, form, call):
            messages.success(
                request,
                _("%(activity)s: %(month)s saved as %(realisation)s.")
                % {
                    "activity": entry.activity.name,
                    "month": entry.month_name,
                    "realisation": str(entry.get_realisation_display()).lower(),
                },
            )
            return _back(entry)
    entry.refresh_from_db()
    messages.error(request, _("Not saved: see the activity's card below."))
    return _page(request, entry.activity.plan, entry.month, bound=form)


@login_required
@require_POST
def realisation_undo(request, pk):
    entry = _entry(request, pk)
    form = UndoForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    call = partial(services.realisation_undo, entry=entry, version=version, by=request.user)
    if run_service(request, None, call):
        messages.success(
            request,
            _("%(activity)s: %(month)s is not yet reported again.")
            % {"activity": entry.activity.name, "month": entry.month_name},
        )
    return _back(entry)


urlpatterns = [
    path("plans/<int:pk>/realisation/", realisation_month, name="realisation"),
    path("schedule/<int:pk>/realisation/", realisation_save, name="realisation-save"),
    path("schedule/<int:pk>/realisation/undo/", realisation_undo, name="realisation-undo"),
]
