"""Forms of the organisation: field shapes and per-field checks; every choice list is scoped
to the user's area."""

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
from .roles import is_puskesmas_head
from .scoping import in_area
from .versioning import OnceForm, VersionedForm


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing an id outside the database's integer range as an invalid choice
    before the query: SQLite raises OverflowError on it in `IN`, which would be a 500."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django's own check reports it
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class PuskesmasForm(OnceForm, VersionedForm, forms.ModelForm):
    villages = ModelMultipleChoiceField(
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
        if is_puskesmas_head(user):
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


class ServicePointForm(OnceForm, VersionedForm, forms.ModelForm):
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


class PartnerForm(OnceForm, VersionedForm, forms.ModelForm):
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


class UnitForm(OnceForm, VersionedForm, forms.ModelForm):
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
