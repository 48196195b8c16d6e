"""Django admin of SPM data: for system administrators' support work only (it ignores area
scoping)."""

from django.contrib import admin

from . import models

# --- SPM catalogue and settings: data tied to regulations, edited here by system admins ---------


class SPMServiceInline(admin.TabularInline):
    model = models.SPMService
    extra = 0
    fields = [
        "level",
        "number",
        "code",
        "name_id",
        "name_en",
        "budget_code",
        "population_band",
        "is_reported_monthly",
    ]


@admin.register(models.SPMEdition)
class SPMEditionAdmin(admin.ModelAdmin):
    list_display = ["regulation", "code", "first_year", "last_year"]
    inlines = [SPMServiceInline]


@admin.register(models.SPMService)
class SPMServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "edition", "level", "budget_code", "is_reported_monthly"]
    list_filter = ["edition", "level"]
    search_fields = ["code", "name_id", "name_en"]


@admin.register(models.AgeBand)
class AgeBandAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "name_en", "order"]


@admin.register(models.EstimateRule)
class EstimateRuleAdmin(admin.ModelAdmin):
    list_display = ["service", "district", "factor", "rate", "band", "rate_source"]
    list_filter = ["service__edition"]
    raw_id_fields = ["district"]


@admin.register(models.ReportingYear)
class ReportingYearAdmin(admin.ModelAdmin):
    list_display = ["year", "edition", "deadline_day", "outlier_factor", "outlier_min_months"]


@admin.register(models.IndexBand)
class IndexBandAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "lower_bound", "order", "colour"]
    list_filter = ["edition"]


@admin.register(models.IndexWeight)
class IndexWeightAdmin(admin.ModelAdmin):
    list_display = ["service", "weight"]
    list_filter = ["service__edition"]


@admin.register(models.AggregationRun)
class AggregationRunAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "quarter",
        "district",
        "status",
        "created_at",
        "finished_at",
        "approved_reports",
    ]
    list_filter = ["status", "year", "quarter"]
    raw_id_fields = ["district", "province", "puskesmas", "requested_by"]
