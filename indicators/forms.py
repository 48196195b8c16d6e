"""Forms: field shapes and per-field checks; every choice list is scoped to the user's area."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy
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
from .spreadsheets import MAX_UPLOAD_BYTES
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


class QuarterNoteForm(VersionedForm, forms.ModelForm):
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


class MonthlyTemplateForm(forms.Form):
    """Which year, months and (for a district) puskesmas a template covers; defaults: this year."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    months = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Months"),
        coerce=int,
        choices=sorted(MONTHS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    puskesmas = ModelMultipleChoiceField(
        label="Puskesmas",
        queryset=Puskesmas.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("None ticked: every puskesmas of your district."),
    )

    def __init__(self, data=None, *, user, years: list[int]):
        super().__init__(data, initial=self.defaults(years))
        self.fields["year"].choices = [(y, y) for y in years]
        self.scope = in_area(Puskesmas.objects.all(), user)
        self.fields["puskesmas"].queryset = self.scope
        if user.puskesmas_id:
            del self.fields["puskesmas"]

    @staticmethod
    def defaults(years: list[int]) -> dict:
        """This year and its months so far (or the latest year set up, whole)."""
        today = timezone.localdate()
        year = today.year if today.year in years else (years[0] if years else today.year)
        last = today.month if year == today.year else 12
        return {"year": year, "months": list(range(1, last + 1))}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        year, months = data.get("year"), data.get("months") or []
        future = [m for m in months if year and (year, m) > (today.year, today.month)]
        if future:
            raise forms.ValidationError(
                _("%(month)s %(year)s has not started yet.")
                % {"month": MONTHS[future[0]], "year": year}
            )
        return data

    def puskesmas_list(self):
        """The puskesmas ticked, or every puskesmas of the user's area."""
        return self.cleaned_data.get("puskesmas") or self.scope


class MonthlyExportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, data=None, *, years: list[int]):
        super().__init__(data, initial=MonthlyTemplateForm.defaults(years))
        self.fields["year"].choices = [(y, y) for y in years]


class MonthlyUploadForm(UploadForm):
    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 1024**2}
            )
        return upload
