"""Forms: field shapes and per-field checks; every choice list is scoped to the user's area."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    HealthOffice,
    HealthOfficeUnit,
    PartnerOrganisation,
    Puskesmas,
    ServicePoint,
    Subdistrict,
    Village,
)
from .scoping import in_area


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class PuskesmasForm(forms.ModelForm):
    villages = forms.ModelMultipleChoiceField(
        label=_("Working area (wilayah kerja)"),
        queryset=Village.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The desa and kelurahan this puskesmas serves. A village belongs to one puskesmas."
        ),
    )

    class Meta:
        model = Puskesmas
        fields = ["code", "name", "subdistrict", "is_inpatient", "head_name", "address", "phone"]

    def __init__(self, *args, user, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = district
        self.fields["subdistrict"].queryset = in_area(
            Subdistrict.objects.filter(district=district), user
        )
        if user.role == user.Role.PUSKESMAS_HEAD:
            # The district decides the code and the working area; the head keeps the rest current.
            for name in ("code", "subdistrict", "villages"):
                del self.fields[name]
        else:
            self.fields["villages"].queryset = in_area(
                Village.objects.filter(subdistrict__district=district), user
            ).select_related("subdistrict")
            self.fields["villages"].label_from_instance = lambda village: (
                f"{village.name} ({village.subdistrict.name})"
            )
            if self.instance.pk:
                self.initial["villages"] = list(self.instance.villages.values_list("pk", flat=True))


class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["puskesmas", "kind", "name", "village", "address", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["puskesmas"].queryset = in_area(Puskesmas.objects.all(), user)
        self.fields["village"].queryset = in_area(
            Village.objects.filter(puskesmas__isnull=False), user
        ).select_related("puskesmas")
        self.fields["village"].label_from_instance = lambda village: (
            f"{village.name} ({village.puskesmas.name})"
        )
        if user.puskesmas_id:
            self.fields["puskesmas"].initial = user.puskesmas_id
            self.fields["puskesmas"].widget = forms.HiddenInput()


class PartnerForm(forms.ModelForm):
    class Meta:
        model = PartnerOrganisation
        fields = [
            "name",
            "short_name",
            "sector",
            "subdistrict",
            "contact_name",
            "phone",
            "is_active",
        ]

    def __init__(self, *args, user, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = district
        self.fields["subdistrict"].queryset = in_area(
            Subdistrict.objects.filter(district=district), user
        )


class UnitForm(forms.ModelForm):
    class Meta:
        model = HealthOfficeUnit
        fields = ["name", "kind", "parent", "head_name"]

    def __init__(self, *args, user, office: HealthOffice, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.office = office
        parents = in_area(HealthOfficeUnit.objects.filter(office=office), user)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class QuarterNoteForm(forms.ModelForm):
    """One service's budget, implementation stages, problems and actions for a quarter."""

    class Meta:
        from .models import QuarterServiceNote

        model = QuarterServiceNote
        fields = [
            "budget_allocated_idr",
            "budget_spent_idr",
            "stage_data",
            "stage_needs",
            "stage_plan",
            "stage_delivery",
            "problems",
            "planned_actions",
        ]
        widgets = {
            "problems": forms.Textarea(attrs={"rows": 2}),
            "planned_actions": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        allocated, spent = cleaned.get("budget_allocated_idr"), cleaned.get("budget_spent_idr")
        if allocated is not None and spent is not None and spent > allocated:
            self.add_error("budget_spent_idr", _("Spent is more than allocated."))
        return cleaned
