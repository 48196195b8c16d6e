"""The meeting list, create and edit, the meeting hub and its status actions (issue #6,
"Before"). Everyone in the area reads; the organisers (`rights.can_manage_meeting`) write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.versioning import create_once
from indicators.web import export, paginate, query_year, wants_xlsx

from ... import documents
from ...forms.meetings import MeetingForm
from ...models import Meeting
from ...rights import can_follow_up, can_manage_meeting, creatable_kinds
from ...selectors import meetings as read
from ...selectors.followups import open_items_for
from ...services import meetings as write
from .base import call, choice, manager_only, meeting_in_area


@login_required
def meeting_list(request):
    kind = choice(request, "kind", Meeting.Kind.values)
    status = choice(request, "status", Meeting.Status.values)
    years = read.meeting_years(user=request.user)
    year = query_year(request, default=0) or None  # none given, or a malformed one: all years
    meetings = read.meeting_list(user=request.user, kind=kind, year=year, status=status)
    if wants_xlsx(request):
        return export(
            filename="meetings.xlsx",
            sheet=_("Meetings"),
            headers=[
                _("Date"),
                _("Title"),
                _("Kind"),
                _("Held by"),
                _("Place"),
                _("Status"),
                _("Participants"),
                _("Attended"),
                _("RTL items"),
                _("Open items"),
            ],
            rows=meetings,
            row=lambda m: [
                m.held_on,
                m.title,
                m.get_kind_display(),
                m.owner.name,
                m.place,
                m.get_status_display(),
                m.participant_count,
                m.attended_count,
                m.follow_up_count,
                m.open_follow_up_count + m.open_commitment_count,
            ],
        )
    context = {
        **paginate(request, meetings),
        "kind": kind,
        "status": status,
        "year": year,
        "years": years,
        "kinds": Meeting.Kind.choices,
        "statuses": Meeting.Status.choices,
        "creatable": [(k, Meeting.Kind(k).label) for k in creatable_kinds(request.user)],
    }
    return render(request, "workshops/meeting_list.html", context)


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
