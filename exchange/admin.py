"""Staff support only: the pages under /exchange/dhis2/ are where planners keep the mapping."""

from django.contrib import admin

from .models import DataElementMapping, Dhis2Profile, OrgUnitMapping


class ElementInline(admin.TabularInline):
    model = DataElementMapping
    extra = 0
    raw_id_fields = ["service"]


class OrgUnitInline(admin.TabularInline):
    model = OrgUnitMapping
    extra = 0
    raw_id_fields = ["puskesmas", "village"]


@admin.register(Dhis2Profile)
class Dhis2ProfileAdmin(admin.ModelAdmin):
    list_display = ["district", "name", "level", "version"]
    list_select_related = ["district"]
    raw_id_fields = ["district"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    inlines = [ElementInline, OrgUnitInline]
