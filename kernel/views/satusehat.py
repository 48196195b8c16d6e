"""SATUSEHAT master data pages (issue #19): a district's facility proposals (accept or
reject, each or all), its credentials and the fetch, the facilities and regions uploads, and
the demo sample."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import District, FacilityProposal, ImportJob, SatusehatConnection
from ..roles import is_system_admin
from ..satusehat import facilities, services
from ..satusehat.forms import ConnectionForm, JsonUploadForm
from ..satusehat.rights import can_keep_satusehat, can_see_satusehat
from ..scoping import get_in_area_or_404, in_area
from ..web import paginate, run_service
from .imports import start_import

SAMPLE = "facilities-demo.json"


def _district(request) -> District | None:
    """The district the page is about: the user's own, or (province, admin) ?district=."""
    if not can_see_satusehat(request.user):
        raise PermissionDenied
    if request.user.district_id and not is_system_admin(request.user):
        return request.user.district
    wanted = request.GET.get("district") or request.POST.get("district")
    if not wanted or not str(wanted).isdigit() or len(str(wanted)) > 9:
        return None
    return get_in_area_or_404(District.objects.select_related("province"), request.user, pk=wanted)


def _back(district: District) -> str:
    return reverse("kernel:satusehat") + f"?district={district.pk}"


@login_required
def proposal_list(request):
    district = _district(request)
    if district is None:
        districts = in_area(District.objects.select_related("province"), request.user)
        return render(request, "kernel/satusehat/choose.html", {"districts": districts})
    proposals = (
        FacilityProposal.objects.filter(district=district)
        .exclude(status=FacilityProposal.Status.SUPERSEDED)
        .select_related("puskesmas", "decided_by")
        .order_by("status", "kind", "name", "pk")
    )
    context = {
        "district": district,
        **paginate(request, proposals),
        "pending": proposals.filter(status=FacilityProposal.Status.PENDING).count(),
        "can_keep": can_keep_satusehat(request.user, district),
        "connection": SatusehatConnection.objects.filter(district=district).first(),
        "last_job": ImportJob.objects.filter(
            kind=ImportJob.Kind.SATUSEHAT_FACILITIES, district=district
        )
        .order_by("-created_at")
        .first(),
        "form": JsonUploadForm(),
    }
    return render(request, "kernel/satusehat/proposal_list.html", context)


def _decide(request, pk, decide, done_message):
    proposal = get_in_area_or_404(
        FacilityProposal.objects.select_related("district", "puskesmas"), request.user, pk=pk
    )
    if not can_keep_satusehat(request.user, proposal.district):
        raise PermissionDenied
    if run_service(request, None, lambda: decide(proposal=proposal, by=request.user)):
        messages.success(request, done_message % {"name": proposal.name})
    return redirect(_back(proposal.district))


@login_required
@require_POST
def proposal_accept(request, pk):
    return _decide(request, pk, facilities.proposal_accept, _("%(name)s: accepted and applied."))


@login_required
@require_POST
def proposal_reject(request, pk):
    return _decide(request, pk, facilities.proposal_reject, _("%(name)s: rejected."))


@login_required
@require_POST
def proposal_accept_all(request):
    district = _district(request)
    if district is None:
        raise Http404
    if not can_keep_satusehat(request.user, district):
        raise PermissionDenied
    done, refused = facilities.proposals_accept_all(district=district, by=request.user)
    messages.success(request, _("%(count)s proposals accepted and applied.") % {"count": done})
    for refusal in refused[:20]:
        messages.error(request, refusal)
    return redirect(_back(district))


@login_required
@require_POST
def facilities_import(request):
    district = _district(request)
    if district is None or not can_keep_satusehat(request.user, district):
        raise PermissionDenied
    form = JsonUploadForm(request.POST, request.FILES)
    if form.is_valid():
        started = start_import(
            request,
            form,
            kind=ImportJob.Kind.SATUSEHAT_FACILITIES,
            params={"district": district.pk},
        )
        if started:
            return started
    for error in [*form.non_field_errors(), *form.errors.get("file", [])]:
        messages.error(request, error)
    return redirect(_back(district))


@login_required
def connection_edit(request):
    district = _district(request)
    if district is None or not can_keep_satusehat(request.user, district):
        raise PermissionDenied
    connection = SatusehatConnection.objects.filter(district=district).first()
    initial = (
        {"base_url": connection.base_url, "client_id": connection.client_id} if connection else {}
    )
    form = ConnectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.connection_save(
                district=district, by=request.user, **form.cleaned_data
            ),
        ):
            messages.success(request, _("SATUSEHAT credentials saved."))
            return redirect(_back(district))
    context = {"form": form, "district": district, "connection": connection}
    return render(request, "kernel/satusehat/connection_form.html", context)


@login_required
@require_POST
def fetch(request):
    district = _district(request)
    if district is None or not can_keep_satusehat(request.user, district):
        raise PermissionDenied
    try:
        job = services.fetch_start(district=district, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(district))
    return redirect("kernel:importjob-detail", pk=job.pk)


@login_required
def regions_import(request):
    if not is_system_admin(request.user):
        raise PermissionDenied
    form = JsonUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(request, form, kind=ImportJob.Kind.SATUSEHAT_REGIONS)
        if started:
            return started
    return render(request, "kernel/satusehat/regions_import.html", {"form": form})


@login_required
def sample(request):
    """The demo district's facilities in the endpoint's shape: "try with the sample"."""
    if not can_see_satusehat(request.user):
        raise PermissionDenied
    from ..satusehat import SAMPLE_DIR

    return FileResponse(
        (SAMPLE_DIR / SAMPLE).open("rb"),
        as_attachment=True,
        filename=SAMPLE,
        content_type="application/json",
    )


urlpatterns = [
    path("organisation/satusehat/", proposal_list, name="satusehat"),
    path("organisation/satusehat/<int:pk>/accept/", proposal_accept, name="satusehat-accept"),
    path("organisation/satusehat/<int:pk>/reject/", proposal_reject, name="satusehat-reject"),
    path("organisation/satusehat/accept-all/", proposal_accept_all, name="satusehat-accept-all"),
    path("organisation/satusehat/import/", facilities_import, name="satusehat-import"),
    path("organisation/satusehat/credentials/", connection_edit, name="satusehat-credentials"),
    path("organisation/satusehat/fetch/", fetch, name="satusehat-fetch"),
    path("organisation/satusehat/regions/", regions_import, name="satusehat-regions"),
    path("organisation/satusehat/sample/", sample, name="satusehat-sample"),
]
