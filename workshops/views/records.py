"""After the meeting (issue #6, item 4): minutes, photos, the joint agreement and its signed scan,
and the status of RTL items and commitments across quarters. Files are never public: every one
is served here, after the area check.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kernel.scoping import get_in_area_or_404
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.versioning import create_once
from kernel.views.exports import export_offer
from kernel.web import export, run_service, wants_xlsx

from .. import agreement as documents
from .. import exports
from ..forms.records import (
    MinutesForm,
    PhotoCaptionForm,
    PhotoUploadForm,
    ScanUploadForm,
    StatusChangeForm,
)
from ..images import is_pdf_name
from ..models import Commitment, FollowUp, Meeting, Photo
from ..rights import can_follow_up, can_manage_meeting
from ..selectors import records as selectors
from ..services import records as services
from ..services import tracking

MEETING_RELATED = ("puskesmas__subdistrict", "district", "province", "signed_agreement_by")


def _meeting(request, pk) -> Meeting:
    return get_in_area_or_404(Meeting.objects.select_related(*MEETING_RELATED), request.user, pk=pk)


def _posted(request) -> tuple:
    """(data, files) of a POST, even an empty one, so the form is bound; (None, None) on GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _wants_pdf(request) -> bool:
    return request.GET.get("format") == "pdf"


