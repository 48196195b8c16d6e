from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Commitment,
    FollowUp,
    ManagementScoreBand,
    Meeting,
    MusrenbangProposal,
    Participant,
    Photo,
    Problem,
    RootCause,
    StatusUpdate,
)


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ("partner", "user")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "held_on", "puskesmas", "district", "status")
    list_filter = ("kind", "status", "province")
    search_fields = ("title", "place", "puskesmas__name", "district__name")
    date_hierarchy = "held_on"
    raw_id_fields = ("province", "district", "puskesmas", "created_by", "signed_agreement_by")
    inlines = [ParticipantInline]


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("statement", "meeting", "service", "priority_score")
    raw_id_fields = ("meeting", "service", "village")


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ("description", "category", "problem")
    raw_id_fields = ("problem",)


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("activity", "meeting", "due_on", "status", "responsible")
    list_filter = ("status",)
    raw_id_fields = ("meeting", "problem", "root_cause", "partner", "created_by")


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("party", "meeting", "due_on", "status")
    list_filter = ("status",)
    raw_id_fields = ("meeting", "partner", "created_by")


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    list_display = ("at", "old_status", "new_status", "by")
    raw_id_fields = ("follow_up", "commitment", "reviewed_in", "by")


@admin.register(MusrenbangProposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title", "subdistrict", "outcome", "estimated_cost_idr")
    list_filter = ("outcome",)
    raw_id_fields = ("meeting", "subdistrict", "village", "service", "created_by", "outcome_by")


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ("meeting", "caption", "uploaded_at")
    raw_id_fields = ("meeting", "uploaded_by")


@admin.register(ManagementScoreBand)
class ManagementScoreBandAdmin(admin.ModelAdmin):
    list_display = ("kind", "min_held", "max_held", "score", "source")
