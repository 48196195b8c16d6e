"""Forms of the four stages worksheet: one per section of what the district writes, a need line
and a regional-plan line. Field shapes only; choice lists scoped; the rules live in
cycle/services/stages.py."""

from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import QualityItem
from kernel.forms import ModelMultipleChoiceField
from kernel.versioning import OnceForm, VersionedForm
from planning.forms import RupiahField

from ..models import IntegrationLine, NeedLine, StageSheet
from ..services.stages import SECTION_FIELDS

TEXT = {"rows": 3}


class _SectionForm(VersionedForm, forms.ModelForm):
    """What the district writes in one section of its worksheet, with the stage's status."""

    section = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields[f"{self.section}_status"]
        status.label = _("Status of this stage")

    def fields_saved(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in SECTION_FIELDS[self.section]}


class DataSectionForm(_SectionForm):
    section = "data"

    class Meta:
        model = StageSheet
        fields = list(SECTION_FIELDS["data"])
        widgets = {
            "partner_services": forms.Textarea(attrs=TEXT),
            "data_notes": forms.Textarea(attrs=TEXT),
        }
        help_texts = {
            "partner_services": _(
                "What other agencies, private providers and the community deliver for this "
                "service that the puskesmas reports do not count."
            ),
        }


class NeedsSectionForm(_SectionForm):
    section = "needs"
    fiscal_capacity_idr = RupiahField(
        label=_("Fiscal capacity for this service (Rp)"),
        required=False,
        help_text=_("What the region can spend on it this year; compared with the cost above."),
    )

    class Meta:
        model = StageSheet
        fields = list(SECTION_FIELDS["needs"])
        widgets = {"needs_notes": forms.Textarea(attrs=TEXT)}


class PlanSectionForm(_SectionForm):
    section = "plan"

    class Meta:
        model = StageSheet
        fields = list(SECTION_FIELDS["plan"])
        widgets = {
            "target_people": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "planning_notes": forms.Textarea(attrs=TEXT),
        }
        help_texts = {
            "target_people": _("Pre-filled from the targets of record; change it if you must."),
            "financing": _("Own delivery (swakelola) or cooperation with another party."),
            "delivery": _("A free service, or assistance to the people served."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_people"].max_value = 2_000_000_000


class IntegrationSectionForm(_SectionForm):
    section = "integration"

    class Meta:
        model = StageSheet
        fields = list(SECTION_FIELDS["integration"])


SECTION_FORMS: dict[str, type[_SectionForm]] = {
    "data": DataSectionForm,
    "needs": NeedsSectionForm,
    "plan": PlanSectionForm,
    "integration": IntegrationSectionForm,
}


def section_forms(
    sheet: StageSheet, *, bound: _SectionForm | None = None
) -> dict[str, _SectionForm]:
    """The four section forms of a worksheet, each on its own copy of the sheet (a refused save
    leaves the facts shown untouched); `bound` replaces its section's."""
    forms_by_section: dict[str, _SectionForm] = {}
    for section in SECTION_FORMS:
        if bound is not None and bound.section == section:
            forms_by_section[section] = bound
        else:
            forms_by_section[section] = section_form(section, sheet)
    return forms_by_section


def section_form(section: str, sheet: StageSheet, data=None) -> _SectionForm:
    """One section's form on a copy of the sheet: a refused save leaves the facts shown as
    saved."""
    return SECTION_FORMS[section](data, instance=copy.copy(sheet), prefix=section)


class ActivityChoiceField(ModelMultipleChoiceField):
    """Plan activities, each named with the plan it belongs to."""

    def label_from_instance(self, obj) -> str:
        puskesmas = obj.plan.puskesmas
        return f"{obj.name} ({puskesmas.name if puskesmas is not None else _('Dinkes plan')})"


class NeedForm(OnceForm, VersionedForm, forms.ModelForm):
    unit_cost_idr = RupiahField(
        label=_("Unit cost (Rp)"),
        help_text=_(
            "Pre-filled with the quality standard's unit cost; change it to the local price."
        ),
    )
    gap_quantity = forms.DecimalField(
        label=_("Gap"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        help_text=_("How many are missing, in the unit below."),
    )
    activities = ActivityChoiceField(
        label=_("Plan activities answering it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Activities of the Dinkes plan and the approved RUKs of the year tied to this "
            "service (or to no service)."
        ),
    )

    class Meta:
        model = NeedLine
        fields = ["item", "name", "kind", "unit", "gap_quantity", "unit_cost_idr", "activities"]
        help_texts = {
            "item": _("The quality standard item, when the need is one of them."),
        }

    def __init__(self, *args, sheet: StageSheet, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.sheet = sheet
        items = QualityItem.objects.filter(service=sheet.service, is_active=True).order_by(
            "order", "pk"
        )
        if self.instance.item_id:
            items = items | QualityItem.objects.filter(pk=self.instance.item_id)
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.ModelChoiceField)
        item_field.queryset = items
        item_field.required = False
        activity_field = self.fields["activities"]
        assert isinstance(activity_field, forms.ModelMultipleChoiceField)
        activity_field.queryset = activities


class IntegrationForm(OnceForm, VersionedForm, forms.ModelForm):
    budget_idr = RupiahField(label=_("Budget (Rp)"), required=False)

    class Meta:
        model = IntegrationLine
        fields = ["document", "chapter", "program", "budget_idr", "note"]
        help_texts = {
            "chapter": _("e.g. Bab IV, strategy and policy direction; or the Renja's page."),
            "program": _("The program, activity or indicator under which the service appears."),
        }

    def __init__(self, *args, sheet: StageSheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.sheet = sheet
