"""The meeting list, create and edit, the meeting hub and its status actions (issue #6,
"Before"). Everyone in the area reads; the organisers (`rights.can_manage_meeting`) write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.tables import Col, Table, table_page
from kernel.versioning import create_once

from ... import documents
from ...forms.meetings import MeetingFilter, MeetingForm
from ...models import Meeting
from ...rights import can_follow_up, can_manage_meeting, creatable_kinds
from ...selectors import meetings as read
from ...selectors.followups import open_items_for
from ...services import meetings as write
from .base import call, manager_only, meeting_in_area


def _status_badge(meeting: Meeting) -> str:
    return {"closed": "text-bg-success", "held": "text-bg-primary"}.get(
        meeting.status, "text-bg-light border"
    )


def _kind(meeting: Meeting) -> str:
    kind = meeting.get_kind_display()
    return f"{kind} · {_('team forming')}" if meeting.is_team_forming else kind


MEETING_TABLE = Table(
    filename="meetings.xlsx",
    sheet=gettext_lazy("Meetings"),
    empty=gettext_lazy("No meeting in your area matches."),
    columns=[
        Col(gettext_lazy("Date"), "held_on", format="date"),
        Col(
            gettext_lazy("Title"),
            "title",
            wrap=True,
            link=lambda m: reverse("workshops:meeting-detail", args=[m.pk]),
        ),
        Col(gettext_lazy("Kind"), _kind, phone=False),
        Col(gettext_lazy("Held by"), "owner.name", phone=False),
        Col(gettext_lazy("Place"), "place", phone=False, wrap=True),
        Col(gettext_lazy("Status"), "get_status_display", badge=_status_badge),
        Col(gettext_lazy("Participants"), "participant_count", format="number"),
        Col(gettext_lazy("Attended"), "attended_count", format="number", phone=False),
        Col(gettext_lazy("RTL items"), "follow_up_count", format="number", phone=False),
        Col(
            gettext_lazy("Open items"),
            lambda m: m.open_follow_up_count + m.open_commitment_count,
            format="number",
        ),
    ],
)


@login_required
def meeting_list(request):
    filters = MeetingFilter(request.GET or None, years=read.meeting_years(user=request.user))
    rows = read.meeting_list(
        user=request.user,
        kind=filters.value("kind"),
        year=filters.value("year", None),
        status=filters.value("status"),
    )
    creatable = [(k, Meeting.Kind(k).label) for k in creatable_kinds(request.user)]
    context = {"filters": filters, "creatable": creatable}
    return table_page(
        request,
        table=MEETING_TABLE,
        rows=rows,
        template="workshops/meeting_list.html",
        context=context,
    )


@login_required
def meeting_create(request):
    kinds = creatable_kinds(request.user)
    if not kinds:
        raise PermissionDenied(_("Your role does not organise meetings."))
    kind = request.GET.get("kind") if request.GET.get("kind") in kinds else kinds[0]
    initial = read.meeting_initial(user=request.user, kind=kind)
    hint = write.default_title(kind=kind, held_on=initial["held_on"])
    team = (
        _("Suggested: no lokmin of this kind yet this year.") if initial["is_team_forming"] else ""
    )
    form = MeetingForm(
        request.POST or None, kinds=kinds, initial=initial, title_hint=hint, team_hint=team
    )
    if request.method == "POST" and form.is_valid():
        done, meeting = call(
            request,
            form,
            create_once,
            token=form.cleaned_data.get("form_token"),
            by=request.user,
            create=lambda: write.meeting_create(by=request.user, data=form.cleaned_data),
            model=Meeting,
        )
        if done:
            messages.success(request, _("Meeting created: now invite the participants."))
            return redirect("workshops:meeting-detail", pk=meeting.pk)
    return render(request, "workshops/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request, pk):
    meeting = meeting_in_area(request, pk)
    manager_only(request, meeting)
    kinds = [
        kind
        for kind, level in Meeting.LEVEL_OF_KIND.items()
        if level == meeting.level
        and (kind in creatable_kinds(request.user) or kind == meeting.kind)
    ]
    initial = {**model_to_dict(meeting, fields=write.MEETING_FIELDS), "version": meeting.version}
    hint = write.default_title(kind=meeting.kind, held_on=meeting.held_on, format=meeting.format)
    form = MeetingForm(request.POST or None, kinds=kinds, initial=initial, title_hint=hint)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = data.get("version")
        done, __ = call(
            request,
            form,
            write.meeting_update,
            meeting=meeting,
            by=request.user,
            version=version,
            data=data,
        )
        if done:
            messages.success(request, _("Meeting saved."))
            return redirect("workshops:meeting-detail", pk=meeting.pk)
    return render(request, "workshops/meeting_form.html", {"form": form, "meeting": meeting})


def _status_action(request, pk, service, done: str):
    meeting = meeting_in_area(request, pk)
    manager_only(request, meeting)
    if call(request, None, service, meeting=meeting, by=request.user)[0]:
        messages.success(request, done)
    return redirect("workshops:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_hold(request, pk):
    return _status_action(request, pk, write.meeting_mark_held, _("Meeting marked as held."))


@login_required
@require_POST
def meeting_close(request, pk):
    return _status_action(request, pk, write.meeting_close, _("Meeting closed."))


@login_required
@require_POST
def meeting_reopen(request, pk):
    return _status_action(request, pk, write.meeting_reopen, _("Meeting reopened."))


@login_required
@require_POST
def meeting_delete(request, pk):
    meeting = meeting_in_area(request, pk)
    manager_only(request, meeting)
    if call(request, None, write.meeting_delete, meeting=meeting, by=request.user)[0]:
        messages.success(request, _("Meeting deleted."))
        return redirect("workshops:meeting-list")
    return redirect("workshops:meeting-detail", pk=meeting.pk)


@login_required
def meeting_detail(request, pk):
    meeting = read.meeting_get(user=request.user, pk=pk)
    head = documents.letterhead(meeting)
    context = {
        "meeting": meeting,
        "open_items": open_items_for(user=request.user, meeting=meeting),
        "can_manage": can_manage_meeting(request.user, meeting),
        "can_follow_up": can_follow_up(request.user, meeting),
        "whatsapp": documents.whatsapp_link(documents.whatsapp_text(meeting, head)),
        "agenda": documents.agenda_items(meeting),
        "time_range": documents.time_range(meeting),
    }
    return render(request, "workshops/meeting_detail.html", context)
