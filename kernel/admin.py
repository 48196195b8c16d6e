"""Django admin: for system administrators' support work only (it ignores area scoping)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import models


@admin.register(models.Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name"]


@admin.register(models.Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    search_fields = ["code", "name"]
    raw_id_fields = ["district"]


@admin.register(models.Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "subdistrict", "puskesmas"]
    search_fields = ["code", "name"]
    raw_id_fields = ["subdistrict", "puskesmas"]


@admin.register(models.RegionPopulation)
class RegionPopulationAdmin(admin.ModelAdmin):
    list_display = ["code", "year", "male", "female", "total"]
    search_fields = ["code"]
    list_filter = ["year"]


@admin.register(models.HealthOffice)
class HealthOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "district", "head_name"]
    raw_id_fields = ["district"]


@admin.register(models.HealthOfficeUnit)
class HealthOfficeUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "office", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(models.Puskesmas)
class PuskesmasAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "district", "subdistrict", "is_inpatient"]
    list_filter = ["is_inpatient"]
    search_fields = ["code", "name"]
    raw_id_fields = ["district", "subdistrict"]


@admin.register(models.ServicePoint)
class ServicePointAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "puskesmas", "village", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["puskesmas", "village"]


@admin.register(models.PartnerOrganisation)
class PartnerOrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "sector", "district", "subdistrict", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name", "short_name"]
    raw_id_fields = ["district", "subdistrict"]


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "province",
        "district",
        "puskesmas",
    ]
    list_filter = ["role", "is_staff", "is_active"]
    raw_id_fields = ["province", "district", "puskesmas"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Role and area"),
            {"fields": ["role", "province", "district", "puskesmas", "position", "phone"]},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role and area"), {"fields": ["role", "province", "district", "puskesmas"]}),
    )


class MentorAssignmentInline(admin.TabularInline):
    """A planning mentor's districts (issue #18); provinces also assign on the mentoring pages."""

    model = models.MentorAssignment
    fk_name = "user"
    extra = 0
    fields = ["district", "starts_on", "ends_on", "organisation"]
    raw_id_fields = ["district"]


UserAdmin.inlines = [MentorAssignmentInline]


@admin.register(models.MentorAssignment)
class MentorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "district", "starts_on", "ends_on", "organisation"]
    list_filter = ["district__province"]
    raw_id_fields = ["user", "district", "created_by"]
    search_fields = ["user__username", "user__last_name", "district__name"]


@admin.register(models.ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind", "district", "puskesmas", "status", "created_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["district", "puskesmas", "created_by"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "action", "to_status", "by", "at", "district"]
    list_filter = ["action", "content_type"]
    raw_id_fields = ["province", "district", "puskesmas", "by"]