def _download(content: bytes, *, filename: str, content_type: str):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _serve(request, file, *, filename: str) -> FileResponse:
    """A stored file, to the user who passed the area check; shown unless ?download is asked."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment="download" in request.GET, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Minutes ------------------------------------------------------------------------------------


@login_required
def meeting_minutes(request, pk):
    meeting = _meeting(request, pk)
    if _wants_pdf(request):  # made by an export job (workshops/exports.py)
        return export_offer(
            request,
            kind=exports.MINUTES_PDF,
            params={"meeting": meeting.pk},
            file_name=f"notulen-{meeting.pk}-{meeting.held_on:%Y%m%d}.pdf",
            title=_("Minutes: %(meeting)s") % {"meeting": meeting.title},
        )
    may_edit = can_manage_meeting(request.user, meeting)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    attended = selectors.attended_count(user=request.user, meeting=meeting)
    initial = {
        "minutes": meeting.minutes,
        "agreement_text": meeting.agreement_text,
        "version": meeting.version,
    }
    form = MinutesForm(
        *_posted(request)[:1], initial=initial, agreement_signed=bool(meeting.signed_agreement)
    )
    if form.is_valid() and run_service(
        request,
        form,
        lambda: services.meeting_minutes_save(
            meeting=meeting, by=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Minutes and agreement text saved."))
        return redirect("workshops:meeting-minutes", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "form": form,
        "may_edit": may_edit and meeting.status != Meeting.Status.CLOSED,
        "attended_count": attended,
    }
    return render(request, "workshops/minutes_form.html", context)


# --- Photos -------------------------------------------------------------------------------------


@login_required
def meeting_photos(request, pk):
    meeting = _meeting(request, pk)
    may_edit = can_manage_meeting(request.user, meeting)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    form = PhotoUploadForm(*_posted(request))
    if form.is_valid():
        uploads, caption = form.cleaned_data["images"], form.cleaned_data["caption"]
        added = []

        def store() -> Photo:
            added.extend(
                services.photos_add(
                    meeting=meeting, uploads=uploads, caption=caption, by=request.user
                )
            )
            return added[0]

        # Once per form token: a repeated upload post stores the photos no second time.
        if run_service(
            request,
            form,
            lambda: create_once(
                token=form.cleaned_data["form_token"], by=request.user, create=store, model=Photo
            ),
        ):
            count = len(added)
            if count:
                text = ngettext("%(count)s photo added.", "%(count)s photos added.", count)
                messages.success(request, text % {"count": count})
            else:
                messages.success(request, _("These photos were added already."))
            return redirect("workshops:meeting-photos", pk=meeting.pk)
    photos = selectors.photo_list(user=request.user, meeting=meeting)
    context = {"meeting": meeting, "form": form, "photos": photos, "may_edit": may_edit}
    return render(request, "workshops/photo_list.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def photo_edit(request, pk):
    photo = get_in_area_or_404(Photo.objects.select_related("meeting"), request.user, pk=pk)
    if not can_manage_meeting(request.user, photo.meeting):
        raise PermissionDenied
    form = PhotoCaptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("caption", [])))
    elif run_service(
        request,
        None,
        lambda: services.photo_caption_save(
            photo=photo,
            caption=form.cleaned_data["caption"],
            by=request.user,
            version=form.cleaned_data["version"],
        ),
    ):
        messages.success(request, _("Caption saved."))
    return redirect("workshops:meeting-photos", pk=photo.meeting_id)


@login_required
@require_POST
def photo_delete(request, pk):
    photo = get_in_area_or_404(Photo.objects.select_related("meeting"), request.user, pk=pk)
    if not can_manage_meeting(request.user, photo.meeting):
        raise PermissionDenied
    meeting_pk = photo.meeting_id
    if run_service(request, None, lambda: services.photo_delete(photo=photo, by=request.user)):
        messages.success(request, _("Photo deleted."))
    return redirect("workshops:meeting-photos", pk=meeting_pk)


@login_required
def photo_file(request, pk):
    photo = get_in_area_or_404(Photo, request.user, pk=pk)
    return _serve(request, photo.image, filename=f"foto-{photo.meeting_id}-{photo.pk}.jpg")


@login_required
def photo_thumb(request, pk):
    photo = get_in_area_or_404(Photo, request.user, pk=pk)
    return _serve(request, photo.thumbnail, filename=f"foto-{photo.meeting_id}-{photo.pk}-t.jpg")


# --- Joint agreement ----------------------------------------------------------------------------


def _agreement_page(request, meeting: Meeting, scan_form: ScanUploadForm, *, status: int = 200):
    agreement = selectors.agreement_get(user=request.user, meeting=meeting)
    context = {
        "meeting": meeting,
        "agreement": agreement,
        "scan_form": scan_form,
        "may_edit": can_manage_meeting(request.user, meeting),
        "scan_is_pdf": is_pdf_name(meeting.signed_agreement.name),
    }
    return render(request, "workshops/agreement_detail.html", context, status=status)


@login_required
def meeting_agreement(request, pk):
    meeting = _meeting(request, pk)
    if _wants_pdf(request):  # made by an export job (workshops/exports.py)
        return export_offer(
            request,
            kind=exports.AGREEMENT_PDF,
            params={"meeting": meeting.pk},
            file_name=documents.agreement_filename(meeting, "pdf"),
            title=_("Joint agreement: %(meeting)s") % {"meeting": meeting.title},
        )
    if wants_xlsx(request):
        agreement = selectors.agreement_get(user=request.user, meeting=meeting)
        name = documents.agreement_filename(meeting, "xlsx")
        xlsx = documents.agreement_xlsx(agreement)
        return _download(xlsx, filename=name, content_type=XLSX_CONTENT_TYPE)
    return _agreement_page(request, meeting, ScanUploadForm())


@login_required
@require_POST
def agreement_upload(request, pk):
    meeting = _meeting(request, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = ScanUploadForm(request.POST, request.FILES)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: services.agreement_scan_upload(
            meeting=meeting, uploads=form.cleaned_data["scan"], by=request.user
        ),
    ):
        messages.success(request, _("Signed agreement uploaded."))
        return redirect("workshops:meeting-agreement", pk=meeting.pk)
    return _agreement_page(request, meeting, form, status=400)


@login_required
def agreement_scan(request, pk):
    meeting = _meeting(request, pk)
    extension = "pdf" if is_pdf_name(meeting.signed_agreement.name) else "jpg"
    name = f"kesepakatan-{meeting.pk}-ttd.{extension}"
    return _serve(request, meeting.signed_agreement, filename=name)


# --- Status of RTL items and commitments --------------------------------------------------------


def _reviewing_meeting(request) -> Meeting | None:
    """The later meeting the change is made from (?reviewed_in=<pk>), inside the user's area."""
    pk = request.GET.get("reviewed_in")
    return get_in_area_or_404(Meeting, request.user, pk=pk) if pk else None


