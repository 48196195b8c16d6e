"""Django admin of the assessments (issue #18): for system administrators' support work.

Instruments are kept here (edition > sections, section > items, item > levels; rank bands on
the edition). An edition with results (`Instrument.is_in_use`) is read-only, with its sections,
items, levels and bands: a change is a new edition (a new year), never an edit of a used one.
The assessment records themselves are read-only here: their pages and services change them."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .data_rules import RULES, rule_choices
from .models import (
    CapacityAssessment,
    Instrument,
    Item,
    Level,
    MentoringActivity,
    MentoringItem,
    MentoringVisit,
    PkpAssessment,
    RankBand,
    Section,
    SupervisionVisit,
)

IN_USE = _(
    "This edition is in use: results were made with it, so it cannot be changed or deleted. "
    "Add a new edition (a new year) instead."
)


def _in_use(instrument: Instrument | None) -> bool:
    return instrument is not None and instrument.pk is not None and instrument.is_in_use()


class LockedWhenInUse:
    """Admin (or inline) of something of an edition: read-only once the edition is in use.
    `edition_of(obj)` says the edition of the admin's object (the inline's parent)."""

    def edition_of(self, obj) -> Instrument | None:
        return obj

    def has_change_permission(self, request, obj=None):
        if _in_use(self.edition_of(obj) if obj is not None else None):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):
        if _in_use(self.edition_of(obj) if obj is not None else None):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request, obj=None):
        if obj is not None and _in_use(self.edition_of(obj)):
            return False
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj)  # type: ignore[misc]
        return super().has_add_permission(request)  # type: ignore[misc]

    def get_actions(self, request):
        # No bulk delete: each edition's use is checked on its own delete page.
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is not None and _in_use(self.edition_of(obj)):
            messages.warning(request, IN_USE)
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]


class ItemForm(forms.ModelForm):
    rule = forms.ChoiceField(label=_("filled from data by"), required=False, choices=())

    class Meta:
        model = Item
        fields = [
            "section",
            "code",
            "text",
            "text_en",
            "order",
            "weight",
            "rule",
            "guidance",
            "variable",
            "sub_variable",
            "unit",
            "target_pct",
            "service",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = rule_choices()
        current = self.instance.rule if self.instance and self.instance.pk else ""
        if current and current not in RULES:  # shown as it is, refused on save
            choices.append((current, current))
        self.fields["rule"].choices = choices

    def clean_rule(self):
        rule = self.cleaned_data.get("rule") or ""
        if rule and rule not in RULES:
            raise ValidationError(gettext("Unknown data rule: choose one of the list or none."))
        return rule


# --- Inlines -------------------------------------------------------------------------------------


class SectionInline(LockedWhenInUse, admin.TabularInline):
    model = Section
    fields = ["order", "code", "part", "name", "name_en", "weight"]
    extra = 0
    show_change_link = True


class RankBandInline(LockedWhenInUse, admin.TabularInline):
    model = RankBand
    fields = ["applies_to", "rank", "min_value"]
    extra = 0


class ItemInline(LockedWhenInUse, admin.StackedInline):
    model = Item
    form = ItemForm
    fields = [
        ("order", "code", "weight"),
        "text",
        "text_en",
        "rule",
        "guidance",
        ("variable", "sub_variable", "unit", "target_pct"),
        "service",
    ]
    raw_id_fields = ["service"]
    extra = 0
    show_change_link = True

    def edition_of(self, obj):
        return obj.instrument if isinstance(obj, Section) else obj


class LevelInline(LockedWhenInUse, admin.TabularInline):
    model = Level
    fields = ["score", "definition", "definition_en"]
    extra = 0

    def edition_of(self, obj):
        return obj.section.instrument if isinstance(obj, Item) else obj


# --- Editions, sections, items -------------------------------------------------------------------


@admin.register(Instrument)
class InstrumentAdmin(LockedWhenInUse, admin.ModelAdmin):
    list_display = ["name", "kind", "code", "valid_from", "is_verified"]
    list_filter = ["kind", "is_verified"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["created_at", "created_by"]
    inlines = [SectionInline, RankBandInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Section)
class SectionAdmin(LockedWhenInUse, admin.ModelAdmin):
    list_display = ["code", "name", "part", "instrument", "weight"]
    list_filter = ["part", "instrument"]
    search_fields = ["code", "name"]
    list_select_related = ["instrument"]
    inlines = [ItemInline]

    def edition_of(self, obj):
        return obj.instrument


@admin.register(Item)
class ItemAdmin(LockedWhenInUse, admin.ModelAdmin):
    form = ItemForm
    list_display = ["code", "text", "section", "weight", "rule"]
    list_filter = ["section__instrument"]
    search_fields = ["code", "text"]
    list_select_related = ["section__instrument"]
    raw_id_fields = ["service"]
    inlines = [LevelInline]

    def edition_of(self, obj):
        return obj.section.instrument


# --- The records: read here, changed on their pages ----------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PkpAssessment)
class PkpAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["puskesmas", "year", "instrument", "status"]
    list_filter = ["year", "status"]
    list_select_related = ["puskesmas", "instrument"]


@admin.register(CapacityAssessment)
class CapacityAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["district", "instrument"]
    list_select_related = ["district", "instrument"]


@admin.register(SupervisionVisit)
class SupervisionVisitAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "puskesmas", "instrument"]
    list_select_related = ["puskesmas", "instrument"]


@admin.register(MentoringActivity)
class MentoringActivityAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "district"]
    list_select_related = ["district"]


@admin.register(MentoringVisit)
class MentoringVisitAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "district"]
    list_select_related = ["district"]


@admin.register(MentoringItem)
class MentoringItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "district", "status"]
    list_filter = ["status"]
    list_select_related = ["district"]
