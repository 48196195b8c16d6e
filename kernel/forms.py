"""Forms of the organisation: field shapes and per-field checks; every choice list is scoped
to the user's area."""

from __future__ import annotations

from django import forms
from django.utils import timezone
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


ESTABLISHED_FROM = 1950  # posyandu began in 1986; older UKBM are few


class ServicePointForm(OnceForm, VersionedForm, forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = [
            "puskesmas",
            "kind",
            "name",
            "village",
            "address",
            "is_active",
            # The UKBM registry (issue #17): what a posyandu and the other UKBM need.
            "venue",
            "schedule",
            "runs_ilp",
            "pustu",
            "decree_number",
            "decree_date",
            "established_year",
        ]
        widgets = {"decree_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

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
        # The pustu of the area (of the point's own puskesmas once it has one); the model's
        # clean() refuses another puskesmas's pustu.
        pustu = in_area(ServicePoint.objects.filter(kind=ServicePoint.Kind.PUSTU), user)
        if self.instance.puskesmas_id:
            pustu = pustu.filter(puskesmas_id=self.instance.puskesmas_id)
        elif user.puskesmas_id:
            pustu = pustu.filter(puskesmas_id=user.puskesmas_id)
        if self.instance.pk:
            pustu = pustu.exclude(pk=self.instance.pk)
        self.fields["pustu"].queryset = pustu.select_related("puskesmas")
        self.fields["pustu"].label_from_instance = lambda point: (
            f"{point.name} ({point.puskesmas.name})"
        )
        self.fields["established_year"].widget.attrs.update({"min": ESTABLISHED_FROM, "max": 2100})

    def clean_established_year(self):
        year = self.cleaned_data.get("established_year")
        if year is not None and not ESTABLISHED_FROM <= year <= timezone.localdate().year:
            raise forms.ValidationError(
                _("Write a year from %(first)s to this year.") % {"first": ESTABLISHED_FROM}
            )
        return year


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
