"""Django admin: for system administrators' support work only (it ignores area scoping). The
budget sub-activity catalogue is data kept here: codes change with the nomenclature."""

from django.contrib import admin

from . import models


@admin.register(models.BudgetSubActivity)
class BudgetSubActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "spm_number", "is_verified", "is_active", "nomenclature"]
    list_filter = ["is_verified", "is_active"]
    list_editable = ["is_verified", "is_active"]
    search_fields = ["code", "name_id", "name_en"]


class ActivityInline(admin.TabularInline):
    model = models.Activity
    fields = ["effort", "name", "budget_idr", "funding_source", "service", "sub_activity", "origin"]
    readonly_fields = ["origin"]
    raw_id_fields = ["service", "sub_activity"]
    extra = 0
    show_change_link = True


@admin.register(models.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "district", "puskesmas", "status", "updated_at"]
    list_filter = ["status", "year"]
    search_fields = ["puskesmas__name", "district__name"]
    raw_id_fields = ["district", "puskesmas", "created_by", "submitted_by", "decided_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ActivityInline]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "effort", "budget_idr", "funding_source", "origin"]
    list_filter = ["funding_source", "origin", "plan__year"]
    search_fields = ["name", "effort"]
    raw_id_fields = [
        "plan",
        "service",
        "sub_activity",
        "follow_up",
        "proposal",
        "created_by",
        "updated_by",
    ]


@admin.register(models.ScheduleEntry)
class ScheduleEntryAdmin(admin.ModelAdmin):
    list_display = ["activity", "month", "volume", "location", "cost_idr"]
    list_filter = ["month"]
    raw_id_fields = ["activity", "created_by"]
