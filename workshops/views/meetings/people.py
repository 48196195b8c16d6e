"""Participants of a meeting: invite staff, partner organisations and people by name, correct
or remove them, and take attendance with walk-ins and who signs the agreement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.scoping import get_in_area_or_404
from kernel.versioning import create_once
from kernel.web import export, wants_xlsx

from ...forms.meetings import (
    AttendanceForm,
    InvitePartnersForm,
    InviteStaffForm,
    PersonForm,
    WalkInFormSet,
    walk_ins,
)
from ...models import Meeting, Participant
from ...rights import can_manage_meeting
from ...selectors import meetings as read
from ...services import participants as people
from .base import call, manager_only, meeting_in_area


@login_required
def meeting_participants(request, pk):
    meeting = meeting_in_area(request, pk)
    participants = read.participant_list(user=request.user, meeting=meeting)
    if wants_xlsx(request):
        return export(
            filename=f"participants-{meeting.pk}.xlsx",
            sheet=_("Participants"),
            headers=[_("No."), _("Name"), _("Position"), _("Organisation"), _("Sector")]
            + [_("Phone"), _("Invited"), _("Attended"), _("Signs the agreement")],
            rows=enumerate(participants, start=1),
            row=lambda row: [row[0], *_participant_columns(row[1])],
        )
    can_edit = can_manage_meeting(request.user, meeting) and meeting.status != "closed"
    form = PersonForm(request.POST or None)
    if request.method == "POST":
        manager_only(request, meeting)
        if (
            form.is_valid()
            and call(
                request,
                form,
                create_once,
                token=form.cleaned_data.get("form_token"),
                by=request.user,
                create=lambda: people.participant_add(
                    meeting=meeting, by=request.user, data=form.cleaned_data
                ),
                model=Participant,
            )[0]
        ):
            messages.success(request, _("%(name)s invited.") % {"name": form.cleaned_data["name"]})
            return redirect("workshops:meeting-participants", pk=meeting.pk)
    context = {"meeting": meeting, "participants": participants, "can_edit": can_edit}
    if can_edit:
        context |= {
            "person_form": form,
            "staff_form": InviteStaffForm(
                queryset=read.staff_choices(user=request.user, meeting=meeting)
            ),
            "partner_form": InvitePartnersForm(
                queryset=read.partner_choices(user=request.user, meeting=meeting)
            ),
        }
    return render(request, "workshops/participants.html", context)


def _participant_columns(p: Participant) -> list:
    attended = {True: _("Present"), False: _("Absent")}.get(p.attended, "")
    invited = _("Invited") if p.is_invited else _("Walk-in")
    yes = _("Yes") if p.signs_agreement else ""
    return [
        p.name,
        p.position,
        p.organisation,
        p.get_sector_display(),
        p.phone,
        invited,
        attended,
        yes,
    ]


def _invite(request, pk, form_class, choices, service, field: str):
    meeting = meeting_in_area(request, pk)
    manager_only(request, meeting)
    chosen = None
    if not request.POST.get("all"):
        form = form_class(request.POST, queryset=choices(user=request.user, meeting=meeting))
        if not form.is_valid():
            messages.error(request, _("Choose whom to invite."))
            return redirect("workshops:meeting-participants", pk=meeting.pk)
        chosen = next(iter(form.cleaned_data.values()))
    done, count = call(request, None, service, meeting=meeting, by=request.user, **{field: chosen})
    if done:
        messages.success(request, _("%(count)s invited.") % {"count": count})
    return redirect("workshops:meeting-participants", pk=meeting.pk)


@login_required
@require_POST
def meeting_invite_staff(request, pk):
    return _invite(
        request, pk, InviteStaffForm, read.staff_choices, people.participants_invite_staff, "users"
    )


@login_required
@require_POST
def meeting_invite_partners(request, pk):
    return _invite(
        request,
        pk,
        InvitePartnersForm,
        read.partner_choices,
        people.participants_invite_partners,
        "partners",
    )


def _participant(request, pk) -> Participant:
    queryset = Participant.objects.select_related(
        "meeting__puskesmas", "meeting__district", "meeting__province"
    )
    participant = get_in_area_or_404(queryset, request.user, pk=pk)
    manager_only(request, participant.meeting)
    return participant


@login_required
def participant_edit(request, pk):
    participant = _participant(request, pk)
    form = PersonForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        if call(
            request,
            form,
            people.participant_update,
            participant=participant,
            by=request.user,
            data=form.cleaned_data,
            version=form.cleaned_data.get("version"),
        )[0]:
            messages.success(request, _("Participant saved."))
            return redirect("workshops:meeting-participants", pk=participant.meeting_id)
    context = {"form": form, "participant": participant, "meeting": participant.meeting}
    return render(request, "workshops/meeting_participant_form.html", context)


@login_required
@require_POST
def participant_delete(request, pk):
    participant = _participant(request, pk)
    if call(request, None, people.participant_delete, participant=participant, by=request.user)[0]:
        messages.success(request, _("%(name)s removed.") % {"name": participant.name})
    return redirect("workshops:meeting-participants", pk=participant.meeting_id)


@login_required
def meeting_attendance_take(request, pk):
    meeting = meeting_in_area(request, pk)
    manager_only(request, meeting)
    participants = read.participant_list(user=request.user, meeting=meeting)
    data = request.POST or None
    form = AttendanceForm(data, participants=participants)
    walk_in_forms = WalkInFormSet(data, prefix="walkin")
    if request.method == "POST" and form.is_valid() and walk_in_forms.is_valid():
        counts = []

        def take() -> Meeting:
            counts.append(
                people.attendance_take(
                    meeting=meeting,
                    by=request.user,
                    marks=form.marks(),
                    walk_ins=walk_ins(walk_in_forms),
                )
            )
            return meeting

        # Once per form token: a repeated post adds its walk-ins no second time.
        token = form.cleaned_data.get("form_token")
        done, __ = call(
            request, form, create_once, token=token, by=request.user, create=take, model=Meeting
        )
        if done:
            if counts:
                present, added = counts[0]
                text = _("Attendance saved: %(present)s present, %(added)s walk-ins added.") % {
                    "present": present,
                    "added": added,
                }
            else:
                text = _("Attendance saved.")
            messages.success(request, text)
            return redirect("workshops:meeting-detail", pk=meeting.pk)
    context = {"meeting": meeting, "form": form, "walk_ins": walk_in_forms}
    return render(request, "workshops/attendance_take.html", context)
