"""A district planner computes a quarter now, and follows the job's progress (issue #5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.models import District
from kernel.scoping import get_in_area_or_404
from kernel.services import jobs
from kernel.web import redirect_next

from .. import services
from ..models import AggregationRun
from ..rights import can_review_report


@login_required
@require_POST
def aggregation_start(request, pk):
    district = get_in_area_or_404(District, request.user, pk=pk)
    try:
        year, quarter = int(request.POST["year"]), int(request.POST["quarter"])
        run = services.aggregation_start(
            year=year, quarter=quarter, district=district, by=request.user
        )
    except (KeyError, ValueError):
        messages.error(request, _("Choose a year and a quarter."))
        return redirect_next(request, "indicators:report-list")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect_next(request, "indicators:report-list")
    return redirect("indicators:aggregation-detail", pk=run.pk)


@login_required
def aggregation_detail(request, pk):
    run = get_in_area_or_404(
        AggregationRun.objects.select_related("district", "requested_by"), request.user, pk=pk
    )
    if jobs.job_overdue(run):  # its worker died: never show "working" past the job's limit
        jobs.jobs_sweep()
        run.refresh_from_db()
    finished = run.status in (AggregationRun.Status.DONE, AggregationRun.Status.FAILED)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": run.status,
                "label": run.get_status_display(),
                "done": run.done,
                "total": run.total,
                "percent": run.percent,
                "finished": finished,
            }
        )
    can_retry = (
        run.status == AggregationRun.Status.FAILED
        and run.district_id is not None
        and can_review_report(request.user, run)
    )
    context = {"run": run, "finished": finished, "can_retry": can_retry}
    return render(request, "indicators/aggregationrun_detail.html", context)


urlpatterns = [
    path("quarterly/compute/<int:pk>/", aggregation_start, name="aggregation-start"),
    path("quarterly/runs/<int:pk>/", aggregation_detail, name="aggregation-detail"),
]
