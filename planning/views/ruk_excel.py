"""A plan's activities in Excel: download the template (the plan's activities, ready to fill in)
and import a filled one (adds new rows, updates the plan's activities by their ID) as an
ImportJob of the one import pipeline (planning/importers.py), followed on the job's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from kernel.forms import UploadForm
from kernel.models import ImportJob
from kernel.scoping import get_in_area_or_404
from kernel.views.imports import start_import

from .. import documents, rights, selectors, services
from ..models import Plan
from .common import download


def _writable_plan(request, pk) -> Plan | None:
    """The plan (404 outside the user's area, 403 for users who never write it), or None with
    a message when it is not open for changes now (submitted or approved)."""
    plan = get_in_area_or_404(selectors.plans_visible(user=request.user), request.user, pk=pk)
    if not rights.is_plan_writer(request.user, plan):
        raise PermissionDenied
    if not rights.can_edit_plan(request.user, plan):
        messages.error(request, _("This RUK is submitted or approved: it cannot be changed now."))
        return None
    return plan


@login_required
def ruk_template(request, pk):
    plan = _writable_plan(request, pk)
    if plan is None:
        return redirect("planning:plan-detail", pk=pk)
    content = services.ruk_template(plan=plan)
    return download(content, filename=documents.plan_filename(plan, "ruk-template", "xlsx"))


@login_required
def ruk_import(request, pk):
    """Upload a filled template: it is imported as a job (its page follows it to the end)."""
    plan = _writable_plan(request, pk)
    if plan is None:
        return redirect("planning:plan-detail", pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(
            request, form, kind=ImportJob.Kind.RUK_ACTIVITIES, params={"plan": plan.pk}
        )
        if started is not None:
            return started
    context = {"plan": plan, "form": form, "title": documents.plan_title(plan)}
    return render(request, "planning/ruk_import.html", context)


urlpatterns = [
    path("plans/<int:pk>/excel/template/", ruk_template, name="ruk-template"),
    path("plans/<int:pk>/excel/import/", ruk_import, name="ruk-import"),
]
