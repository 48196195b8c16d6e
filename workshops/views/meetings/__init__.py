"""Before the meeting (issue #6): the list, create and edit, the meeting hub with its status
actions, participants and attendance, the invitation letter with its WhatsApp share, the
attendance list and the meeting pack. One module per part; `urlpatterns` gathers them.
"""

from django.urls import path

from .hub import (
    meeting_close,
    meeting_create,
    meeting_delete,
    meeting_detail,
    meeting_edit,
    meeting_hold,
    meeting_list,
    meeting_reopen,
)
from .papers import meeting_attendance, meeting_invitation, meeting_pack
from .people import (
    meeting_attendance_take,
    meeting_invite_partners,
    meeting_invite_staff,
    meeting_participants,
    participant_delete,
    participant_edit,
)

urlpatterns = [
    path("", meeting_list, name="meeting-list"),
    path("new/", meeting_create, name="meeting-create"),
    path("<int:pk>/", meeting_detail, name="meeting-detail"),
    path("<int:pk>/edit/", meeting_edit, name="meeting-edit"),
    path("<int:pk>/hold/", meeting_hold, name="meeting-hold"),
    path("<int:pk>/close/", meeting_close, name="meeting-close"),
    path("<int:pk>/reopen/", meeting_reopen, name="meeting-reopen"),
    path("<int:pk>/delete/", meeting_delete, name="meeting-delete"),
    path("<int:pk>/participants/", meeting_participants, name="meeting-participants"),
    path("<int:pk>/participants/staff/", meeting_invite_staff, name="meeting-invite-staff"),
    path(
        "<int:pk>/participants/partners/", meeting_invite_partners, name="meeting-invite-partners"
    ),
    path("participants/<int:pk>/edit/", participant_edit, name="participant-edit"),
    path("participants/<int:pk>/delete/", participant_delete, name="participant-delete"),
    path("<int:pk>/attendance/take/", meeting_attendance_take, name="meeting-attendance-take"),
    path("<int:pk>/invitation/", meeting_invitation, name="meeting-invitation"),
    path("<int:pk>/attendance/", meeting_attendance, name="meeting-attendance"),
    path("<int:pk>/pack/", meeting_pack, name="meeting-pack"),
]
