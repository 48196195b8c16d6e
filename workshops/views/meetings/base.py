"""Helpers shared by the meeting pages: scoping the meeting, the organisers-only check, running
a service, and sending a file."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _

from kernel.scoping import get_in_area_or_404
from kernel.web import run_service

from ...models import Meeting
from ...rights import can_manage_meeting

MEETING = Meeting.objects.select_related(
    "puskesmas__subdistrict", "district__health_office", "province"
)


def meeting_in_area(request, pk) -> Meeting:
    return get_in_area_or_404(MEETING, request.user, pk=pk)


def manager_only(request, meeting: Meeting) -> None:
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied(_("Only the organisers of this meeting can change it."))


def download(content: bytes, *, filename: str, content_type: str, inline: bool = False):
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def pdf(request, builder, document, name: str):
    content = builder(document, base_url=request.build_absolute_uri("/"))
    return download(content, filename=f"{name}.pdf", content_type="application/pdf", inline=True)


def call(request, form, service, **kwargs) -> tuple[bool, object]:
    """Run a service through `run_service` (refusals go onto the form or into a message):
    (done, what it returned)."""
    result = []
    done = run_service(request, form, lambda: result.append(service(**kwargs)))
    return done, result[0] if done else None