def _history_xlsx(history, *, filename: str):
    return export(
        filename=filename,
        sheet=_("Status history"),
        headers=[
            _("When"),
            _("By"),
            _("Old status"),
            _("New status"),
            _("Note"),
            _("Evidence file"),
            _("Reviewed in"),
        ],
        rows=history,
        row=lambda u: [
            u.at.replace(tzinfo=None),
            u.by.get_full_name() or u.by.username,
            u.get_old_status_display(),
            u.get_new_status_display(),
            u.note,
            _("Yes") if u.evidence else "",
            str(u.reviewed_in) if u.reviewed_in else "",
        ],
    )


def _item_status(request, item: FollowUp | Commitment, *, kind: str):
    reviewed_in = _reviewing_meeting(request)
    history = selectors.item_history(item=item)
    if wants_xlsx(request):
        return _history_xlsx(history, filename=f"status-{kind}-{item.pk}.xlsx")
    may_change = can_follow_up(request.user, item.meeting)
    if request.method == "POST" and not may_change:
        raise PermissionDenied
    statuses = tracking.next_statuses(item)
    form = StatusChangeForm(*_posted(request), statuses=statuses)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: tracking.item_status_change(
            item=item, reviewed_in=reviewed_in, by=request.user, **form.cleaned_data
        ),
    ):
        messages.success(
            request, _("Status changed to %(status)s.") % {"status": item.get_status_display()}
        )
        if reviewed_in is not None:
            return redirect("workshops:meeting-detail", pk=reviewed_in.pk)
        return redirect(request.get_full_path())
    context = {
        "item": item,
        "kind": kind,
        "history": history,
        "form": form,
        "may_change": may_change and bool(statuses),
        "reviewed_in": reviewed_in,
    }
    status = 400 if form.errors else 200
    return render(request, "workshops/item_status.html", context, status=status)


@login_required
def followup_status(request, pk):
    related = ("meeting__puskesmas", "meeting__district", "problem", "partner")
    item = get_in_area_or_404(FollowUp.objects.select_related(*related), request.user, pk=pk)
    return _item_status(request, item, kind="rtl")


@login_required
def commitment_status(request, pk):
    related = ("meeting__puskesmas", "meeting__district", "partner")
    item = get_in_area_or_404(Commitment.objects.select_related(*related), request.user, pk=pk)
    return _item_status(request, item, kind="commitment")


@login_required
def evidence_file(request, pk):
    # A StatusUpdate reaches its area through its item (selectors.status_updates_in_area).
    update = get_object_or_404(selectors.status_updates_in_area(request.user), pk=pk)
    extension = "pdf" if is_pdf_name(update.evidence.name) else "jpg"
    return _serve(request, update.evidence, filename=f"bukti-{update.pk}.{extension}")


urlpatterns = [
    path("<int:pk>/minutes/", meeting_minutes, name="meeting-minutes"),
    path("<int:pk>/photos/", meeting_photos, name="meeting-photos"),
    path("photos/<int:pk>/caption/", photo_edit, name="photo-edit"),
    path("photos/<int:pk>/delete/", photo_delete, name="photo-delete"),
    path("photos/<int:pk>/file/", photo_file, name="photo-file"),
    path("photos/<int:pk>/thumb/", photo_thumb, name="photo-thumb"),
    path("<int:pk>/agreement/", meeting_agreement, name="meeting-agreement"),
    path("<int:pk>/agreement/upload/", agreement_upload, name="agreement-upload"),
    path("<int:pk>/agreement/scan/", agreement_scan, name="agreement-scan"),
    path("rtl/<int:pk>/status/", followup_status, name="followup-status"),
    path("commitments/<int:pk>/status/", commitment_status, name="commitment-status"),
    path("status/<int:pk>/evidence/", evidence_file, name="evidence-file"),
]
